// In-memory inodes (ext2.c).
struct inode {
  uint32 inum;
  int ref;              // pointers to this entry
  int busy;             // locked by a process (ilock .. iunlock)
  int valid;            // d was read from the disk
  short type;           // T_DIR, T_FILE, T_DEVICE; 0 if the mode is unknown
  uint32 read_next;     // file block after the last one read: a read there is sequential
  uint32 alloc_next;    // disk block after the last one allocated to it: the next one's goal
  int orphan;           // on the orphan list: no links, still open (d.dtime: the next one)
  struct ext2_inode d;  // the on-disk inode
};
