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

#define CONSOLE_MAJOR 1   // mknod("console", CONSOLE_MAJOR, 0)

// Make a new file, directory or device named by path, locked. Fails with
// -EEXIST if the name is taken.
static struct inode *create(const char *path, uint16 mode, int *err)
{
  char name[EXT2_NAME_LEN + 1];
  if ((*err = fs_writable()) < 0)
    return 0;
  struct inode *dp = nameiparent(path, name, err);
  if (dp == 0)
    return 0;
  if ((*err = ilock(dp)) < 0) {
    iput(dp);
    return 0;
  }
  struct inode *ip = 0;
  int found = dirlookup(dp, name);
  if (found > 0)
    *err = -EEXIST;
  else if (found < 0)
    *err = found;
  else
    ip = inew(mode, dp, err);
  if (ip) {
    int is_dir = ip->type == T_DIR;
    ip->d.links_count = is_dir ? 2 : 1;
    if (is_dir)
      *err = dir_init(ip, dp->inum);
    else
      *err = iupdate(ip);
    if (*err == 0)
      *err = dir_add(dp, name, ip->inum, ip->type);
    if (*err == 0 && is_dir) {
      dp->d.links_count++;
      *err = iupdate(dp);
    }
    if (*err < 0) {            // nothing links to it: iput frees it
      ip->d.links_count = 0;
      iunlockput(ip);
      ip = 0;
    }
  }
  iunlockput(dp);
  return ip;
}

// LAB fs-follow begin
// The path symbolic link ip (locked) at path leads to, into buf (MAXPATH
// bytes; it may be path itself): its target, taken from the link's own
// directory when it is relative.
static int link_path(struct inode *ip, const char *path, char *buf)
{
  char target[MAXPATH];
  uint32 len = ip->d.size;
  int fast = ext2_fast_symlink(ip);
  if (len == 0 || len >= MAXPATH || (fast && len >= sizeof(ip->d.block)))
    return -ECORRUPT;
  if (fast)
    memmove(target, ip->d.block, len);
  else if (readi(ip, 0, (uint32)target, 0, len) != (int)len)
    return -EIO;
  target[len] = 0;
  uint32 dir = 0;                      // the length of path's directory part
  if (target[0] != '/')
    for (uint32 i = 0; path[i]; i++)
      if (path[i] == '/')
        dir = i + 1;
  if (dir + len >= MAXPATH)
    return -ENAMETOOLONG;
  memmove(buf, path, dir);
  memmove(buf + dir, target, len + 1);
  return 0;
}

// The inode for open(): looked up (a symbolic link followed, at most
// MAXSYMLINKS of them, unless O_NOFOLLOW), or created with O_CREATE.
// Locked.
static struct inode *open_inode(const char *path, int flags, int *err)
{
  char buf[MAXPATH];
  for (int links = 0;;) {
    struct inode *ip = namei_locked(path, err);
    if (ip && ip->type == T_SYMLINK && !(flags & O_NOFOLLOW)) {
      *err = ++links > MAXSYMLINKS ? -ELOOP : link_path(ip, path, buf);
      iunlockput(ip);
      if (*err < 0)
        return 0;
      path = buf;
      continue;
    }
    if (ip || *err != -ENOENT || !(flags & O_CREATE))
      return ip;
    ip = create(path, EXT2_S_IFREG | 0644, err);
    if (ip || *err != -EEXIST)   // -EEXIST: someone made it meanwhile
      return ip;
  }
}
// LAB fs-follow end

