// File system calls: argument checking, then file.c and ext2.c.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

// The open file behind argument n, or 0.
static struct file *argfd(int n)
{
  int fd = argint(n);
  if (fd < 0 || fd >= NOFILE)
    return 0;
  return myproc()->ofile[fd];
}

// Give f the lowest free fd of the current process, or -EMFILE.
static int fdalloc(struct file *f)
{
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

int sys_read(void)
{
  struct file *f = argfd(0);
  return f ? fileread(f, argraw(1), argint(2)) : -EBADF;
}

int sys_write(void)
{
  struct file *f = argfd(0);
  return f ? filewrite(f, argraw(1), argint(2)) : -EBADF;
}

int sys_close(void)
{
  struct file *f = argfd(0);
  if (f == 0)
    return -EBADF;
  myproc()->ofile[argint(0)] = 0;
  fileclose(f);
  return 0;
}

int sys_dup(void)
{
  struct file *f = argfd(0);
  if (f == 0)
    return -EBADF;
  int fd = fdalloc(f);
  if (fd >= 0)
    filedup(f);
  return fd;
}

int sys_fstat(void)
{
  struct file *f = argfd(0);
  return f ? filestat(f, argraw(1)) : -EBADF;
}

int sys_getdents(void)
{
  struct file *f = argfd(0);
  return f ? filegetdents(f, argraw(1), argint(2)) : -EBADF;
}

int sys_lseek(void)
{
  struct file *f = argfd(0);
  return f ? filelseek(f, argint(1), argint(2)) : -EBADF;
}

// open(path, flags). The file system is read-only until the ext2 write
// path lands: opening for writing or creating gives -EROFS.
int sys_open(void)
{
  char path[MAXPATH];
  int flags = argint(1);
  int err = argpath(0, path);
  if (err < 0)
    return err;
  int mode = flags & 3;
  if (mode == 3)
    return -EINVAL;
  struct inode *ip = namei_err(path, &err);
  if (ip == 0)
    return (flags & O_CREATE) && err == -ENOENT ? -EROFS : err;
  if ((err = ilock(ip)) < 0) {
    iput(ip);
    return err;
  }
  short type = ip->type;
  iunlock(ip);
  if (mode != O_RDONLY || (flags & O_TRUNC))
    err = type == T_DIR ? -EISDIR : -EROFS;
  struct file *f = err ? 0 : file_open_inode(ip, 1, 0);
  if (f == 0) {
    iput(ip);
    return err ? err : -ENFILE;
  }
  int fd = fdalloc(f);
  if (fd < 0)
    fileclose(f);
  return fd;
}

int sys_chdir(void)
{
  char path[MAXPATH];
  int err = argpath(0, path);
  if (err < 0)
    return err;
  struct inode *ip = namei_err(path, &err);
  if (ip == 0)
    return err;
  if ((err = ilock(ip)) < 0) {
    iput(ip);
    return err;
  }
  int is_dir = ip->type == T_DIR;
  iunlock(ip);
  if (!is_dir) {
    iput(ip);
    return -ENOTDIR;
  }
  struct proc *p = myproc();
  iput(p->cwd);
  p->cwd = ip;
  return 0;
}

int sys_pipe(void)
{
  uint32 addr = argraw(0);
  struct file *rf, *wf;
  int err = pipealloc(&rf, &wf);
  if (err < 0)
    return err;
  int fds[2] = { fdalloc(rf), -1 };
  if (fds[0] >= 0)
    fds[1] = fdalloc(wf);
  struct proc *p = myproc();
  if (fds[1] < 0 || copyout(p->pagetable, addr, fds, sizeof(fds)) < 0) {
    err = fds[1] < 0 ? -EMFILE : -EFAULT;
    if (fds[0] >= 0)
      p->ofile[fds[0]] = 0;
    if (fds[1] >= 0)
      p->ofile[fds[1]] = 0;
    fileclose(rf);
    fileclose(wf);
    return err;
  }
  return 0;
}

// Copy the user's argv (a 0-terminated array of string pointers) into the
// page buf: pointers first, strings after them.
static int fetch_argv(uint32 uargv, char *buf, char ***argv_out)
{
  struct proc *p = myproc();
  char **argv = (char **)buf;
  char *strings = buf + (MAXARG + 1) * sizeof(char *);
  char *limit = buf + PGSIZE;
  for (int i = 0;; i++) {
    uint32 uarg;
    if (i > MAXARG)
      return -E2BIG;
    if (copyin(p->pagetable, &uarg, uargv + i * sizeof(uint32), sizeof(uarg)) < 0)
      return -EFAULT;
    if (uarg == 0) {
      argv[i] = 0;
      break;
    }
    int err = copyinstr(p->pagetable, strings, uarg, limit - strings);
    if (err < 0)
      return err == -ENAMETOOLONG ? -E2BIG : err;
    argv[i] = strings;
    strings += strlen(strings) + 1;
  }
  *argv_out = argv;
  return 0;
}

int sys_exec(void)
{
  char path[MAXPATH];
  char **argv;
  int err = argpath(0, path);
  if (err < 0)
    return err;
  char *page = kalloc(FRAME_KERNEL);
  if (page == 0)
    return -ENOMEM;
  err = fetch_argv(argraw(1), page, &argv);
  if (err == 0)
    err = exec(path, argv);
  kfree(page);
  return err;
}
