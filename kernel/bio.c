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

// The least recently used buffer nobody holds, or 0.
static struct buf *lru_unused(void)
{
  for (struct buf *b = bcache.head.prev; b != &bcache.head; b = b->prev)
    if (b->refcnt == 0 && !b->busy && !b->meta)
      return b;
  return 0;
}

// The cached buffer for blockno, or the least recently used unused one,
// written back first if it is dirty. Returned held (busy).
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
    struct buf *b = lru_unused();
    if (b == 0) {
      sleep(&bcache);
      continue;
    }
    if (b->dirty) {
      b->busy = 1;
      bflush(b);
      b->busy = 0;
      wakeup(b);
      continue;   // look again: others may have run while we wrote
    }
    b->blockno = blockno;
    b->valid = 0;
    b->refcnt = 1;
    b->busy = 1;
    return b;
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

// A held buffer for blockno whose old contents do not matter (a block
// just allocated, or one the caller overwrites whole): never read.
struct buf *bnew(uint32 blockno)
{
  struct buf *b = bget(blockno);
  b->valid = 1;
  return b;
}

// Mark a held buffer of file data as changed; sync or eviction writes it.
void bdirty(struct buf *b)
{
  if (!b->meta)
    b->dirty = 1;
}

// Mark a held buffer of metadata as changed: the next journal commit
// writes it, first to the journal and then in place.
void bdirty_meta(struct buf *b)
{
  b->meta = 1;
  b->dirty = 0;
}

// Take (hold) up to max buffers of changed metadata for a commit.
int bmeta_take(struct buf **out, int max)
{
  int n = 0;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF && n < max; b++) {
    if (b->meta) {
      b->refcnt++;
      take(b);
      out[n++] = b;
    }
  }
  return n;
}

// Buffers changed and not yet committed: how full the transaction is.
int bmeta_count(void)
{
  int n = 0;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++)
    n += b->meta;
  return n;
}

// Write n (at most WRITE_BATCH) held buffers, to their own blocks, all in
// flight at once.
#define WRITE_BATCH 32

int bwrite_all(struct buf **bs, int n)
{
  int err = 0, started[WRITE_BATCH];
  if (n > WRITE_BATCH)
    panic("bwrite_all: batch too large");
  for (int i = 0; i < n; i++)
    started[i] = virtio_disk_start(bs[i], 1) == 0;
  for (int i = 0; i < n; i++)
    if (!started[i] || virtio_disk_wait(bs[i]) < 0)
      err = -EIO;
  return err;
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

// Write every dirty block of file data, a batch of requests in flight at
// once. (Metadata goes through the journal.)
#define SYNC_BATCH 8

int bsync(void)
{
  struct buf *batch[SYNC_BATCH];
  int err = 0, n;
  do {
    n = 0;
    for (struct buf *b = bcache.buf; b < bcache.buf + NBUF && n < SYNC_BATCH; b++) {
      if (!b->dirty || b->busy)
        continue;   // a held buffer is written by its holder's sync
      b->busy = 1;
      b->refcnt++;
      b->dirty = 0;   // a change made while it is written marks it again
      if (virtio_disk_start(b, 1) < 0) {
        b->dirty = 1;   // not written: keep it for the next try
        err = -EIO;
        brelse(b);
        continue;
      }
      batch[n++] = b;
    }
    for (int i = 0; i < n; i++) {
      if (virtio_disk_wait(batch[i]) < 0) {
        batch[i]->dirty = 1;
        err = -EIO;
      }
      brelse(batch[i]);
    }
  } while (n > 0 && err == 0);
  return err;
}
