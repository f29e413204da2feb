// Host tests of the Sv32 PTE helpers (kernel/pte.h).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "types.h"
#include "pte.h"

static void splits_virtual_addresses(void **state)
{
  (void)state;
  assert_int_equal(PX(1, 0x80000000u), 0x200);
  assert_int_equal(PX(0, 0x80000000u), 0);
  assert_int_equal(PX(1, 0x7ffff000u), 0x1ff);
  assert_int_equal(PX(0, 0x7ffff000u), 0x3ff);
  assert_int_equal(PX(1, 0x00401000u), 1);
  assert_int_equal(PX(0, 0x00401000u), 1);
}

static void converts_between_pte_and_physical_address(void **state)
{
  (void)state;
  uint32 pte = PA2PTE(0x87654000u) | PTE_V | PTE_R | PTE_W | PTE_U;
  assert_int_equal(PTE2PA(pte), 0x87654000u);
  assert_int_equal(PTE_FLAGS(pte), PTE_V | PTE_R | PTE_W | PTE_U);
  assert_int_equal(pte >> 10, 0x87654u);
}

static void cow_bit_is_rsw_bit_8(void **state)
{
  (void)state;
  assert_int_equal(PTE_COW, 0x100);
  uint32 pte = PA2PTE(0x80001000u) | PTE_V | PTE_R | PTE_U | PTE_COW;
  assert_int_equal(PTE2PA(pte), 0x80001000u);
  assert_true(PTE_LEAF(pte));
  assert_false(PTE_LEAF(PA2PTE(0x80002000u) | PTE_V));   // pointer to a level-0 table
}

static void rounds_to_pages(void **state)
{
  (void)state;
  assert_int_equal(PGROUNDUP(0x1001u), 0x2000u);
  assert_int_equal(PGROUNDUP(0x2000u), 0x2000u);
  assert_int_equal(PGROUNDDOWN(0x2fffu), 0x2000u);
  assert_int_equal(MAKE_SATP(0x80123000u), 0x80000000u | 0x80123u);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(splits_virtual_addresses),
    cmocka_unit_test(converts_between_pte_and_physical_address),
    cmocka_unit_test(cow_bit_is_rsw_bit_8),
    cmocka_unit_test(rounds_to_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
