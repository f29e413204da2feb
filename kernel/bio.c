// The buffer cache: NBUF blocks in an LRU list. bread() returns a block
// held for the caller (busy) until brelse(); one holder at a time.
//
// Requests to the disk carry runs of contiguous blocks (up to DISK_RUN_MAX)
// and several are in flight at once: bsync and bwrite_all merge the
// buffers they write into runs, and bprefetch reads a run ahead without
// waiting. A buffer being read ahead is in the cache, marked `reading`:
// whoever takes it next waits for that buffer's own completion.
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

// The least recently used buffer nobody holds and no request fills (and,
// if clean_only, holding no unwritten data), or 0.
static struct buf *lru_unused(int clean_only)
{
  for (struct buf *b = bcache.head.prev; b != &bcache.head; b = b->prev)
    if (b->refcnt == 0 && !b->busy && !b->meta && !(b->reading && b->io.busy) &&
        !(clean_only && b->dirty))
      return b;
  return 0;
}

// The buffer caching blockno (valid, held, or being read ahead), or 0.
static struct buf *find(uint32 blockno)
{
  for (struct buf *b = bcache.head.next; b != &bcache.head; b = b->next)
    if (b->blockno == blockno && (b->valid || b->refcnt || b->reading))
      return b;
  return 0;
}

// Whether blockno is in the cache (or being read into it).
int bcached(uint32 blockno)
{
  return find(blockno) != 0;
}

// Give unused buffer b to blockno, held, not valid.
static void claim(struct buf *b, uint32 blockno)
{
  b->blockno = blockno;
  b->valid = 0;
  b->reading = 0;
  b->refcnt = 1;
  b->busy = 1;
}

// The cached buffer for blockno, or the least recently used unused one
// (dirty file data is written back first). Returned held (busy), with any
// read ahead into it finished. 0 when the write-back fails and no clean
// buffer is left: the data that would not go stays cached, dirty, for a
// later sync, and the caller reports -EIO.
static struct buf *bget(uint32 blockno)
{
  int write_failed = 0;
  for (;;) {
    struct buf *b = find(blockno);
    if (b) {
      b->refcnt++;
      take(b);
      if (b->reading) {
        b->valid = virtio_disk_wait(b) == 0;
        b->reading = 0;
      }
      return b;
    }
    b = lru_unused(write_failed);
    if (b == 0 && write_failed)
      return 0;
    if (b == 0) {
      sleep(&bcache);
      continue;
    }
    if (b->dirty) {
      // All dirty data, in runs: the cache is full of it. Then look again:
      // others may have run while we wrote.
      write_failed = bsync() < 0;
      continue;
    }
    claim(b, blockno);
    return b;
  }
}

// Start reading up to n blocks from first on into the cache, as one
// request, and return without waiting. Stops at a block already cached,
// and where no clean buffer is free: read-ahead never writes or waits for
// buffers.
void bprefetch(uint32 first, int n)
{
  struct buf *run[DISK_RUN_MAX];
  int k;
  if (n > DISK_RUN_MAX)
    n = DISK_RUN_MAX;
  for (k = 0; k < n; k++) {
    struct buf *b = lru_unused(0);
    if (find(first + k) || b == 0 || b->dirty)
      break;
    claim(b, first + k);
    run[k] = b;
  }
  if (k == 0)
    return;
  int started = virtio_disk_start_run(run, k, 0) == 0;   // held while it may sleep
  for (int i = 0; i < k; i++) {
    run[i]->reading = started;
    brelse(run[i]);
  }
}

// The block's contents, held by the caller; 0 on an I/O error.
struct buf *bread(uint32 blockno)
{
  struct buf *b = bget(blockno);
  if (b == 0)
    return 0;
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
// just allocated, or one the caller overwrites whole): never read. 0 when
// no buffer can be had (see bget).
struct buf *bnew(uint32 blockno)
{
  struct buf *b = bget(blockno);
  if (b)
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

// Start writing the n held buffers bs: each run of consecutive block
// numbers in bs as one request, all of them in flight at once.
// started[i] says whether bs[i]'s request started.
static void start_writes(struct buf **bs, int n, char *started)
{
  for (int i = 0, len; i < n; i += len) {
    for (len = 1; i + len < n && len < DISK_RUN_MAX && bs[i + len]->blockno == bs[i]->blockno + len; len++)
      ;
    int ok = virtio_disk_start_run(bs + i, len, 1) == 0;
    for (int k = 0; k < len; k++)
      started[i + k] = ok;
  }
}

// Write n (at most WRITE_BATCH) held buffers to their own blocks.
#define WRITE_BATCH 32

int bwrite_all(struct buf **bs, int n)
{
  int err = 0;
  char started[WRITE_BATCH];
  if (n > WRITE_BATCH)
    panic("bwrite_all: batch too large");
  start_writes(bs, n, started);
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

// Write every dirty block of file data, SYNC_BATCH buffers at a time in
// order of block number, so that a file's blocks go in long runs.
// (Metadata goes through the journal.)
#define SYNC_BATCH 64

int bsync(void)
{
  struct buf *batch[SYNC_BATCH];
  char started[SYNC_BATCH];
  int err = 0, n;
  do {
    n = 0;
    for (struct buf *b = bcache.buf; b < bcache.buf + NBUF && n < SYNC_BATCH; b++) {
      if (!b->dirty || b->busy)
        continue;   // a held buffer is written by its holder's sync
      b->busy = 1;
      b->refcnt++;
      b->dirty = 0;
      int i = n++;
      for (; i > 0 && batch[i - 1]->blockno > b->blockno; i--)
        batch[i] = batch[i - 1];
      batch[i] = b;
    }
    start_writes(batch, n, started);
    for (int i = 0; i < n; i++) {
      if (!started[i] || virtio_disk_wait(batch[i]) < 0) {
        batch[i]->dirty = 1;   // not written: keep it for the next try
        err = -EIO;
      }
      brelse(batch[i]);
    }
  } while (n > 0 && err == 0);
  return err;
}
