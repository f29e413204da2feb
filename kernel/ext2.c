// The ext2 file system: mount, sync, inodes and file data. Bitmaps are in
// ext2_alloc.c and directories in ext2_dir.c. Everything read from the disk
// is checked before it is used: a corrupt image makes the operation fail
// with -ECORRUPT, never the kernel.
//
// Writes go to the buffer cache; a system call that changes the file system
// runs as one journal operation (journal.c), committed when it ends.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"
#include "ext2fs.h"


struct ext2_fs fs;
static struct inode itable[NINODE];
static void free_orphans(void);

// Stop the machine with a message: the disk cannot be used at all.
static void refuse_disk(const char *why)
{
  printf("ext2: cannot mount the disk: %s\n", why);
  poweroff(1);
}

static uint32 group_desc_block(uint32 byte_offset)
{
  return fs.geo.first_data_block + 1 + byte_offset / BSIZE;
}

// Read and check the superblock and the group descriptors.
static void load_super(void)
{
  struct buf *b = bread(EXT2_SUPER_OFFSET / BSIZE);
  if (b == 0)
    refuse_disk("cannot read the superblock");
  memmove(fs.super, b->data, BSIZE);
  brelse(b);
  const char *why = ext2_check_super(SUPER(fs), virtio_disk_blocks(), &fs.geo);
  if (why)
    refuse_disk(why);
  if (fs.geo.group_count > MAX_GROUPS)
    refuse_disk("too many block groups");
  fs.first_ino = SUPER(fs)->first_ino;
  uint32 bytes = fs.geo.group_count * sizeof(struct ext2_group_desc);
  for (uint32 off = 0; off < bytes; off += BSIZE) {
    b = bread(group_desc_block(off));
    if (b == 0)
      refuse_disk("cannot read the group descriptors");
    memmove((char *)fs.group + off, b->data, bytes - off < BSIZE ? bytes - off : BSIZE);
    brelse(b);
  }
  for (uint32 g = 0; g < fs.geo.group_count; g++) {
    struct ext2_group_desc *gd = &fs.group[g];
    if (gd->inode_table == 0 || gd->inode_table >= fs.geo.blocks_count ||
        gd->block_bitmap == 0 || gd->block_bitmap >= fs.geo.blocks_count ||
        gd->inode_bitmap == 0 || gd->inode_bitmap >= fs.geo.blocks_count)
      refuse_disk("group descriptor points outside the disk");
  }
}

void fsinit(void)
{
  if (virtio_disk_init() < 0)
    refuse_disk("no usable virtio disk");
  load_super();
  const char *why = 0;
  if (fs.geo.journal_inum) {
    int r = journal_init(fs.geo.journal_inum, &why);
    if (r < 0)
      refuse_disk(why);
    if (r == 1)
      load_super();          // the replay may have changed them
    // In use: every superblock we write says so (RECOVER), and the first
    // commit marks the one on the disk before it (fs_mark_in_use). A boot
    // that changes nothing writes nothing.
    fs.in_use_on_disk = (SUPER(fs)->feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER) != 0;
    if (!fs.geo.read_only)
      SUPER(fs)->feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
  }
  printf("ext2: %d blocks, %d inodes, %d groups%s%s\n", fs.geo.blocks_count,
         fs.geo.inodes_count, fs.geo.group_count, fs.geo.journal_inum ? ", journal" : "",
         fs.geo.read_only ? ", read-only" : "");
  if (!fs.geo.read_only)
    free_orphans();
}

// Copy the superblock and group descriptors into their blocks, if changed.
int fs_write_super(void)
{
  if (!fs.meta_dirty)
    return 0;
  SUPER(fs)->wtime = rtc_seconds();
  struct buf *b = bread(EXT2_SUPER_OFFSET / BSIZE);
  if (b == 0)
    return -EIO;
  memmove(b->data, fs.super, BSIZE);
  bdirty_meta(b);
  brelse(b);
  uint32 bytes = fs.geo.group_count * sizeof(struct ext2_group_desc);
  for (uint32 off = 0; off < bytes; off += BSIZE) {
    if ((b = bread(group_desc_block(off))) == 0)
      return -EIO;
    memmove(b->data, (char *)fs.group + off, bytes - off < BSIZE ? bytes - off : BSIZE);
    bdirty_meta(b);
    brelse(b);
  }
  fs.meta_dirty = 0;
  return 0;
}

