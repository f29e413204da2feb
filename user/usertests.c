// usertests [name...]: the kernel's test suite, run from user space.
//
// Each test runs in a child process, so a test that crashes fails alone.
// Prints "test NAME: OK" or "test NAME: FAILED (reason)" for each, then
// "ALL TESTS PASSED" (exit 0) or "SOME TESTS FAILED" (exit 1). With names,
// runs only those tests.

#include "user/user.h"

#define PGSIZE 4096
#define NPROC 64           // the kernel's process table size
#define KILLED (-1)        // wait status of a process the kernel killed
#define FAILED_STATUS 1    // a test or helper process that printed its FAILED line
#define SKIPPED_STATUS 2   // a test that printed "OK (skipped: ...)"

// Exec'ing ourselves with this argument checks the argument vector.
#define ARGCHECK "--check-args"

static const char *current;     // the running test's name
static char reason[160];

static void
failed(void)
{
  printf("test %s: FAILED (%s)\n", current, reason);
  exit(FAILED_STATUS);
}

// Ends the test process with a FAILED line; printf-style arguments.
#define fail(...) do { snprintf(reason, sizeof(reason), __VA_ARGS__); failed(); } while (0)

// Ends the test process as passed, with a note, where a call it needs
// returned -ENOSYS (not there yet in this kernel).
static void
skip(const char *call)
{
  printf("test %s: OK (skipped: %s: %s)\n", current, call, strerror(ENOSYS));
  exit(SKIPPED_STATUS);
}

static const char*
describe(int r)
{
  return r < 0 ? strerror(r) : "success";
}

static void
expect(int got, int want, const char *what)
{
  if (got != want)
    fail("%s returned %d (%s), expected %d (%s)", what, got, describe(got), want, describe(want));
}

static int
free_frames(void)
{
  struct sysinfo si;
  int r;

  if ((r = sysinfo(&si)) < 0)
    fail("sysinfo: %s", strerror(r));
  return si.free_frames;
}

static int
xfork(void)
{
  int pid = fork();

  if (pid < 0)
    fail("fork: %s", strerror(pid));
  return pid;
}

// Waits for the child pid and returns its exit status.
static int
reap(int pid)
{
  int r, status;

  if ((r = wait(&status)) != pid)
    fail("wait returned %d (%s), expected child %d", r, describe(r), pid);
  return status;
}

// Fails unless the child pid was killed by the kernel.
static void
expect_killed(int pid, const char *what)
{
  int status = reap(pid);

  if (status != KILLED)
    fail("%s: the child was not killed, it exited with %d", what, status);
}

// Returns 1 if a helper child's exit status is not want, having printed a
// FAILED line unless the child did (it exits with FAILED_STATUS after that).
static int
child_failed(int status, int want, const char *what)
{
  if (status == want)
    return 0;
  if (status == KILLED)
    printf("test %s: FAILED (%s: the child was killed)\n", current, what);
  else if (status != FAILED_STATUS)
    printf("test %s: FAILED (%s: the child exited with %d, expected %d)\n",
           current, what, status, want);
  return 1;
}

static void
expect_exit(int pid, int want, const char *what)
{
  if (child_failed(reap(pid), want, what))
    exit(FAILED_STATUS);
}

// Waits for n children, in whatever order they exit; each must exit with want.
static void
expect_all_exit(int n, int want, const char *what)
{
  int failures = 0, r, status;

  for (; n > 0; n--) {
    if ((r = wait(&status)) < 0)
      fail("wait: %s", strerror(r));
    failures += child_failed(status, want, what);
  }
  if (failures > 0)
    exit(FAILED_STATUS);
}

static int
xopen(const char *path)
{
  int fd = open(path, O_RDONLY);

  if (fd < 0)
    fail("open %s: %s", path, strerror(fd));
  return fd;
}

// Page-aligned memory of its own from sbrk (not sharing a page with bss).
static char*
alloc_pages(int npages)
{
  char *p = sbrk(0);
  int pad = (PGSIZE - (uint)p % PGSIZE) % PGSIZE;

  if (sbrk(pad + npages * PGSIZE) == (char*)-1)
    fail("sbrk(%d): out of memory", pad + npages * PGSIZE);
  return p + pad;
}

static void
fill(char *buf, int n, int seed)
{
  int i;

  for (i = 0; i < n; i++)
    buf[i] = seed + i % 251;
}

static int
holds(const char *buf, int n, int seed)
{
  int i;

  for (i = 0; i < n; i++) {
    if (buf[i] != (char)(seed + i % 251))
      return 0;
  }
  return 1;
}

// ---- Processes: exit, wait, kill, sleep, preemption ----

static void
test_exitstatus(void)
{
  static const int codes[] = { 0, 1, 42, 255 };
  uint i;
  int pid, st;

  for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    if ((pid = xfork()) == 0)
      exit(codes[i]);
    if ((st = reap(pid)) != codes[i])
      fail("exit(%d) gave wait status %d", codes[i], st);
  }
  if ((pid = xfork()) == 0)
    exit(3);
  expect(wait(0), pid, "wait(0)");
  expect(wait(0), -ECHILD, "wait with no children");
}

static void
test_kill(void)
{
  int pid, t;

  if ((pid = xfork()) == 0)
    for (;;)
      ;
  sleep(2);
  expect(kill(pid), 0, "kill of a spinning child");
  expect_killed(pid, "spinning child");

  if ((pid = xfork()) == 0) {
    sleep(1000);
    exit(0);
  }
  sleep(2);
  t = uptime();
  expect(kill(pid), 0, "kill of a sleeping child");
  expect_killed(pid, "sleeping child");
  if (uptime() - t > 50)
    fail("a killed child went on sleeping for %d ticks", uptime() - t);

  if ((pid = xfork()) == 0) {
    kill(getpid());
    for (;;)
      ;
  }
  expect_killed(pid, "a child that killed itself");

  expect(kill(99999), -ESRCH, "kill(99999)");
  expect(kill(1), -EPERM, "kill(1), of init");
}

