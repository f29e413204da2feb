#include "trapframe.h"

// Saved registers for a kernel context switch (callee-saved only).
struct context {
  uint32 ra;
  uint32 sp;
  uint32 s[12];
};

// User registers saved on a trap from user mode. uservec (trapentry.S) uses
// the offsets in trapframe.h; the asserts below keep the two in step.
struct trapframe {
  uint32 regs[32];      // x0..x31 by number (regs[0] unused); regs[2] is sp
  uint32 epc;           // user pc
  uint32 kernel_sp;     // top of this process's kernel stack
};
_Static_assert(__builtin_offsetof(struct trapframe, regs[31]) == TF_REG(31), "trapframe.h: TF_REG");
_Static_assert(__builtin_offsetof(struct trapframe, epc) == TF_EPC, "trapframe.h: TF_EPC");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP,
               "trapframe.h: TF_KERNEL_SP");
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

struct proc {
  enum procstate state;
  int pid;
  char name[PROC_NAME_LEN];
  struct proc *parent;
  int killed;                  // set by kill(); the process exits at its next trap
  int xstate;                  // exit status for the parent's wait()
  void *chan;                  // what it sleeps on, if SLEEPING
  int job;                     // console job: ^C kills every process of the foreground job
  uint32 sz;                   // end of program + heap (brk)
  uint32 mmap_top;             // next free address in the mmap region
  pagetable_t pagetable;       // root page table (physical = kernel virtual)
  uint32 kstack;               // bottom of the one-page kernel stack
  struct trapframe tf;         // user registers while in the kernel
  struct context context;      // where swtch() resumes it
  struct file *ofile[NOFILE];  // open files
  struct inode *cwd;           // current directory
  struct mailbox mbox;         // messages sent to this process
  uint32 tracemask;            // trace(): bit n set prints system call n's results
  int alarm_interval;          // sigalarm(): ticks between calls of the handler, 0: none
  uint32 alarm_handler;        // the handler's user address
  int alarm_left;              // ticks in user mode until the next call
  int alarm_running;           // in the handler: no new call before sigreturn()
  struct trapframe alarm_tf;   // the registers the handler's call interrupted
  int tickets;                 // settickets(): its share of the CPU (stride scheduling)
  uint64 pass;                 // stride scheduling: the runnable process with the least runs next
};

extern struct proc proc[NPROC];
extern uint32 proc_high_water;   // the inspector reads proc[] only below it

// The lowest word of every kernel stack; a different value there means the
// stack overflowed into it (there is no guard page: RAM is direct-mapped).
#define KSTACK_CANARY 0x6b73746bu
