// Processes: the table, the scheduler, fork, exit, wait, kill, sleep and
// wakeup. One hart, and the kernel runs with interrupts off except while
// the scheduler idles, so no locks are needed: a process gives up the CPU
// only by calling sched().
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

struct proc proc[NPROC];
uint32 proc_high_water;          // slots at and above it were never used
struct proc *current;            // the running process, or 0 in the scheduler
static struct context scheduler_context;
static struct proc *initproc;
static int next_pid = 1;

const char *const procstate_names[] = {
  [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep",
  [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie",
};

struct proc *myproc(void)
{
  return current;
}

static void forkret(void);
static void sched_join(struct proc *p);

// A USED slot with a pid, a kernel stack and an empty page table whose
// first run starts in forkret(). 0 with *err set if the table is full
// (-EAGAIN) or memory is exhausted (-ENOMEM).
static struct proc *allocproc(int *err)
{
  struct proc *p;
  for (p = proc; p < &proc[NPROC]; p++)
    if (p->state == UNUSED)
      break;
  *err = -EAGAIN;
  if (p == &proc[NPROC])
    return 0;
  void *kstack = kalloc(FRAME_KERNEL);
  pagetable_t pt = uvmcreate();
  *err = -ENOMEM;
  if (kstack == 0 || pt == 0) {
    if (kstack)
      kfree(kstack);
    if (pt)
      kfree(pt);
    return 0;
  }
  memset(p, 0, sizeof(*p));
  if (p - proc >= (int)proc_high_water)
    proc_high_water = p - proc + 1;
  p->state = USED;
  p->pid = next_pid++;
  p->kstack = (uint32)kstack;
  *(uint32 *)p->kstack = KSTACK_CANARY;
  p->pagetable = pt;
  p->mmap_top = MMAP_BASE;
  mailbox_init(p);
  p->context.ra = (uint32)forkret;
  p->context.sp = p->kstack + PGSIZE;
  return p;
}

// Give a slot back; its user memory is already gone (exit, or never made).
static void freeproc(struct proc *p)
{
  if (p->pagetable)
    uvmfree(p->pagetable);
  kfree((void *)p->kstack);
  memset(p, 0, sizeof(*p));
}

// The first process: its first run mounts the file system and execs /bin/init.
void userinit(void)
{
  int err;
  struct proc *p = allocproc(&err);
  if (p == 0)
    panic("userinit: no memory");
  initproc = p;
  p->tickets = TICKETS_DEFAULT;
  safestrcpy(p->name, "init", sizeof(p->name));
  p->state = RUNNABLE;
}

static void forkret(void)
{
  static int first = 1;
  if (first) {
    first = 0;
    start_init();
  }
  usertrapret();
}

// Called once, in the first process: mount the root, open the console as
// fds 0, 1, 2 and exec /bin/init.
void start_init(void)
{
  struct proc *p = myproc();
  fsinit();
  p->cwd = namei("/");
  if (p->cwd == 0)
    panic("init: no root directory");
  for (int fd = 0; fd < 3; fd++)
    p->ofile[fd] = fd == 0 ? console_open() : filedup(p->ofile[0]);
  char *argv[] = { "init", 0 };
  int err = exec("/bin/init", argv);
  if (err < 0) {
    printf("init: cannot exec /bin/init: %s; powering off\n", errstr(err));
    poweroff(1);
  }
}

// Grow or shrink user memory by n bytes (sbrk).
int growproc(int n)
{
  struct proc *p = myproc();
  uint32 old = p->sz, new = p->sz + n;
  if (n > 0 && (new < old || new > MMAP_BASE))
    return -ENOMEM;
  if (n < 0 && (new > old || new < USER_BASE))
    return -EINVAL;
  // LAB lazy-grow begin
  // The pages come at their first touch (lazy_fault), but sbrk promises no
  // more than the frames free now, keeping LAZY_RESERVE for page tables.
  if (n > 0 && (PGROUNDUP(new) - PGROUNDUP(old)) / PGSIZE + LAZY_RESERVE > kfree_count())
    return -ENOMEM;
  // LAB lazy-grow end
  if (n < 0)
    uvmunmap(p->pagetable, PGROUNDUP(new), PGROUNDUP(old) - PGROUNDUP(new));
  p->sz = new;
  return 0;
}

int fork(void)
{
  struct proc *p = myproc();
  int err;
  struct proc *np = allocproc(&err);
  if (np == 0)
    return err;
  if (uvmcopy_cow(p->pagetable, np->pagetable) < 0) {
    freeproc(np);
    return -ENOMEM;
  }
  np->sz = p->sz;
  np->mmap_top = p->mmap_top;
  np->tf = p->tf;
  np->tf.regs[REG_A0] = 0;
  for (int fd = 0; fd < NOFILE; fd++)
    if (p->ofile[fd])
      np->ofile[fd] = filedup(p->ofile[fd]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));
  np->parent = p;
  np->job = p->job;
  // LAB syscall-fork begin
  np->tracemask = p->tracemask;
  // LAB syscall-fork end
  np->tickets = p->tickets;
  np->state = RUNNABLE;
  sched_join(np);
  union event_data ev = { .fork = { .child = np->pid } };
  event_log(EV_FORK, p->pid, &ev);
  return np->pid;
}

// Children of p go to init, which reaps them.
static void reparent(struct proc *p)
{
  for (struct proc *c = proc; c < &proc[NPROC]; c++) {
    if (c->parent == p) {
      c->parent = initproc;
      if (c->state == ZOMBIE)
        wakeup(initproc);
    }
  }
}

// Release everything but the kernel stack and the slot, then become a
// zombie until the parent waits.
void exit(int status)
{
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exiting with status %d", status);
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  iput(p->cwd);
  p->cwd = 0;
  kvminithart();           // leave the page table before freeing it
  uvmfree(p->pagetable);
  p->pagetable = 0;
  shm_reap();
  mailbox_close(p);
  reparent(p);
  wakeup(p->parent);
  p->xstate = status;
  p->state = ZOMBIE;
  union event_data ev = { .exit = { .status = status } };
  event_log(EV_EXIT, p->pid, &ev);
  sched();
  panic("zombie exit");
}

// Wait for a child to exit; store its status at user address addr (if not 0).
int wait(uint32 addr)
{
  struct proc *p = myproc();
  for (;;) {
    int have_kids = 0;
    for (struct proc *c = proc; c < &proc[NPROC]; c++) {
      if (c->parent != p || c->state == UNUSED)
        continue;
      have_kids = 1;
      if (c->state != ZOMBIE)
        continue;
      int pid = c->pid;
      if (addr && copyout(p->pagetable, addr, &c->xstate, sizeof(c->xstate)) < 0)
        return -EFAULT;
      freeproc(c);
      return pid;
    }
    if (!have_kids)
      return -ECHILD;
    if (p->killed)
      return -EINTR;
    sleep(p);
  }
}

// The next process to run, or 0 if none is runnable. Stride scheduling:
// each process has a pass; a run of one quantum adds its stride (STRIDE1 /
// its tickets), so with more tickets it comes round more often.
static struct proc *pick(void)
{
  // LAB scheduler-pick begin
  struct proc *best = 0;
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    if (p->state == RUNNABLE && (best == 0 || p->pass < best->pass ||
                                 (p->pass == best->pass && p->pid < best->pid)))
      best = p;
  return best;
  // LAB scheduler-pick end
}

// A process that becomes runnable (new, or woken) joins the others: it
// must not come back with a pass far behind theirs and take the CPU until
// it has caught up, nor far ahead and wait.
static void sched_join(struct proc *p)
{
  // LAB scheduler-join begin
  // The least pass of the other processes that compete for the CPU now.
  uint64 least = 0;
  int any = 0;
  for (struct proc *q = proc; q < &proc[NPROC]; q++) {
    if (q == p || (q->state != RUNNABLE && q->state != RUNNING))
      continue;
    if (!any || q->pass < least)
      least = q->pass;
    any = 1;
  }
  if (any && p->pass < least)
    p->pass = least;
  // LAB scheduler-join end
}

// Run the process pick() chooses; wait for an interrupt when none is runnable.
void scheduler(void)
{
  for (;;) {
    // Take any interrupt that is pending (it may make a process runnable),
    // then pick with interrupts off, so none can slip in between the pick
    // and the wfi below.
    intr_on();
    intr_off();
    struct proc *p = pick();
    if (p == 0) {
      // Nothing to run: wait with sstatus.SIE off. wfi still ends when an
      // interrupt enabled in sie is pending; the next loop's intr_on takes
      // it. (With SIE on here, an interrupt taken just before the wfi
      // would wake its process and the wfi would then sleep to the next
      // timer tick.)
      asm volatile("wfi");
      continue;
    }
    p->state = RUNNING;
    current = p;
    csr_write(satp, MAKE_SATP(p->pagetable));
    sfence_vma_all();
    event_log(EV_SWITCH, p->pid, 0);
    swtch(&scheduler_context, &p->context);
    current = 0;
    if (p->pagetable)   // a zombie already left its table
      kvminithart();
  }
}

// Switch from the current process (no longer RUNNING) to the scheduler.
void sched(void)
{
  struct proc *p = myproc();
  if (p->state == RUNNING)
    panic("sched: still running");
  if (intr_get())
    panic("sched: interrupts on");
  swtch(&p->context, &scheduler_context);
}

// Give up the CPU: the timer tick's end of a quantum, or yield().
void yield(void)
{
  struct proc *p = myproc();
  // LAB scheduler-charge begin
  p->pass += STRIDE1 / p->tickets;
  // LAB scheduler-charge end
  p->state = RUNNABLE;
  sched();
}

// settickets(n): the current process's share of the CPU.
int settickets(int n)
{
  if (n < 1 || n > TICKETS_MAX)
    return -EINVAL;
  myproc()->tickets = n;
  return 0;
}

void sleep(void *chan)
{
  struct proc *p = myproc();
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
}

void wakeup(void *chan)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == SLEEPING && p->chan == chan) {
      p->state = RUNNABLE;
      sched_join(p);
    }
  }
}

