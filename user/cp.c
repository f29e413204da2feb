// cp src dst: copies the file src to dst, replacing dst's contents.
// cp src... dir: copies each into the directory dir, under its own name.

#include "user/user.h"

#define MAXPATH 256

static char buf[4096];

// The last component of path ("a/b" and "a/b/" give "b") into out.
static void
basename(char *out, const char *path)
{
  int end = strlen(path), start;

  while (end > 1 && path[end - 1] == '/')
    end--;
  for (start = end; start > 0 && path[start - 1] != '/'; start--)
    ;
  memmove(out, path + start, end - start);
  out[end - start] = 0;
}

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

// Copies src into directory dir.
static int
copy_into(const char *src, const char *dir)
{
  char name[MAXPATH], path[MAXPATH];

  basename(name, src);
  if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
    return complain(dir, -ENAMETOOLONG);
  return copy_file(src, path);
}

int
main(int argc, char *argv[])
{
  struct stat st;
  int i, into_dir, status = 0;

  if (argc < 3) {
    fprintf(stderr, "usage: cp src dst, or cp src... dir\n");
    return 1;
  }
  into_dir = stat(argv[argc - 1], &st) == 0 && st.type == T_DIR;
  if (argc > 3 && !into_dir) {
    complain(argv[argc - 1], -ENOTDIR);
    return 1;
  }
  for (i = 1; i < argc - 1; i++) {
    if ((into_dir ? copy_into(argv[i], argv[argc - 1]) : copy_file(argv[i], argv[argc - 1])) < 0)
      status = 1;
  }
  return status;
}
