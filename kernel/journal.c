// The ext3 journal (JBD2, format in journal.h): every change to metadata
// reaches the disk as a transaction, replayed at mount if a crash cut it off.
//
// Operations: a system call that changes the file system runs between
// begin_op() and end_op(). One operation runs at a time (a process may nest
// them), so a commit, which happens at the end of an operation, never
// catches another one half done. Changed metadata buffers stay in the
// buffer cache (bdirty_meta) until the commit.
//
// A commit (ordered mode, as ext3's default):
//   1. file data changed since the last commit is written in place;
//   2. the journal superblock (start = first log block) and the log: a
//      descriptor block, copies of the changed metadata blocks; FLUSH;
//   3. the commit block; FLUSH: from here the transaction survives a crash;
//   4. checkpoint: the metadata blocks in place; FLUSH;
//   5. the journal superblock with start = 0 (empty) and the next sequence;
//      FLUSH (the next transaction's log goes over this one's).
// So the log holds at most one transaction, always from the log's first
// block, and never wraps. Revoke records are not needed: a block freed in
// a transaction may be reused only once that transaction is committed and
// checkpointed (ext2_alloc.c keeps the committed bitmap until then), and a
// later reuse as file data is never overwritten by a replay, because the
// only transaction a replay can find is the newest committed one, whose
// journal superblock reached the disk before its commit. Replay reads
// revoke records all the same, for journals other systems wrote.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"
#include "ext2fs.h"
#include "journal.h"

#define TXN_MAX 400          // metadata blocks in one transaction
#define LOG_BATCH 16         // log blocks written at once
#define REVOKE_MAX 256       // revoke records replay can hold
#define TAGS_PER_DESCRIPTOR \
  ((BSIZE - sizeof(struct jbd2_header) - JBD2_UUID_BYTES) / sizeof(struct jbd2_tag))

static struct {
  int active;              // the disk has a journal and we write it
  struct inode *ip;        // the journal file
  uint32 maxlen, first;    // its size and its log's first block
  uint32 sequence;         // the next transaction's number
  uint8 uuid[JBD2_UUID_BYTES];
  struct proc *owner;      // the process whose operation runs, or 0
  int depth;               // its nesting of begin_op
} journal;

// ---- the journal file --------------------------------------------------

// The disk block of journal block n, or 0.
static uint32 log_block(uint32 n)
{
  int b = n < journal.maxlen ? ext2_bmap(journal.ip, n, 0) : 0;
  return b > 0 ? (uint32)b : 0;
}

static uint32 log_next(uint32 n)
{
  return n + 1 < journal.maxlen ? n + 1 : journal.first;
}

// Read journal block n (held), or 0.
static struct buf *log_read(uint32 n)
{
  uint32 b = log_block(n);
  return b ? bread(b) : 0;
}

// Write the journal superblock: where the log starts (0: empty) and its
// first transaction's number.
static int write_jsb(uint32 start, uint32 sequence)
{
  struct buf *b = log_read(0);
  if (b == 0)
    return -EIO;
  struct jbd2_superblock *jsb = (struct jbd2_superblock *)b->data;
  jsb->start = be32(start);
  jsb->sequence = be32(sequence);
  b->dirty = 1;
  int err = bflush(b);
  brelse(b);
  return err;
}

// ---- replay --------------------------------------------------------------

struct revoke { uint32 block, sequence; };

static struct {
  uint32 pos;              // the journal block being looked at
  uint32 sequence;         // the transaction being walked
  uint32 end;              // transactions before this one are complete
  int pass;                // SCAN, REVOKE or REPLAY
  int nrevoke;
  struct revoke revoked[REVOKE_MAX];
  int replayed, error;
} rp;

enum { SCAN, REVOKE, REPLAY };