static void
test_sleep(void)
{
  int t = uptime(), d;

  expect(sleep(10), 0, "sleep(10)");
  d = uptime() - t;
  if (d < 10 || d > 100)
    fail("sleep(10) took %d ticks", d);
  t = uptime();
  expect(sleep(0), 0, "sleep(0)");
  if (uptime() - t > 5)
    fail("sleep(0) took %d ticks", uptime() - t);
}

static uint64
now(void)            // the time CSR: 10 MHz on QEMU virt
{
  uint hi, lo, again;

  do {
    asm volatile("rdtimeh %0" : "=r"(hi));
    asm volatile("rdtime %0" : "=r"(lo));
    asm volatile("rdtimeh %0" : "=r"(again));
  } while (hi != again);
  return ((uint64)hi << 32) | lo;
}

#define TIME_PER_MS 10000
#define SPIN_MS 500

// Two children spin in user mode (no system calls) for SPIN_MS and report
// how soon they first ran; with a preemptive scheduler both start within a
// few ticks, and the sleeping parent wakes up while they spin. (The limits
// are generous for slow hosts: without preemption the second child would
// start only after SPIN_MS.)
static void
test_preempt(void)
{
  uint64 start = now(), t;
  int i, r, late;

  for (i = 0; i < 2; i++) {
    if (xfork() == 0) {
      late = (now() - start) / TIME_PER_MS;
      while (now() - start < SPIN_MS * TIME_PER_MS)
        ;
      exit(late);
    }
  }
  sleep(5);
  t = (now() - start) / TIME_PER_MS;
  if (t >= SPIN_MS * 4 / 5)
    fail("the parent slept 5 ticks but woke after %d ms of spinning children", (int)t);
  for (i = 0; i < 2; i++) {
    if ((r = wait(&late)) < 0)
      fail("wait: %s", strerror(r));
    if (late == KILLED)
      fail("a spinning child was killed");
    if (late >= SPIN_MS / 2)
      fail("a spinning child first ran %d ms after the start", late);
  }
}

static void
test_forkfull(void)
{
  int n = 0, pid, i;

  while ((pid = fork()) > 0)
    n++;
  if (pid == 0)
    exit(0);         // stays a zombie, holding its slot, until reaped
  if (n < NPROC / 2 || n >= NPROC)
    fail("forked %d children before fork failed (%s)", n, describe(pid));
  for (i = 0; i < n; i++) {
    if ((pid = wait(0)) < 0)
      fail("wait after %d of %d children: %s", i, n, strerror(pid));
  }
  expect(wait(0), -ECHILD, "wait after reaping all");
  if ((pid = xfork()) == 0)
    exit(7);
  expect_exit(pid, 7, "fork after the table was full");
}

static void
test_procinfo(void)
{
  static struct procinfo procs[NPROC];
  struct sysinfo si;
  int i, n, me = -1, init = -1;

  if ((n = procinfo(procs, NPROC)) < 3)
    fail("procinfo returned %d (%s)", n, describe(n));
  for (i = 0; i < n; i++) {
    if (procs[i].pid == getpid())
      me = i;
    if (procs[i].pid == 1)
      init = i;
  }
  if (me < 0 || init < 0)
    fail("procinfo does not list %s", me < 0 ? "this process" : "init");
  if (strcmp(procs[me].name, "usertests") != 0 || procs[me].state != RUNNING ||
      procs[me].size == 0)
    fail("procinfo shows this process as \"%s\", state %d, size %u",
         procs[me].name, procs[me].state, procs[me].size);
  if (strcmp(procs[init].name, "init") != 0)
    fail("procinfo names pid 1 \"%s\"", procs[init].name);
  expect(procinfo(procs, 1), 1, "procinfo with room for 1");
  expect(sysinfo(&si), 0, "sysinfo");
  if (si.free_frames > si.total_frames || si.total_frames < 1024 || si.nproc != (uint)n)
    fail("sysinfo: %u free of %u frames, %u processes (procinfo lists %d)",
         si.free_frames, si.total_frames, si.nproc, n);
}

static int
raw_syscall(int num)
{
  register int a0 asm("a0") = 0;
  register int a7 asm("a7") = num;

  asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

static void
test_nosys(void)
{
  static const int nums[] = { 0, 200, 0x7fffffff, -1 };
  uint i;

  for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
    if (raw_syscall(nums[i]) != -ENOSYS)
      fail("system call %d returned %d, expected -ENOSYS", nums[i], raw_syscall(nums[i]));
  }
}

// ---- Memory: sbrk ----

// Grows the heap until sbrk fails, touching every page, then gives it back.
static void
test_sbrkfull(void)
{
  int start = free_frames(), step = 1 << 20, total = 0, pid, i;
  char *p;

  while (step >= PGSIZE) {
    if ((p = sbrk(step)) == (char*)-1) {
      step /= 2;
      continue;
    }
    for (i = 0; i < step; i += PGSIZE)
      p[i] = 1;
    total += step;
  }
  if (total / PGSIZE < start - start / 64 - 16)
    fail("sbrk failed after %d pages with %d frames free at the start", total / PGSIZE, start);
  // With no memory left, fork must fail cleanly or its child die cleanly.
  if ((pid = fork()) == 0)
    exit(0);
  if (pid > 0)
    wait(0);
  if (sbrk(-total) == (char*)-1)
    fail("sbrk(-%d) failed", total);
  if (free_frames() < start - 32)
    fail("%d frames free after sbrk(-%d), %d before growing", free_frames(), total, start);
}

