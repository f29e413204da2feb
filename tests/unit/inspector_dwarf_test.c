/* Unit tests for inspector/dwarf.c on a small rv32 program built with -g
 * (tests/unit/inspector_dwarf_sample*.c, linked by inspector.mk into
 * SAMPLE_ELF). The expected offsets are ilp32's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dwarf.h"

static struct layout *l;

static int open_sample(void **state)
{
    char err[256];

    (void)state;
    l = layout_open(SAMPLE_ELF, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    return 0;
}

static int close_sample(void **state)
{
    (void)state;
    layout_close(l);
    return 0;
}

static struct layout_field field(const char *type, const char *path)
{
    struct layout_field f;

    if (layout_field(l, type, path, &f) != 0)
        fail_msg("%s", layout_error(l));
    return f;
}

static void test_struct_proc_fields(void **state)
{
    struct layout_field f;

    (void)state;
    const struct layout_type *proc = layout_type(l, "struct proc");
    assert_non_null(proc);
    assert_int_equal(proc->kind, LAYOUT_STRUCT);
    assert_int_equal(proc->size, 132);

    f = field("struct proc", "pid");
    assert_int_equal(f.offset, 0);
    assert_int_equal(f.type->kind, LAYOUT_BASE);
    assert_string_equal(f.type->name, "int");
    assert_int_equal(f.type->size, 4);
    assert_true(f.type->is_signed);
    assert_int_equal(f.bit_size, 0);

    f = field("struct proc", "parent");
    assert_int_equal(f.offset, 8);
    assert_int_equal(f.type->kind, LAYOUT_POINTER);
    assert_int_equal(f.type->size, 4);
    assert_string_equal(f.type->name, "struct proc *");
    assert_ptr_equal(f.type->target, proc); /* the cycle closes */

    f = field("struct proc", "name");
    assert_int_equal(f.offset, 16);
    assert_int_equal(f.type->kind, LAYOUT_ARRAY);
    assert_int_equal(f.type->count, 16);
    assert_int_equal(f.type->size, 16);
    assert_string_equal(f.type->name, "char [16]");

    f = field("struct proc", "context");
    assert_int_equal(f.offset, 32);
    assert_int_equal(f.type->size, 56);
    assert_int_equal(field("struct proc", "tf").offset, 88);
    assert_int_equal(field("struct proc", "ofile").offset, 100);
}

static void test_typedefs_followed(void **state)
{
    (void)state;
    struct layout_field f = field("struct proc", "pagetable");
    assert_int_equal(f.offset, 12);
    /* pagetable_t -> pte_t * -> uint32_t * -> unsigned int * */
    assert_int_equal(f.type->kind, LAYOUT_POINTER);
    assert_int_equal(f.type->target->kind, LAYOUT_BASE);
    assert_int_equal(f.type->target->size, 4);
    assert_false(f.type->target->is_signed);
    assert_ptr_equal(layout_type(l, "pagetable_t"), f.type);
    assert_int_equal(layout_type(l, "pte_t")->size, 4);

    /* typedef struct { ... } spinlock_t: the struct goes by the typedef */
    const struct layout_type *lock = layout_type(l, "spinlock_t");
    assert_non_null(lock);
    assert_int_equal(lock->kind, LAYOUT_STRUCT);
    assert_string_equal(lock->name, "spinlock_t");
    assert_int_equal(lock->size, 8);
    assert_string_equal(field("spinlock_t", "name").type->name, "char *");
}

