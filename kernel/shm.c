// Anonymous memory mappings (mmap/munmap) and named shared regions (shmat).
// Mappings go in the mmap region, from MMAP_BASE up. A shared mapping has
// PTE_SHARED set, so fork shares it writable instead of copy-on-write.
// A named region holds one reference on each of its frames; when nobody
// maps any of them any more (every refcount back to 1), it is freed.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define NSHM        16     // named regions in the system
#define SHM_MAXPAGES 256   // 1 MiB per region

struct shm_region {
  int key;
  uint32 npages;           // 0: slot unused
  uint32 frames[SHM_MAXPAGES];
};

struct shm_region shm_regions[NSHM];

// Reserve len bytes (page-rounded) of the mmap region; 0 if it is full.
static uint32 reserve(struct proc *p, uint32 len)
{
  uint32 va = p->mmap_top;
  if (len == 0 || len > USTACK_BOTTOM - PGSIZE - va)
    return 0;
  p->mmap_top = va + PGROUNDUP(len);
  return va;
}

// The PTE permission bits of a mapping with protection prot (Sv32 has no
// write-only or execute-only-and-writable page: W and X each imply R).
static uint32 prot_to_pte(int prot)
{
  // LAB mmap-prot begin
  return (prot & PROT_READ ? PTE_R : 0) | (prot & PROT_WRITE ? PTE_W | PTE_R : 0) |
         (prot & PROT_EXEC ? PTE_X | PTE_R : 0);
  // LAB mmap-prot end
}

// mmap(addr, len, prot, flags): anonymous memory only; addr is a hint we
// do not use. Returns the address or a negative error.
int mmap_anon(uint32 len, int prot, int flags)
{
  struct proc *p = myproc();
  int kind = flags & (MAP_PRIVATE | MAP_SHARED);
  if (!(flags & MAP_ANON) || (flags & ~(MAP_PRIVATE | MAP_SHARED | MAP_ANON)) ||
      (kind != MAP_PRIVATE && kind != MAP_SHARED) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
      ((prot & PROT_WRITE) && (prot & PROT_EXEC)) || prot == 0)
    return -EINVAL;
  uint32 va = reserve(p, len);
  if (va == 0)
    return -ENOMEM;
  uint32 perm = prot_to_pte(prot) | (kind == MAP_SHARED ? PTE_SHARED : 0);
  if (uvmalloc(p->pagetable, va, va + PGROUNDUP(len), perm) < 0)
    return -ENOMEM;
  return va;
}

// munmap(va, len): unmap the pages of [va, va+len) (len rounded up to
// pages), which must lie in the part of the mmap region given out so far.
int munmap(uint32 va, uint32 len)
{
  struct proc *p = myproc();
  // LAB mmap-unmap begin
  if (va % PGSIZE || len == 0 || va < MMAP_BASE || va >= p->mmap_top ||
      PGROUNDUP(len) > p->mmap_top - va)
    return -EINVAL;
  uvmunmap(p->pagetable, va, PGROUNDUP(len));
  shm_reap();
  return 0;
  // LAB mmap-unmap end
}

static struct shm_region *shm_create(int key, uint32 npages)
{
  struct shm_region *r;
  for (r = shm_regions; r < shm_regions + NSHM && r->npages; r++)
    ;
  if (r == shm_regions + NSHM)
    return 0;
  for (uint32 i = 0; i < npages; i++) {
    void *frame = kalloc(FRAME_USER);
    if (frame == 0) {
      while (i-- > 0)
        kfree((void *)r->frames[i]);
      return 0;
    }
    r->frames[i] = (uint32)frame;
  }
  r->key = key;
  r->npages = npages;
  return r;
}

// shmat(key, len): map the region named key, making it (len bytes) if it
// does not exist yet. len 0 attaches an existing region whole.
int shmat(int key, uint32 len)
{
  struct proc *p = myproc();
  uint32 npages = PGROUNDUP(len) / PGSIZE;
  if (npages > SHM_MAXPAGES || (len && npages == 0))
    return -EINVAL;
  shm_reap();
  struct shm_region *r;
  for (r = shm_regions; r < shm_regions + NSHM; r++)
    if (r->npages && r->key == key)
      break;
  if (r == shm_regions + NSHM) {
    if (npages == 0)
      return -ENOENT;
    r = shm_create(key, npages);
    if (r == 0)
      return -ENOMEM;
  } else if (npages > r->npages) {
    return -EINVAL;
  }
  // LAB mmap-attach begin
  uint32 va = reserve(p, r->npages * PGSIZE);
  if (va == 0)
    return -ENOMEM;
  for (uint32 i = 0; i < r->npages; i++) {
    if (mappages(p->pagetable, va + i * PGSIZE, PGSIZE, r->frames[i],
                 user_leaf(PTE_R | PTE_W | PTE_SHARED)) < 0) {
      uvmunmap(p->pagetable, va, i * PGSIZE);
      return -ENOMEM;
    }
    kref(r->frames[i]);
  }
  return va;
  // LAB mmap-attach end
}

// Free every region that nobody maps any more.
void shm_reap(void)
{
  // LAB mmap-reap begin
  for (struct shm_region *r = shm_regions; r < shm_regions + NSHM; r++) {
    if (r->npages == 0)
      continue;
    uint32 i;
    for (i = 0; i < r->npages && krefcount(r->frames[i]) == 1; i++)
      ;
    if (i < r->npages)
      continue;
    for (i = 0; i < r->npages; i++)
      kfree((void *)r->frames[i]);
    r->npages = 0;
  }
  // LAB mmap-reap end
}
