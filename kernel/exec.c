// exec: replace the current process's memory with a program from the file
// system. Nothing of the old image is touched until the new one is complete.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"
#include "elf.h"

static uint32 pte_perm(uint32 flags)
{
  return (flags & PF_R ? PTE_R : 0) | (flags & PF_W ? PTE_W : 0) | (flags & PF_X ? PTE_X : 0);
}

// Copy a segment's file bytes into its freshly mapped pages.
static int load_segment(pagetable_t pt, struct inode *ip, const struct proghdr *ph)
{
  for (uint32 done = 0; done < ph->filesz;) {
    uint32 va = ph->vaddr + done;
    pte_t *pte = walk(pt, va, 0);
    uint32 n = PGSIZE - (va % PGSIZE);
    if (n > ph->filesz - done)
      n = ph->filesz - done;
    uint32 pa = PTE2PA(*pte) + va % PGSIZE;
    int got = readi(ip, 0, pa, ph->off + done, n);
    if (got < 0)
      return got;
    if ((uint32)got != n)
      return -ENOEXEC;
    done += n;
  }
  return 0;
}

// Read and check the headers, then map and load every PT_LOAD segment.
// Returns the entry point through *entry and the image end through *end.
static int load_program(pagetable_t pt, struct inode *ip, const char *path,
                        uint32 *entry, uint32 *end)
{
  struct elfhdr eh;
  struct proghdr ph[ELF_MAX_PHNUM];
  uint32 size = ip->d.size;
  const struct elf_limits lim = { USER_BASE, USTACK_BOTTOM - PGSIZE };
  const char *why = 0;

  if (readi(ip, 0, (uint32)&eh, 0, sizeof(eh)) != sizeof(eh))
    why = "file shorter than an ELF header";
  else
    why = elf_check_header(&eh, size);
  if (!why && readi(ip, 0, (uint32)ph, eh.phoff, eh.phnum * sizeof(ph[0])) !=
      (int)(eh.phnum * sizeof(ph[0])))
    why = "cannot read program headers";
  if (!why)
    why = elf_check_segments(&eh, ph, size, &lim);
  if (why) {
    printf("exec %s: %s\n", path, why);
    return -ENOEXEC;
  }
  *end = USER_BASE;
  for (int i = 0; i < eh.phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
      continue;
    int err = uvmalloc(pt, PGROUNDDOWN(ph[i].vaddr), ph[i].vaddr + ph[i].memsz, pte_perm(ph[i].flags));
    if (err == 0)
      err = load_segment(pt, ip, &ph[i]);
    if (err < 0)
      return err;
    if (ph[i].vaddr + ph[i].memsz > *end)
      *end = ph[i].vaddr + ph[i].memsz;
  }
  *entry = eh.entry;
  return 0;
}

// Map the stack and copy argv onto it: the strings, then the pointer array.
// Returns argc with *sp_out set to the new sp (16-byte aligned), where the
// argv array starts; or a negative error.
static int push_args(pagetable_t pt, char **argv, uint32 *sp_out)
{
  uint32 ptrs[MAXARG + 1];
  int argc;
  if (uvmalloc(pt, USTACK_BOTTOM, USTACK_TOP, PTE_R | PTE_W) < 0)
    return -ENOMEM;
  uint32 sp = USTACK_TOP;
  for (argc = 0; argv[argc]; argc++) {
    uint32 len = strlen(argv[argc]) + 1;
    sp = (sp - len) & ~3u;
    if (copyout(pt, sp, argv[argc], len) < 0)
      return -E2BIG;
    ptrs[argc] = sp;
  }
  ptrs[argc] = 0;
  sp = (sp - (argc + 1) * sizeof(uint32)) & ~15u;
  if (copyout(pt, sp, ptrs, (argc + 1) * sizeof(uint32)) < 0)
    return -E2BIG;
  *sp_out = sp;
  return argc;
}

// argv: a 0-terminated array of kernel strings, at most MAXARG.
int exec(const char *path, char **argv)
{
  struct proc *p = myproc();
  uint32 entry = 0, end = 0, sp = 0;
  int err;
  struct inode *ip = namei_locked(path, &err);
  if (ip == 0)
    return err;
  pagetable_t pt = 0;
  if (ip->type == T_DIR)
    err = -EISDIR;
  else if ((pt = uvmcreate()) == 0)
    err = -ENOMEM;
  else
    err = load_program(pt, ip, path, &entry, &end);
  iunlockput(ip);
  int argc = err;
  if (err == 0)
    argc = push_args(pt, argv, &sp);
  if (argc < 0) {
    if (pt)
      uvmfree(pt);
    return argc;
  }

  pagetable_t old = p->pagetable;
  p->pagetable = pt;
  p->sz = PGROUNDUP(end);
  p->mmap_top = MMAP_BASE;
  csr_write(satp, MAKE_SATP(pt));
  sfence_vma_all();
  uvmfree(old);
  shm_reap();

  memset(&p->tf, 0, sizeof(p->tf));
  p->alarm_interval = 0;   // the handler was in the old program
  p->alarm_running = 0;
  p->tf.epc = entry;
  p->tf.regs[REG_SP] = sp;
  p->tf.regs[REG_A1] = sp;
  const char *last = path;
  for (const char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));
  union event_data ev = { .exec = { .old_root = (uint32)old, .new_root = (uint32)pt, .entry = entry } };
  safestrcpy(ev.exec.path, path, sizeof(ev.exec.path));
  event_log(EV_EXEC, p->pid, &ev);
  return argc;   // lands in a0
}
