// Host tests of the kernel's ext2 structure checks (kernel/ext2_format.c),
// on superblocks from a real mke2fs image and on corrupted copies.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "types.h"
#include "ext2.h"

static struct ext2_superblock real_sb;
static uint32 real_disk_blocks;

// Make a 4 MiB image with the options the build uses and read its superblock.
static int make_image(void **state)
{
  (void)state;
  char path[] = "/tmp/glassbox-ext2-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  close(fd);
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 -b 1024 -I 128 -O ^dir_index,^resize_inode %s 4M 2>/dev/null", path);
  int rc = system(cmd);
  FILE *f = fopen(path, "rb");
  int ok = rc == 0 && f && fseek(f, EXT2_SUPER_OFFSET, SEEK_SET) == 0 &&
           fread(&real_sb, sizeof(real_sb), 1, f) == 1;
  if (f)
    fclose(f);
  unlink(path);
  real_disk_blocks = 4096;
  return ok ? 0 : -1;
}

static void accepts_mke2fs_image(void **state)
{
  (void)state;
  struct ext2_geometry geo;
  assert_null(ext2_check_super(&real_sb, real_disk_blocks, &geo));
  assert_int_equal(geo.blocks_count, 4096);
  assert_int_equal(geo.group_count, 1);
  assert_int_equal(geo.inodes_count, real_sb.inodes_count);
  assert_false(geo.read_only);
}

static void refuses_corrupt_superblocks(void **state)
{
  (void)state;
  struct ext2_geometry geo;
  struct ext2_superblock sb = real_sb;
  sb.magic = 0x1234;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "not an ext2 file system (bad magic)");
  sb = real_sb;
  sb.log_block_size = 2;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "only 1 KiB blocks are supported");
  sb = real_sb;
  sb.feature_incompat |= 0x40;   // extents
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo),
                      "the file system uses an incompatible feature we do not implement");
  sb = real_sb;
  sb.blocks_count = real_disk_blocks + 1;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "block count larger than the disk");
  sb = real_sb;
  sb.inodes_per_group = 0;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "bad blocks or inodes per group");
  sb = real_sb;
  sb.inodes_count = sb.inodes_per_group * 50;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "inode count does not match the groups");
  sb = real_sb;
  sb.inode_size = 256;
  assert_string_equal(ext2_check_super(&sb, real_disk_blocks, &geo), "only 128-byte inodes are supported");
}

static void unknown_ro_compat_feature_mounts_read_only(void **state)
{
  (void)state;
  struct ext2_geometry geo;
  struct ext2_superblock sb = real_sb;
  sb.feature_ro_compat |= 0x8;   // huge_file
  assert_null(ext2_check_super(&sb, real_disk_blocks, &geo));
  assert_true(geo.read_only);
}

static void maps_file_blocks_to_direct_and_indirect_levels(void **state)
{
  (void)state;
  uint32 idx[3];
  assert_int_equal(ext2_block_path(0, idx), 0);
  assert_int_equal(idx[0], 0);
  assert_int_equal(ext2_block_path(11, idx), 0);
  assert_int_equal(idx[0], 11);
  assert_int_equal(ext2_block_path(12, idx), 1);
  assert_int_equal(idx[0], 0);
  assert_int_equal(ext2_block_path(12 + 255, idx), 1);
  assert_int_equal(idx[0], 255);
  assert_int_equal(ext2_block_path(12 + 256, idx), 2);
  assert_int_equal(idx[0], 0);
  assert_int_equal(idx[1], 0);
  assert_int_equal(ext2_block_path(12 + 256 + 256 * 3 + 7, idx), 2);
  assert_int_equal(idx[0], 3);
  assert_int_equal(idx[1], 7);
  assert_int_equal(ext2_block_path(12 + 256 + 256 * 256, idx), 3);
  assert_int_equal(idx[0], 0);
  assert_int_equal(idx[1], 0);
  assert_int_equal(idx[2], 0);
  assert_int_equal(ext2_block_path(12 + 256 + 256 * 256 + 65536 * 2 + 256 * 5 + 9, idx), 3);
  assert_int_equal(idx[0], 2);
  assert_int_equal(idx[1], 5);
  assert_int_equal(idx[2], 9);
  assert_int_equal(ext2_block_path(12 + 256 + 256 * 256 + 256 * 256 * 256, idx), -1);
}

// A directory block: "." (12 bytes), ".." (12), "hello" (rest).
static void make_dir_block(uint8 *block)
{
  memset(block, 0, EXT2_BLOCK_SIZE);
  struct ext2_dirent *d = (struct ext2_dirent *)block;
  *d = (struct ext2_dirent){ 2, 12, 1, EXT2_FT_DIR };
  memcpy(block + 8, ".", 1);
  d = (struct ext2_dirent *)(block + 12);
  *d = (struct ext2_dirent){ 2, 12, 2, EXT2_FT_DIR };
  memcpy(block + 20, "..", 2);
  d = (struct ext2_dirent *)(block + 24);
  *d = (struct ext2_dirent){ 12, EXT2_BLOCK_SIZE - 24, 5, EXT2_FT_REG_FILE };
  memcpy(block + 32, "hello", 5);
}

static void walks_directory_entries(void **state)
{
  (void)state;
  uint8 block[EXT2_BLOCK_SIZE];
  make_dir_block(block);
  const struct ext2_dirent *d;
  uint32 off = 0;
  int count = 0;
  while (off < EXT2_BLOCK_SIZE) {
    assert_null(ext2_dirent_at(block, off, &d));
    off += d->rec_len;
    count++;
  }
  assert_int_equal(count, 3);
  assert_int_equal(d->inode, 12);
  assert_memory_equal(d->name, "hello", 5);
}

static void refuses_bad_directory_entries(void **state)
{
  (void)state;
  uint8 block[EXT2_BLOCK_SIZE];
  const struct ext2_dirent *d;
  make_dir_block(block);
  ((struct ext2_dirent *)(block + 12))->rec_len = 0;          // would loop forever
  assert_string_equal(ext2_dirent_at(block, 12, &d), "directory entry with a bad rec_len");
  make_dir_block(block);
  ((struct ext2_dirent *)(block + 24))->rec_len = 2000;       // past the block
  assert_string_equal(ext2_dirent_at(block, 24, &d), "directory entry with a bad rec_len");
  make_dir_block(block);
  ((struct ext2_dirent *)(block + 0))->name_len = 200;        // longer than its record
  assert_string_equal(ext2_dirent_at(block, 0, &d), "directory entry name longer than its record");
  assert_string_equal(ext2_dirent_at(block, 1022, &d), "directory entry misaligned or past the block");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(accepts_mke2fs_image),
    cmocka_unit_test(refuses_corrupt_superblocks),
    cmocka_unit_test(unknown_ro_compat_feature_mounts_read_only),
    cmocka_unit_test(maps_file_blocks_to_direct_and_indirect_levels),
    cmocka_unit_test(walks_directory_entries),
    cmocka_unit_test(refuses_bad_directory_entries),
  };
  return cmocka_run_group_tests(tests, make_image, NULL);
}