// Before the first transaction of a mount reaches the journal: set RECOVER
// in the superblock on the disk, in place, and FLUSH, so that the disk
// never holds a journal that its superblock does not ask to recover (e2fsck
// would call that an error). Only the flag changes on the disk: the other
// fields of the superblock there stay as last committed.
int fs_mark_in_use(void)
{
  if (fs.in_use_on_disk)
    return 0;
  struct buf *b = bread(EXT2_SUPER_OFFSET / BSIZE);
  if (b == 0)
    return -EIO;
  ((struct ext2_superblock *)b->data)->feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
  b->dirty = 1;
  int err = bflush(b);
  brelse(b);
  if (err == 0)
    err = virtio_disk_flush();
  if (err == 0)
    fs.in_use_on_disk = 1;
  return err;
}

// Commit everything changed (an operation of its own).
int fs_sync(void)
{
  begin_op();
  int err = journal_commit();
  end_op();
  return err;
}

// Commit everything changed, and return once it is on the medium.
int fs_durable(void)
{
  int err = fs_sync();
  int err2 = virtio_disk_flush();
  return err ? err : err2;
}

// Before power-off: commit, then mark the journal as not in use.
int fs_unmount(void)
{
  begin_op();
  int err = journal_commit();
  if (err == 0 && fs.in_use_on_disk && !fs.geo.read_only) {
    SUPER(fs)->feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
    fs.meta_dirty = 1;
    err = journal_commit();
    if (err == 0)
      fs.in_use_on_disk = 0;
  }
  end_op();
  int err2 = virtio_disk_flush();
  return err ? err : err2;
}

uint32 fs_free_blocks(void)
{
  return SUPER(fs)->free_blocks_count;
}

int fs_writable(void)
{
  return fs.geo.read_only ? -EROFS : 0;
}

int ext2_corrupt(uint32 inum, const char *what)
{
  printf("ext2: inode %d: %s\n", inum, what);
  return -ECORRUPT;
}

// ---- the inode cache --------------------------------------------------

