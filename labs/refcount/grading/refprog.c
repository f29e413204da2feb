// refprog: the program whose COW faults the refcount lab predicts
// (labs/refcount/README.md). Processes P (this one), A (P's child), G (A's
// child), B (P's child) and later C (B's child) share one page of bss,
// `page`, and store into it one at a time, in this order:
//
//   G, P, A, B, then B forks C, then C, B.
//
// Each process says its pid first ("refprog: X is pid N"), and P prints the
// page's address. A process waits for its turn on its own pipe and reports
// each store on the `done` pipe, so the order never depends on scheduling.

#include "user/user.h"

static char page[4096] __attribute__((aligned(4096)));
static int turn_a[2], turn_g[2], turn_b[2], turn_c[2], done[2];

static void
say(const char *who)
{
  printf("refprog: %s is pid %d\n", who, getpid());
}

static void
await(int *turn)
{
  char c;

  if (read(turn[0], &c, 1) != 1)
    exit(1);
}

static void
go(int *turn)
{
  char c = 't', d;

  write(turn[1], &c, 1);
  if (read(done[0], &d, 1) != 1)
    exit(1);
}

static void
store(char who)
{
  page[0] = who;
  write(done[1], &who, 1);
}

int
main(void)
{
  char d;

  if (pipe(turn_a) < 0 || pipe(turn_g) < 0 || pipe(turn_b) < 0 || pipe(turn_c) < 0 ||
      pipe(done) < 0)
    exit(1);
  page[0] = 'P';
  say("P");
  printf("refprog: page at %p\n", page);
  if (fork() == 0) {                 // A
    say("A");
    if (fork() == 0) {               // G
      say("G");
      write(done[1], "f", 1);        // G exists: P may fork B
      await(turn_g);
      store('G');
      exit(0);
    }
    await(turn_a);
    store('A');
    wait(0);
    exit(0);
  }
  read(done[0], &d, 1);              // wait until G shares the page too
  if (fork() == 0) {                 // B
    say("B");
    await(turn_b);
    store('B');
    if (fork() == 0) {               // C
      say("C");
      await(turn_c);
      store('C');
      exit(0);
    }
    write(done[1], "f", 1);          // C exists
    await(turn_b);
    store('B');
    wait(0);
    exit(0);
  }
  go(turn_g);
  store('P');
  read(done[0], &d, 1);
  go(turn_a);
  go(turn_b);
  read(done[0], &d, 1);              // B has forked C
  go(turn_c);
  go(turn_b);
  wait(0);
  wait(0);
  printf("refprog: done\n");
  return 0;
}
