// touch file...: creates each file that does not exist, and sets the
// modification time of each that does. There is no utime call, so the
// time is set by writing the file's first byte back where it was (or, for
// an empty file, by writing a byte and truncating it away).

#include "user/user.h"

// Writes fd's first byte back in place or, for an empty file, writes a
// byte and truncates it away: the kernel updates the mtime, the contents stay.
static int
rewrite(int fd, uint size)
{
  char c = 0;
  int r;

  if (size > 0 && (r = read(fd, &c, 1)) != 1)
    return r < 0 ? r : -EIO;
  if ((r = lseek(fd, 0, SEEK_SET)) < 0 || (r = write(fd, &c, 1)) < 0)
    return r;
  return size == 0 ? ftruncate(fd, 0) : 0;
}

static int
touch(const char *path)
{
  struct stat st;
  int fd, r;

  if ((r = stat(path, &st)) == -ENOENT) {
    if ((fd = open(path, O_WRONLY | O_CREATE)) < 0)
      return fd;
    close(fd);
    return 0;
  }
  if (r < 0 || st.type != T_FILE)
    return r;          // directories and devices: nothing to do
  if ((fd = open(path, O_RDWR)) < 0)
    return fd;
  r = rewrite(fd, st.size);
  close(fd);
  return r;
}

int
main(int argc, char *argv[])
{
  int i, r, status = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: touch file...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if ((r = touch(argv[i])) < 0) {
      fprintf(stderr, "touch: %s: %s\n", argv[i], strerror(r));
      status = 1;
    }
  }
  return status;
}
