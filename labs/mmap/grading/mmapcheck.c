// mmapcheck MODE: the mmap lab's grading program (the grader builds it into
// /grade/ from labs/mmap/grading/, never from the student's user/).
//
//   mmapcheck prot    stores to read-only mappings must kill; loads work
//   mmapcheck unmap   munmap frees exactly the pages it is given, refuses
//                     ranges outside what mmap gave, and its pages fault
//   mmapcheck shm     named regions: two processes see each other's stores,
//                     so does a forked child; the last unmapping frees them
//   mmapcheck hold    for the inspector: a shared mapping and a named region
//                     mapped by two processes, and a page of each protection
//                     ("mmapcheck: holding", then a
//                     line from the console), then unmapped by both
//                     ("mmapcheck: unmapped", then a line)
//
// Each mode prints "mmapcheck: <fact> = <answer>" lines and ends with
// "mmapcheck: done"; the grader judges them.

#include "user/user.h"

#define PGSIZE 4096
#define FAILED ((void *)-1)

static int
free_frames(void)
{
  struct sysinfo si;
  sysinfo(&si);
  return si.free_frames;
}

static const char *
yes(int ok)
{
  return ok ? "yes" : "no";
}

static void
done(void)
{
  printf("mmapcheck: done\n");
  exit(0);
}

static char *
map(int npages, int prot, int flags)
{
  char *p = mmap(0, npages * PGSIZE, prot, flags | MAP_ANON);
  if (p == FAILED) {
    printf("mmapcheck: mmap of %d pages failed\n", npages);
    done();
  }
  return p;
}

// Run f(arg) in a child; 1 if the child was killed (exit status -1).
static int
killed(void (*f)(char *), char *arg)
{
  int pid = fork();
  if (pid == 0) {
    f(arg);
    exit(0);
  }
  int status = 0;
  wait(&status);
  return status == -1;
}

static void
store(char *p)
{
  *(volatile char *)p = 1;
}

static void
load(char *p)
{
  (void)*(volatile char *)p;
}

static void
store_load(char *p)
{
  store(p);
  load(p);
}

// Touch the page (its translation is now cached), unmap it, touch it again.
static void
touch_unmap_touch(char *p)
{
  store(p);
  munmap(p, PGSIZE);
  load(p);
}

static void
prot(void)
{
  char *ro = map(1, PROT_READ, MAP_PRIVATE);
  printf("mmapcheck: load from a PROT_READ mapping killed = %s\n", yes(killed(load, ro)));
  printf("mmapcheck: store to a PROT_READ mapping killed = %s\n", yes(killed(store, ro)));
  char *rx = map(1, PROT_READ | PROT_EXEC, MAP_SHARED);
  printf("mmapcheck: store to a PROT_READ|PROT_EXEC mapping killed = %s\n",
         yes(killed(store, rx)));
  // W and X each imply R (Sv32 has no W-only page; X-only would refuse loads)
  char *wo = map(1, PROT_WRITE, MAP_PRIVATE);
  printf("mmapcheck: store and load in a PROT_WRITE mapping killed = %s\n",
         yes(killed(store_load, wo)));
  char *xo = map(1, PROT_EXEC, MAP_PRIVATE);
  printf("mmapcheck: load from a PROT_EXEC mapping killed = %s\n", yes(killed(load, xo)));
  char *rw = map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  rw[PGSIZE + 7] = 42;
  printf("mmapcheck: store to a PROT_READ|PROT_WRITE mapping kept = %s\n",
         yes(rw[PGSIZE + 7] == 42 && rw[0] == 0));
}

static void
unmap(void)
{
  int f0 = free_frames();
  char *a = map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  for (int i = 0; i < 8; i++)
    a[i * PGSIZE] = 'a' + i;
  int f1 = free_frames();
  printf("mmapcheck: munmap of 3 pages freed = %d\n", munmap(a + 2 * PGSIZE, 3 * PGSIZE) == 0 ?
         free_frames() - f1 : -1);
  int f2 = free_frames();
  printf("mmapcheck: munmap of 100 bytes freed = %d\n", munmap(a + 7 * PGSIZE, 100) == 0 ?
         free_frames() - f2 : -1);
  printf("mmapcheck: load from an unmapped page killed = %s\n",
         yes(killed(load, a + 3 * PGSIZE)));
  printf("mmapcheck: the pages left keep their data = %s\n",
         yes(a[0] == 'a' && a[PGSIZE] == 'b' && a[5 * PGSIZE] == 'f' && a[6 * PGSIZE] == 'g'));
  printf("mmapcheck: munmap of a page of the program = %d\n", munmap((char *)0x1000, PGSIZE));
  printf("mmapcheck: munmap at an address not on a page = %d\n", munmap(a + 1, PGSIZE));
  printf("mmapcheck: munmap of 0 bytes = %d\n", munmap(a, 0));
  printf("mmapcheck: munmap past the mappings = %d\n", munmap(a, 9 * PGSIZE));
  // a is the first mapping: a page past its end is past all of them
  printf("mmapcheck: munmap of a page above the mappings = %d\n", munmap(a + 9 * PGSIZE, PGSIZE));
  // a + len, rounded up, wraps past 2^32: a check written as a sum passes it
  printf("mmapcheck: munmap of a length that wraps = %d\n", munmap(a, 0xfffff000));
  printf("mmapcheck: munmap of everything mapped = %d\n", munmap(a, 8 * PGSIZE));
  printf("mmapcheck: frames not given back = %d\n", f0 - free_frames());
  char *b = map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  printf("mmapcheck: a page touched, unmapped, touched killed = %s\n",
         yes(killed(touch_unmap_touch, b)));
}

