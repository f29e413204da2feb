/* Tests of kernel_model.c on the real kernel ELF: layouts, names and source
 * lines come out of its DWARF; and an ELF without the kernel's structures
 * is refused with a message naming what is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_model.h"

static struct kernel_model *km;

static int open_kernel(void **state)
{
    char err[256];
    (void)state;
    km = kernel_model_open(KERNEL_ELF, err, sizeof err);
    if (!km)
        fprintf(stderr, "%s\n", err);
    return km ? 0 : -1;
}

static int close_kernel(void **state)
{
    (void)state;
    kernel_model_close(km);
    return 0;
}

static void finds_the_tables(void **state)
{
    (void)state;
    const struct kernel_layout *k = kernel_model_layout(km);
    assert_int_equal(k->nproc, 64);
    assert_int_equal(k->nframes, 32768);
    assert_int_equal(k->ram_base, 0x80000000u);
    assert_true(k->proc_addr >= 0x80000000u);
    assert_int_equal(k->proc_addr, kernel_model_symbol(km, "proc"));
    assert_true(k->p_pid < k->proc_size && k->p_pagetable < k->proc_size);
    assert_int_equal(k->mbox_depth, 8);
    assert_true(k->nevent > 0 && k->event_size >= 24);
}

static void names_come_from_the_enums_and_tables(void **state)
{
    (void)state;
    assert_string_equal(kernel_model_proc_state(km, 2), "sleeping");
    assert_string_equal(kernel_model_frame_kind(km, 3), "user");
    assert_int_equal(kernel_model_event_kind(km, "cow_fault"), 4);
    assert_string_equal(kernel_model_event_name(km, 1), "fork");
    assert_int_equal(kernel_model_syscall_number(km, "write"), 16);
    assert_string_equal(kernel_model_syscall_name(km, 7), "exec");
    assert_int_equal(kernel_model_event_kind(km, "forks"), -1);
    assert_null(kernel_model_proc_state(km, 99));
}

/* Event payloads come from the members of union event_data named like
 * the kinds, with their C types deciding number, address or text. */
static void event_payloads_come_from_union_event_data(void **state)
{
    size_t n;
    (void)state;
    const struct event_field *f = kernel_model_event_fields(km, 4, &n); /* cow_fault */
    assert_int_equal(n, 4);
    assert_string_equal(f[0].name, "va");
    assert_int_equal(f[0].kind, EVENT_FIELD_ADDR);
    assert_string_equal(f[1].name, "old_pa");
    assert_string_equal(f[2].name, "new_pa");
    assert_string_equal(f[3].name, "refcount_before");
    assert_int_equal(f[3].kind, EVENT_FIELD_INT);
    assert_int_equal(f[3].offset, 12);
    const struct event_field *path = kernel_model_event_field(km, 2, "path"); /* exec */
    assert_non_null(path);
    assert_int_equal(path->kind, EVENT_FIELD_TEXT);
    assert_true(path->size >= 16);
    assert_non_null(kernel_model_event_field(km, 6, "num"));                  /* syscall */
    assert_null(kernel_model_event_field(km, 1, "status"));                   /* fork has none */
    kernel_model_event_fields(km, 8, &n);                                     /* switch */
    assert_int_equal(n, 0);
    kernel_model_event_fields(km, 999, &n);
    assert_int_equal(n, 0);
    assert_true(kernel_model_layout(km)->e_data + kernel_model_layout(km)->e_data_size <=
                kernel_model_layout(km)->event_size);
}

/* No pc in the kernel's text is named after a RISC-V mapping symbol
 * ("$xrv32i2p1_..."): every one is in a function of the C or assembly. */
static void no_pc_is_named_by_a_mapping_symbol(void **state)
{
    const char *fn, *file;
    int line;
    (void)state;
    uint32_t etext = kernel_model_symbol(km, "etext");
    assert_true(etext > 0x80000000u);
    for (uint32_t pc = 0x80000000u; pc < etext; pc += 2) {
        kernel_model_where(km, pc, &fn, &file, &line);
        if (fn && fn[0] == '$')
            fail_msg("pc 0x%08x is in '%s'", pc, fn);
    }
}

static void finds_functions_and_lines(void **state)
{
    const char *fn, *file;
    int line;
    uint32_t addrs[64];
    (void)state;
    uint32_t cow = kernel_model_symbol(km, "cow_fault");
    assert_true(cow >= 0x80000000u);
    assert_int_equal(kernel_model_where(km, cow + 8, &fn, &file, &line), 0);
    assert_string_equal(fn, "cow_fault");
    assert_non_null(strstr(file, "vm.c"));
    assert_true(line > 0);
    int n = kernel_model_next_line_addrs(km, cow, addrs, 64);
    assert_true(n > 1);
    for (int i = 0; i < n; i++)
        assert_true(addrs[i] > cow && addrs[i] < cow + 4096);
    assert_int_equal(kernel_model_symbol(km, "no_such_function"), 0);
}

/* A breakpoint's place: functions and the assembly's labels in the text;
 * a variable, or a name at the end of the text, is data. */
static void tells_code_from_data(void **state)
{
    uint32_t addr = 0;
    (void)state;
    assert_int_equal(kernel_model_function(km, "cow_fault", &addr), 1);
    assert_int_equal(addr, kernel_model_symbol(km, "cow_fault"));
    assert_int_equal(kernel_model_function(km, "kernelvec", &addr), 1);
    assert_int_equal(addr, kernel_model_symbol(km, "kernelvec"));
    assert_int_equal(kernel_model_function(km, "ticks", &addr), -1);
    assert_int_equal(kernel_model_function(km, "proc", &addr), -1);
    assert_int_equal(kernel_model_function(km, "etext", &addr), -1);
    assert_int_equal(kernel_model_function(km, "no_such_function", &addr), 0);
}

static void refuses_an_elf_without_the_kernel_structures(void **state)
{
    char err[256];
    (void)state;
    assert_null(kernel_model_open(OTHER_ELF, err, sizeof err));
    assert_non_null(strstr(err, "kernel layout: cannot find"));
    assert_null(kernel_model_open("/nonexistent/kernel.elf", err, sizeof err));
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_the_tables),
        cmocka_unit_test(names_come_from_the_enums_and_tables),
        cmocka_unit_test(event_payloads_come_from_union_event_data),
        cmocka_unit_test(finds_functions_and_lines),
        cmocka_unit_test(tells_code_from_data),
        cmocka_unit_test(no_pc_is_named_by_a_mapping_symbol),
        cmocka_unit_test(refuses_an_elf_without_the_kernel_structures),
    };
    return cmocka_run_group_tests(tests, open_kernel, close_kernel);
}
