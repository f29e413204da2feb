// mv old new: renames old to new, replacing new if it exists.
// mv old... dir: moves each into the directory dir, under its own name.

#include "user/user.h"

static int
move(const char *old, const char *new)
{
  int r = rename(old, new);

  if (r < 0)
    fprintf(stderr, "mv: %s -> %s: %s\n", old, new, strerror(r));
  return r;
}

int
main(int argc, char *argv[])
{
  return for_each_target(argc, argv, move);
}
