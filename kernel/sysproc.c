// Process system calls.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

int sys_fork(void)   { return fork(); }
int sys_exit(void)   { exit(argint(0)); return 0; }
int sys_wait(void)   { return wait(argraw(0)); }
int sys_kill(void)   { return kill(argint(0)); }
int sys_getpid(void) { return myproc()->pid; }
int sys_yield(void)  { yield(); return 0; }
int sys_uptime(void) { return ticks; }
int sys_settickets(void) { return settickets(argint(0)); }

// sbrk(n): returns the old break.
int sys_sbrk(void)
{
  uint32 old = myproc()->sz;
  int err = growproc(argint(0));
  return err < 0 ? err : (int)old;
}

// trace(mask): from now on, print the result of each system call n this
// process (and the children it forks) makes whose bit 1 << n is in mask
// (calls 32 and up have no bit).
int sys_trace(void)
{
  // LAB syscall-trace begin
  myproc()->tracemask = argraw(0);
  return 0;
  // LAB syscall-trace end
}

// sigalarm(n, handler): from now on, every n ticks the process spends in
// user mode, it is interrupted to run handler(), which ends with
// sigreturn(). n = 0: no more calls.
int sys_sigalarm(void)
{
  // LAB traps-sigalarm begin
  struct proc *p = myproc();
  int n = argint(0);
  if (n < 0)
    return -EINVAL;
  p->alarm_interval = n;
  p->alarm_handler = argraw(1);
  p->alarm_left = n;
  return 0;
  // LAB traps-sigalarm end
}

// sigreturn(): the handler is done; resume what its call interrupted, with
// every register as it was then.
int sys_sigreturn(void)
{
  // LAB traps-sigreturn begin
  struct proc *p = myproc();
  if (!p->alarm_running)
    return -EINVAL;
  p->tf = p->alarm_tf;
  p->alarm_running = 0;
  return p->tf.regs[REG_A0];   // syscall() stores this in a0: a0 as it was
  // LAB traps-sigreturn end
}

// sleep(n): n ticks of 10 ms.
int sys_sleep(void)
{
  int n = argint(0);
  if (n < 0)
    return -EINVAL;
  uint32 start = ticks;
  while (ticks - start < (uint32)n) {
    if (myproc()->killed)
      return -EINTR;
    sleep(&ticks);
  }
  return 0;
}

int sys_procinfo(void)
{
  return procinfo(argraw(0), argint(1));
}

int sys_sysinfo(void)
{
  struct sysinfo info = {
    .total_frames = NFRAMES,
    .free_frames = kfree_count(),
    .nproc = nproc_used(),
    .ticks = ticks,
    .free_blocks = fs_free_blocks(),
  };
  return copyout(myproc()->pagetable, argraw(0), &info, sizeof(info));
}

// setfg(job): the console's ^C kills job `job` (a pid whose descendants
// share it); the calling shell's child joins it. setfg(0): no foreground job.
int sys_setfg(void)
{
  int job = argint(0);
  if (job < 0)
    return -EINVAL;
  struct proc *p = myproc();
  if (job != 0 && job == p->pid)
    p->job = job;
  for (struct proc *c = proc; c < &proc[NPROC]; c++)
    if (job != 0 && c->pid == job && c->parent == p)
      c->job = job;
  console_set_fg(job);
  return 0;
}

// halt(): flush the disk and power QEMU off through the virt test device.
int sys_halt(void)
{
  fs_unmount();
  printf("glassbox: halted\n");
  poweroff(0);
  return 0;
}

// mmap(addr, len, prot, flags): addr is only a hint, and not used.
int sys_mmap(void)   { return mmap_anon(argraw(1), argint(2), argint(3)); }
int sys_munmap(void) { return munmap(argraw(0), argraw(1)); }
int sys_shmat(void)  { return shmat(argint(0), argraw(1)); }
int sys_send(void)   { return mailbox_send(argint(0), argraw(1), argraw(2), argint(3)); }
int sys_recv(void)   { return mailbox_recv(argraw(0), argraw(1), argraw(2), argint(3)); }