static void test_enums(void **state)
{
    int64_t v;

    (void)state;
    struct layout_field f = field("struct proc", "state");
    assert_int_equal(f.offset, 4);
    assert_int_equal(f.type->kind, LAYOUT_ENUM);
    assert_string_equal(f.type->name, "enum procstate");
    assert_int_equal(f.type->n_enumerators, 6);
    assert_string_equal(layout_enum_name(f.type, 3), "RUNNABLE");
    assert_null(layout_enum_name(f.type, 6));
    assert_int_equal(layout_enum_value(l, "enum procstate", "ZOMBIE", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(layout_enum_value(l, "enum procstate", "DEAD", &v), -1);
    assert_string_equal(layout_error(l),
                        "kernel has no enumerator DEAD in enum procstate");
    assert_int_equal(layout_enum_value(l, "enum delta", "DOWN", &v), 0);
    assert_int_equal(v, -1);
    assert_true(layout_type(l, "enum delta")->is_signed);
}

static void test_nested_paths(void **state)
{
    (void)state;
    struct layout_field f = field("struct proc", "context.sp");
    assert_int_equal(f.offset, 36);
    assert_string_equal(f.name, "sp");
    f = field("struct proc", "context.s");
    assert_int_equal(f.offset, 40);
    assert_int_equal(f.type->count, 12);
    assert_int_equal(field("struct trapframe", "regs").offset, 4);
}

static void test_anonymous_union_and_bitfields(void **state)
{
    (void)state;
    struct layout_field f = field("struct proc", "chan");
    assert_int_equal(f.offset, 92);
    assert_string_equal(f.type->name, "void *");
    assert_null(f.type->target);
    assert_int_equal(field("struct proc", "chan_addr").offset, 92);

    f = field("struct proc", "killed");
    assert_int_equal(f.offset, 96);
    assert_int_equal(f.bit_size, 1);
    assert_int_equal(f.bit_offset, 0);
    f = field("struct proc", "xstate");
    assert_int_equal(f.offset, 96);
    assert_int_equal(f.bit_size, 7);
    assert_int_equal(f.bit_offset, 1);
}

static void test_arrays(void **state)
{
    (void)state;
    /* int ofile[4][2]: an array of 4 arrays of 2 ints */
    const struct layout_type *t = field("struct proc", "ofile").type;
    assert_string_equal(t->name, "int [4][2]");
    assert_int_equal(t->count, 4);
    assert_int_equal(t->size, 32);
    assert_int_equal(t->target->kind, LAYOUT_ARRAY);
    assert_int_equal(t->target->count, 2);
    assert_int_equal(t->target->size, 8);
    assert_string_equal(t->target->target->name, "int");

    t = field("struct msg", "data").type;
    assert_int_equal(t->kind, LAYOUT_ARRAY);
    assert_int_equal(t->count, 0);
}

static void test_globals(void **state)
{
    (void)state;
    const struct layout_var *v = layout_global(l, "probe");
    assert_non_null(v);
    assert_int_equal(v->addr, 0x80100000);
    assert_int_equal(v->type->size, 4);

    v = layout_global(l, "proc");
    assert_non_null(v);
    assert_true(v->addr >= 0x80000000 && v->addr < 0x80100000);
    assert_int_equal(v->type->kind, LAYOUT_ARRAY);
    assert_int_equal(v->type->count, 8);
    assert_int_equal(v->type->size, 8 * 132);
    assert_ptr_equal(v->type->target, layout_type(l, "struct proc"));

    v = layout_global(l, "frame_ref");
    assert_int_equal(v->type->count, 1024);
    assert_int_equal(v->type->target->size, 2);
    assert_false(v->type->target->is_signed);

    v = layout_global(l, "event_ring");
    assert_int_equal(v->type->count, 64);
    assert_string_equal(v->type->target->name, "struct event");
    assert_int_equal(v->type->target->size, 12);

    v = layout_global(l, "ticks"); /* const volatile int */
    assert_string_equal(v->type->name, "int");
    assert_string_equal(layout_global(l, "biglock")->type->name, "spinlock_t");
}

/* The second unit knows struct proc only by name: its pointer still leads
 * to the members. */
static void test_declaration_completed(void **state)
{
    (void)state;
    const struct layout_var *v = layout_global(l, "current");
    assert_non_null(v);
    assert_int_equal(v->type->kind, LAYOUT_POINTER);
    assert_int_equal(v->type->target->size, 132);
    assert_non_null(layout_member(v->type->target, "pid"));
    /* struct trapframe was declared before it was defined in one unit */
    v = layout_global(l, "last_tf");
    assert_non_null(layout_member(v->type->target, "epc"));
}

static void test_missing_names(void **state)
{
    struct layout_field f;

    (void)state;
    assert_int_equal(layout_field(l, "struct proc", "nosuch", &f), -1);
    assert_string_equal(layout_error(l),
                        "kernel has no field nosuch in struct proc");
    assert_int_equal(layout_field(l, "struct proc", "context.pc", &f), -1);
    assert_string_equal(layout_error(l),
                        "kernel has no field pc in struct context");
    assert_int_equal(layout_field(l, "struct nosuch", "pid", &f), -1);
    assert_string_equal(layout_error(l), "kernel has no type struct nosuch");
    assert_int_equal(layout_field(l, "struct proc", "pid.x", &f), -1);
    assert_string_equal(layout_error(l),
                        "kernel's int is not a struct or union "
                        "(path pid.x in struct proc)");
    assert_int_equal(layout_field(l, "struct proc", "context..sp", &f), -1);
    assert_string_equal(layout_error(l), "bad field path 'context..sp'");
    assert_null(layout_global(l, "nosuch"));
    assert_string_equal(layout_error(l), "kernel has no global variable nosuch");
    /* Two file-statics called counter, at different addresses. */
    assert_null(layout_global(l, "counter"));
    assert_string_equal(layout_error(l),
                        "kernel has several static variables named counter");
    assert_null(layout_type(l, "struct trapframe *"));
}

static void test_open_errors(void **state)
{
    char err[256];

    (void)state;
    assert_null(layout_open("/nonexistent/kernel.elf", err, sizeof err));
    assert_string_equal(err,
                        "/nonexistent/kernel.elf: No such file or directory");
    assert_null(layout_open("/dev/null", err, sizeof err));
    assert_non_null(strstr(err, "/dev/null: no DWARF debug info"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_struct_proc_fields),
        cmocka_unit_test(test_typedefs_followed),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_nested_paths),
        cmocka_unit_test(test_anonymous_union_and_bitfields),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_globals),
        cmocka_unit_test(test_declaration_completed),
        cmocka_unit_test(test_missing_names),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests_name("inspector_dwarf", tests, open_sample,
                                       close_sample);
}
