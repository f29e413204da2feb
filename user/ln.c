// ln old new: makes new another name (a hard link) for the file old.
// ln old... dir: links each into the directory dir under its own name.
// ln -s target path: makes path a symbolic link to target.

#include "user/user.h"

static int
link_one(const char *old, const char *new)
{
  int r = link(old, new);

  if (r < 0)
    fprintf(stderr, "ln: %s -> %s: %s\n", old, new, strerror(r));
  return r;
}

int
main(int argc, char *argv[])
{
  if (argc > 1 && strcmp(argv[1], "-s") == 0) {
    if (argc != 4) {
      fprintf(stderr, "usage: ln -s target path\n");
      return 1;
    }
    int r = symlink(argv[2], argv[3]);
    if (r < 0)
      fprintf(stderr, "ln: %s -> %s: %s\n", argv[3], argv[2], strerror(r));
    return r < 0;
  }
  return for_each_target(argc, argv, link_one);
}
