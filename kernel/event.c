// The event ring (event.h): the inspector reads it from memory.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"
#include "syscall.h"

struct event_ring event_ring = { .next_seq = 1 };

// What a syscall event's a0 is: the name of each call's first argument, by
// call number as in syscalls[] (docs/syscalls.md has the signatures); "" for
// a call without arguments. Only the inspector reads it (the workbench shows
// "write fd=1", not "a0=1"); a call missing here is shown by its register.
const char *const syscall_arg0[] = {
  [SYS_fork] "",          [SYS_exit] "status",    [SYS_wait] "status",
  [SYS_pipe] "fds",       [SYS_read] "fd",        [SYS_kill] "pid",
  [SYS_exec] "path",      [SYS_fstat] "fd",       [SYS_chdir] "path",
  [SYS_dup] "fd",         [SYS_getpid] "",        [SYS_sbrk] "n",
  [SYS_sleep] "ticks",    [SYS_uptime] "",        [SYS_open] "path",
  [SYS_write] "fd",       [SYS_mknod] "path",     [SYS_unlink] "path",
  [SYS_link] "old",       [SYS_mkdir] "path",     [SYS_close] "fd",
  [SYS_yield] "",         [SYS_procinfo] "info",  [SYS_sysinfo] "info",
  [SYS_mmap] "addr",      [SYS_munmap] "addr",    [SYS_send] "pid",
  [SYS_recv] "buf",       [SYS_shmat] "key",      [SYS_getdents] "fd",
  [SYS_lseek] "fd",       [SYS_rename] "old",     [SYS_sync] "",
  [SYS_halt] "",          [SYS_rmdir] "path",     [SYS_ftruncate] "fd",
  [SYS_setfg] "pid",      [SYS_trace] "mask",     [SYS_sigalarm] "n",
  [SYS_sigreturn] "",     [SYS_fsync] "fd",       [SYS_settickets] "n",
  [SYS_symlink] "target",
};

// Keeps the compiler from moving memory accesses across it. The reader is
// the inspector, through QEMU's GDB stub, while the guest is stopped: it may
// stop between any two instructions of event_log, and then it believes a slot
// whose seq is new and the ring's next_seq. So the stores must reach memory
// in program order: the fields, then seq, then next_seq. No fence instruction
// is needed for that: the one hart's own stores are in memory, in order, at
// any instruction boundary where QEMU stops it, and no other hart reads the
// ring while this one runs.
static inline void compiler_barrier(void)
{
  asm volatile("" ::: "memory");
}

volatile unsigned int event_watch;

// The inspector's watch of a user page (docs/protocol.md, "watch"): the
// process whose page it is (0: none), and whether it is on the CPU. A
// switch that makes it run or stop running is told to event_watched, one of
// another kind is not, so that processes that never touch the watched page
// run at full speed: the inspector keeps its watchpoint in only while the
// process runs. Both are written by the inspector, and updated here.
volatile int watch_pid;
volatile int watch_on_cpu;

// Whether a switch to pid changes whether the watched process runs.
static int watch_switch(int kind, int pid)
{
  if (kind != EV_SWITCH || watch_pid == 0 || (pid == watch_pid) == watch_on_cpu)
    return 0;
  watch_on_cpu = pid == watch_pid;
  return 1;
}

// Writes the event into the ring. When its kind is watched, it first calls
// event_watched with where event_log returns to in its caller: the
// inspector stops there, then lets the event be written and stops again at
// that return address, in the code that logged the event, with the event
// in the ring. data may be 0 for kinds without a payload.
void event_log(int kind, int pid, const union event_data *data)
{
  uint32 seq = event_ring.next_seq;
  // (| not ||: watch_on_cpu follows every switch, also one run_to watches)
  if (((event_watch >> kind) & 1) | watch_switch(kind, pid))
    event_watched(kind, pid, data, seq, (uint32)__builtin_return_address(0));
  struct event *e = &event_ring.slot[seq % NEVENT];
  e->seq = 0;            // a reader never sees the old seq with new fields
  compiler_barrier();
  e->tick = ticks;
  e->pid = pid;
  e->kind = kind;
  if (data)
    memmove(&e->data, data, sizeof(e->data));
  else
    memset(&e->data, 0, sizeof(e->data));
  compiler_barrier();
  e->seq = seq;          // a reader sees the whole new event, or none in this slot
  compiler_barrier();
  event_ring.next_seq = seq + 1;
}

// The inspector's run_to stops here (kind in a0, pid in a1, data in a2, the
// seq the event gets in a3), the event not yet in the ring, and then at
// caller (a4), in the code that logged it. noipa: the compiler must neither
// drop the call to this empty function nor fold it into its callers. Alone
// on its page (kernel.ld): QEMU 7.2 runs all the code on a page that holds
// a breakpoint one instruction at a time, which made the whole guest half
// as fast while a Run to next waited, when this shared a page with
// event_log.
__attribute__((noipa, section(".watchtext")))
void event_watched(int kind, int pid, const union event_data *data, unsigned int seq,
                   unsigned int caller)
{
  (void)kind;
  (void)pid;
  (void)data;
  (void)seq;
  (void)caller;
}
