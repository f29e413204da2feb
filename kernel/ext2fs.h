// State of the mounted ext2 file system, shared by ext2.c (inodes and file
// data), ext2_alloc.c (bitmaps) and ext2_dir.c (directories).
#define MAX_GROUPS 256

struct ext2_fs {
  struct ext2_geometry geo;
  uint32 first_ino;                       // first inode number files may use
  uint8 super[BSIZE];                     // block 1: the superblock, as on disk
  struct ext2_group_desc group[MAX_GROUPS];
  int meta_dirty;                         // super or group[] changed since the last sync
  int in_use_on_disk;                     // the superblock on the disk says RECOVER
};

extern struct ext2_fs fs;

#define SUPER(f) ((struct ext2_superblock *)(f).super)

int ext2_corrupt(uint32 inum, const char *what);
int ext2_bmap(struct inode *ip, uint32 n, int alloc);