static void add_revoke(void *arg, uint32 block)
{
  (void)arg;
  for (int i = 0; i < rp.nrevoke; i++) {
    if (rp.revoked[i].block == block) {
      if (rp.revoked[i].sequence < rp.sequence)
        rp.revoked[i].sequence = rp.sequence;
      return;
    }
  }
  if (rp.nrevoke == REVOKE_MAX) {
    rp.error = -ENOMEM;
    return;
  }
  rp.revoked[rp.nrevoke++] = (struct revoke){ block, rp.sequence };
}

static int is_revoked(uint32 block)
{
  for (int i = 0; i < rp.nrevoke; i++)
    if (rp.revoked[i].block == block && rp.sequence <= rp.revoked[i].sequence)
      return 1;
  return 0;
}

// One tag of a descriptor: the logged block after it goes home (REPLAY).
static void replay_tag(void *arg, uint32 home, uint32 flags)
{
  (void)arg;
  rp.pos = log_next(rp.pos);
  if (rp.pass != REPLAY || rp.sequence >= rp.end || is_revoked(home))
    return;
  if (home == 0 || home >= fs.geo.blocks_count) {
    printf("journal: a logged block for block %d, outside the disk: skipped\n", home);
    return;
  }
  struct buf *from = log_read(rp.pos);
  if (from == 0) {
    rp.error = -EIO;
    return;
  }
  struct buf *to = bnew(home);
  if (to == 0) {
    brelse(from);
    rp.error = -EIO;
    return;
  }
  memmove(to->data, from->data, BSIZE);
  brelse(from);
  if (flags & JBD2_FLAG_ESCAPE)
    *(uint32 *)to->data = be32(JBD2_MAGIC);
  to->dirty = 1;
  if (bflush(to) < 0)
    rp.error = -EIO;
  brelse(to);
  rp.replayed++;
}

// Walk the log from start for one pass. Stops at the first block that is
// not the next one of the transaction it expects.
static void walk_log(uint32 start, uint32 sequence, int pass)
{
  rp.pos = start;
  rp.sequence = sequence;
  rp.pass = pass;
  for (uint32 steps = 0; steps < journal.maxlen && rp.error == 0; steps++) {
    if (pass != SCAN && rp.sequence >= rp.end)
      return;
    struct buf *b = log_read(rp.pos);
    if (b == 0) {
      rp.error = -EIO;
      return;
    }
    // LAB crash-walk begin
    if (jbd2_is_block(b->data, JBD2_DESCRIPTOR_BLOCK, rp.sequence)) {
      static uint8 tags[BSIZE];   // the descriptor, while its blocks are read
      memmove(tags, b->data, BSIZE);
      brelse(b);
      if (jbd2_each_tag(tags, BSIZE, 0, 0) < 0)
        return;
      jbd2_each_tag(tags, BSIZE, replay_tag, 0);
    } else if (jbd2_is_block(b->data, JBD2_REVOKE_BLOCK, rp.sequence)) {
      if (pass == REVOKE)
        jbd2_each_revoke(b->data, BSIZE, add_revoke, 0);
      brelse(b);
    } else if (jbd2_is_block(b->data, JBD2_COMMIT_BLOCK, rp.sequence)) {
      brelse(b);
      rp.sequence++;
      if (pass == SCAN)
        rp.end = rp.sequence;
    } else {
      brelse(b);
      return;
    }
    // LAB crash-walk end
    rp.pos = log_next(rp.pos);
  }
}

// Replay the committed transactions of a journal that was not emptied.
static int replay(uint32 start, uint32 sequence)
{
  memset(&rp, 0, sizeof(rp));
  rp.end = sequence;
  walk_log(start, sequence, SCAN);
  walk_log(start, sequence, REVOKE);
  walk_log(start, sequence, REPLAY);
  if (rp.error)
    return rp.error;
  int err = virtio_disk_flush();
  if (err == 0)
    err = write_jsb(0, rp.end);
  if (err == 0)
    err = virtio_disk_flush();
  printf("journal: replayed %d transactions (%d blocks)\n", rp.end - sequence, rp.replayed);
  journal.sequence = rp.end;
  return err;
}

// ---- mount ---------------------------------------------------------------

