// trace MASK PROGRAM [ARGS...]: run PROGRAM with system call tracing on for
// the calls whose bit is in MASK (trace 32 ls: every read of ls).
#include "user/user.h"

int
main(int argc, char *argv[])
{
  if (argc < 3 || argv[1][0] < '0' || argv[1][0] > '9') {
    fprintf(2, "usage: trace MASK PROGRAM [ARGS...]\n");
    exit(1);
  }
  int err = trace(atoi(argv[1]));
  if (err < 0) {
    fprintf(2, "trace: %s\n", strerror(err));
    exit(1);
  }
  char path[64];
  if (strchr(argv[2], '/') == 0 && strlen(argv[2]) < sizeof(path) - 5) {
    strcpy(path, "/bin/");      // as sh does
    strcpy(path + 5, argv[2]);
  } else {
    strncpy(path, argv[2], sizeof(path) - 1);
    path[sizeof(path) - 1] = 0;
  }
  exec(path, argv + 2);
  fprintf(2, "trace: cannot run %s\n", argv[2]);
  exit(1);
}
