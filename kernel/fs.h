// In-memory inodes (ext2.c).
struct inode {
  uint32 inum;
  int ref;              // pointers to this entry
  int busy;             // locked by a process (ilock .. iunlock)
  int valid;            // d was read from the disk
  short type;           // T_DIR, T_FILE, T_DEVICE; 0 if the mode is unknown
  struct ext2_inode d;  // the on-disk inode
};
