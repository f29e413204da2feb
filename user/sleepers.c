// sleepers [n]: forks n children (by default until fork fails: the process
// table full), each of which sleeps a tick at a time for about a minute, so
// that the system is full of processes that all make system calls now and
// then. The parent waits for them all. For the workbench's benchmark
// (tests/web/bench.mjs: 64 processes in the guest).

#include "user/user.h"
#include "kernel/param.h"      // TICK_HZ

#define NAPS (60 * TICK_HZ)    // about a minute of one-tick sleeps

int
main(int argc, char *argv[])
{
  int n = argc > 1 ? atoi(argv[1]) : -1;
  int children = 0, pid;

  if (argc > 2 || (argc == 2 && n <= 0)) {
    fprintf(stderr, "usage: sleepers [n]\n");
    return 1;
  }
  while (n < 0 || children < n) {
    if ((pid = fork()) < 0)
      break;
    if (pid == 0) {
      for (int i = 0; i < NAPS; i++)
        sleep(1);
      exit(0);
    }
    children++;
  }
  printf("sleepers: %d children asleep\n", children);
  while (children > 0 && wait(0) > 0)
    children--;
  printf("sleepers: done\n");
  return 0;
}
