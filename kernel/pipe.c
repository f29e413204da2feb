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

int pipewrite(struct pipe *pi, uint32 addr, int n)
{
  struct proc *p = myproc();
  int i = 0;
  while (i < n) {
    if (!pi->readopen)
      return i ? i : -EPIPE;
    if (p->killed)
      return i ? i : -EINTR;
    if (pi->nwrite == pi->nread + PIPESIZE) {
      wakeup(&pi->nread);
      sleep(&pi->nwrite);
      continue;
    }
    char ch;
    if (copyin(p->pagetable, &ch, addr + i, 1) < 0)
      return i ? i : -EFAULT;
    pi->data[pi->nwrite++ % PIPESIZE] = ch;
    i++;
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
  int i;
  for (i = 0; i < n && pi->nread != pi->nwrite; i++) {
    char ch = pi->data[pi->nread % PIPESIZE];
    if (copyout(p->pagetable, addr + i, &ch, 1) < 0)
      return i ? i : -EFAULT;
    pi->nread++;
  }
  wakeup(&pi->nwrite);
  return i;
}
