// ext2 on-disk format (revision 1, 1 KiB blocks, 128-byte inodes), the
// parts Glassbox uses. No dependencies beyond types.h, for host tests.

#define EXT2_SUPER_MAGIC   0xEF53
#define EXT2_SUPER_OFFSET  1024      // bytes from the start of the disk
#define EXT2_BLOCK_SIZE    1024
#define EXT2_ROOT_INO      2
#define EXT2_NDIR_BLOCKS   12
#define EXT2_IND_BLOCK     12
#define EXT2_DIND_BLOCK    13
#define EXT2_TIND_BLOCK    14
#define EXT2_N_BLOCKS      15
#define EXT2_PTRS_PER_BLOCK (EXT2_BLOCK_SIZE / 4)
#define EXT2_NAME_LEN      255

// Features we understand. Any other incompat feature refuses the mount;
// any other ro_compat feature mounts the disk read-only.
#define EXT3_FEATURE_COMPAT_HAS_JOURNAL   0x0004
#define EXT2_FEATURE_INCOMPAT_FILETYPE    0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER     0x0004   // needs_recovery: the journal is in use
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_SUPPORTED_INCOMPAT  (EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_RECOVER)
#define EXT2_SUPPORTED_RO_COMPAT (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

struct ext2_superblock {
  uint32 inodes_count;
  uint32 blocks_count;
  uint32 r_blocks_count;
  uint32 free_blocks_count;
  uint32 free_inodes_count;
  uint32 first_data_block;
  uint32 log_block_size;
  uint32 log_frag_size;
  uint32 blocks_per_group;
  uint32 frags_per_group;
  uint32 inodes_per_group;
  uint32 mtime;
  uint32 wtime;
  uint16 mnt_count;
  uint16 max_mnt_count;
  uint16 magic;
  uint16 state;
  uint16 errors;
  uint16 minor_rev_level;
  uint32 lastcheck;
  uint32 checkinterval;
  uint32 creator_os;
  uint32 rev_level;
  uint16 def_resuid;
  uint16 def_resgid;
  uint32 first_ino;
  uint16 inode_size;
  uint16 block_group_nr;
  uint32 feature_compat;
  uint32 feature_incompat;
  uint32 feature_ro_compat;
  uint8  uuid[16];
  char   volume_name[16];
  char   last_mounted[64];
  uint32 algorithm_usage_bitmap;
  uint8  prealloc_blocks;
  uint8  prealloc_dir_blocks;
  uint16 reserved_gdt_blocks;
  uint8  journal_uuid[16];
  uint32 journal_inum;    // the journal's inode (ext3), with has_journal
  uint32 journal_dev;     // an external journal's device: not supported
  uint32 last_orphan;
};

struct ext2_group_desc {
  uint32 block_bitmap;
  uint32 inode_bitmap;
  uint32 inode_table;
  uint16 free_blocks_count;
  uint16 free_inodes_count;
  uint16 used_dirs_count;
  uint16 pad;
  uint32 reserved[3];
};

struct ext2_inode {
  uint16 mode;
  uint16 uid;
  uint32 size;
  uint32 atime;
  uint32 ctime;
  uint32 mtime;
  uint32 dtime;
  uint16 gid;
  uint16 links_count;
  uint32 blocks;         // 512-byte sectors
  uint32 flags;
  uint32 osd1;
  uint32 block[EXT2_N_BLOCKS];
  uint32 generation;
  uint32 file_acl;
  uint32 dir_acl;        // size_high for regular files
  uint32 faddr;
  uint8  osd2[12];
};

#define EXT2_S_IFMT   0xF000
#define EXT2_S_IFREG  0x8000
#define EXT2_S_IFDIR  0x4000
#define EXT2_S_IFCHR  0x2000
#define EXT2_S_IFLNK  0xA000

struct ext2_dirent {
  uint32 inode;
  uint16 rec_len;
  uint8  name_len;
  uint8  file_type;
  char   name[];
};
#define EXT2_DIRENT_HEADER 8
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR      2
#define EXT2_FT_CHRDEV   3
#define EXT2_FT_SYMLINK  7

// What the mount needs from a superblock, checked.
struct ext2_geometry {
  uint32 blocks_count;
  uint32 inodes_count;
  uint32 inodes_per_group;
  uint32 blocks_per_group;
  uint32 first_data_block;
  uint32 group_count;
  int read_only;          // an ro_compat feature we do not implement
  uint32 journal_inum;    // 0: no journal
};

const char *ext2_check_super(const struct ext2_superblock *sb, uint32 disk_blocks,
                             struct ext2_geometry *geo);

// Where file block n lives: depth 0 (direct: index[0] into i_block), or
// depth 1, 2, 3 (through the single, double or triple indirect block: index[0]
// in it, then index[1], index[2] in the blocks below). Returns the depth.
int ext2_block_path(uint32 n, uint32 index[3]);

// Without the large_file feature, a regular file holds less than 2 GiB.
#define EXT2_MAX_FILE_SIZE 0x7fffffffu

// Validate the directory entry at offset off of a block; returns 0 with
// *ent set, or a reason.
const char *ext2_dirent_at(const uint8 *block, uint32 off, const struct ext2_dirent **ent);
