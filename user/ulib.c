// The small C library: strings, memory, stat, gets, atoi, strerror, and the
// wrappers for system calls that return pointers.

#include "user/user.h"

// Raw stubs from usys.S: they return an address or a negative errno.
int sys_sbrk(int n);
int sys_mmap(void *addr, uint len, int prot, int flags);
int sys_shmat(int key, uint len);

// User addresses are below 0x80000000, so a negative result is an error.
static void*
ptr_or_fail(int r)
{
  return r < 0 ? (void*)-1 : (void*)r;
}

char*
sbrk(int n)
{
  return ptr_or_fail(sys_sbrk(n));
}

void*
mmap(void *addr, uint len, int prot, int flags)
{
  return ptr_or_fail(sys_mmap(addr, len, prot, flags));
}

void*
shmat(int key, uint len)
{
  return ptr_or_fail(sys_shmat(key, len));
}

char*
strcpy(char *dst, const char *src)
{
  char *d = dst;

  while ((*d++ = *src++) != 0)
    ;
  return dst;
}

// Copies at most n bytes and pads with NULs; like C's, it does not
// terminate dst when src is n bytes or longer.
char*
strncpy(char *dst, const char *src, int n)
{
  int i;

  for (i = 0; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char*
strcat(char *dst, const char *src)
{
  strcpy(dst + strlen(dst), src);
  return dst;
}

uint
strlen(const char *s)
{
  uint n = 0;

  while (s[n])
    n++;
  return n;
}

int
strcmp(const char *p, const char *q)
{
  while (*p && *p == *q)
    p++, q++;
  return (uchar)*p - (uchar)*q;
}

int
strncmp(const char *p, const char *q, uint n)
{
  for (; n > 0; n--, p++, q++) {
    if (*p != *q || *p == 0)
      return (uchar)*p - (uchar)*q;
  }
  return 0;
}

char*
strchr(const char *s, char c)
{
  for (; *s; s++) {
    if (*s == c)
      return (char*)s;
  }
  return c == 0 ? (char*)s : 0;
}

char*
strrchr(const char *s, char c)
{
  const char *last = 0;

  for (; *s; s++) {
    if (*s == c)
      last = s;
  }
  return c == 0 ? (char*)s : (char*)last;
}

char*
strstr(const char *haystack, const char *needle)
{
  uint n = strlen(needle);

  for (; *haystack; haystack++) {
    if (strncmp(haystack, needle, n) == 0)
      return (char*)haystack;
  }
  return n == 0 ? (char*)haystack : 0;
}

void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst;

  while (n-- > 0)
    *d++ = c;
  return dst;
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  for (; n > 0; n--, p++, q++) {
    if (*p != *q)
      return *p - *q;
  }
  return 0;
}

// Handles overlapping regions by copying backwards when dst is above src.
void*
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;

  if (d > s && d < s + n) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

// Reads a line (with its newline) into buf, NUL-terminated; buf[0] is 0 at
// end of input. Reads a byte at a time so it never consumes past the line.
char*
gets(char *buf, int max)
{
  int i = 0;
  char c;

  while (i + 1 < max && read(0, &c, 1) == 1) {
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[i] = 0;
  return buf;
}

int
stat(const char *path, struct stat *st)
{
  int fd, r;

  fd = open(path, O_RDONLY);
  if (fd < 0)
    return fd;
  r = fstat(fd, st);
  close(fd);
  return r;
}

// Decimal with an optional leading minus sign; stops at the first non-digit.
int
atoi(const char *s)
{
  int sign = 1, n = 0;

  if (*s == '-') {
    sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return sign * n;
}

static const char *errtext[ERRNO_MAX] = {
  [0]            = "success",
  [EPERM]        = "operation not permitted",
  [ENOENT]       = "no such file or directory",
  [ESRCH]        = "no such process",
  [EINTR]        = "interrupted",
  [EIO]          = "I/O error",
  [E2BIG]        = "argument list too long",
  [ENOEXEC]      = "exec format error",
  [EBADF]        = "bad file descriptor",
  [ECHILD]       = "no child processes",
  [EAGAIN]       = "resource temporarily unavailable",
  [ENOMEM]       = "out of memory",
  [EFAULT]       = "bad address",
  [EBUSY]        = "device or resource busy",
  [EEXIST]       = "file exists",
  [EXDEV]        = "cross-device link",
  [ENODEV]       = "no such device",
  [ENOTDIR]      = "not a directory",
  [EISDIR]       = "is a directory",
  [EINVAL]       = "invalid argument",
  [ENFILE]       = "too many open files in system",
  [EMFILE]       = "too many open files",
  [ENOTTY]       = "not a terminal",
  [EFBIG]        = "file too large",
  [ENOSPC]       = "no space left on device",
  [ESPIPE]       = "illegal seek",
  [EROFS]        = "read-only file system",
  [EMLINK]       = "too many links",
  [EPIPE]        = "broken pipe",
  [ERANGE]       = "result out of range",
  [ENAMETOOLONG] = "file name too long",
  [ENOSYS]       = "function not implemented",
  [ENOTEMPTY]    = "directory not empty",
  [ELOOP]        = "too many levels of links or directories",
  [EMSGSIZE]     = "message too long",
  [ECORRUPT]     = "file system structure is corrupt",
};

const char*
strerror(int err)
{
  uint e = err < 0 ? -(uint)err : (uint)err;

  if (e >= ERRNO_MAX || errtext[e] == 0)
    return "unknown error";
  return errtext[e];
}

// 1 if path names a directory.
int
is_dir(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && st.type == T_DIR;
}

// The time CSR: 10 MHz on QEMU virt (TIME_HZ), readable from user mode.
uint64
rdtime(void)
{
  uint hi, lo, again;

  do {
    asm volatile("rdtimeh %0" : "=r"(hi));
    asm volatile("rdtime %0" : "=r"(lo));
    asm volatile("rdtimeh %0" : "=r"(again));
  } while (hi != again);
  return ((uint64)hi << 32) | lo;
}
