// ELF validation for exec: everything in a file that could make the loader
// misbehave is checked here first. Each check returns 0 when the file is
// acceptable, or a short reason. Pure functions: no kernel state.
#include "types.h"
#include "pte.h"
#include "elf.h"

const char *elf_check_header(const struct elfhdr *eh, uint32 file_size)
{
  if (file_size < sizeof(*eh))
    return "file shorter than an ELF header";
  if (eh->magic != ELF_MAGIC)
    return "not an ELF file (bad magic)";
  if (eh->class != ELFCLASS32)
    return "not a 32-bit ELF file";
  if (eh->data != ELFDATA2LSB)
    return "not little-endian";
  if (eh->machine != EM_RISCV)
    return "not a RISC-V program";
  if (eh->type != ET_EXEC)
    return "not an executable (ELF type)";
  if (eh->phentsize != sizeof(struct proghdr))
    return "bad program header size";
  if (eh->phnum == 0 || eh->phnum > ELF_MAX_PHNUM)
    return "bad number of program headers";
  if (eh->phoff > file_size || file_size - eh->phoff < (uint32)eh->phnum * sizeof(struct proghdr))
    return "program headers past the end of the file";
  return 0;
}

static const char *check_load_segment(const struct proghdr *p, uint32 file_size,
                                      const struct elf_limits *lim)
{
  if (p->filesz > p->memsz)
    return "segment file size larger than memory size";
  if (p->memsz == 0)
    return 0;   // an empty segment loads nothing: where it claims to be does not matter
  if (p->off > file_size || file_size - p->off < p->filesz)
    return "segment data past the end of the file";
  if (p->vaddr < lim->lowest || p->vaddr > lim->highest || lim->highest - p->vaddr < p->memsz)
    return "segment outside user space";
  if (p->vaddr % PGSIZE != p->off % PGSIZE)
    return "segment address and file offset not congruent modulo the page size";
  if (p->align & (p->align - 1))
    return "segment alignment not a power of two";
  if (p->align > 1 && p->vaddr % p->align != p->off % p->align)
    return "segment address and file offset not congruent modulo its alignment";
  if ((p->flags & PF_W) && (p->flags & PF_X))
    return "segment both writable and executable";
  if ((p->flags & (PF_R | PF_W | PF_X)) == 0)
    return "segment with no access";
  return 0;
}

// Do the pages of a and b overlap? Each page gets one set of permissions.
static int pages_overlap(const struct proghdr *a, const struct proghdr *b)
{
  if (a->memsz == 0 || b->memsz == 0)
    return 0;
  uint32 a_start = PGROUNDDOWN(a->vaddr), a_end = PGROUNDUP(a->vaddr + a->memsz);
  uint32 b_start = PGROUNDDOWN(b->vaddr), b_end = PGROUNDUP(b->vaddr + b->memsz);
  return a_start < b_end && b_start < a_end;
}

// ph holds eh->phnum program headers, already checked by elf_check_header.
const char *elf_check_segments(const struct elfhdr *eh, const struct proghdr *ph,
                               uint32 file_size, const struct elf_limits *lim)
{
  int loads = 0, entry_ok = 0;
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != PT_LOAD)
      continue;
    const char *why = check_load_segment(&ph[i], file_size, lim);
    if (why)
      return why;
    for (int j = 0; j < i; j++)
      if (ph[j].type == PT_LOAD && pages_overlap(&ph[i], &ph[j]))
        return "segments share a page";
    if ((ph[i].flags & PF_X) && eh->entry >= ph[i].vaddr && eh->entry - ph[i].vaddr < ph[i].memsz)
      entry_ok = 1;
    loads++;
  }
  if (loads == 0)
    return "no loadable segment";
  if (!entry_ok)
    return "entry point not in an executable segment";
  return 0;
}
