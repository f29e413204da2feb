// The kernel event ring: a fixed ring of what happened, read by the inspector
// straight from memory (it finds `event_ring` and these fields through DWARF).

enum event_kind {
  EV_NONE,
  EV_FORK,          // arg0 = child pid
  EV_EXEC,          // arg0 = user address of entry point
  EV_EXIT,          // arg0 = exit status
  EV_COW_FAULT,     // arg0 = faulting va, arg1 = new frame pa (or old one if reused in place)
  EV_PAGE_FAULT,    // arg0 = faulting va, arg1 = scause
  EV_SYSCALL,       // arg0 = syscall number, arg1 = its first argument (a0)
  EV_TRAP,          // arg0 = scause, arg1 = stval (faults that kill, and interrupts are not logged)
  EV_SWITCH,        // pid = process switched to
  EV_MAIL_SEND,     // arg0 = receiver pid, arg1 = length
  EV_MAIL_RECV,     // arg0 = sender pid, arg1 = length
  EV_SYSCALL_RET,   // arg0 = syscall number, arg1 = what it returns (-E... on failure)
};

struct event {
  unsigned int seq;     // 1, 2, 3, ... (0 = slot never written)
  unsigned int tick;    // timer tick when it happened
  int pid;              // process it happened to (0 = kernel)
  int kind;             // enum event_kind
  unsigned int arg0;
  unsigned int arg1;
};

#define NEVENT 256        // slots in the ring (a power of two)

struct event_ring {
  unsigned int next_seq;          // seq the next event will get; slot = seq % NEVENT
  struct event slot[NEVENT];
};

extern struct event_ring event_ring;
void event_log(int kind, int pid, unsigned int arg0, unsigned int arg1);
