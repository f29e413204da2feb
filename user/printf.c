// printf, fprintf and snprintf.
// Conversions: %d %u %x %p %s %c %%, with a width, '0' (zero-pad) and '-'
// (left-align) flags: "%-8s", "%08x", "%5d". "l" is accepted and ignored
// (long is 32 bits); "ll" takes a 64-bit argument.

#include <stdarg.h>
#include "user/user.h"

// Where formatted characters go: a caller's string (fd < 0) or a buffer that
// is written to a file descriptor whenever it fills, and at the end.
struct sink {
  char *buf;
  int cap;      // characters buf can hold
  int len;      // characters in buf now
  int total;    // characters produced so far (the return value)
  int fd;
};

struct spec {
  int width;
  int zero;     // pad numbers with '0' instead of ' '
  int left;     // pad on the right
  int longs;    // number of 'l' modifiers
};

static void
flush(struct sink *s)
{
  if (s->fd >= 0 && s->len > 0)
    write(s->fd, s->buf, s->len);
  s->len = 0;
}

static void
put(struct sink *s, char c)
{
  if (s->len == s->cap && s->fd >= 0)
    flush(s);
  if (s->len < s->cap)
    s->buf[s->len++] = c;
  s->total++;
}

static void
pad(struct sink *s, char c, int n)
{
  while (n-- > 0)
    put(s, c);
}

// Emits prefix (sign or "0x") and body within the field width.
static void
field(struct sink *s, struct spec *sp, const char *prefix, const char *body, int bodylen)
{
  int fill = sp->width - (int)strlen(prefix) - bodylen;

  if (!sp->left && !sp->zero)
    pad(s, ' ', fill);
  while (*prefix)
    put(s, *prefix++);
  if (!sp->left && sp->zero)
    pad(s, '0', fill);
  while (bodylen-- > 0)
    put(s, *body++);
  if (sp->left)
    pad(s, ' ', fill);
}

static void
number(struct sink *s, struct spec *sp, uint64 v, int base, const char *prefix)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int i = sizeof(tmp);

  do {
    tmp[--i] = digits[v % base];
    v /= base;
  } while (v != 0);
  field(s, sp, prefix, tmp + i, sizeof(tmp) - i);
}

static void
format(struct sink *s, const char *fmt, va_list ap)
{
  struct spec sp;
  uint64 u;

  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(s, *fmt);
      continue;
    }
    memset(&sp, 0, sizeof(sp));
    for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
      if (*fmt == '-')
        sp.left = 1;
      else
        sp.zero = 1;
    }
    for (; *fmt >= '0' && *fmt <= '9'; fmt++)
      sp.width = sp.width * 10 + (*fmt - '0');
    for (; *fmt == 'l'; fmt++)
      sp.longs++;

    switch (*fmt) {
    case 'd':
      if (sp.longs >= 2) {
        long long v = va_arg(ap, long long);
        number(s, &sp, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0 ? "-" : "");
      } else {
        int v = va_arg(ap, int);
        number(s, &sp, v < 0 ? -(uint)v : (uint)v, 10, v < 0 ? "-" : "");
      }
      break;
    case 'u':
    case 'x':
      u = sp.longs >= 2 ? va_arg(ap, uint64) : va_arg(ap, uint);
      number(s, &sp, u, *fmt == 'u' ? 10 : 16, "");
      break;
    case 'p':         // 0x and 8 hex digits
      sp.width = 10;
      sp.zero = 1;
      sp.left = 0;
      number(s, &sp, (uint)va_arg(ap, void*), 16, "0x");
      break;
    case 's': {
      const char *str = va_arg(ap, const char*);
      if (str == 0)
        str = "(null)";
      sp.zero = 0;
      field(s, &sp, "", str, strlen(str));
      break;
    }
    case 'c': {
      char c = va_arg(ap, int);
      sp.zero = 0;
      field(s, &sp, "", &c, 1);
      break;
    }
    case '%':
      put(s, '%');
      break;
    case 0:           // a lone '%' at the end
      return;
    default:          // unknown conversion: show it as written
      put(s, '%');
      put(s, *fmt);
      break;
    }
  }
}

static int
vfprintf(int fd, const char *fmt, va_list ap)
{
  char buf[128];
  struct sink s = { buf, sizeof(buf), 0, 0, fd };

  format(&s, fmt, ap);
  flush(&s);
  return s.total;
}

int
printf(const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}

int
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vfprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}

// Like C's: stores at most size-1 characters and a NUL, and returns the
// length the whole result would have had.
int
snprintf(char *buf, int size, const char *fmt, ...)
{
  struct sink s = { buf, size > 0 ? size - 1 : 0, 0, 0, -1 };
  va_list ap;

  va_start(ap, fmt);
  format(&s, fmt, ap);
  va_end(ap);
  if (size > 0)
    buf[s.len] = 0;
  return s.total;
}
