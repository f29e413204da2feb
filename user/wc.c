// wc [file...]: counts lines, words and bytes in each file, or in standard
// input; with more than one file, a total line follows.

#include "user/user.h"

static char buf[1024];

struct counts {
  uint lines, words, bytes;
};

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Adds fd's counts to c; returns 0 or a negative errno.
static int
count(int fd, struct counts *c)
{
  int n, i, in_word = 0;

  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    c->bytes += n;
    for (i = 0; i < n; i++) {
      if (buf[i] == '\n')
        c->lines++;
      if (is_space(buf[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
  return n;
}

static void
show(struct counts *c, const char *name)
{
  printf("%7u %7u %7u%s%s\n", c->lines, c->words, c->bytes, *name ? " " : "", name);
}

int
main(int argc, char *argv[])
{
  struct counts total = { 0, 0, 0 }, c;
  int i, fd, r = 0, status = 0;

  if (argc < 2) {
    if ((r = count(stdin, &total)) < 0) {
      fprintf(stderr, "wc: stdin: %s\n", strerror(r));
      return 1;
    }
    show(&total, "");
    return 0;
  }
  for (i = 1; i < argc; i++) {
    memset(&c, 0, sizeof(c));
    if ((fd = open(argv[i], O_RDONLY)) < 0 || (r = count(fd, &c)) < 0) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(fd < 0 ? fd : r));
      status = 1;
    } else {
      show(&c, argv[i]);
      total.lines += c.lines;
      total.words += c.words;
      total.bytes += c.bytes;
    }
    if (fd >= 0)
      close(fd);
  }
  if (argc > 2)
    show(&total, "total");
  return status;
}
