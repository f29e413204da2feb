// Sv32 page tables. The kernel half (VA >= 0x80000000 and the device
// window) is the same in every table: each process's root table copies the
// kernel's level-1 entries for it, which point at shared level-0 tables or
// are megapages.
//
// Every PTE is written through set_pte(), which counts the change in
// the table's struct frame, and user leaves are made with A set (and D
// when writable), so the hardware never writes a page table itself.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

extern char etext[];  // end of kernel text (kernel.ld)

pagetable_t kernel_pagetable;

// Where the user half ends and the kernel's begins, for the inspector,
// which reads it from the ELF: it walks each process's user half and tells
// the workbench where the kernel's starts.
const uint32 user_top = MAXUVA;
// And the bits of a PTE's RSW field this kernel gives a meaning to (pte.h),
// which the inspector reads the same way and the workbench shows.
const uint32 pte_cow = PTE_COW;
const uint32 pte_shared = PTE_SHARED;

// Write an entry, then count the change: a reader that saw the old count
// reads the table again.
static void set_pte(pte_t *pte, pte_t value)
{
  *pte = value;
  kwrote(pte);
}

// The level-0 PTE for va, allocating the level-0 table if alloc is set.
// Returns 0 if there is none (or no memory), or va is covered by a megapage.
pte_t *walk(pagetable_t pt, uint32 va, int alloc)
{
  pte_t *l1 = &pt[PX(1, va)];
  if (*l1 & PTE_V) {
    if (PTE_LEAF(*l1))
      return 0;
    return &((pagetable_t)PTE2PA(*l1))[PX(0, va)];
  }
  if (!alloc)
    return 0;
  pagetable_t l0 = kalloc(FRAME_PAGETABLE);
  if (l0 == 0)
    return 0;
  set_pte(l1, PA2PTE((uint32)l0) | PTE_V);
  return &l0[PX(0, va)];
}

// Map [va, va+size) to [pa, pa+size) with 4 KiB pages. Returns -ENOMEM if a
// page table could not be allocated (pages mapped so far stay mapped).
int mappages(pagetable_t pt, uint32 va, uint32 size, uint32 pa, uint32 perm)
{
  for (uint32 off = 0; off < size; off += PGSIZE) {
    pte_t *pte = walk(pt, va + off, 1);
    if (pte == 0)
      return -ENOMEM;
    if (*pte & PTE_V)
      panic("mappages: remap of 0x%08x", va + off);
    set_pte(pte, PA2PTE(pa + off) | perm | PTE_V);
  }
  return 0;
}

static void map_megapage(pagetable_t pt, uint32 va, uint32 pa, uint32 perm)
{
  set_pte(&pt[PX(1, va)], PA2PTE(pa) | perm | PTE_V);
}

// The devices the kernel maps above RAM (memlayout.h). kvminit maps them
// from this table, and the inspector reads it from the ELF to name the
// device a walk ends in.
struct device_map {
  char name[12];
  uint32 pa, va, size;   // size: PGSIZE, or MEGAPAGE for a megapage
};
const struct device_map kernel_devices[] = {
  {"uart", UART_PA, UART_VA, PGSIZE},
  {"virtio0", VIRTIO0_PA, VIRTIO0_VA, PGSIZE},
  {"test", TEST_PA, TEST_VA, PGSIZE},
  {"rtc", RTC_PA, RTC_VA, PGSIZE},
  {"plic", PLIC_PA, PLIC_VA, MEGAPAGE},
};

// Map part of the kernel's table with 4 KiB pages; at boot, so failing is fatal.
static void kvmmap(pagetable_t pt, uint32 va, uint32 size, uint32 pa, uint32 perm)
{
  if (mappages(pt, va, size, pa, perm) < 0)
    panic("kvminit: no memory for a page table mapping 0x%08x", va);
}

