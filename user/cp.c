// cp src dst: copies the file src to dst, replacing dst's contents.
// cp src... dir: copies each into the directory dir, under its own name.

#include "user/user.h"

static char buf[4096];

static int
complain(const char *path, int err)
{
  fprintf(stderr, "cp: %s: %s\n", path, strerror(err));
  return -1;
}

// Copies everything from fd in to fd out; returns 0 or -1 after complaining.
static int
copy_data(int in, const char *src, int out, const char *dst)
{
  int n, w;

  while ((n = read(in, buf, sizeof(buf))) > 0) {
    if ((w = write(out, buf, n)) != n)
      return complain(dst, w < 0 ? w : -ENOSPC);
  }
  return n < 0 ? complain(src, n) : 0;
}

// Copies file src to file dst (which must not be src itself).
static int
copy_file(const char *src, const char *dst)
{
  struct stat sst, dst_st;
  int in, out, r;

  if ((in = open(src, O_RDONLY)) < 0)
    return complain(src, in);
  if ((r = fstat(in, &sst)) < 0 || sst.type == T_DIR) {
    close(in);
    return complain(src, r < 0 ? r : -EISDIR);
  }
  if (stat(dst, &dst_st) == 0 && dst_st.ino == sst.ino && dst_st.dev == sst.dev) {
    close(in);
    fprintf(stderr, "cp: %s and %s are the same file\n", src, dst);
    return -1;
  }
  if ((out = open(dst, O_WRONLY | O_CREATE | O_TRUNC)) < 0) {
    close(in);
    return complain(dst, out);
  }
  r = copy_data(in, src, out, dst);
  close(in);
  close(out);
  return r;
}

int
main(int argc, char *argv[])
{
  return for_each_target(argc, argv, copy_file);
}
