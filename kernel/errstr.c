// Names of error numbers, for the kernel's own messages.
#include "types.h"
#include "errno.h"

const char *errstr(int err)
{
  enum error_number e = err < 0 ? -err : err;
  switch (e) {
  case ENOENT: return "no such file or directory";
  case ENOEXEC: return "exec format error";
  case ENOMEM: return "out of memory";
  case EIO: return "I/O error";
  case ENOTDIR: return "not a directory";
  case EISDIR: return "is a directory";
  case ECORRUPT: return "file system structure is corrupt";
  default: return "error";
  }
}