// The kernel's own table: devices, then RAM (text R-X, the rest RW-).
void kvminit(void)
{
  uint32 kflags = PTE_G | PTE_A | PTE_D;
  pagetable_t pt = kalloc(FRAME_PAGETABLE);
  if (pt == 0)
    panic("kvminit: out of memory");
  for (uint32 i = 0; i < sizeof(kernel_devices) / sizeof(kernel_devices[0]); i++) {
    const struct device_map *d = &kernel_devices[i];
    if (d->size == MEGAPAGE)
      map_megapage(pt, d->va, d->pa, PTE_R | PTE_W | kflags);
    else
      kvmmap(pt, d->va, d->size, d->pa, PTE_R | PTE_W | kflags);
  }

  // The first megapage holds the kernel text, so it is mapped page by page.
  uint32 text_end = PGROUNDUP((uint32)etext);
  kvmmap(pt, RAMBASE, text_end - RAMBASE, RAMBASE, PTE_R | PTE_X | kflags);
  kvmmap(pt, text_end, RAMBASE + MEGAPAGE - text_end, text_end, PTE_R | PTE_W | kflags);
  for (uint32 pa = RAMBASE + MEGAPAGE; pa < PHYSTOP; pa += MEGAPAGE)
    map_megapage(pt, pa, pa, PTE_R | PTE_W | kflags);
  kernel_pagetable = pt;
}

