// Traps: system calls, interrupts and faults, from user and kernel mode.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

// Sstc's timer compare CSRs, by number (the assembler may not know the names).
#define CSR_STIMECMP  0x14d
#define CSR_STIMECMPH 0x15d

#define ECALL_SIZE 4   // bytes of an ecall instruction: a system call returns past it

void uservec(void);
void userret(struct trapframe *) __attribute__((noreturn));
void kernelvec(void);

uint32 ticks;

static const char *const exception_names[] = {
  [EXC_INST_MISALIGNED] "instruction address misaligned",
  [EXC_INST_ACCESS] "instruction access fault",
  [EXC_ILLEGAL_INST] "illegal instruction",
  [EXC_BREAKPOINT] "breakpoint",
  [EXC_LOAD_MISALIGNED] "load address misaligned",
  [EXC_LOAD_ACCESS] "load access fault",
  [EXC_STORE_MISALIGNED] "store address misaligned",
  [EXC_STORE_ACCESS] "store access fault",
  [EXC_ECALL_U] "ecall from U-mode",
  [EXC_ECALL_S] "ecall from S-mode",
  [EXC_INST_PAGE_FAULT] "instruction page fault",
  [EXC_LOAD_PAGE_FAULT] "load page fault",
  [EXC_STORE_PAGE_FAULT] "store page fault",
};

const char *exception_name(uint32 scause)
{
  if (scause < sizeof(exception_names) / sizeof(exception_names[0]) && exception_names[scause])
    return exception_names[scause];
  return "unknown exception";
}

// Program the next timer interrupt one tick from now (Sstc's stimecmp). The
// high half goes to its maximum first, so that no interrupt fires while the
// 64-bit compare value is half written.
static void timer_arm(void)
{
  uint64 next = read_time() + TIMEBASE_HZ / TICK_HZ;
  asm volatile("csrw %0, %1" : : "i"(CSR_STIMECMPH), "r"(0xffffffffu));
  asm volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"((uint32)next));
  asm volatile("csrw %0, %1" : : "i"(CSR_STIMECMPH), "r"((uint32)(next >> 32)));
}

void trapinit(void)
{
  csr_write(stvec, (uint32)kernelvec);
  csr_set(sie, SIE_SEIE | SIE_STIE);
  timer_arm();
}

// Handle an interrupt. Returns 1 for a timer tick, 0 for other interrupts.
static int devintr(uint32 scause)
{
  uint32 code = scause & ~SCAUSE_INTR;
  if (code == IRQ_S_TIMER) {
    ticks++;
    wakeup(&ticks);
    timer_arm();
    return 1;
  }
  if (code == IRQ_S_EXTERNAL) {
    int irq = plic_claim();
    if (irq == UART_IRQ)
      uartintr();
    else if (irq == VIRTIO0_IRQ)
      virtio_disk_intr();
    if (irq)
      plic_complete(irq);
    return 0;
  }
  panic("unexpected interrupt, scause 0x%08x", scause);
  return 0;
}

// A page fault the process will die of: where it was and what it touched.
static void log_page_fault(struct proc *p, uint32 scause)
{
  union event_data ev = { .page_fault = { .va = csr_read(stval), .scause = scause,
                                          .sepc = csr_read(sepc) } };
  event_log(EV_PAGE_FAULT, p->pid, &ev);
}

// A fault that is the process's own doing: say so on the console, kill it.
static void user_fault(struct proc *p, uint32 scause)
{
  uint32 sepc = csr_read(sepc), stval = csr_read(stval);
  printf("pid %d (%s): killed by %s, sepc=0x%08x stval=0x%08x\n",
         p->pid, p->name, exception_name(scause), sepc, stval);
  union event_data ev = { .trap = { .scause = scause, .stval = stval } };
  event_log(EV_TRAP, p->pid, &ev);
  p->killed = 1;
}

// A tick in user mode: if the process's alarm is due (sigalarm()), make the
// return to user mode enter its handler, keeping the registers for sigreturn().
static void alarm_tick(struct proc *p)
{
  // LAB traps-tick begin
  if (p->alarm_interval == 0 || p->alarm_running || --p->alarm_left > 0)
    return;
  p->alarm_left = p->alarm_interval;
  p->alarm_running = 1;
  p->alarm_tf = p->tf;
  p->tf.epc = p->alarm_handler;
  // LAB traps-tick end
}

