// ln old new: makes new another name (a hard link) for the file old.
// ln old... dir: links each into the directory dir under its own name.

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

// Links old to new, or to new/<name of old> if new is a directory.
static int
link_one(const char *old, const char *new)
{
  char name[MAXPATH], path[MAXPATH];
  int r;

  if (is_dir(new)) {
    basename(name, old);
    if (snprintf(path, sizeof(path), "%s/%s", new, name) >= (int)sizeof(path)) {
      fprintf(stderr, "ln: %s/%s: %s\n", new, name, strerror(ENAMETOOLONG));
      return -1;
    }
    new = path;
  }
  if ((r = link(old, new)) < 0) {
    fprintf(stderr, "ln: %s -> %s: %s\n", old, new, strerror(r));
    return -1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 3) {
    fprintf(stderr, "usage: ln old new, or ln old... dir\n");
    return 1;
  }
  if (argc > 3 && !is_dir(argv[argc - 1])) {
    fprintf(stderr, "ln: %s: %s\n", argv[argc - 1], strerror(ENOTDIR));
    return 1;
  }
  for (i = 1; i < argc - 1; i++) {
    if (link_one(argv[i], argv[argc - 1]) < 0)
      status = 1;
  }
  return status;
}
