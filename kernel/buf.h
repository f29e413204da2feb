#define BSIZE 1024   // file system block size (ext2 with 1 KiB blocks)
#define DISK_RUN_MAX 32 // contiguous blocks in one disk request

// One request to the disk, as the driver reports it back.
struct disk_io {
  int busy;         // the device owns the request right now
  int status;       // the device's status byte when it is done
};

struct buf {
  int valid;        // data holds the block's contents
  int dirty;        // data differs from the disk (file data: written in place)
  int meta;         // changed metadata: reaches the disk through the journal,
                    // so it stays in the cache until the commit
  int busy;         // held by some process (bread .. brelse)
  int reading;      // a read-ahead request filled it or still is: the next
                    // holder waits for it and takes the result
  struct disk_io io; // the device's progress on its last request
  uint32 blockno;
  uint32 refcnt;
  struct buf *prev; // LRU list: head.next is the most recently used
  struct buf *next;
  uint8 data[BSIZE];
};
