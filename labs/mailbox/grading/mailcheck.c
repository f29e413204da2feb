// mailcheck: the mailbox lab's grading program (built by the grader into
// /grade/, from labs/mailbox/grading/). A child sends its parent three
// messages, "note 0" to "note 2", and exits; then the parent receives them
// and prints each with its sender. The grader runs it under the inspector
// and looks at the parent's queue at every send and receive.

#include "user/user.h"

#define NOTES 3

int
main(void)
{
  int parent = getpid(), child, from, status;
  char note[16];

  if ((child = fork()) == 0) {
    for (int i = 0; i < NOTES; i++) {
      strcpy(note, "note 0");
      note[5] += i;
      if (send(parent, note, strlen(note), 0) != (int)strlen(note))
        exit(1);
    }
    exit(0);
  }
  wait(&status);
  printf("mailcheck: child %d sent its notes (status %d)\n", child, status);
  for (int i = 0; i < NOTES; i++) {
    int n = recv(note, sizeof(note) - 1, &from, MSG_DONTWAIT);
    if (n < 0) {
      printf("mailcheck: recv: %s\n", strerror(n));
      exit(1);
    }
    note[n] = 0;
    printf("mailcheck: got '%s' from %d\n", note, from);
  }
  printf("mailcheck: done\n");
  return 0;
}
