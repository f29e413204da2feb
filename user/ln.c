// ln old new: makes new another name (a hard link) for the file old.
// ln old... dir: links each into the directory dir under its own name.

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
  return for_each_target(argc, argv, link_one);
}
