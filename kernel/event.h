// The kernel event ring: a fixed ring of what happened, read by the inspector
// straight from memory. It finds `event_ring` and every field below through
// DWARF, and decodes an event's payload by the member of union event_data
// that is named like its kind (EV_COW_FAULT -> cow_fault): add a field here
// and it appears in the protocol with no change to the inspector. Signed
// fields are counts and pids, unsigned ones addresses, char arrays text.

enum event_kind {
  EV_NONE,
  EV_FORK,
  EV_EXEC,
  EV_EXIT,
  EV_COW_FAULT,
  EV_PAGE_FAULT,    // a fault the process dies of (EV_TRAP follows)
  EV_SYSCALL,
  EV_TRAP,          // faults that kill; interrupts are not logged
  EV_SWITCH,        // pid = process switched to
  EV_MAIL_SEND,
  EV_MAIL_RECV,
  EV_SYSCALL_RET,   // a system call returns (after EV_SYSCALL)
};

#define EVENT_PATH 32     // bytes of an exec's path kept (NUL included)

// What an event says beyond its pid (the process it happened to).
union event_data {
  struct { int child; } fork;
  struct {
    char path[EVENT_PATH];
    unsigned int old_root;      // page table given up (0: none)
    unsigned int new_root;      // page table of the new program
    unsigned int entry;
  } exec;
  struct { int status; } exit;
  struct {
    unsigned int va;            // the page stored to
    unsigned int old_pa;        // the frame it had (read-only, COW)
    unsigned int new_pa;        // its frame now: old_pa when kept in place
    int refcount_before;        // holders of old_pa before the fault
  } cow_fault;
  struct { unsigned int va, scause, sepc; } page_fault;
  struct { int num; unsigned int a0; } syscall;     // a0: its first argument
  struct { int num; int ret; } syscall_ret;         // ret: -E... on failure
  struct { unsigned int scause, stval; } trap;
  struct { int to, len; } mail_send;
  struct { int from, len; } mail_recv;
};

struct event {
  unsigned int seq;     // 1, 2, 3, ... (0 = slot never written)
  unsigned int tick;    // timer tick when it happened
  int pid;              // process it happened to (0 = kernel)
  int kind;             // enum event_kind
  union event_data data;
};

#define NEVENT 256        // slots in the ring (a power of two)

struct event_ring {
  unsigned int next_seq;          // seq the next event will get; slot = seq % NEVENT
  struct event slot[NEVENT];
};

extern struct event_ring event_ring;

// Bit (1 << kind) set: the inspector waits for an event of that kind (its
// Run to next), so event_log calls event_watched for it, where the
// inspector's breakpoint is (kernel/event.c). Only the inspector writes it.
// Events of other kinds go by without a stop: a busy guest runs at full
// speed until the event it waits for.
extern volatile unsigned int event_watch;

void event_log(int kind, int pid, const union event_data *data);
void event_watched(int kind, int pid, const union event_data *data, unsigned int seq,
                   unsigned int caller);
