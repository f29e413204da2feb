// kill pid...: kills each process.

#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i, r, status = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: kill pid...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if ((r = kill(atoi(argv[i]))) < 0) {
      fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(r));
      status = 1;
    }
  }
  return status;
}
