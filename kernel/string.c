// The few string and memory routines the kernel needs.
#include "types.h"

void *memset(void *dst, int c, uint n)
{
  char *d = dst;
  for (uint i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

void *memmove(void *dst, const void *src, uint n)
{
  const char *s = src;
  char *d = dst;
  if (s < d && s + n > d) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

// gcc may emit calls to memcpy for structure copies.
void *memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int memcmp(const void *a, const void *b, uint n)
{
  const uint8 *x = a, *y = b;
  for (; n > 0; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

int strncmp(const char *p, const char *q, uint n)
{
  for (; n > 0 && *p && *p == *q; n--, p++, q++)
    ;
  return n == 0 ? 0 : (uint8)*p - (uint8)*q;
}

uint strlen(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

// Copy at most n-1 characters and always NUL-terminate.
char *safestrcpy(char *dst, const char *src, int n)
{
  char *d = dst;
  if (n <= 0)
    return dst;
  while (--n > 0 && (*d = *src) != 0)
    d++, src++;
  *d = 0;
  return dst;
}
