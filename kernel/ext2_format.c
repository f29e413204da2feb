// ext2 structure checks: pure functions over on-disk data, shared by the
// kernel and the host unit tests. A corrupt image must give a reason here,
// never a wild read later.
#include "types.h"
#include "ext2.h"

const char *ext2_check_super(const struct ext2_superblock *sb, uint32 disk_blocks,
                             struct ext2_geometry *geo)
{
  if (sb->magic != EXT2_SUPER_MAGIC)
    return "not an ext2 file system (bad magic)";
  if (sb->rev_level != 1)
    return "ext2 revision 0 is not supported (need revision 1)";
  // Features first: they explain most of what follows (ext4's larger inodes).
  if (sb->feature_incompat & ~EXT2_SUPPORTED_INCOMPAT)
    return "the file system uses an incompatible feature we do not implement";
  if (sb->log_block_size != 0)
    return "only 1 KiB blocks are supported";
  if (sb->inode_size != sizeof(struct ext2_inode))
    return "only 128-byte inodes are supported";
  if ((sb->feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) &&
      (sb->journal_dev != 0 || sb->journal_inum < 1 || sb->journal_inum >= sb->first_ino))
    return "the journal must be an internal one, in a reserved inode";
  if (sb->first_data_block != 1)
    return "first data block must be 1 with 1 KiB blocks";
  if (sb->blocks_per_group == 0 || sb->blocks_per_group > 8 * EXT2_BLOCK_SIZE ||
      sb->inodes_per_group == 0 || sb->inodes_per_group > 8 * EXT2_BLOCK_SIZE)
    return "bad blocks or inodes per group";
  if (sb->blocks_count <= sb->first_data_block || sb->blocks_count > disk_blocks)
    return "block count larger than the disk";
  uint32 groups = (sb->blocks_count - sb->first_data_block + sb->blocks_per_group - 1) /
                  sb->blocks_per_group;
  if ((uint64)groups * sb->inodes_per_group < sb->inodes_count || sb->inodes_count < EXT2_ROOT_INO)
    return "inode count does not match the groups";
  if (groups * sizeof(struct ext2_group_desc) > 16 * EXT2_BLOCK_SIZE)
    return "too many block groups";
  geo->blocks_count = sb->blocks_count;
  geo->inodes_count = sb->inodes_count;
  geo->inodes_per_group = sb->inodes_per_group;
  geo->blocks_per_group = sb->blocks_per_group;
  geo->first_data_block = sb->first_data_block;
  geo->group_count = groups;
  geo->read_only = (sb->feature_ro_compat & ~EXT2_SUPPORTED_RO_COMPAT) != 0;
  geo->journal_inum = (sb->feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) ? sb->journal_inum : 0;
  return 0;
}

int ext2_block_path(uint32 n, uint32 index[3])
{
  if (n < EXT2_NDIR_BLOCKS) {
    index[0] = n;
    return 0;
  }
  n -= EXT2_NDIR_BLOCKS;
  uint32 span = 1;   // file blocks under one entry of the top indirect block
  int depth = 1;
  for (; depth < 3 && n >= span * EXT2_PTRS_PER_BLOCK; depth++) {
    n -= span * EXT2_PTRS_PER_BLOCK;
    span *= EXT2_PTRS_PER_BLOCK;
  }
  if (n >= span * EXT2_PTRS_PER_BLOCK)
    return -1;   // past the triple indirect block
  for (int level = 0; level < depth; level++, span /= EXT2_PTRS_PER_BLOCK)
    index[level] = n / span % EXT2_PTRS_PER_BLOCK;
  return depth;
}

const char *ext2_dirent_at(const uint8 *block, uint32 off, const struct ext2_dirent **ent)
{
  if (off % 4 || off + EXT2_DIRENT_HEADER > EXT2_BLOCK_SIZE)
    return "directory entry misaligned or past the block";
  const struct ext2_dirent *d = (const struct ext2_dirent *)(block + off);
  if (d->rec_len < EXT2_DIRENT_HEADER || d->rec_len % 4 || off + d->rec_len > EXT2_BLOCK_SIZE)
    return "directory entry with a bad rec_len";
  if (EXT2_DIRENT_HEADER + d->name_len > d->rec_len)
    return "directory entry name longer than its record";
  *ent = d;
  return 0;
}
