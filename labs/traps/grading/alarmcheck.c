// alarmcheck MODE: the traps lab's grading program (the grader builds it
// into /grade/ from labs/traps/grading/, never from the student's user/).
//
//   alarmcheck periodic   sigalarm(50, h) in a new process: no call in its
//                         first 10 ticks; sigalarm(2, h) while spinning 100
//                         ticks: how many calls; then sigalarm(0, 0): no more
//                         calls; then sigalarm(50, h) again: no call in its
//                         first 10 ticks; then a handler that calls
//                         sigalarm(0, 0) itself: one call
//   alarmcheck registers  a handler interrupts a loop that holds a known
//                         value in every register: all must be intact
//   alarmcheck reentry    a handler that runs for 5 ticks with an alarm
//                         every tick: it must not be entered again
//   alarmcheck errors     sigalarm(-1, h) and sigreturn() outside a handler
//
// Each mode prints "alarmcheck: <fact> ..." lines and ends with
// "alarmcheck: done"; the grader judges them.

#include "user/user.h"

#define ROUNDS 6

static volatile int calls, inside, flag;
uint32 regs_before[32], regs_after[32];   // the loop's registers (asm below)

static void
spin_ticks(int n)
{
  int start = uptime();
  while (uptime() - start < n)
    ;
}

// sigalarm(n, handler), ending the program if the kernel refuses.
static void
start(int n, void (*handler)(void))
{
  int err = sigalarm(n, handler);
  if (err != 0) {
    printf("alarmcheck: sigalarm(%d) returned %d\n", n, err);
    printf("alarmcheck: done\n");
    exit(1);
  }
}

// sigalarm(0, 0), ending the program if the kernel refuses: an alarm that
// cannot be turned off would be blamed on the calls that follow.
static void
stop(void)
{
  int err = sigalarm(0, 0);
  if (err != 0) {
    printf("alarmcheck: sigalarm(0) returned %d\n", err);
    printf("alarmcheck: done\n");
    exit(1);
  }
}

static void
count_call(void)
{
  calls++;
  sigreturn();
}

// A one-shot alarm: the handler turns the alarm off, then returns.
static void
call_once(void)
{
  calls++;
  stop();
  int err = sigreturn();
  printf("alarmcheck: sigreturn() after sigalarm(0, 0) in the handler returned %d\n", err);
  printf("alarmcheck: done\n");
  exit(1);
}

// sigalarm(50, h), then 10 ticks of spinning: the first call is 50 ticks
// away, so none may come, whatever ticks were left from before.
static void
first_call(const char *when)
{
  calls = 0;
  start(50, count_call);
  spin_ticks(10);
  stop();
  printf("alarmcheck: %d calls in the first 10 ticks of sigalarm(50) %s\n", calls, when);
}

static void
periodic(void)
{
  first_call("in a new process");
  calls = 0;
  start(2, count_call);
  int start = uptime();
  spin_ticks(100);
  int spent = uptime() - start;
  stop();
  printf("alarmcheck: %d calls in %d ticks\n", calls, spent);
  int stopped = calls;
  spin_ticks(20);
  printf("alarmcheck: %d calls after sigalarm(0, 0)\n", calls - stopped);
  first_call("after sigalarm(0, 0)");
}

static void
one_shot(void)
{
  calls = 0;
  start(1, call_once);
  spin_ticks(20);
  printf("alarmcheck: %d calls of a handler that turns the alarm off\n", calls);
}

static void
set_flag(void)
{
  flag = 1;
  sigreturn();
}

