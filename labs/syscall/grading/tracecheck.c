// tracecheck MODE: the syscall lab's grading program (the grader builds it
// into /grade/ from labs/syscall/grading/, never from the student's user/).
//
//   tracecheck only     traces getpid alone, then makes other calls too
//   tracecheck results  traces open, dup and close: results that are errors
//   tracecheck names    traces every call below 32 and makes many of them,
//                       and calls 32 and up, which have no bit
//   tracecheck fork     the child of a traced process is traced; its
//                       trace(0) stops its tracing, not its parent's
//   tracecheck exec     the mask survives exec (of "tracecheck afterexec"),
//                       and the exec that succeeded is printed with its result
//
// While tracing, a process prints nothing (its own writes would be traced
// lines too). After trace(0) it prints "tracecheck: expect PID NAME RESULT"
// for each traced call it made, in order; the grader compares them with
// the kernel's "PID: syscall NAME -> RESULT" lines. Every mode ends with
// "tracecheck: done".

#include "kernel/syscall.h"
#include "user/user.h"

#define MAXCALLS 40

int sys_shmat(int key, uint len);   // the raw call (user/usys.S): shmat() hides its error

static struct { const char *name; int result; } made[MAXCALLS];
static int nmade;

// Call result came from a traced call named name.
static int
traced(const char *name, int result)
{
  if (nmade < MAXCALLS) {
    made[nmade].name = name;
    made[nmade].result = result;
    nmade++;
  }
  return result;
}

static void
start(uint mask)
{
  int err = trace(mask);
  if (err != 0) {
    printf("tracecheck: trace(%x) returned %d\n", mask, err);
    printf("tracecheck: done\n");
    exit(1);
  }
}

// Tracing off, then what the kernel should have printed.
static void
report(void)
{
  trace(0);
  for (int i = 0; i < nmade; i++)
    printf("tracecheck: expect %d %s %d\n", getpid(), made[i].name, made[i].result);
}

static void
only(void)
{
  start(1 << SYS_getpid);
  traced("getpid", getpid());
  uptime();
  traced("getpid", getpid());
  close(dup(1));
  sleep(1);
  traced("getpid", getpid());
  report();
}

static void
results(void)
{
  start(1 << SYS_open | 1 << SYS_dup | 1 << SYS_close);
  traced("open", open("/grade/no-such-file", O_RDONLY));
  int fd = traced("dup", dup(1));
  traced("close", close(fd));
  traced("close", close(fd));
  traced("close", close(-1));
  getpid();
  report();
}

static void
names(void)
{
  struct stat st;
  struct sysinfo si;
  struct procinfo pi[4];
  struct dirent de[2];
  int fds[2];
  char c;

  start(~0u);           // bit 0 too: it means nothing, and call 32 has no bit
  traced("getpid", getpid());
  traced("uptime", uptime());
  traced("sbrk", (int)sbrk(0));
  int fd = traced("open", open("/", O_RDONLY));
  traced("fstat", fstat(fd, &st));
  traced("getdents", getdents(fd, de, 2));
  traced("lseek", lseek(fd, 0, 0));
  traced("dup", dup(fd));
  traced("close", close(fd));
  traced("pipe", pipe(fds));
  traced("write", write(fds[1], "x", 1));
  traced("read", read(fds[0], &c, 1));
  traced("close", close(fds[0]));
  traced("close", close(fds[1]));
  traced("kill", kill(9999));
  traced("chdir", chdir("/"));
  traced("yield", yield());
  traced("sysinfo", sysinfo(&si));
  traced("procinfo", procinfo(pi, 4));
  traced("sleep", sleep(0));
  traced("wait", wait(0));
  traced("exec", exec("/grade/no-such-program", (char *[]){ "x", 0 }));
  traced("unlink", unlink("/grade/no-such-file"));
  traced("mkdir", mkdir("/"));
  traced("link", link("/grade/no-such-file", "/grade/other"));
  traced("munmap", munmap((void *)0x1000, 0));
  traced("mknod", mknod("/grade/no-such-dir/node", 1, 1));
  traced("send", send(1, "x", 1, 0x80));      // no such flag
  traced("recv", recv(&c, 1, 0, 0x80));
  traced("shmat", sys_shmat(1, 0x7ffff000));        // too big
  rename("/grade/no-such-file", "/grade/other");   // 32: 1 << 32 is not bit 0
  rmdir("/grade/no-such-dir");                     // 35: nor bit 3
  report();
}

static void
forked(void)
{
  start(1 << SYS_getpid | 1 << SYS_wait);
  int pid = fork();
  if (pid == 0) {
    traced("getpid", getpid());
    trace(0);
    getpid();            // no longer traced
    report();
    exit(0);
  }
  traced("wait", wait(0));
  traced("getpid", getpid());
  report();
}

static void
exec_traced(void)
{
  start(1 << SYS_getpid | 1 << SYS_exec);
  exec("/grade/tracecheck", (char *[]){ "tracecheck", "afterexec", 0 });
  printf("tracecheck: exec failed\n");
}

static void
afterexec(int argc)
{
  traced("exec", argc);   // exec's own result, printed once it returned
  traced("getpid", getpid());
  traced("getpid", getpid());
  report();
}

int
main(int argc, char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "only") == 0)
    only();
  else if (strcmp(mode, "results") == 0)
    results();
  else if (strcmp(mode, "names") == 0)
    names();
  else if (strcmp(mode, "fork") == 0)
    forked();
  else if (strcmp(mode, "exec") == 0)
    exec_traced();
  else if (strcmp(mode, "afterexec") == 0)
    afterexec(argc);
  else
    printf("usage: tracecheck only|results|names|fork|exec\n");
  printf("tracecheck: done\n");
  return 0;
}
