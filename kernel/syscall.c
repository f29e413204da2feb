// System call dispatch: number in a7, arguments in a0-a5, result in a0.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"
#include "syscall.h"

uint32 argraw(int n)
{
  return myproc()->tf.regs[REG_A0 + n];
}

int argint(int n)
{
  return (int)argraw(n);
}

// Fetch argument n as a path string into buf (MAXPATH bytes).
int argpath(int n, char *buf)
{
  return copyinstr(myproc()->pagetable, buf, argraw(n), MAXPATH);
}

static int (*const syscalls[])(void) = {
  [SYS_fork] sys_fork,       [SYS_exit] sys_exit,       [SYS_wait] sys_wait,
  [SYS_pipe] sys_pipe,       [SYS_read] sys_read,       [SYS_kill] sys_kill,
  [SYS_exec] sys_exec,       [SYS_fstat] sys_fstat,     [SYS_chdir] sys_chdir,
  [SYS_dup] sys_dup,         [SYS_getpid] sys_getpid,   [SYS_sbrk] sys_sbrk,
  [SYS_sleep] sys_sleep,     [SYS_uptime] sys_uptime,   [SYS_open] sys_open,
  [SYS_write] sys_write,     [SYS_close] sys_close,     [SYS_yield] sys_yield,
  [SYS_procinfo] sys_procinfo, [SYS_sysinfo] sys_sysinfo,
  [SYS_getdents] sys_getdents, [SYS_lseek] sys_lseek,   [SYS_halt] sys_halt,
  [SYS_setfg] sys_setfg,     [SYS_mmap] sys_mmap,       [SYS_munmap] sys_munmap,
  [SYS_send] sys_send,       [SYS_recv] sys_recv,       [SYS_shmat] sys_shmat,
  [SYS_mknod] sys_mknod,     [SYS_unlink] sys_unlink,   [SYS_link] sys_link,
  [SYS_mkdir] sys_mkdir,     [SYS_rmdir] sys_rmdir,     [SYS_rename] sys_rename,
  [SYS_ftruncate] sys_ftruncate, [SYS_sync] sys_sync,       [SYS_trace] sys_trace,
  [SYS_sigalarm] sys_sigalarm, [SYS_sigreturn] sys_sigreturn,
  [SYS_fsync] sys_fsync,     [SYS_settickets] sys_settickets,
  [SYS_symlink] sys_symlink,
};

// LAB syscall-names begin
// The name of each call, for trace(): syscalls[] by number, without "sys_".
static const char *const syscall_names[] = {
  [SYS_fork] "fork",         [SYS_exit] "exit",         [SYS_wait] "wait",
  [SYS_pipe] "pipe",         [SYS_read] "read",         [SYS_kill] "kill",
  [SYS_exec] "exec",         [SYS_fstat] "fstat",       [SYS_chdir] "chdir",
  [SYS_dup] "dup",           [SYS_getpid] "getpid",     [SYS_sbrk] "sbrk",
  [SYS_sleep] "sleep",       [SYS_uptime] "uptime",     [SYS_open] "open",
  [SYS_write] "write",       [SYS_close] "close",       [SYS_yield] "yield",
  [SYS_procinfo] "procinfo", [SYS_sysinfo] "sysinfo",
  [SYS_getdents] "getdents", [SYS_lseek] "lseek",       [SYS_halt] "halt",
  [SYS_setfg] "setfg",       [SYS_mmap] "mmap",         [SYS_munmap] "munmap",
  [SYS_send] "send",         [SYS_recv] "recv",         [SYS_shmat] "shmat",
  [SYS_mknod] "mknod",       [SYS_unlink] "unlink",     [SYS_link] "link",
  [SYS_mkdir] "mkdir",       [SYS_rmdir] "rmdir",       [SYS_rename] "rename",
  [SYS_ftruncate] "ftruncate", [SYS_sync] "sync",       [SYS_trace] "trace",
  [SYS_sigalarm] "sigalarm", [SYS_sigreturn] "sigreturn", [SYS_fsync] "fsync",
  [SYS_settickets] "settickets",
  [SYS_symlink] "symlink",
};
// LAB syscall-names end

void syscall(void)
{
  struct proc *p = myproc();
  uint32 num = p->tf.regs[REG_A7];
  union event_data ev = { .syscall = { .num = num, .a0 = p->tf.regs[REG_A0] } };
  event_log(EV_SYSCALL, p->pid, &ev);
  if (num < sizeof(syscalls) / sizeof(syscalls[0]) && syscalls[num])
    p->tf.regs[REG_A0] = syscalls[num]();
  else
    p->tf.regs[REG_A0] = -ENOSYS;
  // LAB syscall-print begin
  if (num < 32 && (p->tracemask >> num & 1) && syscall_names[num])
    printf("%d: syscall %s -> %d\n", p->pid, syscall_names[num], (int)p->tf.regs[REG_A0]);
  // LAB syscall-print end
  ev.syscall_ret.num = num;
  ev.syscall_ret.ret = p->tf.regs[REG_A0];
  event_log(EV_SYSCALL_RET, p->pid, &ev);
}