static void
test_sbrkneg(void)
{
  int n = 16, start, pid;
  char *p;

  p = alloc_pages(0);
  start = free_frames();
  if (sbrk(n * PGSIZE) != p)
    fail("sbrk did not return the old break");
  memset(p, 1, n * PGSIZE);
  if (start - free_frames() < n)
    fail("sbrk(%d pages) used %d frames", n, start - free_frames());
  if (sbrk(-n * PGSIZE) != p + n * PGSIZE)
    fail("sbrk(-%d pages) did not return the old break", n);
  if (sbrk(0) != p)
    fail("sbrk(0) is %p after shrinking, expected %p", sbrk(0), p);
  if (free_frames() != start)
    fail("%d frames free after shrinking back, %d before growing", free_frames(), start);
  if ((pid = xfork()) == 0) {
    p[0] = 1;        // gone with the shrink: must fault
    exit(0);
  }
  expect_killed(pid, "store to memory freed by sbrk(-n)");
}

// ---- Copy-on-write ----

#define COWPAGES 8

// Parent and child write the shared pages at the same time; each must see
// only its own data.
static void
test_cowprivate(void)
{
  char *buf = alloc_pages(COWPAGES);
  int n = COWPAGES * PGSIZE, pid;

  fill(buf, n, 'A');
  if ((pid = xfork()) == 0) {
    if (!holds(buf, n, 'A'))
      fail("the child sees the parent's writes made after fork");
    fill(buf, n, 'C');
    if (!holds(buf, n, 'C'))
      fail("the child does not see its own writes");
    exit(0);
  }
  fill(buf, n, 'B');
  expect_exit(pid, 0, "cow child");
  if (!holds(buf, n, 'B'))
    fail("the parent sees the child's writes");
}

static void
test_cowforkfork(void)
{
  char *buf = alloc_pages(COWPAGES);
  int n = COWPAGES * PGSIZE, pid, gpid;

  fill(buf, n, 'A');
  if ((pid = xfork()) == 0) {
    fill(buf, n, 'C');
    if ((gpid = xfork()) == 0) {
      if (!holds(buf, n, 'C'))
        fail("the grandchild does not see the child's data");
      fill(buf, n, 'G');
      if (!holds(buf, n, 'G'))
        fail("the grandchild does not see its own writes");
      exit(0);
    }
    expect_exit(gpid, 0, "grandchild");
    if (!holds(buf, n, 'C'))
      fail("the child sees the grandchild's writes");
    exit(0);
  }
  expect_exit(pid, 0, "child");
  if (!holds(buf, n, 'A'))
    fail("the parent sees its descendants' writes");
}

static void
test_cowmany(void)
{
  enum { NCHILD = 8 };
  char *buf = alloc_pages(COWPAGES);
  int n = COWPAGES * PGSIZE, i;

  fill(buf, n, 'A');
  for (i = 0; i < NCHILD; i++) {
    if (xfork() == 0) {
      fill(buf, n, 'a' + i);
      yield();       // let the others write in between
      if (!holds(buf, n, 'a' + i))
        fail("child %d does not see its own writes", i);
      exit(0);
    }
  }
  expect_all_exit(NCHILD, 0, "cow child");
  if (!holds(buf, n, 'A'))
    fail("the parent sees its children's writes");
}

// The kernel's copyout into a shared page must copy it, as a user store does.
static void
test_cowcopyout(void)
{
  char *buf = alloc_pages(1), want[64];
  int fd, pid;

  fill(buf, PGSIZE, 'A');
  fd = xopen("/README");
  expect(read(fd, want, sizeof(want)), sizeof(want), "read of /README");
  close(fd);
  if ((pid = xfork()) == 0) {
    fd = xopen("/README");
    expect(read(fd, buf, sizeof(want)), sizeof(want), "read into a shared page");
    if (memcmp(buf, want, sizeof(want)) != 0)
      fail("read() into a shared page did not store the data");
    exit(0);
  }
  expect_exit(pid, 0, "child reading into a shared page");
  if (!holds(buf, PGSIZE, 'A'))
    fail("the child's read() changed the parent's memory");
}

// ---- Faults ----

static void
store_null(void)
{
  *(volatile int*)0 = 1;
}

static void
load_kernel(void)
{
  (void)*(volatile int*)0x80000000;
}

static void
store_text(void)
{
  *(volatile int*)(void*)store_null = 0;
}

static void
illegal_instruction(void)
{
  asm volatile(".4byte 0");    // all zeros is defined to be illegal
}

static void
privileged_csr(void)
{
  asm volatile("csrr t0, sstatus" : : : "t0");
}

static void
exec_heap(void)
{
  uint *code = (uint*)alloc_pages(1);

  code[0] = 0x00008067;        // ret
  ((void (*)(void))code)();
}

static void
exec_kernel(void)
{
  ((void (*)(void))0x80000000)();
}

static int
recurse(int depth)
{
  volatile char frame[1024];

  frame[0] = depth;
  return depth > 0 ? recurse(depth - 1) + frame[0] : 0;
}

static void
stack_overflow(void)
{
  recurse(100);                // 100 KiB of frames on a 16 KiB stack
}

static void
test_faults(void)
{
  static const struct {
    const char *name;
    void (*fn)(void);
  } faults[] = {
    { "store to address 0",          store_null },
    { "load from kernel memory",     load_kernel },
    { "store to the program's text", store_text },
    { "illegal instruction",         illegal_instruction },
    { "read of a supervisor CSR",    privileged_csr },
    { "jump to the heap",            exec_heap },
    { "jump to kernel memory",       exec_kernel },
    { "stack overflow",              stack_overflow },
  };
  uint i;
  int pid;

  for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
    if ((pid = xfork()) == 0) {
      faults[i].fn();
      exit(0);
    }
    expect_killed(pid, faults[i].name);
  }
}

