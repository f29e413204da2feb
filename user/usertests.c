// usertests [name...]: the kernel's test suite, run from user space.
//
// Each test runs in a child process, so a test that crashes fails alone.
// Prints "test NAME: OK" or "test NAME: FAILED (reason)" for each, then
// "ALL TESTS PASSED" (exit 0) or "SOME TESTS FAILED" (exit 1). With names,
// runs only those tests; diskfull and inodes, which fill the disk, run only
// when named.

#include "user/user.h"

#define PGSIZE 4096
#define NPROC 64           // the kernel's process table size
#define KILLED (-1)        // wait status of a process the kernel killed
#define FAILED_STATUS 1    // a test or helper process that printed its FAILED line

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

static struct sysinfo
system_info(void)
{
  struct sysinfo si;
  int r;

  if ((r = sysinfo(&si)) < 0)
    fail("sysinfo: %s", strerror(r));
  return si;
}

static int
free_frames(void)
{
  return system_info().free_frames;
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

#define TIME_PER_MS (TIME_HZ / 1000)
#define SPIN_MS 500

// Two children spin in user mode (no system calls) for SPIN_MS and report
// how soon they first ran; with a preemptive scheduler both start within a
// few ticks, and the sleeping parent wakes up while they spin. (The limits
// are generous for slow hosts: without preemption the second child would
// start only after SPIN_MS.)
static void
test_preempt(void)
{
  uint64 start = rdtime(), t;
  int i, r, late;

  for (i = 0; i < 2; i++) {
    if (xfork() == 0) {
      late = (rdtime() - start) / TIME_PER_MS;
      while (rdtime() - start < SPIN_MS * TIME_PER_MS)
        ;
      exit(late);
    }
  }
  sleep(5);
  t = (rdtime() - start) / TIME_PER_MS;
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
  { "pipe",          c_pipe,       WRITES },
  { "link old",      c_link_old,   0 },
  { "link new",      c_link_new,   0 },
  { "rename old",    c_rename_old, 0 },
  { "rename new",    c_rename_new, 0 },
  { "unlink",        c_unlink,     0 },
  { "mkdir",         c_mkdir,      0 },
  { "rmdir",         c_rmdir,      0 },
  { "mknod",         c_mknod,      0 },
  { "send",          c_send,       0 },
  { "recv buf",      c_recv_buf,   WRITES },
  { "recv from",     c_recv_from,  WRITES | NULL_OK },
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
    if (r != -EFAULT)
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
  int fds[2], pid, n, total = 0;

  expect(pipe(fds), 0, "pipe");
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
  if ((fd2 = dup(fd)) != fd + 1)
    fail("dup returned %d (%s), expected %d", fd2, describe(fd2), fd + 1);
  expect(read(fd, a, 10), 10, "read");
  expect(read(fd2, b, 10), 10, "read of the dup");
  if (memcmp(a, whole, 10) != 0 || memcmp(b, whole + 10, 10) != 0)
    fail("a dup does not share the file offset");
  close(fd);
  close(fd2);
}

// ---- Files: writing ----
//
// Each test works on names of its own in / (starting "ut"), and first
// removes whatever an earlier, interrupted run left there.

static int
is_dot(const char *name)
{
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

// Removes name, in the current directory, with everything under it.
// Works by name relative to the directory it is in, so paths stay short.
static void
remove_all(const char *name)
{
  static struct dirent ent;
  char child[DIRENT_NAME_LEN + 1];
  struct stat st;
  int fd, r;

  if ((r = stat(name, &st)) < 0) {
    if (r != -ENOENT && (r = unlink(name)) < 0)   // a device file we cannot open
      fail("cleaning up: unlink %s: %s", name, strerror(r));
    return;
  }
  if (st.type != T_DIR) {
    if ((r = unlink(name)) < 0)
      fail("cleaning up: unlink %s: %s", name, strerror(r));
    return;
  }
  expect(chdir(name), 0, "chdir while cleaning up");
  for (;;) {
    fd = xopen(".");
    while ((r = getdents(fd, &ent, 1)) == 1 && is_dot(ent.name))
      ;
    close(fd);
    if (r < 0)
      fail("cleaning up: getdents in %s: %s", name, strerror(r));
    if (r == 0)
      break;
    strcpy(child, ent.name);
    remove_all(child);
  }
  expect(chdir(".."), 0, "chdir .. while cleaning up");
  if ((r = rmdir(name)) < 0)
    fail("cleaning up: rmdir %s: %s", name, strerror(r));
}

// Removes /name and everything under it; leaves the current directory at /.
static void
clean(const char *name)
{
  expect(chdir("/"), 0, "chdir /");
  remove_all(name);
}

// open(path, O_CREATE | flags), which must succeed.
static int
xcreate(const char *path, int flags)
{
  int fd = open(path, O_CREATE | flags);

  if (fd < 0)
    fail("open %s with O_CREATE: %s", path, strerror(fd));
  return fd;
}

static void
xwrite(int fd, const void *buf, int n, const char *what)
{
  int r = write(fd, buf, n);

  if (r != n)
    fail("%s: write of %d bytes returned %d (%s)", what, n, r, describe(r));
}

static void
xread(int fd, void *buf, int n, const char *what)
{
  int r = read(fd, buf, n);

  if (r != n)
    fail("%s: read of %d bytes returned %d (%s)", what, n, r, describe(r));
}

static void
xstat(const char *path, struct stat *st)
{
  int r = stat(path, st);

  if (r < 0)
    fail("stat %s: %s", path, strerror(r));
}

static struct stat
fstat_of(int fd)
{
  struct stat st;
  int r = fstat(fd, &st);

  if (r < 0)
    fail("fstat: %s", strerror(r));
  return st;
}

// The n bytes at p as a string for a message, unprintable ones as '?'.
// Two calls may share a message: they take turns with two buffers.
static const char*
text(const char *p, int n)
{
  static char bufs[2][64];
  static int turn;
  char *s = bufs[turn ^= 1];
  int i;

  n = n < 0 ? 0 : n < (int)sizeof(bufs[0]) ? n : (int)sizeof(bufs[0]) - 1;
  for (i = 0; i < n; i++)
    s[i] = p[i] >= ' ' && p[i] < 127 ? p[i] : '?';
  s[n] = 0;
  return s;
}

// Fails unless the whole of file path is the n bytes in want.
static void
expect_contents(const char *path, const char *want, int n)
{
  char buf[64];
  int fd = xopen(path), r;

  if (n > (int)sizeof(buf) - 1)
    fail("expect_contents: %d bytes is too many", n);
  r = read(fd, buf, sizeof(buf));
  close(fd);
  if (r != n || memcmp(buf, want, n) != 0)
    fail("%s holds %d bytes \"%s\", expected \"%s\"", path, r, text(buf, r), text(want, n));
}

// The byte at offset off of a pattern laid down by fill(buf, PGSIZE, page)
// for each page in turn.
static char
pattern_at(uint off)
{
  return off / PGSIZE + off % PGSIZE % 251;
}

static int
holds_pattern(const char *buf, int n, uint off)
{
  int i;

  for (i = 0; i < n; i++) {
    if (buf[i] != pattern_at(off + i))
      return 0;
  }
  return 1;
}

#define NDIRECT_KB   12          // ext2 with 1 KiB blocks: 12 direct blocks,
#define NINDIRECT_KB 256         // 256 through the indirect block, then the
                                 // double- and triple-indirect ones
#define BIGFILE_KB   300         // reaches into the double-indirect blocks
#define MAXFILE 0x7fffffff       // without large_file, files hold less than 2 GiB
#define FSBLOCK 1024             // the file system's block size

static void
test_bigfile(void)
{
  char *buf = alloc_pages(1);
  int fd, i, n = BIGFILE_KB * 1024 / PGSIZE;
  uint off = (NDIRECT_KB + NINDIRECT_KB) * 1024 - 100;
  struct stat st;

  clean("utbig");
  fd = xcreate("/utbig", O_WRONLY);
  for (i = 0; i < n; i++) {
    fill(buf, PGSIZE, i);
    xwrite(fd, buf, PGSIZE, "a big file");
  }
  st = fstat_of(fd);
  if (st.size != (uint)n * PGSIZE)
    fail("the big file's size is %u, expected %d", st.size, n * PGSIZE);
  close(fd);
  fd = xopen("/utbig");
  for (i = 0; i < n; i++) {
    xread(fd, buf, PGSIZE, "the big file");
    if (!holds(buf, PGSIZE, i))
      fail("the big file reads back wrong at %d KiB", i * PGSIZE / 1024);
  }
  expect(read(fd, buf, PGSIZE), 0, "read at the end of the big file");
  expect(lseek(fd, off, SEEK_SET), off, "lseek near the double-indirect start");
  xread(fd, buf, 200, "across the double-indirect start");
  if (!holds_pattern(buf, 200, off))
    fail("a read across the start of the double-indirect blocks gave wrong data");
  close(fd);
  expect(unlink("/utbig"), 0, "unlink of the big file");
  expect(open("/utbig", O_RDONLY), -ENOENT, "open after unlink");
}

// The byte at offset off of stream file s: it changes with the block, so a
// block read from the wrong place or another file shows.
static char
stream_byte(int s, uint off)
{
  return (off / FSBLOCK * 13 + off % FSBLOCK + s * 71) % 251;
}

static void
stream_fill(char *buf, int n, int s, uint off)
{
  int i;

  for (i = 0; i < n; i++)
    buf[i] = stream_byte(s, off + i);
}

// Reads n bytes of stream file s at fd's offset off, which must match.
static void
stream_check(int fd, char *buf, int n, int s, uint off)
{
  int i;

  xread(fd, buf, n, "a stream file");
  for (i = 0; i < n; i++) {
    if (buf[i] != stream_byte(s, off + i))
      fail("stream file %d reads back wrong at byte %u", s, off + i);
  }
}

#define NSTREAM   4
#define STREAM_KB 320        // each more than the buffer cache (256 KiB)
#define READAHEAD_KB 32      // the kernel's read-ahead run (32 blocks)

// NSTREAM processes write a big file each at once, in pieces that do not
// fit the blocks, then read them back at once, then one process reads them
// all in turn: many requests in flight, read-ahead of several files, and
// the cache evicting data of one file for another.
static void
test_streams(void)
{
  char *buf = alloc_pages(1);
  uint size = STREAM_KB * 1024, off[NSTREAM];
  int s, fd[NSTREAM], n;
  char path[16];

  for (s = 0; s < NSTREAM; s++) {
    strcpy(path, "/utstr0");
    path[6] = '0' + s;
    unlink(path);
    if (xfork() == 0) {
      int f = xcreate(path, O_RDWR);
      uint o;
      for (o = 0; o < size; o += n) {
        n = size - o < 3000 ? size - o : 3000;
        stream_fill(buf, n, s, o);
        xwrite(f, buf, n, "a stream file");
      }
      expect(lseek(f, 0, SEEK_SET), 0, "lseek to 0");
      for (o = 0; o < size; o += n) {
        n = size - o < 1500 ? size - o : 1500;
        stream_check(f, buf, n, s, o);
      }
      close(f);
      exit(0);
    }
  }
  expect_all_exit(NSTREAM, 0, "stream writer");
  for (s = 0; s < NSTREAM; s++) {
    strcpy(path, "/utstr0");
    path[6] = '0' + s;
    fd[s] = xopen(path);
    off[s] = 0;
  }
  while (off[0] < size) {
    for (s = 0; s < NSTREAM; s++) {
      stream_check(fd[s], buf, 4000 < size - off[s] ? 4000 : size - off[s], s, off[s]);
      off[s] += 4000 < size - off[s] ? 4000 : size - off[s];
    }
  }
  for (s = 0; s < NSTREAM; s++) {
    expect(read(fd[s], buf, 1), 0, "read at the end of a stream file");
    close(fd[s]);
    path[6] = '0' + s;
    expect(unlink(path), 0, "unlink of a stream file");
  }
}

// A file read in order while another descriptor writes ahead of the
// reader, into blocks the kernel is reading ahead: the reader must see the
// new bytes, and a read back (not in order) the right ones.
static void
test_readahead(void)
{
  char *buf = alloc_pages(1);
  uint size = 4 * READAHEAD_KB * 1024 + 700, o;
  int r, w, n, i;

  clean("utra");
  w = xcreate("/utra", O_RDWR);
  for (o = 0; o < size; o += n) {
    n = size - o < PGSIZE ? size - o : PGSIZE;
    stream_fill(buf, n, 0, o);
    xwrite(w, buf, n, "/utra");
  }
  close(w);
  r = xopen("/utra");
  w = xcreate("/utra", O_RDWR);
  for (o = 0; o < size; o += n) {
    n = size - o < 1000 ? size - o : 1000;
    if (o == 66000) {
      // The last read crossed into block 64: the kernel has just started
      // reading ahead blocks 96-127. Change bytes just ahead of the reader,
      // a half run on, and in that run, likely still on its way.
      for (i = 0; i < 3; i++) {
        uint at = o + 1000 + i * READAHEAD_KB * 1024 / 2;
        stream_fill(buf, 2000, 1, at);
        expect(lseek(w, at, SEEK_SET), at, "lseek of the writer");
        xwrite(w, buf, 2000, "/utra ahead of its reader");
      }
    }
    xread(r, buf, n, "/utra");
    for (i = 0; i < n; i++) {
      uint at = o + i, changed = 0;
      int k;
      for (k = 0; k < 3; k++) {
        uint from = 67000 + k * READAHEAD_KB * 1024 / 2;
        changed |= at >= from && at < from + 2000;
      }
      if (buf[i] != stream_byte(changed, at))
        fail("/utra reads back wrong at byte %u (%s)", at, changed ? "written ahead of the reader" : "as written first");
    }
  }
  expect(read(r, buf, 1), 0, "read at the end of /utra");
  expect(lseek(r, 5 * 1024 + 10, SEEK_SET), 5 * 1024 + 10, "lseek back");
  stream_check(r, buf, 3000, 0, 5 * 1024 + 10);
  close(r);
  close(w);
  expect(unlink("/utra"), 0, "unlink /utra");
}

// The largest file (a hole, then one byte at the end), and one byte more.
static void
test_maxfile(void)
{
  char buf[100], zeros[100];
  int fd, r;

  clean("utmax");
  memset(zeros, 0, sizeof(zeros));
  fd = xcreate("/utmax", O_RDWR);
  expect(lseek(fd, MAXFILE - 1, SEEK_SET), MAXFILE - 1, "lseek to the last byte a file holds");
  expect(write(fd, "z", 1), 1, "write of the last byte a file holds");
  expect(write(fd, "z", 1), -EFBIG, "write past the largest file");
  expect(lseek(fd, MAXFILE - 1, SEEK_SET), MAXFILE - 1, "lseek");
  if ((r = write(fd, "yy", 2)) != 1 && r != -EFBIG)
    fail("a write running past the largest file returned %d (%s)", r, describe(r));
  if (fstat_of(fd).size != MAXFILE)
    fail("the largest file's size is %u, expected %d", fstat_of(fd).size, MAXFILE);
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
  xread(fd, buf, sizeof(buf), "the hole at the start");
  if (memcmp(buf, zeros, sizeof(buf)) != 0)
    fail("the hole before the last byte does not read as zeros");
  expect(lseek(fd, -1, SEEK_END), MAXFILE - 1, "lseek(-1, SEEK_END)");
  xread(fd, buf, 1, "the last byte");
  if (buf[0] != 'z' && buf[0] != 'y')
    fail("the last byte of the largest file reads back as %d", buf[0]);
  close(fd);
  expect(unlink("/utmax"), 0, "unlink");
}

#define NMANY 200

// Creates NMANY files in one directory, lists them, and removes them.
static void
test_manyfiles(void)
{
  static struct dirent ents[8];
  char seen[NMANY], name[16];
  int fd, i, n, count = 0, k;

  clean("utmany");
  expect(mkdir("/utmany"), 0, "mkdir /utmany");
  expect(chdir("/utmany"), 0, "chdir /utmany");
  for (i = 0; i < NMANY; i++) {
    snprintf(name, sizeof(name), "f%d", i);
    fd = xcreate(name, O_WRONLY);
    xwrite(fd, name, strlen(name), name);
    close(fd);
  }
  memset(seen, 0, sizeof(seen));
  fd = xopen(".");
  while ((n = getdents(fd, ents, 8)) > 0) {
    for (i = 0; i < n; i++, count++) {
      k = atoi(ents[i].name + 1);
      if (is_dot(ents[i].name))
        continue;
      if (ents[i].name[0] != 'f' || k < 0 || k >= NMANY || seen[k]++ || ents[i].type != T_FILE)
        fail("getdents gave an unexpected entry \"%s\" (type %d)", ents[i].name, ents[i].type);
    }
  }
  close(fd);
  if (n < 0 || count != NMANY + 2)
    fail("getdents listed %d entries, expected %d (%s)", count, NMANY + 2, describe(n));
  for (i = 0; i < NMANY; i++) {
    snprintf(name, sizeof(name), "f%d", i);
    expect_contents(name, name, strlen(name));
    expect(unlink(name), 0, "unlink");
  }
  fd = xopen(".");
  expect(getdents(fd, ents, 8), 2, "getdents of the emptied directory");
  close(fd);
  expect(chdir("/"), 0, "chdir /");
  expect(rmdir("/utmany"), 0, "rmdir of the emptied directory");
}

#define DEPTH 20

static void
test_deepdirs(void)
{
  char path[DEPTH * 2 + 16];
  struct stat top, st;
  int i, fd;

  clean("utdeep");
  expect(mkdir("/utdeep"), 0, "mkdir /utdeep");
  expect(chdir("/utdeep"), 0, "chdir /utdeep");
  xstat(".", &top);
  for (i = 0; i < DEPTH; i++) {
    expect(mkdir("d"), 0, "mkdir of a deeper directory");
    expect(chdir("d"), 0, "chdir down");
  }
  fd = xcreate("bottom", O_WRONLY);
  xwrite(fd, "deep", 4, "the bottom file");
  close(fd);
  for (i = 0; i < DEPTH; i++)
    expect(chdir(".."), 0, "chdir ..");
  xstat(".", &st);
  if (st.ino != top.ino)
    fail("%d times chdir .. from %d levels down ended at inode %u, not %u", DEPTH, DEPTH, st.ino, top.ino);
  if (top.nlink != 2 || st.nlink != 3)
    fail("/utdeep has %d links with no subdirectory and %d with one, expected 2 and 3",
         top.nlink, st.nlink);
  strcpy(path, "d");
  for (i = 1; i < DEPTH; i++)
    strcat(path, "/d");
  expect(rmdir("d"), -ENOTEMPTY, "rmdir of a directory with a subdirectory");
  strcat(path, "/bottom");
  expect_contents(path, "deep", 4);
  expect(unlink(path), 0, "unlink of the bottom file");
  for (i = DEPTH; i > 0; i--) {
    *strrchr(path, '/') = 0;
    expect(rmdir(path), 0, "rmdir from the bottom up");
  }
  expect(chdir("/"), 0, "chdir /");
  expect(rmdir("/utdeep"), 0, "rmdir /utdeep");
}

static void
test_unlinkopen(void)
{
  char *buf = alloc_pages(1);
  struct stat old, new;
  int fd, fd2;

  clean("utopen");
  fd = xcreate("/utopen", O_RDWR);
  fill(buf, 3000, 'u');
  xwrite(fd, buf, 3000, "the file to unlink");
  old = fstat_of(fd);
  expect(unlink("/utopen"), 0, "unlink of an open file");
  expect(open("/utopen", O_RDONLY), -ENOENT, "open after unlink");
  if (fstat_of(fd).nlink != 0)
    fail("an unlinked open file has %d links", fstat_of(fd).nlink);
  xwrite(fd, buf, 1000, "the unlinked file");
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek");
  memset(buf, 0, 4000);
  xread(fd, buf, 4000, "the unlinked file");
  if (!holds(buf, 3000, 'u') || !holds(buf + 3000, 1000, 'u'))
    fail("an unlinked open file reads back wrong");
  fd2 = xcreate("/utopen", O_RDWR);        // the name is free again
  new = fstat_of(fd2);
  if (new.ino == old.ino || new.size != 0)
    fail("a new file with the unlinked name got inode %u (the old was %u), size %u",
         new.ino, old.ino, new.size);
  xwrite(fd2, "new", 3, "the new file");
  close(fd);                               // frees the old inode and its blocks
  expect_contents("/utopen", "new", 3);
  close(fd2);
  expect(unlink("/utopen"), 0, "unlink");
}

#define RECLEN 32

// Record i of writer w: "w1 r0042 " and then w's letter, to RECLEN with '\n'.
static void
make_record(char *rec, int w, int i)
{
  int n = snprintf(rec, RECLEN, "w%d r%04d ", w, i);

  memset(rec + n, 'a' + w, RECLEN - 1 - n);
  rec[RECLEN - 1] = '\n';
}

// Checks a file written by nwriters writers of each records: every record
// whole, each writer's in order, none missing.
static void
check_records(const char *path, int nwriters, int each)
{
  char rec[RECLEN], want[RECLEN];
  int fd = xopen(path), next[8], w, r, k;

  memset(next, 0, sizeof(next));
  for (k = 0; (r = read(fd, rec, RECLEN)) == RECLEN; k++) {
    w = rec[1] - '0';
    if (rec[0] != 'w' || w < 0 || w >= nwriters)
      fail("record %d is torn or garbage: \"%s\"", k, text(rec, RECLEN - 1));
    make_record(want, w, next[w]++);
    if (memcmp(rec, want, RECLEN) != 0)
      fail("record %d is \"%s\", expected writer %d's record %d", k, text(rec, RECLEN - 1), w, next[w] - 1);
  }
  close(fd);
  if (r != 0 || k != nwriters * each)
    fail("%s holds %d whole records, expected %d (last read %d)", path, k, nwriters * each, r);
}

#define NAPPENDERS 2
#define NRECORDS 150

// Writes NRECORDS records to fd as writer w, yielding now and then.
static void
write_records(int fd, int w)
{
  char rec[RECLEN];
  int i;

  for (i = 0; i < NRECORDS; i++) {
    make_record(rec, w, i);
    if (write(fd, rec, RECLEN) != RECLEN)
      exit(1);
    if (i % 7 == w)
      yield();
  }
}

// Two processes append records to one file, each through its own O_APPEND
// open: all records arrive, none overwritten or torn.
static void
test_appendtwo(void)
{
  int w, fd;

  clean("utappend");
  close(xcreate("/utappend", O_WRONLY));
  for (w = 0; w < NAPPENDERS; w++) {
    if (xfork() == 0) {
      if ((fd = open("/utappend", O_WRONLY | O_APPEND)) < 0)
        exit(1);
      write_records(fd, w);
      exit(0);
    }
  }
  expect_all_exit(NAPPENDERS, 0, "appender");
  check_records("/utappend", NAPPENDERS, NRECORDS);
  expect(unlink("/utappend"), 0, "unlink");
}

// A parent and child write through one open file (shared across fork): they
// share its offset, so no record overwrites another.
static void
test_sharedfd(void)
{
  int fd, pid;

  clean("utshared");
  fd = xcreate("/utshared", O_WRONLY);
  if ((pid = xfork()) == 0) {
    write_records(fd, 1);
    exit(0);
  }
  write_records(fd, 0);
  expect_exit(pid, 0, "writer child");
  close(fd);
  check_records("/utshared", 2, NRECORDS);
  expect(unlink("/utshared"), 0, "unlink");
}

#define NWORKERS 4
#define NROUNDS 25

// Worker w's round: makes a file of its own, checks it, removes the last
// one; and races the others making and removing one shared name.
static void
create_delete(int w)
{
  char name[32], prev[32];
  int i, fd, r;

  for (i = 0; i < NROUNDS; i++) {
    snprintf(name, sizeof(name), "/utcc/w%d-%d", w, i);
    if ((fd = open(name, O_CREATE | O_RDWR)) < 0)
      fail("worker %d: create %s: %s", w, name, strerror(fd));
    if (fstat_of(fd).size != 0)
      fail("worker %d: a new file %s is not empty", w, name);
    xwrite(fd, name, strlen(name), name);
    close(fd);
    expect_contents(name, name, strlen(name));
    if (i > 0 && (r = unlink(prev)) < 0)
      fail("worker %d: unlink %s: %s", w, prev, strerror(r));
    strcpy(prev, name);
    if ((fd = open("/utcc/shared", O_CREATE | O_WRONLY)) < 0)
      fail("worker %d: create /utcc/shared: %s", w, strerror(fd));
    close(fd);
    if ((r = unlink("/utcc/shared")) < 0 && r != -ENOENT)
      fail("worker %d: unlink /utcc/shared: %s", w, strerror(r));
  }
  expect(unlink(prev), 0, "unlink of the last file");
}

// Several processes create and delete files in one directory at once.
static void
test_concreate(void)
{
  static struct dirent ents[4];
  int w, fd, n;

  clean("utcc");
  expect(mkdir("/utcc"), 0, "mkdir /utcc");
  for (w = 0; w < NWORKERS; w++) {
    if (xfork() == 0) {
      create_delete(w);
      exit(0);
    }
  }
  expect_all_exit(NWORKERS, 0, "create/delete worker");
  fd = xopen("/utcc");
  n = getdents(fd, ents, 4);
  close(fd);
  if (n != 2)
    fail("the directory holds %d entries after all deletes (\"%s\" ...)", n,
         n > 2 ? ents[2].name : "");
  expect(rmdir("/utcc"), 0, "rmdir /utcc");
}

static void
test_truncate(void)
{
  char *buf = alloc_pages(1), zeros[100];
  int fd, i;

  clean("uttrunc");
  memset(zeros, 0, sizeof(zeros));
  fd = xcreate("/uttrunc", O_WRONLY);
  fill(buf, 3000, 't');
  xwrite(fd, buf, 3000, "the file to truncate");
  close(fd);
  fd = open("/uttrunc", O_RDWR | O_TRUNC);
  expect(fd >= 0 ? 0 : fd, 0, "open with O_TRUNC");
  if (fstat_of(fd).size != 0)
    fail("O_TRUNC left the size at %u", fstat_of(fd).size);
  expect(read(fd, buf, 10), 0, "read after O_TRUNC");
  xwrite(fd, "hello", 5, "the truncated file");
  close(fd);
  expect_contents("/uttrunc", "hello", 5);

  fd = xcreate("/uttrunc", O_RDWR);
  fill(buf, 3000, 't');
  xwrite(fd, buf, 3000, "the file to truncate");
  expect(ftruncate(fd, 1000), 0, "ftruncate to 1000");
  if (fstat_of(fd).size != 1000)
    fail("ftruncate(1000) left the size at %u", fstat_of(fd).size);
  expect(ftruncate(fd, 20000), 0, "ftruncate up to 20000");
  if (fstat_of(fd).size != 20000)
    fail("ftruncate(20000) left the size at %u", fstat_of(fd).size);
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek");
  xread(fd, buf, 1000, "the truncated part");
  if (!holds(buf, 1000, 't'))
    fail("ftruncate changed the bytes it kept");
  for (i = 1000; i < 20000; i += sizeof(zeros)) {
    xread(fd, buf, sizeof(zeros), "the extended part");
    if (memcmp(buf, zeros, sizeof(zeros)) != 0)
      fail("the bytes after ftruncate shrank then grew the file are not zero at %d", i);
  }
  close(fd);
  fd = xopen("/uttrunc");
  expect(ftruncate(fd, 0), -EBADF, "ftruncate of a file opened read-only");
  close(fd);
  expect(unlink("/uttrunc"), 0, "unlink");
}

static void
test_append(void)
{
  char buf[16];
  int fd;

  clean("utappend1");
  fd = xcreate("/utappend1", O_WRONLY);
  xwrite(fd, "abc", 3, "the file");
  close(fd);
  fd = open("/utappend1", O_WRONLY | O_APPEND);
  expect(fd >= 0 ? 0 : fd, 0, "open with O_APPEND");
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek to 0");
  xwrite(fd, "def", 3, "an O_APPEND file");
  expect(lseek(fd, 0, SEEK_CUR), 6, "the offset after an appending write");
  xwrite(fd, "gh", 2, "an O_APPEND file");
  close(fd);
  expect_contents("/utappend1", "abcdefgh", 8);
  fd = open("/utappend1", O_RDWR | O_APPEND);
  expect(fd >= 0 ? 0 : fd, 0, "open with O_RDWR|O_APPEND");
  xread(fd, buf, 3, "an O_RDWR|O_APPEND file");
  if (memcmp(buf, "abc", 3) != 0)
    fail("reading an O_APPEND file from the start gave \"%s\"", text(buf, 3));
  xwrite(fd, "ij", 2, "an O_RDWR|O_APPEND file");
  close(fd);
  expect_contents("/utappend1", "abcdefghij", 10);
  expect(unlink("/utappend1"), 0, "unlink");
}

// Fails unless the len bytes at off in fd are zero.
static void
expect_zeros(int fd, uint off, int len)
{
  char buf[128];
  int i;

  expect(lseek(fd, off, SEEK_SET), off, "lseek into a hole");
  xread(fd, buf, len, "a hole");
  for (i = 0; i < len; i++) {
    if (buf[i] != 0)
      fail("a hole reads %d at offset %u", buf[i], off + i);
  }
}

// Writes past the end leave holes that read as zeros, in direct, indirect
// and double-indirect blocks.
static void
test_holes(void)
{
  char buf[16];
  int fd;

  clean("utholes");
  fd = xcreate("/utholes", O_RDWR);
  expect(lseek(fd, 5000, SEEK_SET), 5000, "lseek past the end");
  if (fstat_of(fd).size != 0)
    fail("lseek alone changed the size to %u", fstat_of(fd).size);
  xwrite(fd, "end", 3, "after a hole");
  if (fstat_of(fd).size != 5003)
    fail("the size after a hole is %u, expected 5003", fstat_of(fd).size);
  expect_zeros(fd, 0, 128);
  expect_zeros(fd, 4990, 10);
  expect(lseek(fd, 2048, SEEK_SET), 2048, "lseek into the hole");
  xwrite(fd, "mid", 3, "into a hole");
  expect_zeros(fd, 2040, 8);
  xread(fd, buf, 3, "the middle of a hole");
  if (memcmp(buf, "mid", 3) != 0)
    fail("a write into a hole reads back as \"%s\"", text(buf, 3));
  expect_zeros(fd, 2051, 100);
  expect(lseek(fd, 400 * 1024, SEEK_SET), 400 * 1024, "lseek to 400 KiB");
  xwrite(fd, "far", 3, "at 400 KiB");
  expect_zeros(fd, 100 * 1024, 128);       // indirect blocks
  expect_zeros(fd, 300 * 1024, 128);       // double-indirect blocks
  expect_zeros(fd, 400 * 1024 - 128, 128);
  xread(fd, buf, 3, "the end of a sparse file");
  if (memcmp(buf, "far", 3) != 0)
    fail("the last bytes of a sparse file are not \"far\"");
  expect(read(fd, buf, 1), 0, "read at the end of a sparse file");
  if (fstat_of(fd).size != 400 * 1024 + 3)
    fail("a sparse file's size is %u, expected %d", fstat_of(fd).size, 400 * 1024 + 3);
  close(fd);
  expect(unlink("/utholes"), 0, "unlink");
}

static void
put_file(const char *path, const char *text)
{
  int fd = xcreate(path, O_WRONLY | O_TRUNC);

  xwrite(fd, text, strlen(text), path);
  close(fd);
}

static void
test_rename(void)
{
  struct stat st, parent;

  clean("utren");
  expect(mkdir("/utren"), 0, "mkdir /utren");
  expect(chdir("/utren"), 0, "chdir /utren");
  put_file("a", "AAA");
  put_file("b", "BB");
  expect(rename("a", "b"), 0, "rename over an existing file");
  expect(open("a", O_RDONLY), -ENOENT, "open of the old name");
  expect_contents("b", "AAA", 3);
  xstat("b", &st);
  if (st.nlink != 1)
    fail("a renamed file has %d links", st.nlink);
  expect(rename("b", "b"), 0, "rename to the same name");
  expect_contents("b", "AAA", 3);
  expect(rename("nonexistent", "x"), -ENOENT, "rename of a name that does not exist");

  expect(mkdir("d"), 0, "mkdir d");
  expect(mkdir("e"), 0, "mkdir e");
  put_file("e/f", "F");
  expect(rename("b", "d"), -EISDIR, "rename of a file over a directory");
  expect(rename("d", "b"), -ENOTDIR, "rename of a directory over a file");
  expect(rename("d", "e"), -ENOTEMPTY, "rename over a directory that is not empty");
  expect(unlink("e/f"), 0, "unlink e/f");
  expect(rename("d", "e"), 0, "rename over an empty directory");
  expect(stat("d", &st), -ENOENT, "stat of the renamed directory's old name");
  expect(mkdir("e/sub"), 0, "mkdir e/sub");
  expect(rename("e", "e/sub/x"), -EINVAL, "rename of a directory into itself");
  expect(rename("e/sub", "sub2"), 0, "rename of a directory to another parent");
  xstat(".", &parent);
  xstat("sub2/..", &st);
  if (st.ino != parent.ino)
    fail("a moved directory's .. is inode %u, expected its new parent %u", st.ino, parent.ino);
  xstat("e", &st);
  if (st.nlink != 2 || parent.nlink != 4)
    fail("links after moving a directory: old parent %d (expected 2), new parent %d (expected 4)",
         st.nlink, parent.nlink);
  expect(rename("b", "e/b"), 0, "rename of a file to another directory");
  expect_contents("e/b", "AAA", 3);
  expect(unlink("e/b"), 0, "unlink e/b");
  expect(rmdir("e"), 0, "rmdir e");
  expect(rmdir("sub2"), 0, "rmdir sub2");
  expect(chdir("/"), 0, "chdir /");
  expect(rmdir("/utren"), 0, "rmdir /utren");
}

static void
test_rmdir(void)
{
  struct stat root, st;

  clean("utrmdir");
  xstat("/", &root);
  expect(mkdir("/utrmdir"), 0, "mkdir /utrmdir");
  expect(mkdir("/utrmdir"), -EEXIST, "mkdir of an existing directory");
  xstat("/", &st);
  if (st.nlink != root.nlink + 1)
    fail("mkdir took / from %d links to %d, expected %d", root.nlink, st.nlink, root.nlink + 1);
  put_file("/utrmdir/f", "f");
  expect(rmdir("/utrmdir"), -ENOTEMPTY, "rmdir of a directory holding a file");
  expect(rmdir("/utrmdir/f"), -ENOTDIR, "rmdir of a file");
  expect(rmdir("/utrmdir/nonexistent"), -ENOENT, "rmdir of a name that does not exist");
  expect(unlink("/utrmdir"), -ENOTEMPTY, "unlink of a directory holding a file");
  expect(mkdir("/utrmdir/sub"), 0, "mkdir /utrmdir/sub");
  expect(rmdir("/utrmdir/sub/."), -EINVAL, "rmdir of .");
  expect(unlink("/utrmdir/f"), 0, "unlink /utrmdir/f");
  expect(rmdir("/utrmdir"), -ENOTEMPTY, "rmdir of a directory holding a directory");
  expect(rmdir("/utrmdir/sub"), 0, "rmdir of an empty directory");
  expect(rmdir("/utrmdir"), 0, "rmdir of an emptied directory");
  expect(stat("/utrmdir", &st), -ENOENT, "stat after rmdir");
  xstat("/", &st);
  if (st.nlink != root.nlink)
    fail("/ has %d links after mkdir and rmdir, %d before", st.nlink, root.nlink);
}

static void
test_linkcount(void)
{
  struct stat st, st2;
  int fd;

  clean("utlink");
  clean("utlink2");
  fd = xcreate("/utlink", O_RDWR);
  if (fstat_of(fd).nlink != 1)
    fail("a new file has %d links", fstat_of(fd).nlink);
  expect(link("/utlink", "/utlink2"), 0, "link");
  st = fstat_of(fd);
  xstat("/utlink2", &st2);
  if (st.nlink != 2 || st2.ino != st.ino)
    fail("after link: %d links, inodes %u and %u", st.nlink, st.ino, st2.ino);
  xwrite(fd, "shared", 6, "a linked file");
  expect_contents("/utlink2", "shared", 6);
  expect(link("/utlink", "/utlink2"), -EEXIST, "link to a name that exists");
  expect(link("/", "/utlink3"), -EPERM, "link to a directory");
  expect(link("/nonexistent", "/utlink3"), -ENOENT, "link to a name that does not exist");
  expect(unlink("/utlink"), 0, "unlink of the first name");
  if (fstat_of(fd).nlink != 1)
    fail("after unlink of one of two names: %d links", fstat_of(fd).nlink);
  expect_contents("/utlink2", "shared", 6);
  expect(unlink("/utlink2"), 0, "unlink of the second name");
  if (fstat_of(fd).nlink != 0)
    fail("after unlink of both names: %d links", fstat_of(fd).nlink);
  close(fd);
}

// Names up to 255 bytes work; longer ones give -ENAMETOOLONG.
static void
test_names(void)
{
  static struct dirent ent;
  char name[DIRENT_NAME_LEN + 2];
  int fd, r, found = 0;

  clean("utnames");
  expect(mkdir("/utnames"), 0, "mkdir /utnames");
  expect(chdir("/utnames"), 0, "chdir /utnames");
  memset(name, 'n', DIRENT_NAME_LEN);
  name[DIRENT_NAME_LEN] = 0;
  close(xcreate(name, O_WRONLY));
  fd = xopen(".");
  while ((r = getdents(fd, &ent, 1)) == 1)
    found += strcmp(ent.name, name) == 0;
  close(fd);
  if (found != 1)
    fail("getdents does not give back a 255-byte name");
  strcat(name, "n");
  expect(open(name, O_CREATE | O_WRONLY), -ENAMETOOLONG, "create with a 256-byte name");
  expect(mkdir(name), -ENAMETOOLONG, "mkdir with a 256-byte name");
  name[DIRENT_NAME_LEN] = 0;
  expect(unlink(name), 0, "unlink of a 255-byte name");
  expect(chdir("/"), 0, "chdir /");
  expect(rmdir("/utnames"), 0, "rmdir /utnames");
}

// mknod makes a console device file; another major number names no device.
static void
test_mknod(void)
{
  int fd;

  clean("utcons");
  clean("utnodev");
  expect(mknod("/utcons", 1, 0), 0, "mknod of the console");
  expect(mknod("/utcons", 1, 0), -EEXIST, "mknod of a name that exists");
  fd = open("/utcons", O_WRONLY);
  expect(fd >= 0 ? 0 : fd, 0, "open of the console device file");
  if (fstat_of(fd).type != T_DEVICE)
    fail("the console device file has type %d", fstat_of(fd).type);
  expect(write(fd, "", 0), 0, "write of nothing to the console");
  close(fd);
  expect(unlink("/utcons"), 0, "unlink of a device file");
  expect(mknod("/utnodev", 99, 0), 0, "mknod with major 99");
  expect(open("/utnodev", O_RDONLY), -ENODEV, "open of a device that does not exist");
  expect(unlink("/utnodev"), 0, "unlink");
}

// A new file's mtime is the time now (not before the image was made);
// a write a second later moves it on; sync succeeds.
static void
test_mtime(void)
{
  struct stat readme, st;
  int fd;

  clean("uttime");
  xstat("/README", &readme);
  fd = xcreate("/uttime", O_WRONLY);
  st = fstat_of(fd);
  if (st.mtime < readme.mtime)
    fail("a new file's mtime %u is before /README's, %u", st.mtime, readme.mtime);
  sleep(110);
  xwrite(fd, "x", 1, "a file a second later");
  if (fstat_of(fd).mtime <= st.mtime)
    fail("a write a second later left mtime at %u (was %u)", fstat_of(fd).mtime, st.mtime);
  close(fd);
  expect(sync(), 0, "sync");
  expect(unlink("/uttime"), 0, "unlink");
}

static uint
free_blocks(void)
{
  return system_info().free_blocks;
}

// write() from a bad pointer fails with -EFAULT and takes no disk block,
// not even one past the end of the file (which unlink would not free);
// nor does a write whose buffer runs off the end of the heap, or a read
// into a bad pointer.
static void
test_badwrite(void)
{
  char *heap_end = alloc_pages(1) + PGSIZE;
  uint before;
  int fd, i;

  clean("utbadw");
  clean("utbadw2");
  before = free_blocks();
  fd = xcreate("/utbadw", O_RDWR);
  for (i = 0; i < 20; i++)
    expect(write(fd, (char*)0x80000000, FSBLOCK), -EFAULT, "write from kernel memory");
  if (fstat_of(fd).size != 0)
    fail("failed writes left a file of %u bytes", fstat_of(fd).size);
  close(fd);
  expect(unlink("/utbadw"), 0, "unlink");
  if (free_blocks() != before)
    fail("%u blocks free before, %u after failed writes to a file now gone",
         before, free_blocks());
  fd = xcreate("/utbadw2", O_RDWR);
  expect(write(fd, heap_end - FSBLOCK, 3 * FSBLOCK), FSBLOCK,
         "write of a buffer running off the heap");
  for (i = 0; i < 20; i++)
    expect(write(fd, heap_end, FSBLOCK), -EFAULT, "write from past the heap");
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek");
  expect(read(fd, heap_end, FSBLOCK), -EFAULT, "read into past the heap");
  if (fstat_of(fd).size != FSBLOCK)
    fail("the file holds %u bytes, expected %d", fstat_of(fd).size, FSBLOCK);
  if (free_blocks() != before - 1)
    fail("a file of one block took %d blocks", (int)(before - free_blocks()));
  close(fd);
  expect(unlink("/utbadw2"), 0, "unlink");
}

// open(dir, O_CREATE) fails with -EISDIR, whatever the access mode.
static void
test_createdir(void)
{
  clean("utcdir");
  expect(mkdir("/utcdir"), 0, "mkdir /utcdir");
  expect(open("/utcdir", O_CREATE | O_RDONLY), -EISDIR, "open(dir, O_CREATE|O_RDONLY)");
  expect(open("/utcdir", O_CREATE | O_RDWR), -EISDIR, "open(dir, O_CREATE|O_RDWR)");
  expect(open("/", O_CREATE), -EISDIR, "open(/, O_CREATE)");
  expect(rmdir("/utcdir"), 0, "rmdir /utcdir");
}

// unlink() removes an empty directory, as xv6's does; not a full one.
static void
test_unlinkdir(void)
{
  struct stat root, st;

  clean("utudir");
  xstat("/", &root);
  expect(mkdir("/utudir"), 0, "mkdir /utudir");
  put_file("/utudir/f", "f");
  expect(unlink("/utudir"), -ENOTEMPTY, "unlink of a directory holding a file");
  expect(unlink("/utudir/f"), 0, "unlink /utudir/f");
  expect(unlink("/utudir"), 0, "unlink of an empty directory");
  expect(stat("/utudir", &st), -ENOENT, "stat after unlink");
  xstat("/", &st);
  if (st.nlink != root.nlink)
    fail("/ has %d links after mkdir and unlink, %d before", st.nlink, root.nlink);
}

// The working directory removed, then its parent: nothing can be named in
// or made through the removed directory, ".." included (its parent's inode
// and blocks are freed), so nothing is linked into a freed directory.
static void
test_deaddir(void)
{
  struct stat st;

  clean("utdead");
  expect(mkdir("/utdead"), 0, "mkdir /utdead");
  expect(mkdir("/utdead/in"), 0, "mkdir /utdead/in");
  expect(chdir("/utdead/in"), 0, "chdir /utdead/in");
  expect(unlink("/utdead/in"), 0, "unlink of the working directory");
  expect(unlink("/utdead"), 0, "unlink of its parent");
  expect(open("f", O_CREATE | O_RDWR), -ENOENT, "create in the removed working directory");
  expect(mkdir("d"), -ENOENT, "mkdir in the removed working directory");
  expect(open("../f", O_CREATE | O_RDWR), -ENOENT, "create through '..' of the removed directory");
  expect(stat("..", &st), -ENOENT, "stat of '..' of the removed directory");
  expect(chdir("/"), 0, "chdir /");
  expect(stat("/utdead", &st), -ENOENT, "stat /utdead after unlink");
}

// fsync(fd) on a file succeeds; on a pipe it is -EINVAL, on no file -EBADF.
static void
test_fsync(void)
{
  int fd, fds[2];

  clean("utfsync");
  fd = xcreate("/utfsync", O_WRONLY);
  xwrite(fd, "durable", 7, "/utfsync");
  expect(fsync(fd), 0, "fsync of a written file");
  close(fd);
  expect_contents("/utfsync", "durable", 7);
  expect(pipe(fds), 0, "pipe");
  expect(fsync(fds[1]), -EINVAL, "fsync of a pipe");
  close(fds[0]);
  close(fds[1]);
  expect(fsync(-1), -EBADF, "fsync of fd -1");
  expect(unlink("/utfsync"), 0, "unlink");
}

// ---- Files: running out of space (run only by name: usertests diskfull inodes) ----

#define FULLCHUNK 8192

// Writes one file until the disk is full: a clean -ENOSPC, the data before
// it intact, and all well again once the file is gone.
static void
test_diskfull(void)
{
  char *buf = alloc_pages(FULLCHUNK / PGSIZE);
  uint total = 0;
  int fd, r, i;

  clean("utfull");
  clean("utfull2");
  fd = xcreate("/utfull", O_RDWR);
  fill(buf, FULLCHUNK, 'f');
  while ((r = write(fd, buf, FULLCHUNK)) == FULLCHUNK)
    total += r;
  if (r > 0) {
    total += r;
    r = write(fd, buf, FULLCHUNK);
  }
  expect(r, -ENOSPC, "write to a full disk");
  if (total < 16 << 20)
    fail("the disk was full after %u bytes", total);
  // Many times over: a failure that leaked a buffer or inode would
  // soon use up the kernel's caches (64 of each) and hang.
  for (i = 0; i < 100; i++) {
    expect(write(fd, buf, 1), -ENOSPC, "another write to a full disk");
    expect(mkdir("/utfull2"), -ENOSPC, "mkdir on a full disk");
  }
  if (fstat_of(fd).size != total)
    fail("the file's size is %u, but %u bytes were written", fstat_of(fd).size, total);
  expect(lseek(fd, 0, SEEK_SET), 0, "lseek");
  xread(fd, buf, FULLCHUNK, "the full disk's file");
  if (!holds(buf, FULLCHUNK, 'f'))
    fail("the start of the file that filled the disk reads back wrong");
  close(fd);
  expect(unlink("/utfull"), 0, "unlink of the file that filled the disk");
  fd = xcreate("/utfull", O_RDWR);
  fill(buf, FULLCHUNK, 'g');
  xwrite(fd, buf, FULLCHUNK, "a file after freeing the disk");
  close(fd);
  expect(mkdir("/utfull2"), 0, "mkdir after freeing the disk");
  expect(rmdir("/utfull2"), 0, "rmdir");
  expect(unlink("/utfull"), 0, "unlink");
}

#define FILES_PER_DIR 128

// Makes empty files (FILES_PER_DIR to a directory) until there are no free
// inodes: a clean -ENOSPC, then everything removed and all well again.
static void
test_inodes(void)
{
  char name[32];
  int d, f, r = 0, n = 0, fd;

  clean("utinodes");
  expect(mkdir("/utinodes"), 0, "mkdir /utinodes");
  for (d = 0; r >= 0; d++) {
    snprintf(name, sizeof(name), "/utinodes/d%d", d);
    if ((r = mkdir(name)) < 0)
      break;
    for (f = 0; f < FILES_PER_DIR && r >= 0; f++) {
      snprintf(name, sizeof(name), "/utinodes/d%d/f%d", d, f);
      if ((r = open(name, O_CREATE | O_WRONLY)) >= 0) {
        close(r);
        n++;
      }
    }
  }
  expect(r, -ENOSPC, "create with no free inodes");
  if (n < 1000)
    fail("ran out of inodes after %d files", n);
  for (f = 0; f < 100; f++) {      // no leaks on the way out (see test_diskfull)
    expect(open("/utinodes/more", O_CREATE | O_WRONLY), -ENOSPC, "another create with no free inodes");
    expect(mkdir("/utinodes/more"), -ENOSPC, "mkdir with no free inodes");
  }
  expect_contents("/utinodes/d0/f0", "", 0);
  clean("utinodes");
  fd = xcreate("/utinodes", O_WRONLY);
  close(fd);
  expect(unlink("/utinodes"), 0, "unlink");
}

// ---- Pipes ----

// A read sees end of file only when every write end is closed, including
// one held by another process and one made by dup.
static void
test_pipeeof(void)
{
  char buf[8];
  int fds[2], pid, dupfd, n, total = 0;

  expect(pipe(fds), 0, "pipe");
  if ((pid = xfork()) == 0) {
    close(fds[0]);
    sleep(10);
    xwrite(fds[1], "late", 4, "the writer child");
    exit(0);
  }
  dupfd = dup(fds[1]);
  close(fds[1]);
  xwrite(dupfd, "dup!", 4, "a dup of the write end");
  close(dupfd);
  while ((n = read(fds[0], buf + total, sizeof(buf) - total)) > 0)
    total += n;
  // (the child's write comes second unless this process is held up 10 ticks)
  if (n < 0 || total != 8 || (memcmp(buf, "dup!late", 8) != 0 && memcmp(buf, "latedup!", 8) != 0))
    fail("read %d bytes \"%s\" before end of file, expected \"dup!late\" (%s)",
         total, text(buf, total), describe(n));
  expect(read(fds[0], buf, 1), 0, "read again at end of file");
  close(fds[0]);
  expect_exit(pid, 0, "writer child");
}

#define NPWRITERS 8
#define PEACH 3000

// Many writers into one pipe, in writes of varied sizes: every byte arrives.
static void
test_pipemany(void)
{
  char buf[128];
  int fds[2], counts[NPWRITERS], w, i, n, len;

  expect(pipe(fds), 0, "pipe");
  for (w = 0; w < NPWRITERS; w++) {
    if (xfork() == 0) {
      close(fds[0]);
      memset(buf, 'A' + w, sizeof(buf));
      for (i = 0; i < PEACH; i += len) {
        len = 1 + (i * 7 + w) % sizeof(buf);
        len = len < PEACH - i ? len : PEACH - i;
        xwrite(fds[1], buf, len, "a pipe writer");
      }
      exit(0);
    }
  }
  close(fds[1]);
  memset(counts, 0, sizeof(counts));
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
    for (i = 0; i < n; i++) {
      w = buf[i] - 'A';
      if (w < 0 || w >= NPWRITERS)
        fail("a byte %d that no writer wrote came out of the pipe", buf[i]);
      counts[w]++;
    }
  }
  close(fds[0]);
  expect_all_exit(NPWRITERS, 0, "pipe writer");
  for (w = 0; w < NPWRITERS; w++) {
    if (counts[w] != PEACH)
      fail("writer %d's %d bytes came through as %d", w, PEACH, counts[w]);
  }
}

#define PIPEBIG (1 << 20)

// 1 MiB through a pipe, read in pieces of odd sizes, checked byte by byte.
static void
test_pipebig(void)
{
  char *buf = alloc_pages(2);
  int fds[2], pid, n, i, sizes[] = { 1000, 4096, 333, 8000 };
  uint total = 0;

  expect(pipe(fds), 0, "pipe");
  if ((pid = xfork()) == 0) {
    close(fds[0]);
    for (i = 0; i < PIPEBIG / PGSIZE; i++) {
      fill(buf, PGSIZE, i);
      xwrite(fds[1], buf, PGSIZE, "the big pipe");
    }
    exit(0);
  }
  close(fds[1]);
  for (i = 0; (n = read(fds[0], buf, sizes[i % 4])) > 0; i++) {
    if (total + n > PIPEBIG || !holds_pattern(buf, n, total))
      fail("the data through the pipe is wrong at offset %u", total);
    total += n;
  }
  close(fds[0]);
  if (n < 0 || total != PIPEBIG)
    fail("%u bytes came through the pipe, expected %d (%s)", total, PIPEBIG, describe(n));
  expect_exit(pid, 0, "pipe writer");
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
  { "bigfile",     test_bigfile,     0 },
  { "maxfile",     test_maxfile,     0 },
  { "streams",     test_streams,     0 },
  { "readahead",   test_readahead,   0 },
  { "manyfiles",   test_manyfiles,   0 },
  { "deepdirs",    test_deepdirs,    0 },
  { "unlinkopen",  test_unlinkopen,  0 },
  { "appendtwo",   test_appendtwo,   0 },
  { "sharedfd",    test_sharedfd,    0 },
  { "concreate",   test_concreate,   0 },
  { "truncate",    test_truncate,    0 },
  { "append",      test_append,      0 },
  { "holes",       test_holes,       0 },
  { "rename",      test_rename,      0 },
  { "rmdir",       test_rmdir,       0 },
  { "linkcount",   test_linkcount,   0 },
  { "names",       test_names,       0 },
  { "mknod",       test_mknod,       0 },
  { "mtime",       test_mtime,       0 },
  { "badwrite",    test_badwrite,    0 },
  { "createdir",   test_createdir,   0 },
  { "unlinkdir",   test_unlinkdir,   0 },
  { "fsync",       test_fsync,       0 },
  { "deaddir",     test_deaddir,     0 },
  { "pipeeof",     test_pipeeof,     1 },
  { "pipemany",    test_pipemany,    1 },
  { "pipebig",     test_pipebig,     1 },
};

// Tests that fill the disk take a while: they run only when named.
static const struct test byname[] = {
  { "diskfull",    test_diskfull,    0 },
  { "inodes",      test_inodes,      0 },
};

#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))
#define NBYNAME (int)(sizeof(byname) / sizeof(byname[0]))

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
  for (i = 0; i < NBYNAME; i++) {
    if (strcmp(byname[i].name, name) == 0)
      return &byname[i];
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