// Open the journal of the mounted file system and replay it if needed.
// Returns 0, 1 if it replayed something (the caller reads the superblock
// and group descriptors again), or a reason in *why.
int journal_init(uint32 inum, const char **why)
{
  journal.ip = iget(inum);
  if (journal.ip == 0 || ilock(journal.ip) < 0) {
    *why = "cannot read the journal's inode";
    return -1;
  }
  iunlock(journal.ip);
  journal.maxlen = journal.ip->d.size / BSIZE;
  journal.first = 1;
  struct buf *b = journal.ip->type == T_FILE ? log_read(0) : 0;
  if (b == 0) {
    *why = "cannot read the journal's superblock";
    return -1;
  }
  struct jbd2_superblock jsb;
  memmove(&jsb, b->data, sizeof(jsb));
  brelse(b);
  if ((*why = jbd2_check_super(&jsb, BSIZE, journal.maxlen)) != 0)
    return -1;
  journal.maxlen = be32(jsb.maxlen);
  journal.first = be32(jsb.first);
  journal.sequence = be32(jsb.sequence);
  memmove(journal.uuid, jsb.uuid, JBD2_UUID_BYTES);
  journal.active = 1;
  if (jsb.start == 0)
    return 0;
  if (replay(be32(jsb.start), journal.sequence) < 0) {
    *why = "the journal cannot be replayed";
    return -1;
  }
  return 1;
}

// ---- operations ----------------------------------------------------------

void begin_op(void)
{
  struct proc *p = myproc();
  if (journal.owner == p) {
    journal.depth++;
    return;
  }
  while (journal.owner)
    sleep(&journal);
  journal.owner = p;
  journal.depth = 1;
}

static void finish(int commit_now)
{
  if (--journal.depth > 0)
    return;
  if (commit_now || bmeta_count() > TXN_MAX / 4)
    journal_commit();
  journal.owner = 0;
  wakeup(&journal);
}

// End an operation and commit it.
void end_op(void)
{
  finish(1);
}

// End a write(): its data and size are committed with the next operation
// that commits (close, fsync, sync, any name change), or now if the
// transaction is getting large.
void end_write_op(void)
{
  finish(0);
}

// ---- commit --------------------------------------------------------------

static void put_tag(uint8 *desc, int i, uint32 home, int escaped, int last)
{
  uint32 off = sizeof(struct jbd2_header) + i * sizeof(struct jbd2_tag) + (i > 0 ? JBD2_UUID_BYTES : 0);
  struct jbd2_tag *tag = (struct jbd2_tag *)(desc + off);
  uint16 flags = (i > 0 ? JBD2_FLAG_SAME_UUID : 0) | (escaped ? JBD2_FLAG_ESCAPE : 0) |
                 (last ? JBD2_FLAG_LAST_TAG : 0);
  tag->blocknr = be32(home);
  tag->checksum = 0;
  tag->flags = be16(flags);
  if (i == 0)
    memmove(desc + off + sizeof(*tag), journal.uuid, JBD2_UUID_BYTES);
}

static void put_header(uint8 *block, uint32 type)
{
  memset(block, 0, BSIZE);
  struct jbd2_header *h = (struct jbd2_header *)block;
  h->magic = be32(JBD2_MAGIC);
  h->blocktype = be32(type);
  h->sequence = be32(journal.sequence);
}