// An open file for locked inode ip (whose reference it takes over).
static struct file *open_file(struct inode *ip, int flags, int *err)
{
  int mode = flags & 3;
  int writing = mode != O_RDONLY;
  if (ip->type == T_DEVICE) {
    int major = ip->d.block[0] >> 8;
    iunlockput(ip);
    if (major != CONSOLE_MAJOR) {
      *err = -ENODEV;
      return 0;
    }
    *err = 0;
    return console_open();
  }
  if (ip->type == T_DIR && (writing || (flags & O_CREATE)))
    *err = -EISDIR;
  else if (ip->type == T_SYMLINK)   // not followed (O_NOFOLLOW)
    *err = -ELOOP;
  else if (ip->type == 0)
    *err = -EINVAL;
  else if (writing || (flags & O_TRUNC))
    *err = fs_writable();
  else
    *err = 0;
  if (*err == 0 && (flags & O_TRUNC) && ip->type == T_FILE)
    *err = itrunc(ip, 0);
  iunlock(ip);
  struct file *f = 0;
  if (*err == 0) {
    f = file_open_inode(ip, mode != O_WRONLY, writing);
    if (f == 0)
      *err = -ENFILE;
  }
  if (f == 0) {
    iput(ip);
    return 0;
  }
  f->append = (flags & O_APPEND) != 0;
  return f;
}

int sys_open(void)
{
  char path[MAXPATH];
  int flags = argint(1);
  int err = argpath(0, path);
  if (err < 0)
    return err;
  if ((flags & 3) == 3 || (flags & ~(3 | O_CREATE | O_TRUNC | O_APPEND | O_NOFOLLOW)))
    return -EINVAL;
  int changes = (flags & (O_CREATE | O_TRUNC)) != 0;
  if (changes)
    begin_op();
  struct inode *ip = open_inode(path, flags, &err);
  struct file *f = ip ? open_file(ip, flags, &err) : 0;
  if (changes)
    end_op();
  if (f == 0)
    return err;
  int fd = fdalloc(f);
  if (fd < 0)
    fileclose(f);
  return fd;
}

int sys_mkdir(void)
{
  char path[MAXPATH];
  int err = argpath(0, path);
  if (err < 0)
    return err;
  begin_op();
  struct inode *ip = create(path, EXT2_S_IFDIR | 0755, &err);
  if (ip)
    iunlockput(ip);
  end_op();
  return err;
}

// mknod(path, major, minor): a character device; major 1 is the console.
int sys_mknod(void)
{
  char path[MAXPATH];
  int err = argpath(0, path);
  if (err < 0)
    return err;
  begin_op();
  struct inode *ip = create(path, EXT2_S_IFCHR | 0666, &err);
  if (ip) {
    ip->d.block[0] = ((argint(1) & 0xff) << 8) | (argint(2) & 0xff);
    err = iupdate(ip);
    iunlockput(ip);
  }
  end_op();
  return err;
}

static int is_dot_or_dotdot(const char *name)
{
  return strncmp(name, ".", 2) == 0 || strncmp(name, "..", 3) == 0;
}

// May locked ip's entry be removed as (or to make way for) a directory, if
// as_dir, or else a non-directory? A directory only when it is empty.
static int may_remove(struct inode *ip, int as_dir)
{
  if (ip->type == T_DIR && !as_dir)
    return -EISDIR;
  if (ip->type != T_DIR && as_dir)
    return -ENOTDIR;
  if (as_dir && dir_is_empty(ip) != 1)
    return -ENOTEMPTY;
  return 0;
}

// Look up name in dp (locked by the caller) and lock what it names.
static struct inode *lock_entry(struct inode *dp, const char *name, int *err)
{
  int inum = dirlookup(dp, name);
  if (inum == 0) {
    *err = -ENOENT;
    return 0;
  }
  if (inum < 0) {
    *err = inum;
    return 0;
  }
  struct inode *ip = iget(inum);
  if (ip == 0) {
    *err = -ENFILE;
    return 0;
  }
  if ((*err = ilock(ip)) < 0) {
    iput(ip);
    return 0;
  }
  return ip;
}

