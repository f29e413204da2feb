// The event ring (event.h): the inspector reads it from memory.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

struct event_ring event_ring = { .next_seq = 1 };

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

void event_log(int kind, int pid, uint32 arg0, uint32 arg1)
{
  uint32 seq = event_ring.next_seq;
  struct event *e = &event_ring.slot[seq % NEVENT];
  e->tick = ticks;
  e->pid = pid;
  e->kind = kind;
  e->arg0 = arg0;
  e->arg1 = arg1;
  compiler_barrier();
  e->seq = seq;          // a reader sees the whole new event or the old one
  compiler_barrier();
  event_ring.next_seq = seq + 1;
}
