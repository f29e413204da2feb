// Physical frame bookkeeping (kalloc.c).
enum frame_kind {
  FRAME_FREE,       // on the free list
  FRAME_KERNEL,     // kernel image, kernel stacks, kernel buffers
  FRAME_PAGETABLE,  // a root or level-0 page table
  FRAME_USER,       // mapped into some process's user space
};

struct frame {
  uint16 refcount;  // mappings (user frames) or holders (others); 0 when free
  uint8 kind;       // enum frame_kind
  uint32 writes;    // times it was allocated or, as a page table, had an
                    // entry changed: the inspector re-reads a table only
                    // when this moved (the hardware never writes PTEs: the
                    // kernel sets A and D itself)
};

#define NFRAMES (RAMSIZE / PGSIZE)
extern struct frame frames[NFRAMES];
// Frames at and above this index have never been allocated (they are
// free): the inspector reads frames[] only up to here.
extern uint32 frames_high_water;
