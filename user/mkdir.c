// mkdir [-p] dir...: makes directories. With -p it makes missing parent
// directories too, and a directory that already exists is not an error.

#include "user/user.h"

#define MAXPATH 256

// mkdir for -p: a directory already there is fine; a file in the way of a
// parent (not last) is "not a directory".
static int
make(const char *path, int last)
{
  int r = mkdir(path);

  if (r == -EEXIST && is_dir(path))
    return 0;
  return r == -EEXIST && !last ? -ENOTDIR : r;
}

// Makes each directory along path in turn (for -p).
static int
make_parents(const char *path)
{
  char prefix[MAXPATH];
  int i, r;

  if (strlen(path) >= sizeof(prefix))
    return -ENAMETOOLONG;
  strcpy(prefix, path);
  for (i = 1; prefix[i]; i++) {
    if (prefix[i] != '/' || prefix[i - 1] == '/')
      continue;
    prefix[i] = 0;
    r = make(prefix, 0);
    prefix[i] = '/';
    if (r < 0)
      return r;
  }
  return make(path, 1);
}

int
main(int argc, char *argv[])
{
  int i, r, parents = 0, status = 0;

  if (argc > 1 && strcmp(argv[1], "-p") == 0) {
    parents = 1;
    argc--;
    argv++;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: mkdir [-p] dir...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    r = parents ? make_parents(argv[i]) : mkdir(argv[i]);
    if (r < 0) {
      fprintf(stderr, "mkdir: %s: %s\n", argv[i], strerror(r));
      status = 1;
    }
  }
  return status;
}
