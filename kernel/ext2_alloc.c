// ext2 block and inode allocation: the bitmaps, and the free counts in the
// group descriptors and the superblock, kept in step.
//
// A block freed in the running transaction is not handed out again before
// the transaction commits: until then a crash brings back the file that
// owned it, and new data written there would corrupt it. For each group
// with such a block, committed[g] is the block bitmap as last committed; a
// block is free only if it is clear in both.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"
#include "buf.h"
#include "ext2fs.h"

#define BITS_PER_BLOCK (BSIZE * 8)

static uint8 *committed[MAX_GROUPS];

// Where the next search of group g's bitmaps starts when there is no goal:
// just past the block (inode) it last gave out, so filling the disk does
// not rescan from bit 0.
static uint32 next_block[MAX_GROUPS];
static uint32 next_inode[MAX_GROUPS];

// Blocks in group g (the last group may be short).
static uint32 blocks_in_group(uint32 g)
{
  uint32 first = fs.geo.first_data_block + g * fs.geo.blocks_per_group;
  uint32 left = fs.geo.blocks_count - first;
  return left < fs.geo.blocks_per_group ? left : fs.geo.blocks_per_group;
}

static int bit_set(const uint8 *map, uint32 i)
{
  return map != 0 && (map[i / 8] & (1 << (i % 8))) != 0;
}

// Find a bit below limit clear in bitmap block `bitmap` (and in `also`,
// if not 0), set it, return its index; -1 if none, -EIO if the bitmap
// cannot be read.
static int take_bit(uint32 bitmap, uint32 limit, uint32 start, const uint8 *also)
{
  struct buf *b = bread(bitmap);
  if (b == 0)
    return -EIO;
  for (uint32 n = 0; n < limit; n++) {
    uint32 i = (start + n) % limit;
    if (!bit_set(b->data, i) && !bit_set(also, i)) {
      b->data[i / 8] |= 1 << (i % 8);
      bdirty_meta(b);
      brelse(b);
      return i;
    }
  }
  brelse(b);
  return -1;
}

// Clear bit i of bitmap block `bitmap`; -ECORRUPT if it was clear already.
static int clear_bit(uint32 bitmap, uint32 i)
{
  struct buf *b = bread(bitmap);
  if (b == 0)
    return -EIO;
  int was_set = b->data[i / 8] & (1 << (i % 8));
  b->data[i / 8] &= ~(1 << (i % 8));
  bdirty_meta(b);
  brelse(b);
  return was_set ? 0 : -ECORRUPT;
}

// A free block, zeroed in the cache (never read), preferring block `goal`
// (0: none) and the blocks after it, then group `near`. -ENOSPC when the
// disk is full.
int balloc(uint32 near, uint32 goal)
{
  int has_goal = goal >= fs.geo.first_data_block && goal < fs.geo.blocks_count;
  if (has_goal)
    near = (goal - fs.geo.first_data_block) / fs.geo.blocks_per_group;
  for (uint32 n = 0; n < fs.geo.group_count; n++) {
    uint32 g = (near + n) % fs.geo.group_count;
    if (fs.group[g].free_blocks_count == 0)
      continue;
    uint32 start = next_block[g];
    if (has_goal && n == 0)
      start = (goal - fs.geo.first_data_block) % fs.geo.blocks_per_group;
    int bit = take_bit(fs.group[g].block_bitmap, blocks_in_group(g), start, committed[g]);
    if (bit == -EIO)
      return -EIO;
    if (bit < 0)
      continue;
    uint32 block = fs.geo.first_data_block + g * fs.geo.blocks_per_group + bit;
    struct buf *b = bnew(block);   // never read: its old contents do not matter
    if (b == 0) {
      clear_bit(fs.group[g].block_bitmap, bit);   // taken in this transaction: just undo
      return -EIO;
    }
    next_block[g] = bit + 1;
    fs.group[g].free_blocks_count--;
    SUPER(fs)->free_blocks_count--;
    fs.meta_dirty = 1;
    memset(b->data, 0, BSIZE);
    bdirty(b);
    brelse(b);
    return block;
  }
  return -ENOSPC;
}

// Keep group g's block bitmap as committed, before the first free in it
// since the last commit. 0, or -EIO / -ENOMEM.
static int keep_committed(uint32 g)
{
  if (committed[g])
    return 0;
  struct buf *b = bread(fs.group[g].block_bitmap);
  if (b == 0)
    return -EIO;
  if ((committed[g] = kalloc(FRAME_KERNEL)) != 0)
    memmove(committed[g], b->data, BSIZE);
  brelse(b);
  return committed[g] ? 0 : -ENOMEM;
}

// The running transaction is committed: what it freed may be reused.
void ext2_committed(void)
{
  for (uint32 g = 0; g < fs.geo.group_count; g++) {
    if (committed[g]) {
      kfree(committed[g]);
      committed[g] = 0;
    }
  }
}

void bfree(uint32 block)
{
  uint32 g = (block - fs.geo.first_data_block) / fs.geo.blocks_per_group;
  uint32 bit = (block - fs.geo.first_data_block) % fs.geo.blocks_per_group;
  if (block < fs.geo.first_data_block || block >= fs.geo.blocks_count ||
      keep_committed(g) < 0 || clear_bit(fs.group[g].block_bitmap, bit) < 0) {
    printf("ext2: freeing block %d that is not in use\n", block);
    return;
  }
  fs.group[g].free_blocks_count++;
  SUPER(fs)->free_blocks_count++;
  fs.meta_dirty = 1;
}

// A free inode number, preferring the group of inode `near`. -ENOSPC when
// none is left.
int ialloc(uint16 mode, uint32 near)
{
  uint32 ipg = fs.geo.inodes_per_group;
  for (uint32 n = 0; n < fs.geo.group_count; n++) {
    uint32 g = ((near - 1) / ipg + n) % fs.geo.group_count;
    if (fs.group[g].free_inodes_count == 0)
      continue;
    // Inodes below first_ino are reserved; their bits are set already.
    int bit = take_bit(fs.group[g].inode_bitmap, ipg, next_inode[g], 0);
    if (bit == -EIO)
      return -EIO;
    if (bit < 0)
      continue;
    next_inode[g] = bit + 1;
    uint32 inum = g * ipg + bit + 1;
    if (inum < fs.first_ino) {
      ext2_corrupt(inum, "reserved inode marked free");
      return -ECORRUPT;
    }
    fs.group[g].free_inodes_count--;
    SUPER(fs)->free_inodes_count--;
    if ((mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
      fs.group[g].used_dirs_count++;
    fs.meta_dirty = 1;
    return inum;
  }
  return -ENOSPC;
}

// Give inode number inum back to its bitmap.
void ifree_number(uint32 inum, int is_dir)
{
  uint32 g = (inum - 1) / fs.geo.inodes_per_group;
  if (clear_bit(fs.group[g].inode_bitmap, (inum - 1) % fs.geo.inodes_per_group) < 0) {
    printf("ext2: freeing inode %d that is not in use\n", inum);
    return;
  }
  fs.group[g].free_inodes_count++;
  SUPER(fs)->free_inodes_count++;
  if (is_dir)
    fs.group[g].used_dirs_count--;
  fs.meta_dirty = 1;
}

// Free a locked inode whose blocks are gone already. Its number goes back
// to the bitmap last: from then on ialloc may hand it out again.
void ifree(struct inode *ip)
{
  ip->d.dtime = rtc_seconds();
  ip->d.links_count = 0;
  iupdate(ip);
  ifree_number(ip->inum, ip->type == T_DIR);
}
