// Host tests of the kernel's ELF validator (kernel/elf.c).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "types.h"
#include "pte.h"
#include "elf.h"

static const struct elf_limits limits = { 0x1000, 0x7fffb000 };

// A valid two-segment program: text R-X at 0x1000, data RW- at 0x3000.
struct image {
  struct elfhdr eh;
  struct proghdr ph[2];
  uint32 size;
};

static struct image good_image(void)
{
  struct image im;
  memset(&im, 0, sizeof(im));
  im.eh.magic = ELF_MAGIC;
  im.eh.class = ELFCLASS32;
  im.eh.data = ELFDATA2LSB;
  im.eh.type = ET_EXEC;
  im.eh.machine = EM_RISCV;
  im.eh.entry = 0x1000;
  im.eh.phoff = sizeof(struct elfhdr);
  im.eh.phentsize = sizeof(struct proghdr);
  im.eh.phnum = 2;
  im.ph[0] = (struct proghdr){ PT_LOAD, 0x1000, 0x1000, 0x1000, 0x1600, 0x1600, PF_R | PF_X, 0x1000 };
  im.ph[1] = (struct proghdr){ PT_LOAD, 0x3000, 0x3000, 0x3000, 0x100, 0x800, PF_R | PF_W, 0x1000 };
  im.size = 0x3100;
  return im;
}

static const char *check(const struct image *im)
{
  const char *why = elf_check_header(&im->eh, im->size);
  return why ? why : elf_check_segments(&im->eh, im->ph, im->size, &limits);
}

static void accepts_a_good_program(void **state)
{
  (void)state;
  struct image im = good_image();
  assert_null(check(&im));
}

static void rejects_bad_magic_class_machine_type(void **state)
{
  (void)state;
  struct image im = good_image();
  im.eh.magic = 0x464c457e;
  assert_string_equal(check(&im), "not an ELF file (bad magic)");
  im = good_image();
  im.eh.class = 2;
  assert_string_equal(check(&im), "not a 32-bit ELF file");
  im = good_image();
  im.eh.machine = 62;  // x86-64
  assert_string_equal(check(&im), "not a RISC-V program");
  im = good_image();
  im.eh.type = 3;      // shared object
  assert_string_equal(check(&im), "not an executable (ELF type)");
}

static void rejects_truncated_files_and_headers(void **state)
{
  (void)state;
  struct image im = good_image();
  im.size = 20;
  assert_string_equal(check(&im), "file shorter than an ELF header");
  im = good_image();
  im.eh.phoff = 0xfffffff0;   // would wrap around
  assert_string_equal(check(&im), "program headers past the end of the file");
  im = good_image();
  im.eh.phnum = 1000;
  assert_string_equal(check(&im), "bad number of program headers");
  im = good_image();
  im.ph[0].off = 0x3000;      // text data past the file's end
  assert_string_equal(check(&im), "segment data past the end of the file");
  im = good_image();
  im.ph[0].off = 0x1800;      // inside the file but not page-congruent
  assert_string_equal(check(&im), "segment address and file offset not congruent modulo the page size");
  im = good_image();
  im.ph[1].filesz = 0x200;
  im.size = 0x3100;
  assert_string_equal(check(&im), "segment data past the end of the file");
}

static void rejects_segments_outside_user_space(void **state)
{
  (void)state;
  struct image im = good_image();
  im.ph[1].vaddr = 0x80000000;
  im.ph[1].off = 0;
  assert_string_equal(check(&im), "segment outside user space");
  im = good_image();
  im.ph[1].memsz = 0xfffff000;   // wraps past the top
  assert_string_equal(check(&im), "segment outside user space");
  im = good_image();
  im.ph[0].vaddr = 0;            // page 0 is never mapped
  im.ph[0].off = 0;
  im.eh.entry = 0;
  assert_string_equal(check(&im), "segment outside user space");
}

static void rejects_writable_text_and_bad_sizes(void **state)
{
  (void)state;
  struct image im = good_image();
  im.ph[0].flags = PF_R | PF_W | PF_X;
  assert_string_equal(check(&im), "segment both writable and executable");
  im = good_image();
  im.ph[1].filesz = 0x900;
  im.size = 0x4000;
  assert_string_equal(check(&im), "segment file size larger than memory size");
  im = good_image();
  im.ph[1].vaddr = 0x2000;       // shares the text's last page
  im.ph[1].off = 0x3000;
  assert_string_equal(check(&im), "segments share a page");
}

static void rejects_bad_alignment(void **state)
{
  (void)state;
  struct image im = good_image();
  im.ph[1].align = 0x3000;       // not a power of two
  assert_string_equal(check(&im), "segment alignment not a power of two");
  im = good_image();
  im.ph[1].align = 0x10000;      // page-congruent, but not modulo 64 KiB
  im.ph[1].vaddr = 0x13000;
  im.ph[1].off = 0x4000;
  im.size = 0x5000;
  assert_string_equal(check(&im), "segment address and file offset not congruent modulo its alignment");
  im.ph[1].vaddr = 0x14000;      // now congruent: accepted
  assert_null(check(&im));
}

static void entry_must_be_in_executable_segment(void **state)
{
  (void)state;
  struct image im = good_image();
  im.eh.entry = 0x3000;          // in the data segment
  assert_string_equal(check(&im), "entry point not in an executable segment");
}

static void ignores_empty_segments(void **state)
{
  (void)state;
  struct image im = good_image();
  im.ph[1] = (struct proghdr){ PT_LOAD, 0x94, 0, 0, 0, 0, PF_R | PF_W, 0x1000 };
  assert_null(check(&im));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(accepts_a_good_program),
    cmocka_unit_test(rejects_bad_magic_class_machine_type),
    cmocka_unit_test(rejects_truncated_files_and_headers),
    cmocka_unit_test(rejects_segments_outside_user_space),
    cmocka_unit_test(rejects_writable_text_and_bad_sizes),
    cmocka_unit_test(rejects_bad_alignment),
    cmocka_unit_test(entry_must_be_in_executable_segment),
    cmocka_unit_test(ignores_empty_segments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
