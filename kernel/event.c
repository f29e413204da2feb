// The event ring (event.h): the inspector reads it from memory.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

struct event_ring event_ring = { .next_seq = 1 };

// data may be 0 for kinds without a payload. The inspector's run_to stops
// here (kind in a0, pid in a1, data in a2) and then at the return address.
void event_log(int kind, int pid, const union event_data *data)
{
  uint32 seq = event_ring.next_seq;
  struct event *e = &event_ring.slot[seq % NEVENT];
  e->seq = 0;            // a reader never sees the old seq with new fields
  e->tick = ticks;
  e->pid = pid;
  e->kind = kind;
  if (data)
    memmove(&e->data, data, sizeof(e->data));
  else
    memset(&e->data, 0, sizeof(e->data));
  e->seq = seq;          // written last: a reader sees a whole event or none
  event_ring.next_seq = seq + 1;
}
