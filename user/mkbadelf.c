// Host tool: mkbadelf GOOD.elf DIR
// Writes one malformed copy of a good 32-bit RISC-V executable into DIR for
// each defect below. usertests execs every file in /bad and expects -ENOEXEC
// each time, so every file here must be one that a careful loader refuses.

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 0x1000u

struct image {
  unsigned char *bytes;
  size_t size;
  Elf32_Ehdr *eh;
  Elf32_Phdr *text;       // the first PT_LOAD segment
};

static void
die(const char *what, const char *detail)
{
  fprintf(stderr, "mkbadelf: %s: %s\n", what, detail);
  exit(1);
}

static void
load(const char *path, struct image *im)
{
  FILE *f = fopen(path, "rb");
  long n;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
    die(path, strerror(errno));
  rewind(f);
  im->size = n;
  im->bytes = malloc(n);
  if (im->bytes == NULL || fread(im->bytes, 1, n, f) != (size_t)n)
    die(path, "cannot read");
  fclose(f);
}

// Checks that the input is what the defects below assume, and finds its text.
static void
parse(const char *path, struct image *im)
{
  Elf32_Phdr *ph;
  int i;

  im->eh = (Elf32_Ehdr*)im->bytes;
  if (im->size < sizeof(Elf32_Ehdr) || memcmp(im->eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      im->eh->e_ident[EI_CLASS] != ELFCLASS32 || im->eh->e_machine != EM_RISCV ||
      im->eh->e_phoff + im->eh->e_phnum * sizeof(Elf32_Phdr) > im->size)
    die(path, "not a 32-bit RISC-V executable");
  ph = (Elf32_Phdr*)(im->bytes + im->eh->e_phoff);
  for (i = 0; i < im->eh->e_phnum; i++) {
    if (ph[i].p_type == PT_LOAD) {
      im->text = &ph[i];
      return;
    }
  }
  die(path, "no PT_LOAD segment");
}

// Moves the text segment to va (keeping its offset within the page) and makes
// it at least two pages long, so that it crosses va's page boundary.
static void
move_text(struct image *im, Elf32_Addr va)
{
  im->text->p_vaddr = im->text->p_paddr = va + (im->text->p_vaddr % PAGE);
  if (im->text->p_memsz < 2 * PAGE)
    im->text->p_memsz = 2 * PAGE;
}

static void bad_magic(struct image *im)    { im->eh->e_ident[EI_MAG1] = 'X'; }
static void bad_class64(struct image *im)  { im->eh->e_ident[EI_CLASS] = ELFCLASS64; }
static void bad_machine(struct image *im)  { im->eh->e_machine = EM_386; }
static void bad_type(struct image *im)     { im->eh->e_type = ET_REL; }
static void bad_phnum(struct image *im)    { im->eh->e_phnum = 0xffff; }
static void bad_phoff(struct image *im)    { im->eh->e_phoff = 0xfffffff0u; }
static void bad_phentsize(struct image *im){ im->eh->e_phentsize = 7; }
static void bad_kernelseg(struct image *im){ move_text(im, 0x80000000u); }
static void bad_kernelcross(struct image *im){ move_text(im, 0x80000000u - PAGE); }
static void bad_wrap(struct image *im)     { move_text(im, 0xfffff000u); }
static void bad_filesz(struct image *im)   { im->text->p_filesz = im->text->p_memsz + 1; }
static void bad_wx(struct image *im)       { im->text->p_flags |= PF_W; }
static void bad_truncated(struct image *im){ im->size = im->text->p_offset + im->text->p_filesz / 2; }
static void bad_tiny(struct image *im)     { im->size = 16; }
static void bad_empty(struct image *im)    { im->size = 0; }

static const struct {
  const char *name;
  void (*spoil)(struct image*);
} defects[] = {
  { "badmagic",    bad_magic },       // not "\177ELF"
  { "class64",     bad_class64 },     // ELFCLASS64
  { "machine",     bad_machine },     // x86, not RISC-V
  { "type",        bad_type },        // a relocatable object, not ET_EXEC
  { "phnum",       bad_phnum },       // 65535 program headers, past the end of the file
  { "phoff",       bad_phoff },       // program headers at an offset that wraps around
  { "phentsize",   bad_phentsize },   // program header size is not sizeof(Elf32_Phdr)
  { "kernelseg",   bad_kernelseg },   // segment at 0x80000000, in kernel space
  { "kernelcross", bad_kernelcross }, // segment running from user into kernel space
  { "wrap",        bad_wrap },        // vaddr + memsz wraps past 0xffffffff
  { "filesz",      bad_filesz },      // filesz > memsz
  { "wx",          bad_wx },          // text segment writable and executable
  { "truncated",   bad_truncated },   // file ends halfway through the text
  { "tiny",        bad_tiny },        // shorter than an ELF header
  { "empty",       bad_empty },       // zero bytes
};

static void
save(const char *dir, const char *name, const struct image *im)
{
  char path[4096];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "wb");
  if (f == NULL || fwrite(im->bytes, 1, im->size, f) != im->size || fclose(f) != 0)
    die(path, strerror(errno));
}

int
main(int argc, char *argv[])
{
  struct image good, bad;
  size_t i;

  if (argc != 3) {
    fprintf(stderr, "usage: mkbadelf GOOD.elf DIR\n");
    return 2;
  }
  load(argv[1], &good);
  parse(argv[1], &good);
  for (i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
    bad.size = good.size;
    bad.bytes = malloc(good.size);
    if (bad.bytes == NULL)
      die("malloc", strerror(errno));
    memcpy(bad.bytes, good.bytes, good.size);
    parse(argv[1], &bad);
    defects[i].spoil(&bad);
    save(argv[2], defects[i].name, &bad);
    free(bad.bytes);
  }
  return 0;
}
