// lazycheck MODE: the lazy lab's grading program (the grader builds it into
// /grade/ from labs/lazy/grading/, never from the student's user/).
//
//   lazycheck sbrk     from a page boundary, with k = the free frames but
//                      LAZY_RESERVE: sbrk of k pages works, of k pages and
//                      one byte (k + 1 pages) fails; how many frames sbrk
//                      of 256 pages takes; then, with
//                      heap pages touched until fewer than LAZY_RESERVE
//                      frames are free, sbrk of one more page must fail
//   lazycheck touch    how many frames stores to 10 of those pages take;
//                      whether they keep their data and the rest read zero
//   lazycheck outside  children touching memory outside the heap must die;
//                      sbrk of more than the machine has must fail
//   lazycheck fork     fork of a half-touched heap: each process sees its
//                      own data and zeros where nobody stored
//   lazycheck copy     system calls reading and writing untouched pages
//
// Each mode prints "lazycheck: <fact> = <answer>" lines and ends with
// "lazycheck: done"; the grader judges them.

#include "kernel/param.h"
#include "user/user.h"

#define PGSIZE 4096
#define NPAGES 256
#define NTOUCHED 10

static int
free_frames(void)
{
  struct sysinfo si;
  sysinfo(&si);
  return si.free_frames;
}

// NPAGES fresh pages from sbrk, starting on a page boundary.
static char *
heap(int npages)
{
  char *brk = sbrk(0);
  int pad = (PGSIZE - (uint)brk % PGSIZE) % PGSIZE;
  char *p = sbrk(pad + npages * PGSIZE);
  if (p == (char *)-1) {
    printf("lazycheck: sbrk failed\n");
    printf("lazycheck: done\n");
    exit(1);
  }
  return p + pad;
}

static const char *
yes(int ok)
{
  return ok ? "yes" : "no";
}

static int
all_zero(char *page)
{
  for (int i = 0; i < PGSIZE; i++)
    if (page[i])
      return 0;
  return 1;
}

// Whether sbrk(n) works (then given back at once).
static int
grows(int n)
{
  if (sbrk(n) == (char *)-1)
    return 0;
  sbrk(-n);
  return 1;
}

static void
grow(void)
{
  heap(0);
  // From a page boundary, k pages and one byte reach into k + 1 pages:
  // one more than may be promised.
  int k = free_frames() - LAZY_RESERVE;
  printf("lazycheck: sbrk of the free frames but LAZY_RESERVE worked = %s\n",
         yes(grows(k * PGSIZE)));
  printf("lazycheck: sbrk of a byte more failed = %s\n", yes(!grows(k * PGSIZE + 1)));
  int before = free_frames();
  heap(NPAGES);
  printf("lazycheck: frames taken by sbrk of %d pages = %d\n", NPAGES, before - free_frames());
  // Leave LAZY_RESERVE + 16 frames: the page tables of the pages touched
  // (one per 1024) take about 32 of them, so fewer than LAZY_RESERVE stay.
  int n = free_frames() - LAZY_RESERVE - 16;
  char *p = heap(n);
  for (int i = 0; i < n; i++)
    p[i * PGSIZE] = 1;
  printf("lazycheck: sbrk with fewer than LAZY_RESERVE frames free failed = %s\n",
         yes(sbrk(PGSIZE) == (char *)-1));
}

static void
touch(void)
{
  char *p = heap(NPAGES);
  int before = free_frames();
  for (int i = 0; i < NTOUCHED; i++)
    p[i * (NPAGES / NTOUCHED) * PGSIZE + i] = 'a' + i;
  printf("lazycheck: frames taken by stores to %d pages = %d\n", NTOUCHED, before - free_frames());
  int kept = 1, zero = 1;
  for (int n = 0; n < NPAGES; n++) {
    char *page = p + n * PGSIZE;
    if (n % (NPAGES / NTOUCHED) == 0 && n / (NPAGES / NTOUCHED) < NTOUCHED) {
      int i = n / (NPAGES / NTOUCHED);
      kept &= page[i] == 'a' + i;
      page[i] = 0;
    }
    zero &= all_zero(page);
  }
  printf("lazycheck: stored data kept = %s\n", yes(kept));
  printf("lazycheck: the other bytes read zero = %s\n", yes(zero));
}

