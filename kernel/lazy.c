// Lazy heap allocation: sbrk() only moves the break; the first load or
// store to a heap page (or the kernel's copyin/copyout) maps a zeroed frame.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

// A fault at va in table pt: if va is in the current process's heap
// ([USER_BASE, p->sz)) and not mapped yet, map a zeroed frame there.
// Returns 0 when the access may be retried, -EFAULT if va is not such a
// page, -ENOMEM if no frame is free.
int lazy_fault(pagetable_t pt, uint32 va)
{
  // LAB lazy-fault begin
  struct proc *p = myproc();
  if (pt != p->pagetable || va < USER_BASE || va >= p->sz)
    return -EFAULT;
  va = PGROUNDDOWN(va);
  pte_t *pte = walk(pt, va, 0);
  if (pte && (*pte & PTE_V))
    return -EFAULT;
  void *mem = kalloc(FRAME_USER);
  if (mem == 0)
    return -ENOMEM;
  if (mappages(pt, va, PGSIZE, (uint32)mem, user_leaf(PTE_R | PTE_W)) < 0) {
    kfree(mem);
    return -ENOMEM;
  }
  return 0;
  // LAB lazy-fault end
}
