// The buffer cache: NBUF blocks in an LRU list. bread() returns a block
// held for the caller (busy) until brelse(); one holder at a time.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"

static struct {
  struct buf buf[NBUF];
  struct buf head;   // sentinel of the LRU list
} bcache;

void binit(void)
{
  bcache.head.prev = bcache.head.next = &bcache.head;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++) {
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
  }
}

static void take(struct buf *b)
{
  while (b->busy)
    sleep(b);
  b->busy = 1;
}

// The cached buffer for blockno, or the least recently used free one.
static struct buf *bget(uint32 blockno)
{
  for (;;) {
    for (struct buf *b = bcache.head.next; b != &bcache.head; b = b->next) {
      if (b->blockno == blockno && (b->valid || b->refcnt)) {
        b->refcnt++;
        take(b);
        return b;
      }
    }
    for (struct buf *b = bcache.head.prev; b != &bcache.head; b = b->prev) {
      if (b->refcnt == 0 && !b->busy) {
        if (b->dirty) {      // write it back before reusing it
          b->busy = 1;
          bflush(b);
          b->busy = 0;
          continue;
        }
        b->blockno = blockno;
        b->valid = 0;
        b->refcnt = 1;
        b->busy = 1;
        return b;
      }
    }
    sleep(&bcache);
  }
}

// The block's contents, held by the caller; 0 on an I/O error.
struct buf *bread(uint32 blockno)
{
  struct buf *b = bget(blockno);
  if (!b->valid) {
    if (virtio_disk_rw(b, 0) < 0) {
      brelse(b);
      return 0;
    }
    b->valid = 1;
  }
  return b;
}

// Mark a held buffer as changed; sync or eviction writes it.
void bdirty(struct buf *b)
{
  b->dirty = 1;
}

// Write a dirty buffer to the disk now.
int bflush(struct buf *b)
{
  if (!b->dirty)
    return 0;
  int err = virtio_disk_rw(b, 1);
  if (err == 0)
    b->dirty = 0;
  return err;
}

void brelse(struct buf *b)
{
  b->busy = 0;
  wakeup(b);
  if (--b->refcnt == 0) {
    // most recently used goes to the front
    b->next->prev = b->prev;
    b->prev->next = b->next;
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
    wakeup(&bcache);
  }
}

// Write every dirty block.
int bsync(void)
{
  int err = 0;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++) {
    if (!b->dirty)
      continue;
    take(b);
    b->refcnt++;
    if (bflush(b) < 0)
      err = -EIO;
    brelse(b);
  }
  return err;
}
