// The event ring (event.h): the inspector reads it from memory.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

struct event_ring event_ring = { .next_seq = 1 };

void event_log(int kind, int pid, uint32 arg0, uint32 arg1)
{
  uint32 seq = event_ring.next_seq;
  struct event *e = &event_ring.slot[seq % NEVENT];
  e->tick = ticks;
  e->pid = pid;
  e->kind = kind;
  e->arg0 = arg0;
  e->arg1 = arg1;
  e->seq = seq;          // written last: a reader sees a whole event or the old one
  event_ring.next_seq = seq + 1;
}
