// mv old new: renames old to new, replacing new if it exists.
// mv old... dir: moves each into the directory dir, under its own name.

#include "user/user.h"

#define MAXPATH 256

static int
is_dir(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && st.type == T_DIR;
}

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

// Renames old to new, or to new/<name of old> if new is a directory.
static int
move(const char *old, const char *new, int into_dir)
{
  char name[MAXPATH], path[MAXPATH];
  int r;

  if (into_dir) {
    basename(name, old);
    if (snprintf(path, sizeof(path), "%s/%s", new, name) >= (int)sizeof(path)) {
      fprintf(stderr, "mv: %s/%s: %s\n", new, name, strerror(ENAMETOOLONG));
      return -1;
    }
    new = path;
  }
  if ((r = rename(old, new)) < 0) {
    fprintf(stderr, "mv: %s -> %s: %s\n", old, new, strerror(r));
    return -1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, into_dir, status = 0;

  if (argc < 3) {
    fprintf(stderr, "usage: mv old new, or mv old... dir\n");
    return 1;
  }
  into_dir = is_dir(argv[argc - 1]);
  if (argc > 3 && !into_dir) {
    fprintf(stderr, "mv: %s: %s\n", argv[argc - 1], strerror(ENOTDIR));
    return 1;
  }
  for (i = 1; i < argc - 1; i++) {
    if (move(argv[i], argv[argc - 1], into_dir) < 0)
      status = 1;
  }
  return status;
}