void usertrap(void)
{
  struct proc *p = myproc();
  uint32 scause = csr_read(scause);
  int tick = 0, err;

  csr_write(stvec, (uint32)kernelvec);
  if (scause & SCAUSE_INTR) {
    tick = devintr(scause);
  } else if (scause == EXC_ECALL_U) {
    p->tf.epc += ECALL_SIZE;
    syscall();
  } else if ((scause == EXC_LOAD_PAGE_FAULT || scause == EXC_STORE_PAGE_FAULT) &&
             (err = lazy_fault(p->pagetable, csr_read(stval))) != -EFAULT) {
    if (err == -ENOMEM) {
      printf("pid %d (%s): killed: out of memory on a heap page's first touch\n", p->pid, p->name);
      p->killed = 1;
    }
  } else if (scause == EXC_STORE_PAGE_FAULT) {
    err = cow_fault(p->pagetable, csr_read(stval));
    if (err == -ENOMEM) {
      printf("pid %d (%s): killed: out of memory on a copy-on-write fault\n", p->pid, p->name);
      p->killed = 1;
    } else if (err < 0) {
      log_page_fault(p, scause);
      user_fault(p, scause);
    }
  } else {
    if (scause == EXC_LOAD_PAGE_FAULT || scause == EXC_INST_PAGE_FAULT)
      log_page_fault(p, scause);
    user_fault(p, scause);
  }
  if (p->killed)
    exit(-1);
  if (tick) {
    alarm_tick(p);
    yield();
  }
  usertrapret();
}

// Return to user mode in the current process.
void usertrapret(void)
{
  struct proc *p = myproc();
  intr_off();
  if (*(uint32 *)p->kstack != KSTACK_CANARY)
    panic("pid %d (%s): kernel stack overflow", p->pid, p->name);
  csr_write(stvec, (uint32)uservec);
  p->tf.kernel_sp = p->kstack + PGSIZE;
  uint32 status = csr_read(sstatus);
  status &= ~SSTATUS_SPP;   // to user mode
  status |= SSTATUS_SPIE;   // with interrupts on
  csr_write(sstatus, status);
  userret(&p->tf);
  __builtin_unreachable();
}

// Registers saved by kernelvec, in its order (KV_REG(0) is ra, ...).
struct kernel_regs {
  uint32 ra, t0, t1, t2, a0, a1, a2, a3, a4, a5, a6, a7, t3, t4, t5, t6, s0;
};
_Static_assert(sizeof(struct kernel_regs) == KV_REG(KV_NREGS), "trapframe.h: KV_NREGS");
_Static_assert(__builtin_offsetof(struct kernel_regs, s0) == KV_REG(KV_NREGS - 1),
               "trapframe.h: kernelvec saves s0 last");
_Static_assert(sizeof(struct kernel_regs) <= KV_FRAME && KV_FRAME % 16 == 0,
               "trapframe.h: KV_FRAME");

void kerneltrap(struct kernel_regs *regs)
{
  uint32 scause = csr_read(scause);
  uint32 sepc = csr_read(sepc), sstatus = csr_read(sstatus);
  if (scause & SCAUSE_INTR) {
    devintr(scause);
    csr_write(sepc, sepc);       // a nested trap may have changed them
    csr_write(sstatus, sstatus);
    return;
  }
  struct proc *p = myproc();
  printf("\nkernel trap: %s (scause 0x%08x) in pid %d\n", exception_name(scause), scause, p ? p->pid : 0);
  printf("sepc 0x%08x stval 0x%08x sstatus 0x%08x\n", sepc, csr_read(stval), sstatus);
  printf("ra 0x%08x a0 0x%08x a1 0x%08x a2 0x%08x a3 0x%08x\n", regs->ra, regs->a0, regs->a1, regs->a2, regs->a3);
  printf("t0 0x%08x t1 0x%08x t2 0x%08x s0 0x%08x\n", regs->t0, regs->t1, regs->t2, regs->s0);
  backtrace(regs->s0);
  panic("kernel fault");
}
