// symcheck MODE: the fs lab's test program (labs/fs/checks.py). Every
// mode works in /sym and prints "symcheck: WHAT = RESULT" lines, where
// RESULT is what a file read through a path holds (its first line), or
// "error N" for a negative return N; then "symcheck: done".
//   fast:     a link with a short target (a fast symlink)
//   slow:     links with targets of 59, 60 and 120 bytes
//   relative: links with relative targets, in a subdirectory (opened by
//             their full paths and, from there, by their bare names), and
//             a relative link to another directory's relative link; and
//             two in a deep directory whose joined paths are 255 bytes
//             (it opens) and 256 (longer than a path may be)
//   chain:    a link to a link ... to a file, MAXSYMLINKS + 1 links long,
//             opened from its first link and from its second
//   dangling: a link to nothing
//   loop:     two links to each other, and one to itself; then removed
//   nofollow: open with O_NOFOLLOW, of a link and of a file
//   create:   open with O_CREATE through a link: to a file (written), and
//             dangling, absolute and relative (the target is created)
//   unlink:   many links made and removed (the disk must be as before)

#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"

static void
put(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREATE | O_TRUNC);
  if (fd < 0 || write(fd, text, strlen(text)) != (int)strlen(text)) {
    printf("symcheck: cannot write %s\n", path);
    exit(1);
  }
  close(fd);
}

// Open path with flags and print what it holds.
static void
show(const char *what, const char *path, int flags)
{
  char buf[64];
  int fd = open(path, O_RDONLY | flags);
  if (fd < 0) {
    printf("symcheck: %s = error %d\n", what, fd);
    return;
  }
  int n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = 0;
  printf("symcheck: %s = %s\n", what, buf);
}

static void
link_or_say(const char *target, const char *path)
{
  int r = symlink(target, path);
  if (r < 0)
    printf("symcheck: symlink %s = error %d\n", path, r);
}

// A path of exactly len bytes naming /sym/<x...x>.
static char *
long_name(int len)
{
  static char path[128];
  strcpy(path, "/sym/");
  memset(path + 5, 'x', len - 5);
  path[len] = 0;
  return path;
}

static void
slow(void)
{
  static const int lens[] = { 59, 60, 120 };
  static const char *links[] = { "/sym/l59", "/sym/l60", "/sym/l120" };
  for (int i = 0; i < 3; i++) {
    char text[16];
    snprintf(text, sizeof(text), "target %d", lens[i]);
    put(long_name(lens[i]), text);
    link_or_say(long_name(lens[i]), links[i]);
    show(links[i], links[i], 0);
  }
}

// /sym/c1 -> /sym/c2 -> ... -> /sym/cN -> /sym/end, N = MAXSYMLINKS + 1:
// from c2 open follows MAXSYMLINKS links, from c1 one too many.
static void
chain(void)
{
  char path[16], next[16], what[16];
  int n = MAXSYMLINKS + 1;
  put("/sym/end", "end of the chain");
  for (int i = 1; i <= n; i++) {
    snprintf(path, sizeof(path), "/sym/c%d", i);
    if (i < n)
      snprintf(next, sizeof(next), "/sym/c%d", i + 1);
    link_or_say(i < n ? next : "/sym/end", path);
  }
  snprintf(what, sizeof(what), "chain of %d", n - 1);
  show(what, "/sym/c2", 0);
  snprintf(what, sizeof(what), "chain of %d", n);
  show(what, "/sym/c1", 0);
}

// /sym/ta/l1 -> ../tb/l2 -> f: l2's target is taken from /sym/tb, where
// l2 is, not from /sym/ta, where the path began.
static void
relative_twice(void)
{
  mkdir("/sym/ta");
  mkdir("/sym/tb");
  put("/sym/ta/f", "the file in ta");
  put("/sym/tb/f", "the file in tb");
  link_or_say("../tb/l2", "/sym/ta/l1");
  link_or_say("f", "/sym/tb/l2");
  show("ta/l1", "/sym/ta/l1", 0);
}

// In /sym/<200 y's>/ (206 bytes with its '/'), "fits" -> <49 z's> joins to
// a 255-byte path, the longest there is; "long" -> <50 z's> to 256 bytes.
static void
relative_long(void)
{
  char dir[256], path[256], target[64];
  strcpy(dir, "/sym/");
  memset(dir + 5, 'y', 200);
  dir[205] = 0;
  mkdir(dir);
  memset(target, 'z', 50);
  target[49] = 0;
  snprintf(path, sizeof(path), "%s/%s", dir, target);
  put(path, "the file at 255 bytes");
  snprintf(path, sizeof(path), "%s/fits", dir);
  link_or_say(target, path);
  show("joined 255", path, 0);
  target[49] = 'z';
  target[50] = 0;
  snprintf(path, sizeof(path), "%s/long", dir);
  link_or_say(target, path);
  show("joined 256", path, 0);
}

