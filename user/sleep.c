// sleep seconds: waits that long. Seconds may have a fraction: sleep 0.5.

#include "user/user.h"
#include "kernel/param.h"      // TICK_HZ

// Ticks in a decimal number of seconds ("2", "0.25"), or -1 if s is not one.
static int
ticks(const char *s)
{
  int whole = 0, frac = 0, scale = 1;

  if (*s == 0)
    return -1;
  for (; *s >= '0' && *s <= '9'; s++)
    whole = whole * 10 + (*s - '0');
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9'; s++) {
      if (scale < TICK_HZ) {
        frac = frac * 10 + (*s - '0');
        scale *= 10;
      }
    }
  }
  if (*s != 0 || whole > 0x7fffffff / TICK_HZ - 1)
    return -1;
  return whole * TICK_HZ + frac * TICK_HZ / scale;
}

int
main(int argc, char *argv[])
{
  int n, r;

  if (argc != 2 || (n = ticks(argv[1])) < 0) {
    fprintf(stderr, "usage: sleep seconds\n");
    return 1;
  }
  if ((r = sleep(n)) < 0) {
    fprintf(stderr, "sleep: %s\n", strerror(r));
    return 1;
  }
  return 0;
}