// A named region: two processes that share no mapping see each other's
// stores; a child forked by one of them shares it too.
static void
shm(void)
{
  int key = 5100 + getpid(), before = free_frames();
  int a = fork();
  if (a == 0) {
    volatile int *p = shmat(key, 2 * PGSIZE);
    if (p == FAILED)
      exit(1);
    p[1024] = 77;
    for (int tries = 0; p[0] == 0; tries++) {
      if (tries == 300)
        exit(2);
      sleep(1);
    }
    int c = fork();
    if (c == 0) {
      p[1] = 99;
      exit(0);
    }
    wait(0);
    exit(p[0] == 55 ? (p[1] == 99 ? 0 : 3) : 2);
  }
  int b = fork();
  if (b == 0) {
    volatile int *p;
    for (int tries = 0; (p = shmat(key, 0)) == FAILED; tries++) {
      if (tries == 100)
        exit(1);
      sleep(1);
    }
    while (p[1024] != 77)
      sleep(1);
    p[0] = 55;
    exit(0);
  }
  int status[2] = { 1, 1 };
  for (int i = 0; i < 2; i++) {
    int st, pid = wait(&st);
    status[pid == b] = st;
  }
  printf("mmapcheck: shmat by two processes = %s\n",
         yes(status[0] != 1 && status[1] != 1));
  printf("mmapcheck: the two see each other's stores = %s\n",
         yes(status[0] == 0 || status[0] == 3));
  printf("mmapcheck: a forked child's store reaches its parent = %s\n", yes(status[0] == 0));
  printf("mmapcheck: the region is gone after its last mapping = %s\n",
         yes(shmat(key, 0) == FAILED));
  // A region half unmapped is still mapped by its other half: it stays.
  int half_key = 5200 + getpid(), stays = 0;
  char *h = shmat(half_key, 2 * PGSIZE);
  if (h != FAILED) {
    h[PGSIZE] = 1;
    munmap(h, PGSIZE);
    char *again = shmat(half_key, 0);
    stays = again != FAILED && again[PGSIZE] == 1;
    if (again != FAILED)
      munmap(again, 2 * PGSIZE);
    munmap(h + PGSIZE, PGSIZE);
  }
  printf("mmapcheck: a region half unmapped can be attached again = %s\n", yes(stays));
  printf("mmapcheck: frames not given back = %d\n", before - free_frames());
}

// Wait for a line typed on the console.
static void
line(void)
{
  char c;
  while (read(0, &c, 1) == 1 && c != '\n')
    ;
}

static void
hold(void)
{
  int go[2], ready[2];
  char c = 0;
  pipe(go);
  pipe(ready);
  char *s = map(2, PROT_READ | PROT_WRITE, MAP_SHARED);
  char *k = shmat(6100 + getpid(), 2 * PGSIZE);
  if (k == FAILED) {
    printf("mmapcheck: shmat failed\n");
    done();
  }
  s[0] = s[PGSIZE] = k[0] = k[PGSIZE] = 1;
  int child = fork();
  if (child == 0) {
    s[0] = k[0] = 2;
    write(ready[1], &c, 1);
    read(go[0], &c, 1);
    int ok = munmap(s, 2 * PGSIZE) == 0 && munmap(k, 2 * PGSIZE) == 0;
    write(ready[1], &c, 1);
    read(go[0], &c, 1);
    exit(ok ? 0 : 1);
  }
  read(ready[0], &c, 1);
  // One page of each protection, in this order from the first, for the
  // inspector to read their PTE bits (after the fork: not made COW).
  char *prot_pages = map(1, PROT_READ, MAP_PRIVATE);
  map(1, PROT_WRITE, MAP_PRIVATE);
  map(1, PROT_READ | PROT_EXEC, MAP_PRIVATE);
  map(1, PROT_EXEC, MAP_PRIVATE);
  printf("mmapcheck: holding pids %d %d shared 0x%x region 0x%x prot 0x%x\n", getpid(), child,
         (uint)s, (uint)k, (uint)prot_pages);
  line();
  int ok = munmap(s, 2 * PGSIZE) == 0 && munmap(k, 2 * PGSIZE) == 0;
  write(go[1], &c, 1);
  read(ready[0], &c, 1);
  printf("mmapcheck: unmapped\n");
  line();
  write(go[1], &c, 1);
  int status;
  wait(&status);
  printf("mmapcheck: both unmapped = %s\n", yes(ok && status == 0));
}

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "prot") == 0)
    prot();
  else if (argc == 2 && strcmp(argv[1], "unmap") == 0)
    unmap();
  else if (argc == 2 && strcmp(argv[1], "shm") == 0)
    shm();
  else if (argc == 2 && strcmp(argv[1], "hold") == 0)
    hold();
  else
    printf("usage: mmapcheck prot|unmap|shm|hold\n");
  done();
  return 0;
}
