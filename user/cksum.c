// cksum [file...]: prints the POSIX checksum (CRC-32, polynomial 0x04c11db7,
// with the length appended), the byte count and the name of each file, or of
// standard input: the same numbers as the host's cksum.

#include "user/user.h"

#define POLY 0x04c11db7

static uint table[256];
static char buf[4096];

static void
make_table(void)
{
  uint i, c;
  int k;

  for (i = 0; i < 256; i++) {
    c = i << 24;
    for (k = 0; k < 8; k++)
      c = c & 0x80000000 ? (c << 1) ^ POLY : c << 1;
    table[i] = c;
  }
}

static uint
crc_byte(uint crc, uchar b)
{
  return (crc << 8) ^ table[(crc >> 24) ^ b];
}

// Checksums fd and prints the line; returns 0 or a negative errno.
static int
cksum(int fd, const char *name)
{
  uint crc = 0, len = 0, n;
  int r, i;

  while ((r = read(fd, buf, sizeof(buf))) > 0) {
    for (i = 0; i < r; i++)
      crc = crc_byte(crc, buf[i]);
    len += r;
  }
  if (r < 0)
    return r;
  for (n = len; n > 0; n >>= 8)
    crc = crc_byte(crc, n & 0xff);
  printf("%u %u%s%s\n", ~crc, len, *name ? " " : "", name);
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, fd, r = 0, status = 0;

  make_table();
  if (argc < 2) {
    if ((r = cksum(stdin, "")) < 0) {
      fprintf(stderr, "cksum: stdin: %s\n", strerror(r));
      return 1;
    }
    return 0;
  }
  for (i = 1; i < argc; i++) {
    if ((fd = open(argv[i], O_RDONLY)) < 0 || (r = cksum(fd, argv[i])) < 0) {
      fprintf(stderr, "cksum: %s: %s\n", argv[i], strerror(fd < 0 ? fd : r));
      status = 1;
    }
    if (fd >= 0)
      close(fd);
  }
  return status;
}
