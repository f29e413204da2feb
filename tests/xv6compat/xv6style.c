// A program written the way xv6's user programs are (their includes, their
// calls): it must compile unchanged against Glassbox's user.h. Built by
// `make test`; a compile error fails the build.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  struct stat st;
  int fd, p[2];
  char buf[64];

  if (argc < 2) {
    fprintf(2, "usage: xv6style file\n");
    exit(1);
  }
  if ((fd = open(argv[1], O_RDONLY)) < 0) {
    fprintf(2, "xv6style: cannot open %s\n", argv[1]);
    exit(1);
  }
  if (fstat(fd, &st) < 0 || st.type != T_FILE)
    exit(1);
  pipe(p);
  if (fork() == 0) {
    close(p[0]);
    write(p[1], "x", 1);
    exit(0);
  }
  close(p[1]);
  read(p[0], buf, sizeof(buf));
  wait(0);
  char *mem = sbrk(4096);
  if (mem == (char*)-1)
    exit(1);
  printf("%d %s %d %d\n", getpid(), argv[1], uptime(), (int)st.size);
  sleep(1);
  kill(getpid() + 1000);
  close(fd);
  exit(0);
}
