// libFuzzer target: the kernel's ELF validator on arbitrary files. Whatever
// it accepts must really be loadable: every PT_LOAD inside the file and
// inside user space, none writable and executable.
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "types.h"
#include "pte.h"
#include "elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const struct elf_limits lim = { 0x1000, 0x7fffb000 };
  struct elfhdr eh;
  struct proghdr ph[ELF_MAX_PHNUM];
  if (size < sizeof(eh))
    return 0;
  memcpy(&eh, data, sizeof(eh));
  if (elf_check_header(&eh, size))
    return 0;
  memcpy(ph, data + eh.phoff, eh.phnum * sizeof(ph[0]));
  if (elf_check_segments(&eh, ph, size, &lim))
    return 0;
  for (int i = 0; i < eh.phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
      continue;
    if ((uint64)ph[i].off + ph[i].filesz > size ||
        ph[i].vaddr < lim.lowest || (uint64)ph[i].vaddr + ph[i].memsz > lim.highest ||
        ((ph[i].flags & PF_W) && (ph[i].flags & PF_X)) || ph[i].filesz > ph[i].memsz)
      abort();
  }
  return 0;
}
