// schedcheck MODE: the scheduler lab's grading program (the grader builds it
// into /grade/ from labs/scheduler/grading/, never from the student's user/).
//
// Each mode forks CPU-bound children (three; two in woken). Every child counts units of
// work (loops of WORK_UNIT additions) during one window of time, the same
// for all of them, and sends its count to the parent through a pipe.
//
//   schedcheck fair    tickets 1, 2, 3 from the start
//   schedcheck late    two children with 1 ticket run alone for a while;
//                      a third with 2 tickets is forked just before the window
//   schedcheck sleep   a child with 2 tickets sleeps until the window while
//                      two with 1 ticket run
//   schedcheck woken   a child with 1 ticket sleeps until the window while
//                      one with 1 ticket runs (so at the wake-up the only
//                      other process is the one running, not a runnable one)
//   schedcheck equal   three children with the tickets they were born with
//   schedcheck naps    a child with 1 ticket that naps a tick after every
//                      unit of work (so it never uses up a quantum), beside
//                      a CPU-bound one with 10: it does a unit at every wake-up
//   schedcheck ties    two children woken together (so at the same pass),
//                      the older one in the later slot of the process table:
//                      the older (smaller pid) must run first
//
// Prints "schedcheck: child N tickets T work W" for each child, then
// "schedcheck: done"; the grader turns the work into shares of the CPU.

#include "user/user.h"

#define WORK_UNIT 1000
#define LEAD      150     // ticks before the window in late and sleep
#define WINDOW    200     // ticks in the window

struct report {
  int child;
  int tickets;
  int work;
};

// Wait for tick start (asleep, or spinning), count units of work until
// tick end (napping for a tick after each one if naps), then report.
static void
child(int n, int tickets, int asleep, int naps, int start, int end, int fd)
{
  if (tickets && settickets(tickets) < 0) {
    printf("schedcheck: settickets(%d) failed\n", tickets);
    exit(1);
  }
  if (asleep)
    sleep(start - uptime());
  while (uptime() < start)
    ;
  volatile int sink = 0;
  int work = 0;
  while (uptime() < end) {
    for (int i = 0; i < WORK_UNIT; i++)
      sink += i;
    work++;
    if (naps)
      sleep(1);
  }
  struct report r = { n, tickets, work };
  write(fd, &r, sizeof(r));
  exit(0);
}

static void
spawn(int n, int tickets, int asleep, int naps, int start, int end, int fd)
{
  int pid = fork();
  if (pid < 0) {
    printf("schedcheck: fork failed\n");
    exit(1);
  }
  if (pid == 0)
    child(n, tickets, asleep, naps, start, end, fd);
}

// The ties mode: which of two children blocked on one pipe runs first once
// a single write wakes them both. The table's slots are taken lowest
// first, so the younger takes the slot that a third, reaped child left.
static void
ties(void)
{
  int go[2], older, younger, pid, status, first = 0;

  if (pipe(go) < 0 || (pid = fork()) < 0) {
    printf("schedcheck: pipe or fork failed\n");
    exit(1);
  }
  if (pid == 0)
    exit(0);                  // leaves a low slot free once reaped
  for (int n = 0; n < 2; n++) {
    if ((n == 0 ? (older = fork()) : (younger = fork())) == 0) {
      char c = 0;
      read(go[0], &c, 1);     // the first to run reads '1'
      exit(c == '1');
    }
    if (n == 0)
      wait(0);                // the first child: its slot is free again
  }
  sleep(5);                   // both block in read
  write(go[1], "12", 2);
  while ((pid = wait(&status)) > 0)
    if (status == 1)
      first = pid;
  printf("schedcheck: ties go to = %s\n",
         first == older ? "older" : first == younger ? "younger" : "neither");
  printf("schedcheck: done\n");
}

int
main(int argc, char *argv[])
{
  int fds[2];
  if (argc != 2 || pipe(fds) < 0) {
    printf("usage: schedcheck fair|late|sleep|woken|equal|naps|ties\n");
    exit(1);
  }
  if (strcmp(argv[1], "ties") == 0) {
    ties();
    exit(0);
  }
  int now = uptime(), start, end;
  if (strcmp(argv[1], "fair") == 0 || strcmp(argv[1], "equal") == 0) {
    int fair = argv[1][0] == 'f';
    start = now + 10;
    end = start + WINDOW;
    for (int n = 0; n < 3; n++)
      spawn(n, fair ? n + 1 : 0, 0, 0, start, end, fds[1]);
  } else if (strcmp(argv[1], "late") == 0) {
    start = now + LEAD;
    end = start + WINDOW;
    spawn(0, 1, 0, 0, start, end, fds[1]);
    spawn(1, 1, 0, 0, start, end, fds[1]);
    sleep(LEAD - 5);
    spawn(2, 2, 0, 0, start, end, fds[1]);
  } else if (strcmp(argv[1], "sleep") == 0) {
    start = now + LEAD;
    end = start + WINDOW;
    spawn(0, 2, 1, 0, start, end, fds[1]);
    spawn(1, 1, 0, 0, start, end, fds[1]);
    spawn(2, 1, 0, 0, start, end, fds[1]);
  } else if (strcmp(argv[1], "woken") == 0) {
    start = now + LEAD;
    end = start + WINDOW;
    spawn(0, 1, 1, 0, start, end, fds[1]);
    spawn(1, 1, 0, 0, start, end, fds[1]);
  } else if (strcmp(argv[1], "naps") == 0) {
    start = now + 10;
    end = start + WINDOW;
    spawn(0, 10, 0, 0, start, end, fds[1]);
    spawn(1, 1, 0, 1, start, end, fds[1]);
  } else {
    printf("schedcheck: no mode %s\n", argv[1]);
    exit(1);
  }
  close(fds[1]);
  struct report r;
  while (read(fds[0], &r, sizeof(r)) == sizeof(r))
    printf("schedcheck: child %d tickets %d work %d\n", r.child, r.tickets, r.work);
  while (wait(0) > 0)
    ;
  printf("schedcheck: done\n");
  exit(0);
}
