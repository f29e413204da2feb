// stat path...: shows what the file system records about each file.

#include "user/user.h"

static const char*
typename(int type)
{
  switch (type) {
  case T_DIR:    return "directory";
  case T_FILE:   return "regular file";
  case T_DEVICE: return "device";
  case T_SYMLINK: return "symbolic link";
  default:       return "unknown";
  }
}

// n in octal, into buf (which holds at least 12 characters).
static char*
octal(char *buf, uint n)
{
  char digits[12];
  int i = 0, j = 0;

  do {
    digits[i++] = '0' + n % 8;
    n /= 8;
  } while (n > 0);
  while (i > 0)
    buf[j++] = digits[--i];
  buf[j] = 0;
  return buf;
}

int
main(int argc, char *argv[])
{
  struct stat st;
  char mode[12];
  int i, r, status = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: stat path...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if ((r = stat(argv[i], &st)) < 0) {
      fprintf(stderr, "stat: %s: %s\n", argv[i], strerror(r));
      status = 1;
      continue;
    }
    printf("  file: %s\n", argv[i]);
    printf("  type: %s\n", typename(st.type));
    printf(" inode: %u\n", st.ino);
    printf(" links: %d\n", st.nlink);
    printf("  size: %u\n", st.size);
    printf("  mode: 0%s\n", octal(mode, st.mode));
    printf(" mtime: %u\n", st.mtime);
  }
  return status;
}