// Write the descriptor for meta[0..n) (n <= TAGS_PER_DESCRIPTOR) at log
// block pos and the copies after it. Returns the next log block, or 0.
static uint32 write_log_chunk(struct buf **meta, int n, uint32 pos)
{
  struct buf *batch[LOG_BATCH];
  struct buf *desc = bnew(log_block(pos));
  if (desc == 0)
    return 0;
  put_header(desc->data, JBD2_DESCRIPTOR_BLOCK);
  int err = 0;
  for (int i = 0; i < n && err == 0; i += LOG_BATCH) {
    int k;
    for (k = 0; k < LOG_BATCH && i + k < n; k++) {
      pos++;
      struct buf *copy = batch[k] = bnew(log_block(pos));
      if (copy == 0) {
        err = -EIO;
        break;
      }
      memmove(copy->data, meta[i + k]->data, BSIZE);
      int escaped = be32(*(uint32 *)copy->data) == JBD2_MAGIC;
      if (escaped)
        *(uint32 *)copy->data = 0;
      put_tag(desc->data, i + k, meta[i + k]->blockno, escaped, i + k == n - 1);
    }
    if (err == 0)
      err = bwrite_all(batch, k);
    for (int j = 0; j < k; j++)
      brelse(batch[j]);
  }
  if (err == 0)
    err = bwrite_all(&desc, 1);
  brelse(desc);
  return err ? 0 : pos + 1;
}

// Write one journal block made of just a header of this type.
static int write_header_block(uint32 pos, uint32 type)
{
  struct buf *b = bnew(log_block(pos));
  if (b == 0)
    return -EIO;
  put_header(b->data, type);
  int err = bwrite_all(&b, 1);
  brelse(b);
  return err;
}

// Write n held buffers to their own blocks, LOG_BATCH at a time.
static int write_in_place(struct buf **bufs, int n)
{
  int err = 0;
  for (int i = 0; i < n && err == 0; i += LOG_BATCH)
    err = bwrite_all(bufs + i, n - i < LOG_BATCH ? n - i : LOG_BATCH);
  return err;
}

// Steps 2 to 5 of a commit, for the n held metadata buffers.
static int commit_journaled(struct buf **meta, int n)
{
  uint32 descriptors = (n + TAGS_PER_DESCRIPTOR - 1) / TAGS_PER_DESCRIPTOR;
  if (journal.first + n + descriptors + 1 > journal.maxlen)
    panic("journal: transaction larger than the journal");
  // LAB crash-commit begin
  int err = write_jsb(journal.first, journal.sequence);
  uint32 pos = journal.first;
  for (int i = 0; i < n && err == 0; i += TAGS_PER_DESCRIPTOR) {
    int k = n - i < (int)TAGS_PER_DESCRIPTOR ? n - i : (int)TAGS_PER_DESCRIPTOR;
    pos = write_log_chunk(meta + i, k, pos);
    if (pos == 0)
      err = -EIO;
  }
  if (err == 0)
    err = virtio_disk_flush();
  if (err == 0)
    err = write_header_block(pos, JBD2_COMMIT_BLOCK);
  if (err == 0)
    err = virtio_disk_flush();
  if (err < 0)
    return err;       // not committed: the buffers stay changed for the next try
  err = write_in_place(meta, n);
  if (err == 0)
    err = virtio_disk_flush();
  if (err == 0)
    err = write_jsb(0, journal.sequence + 1);
  // The empty journal must be on the disk before the next transaction
  // overwrites this one's log: else a replay could mix the two.
  if (err == 0)
    err = virtio_disk_flush();
  journal.sequence++;
  return err;
  // LAB crash-commit end
}

// Commit everything changed: file data in place, metadata through the
// journal (or, on a disk without one, in place). Called inside an
// operation, or at mount with nothing else running.
int journal_commit(void)
{
  static struct buf *meta[TXN_MAX];
  if (journal.active && (fs.meta_dirty || bmeta_count() > 0)) {
    int err = fs_mark_in_use();
    if (err < 0)
      return err;     // nothing written: the changes wait for the next try
  }
  int err = fs_write_super();
  int err2 = bsync();
  if (err == 0)
    err = err2;
  int n = bmeta_take(meta, TXN_MAX);
  if (n == 0)
    return err;
  if (bmeta_count() > n)
    panic("journal: transaction too large");
  if (journal.active)
    err2 = commit_journaled(meta, n);
  else
    err2 = write_in_place(meta, n);
  for (int i = 0; i < n; i++) {
    if (err2 == 0)
      meta[i]->meta = 0;
    brelse(meta[i]);
  }
  if (err2 == 0)
    ext2_committed();
  return err ? err : err2;
}