static void mark_killed(struct proc *p)
{
  p->killed = 1;
  if (p->state == SLEEPING)
    p->state = RUNNABLE;
}

// The process exits the next time it is about to return to user mode.
int kill(int pid)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
      if (p == initproc)
        return -EPERM;
      mark_killed(p);
      return 0;
    }
  }
  return -ESRCH;
}

// ^C: kill every live process of the console's foreground job.
void kill_job(int job)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    if (p->job == job && p != initproc && p->state != UNUSED && p->state != ZOMBIE)
      mark_killed(p);
}

// Fill up to max entries of user array addr with the live processes.
int procinfo(uint32 addr, int max)
{
  struct proc *cur = myproc();
  int n = 0;
  if (max < 0)
    return -EINVAL;
  for (struct proc *p = proc; p < &proc[NPROC] && n < max; p++) {
    if (p->state == UNUSED)
      continue;
    struct procinfo info = {
      .pid = p->pid,
      .ppid = p->parent ? p->parent->pid : 0,
      .state = p->state,
      .size = p->sz,
      .mailbox_depth = p->mbox.count,
    };
    safestrcpy(info.name, p->name, sizeof(info.name));
    if (copyout(cur->pagetable, addr + n * sizeof(info), &info, sizeof(info)) < 0)
      return -EFAULT;
    n++;
  }
  return n;
}

int nproc_used(void)
{
  int n = 0;
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    if (p->state != UNUSED)
      n++;
  return n;
}

// ^P: a process listing on the console, from the interrupt handler.
void procdump(void)
{
  printf("\n%5s %5s %-6s %10s %s\n", "PID", "PPID", "STATE", "SIZE", "NAME");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    printf("%5d %5d %-6s %10u %s\n", p->pid, p->parent ? p->parent->pid : 0,
           procstate_names[p->state], p->sz, p->name);
  }
}
