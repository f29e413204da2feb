// ELF32 executable format: the parts exec needs. No dependencies, so the
// validator in elf.c also builds on the host for unit tests and fuzzing.

#define ELF_MAGIC   0x464C457Fu  // "\x7FELF" in little endian
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_RISCV    243
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2
#define PF_R        4
#define ELF_MAX_PHNUM 16

struct elfhdr {
  uint32 magic;
  uint8  class;
  uint8  data;
  uint8  ident_version;
  uint8  ident_pad[9];
  uint16 type;
  uint16 machine;
  uint32 version;
  uint32 entry;
  uint32 phoff;
  uint32 shoff;
  uint32 flags;
  uint16 ehsize;
  uint16 phentsize;
  uint16 phnum;
  uint16 shentsize;
  uint16 shnum;
  uint16 shstrndx;
};

struct proghdr {
  uint32 type;
  uint32 off;
  uint32 vaddr;
  uint32 paddr;
  uint32 filesz;
  uint32 memsz;
  uint32 flags;
  uint32 align;
};

// The user address range a program's segments must lie in.
struct elf_limits {
  uint32 lowest;     // first allowed address (page 0 is never mapped)
  uint32 highest;    // first address past the allowed range
};

const char *elf_check_header(const struct elfhdr *eh, uint32 file_size);
const char *elf_check_segments(const struct elfhdr *eh, const struct proghdr *ph,
                               uint32 file_size, const struct elf_limits *lim);