// ---- Bad pointers to system calls ----

// Bytes of heap before the unmapped page: fewer than any argument needs, so
// every argument placed there runs off the end.
#define EDGE 2

static char *edge;           // the last EDGE bytes of the heap
static char msg[64];         // a valid buffer

static void
drain_mailbox(void)
{
  while (recv(msg, sizeof(msg), 0, MSG_DONTWAIT) >= 0)
    ;
}

// Puts a message in our own mailbox so that recv has something to copy out.
static int
prime_mailbox(void)
{
  return send(getpid(), msg, sizeof(msg), MSG_DONTWAIT);
}

static int c_read(char *p)      { int fd = xopen("/README"), r = read(fd, p, 64); close(fd); return r; }
static int c_write(char *p)     { return write(stdout, p, 64); }
static int c_open(char *p)      { int r = open(p, O_RDONLY); if (r >= 0) close(r); return r; }
static int c_fstat(char *p)     { int fd = xopen("/README"), r = fstat(fd, (struct stat*)p); close(fd); return r; }
static int c_getdents(char *p)  { int fd = xopen("/"), r = getdents(fd, (struct dirent*)p, 1); close(fd); return r; }
static int c_chdir(char *p)     { return chdir(p); }
static int c_exec_path(char *p) { char *argv[] = { "true", 0 }; return exec(p, argv); }
static int c_exec_argv(char *p) { return exec("/bin/true", (char**)p); }
static int c_exec_arg(char *p)  { char *argv[] = { "true", p, 0 }; return exec("/bin/true", argv); }
static int c_pipe(char *p)      { return pipe((int*)p); }
static int c_procinfo(char *p)  { return procinfo((struct procinfo*)p, NPROC); }
static int c_sysinfo(char *p)   { return sysinfo((struct sysinfo*)p); }
static int c_link_old(char *p)  { return link(p, "/newname"); }
static int c_link_new(char *p)  { return link("/README", p); }
static int c_rename_old(char *p){ return rename(p, "/newname"); }
static int c_rename_new(char *p){ return rename("/README", p); }
static int c_unlink(char *p)    { return unlink(p); }
static int c_mkdir(char *p)     { return mkdir(p); }
static int c_rmdir(char *p)     { return rmdir(p); }
static int c_mknod(char *p)     { return mknod(p, 1, 1); }
static int c_send(char *p)      { int r = send(getpid(), p, 64, MSG_DONTWAIT); drain_mailbox(); return r; }

static int
c_wait(char *p)
{
  int pid = xfork(), r;

  if (pid == 0)
    exit(0);
  r = wait((int*)p);
  while (wait(0) > 0)        // the child, if that wait did not reap it
    ;
  return r;
}

static int
c_recv_buf(char *p)
{
  int r = prime_mailbox();

  if (r >= 0)
    r = recv(p, 64, 0, MSG_DONTWAIT);
  drain_mailbox();
  return r;
}

static int
c_recv_from(char *p)
{
  int r = prime_mailbox();

  if (r >= 0)
    r = recv(msg, sizeof(msg), (int*)p, MSG_DONTWAIT);
  drain_mailbox();
  return r;
}

#define NULL_OK   0x1   // a null pointer means "no result wanted"
#define WRITES    0x2   // the kernel writes there, so read-only text is bad too
#define NOSYS_OK  0x4   // -ENOSYS accepted while the call is not implemented yet

static const struct ptrcase {
  const char *name;
  int (*call)(char *p);
  int flags;
} ptrcases[] = {
  { "read",          c_read,       WRITES },
  { "write",         c_write,      0 },
  { "open",          c_open,       0 },
  { "fstat",         c_fstat,      WRITES },
  { "getdents",      c_getdents,   WRITES },
  { "chdir",         c_chdir,      0 },
  { "exec path",     c_exec_path,  0 },
  { "exec argv",     c_exec_argv,  NULL_OK },   // exec(path, 0): left to the kernel
  { "exec argv[1]",  c_exec_arg,   NULL_OK },   // a null ends argv
  { "wait",          c_wait,       WRITES | NULL_OK },
  { "procinfo",      c_procinfo,   WRITES },
  { "sysinfo",       c_sysinfo,    WRITES },
  { "pipe",          c_pipe,       WRITES | NOSYS_OK },   // pipes come with the storage work
  { "link old",      c_link_old,   NOSYS_OK },            // so do the calls that change
  { "link new",      c_link_new,   NOSYS_OK },            // the file system
  { "rename old",    c_rename_old, NOSYS_OK },
  { "rename new",    c_rename_new, NOSYS_OK },
  { "unlink",        c_unlink,     NOSYS_OK },
  { "mkdir",         c_mkdir,      NOSYS_OK },
  { "rmdir",         c_rmdir,      NOSYS_OK },
  { "mknod",         c_mknod,      NOSYS_OK },
  { "send",          c_send,       NOSYS_OK },            // mailboxes may come later
  { "recv buf",      c_recv_buf,   WRITES | NOSYS_OK },
  { "recv from",     c_recv_from,  WRITES | NOSYS_OK | NULL_OK },
};

// A helper child's exit status for "all addresses gave -EFAULT". Not 0, so
// that an exec that wrongly succeeds (and runs /bin/true) is noticed.
#define BADPTR_OK 3