// Whether a child doing what(addr) is killed.
static int
killed(void (*what)(char *), char *addr)
{
  int pid = fork(), status = 0;
  if (pid == 0) {
    what(addr);
    exit(0);
  }
  wait(&status);
  return status == -1;
}

static void store(char *a) { *(volatile char *)a = 1; }
static void load(char *a) { (void)*(volatile char *)a; }

// Store a ret instruction at a and call it: the heap is data, so the fetch
// must fault (QEMU sees its own code change; a real CPU would want fence.i).
static void run(char *a)
{
  *(volatile uint *)a = 0x00008067; // ret
  ((void (*)(void))a)();
}

static void
outside(void)
{
  char *p = heap(4);
  char *brk = sbrk(0);
  printf("lazycheck: store at the break killed = %s\n", yes(killed(store, brk)));
  printf("lazycheck: load 10 pages above the break killed = %s\n",
         yes(killed(load, brk + 10 * PGSIZE)));
  printf("lazycheck: store just below the mmap area killed = %s\n",
         yes(killed(store, (char *)0x3ffff000)));
  p[3 * PGSIZE] = 1;
  sbrk(-2 * PGSIZE);
  printf("lazycheck: store to a page sbrk(-n) gave back killed = %s\n",
         yes(killed(store, p + 3 * PGSIZE)));
  printf("lazycheck: load from page 0 killed = %s\n", yes(killed(load, 0)));
  printf("lazycheck: running code stored in the heap killed = %s\n", yes(killed(run, p)));
  printf("lazycheck: sbrk of more than the machine has failed = %s\n",
         yes(sbrk(200 * 1024 * 1024) == (char *)-1));
}

static void
forked(void)
{
  char *p = heap(64);
  for (int i = 0; i < 4; i++)
    p[i * PGSIZE] = 'p';
  int pid = fork();
  if (pid == 0) {
    int ok = p[0] == 'p' && p[3 * PGSIZE] == 'p' && all_zero(p + 10 * PGSIZE);
    p[0] = 'c';
    p[20 * PGSIZE] = 'c';
    printf("lazycheck: the child saw the parent's data and zeros = %s\n", yes(ok));
    exit(0);
  }
  wait(0);
  printf("lazycheck: the parent kept its data = %s\n",
         yes(p[0] == 'p' && p[20 * PGSIZE] == 0 && all_zero(p + 10 * PGSIZE)));
}

static void
copy(void)
{
  char *p = heap(4);
  int fds[2];
  char back[16];
  pipe(fds);
  write(fds[1], "lazy", 4);
  int n = read(fds[0], p, 4);
  printf("lazycheck: read into an untouched page (%d bytes) right = %s\n", n,
         yes(n == 4 && memcmp(p, "lazy", 4) == 0));
  n = write(fds[1], p + PGSIZE, 16);
  memset(back, 1, sizeof(back));
  int m = read(fds[0], back, 16);
  int zero = m == 16;
  for (int i = 0; i < m; i++)
    zero &= back[i] == 0;
  printf("lazycheck: write from an untouched page (%d bytes) right = %s\n", n, yes(n == 16 && zero));
  n = sysinfo((struct sysinfo *)(p + 2 * PGSIZE));
  printf("lazycheck: sysinfo into an untouched page = %d\n", n);
  n = fstat(fds[0], (struct stat *)(p + 3 * PGSIZE));
  printf("lazycheck: fstat into an untouched page = %d\n", n);
  write(fds[1], "x", 1);
  n = read(fds[0], sbrk(0), 1);
  printf("lazycheck: read into the page at the break = %d\n", n);
  n = write(fds[1], sbrk(0) + PGSIZE, 1);
  printf("lazycheck: write from above the break = %d\n", n);
}

int
main(int argc, char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "sbrk") == 0)
    grow();
  else if (strcmp(mode, "touch") == 0)
    touch();
  else if (strcmp(mode, "outside") == 0)
    outside();
  else if (strcmp(mode, "fork") == 0)
    forked();
  else if (strcmp(mode, "copy") == 0)
    copy();
  else
    printf("usage: lazycheck sbrk|touch|outside|fork|copy\n");
  printf("lazycheck: done\n");
  return 0;
}
