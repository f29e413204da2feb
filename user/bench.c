// bench: times a few kernel paths with the time CSR (10 MHz on QEMU virt)
// and prints "bench: NAME: X us/op" for each.

#include "user/user.h"

#define PGSIZE 4096
#define NS_PER_TICK 100    // the time CSR counts at 10 MHz

static uint64
now(void)
{
  uint hi, lo, again;

  do {
    asm volatile("rdtimeh %0" : "=r"(hi));
    asm volatile("rdtime %0" : "=r"(lo));
    asm volatile("rdtimeh %0" : "=r"(again));
  } while (hi != again);
  return ((uint64)hi << 32) | lo;
}

static void
report(const char *name, uint64 start, int ops)
{
  uint ns = (now() - start) * NS_PER_TICK / ops;

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
  uint64 t = now();
  int i;

  for (i = 0; i < n; i++)
    getpid();
  report("getpid", t, n);
}

static void
bench_fork(int n)
{
  uint64 t = now();
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
  uint64 t = now();
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
    t = now();
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
  uint64 t = now();
  int i;

  for (i = 0; i < npages; i++)
    grow(PGSIZE);
  report("sbrk 4 KiB", t, npages);
  t = now();
  for (i = 0; i < npages; i++)
    first[i * PGSIZE] = 1;
  report("first touch of sbrk'd page", t, npages);
  sbrk(-npages * PGSIZE);
}

int
main(void)
{
  bench_getpid(10000);
  bench_fork(100);
  bench_exec(50);
  bench_cow(256);
  bench_sbrk(256);
  return 0;
}
