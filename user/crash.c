// crash: stores through a null pointer. No page maps address 0, so the
// store page-faults and the kernel kills the process (the page-fault demo).

#include "user/user.h"

int
main(void)
{
  volatile int * volatile nowhere = 0;   // volatile: the compiler keeps the store

  printf("crash: storing 42 at address %p\n", nowhere);
  *nowhere = 42;
  printf("crash: the store went through?\n");
  return 1;
}