// In a child: calls c with each bad address.
static void
try_bad_pointers(const struct ptrcase *c)
{
  char *bad[] = {
    0, (char*)0x80000000, (char*)0x87fff000, (char*)0xffffffff, (char*)0x30000000,
    edge,                      // runs off the end of the heap
    (char*)store_null,         // read-only text
  };
  uint i;
  int r;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if ((bad[i] == 0 && (c->flags & NULL_OK)) ||
        (bad[i] == (char*)store_null && !(c->flags & WRITES)))
      continue;
    memset(edge, 'x', EDGE);   // no NUL: a string there runs off the end
    r = c->call(bad[i]);
    if (r != -EFAULT && !(r == -ENOSYS && (c->flags & NOSYS_OK)))
      fail("%s(%p) returned %d (%s), expected -EFAULT", c->name, bad[i], r, describe(r));
  }
  exit(BADPTR_OK);
}

// Tries every call, in a child each, so that one report shows all failures.
static void
test_badptr(void)
{
  uint i;
  int pid, failures = 0;

  edge = alloc_pages(1) + PGSIZE - EDGE;
  for (i = 0; i < sizeof(ptrcases) / sizeof(ptrcases[0]); i++) {
    if ((pid = xfork()) == 0)
      try_bad_pointers(&ptrcases[i]);
    failures += child_failed(reap(pid), BADPTR_OK, ptrcases[i].name);
  }
  if (failures > 0)
    exit(FAILED_STATUS);
}

// ---- Files (read-only) ----

#define MAXENTRIES 32

static struct dirent entries[MAXENTRIES];

// Reads directory path into entries[]; returns the entry count.
static int
read_dir(const char *path)
{
  int fd = xopen(path), n = 0, r = 0;

  while (n < MAXENTRIES && (r = getdents(fd, entries + n, MAXENTRIES - n)) > 0)
    n += r;
  if (r < 0)
    fail("getdents %s: %s", path, strerror(r));
  close(fd);
  return n;
}

// Returns the type of name in entries[0..n), or -1.
static int
entry_type(int n, const char *name)
{
  int i;

  for (i = 0; i < n; i++) {
    if (strcmp(entries[i].name, name) == 0)
      return entries[i].type;
  }
  return -1;
}

static void
test_fs(void)
{
  struct stat st;
  char buf[100];
  int fd, n, total = 0;

  fd = xopen("/README");
  expect(fstat(fd, &st), 0, "fstat /README");
  if (st.type != T_FILE || st.size == 0 || st.nlink < 1)
    fail("fstat /README: type %d, size %u, links %d", st.type, st.size, st.nlink);
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    total += n;
  if (n < 0 || total != (int)st.size)
    fail("read %d bytes of /README, size is %u (%s)", total, st.size, describe(n));
  expect(lseek(fd, 0, SEEK_CUR), st.size, "lseek(0, SEEK_CUR) at the end");
  expect(lseek(fd, 1, SEEK_SET), 1, "lseek(1, SEEK_SET)");
  expect(lseek(fd, -2, SEEK_END), st.size - 2, "lseek(-2, SEEK_END)");
  expect(read(fd, buf, sizeof(buf)), 2, "read after lseek(-2, SEEK_END)");
  expect(lseek(stdin, 0, SEEK_CUR), -ESPIPE, "lseek on the console");
  expect(write(fd, buf, 1), -EBADF, "write to a file opened read-only");
  expect(close(fd), 0, "close");
  expect(close(fd), -EBADF, "close of a closed fd");
  expect(read(fd, buf, 1), -EBADF, "read of a closed fd");
  expect(fstat(-1, &st), -EBADF, "fstat(-1)");

  expect(open("/nonexistent", O_RDONLY), -ENOENT, "open /nonexistent");
  expect(open("/README/x", O_RDONLY), -ENOTDIR, "open /README/x");
  expect(stat("/bin/../README", &st), 0, "stat /bin/../README");
  expect(stat("/bin", &st), 0, "stat /bin");
  if (st.type != T_DIR)
    fail("stat /bin: type %d", st.type);

  n = read_dir("/");
  if (entry_type(n, "bin") != T_DIR || entry_type(n, "README") != T_FILE ||
      entry_type(n, ".") != T_DIR || entry_type(n, "..") != T_DIR)
    fail("getdents / lacks bin, README, . or .. (or their types)");

  expect(chdir("/bin"), 0, "chdir /bin");
  fd = xopen("echo");
  close(fd);
  expect(chdir("/README"), -ENOTDIR, "chdir /README");
  expect(chdir("/nonexistent"), -ENOENT, "chdir /nonexistent");
  expect(chdir(".."), 0, "chdir ..");
  expect(stat("README", &st), 0, "stat README after chdir ..");
}

static void
test_openmany(void)
{
  int fds[1000], n = 0, r, i;

  while (n < 1000 && (r = open("/README", O_RDONLY)) >= 0)
    fds[n++] = r;
  if (n == 1000 || r != -EMFILE || n < 8)
    fail("opened %d files, then %d (%s), expected -EMFILE", n, r, describe(r));
  if (fds[0] != 3)
    fail("the first open returned fd %d, not the lowest free one (3)", fds[0]);
  for (i = 0; i < n; i++)
    expect(close(fds[i]), 0, "close");
  expect(open("/README", O_RDONLY), 3, "open after closing all");
}

static void
test_pipe(void)
{
  enum { N = 3000 };
  static char out[N], in[N + 1];
  int fds[2], pid, n, total = 0, r;

  if ((r = pipe(fds)) == -ENOSYS)
    skip("pipe");
  expect(r, 0, "pipe");
  fill(out, N, 'p');
  if ((pid = xfork()) == 0) {
    close(fds[0]);
    expect(write(fds[1], out, N), N, "write to a pipe");
    exit(0);
  }
  close(fds[1]);
  while ((n = read(fds[0], in + total, N - total + 1)) > 0)
    total += n;
  if (n < 0 || total != N || !holds(in, N, 'p'))
    fail("read %d of %d bytes through a pipe (%s)", total, N, describe(n));
  close(fds[0]);
  expect_exit(pid, 0, "pipe writer");

  expect(pipe(fds), 0, "pipe");
  close(fds[0]);
  expect(write(fds[1], out, 1), -EPIPE, "write to a pipe with no reader");
  close(fds[1]);
}