// Load seed + n into every register xn but sp, gp, tp and t5, t6 (the
// loop's own), spin until the handler sets flag (or t5 counts 2^26 turns
// down to 0), then store every register. The
// callee-saved registers and ra are kept on the stack around it.
static void
spin_holding(uint32 seed)
{
  asm volatile(
    "addi sp, sp, -64\n"
    "sw ra, 0(sp)\n  sw s0, 4(sp)\n  sw s1, 8(sp)\n  sw s2, 12(sp)\n"
    "sw s3, 16(sp)\n sw s4, 20(sp)\n sw s5, 24(sp)\n sw s6, 28(sp)\n"
    "sw s7, 32(sp)\n sw s8, 36(sp)\n sw s9, 40(sp)\n sw s10, 44(sp)\n sw s11, 48(sp)\n"
    "mv t6, %0\n"
    "addi x1, t6, 1\n   addi x5, t6, 5\n   addi x6, t6, 6\n   addi x7, t6, 7\n"
    "addi x8, t6, 8\n   addi x9, t6, 9\n   addi x10, t6, 10\n addi x11, t6, 11\n"
    "addi x12, t6, 12\n addi x13, t6, 13\n addi x14, t6, 14\n addi x15, t6, 15\n"
    "addi x16, t6, 16\n addi x17, t6, 17\n addi x18, t6, 18\n addi x19, t6, 19\n"
    "addi x20, t6, 20\n addi x21, t6, 21\n addi x22, t6, 22\n addi x23, t6, 23\n"
    "addi x24, t6, 24\n addi x25, t6, 25\n addi x26, t6, 26\n addi x27, t6, 27\n"
    "addi x28, t6, 28\n addi x29, t6, 29\n li t5, 0x4000000\n"
    "la t6, regs_before\n sw x2, 8(t6)\n sw x3, 12(t6)\n sw x4, 16(t6)\n"
    "1: addi t5, t5, -1\n beqz t5, 2f\n"
    "la t6, flag\n lw t6, 0(t6)\n beqz t6, 1b\n"
    "2: la t6, regs_after\n"
    "sw x1, 4(t6)\n   sw x2, 8(t6)\n   sw x3, 12(t6)\n  sw x4, 16(t6)\n"
    "sw x5, 20(t6)\n  sw x6, 24(t6)\n  sw x7, 28(t6)\n  sw x8, 32(t6)\n"
    "sw x9, 36(t6)\n  sw x10, 40(t6)\n sw x11, 44(t6)\n sw x12, 48(t6)\n"
    "sw x13, 52(t6)\n sw x14, 56(t6)\n sw x15, 60(t6)\n sw x16, 64(t6)\n"
    "sw x17, 68(t6)\n sw x18, 72(t6)\n sw x19, 76(t6)\n sw x20, 80(t6)\n"
    "sw x21, 84(t6)\n sw x22, 88(t6)\n sw x23, 92(t6)\n sw x24, 96(t6)\n"
    "sw x25, 100(t6)\n sw x26, 104(t6)\n sw x27, 108(t6)\n sw x28, 112(t6)\n"
    "sw x29, 116(t6)\n"
    "lw ra, 0(sp)\n  lw s0, 4(sp)\n  lw s1, 8(sp)\n  lw s2, 12(sp)\n"
    "lw s3, 16(sp)\n lw s4, 20(sp)\n lw s5, 24(sp)\n lw s6, 28(sp)\n"
    "lw s7, 32(sp)\n lw s8, 36(sp)\n lw s9, 40(sp)\n lw s10, 44(sp)\n lw s11, 48(sp)\n"
    "addi sp, sp, 64\n"
    :
    : "r"(seed)
    : "t0", "t1", "t2", "t3", "t4", "t5", "t6",
      "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "memory");
}

static void
registers(void)
{
  start(1, set_flag);
  for (int round = 0; round < ROUNDS; round++) {
    uint32 seed = 0x10203000u * (round + 1) + 0x0a0b0c00u;
    flag = 0;
    spin_holding(seed);
    if (!flag) {
      printf("alarmcheck: round %d: the handler never ran\n", round);
      break;
    }
    int wrong = 0;
    for (int n = 1; n < 30; n++) {
      uint32 want = n == 2 || n == 3 || n == 4 ? regs_before[n] : seed + n;
      if (regs_after[n] != want) {
        printf("alarmcheck: round %d: x%d is %x, was %x\n", round, n, regs_after[n], want);
        wrong++;
      }
    }
    if (wrong)
      break;
    printf("alarmcheck: round %d: all registers intact\n", round);
  }
  sigalarm(0, 0);
}

static void
slow_handler(void)
{
  if (inside) {
    printf("alarmcheck: the handler was entered again before its sigreturn\n");
    printf("alarmcheck: done\n");
    exit(1);
  }
  inside = 1;
  spin_ticks(5);
  calls++;
  inside = 0;
  sigreturn();
}

static void
reentry(void)
{
  start(1, slow_handler);
  int start = uptime();
  while (calls < 3 && uptime() - start < 300)
    ;
  sigalarm(0, 0);
  printf("alarmcheck: %d slow calls, none re-entered\n", calls);
}

static void
errors(void)
{
  printf("alarmcheck: sigalarm(-1) returned %d\n", sigalarm(-1, count_call));
  printf("alarmcheck: sigreturn() outside a handler returned %d\n", sigreturn());
  printf("alarmcheck: the program still runs\n");
}

int
main(int argc, char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "periodic") == 0) {
    periodic();
    one_shot();
  } else if (strcmp(mode, "registers") == 0)
    registers();
  else if (strcmp(mode, "reentry") == 0)
    reentry();
  else if (strcmp(mode, "errors") == 0)
    errors();
  else
    printf("usage: alarmcheck periodic|registers|reentry|errors\n");
  printf("alarmcheck: done\n");
  return 0;
}
