// bench: times a few kernel paths with the time CSR (10 MHz on QEMU virt)
// and prints "bench: NAME: X us/op" for each.

#include "user/user.h"

#define PGSIZE 4096
#define NS_PER_TICK (1000000000 / TIME_HZ)

static void
report(const char *name, uint64 start, int ops)
{
  uint ns = (rdtime() - start) * NS_PER_TICK / ops;

  printf("bench: %s: %u.%02u us/op\n", name, ns / 1000, ns % 1000 / 10);
}

static void
check(int r, const char *what)
{
  if (r < 0) {
    printf("bench: %s: %s\n", what, strerror(r));
    exit(1);
  }
}

static char*
grow(int bytes)
{
  char *p = sbrk(bytes);

  if (p == (char*)-1) {
    printf("bench: sbrk: %s\n", strerror(ENOMEM));
    exit(1);
  }
  return p;
}

static void
bench_getpid(int n)
{
  uint64 t = rdtime();
  int i;

  for (i = 0; i < n; i++)
    getpid();
  report("getpid", t, n);
}

static void
bench_fork(int n)
{
  uint64 t = rdtime();
  int i, pid;

  for (i = 0; i < n; i++) {
    check(pid = fork(), "fork");
    if (pid == 0)
      exit(0);
    wait(0);
  }
  report("fork+exit+wait", t, n);
}

static void
bench_exec(int n)
{
  static char *argv[] = { "true", 0 };
  uint64 t = rdtime();
  int i, pid;

  for (i = 0; i < n; i++) {
    check(pid = fork(), "fork");
    if (pid == 0) {
      check(exec("/bin/true", argv), "exec /bin/true");
      exit(1);
    }
    wait(0);
  }
  report("fork+exec+wait", t, n);
}

// The child's first write to each page of a shared buffer.
static void
bench_cow(int npages)
{
  char *buf;
  uint64 t;
  int i, pid;

  buf = grow(npages * PGSIZE);
  memset(buf, 1, npages * PGSIZE);
  check(pid = fork(), "fork");
  if (pid == 0) {
    t = rdtime();
    for (i = 0; i < npages; i++)
      buf[i * PGSIZE] = 2;
    report("cow fault", t, npages);
    exit(0);
  }
  wait(0);
  sbrk(-npages * PGSIZE);
}

// Growing the heap a page at a time, then the first touch of each page
// (a page fault if the kernel allocates lazily).
static void
bench_sbrk(int npages)
{
  char *first = sbrk(0);
  uint64 t = rdtime();
  int i;

  for (i = 0; i < npages; i++)
    grow(PGSIZE);
  report("sbrk 4 KiB", t, npages);
  t = rdtime();
  for (i = 0; i < npages; i++)
    first[i * PGSIZE] = 1;
  report("first touch of sbrk'd page", t, npages);
  sbrk(-npages * PGSIZE);
}

// Mailbox round trips: the child echoes every message back.
static void
bench_mailbox(int n)
{
  int parent = getpid(), child, v = 0;

  check(child = fork(), "fork");
  if (child == 0) {
    for (int i = 0; i < n; i++) {
      recv(&v, sizeof(v), 0, 0);
      send(parent, &v, sizeof(v), 0);
    }
    exit(0);
  }
  uint64 t = rdtime();
  for (int i = 0; i < n; i++) {
    check(send(child, &i, sizeof(i), 0), "send");
    check(recv(&v, sizeof(v), 0, 0), "recv");
  }
  report("mailbox round trip", t, n);
  wait(0);
}

// Print a throughput line: bytes moved since start, in MiB/s.
static void
report_rate(const char *name, uint64 start, uint bytes)
{
  uint64 ticks = rdtime() - start;
  uint kib_per_s = (uint)((uint64)bytes * TIME_HZ / 1024 / (ticks ? ticks : 1));

  printf("bench: %s: %u.%02u MiB/s\n", name, kib_per_s / 1024, kib_per_s % 1024 * 100 / 1024);
}

#define BULK (1024 * 1024)   // bytes per bulk transfer
#define CHUNK 2048

// Bulk transfer through a pipe: the child writes BULK bytes, we read them.
static void
bench_pipe(void)
{
  int fds[2];
  static char buf[CHUNK];

  check(pipe(fds), "pipe");
  uint64 t = rdtime();
  if (fork() == 0) {
    close(fds[0]);
    for (int done = 0; done < BULK; done += CHUNK)
      write(fds[1], buf, CHUNK);
    exit(0);
  }
  close(fds[1]);
  int got = 0, r;
  while ((r = read(fds[0], buf, CHUNK)) > 0)
    got += r;
  close(fds[0]);
  wait(0);
  report_rate("pipe bulk transfer (1 MiB)", t, got);
}

// The same through shared memory: the child fills a shared window, a
// mailbox message says "full", the reader copies it out and answers.
static void
bench_shm(void)
{
  char *win = mmap(0, CHUNK * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON);
  static char out[CHUNK * 8];
  int parent = getpid(), child, token = 0;

  if (win == (char*)-1) {
    printf("bench: mmap failed\n");
    exit(1);
  }
  uint64 t = rdtime();
  check(child = fork(), "fork");
  if (child == 0) {
    for (int done = 0; done < BULK; done += CHUNK * 8) {
      memset(win, done, CHUNK * 8);
      send(parent, &token, sizeof(token), 0);
      recv(&token, sizeof(token), 0, 0);
    }
    exit(0);
  }
  int got = 0;
  while (got < BULK) {
    recv(&token, sizeof(token), 0, 0);
    memmove(out, win, CHUNK * 8);
    got += CHUNK * 8;
    send(child, &token, sizeof(token), 0);
  }
  wait(0);
  report_rate("shared memory bulk transfer (1 MiB)", t, got);
  munmap(win, CHUNK * 8);
}

// Write then read a 4 MiB file in 4 KiB pieces.
static void
bench_file(void)
{
  static char buf[4096];
  const int total = 4 * 1024 * 1024;
  int fd;

  check(fd = open("/bench.tmp", O_CREATE | O_TRUNC | O_WRONLY), "open");
  uint64 t = rdtime();
  for (int done = 0; done < total; done += sizeof(buf))
    check(write(fd, buf, sizeof(buf)), "write");
  close(fd);
  report_rate("file write (4 MiB)", t, total);
  check(fd = open("/bench.tmp", O_RDONLY), "open");
  t = rdtime();
  int got = 0, r;
  while ((r = read(fd, buf, sizeof(buf))) > 0)
    got += r;
  close(fd);
  report_rate("file read (4 MiB)", t, got);
  unlink("/bench.tmp");
}

// Create and then unlink n empty files in one directory.
static void
bench_create_unlink(int n)
{
  char name[32];

  check(mkdir("/benchdir"), "mkdir");
  uint64 t = rdtime();
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof(name), "/benchdir/f%d", i);
    int fd = open(name, O_CREATE | O_WRONLY);
    check(fd, "create");
    close(fd);
  }
  report("create file (1000 in one directory)", t, n);
  t = rdtime();
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof(name), "/benchdir/f%d", i);
    check(unlink(name), "unlink");
  }
  report("unlink file", t, n);
  rmdir("/benchdir");
}

int
main(void)
{
  bench_getpid(10000);
  bench_fork(100);
  bench_exec(50);
  bench_cow(256);
  bench_sbrk(256);
  bench_mailbox(2000);
  bench_pipe();
  bench_shm();
  bench_file();
  bench_create_unlink(1000);
  return 0;
}