static void
test_dup(void)
{
  char a[10], b[10], whole[20];
  int fd, fd2;

  fd = xopen("/README");
  expect(read(fd, whole, 20), 20, "read");
  close(fd);
  fd = xopen("/README");
  if ((fd2 = dup(fd)) == -ENOSYS)
    skip("dup");
  if (fd2 != fd + 1)
    fail("dup returned %d (%s), expected %d", fd2, describe(fd2), fd + 1);
  expect(read(fd, a, 10), 10, "read");
  expect(read(fd2, b, 10), 10, "read of the dup");
  if (memcmp(a, whole, 10) != 0 || memcmp(b, whole + 10, 10) != 0)
    fail("a dup does not share the file offset");
  close(fd);
  close(fd2);
}

// ---- exec ----

static char long_arg[201];

static void
make_long_arg(void)
{
  memset(long_arg, 'a', sizeof(long_arg) - 1);
}

#define ARGS_WRONG 4

// Runs as "usertests --check-args" after exec: exits 0 if argv is as
// test_execargs passed it, else ARGS_WRONG.
static int
check_args(int argc, char *argv[])
{
  make_long_arg();
  if (argc != 5 || argv[5] != 0 || (uint)argv % 4 != 0 ||
      strcmp(argv[0], "usertests") != 0 || strcmp(argv[2], "") != 0 ||
      strcmp(argv[3], "two words") != 0 || strcmp(argv[4], long_arg) != 0)
    return ARGS_WRONG;
  return 0;
}

static void
test_execargs(void)
{
  char *argv[] = { "usertests", ARGCHECK, "", "two words", long_arg, 0 };
  int pid;

  make_long_arg();
  if ((pid = xfork()) == 0) {
    int r = exec("/bin/usertests", argv);
    fail("exec /bin/usertests: %s", strerror(r));
  }
  expect_exit(pid, 0, "exec with arguments");
}

static void
test_execbig(void)
{
  enum { NARGS = 256, ARGLEN = 4000 };
  static char *argv[NARGS + 1];
  char *arg = alloc_pages(1);
  int i, pid;

  memset(arg, 'b', ARGLEN);
  arg[ARGLEN] = 0;
  for (i = 0; i < NARGS; i++)
    argv[i] = arg;
  if ((pid = xfork()) == 0)
    exit(-exec("/bin/true", argv));
  expect_exit(pid, E2BIG, "exec with 1 MiB of arguments");
}

#define CANARY 0x600dcafe
#define CLOBBERED 1000      // exit status: the canary changed

static volatile int canary = CANARY;

// Execs /bad/name in a child; fails unless exec returned -ENOEXEC there and
// left the child's memory intact.
static void
exec_bad(const char *name)
{
  char path[300], *argv[] = { (char*)name, 0 };
  int pid, st;

  snprintf(path, sizeof(path), "/bad/%s", name);
  if ((pid = xfork()) == 0) {
    int r = exec(path, argv);
    exit(canary == CANARY ? -r : CLOBBERED);
  }
  st = reap(pid);
  if (st == 0)
    fail("exec %s succeeded", path);
  if (st == CLOBBERED)
    fail("exec %s failed, but changed the process's memory", path);
  if (st != ENOEXEC)
    fail("exec %s: %s (status %d), expected -ENOEXEC", path, st == KILLED ? "killed" : strerror(st), st);
}

// Every file in /bad is a malformed ELF (made by user/mkbadelf.c).
static void
test_badelf(void)
{
  char *argv[] = { "nonexistent", 0 };
  int n, i, round, before = 0;

  n = read_dir("/bad");
  if (n < 10)
    fail("/bad has only %d entries", n);
  // The first round may fill caches; the second must free all it takes.
  for (round = 0; round < 2; round++) {
    if (round == 1)
      before = free_frames();
    for (i = 0; i < n; i++) {
      if (entries[i].name[0] != '.')
        exec_bad(entries[i].name);
    }
  }
  if (free_frames() != before)
    fail("failed execs leaked %d frames", before - free_frames());
  expect(exec("/bin/nonexistent", argv), -ENOENT, "exec /bin/nonexistent");
}

// ---- IPC: mailboxes, mmap, shared memory ----

#define MBOX_DEPTH 8       // messages a mailbox holds (kernel/mailbox.h)
#define MSG_MAX 128        // bytes in one message

static void
test_mailbox(void)
{
  char buf[MSG_MAX + 8];
  int from = 0;

  expect(recv(buf, sizeof(buf), &from, MSG_DONTWAIT), -EAGAIN, "recv on an empty mailbox");
  expect(send(getpid(), "hello", 5, MSG_DONTWAIT), 5, "send to self");
  expect(recv(buf, 2, &from, MSG_DONTWAIT), -EMSGSIZE, "recv into a short buffer");
  expect(recv(buf, sizeof(buf), &from, MSG_DONTWAIT), 5, "recv after the short try");
  if (memcmp(buf, "hello", 5) != 0 || from != getpid())
    fail("recv gave the wrong message or sender (from %d)", from);
  expect(send(getpid(), buf, MSG_MAX + 1, 0), -EMSGSIZE, "send of an oversized message");
  expect(send(99999, "x", 1, 0), -ESRCH, "send to a pid that does not exist");
  expect(send(getpid(), "x", 1, 0x40), -EINVAL, "send with an unknown flag");
  for (int i = 0; i < MBOX_DEPTH; i++)
    expect(send(getpid(), &i, sizeof(i), MSG_DONTWAIT), sizeof(i), "send to fill the queue");
  expect(send(getpid(), "x", 1, MSG_DONTWAIT), -EAGAIN, "send to a full queue");
  struct procinfo pi[NPROC];
  int n = procinfo(pi, NPROC);
  for (int i = 0; i < n; i++)
    if (pi[i].pid == getpid() && pi[i].mailbox_depth != MBOX_DEPTH)
      fail("procinfo says mailbox depth %d, expected %d", pi[i].mailbox_depth, MBOX_DEPTH);
  for (int i = 0; i < MBOX_DEPTH; i++) {
    int v = -1;
    expect(recv(&v, sizeof(v), 0, MSG_DONTWAIT), sizeof(v), "recv from the full queue");
    if (v != i)
      fail("messages out of order: got %d, expected %d", v, i);
  }
}

