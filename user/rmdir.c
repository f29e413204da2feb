// rmdir dir...: removes empty directories.

#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i, r, status = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: rmdir dir...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if ((r = rmdir(argv[i])) < 0) {
      fprintf(stderr, "rmdir: %s: %s\n", argv[i], strerror(r));
      status = 1;
    }
  }
  return status;
}