// Take path's name out of its directory, inside an operation.
static int remove_path(const char *path, int want_dir)
{
  char name[EXT2_NAME_LEN + 1];
  int err;
  struct inode *dp = nameiparent(path, name, &err);
  if (dp == 0)
    return err;
  if ((err = ilock(dp)) < 0) {
    iput(dp);
    return err;
  }
  struct inode *ip = 0;
  if (is_dot_or_dotdot(name))
    err = -EINVAL;
  else
    ip = lock_entry(dp, name, &err);
  if (ip) {
    // unlink takes an empty directory too, as xv6's does.
    int is_dir = ip->type == T_DIR;
    err = may_remove(ip, want_dir || is_dir);
    if (err == 0)
      err = dir_remove(dp, name);
    if (err == 0 && is_dir) {
      dp->d.links_count--;
      ip->d.links_count = 0;
      iupdate(dp);
    } else if (err == 0) {
      ip->d.links_count--;
    }
    if (err == 0)
      iupdate(ip);
    iunlock(ip);
  }
  iunlockput(dp);
  iput(ip);          // frees it if that was the last link and nobody has it open
  return err;
}

// unlink(path) and rmdir(path): take a name out of its directory.
static int remove_name(int want_dir)
{
  char path[MAXPATH];
  int err = argpath(0, path);
  if (err < 0 || (err = fs_writable()) < 0)
    return err;
  begin_op();
  err = remove_path(path, want_dir);
  end_op();
  return err;
}

int sys_unlink(void) { return remove_name(0); }
int sys_rmdir(void)  { return remove_name(1); }

// link(old, new). Never holds two inode locks: old may not be a directory,
// so it is never the new name's parent.
int sys_link(void)
{
  char old[MAXPATH], new[MAXPATH], name[EXT2_NAME_LEN + 1];
  int err = argpath(0, old);
  if (err < 0 || (err = argpath(1, new)) < 0 || (err = fs_writable()) < 0)
    return err;
  begin_op();
  struct inode *ip = namei_err(old, &err);
  if (ip == 0) {
    end_op();
    return err;
  }
  short type = 0;
  if ((err = ilock(ip)) == 0) {
    type = ip->type;
    iunlock(ip);
    if (type == T_DIR)
      err = -EPERM;
  }
  struct inode *dp = 0;
  if (err == 0)
    dp = nameiparent(new, name, &err);
  if (dp && (err = ilock(dp)) == 0) {
    int found = dirlookup(dp, name);
    err = found > 0 ? -EEXIST : found;
    if (err == 0)
      err = dir_add(dp, name, ip->inum, type);
    iunlock(dp);
  }
  if (err == 0 && (err = ilock(ip)) == 0) {
    ip->d.links_count++;
    ip->d.ctime = rtc_seconds();
    err = iupdate(ip);
    iunlock(ip);
  }
  iput(dp);
  iput(ip);
  end_op();
  return err;
}

// Is directory inum `dir` the same as, or an ancestor of, directory `start`?
// Walks up through "..", at most a bounded number of steps. A walk that
// fails answers 1 too, with the reason in *err.
static int is_ancestor(uint32 dir, struct inode *start, int *err)
{
  uint32 cur = start->inum;
  for (int steps = 0; steps < 1024; steps++) {
    if (cur == dir)
      return 1;
    if (cur == EXT2_ROOT_INO)
      return 0;
    struct inode *ip = iget(cur);
    if (ip == 0) {
      *err = -ENFILE;
      return 1;
    }
    if ((*err = ilock(ip)) < 0) {
      iput(ip);
      return 1;
    }
    int up = dirlookup(ip, "..");
    iunlockput(ip);
    if (up < 0) {
      *err = up;
      return 1;
    }
    if (up == 0) {
      *err = -ECORRUPT;
      return 1;
    }
    cur = up;
  }
  *err = -ELOOP;
  return 1;
}

// Make room for the renamed entry: remove what newname names in locked
// newdp, if it may be replaced by an inode of type `type`.
static int replace_target(struct inode *newdp, const char *newname, short type)
{
  int err;
  struct inode *target = lock_entry(newdp, newname, &err);
  if (target == 0 && err == -ENOENT)
    return 0;
  if (target == 0)
    return err;
  err = may_remove(target, type == T_DIR);
  if (err == 0)
    err = dir_remove(newdp, newname);
  if (err == 0) {
    if (target->type == T_DIR) {
      newdp->d.links_count--;
      target->d.links_count = 0;
    } else {
      target->d.links_count--;
    }
    iupdate(target);
  }
  iunlock(target);
  iput(target);
  return err;
}