// A sender blocked on a full queue wakes when the receiver takes a message;
// a receiver blocked on an empty queue wakes when a message comes.
static void
test_mailboxblock(void)
{
  int parent = getpid(), child, v;

  for (int i = 0; i < MBOX_DEPTH; i++)
    send(parent, &i, sizeof(i), MSG_DONTWAIT);
  if ((child = xfork()) == 0) {
    int extra = 100;
    if (send(parent, &extra, sizeof(extra), 0) != sizeof(extra))  // blocks
      exit(1);
    exit(recv(&v, sizeof(v), 0, 0) == sizeof(v) && v == 7 ? 0 : 2);  // blocks
  }
  sleep(5);
  for (int i = 0; i <= MBOX_DEPTH; i++) {
    expect(recv(&v, sizeof(v), 0, 0), sizeof(v), "recv while a sender waits");
    if (v != (i < MBOX_DEPTH ? i : 100))
      fail("got %d in position %d", v, i);
  }
  sleep(5);
  v = 7;
  expect(send(child, &v, sizeof(v), 0), sizeof(v), "send to a blocked receiver");
  expect(reap(child), 0, "the blocked child's status");
}

// The receiver exits while a sender waits on its full queue: -ESRCH.
// A blocked receiver that is killed exits (status -1).
static void
test_mailboxdead(void)
{
  int receiver, sender, status;

  if ((receiver = xfork()) == 0) {
    sleep(1000);
    exit(0);
  }
  for (int i = 0; i < MBOX_DEPTH; i++)
    expect(send(receiver, &i, sizeof(i), MSG_DONTWAIT), sizeof(i), "fill the receiver's queue");
  if ((sender = xfork()) == 0)
    exit(send(receiver, "x", 1, 0) == -ESRCH ? 0 : 1);
  sleep(5);
  kill(receiver);
  expect(reap(receiver), KILLED, "the receiver's status");
  expect(reap(sender), 0, "the sender blocked on a dead receiver (should get -ESRCH)");

  if ((receiver = xfork()) == 0) {
    char buf[8];
    recv(buf, sizeof(buf), 0, 0);
    exit(0);
  }
  sleep(5);
  kill(receiver);
  status = reap(receiver);
  if (status != KILLED)
    fail("a killed blocked receiver exited with %d", status);
}

// Many senders, many messages each: every message arrives exactly once.
static void
test_mailboxmany(void)
{
  enum { SENDERS = 6, EACH = 40 };
  int me = getpid(), seen[SENDERS][EACH];

  memset(seen, 0, sizeof(seen));
  for (int s = 0; s < SENDERS; s++) {
    if (xfork() == 0) {
      for (int i = 0; i < EACH; i++) {
        int msg[2] = { s, i };
        if (send(me, msg, sizeof(msg), 0) != sizeof(msg))
          exit(1);
      }
      exit(0);
    }
  }
  for (int n = 0; n < SENDERS * EACH; n++) {
    int msg[2], from;
    expect(recv(msg, sizeof(msg), &from, 0), sizeof(msg), "recv from many senders");
    if (msg[0] < 0 || msg[0] >= SENDERS || msg[1] < 0 || msg[1] >= EACH)
      fail("garbage message %d/%d", msg[0], msg[1]);
    if (seen[msg[0]][msg[1]]++)
      fail("message %d/%d arrived twice", msg[0], msg[1]);
  }
  for (int s = 0; s < SENDERS; s++) {
    int status;
    wait(&status);
    if (status != 0)
      fail("a sender exited with %d", status);
  }
  int extra;
  expect(recv(&extra, sizeof(extra), 0, MSG_DONTWAIT), -EAGAIN, "recv after all messages");
}

static char*
xmmap(uint len, int prot, int flags)
{
  char *p = mmap(0, len, prot, flags);
  if (p == (char*)-1)
    fail("mmap of %d bytes failed", len);
  return p;
}

// Private anonymous memory: zeroed, writable, copy-on-write across fork,
// freed by munmap.
static void
test_mmapprivate(void)
{
  int before = free_frames();
  char *p = xmmap(3 * PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON);
  for (int i = 0; i < 3 * PGSIZE; i++)
    if (p[i] != 0)
      fail("mmap'd memory not zeroed at %d", i);
  p[0] = 'p';
  int pid = xfork();
  if (pid == 0) {
    p[0] = 'c';
    exit(p[0] == 'c' ? 0 : 1);
  }
  expect(reap(pid), 0, "the child writing its private copy");
  if (p[0] != 'p')
    fail("the child's write to a private mapping reached the parent");
  expect(munmap(p, 3 * PGSIZE), 0, "munmap");
  if (free_frames() != before)
    fail("munmap left %d frames allocated", before - free_frames());
  expect(munmap(p, PGSIZE), 0, "munmap of an unmapped page");
  expect(munmap((char*)0x1000, PGSIZE), -EINVAL, "munmap outside the mmap region");
  if (mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE) != (void*)-1)
    fail("mmap without MAP_ANON should fail");
  if (mmap(0, PGSIZE, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANON) != (void*)-1)
    fail("a writable and executable mapping should be refused");
}