void kvminithart(void)
{
  csr_write(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma_all();
}

// A new process root table holding only the kernel half.
pagetable_t uvmcreate(void)
{
  pagetable_t pt = kalloc(FRAME_PAGETABLE);
  if (pt == 0)
    return 0;
  for (uint32 i = PX(1, MAXUVA); i < 1024; i++)
    set_pte(&pt[i], kernel_pagetable[i]);
  return pt;
}

// Free the level-0 table covering va if no entry in it is valid any more.
static void free_empty_l0(pagetable_t pt, uint32 va)
{
  pte_t *l1 = &pt[PX(1, va)];
  if ((*l1 & PTE_V) == 0 || PTE_LEAF(*l1))
    return;
  pagetable_t l0 = (pagetable_t)PTE2PA(*l1);
  for (int i = 0; i < 1024; i++)
    if (l0[i] & PTE_V)
      return;
  set_pte(l1, 0);
  sfence_vma_all();
  kfree(l0);
}

// Unmap [va, va+size) page by page, dropping a reference to each frame,
// and free the level-0 tables this leaves empty. Holes are skipped.
void uvmunmap(pagetable_t pt, uint32 va, uint32 size)
{
  uint32 start = PGROUNDDOWN(va), end = va + size;
  for (uint32 a = start; a < end; a += PGSIZE) {
    pte_t *pte = walk(pt, a, 0);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;
    kfree((void *)PTE2PA(*pte));
    set_pte(pte, 0);
    sfence_vma(a);
  }
  if (size > 0)
    for (uint32 i = PX(1, start); i <= PX(1, end - 1); i++)
      free_empty_l0(pt, i << 22);
}

// The bits of a user leaf with permissions perm: U, and A and D set up
// front (D only where it may be written) so the hardware need not set them.
uint32 user_leaf(uint32 perm)
{
  return perm | PTE_U | PTE_A | (perm & PTE_W ? PTE_D : 0);
}

// Map fresh zeroed frames over [start, end) with perm. On failure nothing
// stays mapped and -ENOMEM is returned.
int uvmalloc(pagetable_t pt, uint32 start, uint32 end, uint32 perm)
{
  for (uint32 a = PGROUNDUP(start); a < end; a += PGSIZE) {
    void *mem = kalloc(FRAME_USER);
    if (mem == 0 || mappages(pt, a, PGSIZE, (uint32)mem, user_leaf(perm)) < 0) {
      if (mem)
        kfree(mem);
      uvmunmap(pt, PGROUNDUP(start), a - PGROUNDUP(start));
      return -ENOMEM;
    }
  }
  return 0;
}

// Free every user mapping, the level-0 tables and the root.
void uvmfree(pagetable_t pt)
{
  for (uint32 i = 0; i < PX(1, MAXUVA); i++) {
    if ((pt[i] & PTE_V) == 0)
      continue;
    pagetable_t l0 = (pagetable_t)PTE2PA(pt[i]);
    for (int j = 0; j < 1024; j++)
      if (l0[j] & PTE_V)
        kfree((void *)PTE2PA(l0[j]));
    kfree(l0);
  }
  kfree(pt);
}

// fork: share every user page of parent with child. Private writable
// pages become read-only with the COW bit in both; shared pages stay
// writable; read-only pages are simply shared. Returns -ENOMEM on failure
// (the caller frees child).
int uvmcopy_cow(pagetable_t parent, pagetable_t child)
{
  for (uint32 i = 0; i < PX(1, MAXUVA); i++) {
    if ((parent[i] & PTE_V) == 0)
      continue;
    pagetable_t l0 = (pagetable_t)PTE2PA(parent[i]);
    for (uint32 j = 0; j < 1024; j++) {
      pte_t *pte = &l0[j];
      if ((*pte & PTE_V) == 0)
        continue;
      uint32 va = (i << 22) | (j << 12);
      // LAB cow-fork begin
      if ((*pte & PTE_W) && !(*pte & PTE_SHARED))
        set_pte(pte, (*pte & ~PTE_W) | PTE_COW);
      pte_t *cpte = walk(child, va, 1);
      if (cpte == 0)
        return -ENOMEM;
      set_pte(cpte, *pte);
      kref(PTE2PA(*pte));
      // LAB cow-fork end
    }
  }
  sfence_vma_all();
  return 0;
}

// A store to a COW page: take the frame back writable when nobody else
// holds it, otherwise give this process its own copy. Returns 0 when the
// store may be retried, -EFAULT if va is not a COW page, -ENOMEM if no frame.
int cow_fault(pagetable_t pt, uint32 va)
{
  // LAB cow-fault begin
  va = PGROUNDDOWN(va);
  pte_t *pte = va < MAXUVA ? walk(pt, va, 0) : 0;
  if (pte == 0 || (*pte & (PTE_V | PTE_U | PTE_COW)) != (PTE_V | PTE_U | PTE_COW))
    return -EFAULT;
  uint32 old = PTE2PA(*pte);
  uint32 now = old;
  int refs = krefcount(old);
  if (refs > 1) {
    void *copy = kalloc(FRAME_USER);
    if (copy == 0)
      return -ENOMEM;
    memmove(copy, (void *)old, PGSIZE);
    now = (uint32)copy;
    kfree((void *)old);
  }
  set_pte(pte, PA2PTE(now) | (PTE_FLAGS(*pte) & ~PTE_COW) | PTE_W | PTE_D);
  sfence_vma(va);
  union event_data ev = { .cow_fault = { .va = va, .old_pa = old, .new_pa = now,
                                          .refcount_before = refs } };
  event_log(EV_COW_FAULT, myproc()->pid, &ev);
  return 0;
  // LAB cow-fault end
}

// The physical address behind a user va that the kernel may access as
// asked (write breaks COW), or 0.
static uint32 user_pa(pagetable_t pt, uint32 va, int write)
{
  if (va >= MAXUVA)
    return 0;
  pte_t *pte = walk(pt, va, 0);
  // LAB lazy-copy begin
  if ((pte == 0 || !(*pte & PTE_V)) && lazy_fault(pt, va) == 0)
    pte = walk(pt, va, 0);
  // LAB lazy-copy end
  if (pte == 0 || (*pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
    return 0;
  if (write && !(*pte & PTE_W)) {
    if (!(*pte & PTE_COW) || cow_fault(pt, va) < 0)
      return 0;
  } else if (!write && !(*pte & PTE_R)) {
    return 0;
  }
  return PTE2PA(*pte) | (va & (PGSIZE - 1));
}

// Copy len bytes between kernel memory and user memory of table pt, page
// by page. -EFAULT if any byte is not accessible.
static int copy_user(pagetable_t pt, uint32 uva, char *kbuf, uint32 len, int to_user)
{
  while (len > 0) {
    uint32 pa = user_pa(pt, uva, to_user);
    if (pa == 0)
      return -EFAULT;
    uint32 n = PGSIZE - (uva & (PGSIZE - 1));
    if (n > len)
      n = len;
    if (to_user)
      memmove((void *)pa, kbuf, n);
    else
      memmove(kbuf, (void *)pa, n);
    len -= n;
    kbuf += n;
    uva += n;
  }
  return 0;
}

int copyout(pagetable_t pt, uint32 dstva, const void *src, uint32 len)
{
  return copy_user(pt, dstva, (char *)src, len, 1);
}

int copyin(pagetable_t pt, void *dst, uint32 srcva, uint32 len)
{
  return copy_user(pt, srcva, dst, len, 0);
}

// Copy a NUL-terminated string of at most max bytes (NUL included).
// -EFAULT for a bad address, -ENAMETOOLONG if no NUL within max.
int copyinstr(pagetable_t pt, char *dst, uint32 srcva, uint32 max)
{
  for (uint32 i = 0; i < max; i++) {
    uint32 pa = user_pa(pt, srcva + i, 0);
    if (pa == 0)
      return -EFAULT;
    dst[i] = *(char *)pa;
    if (dst[i] == 0)
      return 0;
  }
  return -ENAMETOOLONG;
}
