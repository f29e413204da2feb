// halt: syncs the file system and powers the machine off.

#include "user/user.h"

int
main(void)
{
  int r = halt();      // returns only on failure

  fprintf(stderr, "halt: %s\n", strerror(r));
  return 1;
}
