// crashcheck MODE: the crash lab's test program (labs/crash/checks.py).
//   commit: a few file-system operations, each made durable with fsync or
//           sync: creates, appends, a rename, an unlink, a mkdir. Prints
//           "crashcheck: N fsyncs" and "crashcheck: done".
//   fsync:  writes /cc/f (SIZE bytes, byte i = i * 7 + 1), fsyncs it,
//           prints "crashcheck: fsynced", then waits for the machine to be
//           killed.

#include "kernel/fcntl.h"
#include "user/user.h"

#define SIZE 3000

static char buf[SIZE];

static void
fail(const char *what)
{
  printf("crashcheck: %s failed\n", what);
  exit(1);
}

static void
put(const char *path, int flags, int n)
{
  int fd = open(path, O_WRONLY | O_CREATE | flags);
  if (fd < 0)
    fail("open");
  if (write(fd, buf, n) != n)
    fail("write");
  if (fsync(fd) < 0)
    fail("fsync");
  close(fd);
}

static void
commit(void)
{
  if (mkdir("/cc") < 0)
    fail("mkdir /cc");
  put("/cc/a", 0, 100);
  put("/cc/b", 0, SIZE);
  put("/cc/a", O_APPEND, SIZE);
  if (rename("/cc/a", "/cc/c") < 0)
    fail("rename");
  if (unlink("/cc/b") < 0)
    fail("unlink");
  if (sync() < 0)
    fail("sync");
  printf("crashcheck: 3 fsyncs\n");
}

static void
fsynced(void)
{
  if (mkdir("/cc") < 0)
    fail("mkdir /cc");
  put("/cc/f", 0, SIZE);
  printf("crashcheck: fsynced\n");
  for (;;)
    sleep(100);
}

int
main(int argc, char *argv[])
{
  for (int i = 0; i < SIZE; i++)
    buf[i] = i * 7 + 1;
  if (argc == 2 && strcmp(argv[1], "commit") == 0)
    commit();
  else if (argc == 2 && strcmp(argv[1], "fsync") == 0)
    fsynced();
  else
    fail("usage: crashcheck commit|fsync:");
  printf("crashcheck: done\n");
  return 0;
}
