// rm [-r] [-f] path...: removes files. With -r it removes directories and
// everything in them; with -f a path that does not exist is not an error.

#include "user/user.h"

#define MAXPATH 256
#define NENTRIES 8        // directory entries fetched per getdents call

static int recursive, force;

// The names in a directory, other than . and ..
struct name {
  struct name *next;
  char text[];
};

static int rm_path(char *path);

static void
complain(const char *path, int err)
{
  fprintf(stderr, "rm: %s: %s\n", path, strerror(err));
}

static int
is_dot(const char *name)
{
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

// Reads the names in directory path into a list (so that nothing is open
// while we remove them); returns 0, or -1 after printing what went wrong.
static int
read_names(const char *path, struct name **list)
{
  static struct dirent ents[NENTRIES];
  struct name *nm;
  int fd, i, n;

  if ((fd = open(path, O_RDONLY)) < 0) {
    complain(path, fd);
    return -1;
  }
  while ((n = getdents(fd, ents, NENTRIES)) > 0) {
    for (i = 0; i < n; i++) {
      if (is_dot(ents[i].name))
        continue;
      if ((nm = malloc(sizeof(*nm) + strlen(ents[i].name) + 1)) == 0) {
        n = -ENOMEM;
        break;
      }
      strcpy(nm->text, ents[i].name);
      nm->next = *list;
      *list = nm;
    }
  }
  close(fd);
  if (n < 0)
    complain(path, n);
  return n < 0 ? -1 : 0;
}

// Removes what is in directory path (a buffer of MAXPATH), then path itself.
static int
remove_tree(char *path)
{
  struct name *list = 0, *nm;
  int len = strlen(path), status = read_names(path, &list), r;

  while ((nm = list) != 0) {
    list = nm->next;
    if (len + 1 + strlen(nm->text) >= MAXPATH) {
      fprintf(stderr, "rm: %s/%s: %s\n", path, nm->text, strerror(ENAMETOOLONG));
      status = -1;
    } else {
      snprintf(path + len, MAXPATH - len, "%s%s", path[len - 1] == '/' ? "" : "/", nm->text);
      if (rm_path(path) < 0)
        status = -1;
      path[len] = 0;
    }
    free(nm);
  }
  if (status == 0 && (r = rmdir(path)) < 0) {
    complain(path, r);
    status = -1;
  }
  return status;
}

// Returns 0, or -1 after printing what went wrong.
// A symbolic link is removed itself, whatever it names (if anything).
static int
is_link(const char *path)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW);

  if (fd >= 0)
    close(fd);
  return fd == -ELOOP;
}

static int
rm_path(char *path)
{
  struct stat st;
  int r;

  if (!is_link(path)) {
    if ((r = stat(path, &st)) < 0) {
      if (r == -ENOENT && force)
        return 0;
      complain(path, r);
      return -1;
    }
    if (st.type == T_DIR) {
      if (recursive)
        return remove_tree(path);
      complain(path, EISDIR);
      return -1;
    }
  }
  if ((r = unlink(path)) < 0) {
    complain(path, r);
    return -1;
  }
  return 0;
}

// Is path "/", or does it end in "." or ".."? (rm refuses those, as POSIX asks.)
static int
forbidden(const char *path)
{
  int end = strlen(path), start;

  while (end > 0 && path[end - 1] == '/')
    end--;
  if (end == 0)
    return 1;
  for (start = end; start > 0 && path[start - 1] != '/'; start--)
    ;
  return (end - start == 1 && path[start] == '.') ||
         (end - start == 2 && path[start] == '.' && path[start + 1] == '.');
}

static void
usage(void)
{
  fprintf(stderr, "usage: rm [-r] [-f] path...\n");
  exit(1);
}

// Sets the flags in a word like "-rf"; returns 0 for an unknown one.
static int
flags(const char *word)
{
  for (word++; *word; word++) {
    if (*word == 'r')
      recursive = 1;
    else if (*word == 'f')
      force = 1;
    else
      return 0;
  }
  return 1;
}

int
main(int argc, char *argv[])
{
  static char path[MAXPATH];
  int i, status = 0;

  for (; argc > 1 && argv[1][0] == '-' && argv[1][1]; argc--, argv++) {
    if (!flags(argv[1]))
      usage();
  }
  if (argc < 2)
    usage();
  for (i = 1; i < argc; i++) {
    if (forbidden(argv[i])) {
      fprintf(stderr, "rm: %s: refusing to remove / . or ..\n", argv[i]);
      status = 1;
      continue;
    }
    if (strlen(argv[i]) >= sizeof(path)) {
      complain(argv[i], ENAMETOOLONG);
      status = 1;
      continue;
    }
    strcpy(path, argv[i]);
    if (rm_path(path) < 0)
      status = 1;
  }
  return status;
}
