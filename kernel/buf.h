#define BSIZE 1024   // file system block size (ext2 with 1 KiB blocks)

struct buf {
  int valid;        // data holds the block's contents
  int dirty;        // data differs from the disk
  int busy;         // held by some process (bread .. brelse)
  int disk_busy;    // the device owns it right now
  int disk_status;  // the device's status byte for its last request
  uint32 blockno;
  uint32 refcnt;
  struct buf *prev; // LRU list: head.next is the most recently used
  struct buf *next;
  uint8 data[BSIZE];
};
