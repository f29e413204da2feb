// cat [file...]: copies the files, or standard input, to standard output.

#include "user/user.h"

static char buf[1024];

// Returns 0, or -1 after printing what went wrong.
static int
copy(int fd, const char *name)
{
  int n, w;

  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    if ((w = write(stdout, buf, n)) != n) {
      fprintf(stderr, "cat: write: %s\n", w < 0 ? strerror(w) : "short write");
      return -1;
    }
  }
  if (n < 0) {
    fprintf(stderr, "cat: %s: %s\n", name, strerror(n));
    return -1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, fd, status = 0;

  if (argc < 2)
    return copy(stdin, "stdin") < 0;
  for (i = 1; i < argc; i++) {
    if ((fd = open(argv[i], O_RDONLY)) < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(fd));
      status = 1;
      continue;
    }
    if (copy(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  return status;
}
