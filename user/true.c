// true: exits with status 0. The smallest program, for exec benchmarks.

#include "user/user.h"

int
main(void)
{
  return 0;
}
