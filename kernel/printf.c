// The kernel's printf and panic.
#include <stdarg.h>
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

volatile int panicked;

static void pad(char c, int n)
{
  while (n-- > 0)
    consputc(c);
}

// A field: %[-][0][width]conv. Numbers are padded on the left with ' ', or
// '0' with the 0 flag; '-' pads on the right instead, with ' '.
struct field {
  int width;
  int zero;
  int left;
};

static void putstr(const char *s, struct field f)
{
  s = s ? s : "(null)";
  int len = strlen(s);
  if (!f.left)
    pad(' ', f.width - len);
  for (; *s; s++)
    consputc(*s);
  if (f.left)
    pad(' ', f.width - len);
}

static void printint(int value, int base, int is_signed, struct field f)
{
  static const char digits[] = "0123456789abcdef";
  char buf[16];
  uint32 x = value;
  int neg = is_signed && value < 0;
  if (neg)
    x = -value;
  int i = 0;
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (f.zero && !f.left)
    while (i < f.width - neg && i < (int)sizeof(buf) - 1)
      buf[i++] = '0';
  if (neg)
    buf[i++] = '-';
  int len = i;
  if (!f.left)
    pad(' ', f.width - len);
  while (--i >= 0)
    consputc(buf[i]);
  if (f.left)
    pad(' ', f.width - len);
}

void vprintf(const char *fmt, va_list ap)
{
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      consputc(*fmt);
      continue;
    }
    struct field f = { 0, 0, 0 };
    for (; fmt[1] == '-' || fmt[1] == '0'; fmt++)
      if (fmt[1] == '-')
        f.left = 1;
      else
        f.zero = 1;
    for (; fmt[1] >= '0' && fmt[1] <= '9' && f.width < 100; fmt++)
      f.width = f.width * 10 + (fmt[1] - '0');
    switch (*++fmt) {
    case 'd': printint(va_arg(ap, int), 10, 1, f); break;
    case 'u': printint(va_arg(ap, int), 10, 0, f); break;
    case 'x': printint(va_arg(ap, int), 16, 0, f); break;
    case 'p':
      consputc('0');
      consputc('x');
      printint(va_arg(ap, uint32), 16, 0, (struct field){ 8, 1, 0 });
      break;
    case 'c': consputc(va_arg(ap, int)); break;
    case 's': putstr(va_arg(ap, const char *), f); break;
    case '%': consputc('%'); break;
    case 0: return;
    default: consputc('%'); consputc(*fmt); break;
    }
  }
}

void printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

// Walk the frame-pointer chain: with -fno-omit-frame-pointer, s0 points just
// above the frame, the return address sits at s0-4 and the caller's s0 at s0-8.
void backtrace(uint32 fp)
{
  printf("backtrace:\n");
  for (int depth = 0; depth < 32 && fp >= RAMBASE && fp < PHYSTOP && (fp & 3) == 0; depth++) {
    uint32 ra = *(uint32 *)(fp - 4);
    if (ra == 0)
      break;
    printf("  0x%08x\n", ra - 4);
    fp = *(uint32 *)(fp - 8);
  }
}

void panic(const char *fmt, ...)
{
  va_list ap;
  intr_off();
  printf("\npanic: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  backtrace(read_fp());
  panicked = 1;
  for (;;)
    asm volatile("wfi");
}
