// cowtest: checks copy-on-write fork by counting free frames.
//
// 1. fork shares the buffer: the frames fork uses do not grow with it.
// 2. The child sees the parent's data; its writes copy one frame per page
//    and stay private; the parent, once alone, writes without copying.
// 3. The parent's writes while a child shares the buffer copy one frame per
//    page and stay private too.
// 4. All frames are back at the end.

#include "user/user.h"

#define PGSIZE 4096
#define NPAGES 16          // the buffer: 64 KiB
#define SLACK 2            // frames of noise allowed in the fork measurement
#define BAD_DATA 100       // child exit status: it saw the wrong bytes

static char *buf;
static int gate[2];        // a pipe: a child waits at it until the parent is done

static void
fail(const char *why)
{
  printf("cowtest: FAILED (%s)\n", why);
  exit(1);
}

static int
free_frames(void)
{
  struct sysinfo si;

  if (sysinfo(&si) < 0)
    fail("sysinfo");
  return si.free_frames;
}

static void
fill(int seed)
{
  int i;

  for (i = 0; i < NPAGES * PGSIZE; i++)
    buf[i] = seed + i % 251;
}

static int
holds(int seed)
{
  int i;

  for (i = 0; i < NPAGES * PGSIZE; i++) {
    if (buf[i] != (char)(seed + i % 251))
      return 0;
  }
  return 1;
}

// A child kept alive, sharing the parent's frames, for as long as the parent
// measures (a sleep would end when the scheduler says, not when the parent
// is done): it waits at the gate, which the parent opens by closing it.
// The child waits with two system calls and no call of its own (a call
// writes its stack: a COW fault in the child before the parent's), and the
// read, at the end of the pipe, writes nothing.
#define GATE_WAIT(c) (close(gate[1]), read(gate[0], &(c), 1))

static void
gate_set(void)
{
  if (pipe(gate) < 0)
    fail("pipe");
}

static void
gate_open(void)
{
  close(gate[0]);
  close(gate[1]);
}

// Frames used by a fork whose child just waits, measured while it waits.
static int
fork_cost(void)
{
  int before, after, pid;
  char c;

  gate_set();
  before = free_frames();
  if ((pid = fork()) < 0)
    fail("fork");
  if (pid == 0) {
    GATE_WAIT(c);
    exit(0);
  }
  after = free_frames();
  gate_open();
  wait(0);
  return before - after;
}

// Frames copied by filling the buffer with seed.
static int
write_cost(int seed)
{
  int before = free_frames();

  fill(seed);
  if (!holds(seed))
    fail("a process does not see its own writes");
  return before - free_frames();
}

// Returns the child's exit status.
static int
wait_child(void)
{
  int status;

  if (wait(&status) < 0)
    fail("wait");
  if (status == BAD_DATA)
    fail("the child saw data the parent wrote after fork");
  if (status < 0)
    fail("the child was killed");
  return status;
}

int
main(void)
{
  int base, start, before, pid, shared, child_copied, alone_copied, alive_copied;
  char c;

  base = fork_cost();
  // One page more than needed, so that the buffer can start on a page of its
  // own rather than on the last page of bss.
  if ((buf = sbrk((NPAGES + 1) * PGSIZE)) == (char*)-1)
    fail("sbrk");
  buf += (PGSIZE - (uint)buf % PGSIZE) % PGSIZE;
  fill('P');
  start = free_frames();

  // Steps 1 and 2.
  shared = NPAGES - (fork_cost() - base);
  before = free_frames();
  if ((pid = fork()) < 0)
    fail("fork");
  if (pid == 0) {
    if (!holds('P'))
      exit(BAD_DATA);
    exit(write_cost('C'));
  }
  child_copied = wait_child();
  if (!holds('P'))
    fail("the parent sees the child's writes");
  alone_copied = write_cost('p');
  printf("cowtest: fork shared %d frames, child's writes copied %d frames\n",
         shared, child_copied);

  // Step 3.
  gate_set();
  if ((pid = fork()) < 0)
    fail("fork");
  if (pid == 0) {
    GATE_WAIT(c);
    exit(holds('p') ? 0 : BAD_DATA);
  }
  alive_copied = write_cost('Q');
  gate_open();
  wait_child();
  printf("cowtest: parent's writes copied %d frames with the child alive, %d with it gone\n",
         alive_copied, alone_copied);

  if (shared < NPAGES - SLACK)
    fail("fork copied the buffer");
  if (child_copied != NPAGES || alive_copied != NPAGES)
    fail("a write to a shared page did not copy exactly that page");
  if (alone_copied != 0)
    fail("a write to a page no longer shared copied it");
  if (free_frames() != start || before != start)
    fail("frames leaked");
  printf("cowtest: OK\n");
  return 0;
}
