// init: the first process. Runs /bin/sh on the console (fds 0-2, set up by
// the kernel), starts it again whenever it exits, and reaps the orphans that
// the kernel hands to it meanwhile.

#include "user/user.h"

#define RETRY_TICKS 100   // wait before restarting a shell that could not start

static char *shargv[] = { "sh", 0 };

static int
start_sh(void)
{
  int pid, r;

  printf("init: starting sh\n");
  pid = fork();
  if (pid < 0) {
    fprintf(stderr, "init: fork: %s\n", strerror(pid));
    return pid;
  }
  if (pid == 0) {
    r = exec("/bin/sh", shargv);
    fprintf(stderr, "init: exec /bin/sh: %s\n", strerror(r));
    exit(127);
  }
  return pid;
}

int
main(void)
{
  int shpid, pid, status;

  for (;;) {
    if ((shpid = start_sh()) < 0) {
      sleep(RETRY_TICKS);
      continue;
    }
    // Every wait either reaps an orphan or, at last, the shell.
    while ((pid = wait(&status)) != shpid) {
      if (pid < 0) {        // cannot happen while the shell lives
        fprintf(stderr, "init: wait: %s\n", strerror(pid));
        break;
      }
    }
    if (pid == shpid && status == 127)
      sleep(RETRY_TICKS);
  }
}