// open(link, O_CREATE | O_WRONLY) and write text through it.
static void
write_through(const char *what, const char *link, const char *text)
{
  int fd = open(link, O_CREATE | O_WRONLY);
  if (fd < 0) {
    printf("symcheck: %s = error %d\n", what, fd);
    return;
  }
  int n = write(fd, text, strlen(text));
  close(fd);
  printf("symcheck: %s = %s\n", what, n == (int)strlen(text) ? "written" : "short write");
}

// O_CREATE follows links like any open: a link to a file writes the file;
// a dangling link creates its target (a relative one in the link's
// directory), and the link stays a link.
static void
create_through(void)
{
  put("/sym/old", "old");
  link_or_say("/sym/old", "/sym/to-old");
  write_through("write to-old", "/sym/to-old", "new");
  show("old", "/sym/old", 0);
  link_or_say("/sym/made", "/sym/to-made");
  write_through("write to-made", "/sym/to-made", "made through the link");
  show("made", "/sym/made", 0);
  mkdir("/sym/d");
  link_or_say("rel-made", "/sym/d/to-rel");
  write_through("write d/to-rel", "/sym/d/to-rel", "made beside the link");
  show("d/rel-made", "/sym/d/rel-made", 0);
  show("to-made nofollow", "/sym/to-made", O_NOFOLLOW);
}

static void
remove_or_say(const char *path)
{
  int r = unlink(path);
  if (r < 0)
    printf("symcheck: unlink %s = error %d\n", path, r);
}

static void
unlinks(void)
{
  char path[16];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 20; i++) {
      snprintf(path, sizeof(path), "/sym/u%d", i);
      link_or_say(i % 2 ? "/sym/short" : long_name(100), path);
    }
    for (int i = 0; i < 20; i++) {
      snprintf(path, sizeof(path), "/sym/u%d", i);
      remove_or_say(path);
    }
  }
  printf("symcheck: made and removed 60 links\n");
}

int
main(int argc, char *argv[])
{
  const char *mode = argc == 2 ? argv[1] : "";
  if (mkdir("/sym") < 0) {
    printf("symcheck: mkdir /sym failed\n");
    return 1;
  }
  put("/sym/file", "the file");
  if (strcmp(mode, "fast") == 0) {
    link_or_say("/sym/file", "/sym/fast");
    show("fast", "/sym/fast", 0);
  } else if (strcmp(mode, "slow") == 0) {
    slow();
  } else if (strcmp(mode, "relative") == 0) {
    mkdir("/sym/d");
    put("/sym/d/file", "the file in d");
    link_or_say("file", "/sym/d/rel");
    link_or_say("../file", "/sym/d/up");
    show("d/rel", "/sym/d/rel", 0);
    show("d/up", "/sym/d/up", 0);
    chdir("/sym/d");                 // a link named by a path without a '/'
    show("rel in cwd", "rel", 0);
    show("up in cwd", "up", 0);
    chdir("/");
    relative_twice();
    relative_long();
  } else if (strcmp(mode, "chain") == 0) {
    chain();
  } else if (strcmp(mode, "dangling") == 0) {
    link_or_say("/sym/nothing", "/sym/dangling");
    show("dangling", "/sym/dangling", 0);
  } else if (strcmp(mode, "loop") == 0) {
    link_or_say("/sym/b", "/sym/a");
    link_or_say("/sym/a", "/sym/b");
    link_or_say("self", "/sym/self");
    show("a", "/sym/a", 0);
    show("self", "/sym/self", 0);
    remove_or_say("/sym/a");
    remove_or_say("/sym/b");
    remove_or_say("/sym/self");
  } else if (strcmp(mode, "nofollow") == 0) {
    link_or_say("/sym/file", "/sym/link");
    show("link nofollow", "/sym/link", O_NOFOLLOW);
    show("file nofollow", "/sym/file", O_NOFOLLOW);
    show("link", "/sym/link", 0);
  } else if (strcmp(mode, "create") == 0) {
    create_through();
  } else if (strcmp(mode, "unlink") == 0) {
    unlinks();
  } else {
    printf("symcheck: no mode %s\n", mode);
    return 1;
  }
  sync();
  printf("symcheck: done\n");
  return 0;
}
