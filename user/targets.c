// The argument convention that cp, mv and ln share:
//   tool src dst        acts on src and dst;
//   tool src... dir     acts on each src and dir/<last component of src>.
#include "user/user.h"

#define MAXPATH 256

// dir/<last component of src> ("a/b" and "a/b/" end in "b") into out.
static int
path_in_dir(char *out, int size, const char *dir, const char *src)
{
  int end = strlen(src), start;

  while (end > 1 && src[end - 1] == '/')
    end--;
  for (start = end; start > 0 && src[start - 1] != '/'; start--)
    ;
  int dirlen = strlen(dir), namelen = end - start;
  if (dirlen + 1 + namelen >= size)
    return -ENAMETOOLONG;
  memmove(out, dir, dirlen);
  out[dirlen] = '/';
  memmove(out + dirlen + 1, src + start, namelen);
  out[dirlen + 1 + namelen] = 0;
  return 0;
}

int
for_each_target(int argc, char *argv[], int (*op)(const char *src, const char *dst))
{
  char path[MAXPATH];
  const char *last = argv[argc - 1];
  int into_dir, status = 0, r;

  if (argc < 3) {
    fprintf(stderr, "usage: %s src dst, or %s src... dir\n", argv[0], argv[0]);
    return 1;
  }
  into_dir = is_dir(last);
  if (argc > 3 && !into_dir) {
    fprintf(stderr, "%s: %s: %s\n", argv[0], last, strerror(ENOTDIR));
    return 1;
  }
  for (int i = 1; i < argc - 1; i++) {
    const char *dst = last;
    if (into_dir) {
      if ((r = path_in_dir(path, sizeof(path), last, argv[i])) < 0) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], argv[i], strerror(r));
        status = 1;
        continue;
      }
      dst = path;
    }
    if (op(argv[i], dst) < 0)
      status = 1;
  }
  return status;
}
