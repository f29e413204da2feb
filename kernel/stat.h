// struct stat as in xv6, widened with ext2's mode, size and times.
#ifndef GLASSBOX_KERNEL_STAT_H
#define GLASSBOX_KERNEL_STAT_H
#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device
#define T_SYMLINK 4   // symbolic link

struct stat {
  int dev;            // file system's disk device
  unsigned int ino;   // inode number
  short type;         // T_DIR, T_FILE or T_DEVICE
  short nlink;        // number of links to the file
  unsigned int size;  // size of the file in bytes (xv6 has uint64; 32 bits is ext2 rev 1's i_size)
  unsigned int mode;  // ext2 i_mode: type and permission bits
  unsigned int mtime; // last modification, seconds
};

#endif
