// Pipes: a ring of PIPESIZE bytes between a reader end and a writer end.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define PIPESIZE 2048

struct pipe {
  char data[PIPESIZE];
  uint32 nread;      // bytes read so far
  uint32 nwrite;     // bytes written so far
  int readopen;      // the read end is still open
  int writeopen;     // the write end is still open
};

// A pipe with two open files, one per end. Returns 0 or -ENOMEM/-ENFILE.
int pipealloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = kalloc(FRAME_KERNEL);
  if (pi == 0)
    return -ENOMEM;
  pi->readopen = pi->writeopen = 1;
  *rf = file_open_pipe(pi, 0);
  *wf = *rf ? file_open_pipe(pi, 1) : 0;
  if (*wf == 0) {
    if (*rf)
      fileclose(*rf);   // frees pi too, once both ends are shut
    else
      kfree(pi);
    return -ENFILE;
  }
  return 0;
}

void pipeclose(struct pipe *pi, int writable)
{
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  if (!pi->readopen && !pi->writeopen)
    kfree(pi);
}

// Bytes that can move in one copy: up to n, no more than avail, and not
// past the end of the ring's storage at position pos.
static uint32 chunk(uint32 pos, uint32 avail, uint32 n)
{
  uint32 contiguous = PIPESIZE - pos % PIPESIZE;
  uint32 len = n < avail ? n : avail;
  return len < contiguous ? len : contiguous;
}

int pipewrite(struct pipe *pi, uint32 addr, int n)
{
  struct proc *p = myproc();
  int i = 0;
  while (i < n) {
    if (!pi->readopen)
      return i ? i : -EPIPE;
    if (p->killed)
      return i ? i : -EINTR;
    uint32 space = PIPESIZE - (pi->nwrite - pi->nread);
    if (space == 0) {
      wakeup(&pi->nread);
      sleep(&pi->nwrite);
      continue;
    }
    uint32 len = chunk(pi->nwrite, space, n - i);
    if (copyin(p->pagetable, &pi->data[pi->nwrite % PIPESIZE], addr + i, len) < 0)
      return i ? i : -EFAULT;
    pi->nwrite += len;
    i += len;
  }
  wakeup(&pi->nread);
  return i;
}

int piperead(struct pipe *pi, uint32 addr, int n)
{
  struct proc *p = myproc();
  while (pi->nread == pi->nwrite && pi->writeopen) {
    if (p->killed)
      return -EINTR;
    sleep(&pi->nread);
  }
  int i = 0;
  while (i < n && pi->nread != pi->nwrite) {
    uint32 len = chunk(pi->nread, pi->nwrite - pi->nread, n - i);
    if (copyout(p->pagetable, addr + i, &pi->data[pi->nread % PIPESIZE], len) < 0)
      return i ? i : -EFAULT;
    pi->nread += len;
    i += len;
  }
  wakeup(&pi->nwrite);
  return i;
}
