// suspect: the forensics lab's program (labs/forensics/README.md). It
// forks with 4 pages of its heap written; the child stores into 2 of
// them (two COW faults) and receives a 100-byte message its parent sends;
// the parent then stores into its pages too. Run it on a freshly booted
// kernel, as the first command: then its pids and frames are those the
// grader sees.

#include "user/user.h"

#define PAGES 4
#define MSG 100

int
main(void)
{
  char *heap = sbrk(PAGES * 4096);
  for (int i = 0; i < PAGES; i++)
    heap[i * 4096] = 'p';
  int child = fork();
  if (child < 0) {
    printf("suspect: fork failed\n");
    return 1;
  }
  if (child == 0) {
    heap[0] = 'c';
    heap[4096] = 'c';
    char buf[128];
    int from;
    int n = recv(buf, sizeof(buf), &from, 0);
    printf("suspect: child %d got %d bytes from %d\n", getpid(), n, from);
    exit(0);
  }
  char msg[MSG];
  memset(msg, 'm', MSG);
  int r = send(child, msg, MSG, 0);
  wait(0);
  for (int i = 0; i < PAGES; i++)
    heap[i * 4096] = 'q';
  printf("suspect: parent %d sent %d bytes to %d\n", getpid(), r, child);
  printf("suspect: done\n");
  return 0;
}
