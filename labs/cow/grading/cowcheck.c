// cowcheck MODE: the cow lab's grading program (the grader builds it into
// /grade/, from labs/cow/grading/, never from the student's user/).
//
//   cowcheck share   fork of a 32-page buffer: how many frames fork took
//   cowcheck write   the child stores into 5 of the pages: how many frames
//                    that took, and whether each process kept its own data
//   cowcheck alone   the child exits at once, then the parent stores into
//                    every page: nobody shares them any more (the grader
//                    watches the faults through the inspector)
//
// Each mode prints "cowcheck: <fact> <number>" lines and ends with
// "cowcheck: done"; the grader judges the numbers.

#include "user/user.h"

#define PGSIZE 4096
#define NPAGES 32
#define NWRITTEN 5       // pages the child stores into in "write"

static char *buf;

static int
free_frames(void)
{
  struct sysinfo si;

  if (sysinfo(&si) < 0) {
    printf("cowcheck: sysinfo failed\n");
    exit(1);
  }
  return si.free_frames;
}

static void
stamp(int page, char c)
{
  memset(buf + page * PGSIZE, c, PGSIZE);
}

// Whether every byte of the page is c.
static int
stamped(int page, char c)
{
  for (int i = 0; i < PGSIZE; i++)
    if (buf[page * PGSIZE + i] != c)
      return 0;
  return 1;
}

static int
child_status(void)
{
  int status = -1;

  if (wait(&status) < 0)
    printf("cowcheck: wait failed\n");
  return status;
}

static void
share(void)
{
  int before = free_frames(), pid;

  if ((pid = fork()) == 0) {
    sleep(5);
    exit(0);
  }
  printf("cowcheck: frames taken by fork %d\n", before - free_frames());
  child_status();
}

static void
write_some(void)
{
  int pid, seen, status;
  int pipefd[2];

  if (pipe(pipefd) < 0)
    exit(1);
  if ((pid = fork()) == 0) {
    int before = free_frames(), copied, ok = 1;
    for (int p = 0; p < NWRITTEN; p++) {
      ok &= stamped(p, 'P');
      stamp(p, 'C');
    }
    copied = before - free_frames();
    for (int p = 0; p < NPAGES; p++)
      ok &= stamped(p, p < NWRITTEN ? 'C' : 'P');
    write(pipefd[1], &copied, sizeof(copied));
    exit(ok ? 0 : 2);
  }
  close(pipefd[1]);
  if (read(pipefd[0], &seen, sizeof(seen)) != sizeof(seen))
    seen = -1;
  status = child_status();
  printf("cowcheck: frames taken by the child's stores to %d pages %d\n", NWRITTEN, seen);
  printf("cowcheck: child saw its own data and the parent's %s\n", status == 0 ? "yes" : "no");
  int ok = 1;
  for (int p = 0; p < NPAGES; p++)
    ok &= stamped(p, 'P');
  printf("cowcheck: parent kept its data %s\n", ok ? "yes" : "no");
}

static void
alone(void)
{
  int before;

  if (fork() == 0)
    exit(0);
  child_status();
  before = free_frames();
  for (int p = 0; p < NPAGES; p++)
    stamp(p, 'A');
  printf("cowcheck: frames taken by stores to %d pages nobody shares %d\n", NPAGES,
         before - free_frames());
}

int
main(int argc, char *argv[])
{
  // One page more, so that the buffer can start on a page boundary.
  if ((buf = sbrk((NPAGES + 1) * PGSIZE)) == (char *)-1) {
    printf("cowcheck: sbrk failed\n");
    exit(1);
  }
  buf += (PGSIZE - (uint)buf % PGSIZE) % PGSIZE;
  for (int p = 0; p < NPAGES; p++)
    stamp(p, 'P');
  if (argc == 2 && strcmp(argv[1], "share") == 0)
    share();
  else if (argc == 2 && strcmp(argv[1], "write") == 0)
    write_some();
  else if (argc == 2 && strcmp(argv[1], "alone") == 0)
    alone();
  else {
    printf("usage: cowcheck share|write|alone\n");
    exit(1);
  }
  printf("cowcheck: done\n");
  return 0;
}
