// echo [arg...]: prints its arguments separated by spaces, then a newline.

#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i;

  for (i = 1; i < argc; i++)
    printf("%s%s", argv[i], i + 1 < argc ? " " : "");
  printf("\n");
  return 0;
}
