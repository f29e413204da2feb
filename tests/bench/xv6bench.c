// One benchmark program for Glassbox and xv6-riscv alike: it uses only xv6's
// user.h calls, so the same source builds for both kernels unchanged
// (tests/bench/xv6_compare.py builds it for each and boots them in turn).
//
//   xv6bench TICKS SELF
//
// Each row repeats one operation until TICKS clock ticks have passed (uptime())
// and prints "xv6bench: ROW OPS TICKS". The ticks of the two kernels differ in
// length; the script turns them into time. SELF is this program's path, which
// the fork+exec row runs as "SELF exit".
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define FILESZ  (256 * 1024)   // xv6's largest file is 268 KiB, its disk 2 MB
#define CHUNK   4096
#define COWPAGES 16

static char *self;
static char chunk[CHUNK];
static char *cowmem;
static int topipe[2], frompipe[2];

static void
die(char *what)
{
  fprintf(2, "xv6bench: %s failed\n", what);
  exit(1);
}

static void
op_getpid(void)
{
  getpid();
}

static void
op_fork(void)
{
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0)
    exit(0);
  wait(0);
}

static void
op_exec(void)
{
  char *argv[] = { self, "exit", 0 };
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    exec(self, argv);
    die("exec");
  }
  wait(0);
}

static void
op_sbrk(void)
{
  char *p = sbrk(4096);
  if (p == (char*)-1)
    die("sbrk");
  p[0] = 1;
  sbrk(-4096);
}

// The child writes one byte in each page of the parent's memory: a copy of
// each page on a copy-on-write fork, a copy of everything at fork on xv6's.
static void
op_cow(void)
{
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    for (int i = 0; i < COWPAGES; i++)
      cowmem[i * 4096] = i;
    exit(0);
  }
  wait(0);
}

static void
op_pipe(void)
{
  char c = 'x';
  if (write(topipe[1], &c, 1) != 1 || read(frompipe[0], &c, 1) != 1)
    die("pipe round trip");
}

static void
op_create(void)
{
  int fd = open("xv6bench.tmp", O_CREATE | O_WRONLY);
  if (fd < 0 || write(fd, chunk, 100) != 100)
    die("create+write");
  close(fd);
  if (unlink("xv6bench.tmp") < 0)
    die("unlink");
}

static void
writefile(char *name)
{
  int fd = open(name, O_CREATE | O_WRONLY);
  if (fd < 0)
    die("open for writing");
  for (int n = 0; n < FILESZ; n += CHUNK)
    if (write(fd, chunk, CHUNK) != CHUNK)
      die("file write");
  close(fd);
}

static void
op_write(void)
{
  writefile("xv6bench.w");
  if (unlink("xv6bench.w") < 0)
    die("unlink");
}

static void
op_read(void)
{
  int fd = open("xv6bench.r", O_RDONLY);
  if (fd < 0)
    die("open for reading");
  for (int n = 0; n < FILESZ; n += CHUNK)
    if (read(fd, chunk, CHUNK) != CHUNK)
      die("file read");
  close(fd);
}

// Repeat op, batch at a time, until ticks have passed; start on a tick edge.
static void
row(char *name, void (*op)(void), int batch, int ticks)
{
  int ops = 0, t0, t;

  t0 = uptime();
  while (uptime() == t0)
    ;
  t0 = uptime();
  do {
    for (int i = 0; i < batch; i++)
      op();
    ops += batch;
    t = uptime();
  } while (t - t0 < ticks);
  printf("xv6bench: %s %d %d\n", name, ops, t - t0);
}

static void
pipe_rows(int ticks)
{
  char c;
  int pid;

  if (pipe(topipe) < 0 || pipe(frompipe) < 0)
    die("pipe");
  pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    close(topipe[1]);
    close(frompipe[0]);
    while (read(topipe[0], &c, 1) == 1)
      write(frompipe[1], &c, 1);
    exit(0);
  }
  close(topipe[0]);
  close(frompipe[1]);
  row("pipe", op_pipe, 100, ticks);
  close(topipe[1]);
  close(frompipe[0]);
  wait(0);
}

int
main(int argc, char *argv[])
{
  int ticks;

  if (argc == 2 && strcmp(argv[1], "exit") == 0)
    exit(0);
  if (argc != 3 || (ticks = atoi(argv[1])) <= 0) {
    fprintf(2, "usage: xv6bench TICKS SELF\n");
    exit(1);
  }
  self = argv[2];
  memset(chunk, 'b', sizeof(chunk));
  if ((cowmem = sbrk(COWPAGES * 4096)) == (char*)-1)
    die("sbrk");
  memset(cowmem, 1, COWPAGES * 4096);

  row("getpid", op_getpid, 1000, ticks);
  row("fork+exit+wait", op_fork, 10, ticks);
  row("fork+exec", op_exec, 5, ticks);
  row("sbrk", op_sbrk, 100, ticks);
  row("cow", op_cow, 10, ticks);
  pipe_rows(ticks);
  row("create+write+unlink", op_create, 5, ticks);
  row("file write", op_write, 1, ticks);
  writefile("xv6bench.r");
  row("file read", op_read, 1, ticks);
  unlink("xv6bench.r");
  printf("xv6bench: done\n");
  exit(0);
}
