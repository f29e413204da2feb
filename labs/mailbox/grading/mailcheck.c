// mailcheck: the mailbox lab's grading program (built by the grader into
// /grade/, from labs/mailbox/grading/). A child sends its parent three
// messages, "note 0" to "note 2", and exits; then the parent receives them
// and prints each with its sender. The grader runs it under the inspector
// and looks at the parent's queue at every send and receive.
//
// mailcheck killsender: a sender blocked on a full queue is killed; it must
// die at once, not wait for room that never comes.
// mailcheck badptr: a recv into a bad buffer, or with a bad sender pointer,
// is -EFAULT and leaves the message queued.

#include "kernel/types.h"
#include "kernel/mailbox.h"
#include "user/user.h"

#define NOTES 3

static void
kill_sender(void)
{
  int receiver, sender;
  char c = 0;

  if ((receiver = fork()) == 0) {
    sleep(1000);                        // never receives
    exit(0);
  }
  if ((sender = fork()) == 0) {
    for (int i = 0; i <= MBOX_DEPTH; i++) // the last one finds the queue full
      send(receiver, &c, 1, 0);
    exit(0);
  }
  sleep(20);
  kill(sender);
  sleep(20);
  // kill() of a process that has exited (a zombie) is -ESRCH
  printf("mailcheck: a killed sender blocked on a full queue = %s\n",
         kill(sender) == -ESRCH ? "died" : "still lives");
  kill(receiver);
  wait(0);
  wait(0);
  printf("mailcheck: done\n");
}

static void
bad_pointers(void)
{
  char buf[16];
  int from;

  send(getpid(), "kept", 4, 0);
  printf("mailcheck: recv into a bad buffer = %d\n",
         recv((void *)16, sizeof(buf), &from, MSG_DONTWAIT));
  printf("mailcheck: recv with a bad sender pointer = %d\n",
         recv(buf, sizeof(buf), (int *)16, MSG_DONTWAIT));
  int n = recv(buf, sizeof(buf), &from, MSG_DONTWAIT);
  printf("mailcheck: the message after both = %s\n",
         n == 4 && memcmp(buf, "kept", 4) == 0 && from == getpid() ? "kept" : "lost");
  printf("mailcheck: done\n");
}

int
main(int argc, char *argv[])
{
  int parent = getpid(), child, from, status;
  char note[16];

  if (argc > 1 && strcmp(argv[1], "killsender") == 0) {
    kill_sender();
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "badptr") == 0) {
    bad_pointers();
    return 0;
  }
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
