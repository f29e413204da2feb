// memhog MiB: allocates that many MiB of heap, touches every page of it,
// says so, and holds it until killed (^C). To watch memory fill up: the
// frames, the page tables, and what happens when RAM runs out.

#include "user/user.h"

#define PGSIZE 4096
#define MIB (1024 * 1024)
#define MAX_MIB 2047       // more would overflow an int of bytes

// A whole decimal number of MiB, or -1 if s is not one (or is too big).
static int
parse_mib(const char *s)
{
  int n = 0;

  if (*s == 0)
    return -1;
  for (; *s >= '0' && *s <= '9'; s++) {
    n = n * 10 + (*s - '0');
    if (n > MAX_MIB)
      return -1;
  }
  return *s == 0 ? n : -1;
}

int
main(int argc, char *argv[])
{
  int want, got;
  char *start, *p;

  if (argc != 2 || (want = parse_mib(argv[1])) < 0) {
    fprintf(stderr, "usage: memhog MiB (a whole number, 0 to %d)\n", MAX_MIB);
    return 1;
  }
  start = sbrk(0);
  for (got = 0; got < want; got++) {
    if ((p = sbrk(MIB)) == (char*)-1) {
      fprintf(stderr, "memhog: out of memory after %d of %d MiB; giving it back\n",
              got, want);
      return 1;
    }
    for (int off = 0; off < MIB; off += PGSIZE)
      p[off] = 1;              // touch every page
  }
  printf("memhog: %d MiB allocated and touched (%d pages, 0x%x-0x%x); "
         "holding it until killed (^C)\n",
         got, got * (MIB / PGSIZE), (uint)start, (uint)(start + got * MIB));
  for (;;)
    sleep(1000);
}
