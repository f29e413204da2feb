// sync: writes every changed block in the kernel's buffer cache to the disk.

#include "user/user.h"

int
main(void)
{
  int r;

  if ((r = sync()) < 0) {
    fprintf(stderr, "sync: %s\n", strerror(r));
    return 1;
  }
  return 0;
}
