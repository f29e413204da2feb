// forktest: forks until fork fails, reaps every child, twice; then checks
// that the free-frame count is back where it started.

#include "user/user.h"

#define NPROC 64   // the kernel's process table size

static int
free_frames(void)
{
  struct sysinfo si;
  int r;

  if ((r = sysinfo(&si)) < 0) {
    printf("forktest: FAILED (sysinfo: %s)\n", strerror(r));
    exit(1);
  }
  return si.free_frames;
}

// Returns how many children it forked before fork failed; they have all
// been reaped when it returns, or it has printed why not.
static int
fork_round(int n)
{
  int pid, count = 0, reaped = 0;

  while ((pid = fork()) > 0)
    count++;
  if (pid == 0)
    exit(0);          // each child exits at once, holding its slot as a zombie
  printf("forktest: round %d: forked %d children, then fork: %s\n", n, count, strerror(pid));
  while (wait(0) > 0)
    reaped++;
  if (reaped != count) {
    printf("forktest: FAILED (round %d: reaped %d of %d)\n", n, reaped, count);
    exit(1);
  }
  return count;
}

int
main(void)
{
  int before, after, first, second;

  before = free_frames();
  first = fork_round(1);
  second = fork_round(2);
  after = free_frames();
  if (first == 0 || first >= NPROC || second != first) {
    printf("forktest: FAILED (forked %d then %d children)\n", first, second);
    return 1;
  }
  if (after != before) {
    printf("forktest: FAILED (%d free frames before, %d after)\n", before, after);
    return 1;
  }
  printf("forktest: OK\n");
  return 0;
}