// Shared anonymous memory survives fork as shared: the child's writes are
// the parent's. In the same process, a COW page and a shared page coexist.
static void
test_mmapshared(void)
{
  int before = free_frames();
  int *shared = (int*)xmmap(PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON);
  int *priv = (int*)xmmap(PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON);
  *shared = 1;
  *priv = 1;
  int pid = xfork();
  if (pid == 0) {
    *shared = 2;   // goes to the parent too
    *priv = 2;     // copy on write: stays here
    exit(0);
  }
  expect(reap(pid), 0, "the child");
  if (*shared != 2)
    fail("a shared mapping did not carry the child's write (%d)", *shared);
  if (*priv != 1)
    fail("a private mapping carried the child's write");
  munmap(shared, PGSIZE);
  munmap(priv, PGSIZE);
  if (free_frames() != before)
    fail("%d frames leaked", before - free_frames());
}

// Named regions: two unrelated processes (not sharing a mapping through
// fork) attach the same key and see each other's writes; the frames are
// freed when the last one detaches.
static void
test_shmnamed(void)
{
  int key = 4242 + getpid(), before = free_frames();
  int a = xfork();
  if (a == 0) {
    volatile int *p = shmat(key, 2 * PGSIZE);
    if (p == (void*)-1)
      exit(1);
    p[0] = 0;
    p[1024] = 77;          // second page
    while (p[0] == 0)      // the other process writes it
      sleep(1);
    exit(p[0] == 55 ? 0 : 2);
  }
  int b = xfork();
  if (b == 0) {
    volatile int *p;
    while ((p = shmat(key, 0)) == (void*)-1)   // until the other made it
      sleep(1);
    while (p[1024] != 77)
      sleep(1);
    p[0] = 55;
    exit(0);
  }
  for (int i = 0; i < 2; i++) {
    int status, pid = wait(&status);
    if ((pid != a && pid != b) || status != 0)
      fail("attacher %d exited with %d", pid, status);
  }
  if (shmat(key, 0) != (void*)-1)
    fail("the region outlived its last mapping");
  if (free_frames() != before)
    fail("%d frames leaked", before - free_frames());
}

// ---- Running the tests ----

static const struct test {
  const char *name;
  void (*fn)(void);
  int leakcheck;     // free frames must be the same after it (it reads no files)
} tests[] = {
  { "exitstatus",  test_exitstatus,  1 },
  { "nosys",       test_nosys,       1 },
  { "procinfo",    test_procinfo,    1 },
  { "sleep",       test_sleep,       1 },
  { "kill",        test_kill,        1 },
  { "preempt",     test_preempt,     1 },
  { "forkfull",    test_forkfull,    1 },
  { "sbrkneg",     test_sbrkneg,     1 },
  { "sbrkfull",    test_sbrkfull,    1 },
  { "cowprivate",  test_cowprivate,  1 },
  { "cowforkfork", test_cowforkfork, 1 },
  { "cowmany",     test_cowmany,     1 },
  { "cowcopyout",  test_cowcopyout,  0 },
  { "faults",      test_faults,      1 },
  { "fs",          test_fs,          0 },
  { "openmany",    test_openmany,    0 },
  { "pipe",        test_pipe,        0 },
  { "dup",         test_dup,         0 },
  { "badptr",      test_badptr,      0 },
  { "execargs",    test_execargs,    0 },
  { "execbig",     test_execbig,     0 },
  { "badelf",      test_badelf,      0 },
  { "mailbox",     test_mailbox,     1 },
  { "mailboxblock", test_mailboxblock, 1 },
  { "mailboxdead", test_mailboxdead, 1 },
  { "mailboxmany", test_mailboxmany, 1 },
  { "mmapprivate", test_mmapprivate, 1 },
  { "mmapshared",  test_mmapshared,  1 },
  { "shmnamed",    test_shmnamed,    1 },
};

#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

// Returns 1 if the test passed.
static int
run(const struct test *t)
{
  int before, after, pid, status;

  current = t->name;
  before = free_frames();
  if ((pid = fork()) < 0) {
    printf("test %s: FAILED (fork: %s)\n", t->name, strerror(pid));
    return 0;
  }
  if (pid == 0) {
    t->fn();
    exit(0);
  }
  if (wait(&status) != pid)
    status = KILLED;
  after = free_frames();
  if (status == SKIPPED_STATUS)
    return 1;
  if (status == FAILED_STATUS)
    return 0;
  if (status != 0) {
    printf("test %s: FAILED (the test process %s %d)\n", t->name,
           status == KILLED ? "was killed, status" : "exited with", status);
    return 0;
  }
  if (t->leakcheck && after != before) {
    printf("test %s: FAILED (%d frames free before, %d after)\n", t->name, before, after);
    return 0;
  }
  printf("test %s: OK\n", t->name);
  return 1;
}

static const struct test*
find_test(const char *name)
{
  int i;

  for (i = 0; i < NTESTS; i++) {
    if (strcmp(tests[i].name, name) == 0)
      return &tests[i];
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, passed = 1;

  if (argc > 1 && strcmp(argv[1], ARGCHECK) == 0)
    return check_args(argc, argv);
  for (i = 1; i < argc; i++) {
    if (find_test(argv[i]) == 0) {
      printf("usertests: no test named %s\n", argv[i]);
      return 1;
    }
  }
  printf("usertests starting\n");
  if (argc > 1) {
    for (i = 1; i < argc; i++)
      passed &= run(find_test(argv[i]));
  } else {
    for (i = 0; i < NTESTS; i++)
      passed &= run(&tests[i]);
  }
  printf(passed ? "ALL TESTS PASSED\n" : "SOME TESTS FAILED\n");
  return !passed;
}
