// ps: lists the processes.

#include "user/user.h"

#define NPROC 64   // the kernel's process table size

static const char *statenames[] = {
  [UNUSED]   = "unused",
  [USED]     = "used",
  [SLEEPING] = "sleeping",
  [RUNNABLE] = "runnable",
  [RUNNING]  = "running",
  [ZOMBIE]   = "zombie",
};

static const char*
statename(int state)
{
  if (state < 0 || state >= (int)(sizeof(statenames) / sizeof(statenames[0])))
    return "?";
  return statenames[state];
}

static struct procinfo procs[NPROC];

int
main(void)
{
  int i, n;

  if ((n = procinfo(procs, NPROC)) < 0) {
    fprintf(stderr, "ps: %s\n", strerror(n));
    return 1;
  }
  printf("%5s %5s %-8s %8s %s\n", "PID", "PPID", "STATE", "SIZE", "NAME");
  for (i = 0; i < n; i++) {
    printf("%5d %5d %-8s %8u %s\n", procs[i].pid, procs[i].ppid,
           statename(procs[i].state), procs[i].size, procs[i].name);
  }
  return 0;
}
