// Error numbers. System calls return -E... on failure; strerror() in the
// user library turns them into text. Values follow Linux's where they exist.
// An enum, not macros, so that the kernel's DWARF carries the names (the
// inspector shows a failed system call's error by name).
#ifndef GLASSBOX_KERNEL_ERRNO_H
#define GLASSBOX_KERNEL_ERRNO_H
enum error_number {
  EPERM = 1,         // operation not permitted
  ENOENT = 2,        // no such file or directory
  ESRCH = 3,         // no such process
  EINTR = 4,         // interrupted (killed while blocked)
  EIO = 5,           // I/O error
  E2BIG = 7,         // argument list too long
  ENOEXEC = 8,       // exec format error
  EBADF = 9,         // bad file descriptor
  ECHILD = 10,       // no child processes
  EAGAIN = 11,       // try again (non-blocking call would block)
  ENOMEM = 12,       // out of memory
  EFAULT = 14,       // bad address
  EBUSY = 16,        // device or resource busy
  EEXIST = 17,       // file exists
  EXDEV = 18,        // cross-device link
  ENODEV = 19,       // no such device
  ENOTDIR = 20,      // not a directory
  EISDIR = 21,       // is a directory
  EINVAL = 22,       // invalid argument
  ENFILE = 23,       // file table overflow
  EMFILE = 24,       // too many open files
  ENOTTY = 25,       // not a terminal
  EFBIG = 27,        // file too large
  ENOSPC = 28,       // no space left on device
  ESPIPE = 29,       // illegal seek
  EROFS = 30,        // read-only file system
  EMLINK = 31,       // too many links
  EPIPE = 32,        // broken pipe
  ERANGE = 34,       // result out of range
  ENAMETOOLONG = 36, // file name too long
  ENOSYS = 38,       // function not implemented
  ENOTEMPTY = 39,    // directory not empty
  ELOOP = 40,        // too many levels of symbolic links or directories
  EMSGSIZE = 90,     // message too long
  ECORRUPT = 117,    // file system structure is corrupt (EUCLEAN)
};
#define ERRNO_MAX 128
#endif
