// malloc and free: a first-fit allocator over memory from sbrk, after
// Kernighan and Ritchie. Free blocks form a circular list sorted by address,
// and free() merges a block with free neighbours on either side.

#include "user/user.h"

typedef long long Align;      // blocks are aligned to 8 bytes

union header {
  struct {
    union header *next;       // next free block (while free)
    uint units;               // size of this block, header included
  } s;
  Align align;
};
typedef union header Header;

#define MIN_GROW 4096          // units to ask sbrk for at least (32 KiB)
#define MAX_REQUEST 0x7fff0000 // bytes; larger requests could overflow sbrk's int

static Header base;           // empty list's anchor, a block of size 0
static Header *freep;         // where the last search ended

void
free(void *ap)
{
  Header *bp, *p;

  if (ap == 0)
    return;
  bp = (Header*)ap - 1;
  // Find p with p < bp < p->next, or the wrap-around point of the list.
  for (p = freep; !(bp > p && bp < p->s.next); p = p->s.next) {
    if (p >= p->s.next && (bp > p || bp < p->s.next))
      break;
  }
  if (bp + bp->s.units == p->s.next) {   // merge with the upper neighbour
    bp->s.units += p->s.next->s.units;
    bp->s.next = p->s.next->s.next;
  } else {
    bp->s.next = p->s.next;
  }
  if (p + p->s.units == bp) {            // merge with the lower neighbour
    p->s.units += bp->s.units;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  freep = p;
}

static Header*
grow(uint units)
{
  char *p;
  Header *hp;

  if (units < MIN_GROW)
    units = MIN_GROW;
  p = sbrk(units * sizeof(Header));
  if (p == (char*)-1)
    return 0;
  hp = (Header*)p;
  hp->s.units = units;
  free(hp + 1);
  return freep;
}

void*
malloc(uint nbytes)
{
  Header *p, *prev;
  uint units;

  if (nbytes > MAX_REQUEST)
    return 0;
  units = (nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;
  if (freep == 0) {
    base.s.next = freep = &base;
    base.s.units = 0;
  }
  for (prev = freep, p = prev->s.next; ; prev = p, p = p->s.next) {
    if (p->s.units >= units) {
      if (p->s.units == units) {
        prev->s.next = p->s.next;
      } else {                 // hand out the tail end of the block
        p->s.units -= units;
        p += p->s.units;
        p->s.units = units;
      }
      freep = prev;
      return p + 1;
    }
    if (p == freep && (p = grow(units)) == 0)
      return 0;
  }
}