static int do_rename(struct inode *olddp, const char *oldname, struct inode *newdp, const char *newname)
{
  int err = ilock(olddp);
  if (err < 0)
    return err;
  struct inode *ip = lock_entry(olddp, oldname, &err);
  iunlock(olddp);
  if (ip == 0)
    return err;
  short type = ip->type;
  uint32 inum = ip->inum;
  iunlock(ip);
  int moving_dir = type == T_DIR && olddp != newdp;
  if (type == T_DIR && is_ancestor(inum, newdp, &err) && err == 0)
    err = -EINVAL;   // into itself or its own subtree
  if (err == 0 && (err = ilock(newdp)) == 0) {
    int same = dirlookup(newdp, newname) == (int)inum;
    if (!same && (err = replace_target(newdp, newname, type)) == 0)
      err = dir_add(newdp, newname, inum, type);
    if (err == 0 && moving_dir) {
      newdp->d.links_count++;
      iupdate(newdp);
    }
    iunlock(newdp);
    if (err == 0 && !same && (err = ilock(olddp)) == 0) {
      err = dir_remove(olddp, oldname);
      if (err == 0 && moving_dir) {
        olddp->d.links_count--;
        iupdate(olddp);
      }
      iunlock(olddp);
    }
    if (err == 0 && moving_dir && (err = ilock(ip)) == 0) {
      err = dir_set_parent(ip, newdp->inum);
      iunlock(ip);
    }
  }
  iput(ip);
  return err;
}

int sys_rename(void)
{
  char old[MAXPATH], new[MAXPATH], oldname[EXT2_NAME_LEN + 1], newname[EXT2_NAME_LEN + 1];
  int err = argpath(0, old);
  if (err < 0 || (err = argpath(1, new)) < 0 || (err = fs_writable()) < 0)
    return err;
  begin_op();
  struct inode *olddp = nameiparent(old, oldname, &err);
  struct inode *newdp = 0;
  if (olddp)
    newdp = nameiparent(new, newname, &err);
  if (newdp && (is_dot_or_dotdot(oldname) || is_dot_or_dotdot(newname)))
    err = -EINVAL;
  else if (newdp)
    err = do_rename(olddp, oldname, newdp, newname);
  iput(olddp);
  iput(newdp);
  end_op();
  return err;
}

int sys_ftruncate(void)
{
  struct file *f = argfd(0);
  return f ? filetruncate(f, argraw(1)) : -EBADF;
}

int sys_sync(void)
{
  return fs_durable();
}

int sys_fsync(void)
{
  struct file *f = argfd(0);
  return f ? filesync(f) : -EBADF;
}

// symlink(target, path): a symbolic link at path whose contents are
// target (not looked up: it may name nothing).
int sys_symlink(void)
{
  char target[MAXPATH], path[MAXPATH];
  int err = argpath(0, target);
  if (err < 0 || (err = argpath(1, path)) < 0 || (err = fs_writable()) < 0)
    return err;
  if (target[0] == 0)
    return -ENOENT;
  // LAB fs-symlink begin
  uint32 len = strlen(target);
  begin_op();
  struct inode *ip = create(path, EXT2_S_IFLNK | 0777, &err);
  if (ip && len < sizeof(ip->d.block)) {   // fast: in i_block, NUL-ended
    memmove(ip->d.block, target, len);
    ip->d.size = len;
    err = iupdate(ip);
  } else if (ip) {                         // slow: one data block
    int n = writei(ip, 0, (uint32)target, 0, len);
    err = n == (int)len ? 0 : n < 0 ? n : -ENOSPC;
  }
  if (ip)
    iunlockput(ip);
  end_op();
  return err;
  // LAB fs-symlink end
}

int sys_chdir(void)
{
  char path[MAXPATH];
  int err = argpath(0, path);
  if (err < 0)
    return err;
  struct inode *ip = namei_locked(path, &err);
  if (ip == 0)
    return err;
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
