// crashload SEED: a file-system workload for the crash test, run until the
// machine is killed. Creates, appends to, renames and unlinks files in
// /cl, at random (from SEED), and now and then fsyncs one. Before it
// changes a file it prints "touch NAME"; after each fsync it prints
// "durable" and then, for every file it has, "NAME SIZE HASH" (FNV-1a,
// 32 bits) and "end". A file no "touch" line named after the last "end"
// must read back exactly so after a crash.

#include "user/user.h"

#define NFILES 12
#define MAXSIZE 12288

static struct {
  int exists;
  int size;
  char data[MAXSIZE];
} files[NFILES];

static uint seed;

static uint
rnd(uint n)
{
  seed = seed * 1103515245 + 12345;
  return (seed >> 8) % n;
}

static uint
fnv(const char *p, int n)
{
  uint h = 2166136261u;
  int i;

  for (i = 0; i < n; i++)
    h = (h ^ (uchar)p[i]) * 16777619u;
  return h;
}

// File i's path; two calls may share a statement (they take turns).
static char*
name(int i)
{
  static char bufs[2][16];
  static int turn;
  char *buf = bufs[turn ^= 1];

  snprintf(buf, 16, "/cl/f%d", i);
  return buf;
}

static void
die(const char *what, int i, int r)
{
  printf("crashload: %s %s: %s\n", what, name(i), strerror(r));
  exit(1);
}

// Write len random bytes at the end of file i (truncated first if fresh).
static void
write_file(int i, int fresh)
{
  int len = 1 + rnd(4000), fd, r, off;

  if (files[i].size + len > MAXSIZE)
    fresh = 1;
  if (fresh)
    files[i].size = 0;
  printf("touch %s\n", name(i));
  fd = open(name(i), O_WRONLY | O_CREATE | (fresh ? O_TRUNC : O_APPEND));
  if (fd < 0)
    die("open", i, fd);
  for (off = 0; off < len; off++)
    files[i].data[files[i].size + off] = rnd(256);
  for (off = 0; off < len; off += r) {
    r = write(fd, files[i].data + files[i].size + off, len - off < 1500 ? len - off : 1500);
    if (r <= 0)
      die("write", i, r);
  }
  files[i].size += len;
  files[i].exists = 1;
  close(fd);
}

static void
rename_file(int i, int j)
{
  int r;

  printf("touch %s\n", name(i));
  printf("touch %s\n", name(j));
  if ((r = rename(name(i), name(j))) < 0)
    die("rename", i, r);
  files[j] = files[i];
  files[i].exists = 0;
}

static void
unlink_file(int i)
{
  int r;

  printf("touch %s\n", name(i));
  if ((r = unlink(name(i))) < 0)
    die("unlink", i, r);
  files[i].exists = 0;
}

static void
fsync_file(int i)
{
  int fd = open(name(i), O_RDONLY), r, j;

  if (fd < 0)
    die("open", i, fd);
  if ((r = fsync(fd)) < 0)
    die("fsync", i, r);
  close(fd);
  printf("durable\n");
  for (j = 0; j < NFILES; j++) {
    if (files[j].exists)
      printf("%s %d %u\n", name(j), files[j].size, fnv(files[j].data, files[j].size));
  }
  printf("end\n");
}

int
main(int argc, char *argv[])
{
  int i, j, op;

  if (argc != 2) {
    fprintf(stderr, "usage: crashload SEED\n");
    return 1;
  }
  seed = atoi(argv[1]);
  mkdir("/cl");
  for (;;) {
    i = rnd(NFILES);
    j = rnd(NFILES);
    op = rnd(10);
    if (!files[i].exists || op < 3)
      write_file(i, 1);
    else if (op < 6)
      write_file(i, 0);
    else if (op < 7 && i != j)
      rename_file(i, j);
    else if (op < 8)
      unlink_file(i);
    else
      fsync_file(i);
  }
}
