// Physical frames. Every 4 KiB frame of RAM has an entry in frames[]: how
// many mappings or kernel users hold it, and what it is used for. The
// inspector reads this array to draw the frame map.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

extern char end[];   // first address after the kernel image (kernel.ld)

struct frame frames[NFRAMES];
uint32 frames_high_water;

struct free_frame {
  struct free_frame *next;
};
static struct free_frame *free_list;
static uint32 free_count;      // on free_list, or from fresh on
static uint32 fresh;           // frames from here to PHYSTOP were never used

static struct frame *frame_of(uint32 pa)
{
  if (pa % PGSIZE || pa < RAMBASE || pa >= PHYSTOP)
    panic("frame_of: bad physical address 0x%08x", pa);
  return &frames[(pa - RAMBASE) / PGSIZE];
}

// Everything from the end of the kernel image to the end of RAM is free.
// The frames are not put on the free list here: that would write to every
// one of them, and QEMU gives the guest its RAM a page at a time as it is
// first touched, so the boot would pay for all 128 MiB (tens of ms, and
// hundreds on a busy host). kalloc takes the never-used ones in order once
// the free list is empty.
void kinit(void)
{
  uint32 first_free = PGROUNDUP((uint32)end);
  for (uint32 pa = RAMBASE; pa < first_free; pa += PGSIZE) {
    frame_of(pa)->kind = FRAME_KERNEL;
    frame_of(pa)->refcount = 1;
  }
  frames_high_water = (first_free - RAMBASE) / PGSIZE;
  fresh = first_free;
  free_count = (PHYSTOP - first_free) / PGSIZE;
}

// A zeroed frame with refcount 1, or 0 when memory is exhausted.
void *kalloc(enum frame_kind kind)
{
  struct free_frame *f = free_list;
  if (f != 0) {
    free_list = f->next;
  } else if (fresh < PHYSTOP) {
    f = (struct free_frame *)fresh;
    fresh += PGSIZE;
  } else {
    return 0;
  }
  free_count--;
  memset(f, 0, PGSIZE);
  struct frame *fr = frame_of((uint32)f);
  fr->refcount = 1;
  fr->kind = kind;
  fr->writes++;     // after the memset: a reader that saw the old count re-reads
  if (fr - frames >= (int)frames_high_water)
    frames_high_water = fr - frames + 1;
  return f;
}

// Drop one reference; the frame goes back to the free list at zero.
void kfree(void *page)
{
  struct frame *fr = frame_of((uint32)page);
  if (fr->refcount == 0 || fr->kind == FRAME_FREE)
    panic("kfree: frame %p is not in use", page);
  if (--fr->refcount > 0)
    return;
  fr->kind = FRAME_FREE;
  memset(page, 0x5a, PGSIZE);   // junk, to catch use after free
  struct free_frame *f = page;
  f->next = free_list;
  free_list = f;
  free_count++;
}

void kref(uint32 pa)
{
  frame_of(pa)->refcount++;
}

int krefcount(uint32 pa)
{
  return frame_of(pa)->refcount;
}

// Count a change to the page-table entry at pte (see struct frame).
void kwrote(pte_t *pte)
{
  frame_of(PGROUNDDOWN((uint32)pte))->writes++;
}

uint32 kfree_count(void)
{
  return free_count;
}
