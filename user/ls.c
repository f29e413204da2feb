// ls [-l] [path...]: lists directories (or names files).
// With -l each line shows type, inode number, link count and size.

#include "user/user.h"

#define NENTRIES 8        // directory entries fetched per getdents call
#define MAXPATH 512

static int longform;

static char
typechar(int type)
{
  switch (type) {
  case T_DIR:    return 'd';
  case T_FILE:   return '-';
  case T_DEVICE: return 'c';
  case T_SYMLINK: return 'l';
  default:       return '?';
  }
}

// Prints one entry; path is where to stat it, name is what to show.
static void
show(const char *path, const char *name)
{
  struct stat st;
  int r;

  if (!longform) {
    printf("%s\n", name);
    return;
  }
  if ((r = stat(path, &st)) < 0) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(r));
    return;
  }
  printf("%c %6u %3d %8u %s\n", typechar(st.type), st.ino, st.nlink, st.size, name);
}

// Returns 0, or -1 after printing what went wrong.
static int
listdir(int fd, const char *dir)
{
  static struct dirent ents[NENTRIES];
  char path[MAXPATH];
  const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
  int i, n;

  while ((n = getdents(fd, ents, NENTRIES)) > 0) {
    for (i = 0; i < n; i++) {
      if (snprintf(path, sizeof(path), "%s%s%s", dir, sep, ents[i].name) >= (int)sizeof(path)) {
        fprintf(stderr, "ls: %s%s%s: %s\n", dir, sep, ents[i].name, strerror(ENAMETOOLONG));
        continue;
      }
      show(path, ents[i].name);
    }
  }
  if (n < 0) {
    fprintf(stderr, "ls: %s: %s\n", dir, strerror(n));
    return -1;
  }
  return 0;
}

static int
ls(const char *path)
{
  struct stat st;
  int fd, r;

  if ((fd = open(path, O_RDONLY)) < 0) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(fd));
    return -1;
  }
  if ((r = fstat(fd, &st)) < 0) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(r));
  } else if (st.type == T_DIR) {
    r = listdir(fd, path);
  } else {
    show(path, path);
  }
  close(fd);
  return r < 0 ? -1 : 0;
}

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc > 1 && strcmp(argv[1], "-l") == 0) {
    longform = 1;
    argc--;
    argv++;
  }
  if (argc < 2)
    return ls(".") < 0;
  for (i = 1; i < argc; i++) {
    if (argc > 2)
      printf("%s:\n", argv[i]);
    if (ls(argv[i]) < 0)
      status = 1;
  }
  return status;
}
