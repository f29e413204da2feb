// The open-file table and the operations on open files.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

static struct file ftable[NFILE];

static struct file *filealloc(void)
{
  for (struct file *f = ftable; f < ftable + NFILE; f++) {
    if (f->ref == 0) {
      memset(f, 0, sizeof(*f));
      f->ref = 1;
      return f;
    }
  }
  return 0;
}

struct file *console_open(void)
{
  struct file *f = filealloc();
  if (f == 0)
    panic("console_open: file table full");
  f->type = FD_CONSOLE;
  f->readable = f->writable = 1;
  return f;
}

// A file open on inode ip (which the caller's reference passes to).
struct file *file_open_inode(struct inode *ip, int readable, int writable)
{
  struct file *f = filealloc();
  if (f == 0)
    return 0;
  f->type = FD_INODE;
  f->ip = ip;
  f->readable = readable;
  f->writable = writable;
  return f;
}

struct file *file_open_pipe(struct pipe *pi, int writable)
{
  struct file *f = filealloc();
  if (f == 0)
    return 0;
  f->type = FD_PIPE;
  f->pipe = pi;
  f->readable = !writable;
  f->writable = writable;
  return f;
}

struct file *filedup(struct file *f)
{
  f->ref++;
  return f;
}

void fileclose(struct file *f)
{
  if (--f->ref > 0)
    return;
  // Free the slot before anything below sleeps: another process may take
  // it meanwhile.
  struct file closing = *f;
  f->type = FD_NONE;
  if (closing.type == FD_INODE) {
    begin_op();    // what was written is committed by close
    iput(closing.ip);
    end_op();
  } else if (closing.type == FD_PIPE) {
    pipeclose(closing.pipe, closing.writable);
  }
}

int filestat(struct file *f, uint32 addr)
{
  struct stat st;
  memset(&st, 0, sizeof(st));
  if (f->type == FD_INODE) {
    int err = ilock(f->ip);
    if (err < 0)
      return err;
    stati(f->ip, &st);
    iunlock(f->ip);
  } else {
    st.type = f->type == FD_CONSOLE ? T_DEVICE : T_FILE;
  }
  return copyout(myproc()->pagetable, addr, &st, sizeof(st));
}

int fileread(struct file *f, uint32 addr, int n)
{
  if (!f->readable)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  switch (f->type) {
  case FD_CONSOLE:
    return consoleread(addr, n);
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_INODE: {
    int err = ilock(f->ip);
    if (err < 0)
      return err;
    int r = f->ip->type == T_DIR ? -EISDIR : readi(f->ip, 1, addr, f->off, n);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  }
  default:
    return -EBADF;
  }
}

// Bytes one write() puts in one journal operation: bounds the metadata it
// changes (the indirect blocks above 256 KiB of data), so a transaction
// always fits the buffer cache.
#define WRITE_CHUNK (256 * 1024)

// Write n bytes to an inode file at its offset, a chunk per operation.
// Committed at the latest when the file is closed.
static int write_inode_file(struct file *f, uint32 addr, int n)
{
  int done = 0;
  while (done < n) {
    int len = n - done < WRITE_CHUNK ? n - done : WRITE_CHUNK;
    begin_op();
    int r = ilock(f->ip);
    if (r == 0) {
      if (f->append)
        f->off = f->ip->d.size;
      r = writei(f->ip, 1, addr + done, f->off, len);
      if (r > 0)
        f->off += r;
      iunlock(f->ip);
    }
    end_write_op();
    if (r < 0)
      return done ? done : r;
    done += r;
    if (r < len)
      break;
  }
  return done;
}

int filewrite(struct file *f, uint32 addr, int n)
{
  if (!f->writable)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  switch (f->type) {
  case FD_CONSOLE:
    return consolewrite(addr, n);
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_INODE:
    return write_inode_file(f, addr, n);
  default:
    return -EBADF;
  }
}

// Directory entries of an open directory, up to max of them.
int filegetdents(struct file *f, uint32 addr, int max)
{
  if (f->type != FD_INODE)
    return -ENOTDIR;
  if (max < 0)
    return -EINVAL;
  int err = ilock(f->ip);
  if (err < 0)
    return err;
  int n = 0;
  if (f->ip->type != T_DIR)
    n = -ENOTDIR;
  while (n >= 0 && n < max) {
    struct dirent ent;
    memset(&ent, 0, sizeof(ent));
    int r = dir_next(f->ip, &f->off, &ent);
    if (r <= 0) {
      n = n ? n : r;
      break;
    }
    if (copyout(myproc()->pagetable, addr + n * sizeof(ent), &ent, sizeof(ent)) < 0) {
      n = -EFAULT;
      break;
    }
    n++;
  }
  iunlock(f->ip);
  return n;
}

int filetruncate(struct file *f, uint32 len)
{
  if (f->type != FD_INODE || !f->writable)
    return -EBADF;
  begin_op();
  int err = ilock(f->ip);
  if (err == 0) {
    err = f->ip->type == T_FILE ? itrunc(f->ip, len) : -EINVAL;
    iunlock(f->ip);
  }
  end_op();
  return err;
}

// fsync: f's data and metadata (and everything else written) are on the
// medium when it returns.
int filesync(struct file *f)
{
  if (f->type != FD_INODE)
    return -EINVAL;
  return fs_durable();
}

int filelseek(struct file *f, int offset, int whence)
{
  if (f->type != FD_INODE)
    return -ESPIPE;
  int err = ilock(f->ip);
  if (err < 0)
    return err;
  int base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int)f->off :
             whence == SEEK_END ? (int)f->ip->d.size : -1;
  iunlock(f->ip);
  if (base < 0 || base + offset < 0)
    return -EINVAL;
  f->off = base + offset;
  return f->off;
}
