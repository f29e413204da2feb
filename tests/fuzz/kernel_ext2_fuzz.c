// libFuzzer target: the kernel's ext2 structure checks on arbitrary bytes.
// The input is a superblock followed by a directory block; walking the
// directory the way the kernel does must stay inside the block and end.
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "types.h"
#include "ext2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct ext2_superblock sb;
  struct ext2_geometry geo;
  uint8_t block[EXT2_BLOCK_SIZE];
  if (size < sizeof(sb) + 4)
    return 0;
  memcpy(&sb, data, sizeof(sb));
  uint32_t disk_blocks;
  memcpy(&disk_blocks, data + sizeof(sb), 4);
  if (!ext2_check_super(&sb, disk_blocks, &geo) &&
      (geo.group_count == 0 || geo.blocks_count > disk_blocks || geo.inodes_count < EXT2_ROOT_INO))
    abort();
  memset(block, 0, sizeof(block));
  size_t rest = size - sizeof(sb) - 4;
  memcpy(block, data + sizeof(sb) + 4, rest < sizeof(block) ? rest : sizeof(block));
  const struct ext2_dirent *d;
  int steps = 0;
  for (uint32_t off = 0; off < EXT2_BLOCK_SIZE; off += d->rec_len) {
    if (ext2_dirent_at(block, off, &d))
      break;
    if (d->rec_len == 0 || off + d->rec_len > EXT2_BLOCK_SIZE || ++steps > EXT2_BLOCK_SIZE / 8)
      abort();
    if (d->name_len) {   // an empty name may end the block: it has no byte to read
      volatile char last = d->name[d->name_len - 1];   // inside the record
      (void)last;
    }
  }
  uint32_t idx[3];
  uint32_t n;
  memcpy(&n, data, 4);
  int depth = ext2_block_path(n, idx);
  for (int level = 0; level < depth; level++)
    if (idx[level] >= EXT2_PTRS_PER_BLOCK)
      abort();
  return 0;
}
