// Open files, shared by fds across dup and fork.
struct file {
  enum { FD_NONE, FD_INODE, FD_CONSOLE, FD_PIPE } type;
  int ref;
  char readable;
  char writable;
  char append;
  struct inode *ip;   // FD_INODE
  struct pipe *pipe;  // FD_PIPE
  uint32 off;         // FD_INODE: read/write offset
};
