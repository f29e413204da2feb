// sync [file...]: with no files, writes every changed block in the kernel's
// buffer cache to the disk; with files, fsyncs each. Either way the disk
// has flushed them when it returns.

#include "user/user.h"

static int
fsync_path(const char *path)
{
  int fd = open(path, O_RDONLY), r;

  if (fd < 0) {
    fprintf(stderr, "sync: %s: %s\n", path, strerror(fd));
    return 1;
  }
  r = fsync(fd);
  close(fd);
  if (r < 0) {
    fprintf(stderr, "sync: %s: %s\n", path, strerror(r));
    return 1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, r, failed = 0;

  if (argc < 2) {
    if ((r = sync()) < 0) {
      fprintf(stderr, "sync: %s\n", strerror(r));
      return 1;
    }
    return 0;
  }
  for (i = 1; i < argc; i++)
    failed |= fsync_path(argv[i]);
  return failed;
}