// The cached inode inum, not locked. 0 if inum is out of range or the
// cache is full.
struct inode *iget(uint32 inum)
{
  struct inode *empty = 0;
  if (inum < 1 || inum > fs.geo.inodes_count)
    return 0;
  for (struct inode *ip = itable; ip < itable + NINODE; ip++) {
    if (ip->ref > 0 && ip->inum == inum) {
      ip->ref++;
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if (empty == 0) {
    printf("ext2: inode cache full\n");
    return 0;
  }
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  empty->busy = 0;
  empty->read_next = empty->alloc_next = 0;
  empty->orphan = 0;
  return empty;
}

struct inode *idup(struct inode *ip)
{
  ip->ref++;
  return ip;
}

static short inode_type(uint16 mode)
{
  switch (mode & EXT2_S_IFMT) {
  case EXT2_S_IFDIR: return T_DIR;
  case EXT2_S_IFREG: return T_FILE;
  case EXT2_S_IFCHR: return T_DEVICE;
  case EXT2_S_IFLNK: return T_SYMLINK;
  default: return 0;
  }
}

// The buffer holding inode inum's on-disk copy, and its offset in it.
static struct buf *inode_block(uint32 inum, uint32 *offset)
{
  uint32 idx = (inum - 1) % fs.geo.inodes_per_group;
  uint32 group = (inum - 1) / fs.geo.inodes_per_group;
  uint32 block = fs.group[group].inode_table + idx * sizeof(struct ext2_inode) / BSIZE;
  *offset = idx * sizeof(struct ext2_inode) % BSIZE;
  if (block >= fs.geo.blocks_count) {
    ext2_corrupt(inum, "inode table past the end of the disk");
    return 0;
  }
  return bread(block);
}

static int read_inode(struct inode *ip)
{
  uint32 off;
  struct buf *b = inode_block(ip->inum, &off);
  if (b == 0)
    return -EIO;
  memmove(&ip->d, b->data + off, sizeof(ip->d));
  brelse(b);
  ip->type = inode_type(ip->d.mode);
  ip->valid = 1;
  return 0;
}

// Write a locked inode's in-memory copy back to its block.
int iupdate(struct inode *ip)
{
  uint32 off;
  struct buf *b = inode_block(ip->inum, &off);
  if (b == 0)
    return -EIO;
  memmove(b->data + off, &ip->d, sizeof(ip->d));
  bdirty_meta(b);
  brelse(b);
  return 0;
}

// Lock ip, reading it from the disk the first time. On error it is not
// locked and a negative error is returned.
int ilock(struct inode *ip)
{
  while (ip->busy)
    sleep(ip);
  ip->busy = 1;
  if (!ip->valid) {
    int err = read_inode(ip);
    if (err < 0) {
      iunlock(ip);
      return err;
    }
  }
  return 0;
}

void iunlock(struct inode *ip)
{
  ip->busy = 0;
  wakeup(ip);
}

// ---- the orphan list ------------------------------------------------------
//
// An inode whose last link goes while it is still open lives on until the
// last close. Until then it is on the orphan list, as ext3 keeps it: the
// superblock's last_orphan names the first, each one's dtime the next. A
// crash before the last close leaves it there, and the next mount frees it.
// Every inode on the list is in the inode cache (it is open), so taking
// one off finds the one before it there.

static void orphan_add(struct inode *ip)
{
  ip->d.dtime = SUPER(fs)->last_orphan;
  SUPER(fs)->last_orphan = ip->inum;
  fs.meta_dirty = 1;
  ip->orphan = 1;
  iupdate(ip);
}

static void orphan_remove(struct inode *ip)
{
  if (!ip->orphan)
    return;
  ip->orphan = 0;
  if (SUPER(fs)->last_orphan == ip->inum) {
    SUPER(fs)->last_orphan = ip->d.dtime;
    fs.meta_dirty = 1;
    return;
  }
  for (struct inode *o = itable; o < itable + NINODE; o++) {
    if (o->ref > 0 && o->orphan && o->d.dtime == ip->inum) {
      o->d.dtime = ip->d.dtime;
      iupdate(o);
      return;
    }
  }
}

// At mount: free what a crash left on the orphan list.
static void free_orphans(void)
{
  uint32 n = 0;
  while (SUPER(fs)->last_orphan != 0 && n < fs.geo.inodes_count) {
    uint32 inum = SUPER(fs)->last_orphan;
    struct inode *ip = inum >= fs.first_ino ? iget(inum) : 0;
    int locked = ip != 0 && ilock(ip) == 0;
    if (locked && ip->d.links_count == 0) {
      ip->orphan = 1;
      iunlock(ip);
      iput(ip);      // the last reference: frees it and takes it off the list
      ip = 0;
      n++;
    } else if (locked) {
      iunlock(ip);
    }
    if (SUPER(fs)->last_orphan == inum) {
      printf("ext2: the orphan list names inode %d, which is not an orphan: list dropped\n", inum);
      SUPER(fs)->last_orphan = 0;
      fs.meta_dirty = 1;
    }
    if (ip)
      iput(ip);
  }
  if (n > 0)
    printf("ext2: freed %d inodes unlinked while open before a crash\n", n);
}

// Drop a reference. The last reference to an inode with no links left
// frees its blocks and the inode itself; an earlier one puts it on the
// orphan list. Once its number is free another process may take it, and
// this cache slot with it: the reference is dropped before anything else
// can sleep.
void iput(struct inode *ip)
{
  if (ip == 0)
    return;
  int unlinked = ip->valid && ip->d.links_count == 0;
  int freeing = unlinked && ip->ref == 1;
  int orphaning = unlinked && ip->ref > 1 && !ip->orphan;
  if (freeing || orphaning)
    begin_op();
  if ((freeing || orphaning) && ilock(ip) == 0) {
    if (ip->ref == 1 && ip->d.links_count == 0) {   // still so after ilock slept
      orphan_remove(ip);
      itrunc(ip, 0);
      ifree(ip);
    } else if (ip->d.links_count == 0 && !ip->orphan) {
      orphan_add(ip);
    }
    iunlock(ip);
  }
  if (--ip->ref == 0)
    ip->valid = 0;
  if (freeing || orphaning)
    end_op();
}

void iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// A fresh inode of the given mode, locked, with no links yet.
struct inode *inew(uint16 mode, struct inode *near, int *err)
{
  int inum = ialloc(mode, near ? near->inum : EXT2_ROOT_INO);
  if (inum < 0) {
    *err = inum;
    return 0;
  }
  struct inode *ip = iget(inum);
  if (ip == 0) {
    ifree_number(inum, (mode & EXT2_S_IFMT) == EXT2_S_IFDIR);
    *err = -ENFILE;
    return 0;
  }
  while (ip->busy)
    sleep(ip);
  ip->busy = 1;
  memset(&ip->d, 0, sizeof(ip->d));
  ip->d.mode = mode;
  ip->d.atime = ip->d.ctime = ip->d.mtime = rtc_seconds();
  ip->type = inode_type(mode);
  ip->valid = 1;
  return ip;
}

// ---- file blocks -------------------------------------------------------

// block itself if it is 0 (a hole) or inside the disk, else -ECORRUPT.
static int check_block(struct inode *ip, uint32 block)
{
  if (block >= fs.geo.blocks_count || (block != 0 && block < fs.geo.first_data_block))
    return ext2_corrupt(ip->inum, "block pointer past the end of the disk");
  return block;
}

// A new zeroed block for ip, counted in its i_blocks: the one after the
// block it got last if that is free, so a file's blocks follow one another.
static int alloc_block(struct inode *ip)
{
  uint32 group = (ip->inum - 1) / fs.geo.inodes_per_group;
  int block = balloc(group, ip->alloc_next);
  if (block > 0) {
    ip->d.blocks += BSIZE / 512;
    ip->alloc_next = block + 1;
  }
  return block;
}

// *slot, allocating a block for it when it is 0 and alloc is set.
static int slot_block(struct inode *ip, uint32 *slot, int alloc, int *changed)
{
  int block = check_block(ip, *slot);
  if (block != 0 || !alloc)
    return block;
  block = alloc_block(ip);
  if (block > 0) {
    *slot = block;
    *changed = 1;
  }
  return block;
}

// Entry i of indirect block `block`, allocated if missing and alloc is set.
static int indirect_entry(struct inode *ip, uint32 block, uint32 i, int alloc)
{
  struct buf *b = bread(block);
  if (b == 0)
    return -EIO;
  int changed = 0;
  int entry = slot_block(ip, &((uint32 *)b->data)[i], alloc, &changed);
  if (changed)
    bdirty_meta(b);
  brelse(b);
  return entry;
}

// The disk block holding file block n of ip; 0 for a hole (unless alloc).
int ext2_bmap(struct inode *ip, uint32 n, int alloc)
{
  uint32 index[3];
  int depth = ext2_block_path(n, index);
  if (depth < 0)
    return -EFBIG;
  uint32 *top = depth == 0 ? &ip->d.block[index[0]] : &ip->d.block[EXT2_NDIR_BLOCKS + depth - 1];
  int changed = 0;
  int block = slot_block(ip, top, alloc, &changed);
  for (int level = 0; block > 0 && level < depth; level++)
    block = indirect_entry(ip, block, index[level], alloc);
  return block;
}

// Copy to a user address (user_dst) or a kernel one.
int either_copyout(int user_dst, uint32 dst, const void *src, uint32 len)
{
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

static int either_copyin(int user_src, void *dst, uint32 src, uint32 len)
{
  if (user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (void *)src, len);
  return 0;
}

static void free_past(struct inode *ip, uint32 size);

#define READ_AHEAD DISK_RUN_MAX   // file blocks in one read-ahead request

// Start reading ip's file blocks from fb on, as far as they are in the file
// and follow one another on the disk (at most READ_AHEAD), without waiting.
static void read_ahead(struct inode *ip, uint32 fb)
{
  uint32 nblocks = (ip->d.size + BSIZE - 1) / BSIZE;
  int first = fb < nblocks ? ext2_bmap(ip, fb, 0) : 0;
  if (first <= 0 || bcached(first))
    return;
  int n = 1;
  while (n < READ_AHEAD && fb + n < nblocks && ext2_bmap(ip, fb + n, 0) == first + n)
    n++;
  bprefetch(first, n);
}

// Before reading file block fb (disk block `block`) of ip: if the reader
// goes through the file in order, start the run from fb on if fb is not
// cached, and, at the start of each run, the next one, so that one is in
// flight while this one is copied out.
static void read_ahead_for(struct inode *ip, uint32 fb, int block)
{
  if (fb + 1 == ip->read_next)
    return;   // the block read last: seen already
  int sequential = fb == 0 || fb == ip->read_next;
  ip->read_next = fb + 1;
  if (!sequential || block <= 0)
    return;
  read_ahead(ip, fb);
  if (fb % READ_AHEAD == 0)
    read_ahead(ip, fb + READ_AHEAD);
}

// Read n bytes at off from locked ip. Returns bytes read (less at the end
// of the file) or a negative error.
int readi(struct inode *ip, int user_dst, uint32 dst, uint32 off, uint32 n)
{
  static const uint8 zeros[BSIZE];
  if (off > ip->d.size)
    return 0;
  if (n > ip->d.size - off)
    n = ip->d.size - off;
  uint32 done = 0;
  while (done < n) {
    uint32 boff = (off + done) % BSIZE;
    uint32 len = BSIZE - boff < n - done ? BSIZE - boff : n - done;
    int block = ext2_bmap(ip, (off + done) / BSIZE, 0);
    if (block < 0)
      return done ? (int)done : block;
    read_ahead_for(ip, (off + done) / BSIZE, block);
    struct buf *b = block ? bread(block) : 0;
    if (block && b == 0)
      return done ? (int)done : -EIO;
    int err = either_copyout(user_dst, dst + done, (b ? b->data : zeros) + boff, len);
    if (b)
      brelse(b);
    if (err < 0)
      return done ? (int)done : err;
    done += len;
  }
  return done;
}

// Write n bytes at off to locked ip, allocating blocks as needed. Returns
// the bytes written (fewer if the disk fills up) or a negative error.
int writei(struct inode *ip, int user_src, uint32 src, uint32 off, uint32 n)
{
  if (off > EXT2_MAX_FILE_SIZE || n > EXT2_MAX_FILE_SIZE - off)
    return -EFBIG;
  uint32 done = 0;
  int err = 0;
  while (done < n) {
    uint32 boff = (off + done) % BSIZE;
    uint32 len = BSIZE - boff < n - done ? BSIZE - boff : n - done;
    int block = ext2_bmap(ip, (off + done) / BSIZE, 1);
    struct buf *b = block > 0 ? bread(block) : 0;
    if (block <= 0 || b == 0) {
      err = block < 0 ? block : -EIO;
      break;
    }
    err = either_copyin(user_src, b->data + boff, src + done, len);
    if (err == 0)
      bdirty(b);
    brelse(b);
    if (err < 0)
      break;
    done += len;
  }
  if (done > 0) {
    if (off + done > ip->d.size)
      ip->d.size = off + done;
    ip->d.mtime = ip->d.ctime = rtc_seconds();
  }
  if (err < 0)
    free_past(ip, ip->d.size);   // the block a failed copy-in allocated
  iupdate(ip);
  return done ? (int)done : err;
}

// ---- truncation --------------------------------------------------------

// File blocks under one entry of an indirect block of each depth.
static const uint32 entry_span[] = { 0, 1, EXT2_PTRS_PER_BLOCK, EXT2_PTRS_PER_BLOCK * EXT2_PTRS_PER_BLOCK };

// Free the blocks under *slot that hold file blocks >= first, where *slot
// covers file blocks from base (depth 0: one data block; 1, 2, 3: a single,
// double or triple indirect block). Frees *slot itself when nothing under
// it is left. Returns 1 if *slot changed.
static int free_tree(struct inode *ip, uint32 *slot, int depth, uint32 base, uint32 first)
{
  if (*slot == 0 || check_block(ip, *slot) < 0)
    return 0;
  uint32 span = entry_span[depth];
  uint32 covered = depth == 0 ? 1 : span * EXT2_PTRS_PER_BLOCK;
  if (base + covered <= first)
    return 0;   // entirely before the cut
  if (depth > 0) {
    struct buf *b = bread(*slot);
    if (b == 0)
      return 0;
    uint32 *entries = (uint32 *)b->data;
    int left = 0, changed = 0;
    for (uint32 i = 0; i < EXT2_PTRS_PER_BLOCK; i++) {
      changed |= free_tree(ip, &entries[i], depth - 1, base + i * span, first);
      left |= entries[i] != 0;
    }
    if (changed && left)
      bdirty_meta(b);   // kept: its entries changed (a freed one need not be written)
    brelse(b);
    if (left)
      return 0;
  }
  bfree(*slot);
  ip->d.blocks -= BSIZE / 512;
  *slot = 0;
  return 1;
}

// Zero the bytes of the last block past size, so a later extension
// reads zeros there.
static void zero_tail(struct inode *ip, uint32 size)
{
  if (size % BSIZE == 0)
    return;
  int block = ext2_bmap(ip, size / BSIZE, 0);
  struct buf *b = block > 0 ? bread(block) : 0;
  if (b == 0)
    return;
  memset(b->data + size % BSIZE, 0, BSIZE - size % BSIZE);
  bdirty(b);
  brelse(b);
}

// Free every block of locked ip that holds bytes at or past size.
static void free_past(struct inode *ip, uint32 size)
{
  uint32 first = (size + BSIZE - 1) / BSIZE;   // first file block to free
  for (uint32 i = 0; i < EXT2_NDIR_BLOCKS; i++)
    free_tree(ip, &ip->d.block[i], 0, i, first);
  uint32 base = EXT2_NDIR_BLOCKS;
  for (int depth = 1; depth <= 3; depth++) {
    free_tree(ip, &ip->d.block[EXT2_NDIR_BLOCKS + depth - 1], depth, base, first);
    base += entry_span[depth] * EXT2_PTRS_PER_BLOCK;
  }
}

// A symbolic link whose target is in i_block itself (ext2's fast
// symlink: no data block; a slow one keeps its target in one block).
int ext2_fast_symlink(struct inode *ip)
{
  return ip->type == T_SYMLINK && ip->d.blocks == 0;
}

// Set locked ip's size, freeing every block past the end (even ones a
// failed write left there, past the old size).
int itrunc(struct inode *ip, uint32 size)
{
  if (size > EXT2_MAX_FILE_SIZE)
    return -EFBIG;
  if (ext2_fast_symlink(ip)) {   // i_block holds the target, not blocks
    if (size == 0)
      memset(ip->d.block, 0, sizeof(ip->d.block));
    ip->d.size = size;
    return iupdate(ip);
  }
  if (ip->type != T_DEVICE)   // a device keeps its numbers in block[0]
    free_past(ip, size);
  if (size < ip->d.size)
    zero_tail(ip, size);
  ip->d.size = size;
  ip->d.mtime = ip->d.ctime = rtc_seconds();
  return iupdate(ip);
}

void stati(struct inode *ip, struct stat *st)
{
  st->dev = 1;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->d.links_count;
  st->size = ip->d.size;
  st->mode = ip->d.mode;
  st->mtime = ip->d.mtime;
}
