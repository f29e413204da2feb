/* Unit tests for inspector/tdesc.c: register numbers from a target
 * description spread over several documents, as QEMU 7.2's riscv32 serves
 * it, and the limits that keep a hostile one harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdesc.h"

struct doc {
    const char *annex, *xml;
};

/* Shaped like QEMU 7.2's documents for `-machine virt` (riscv32): the
 * top-level file only includes; the cpu, fpu and virtual files number by
 * position; the CSR file gives every regnum. Trimmed, not copied. */
static const struct doc qemu_docs[] = {
    {"target.xml",
     "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
     "<target><architecture>riscv:rv32</architecture>"
     "<xi:include href=\"riscv-32bit-cpu.xml\"/>"
     "<xi:include href=\"riscv-64bit-fpu.xml\"/>"
     "<xi:include href=\"riscv-32bit-virtual.xml\"/>"
     "<xi:include href=\"riscv-csr.xml\"/></target>"},
    {"riscv-32bit-cpu.xml",
     "<?xml version=\"1.0\"?>\n<!-- a comment with <reg name=\"fake\"/> -->\n"
     "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
     "<feature name=\"org.gnu.gdb.riscv.cpu\">\n"
     "  <reg name=\"zero\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"ra\" bitsize=\"32\" type=\"code_ptr\"/>\n"
     "  <reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
     "  <reg name=\"gp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
     "  <reg name=\"tp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
     "  <reg name=\"t0\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t1\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t2\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"fp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
     "  <reg name=\"s1\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a0\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a1\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a2\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a3\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a4\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a5\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a6\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"a7\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s2\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s3\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s4\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s5\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s6\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s7\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s8\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s9\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s10\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"s11\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t3\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t4\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t5\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"t6\" bitsize=\"32\" type=\"int\"/>\n"
     "  <reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>\n"
     "</feature>\n"},
    {"riscv-64bit-fpu.xml",
     "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
     "  <union id=\"riscv_double\">\n"
     "    <field name=\"float\" type=\"ieee_single\"/>\n"
     "    <field name=\"double\" type=\"ieee_double\"/>\n"
     "  </union>\n"
     "  <reg name=\"ft0\" bitsize=\"64\" type=\"riscv_double\"/>\n"
     "  <reg name='ft1' type='riscv_double' bitsize='64'/>\n"
     "  <reg\n    name = \"ft2\"\n    bitsize=\"64\"></reg>\n"
     "</feature>\n"},
    {"riscv-32bit-virtual.xml",
     "<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
     "  <reg name=\"priv\" bitsize=\"32\"/>\n</feature>\n"},
    {"riscv-csr.xml",
     "<?xml version=\"1.0\"?><feature name=\"org.gnu.gdb.riscv.csr\">"
     "<reg name=\"sstatus\" bitsize=\"32\" regnum=\"322\"/>"
     "<reg name=\"sepc\" bitsize=\"32\" regnum=\"387\"/>"
     "<reg name=\"scause\" bitsize=\"32\" regnum=\"388\"/>"
     "<reg name=\"stval\" bitsize=\"32\" regnum=\"389\"/>"
     "<reg name=\"satp\" bitsize=\"32\" regnum=\"450\"/>"
     "<reg name=\"mstatus\" bitsize=\"32\" regnum=\"834\"/></feature>"},
    {NULL, NULL},
};

/* The documents the fetch function serves; NULL annex ends the list. */
static const struct doc *docs;
static int fetches;

static int fetch(void *ctx, const char *annex, char **xml, size_t *len,
                 char *err, size_t errlen)
{
    (void)ctx;
    fetches++;
    for (const struct doc *d = docs; d->annex; d++) {
        if (strcmp(d->annex, annex) == 0) {
            *len = strlen(d->xml);
            *xml = malloc(*len + 1);
            memcpy(*xml, d->xml, *len + 1);
            return 0;
        }
    }
    snprintf(err, errlen, "cannot read %s: E00", annex);
    return -1;
}

static struct tdesc t;
static char err[256];

static int load(const struct doc *d)
{
    docs = d;
    fetches = 0;
    err[0] = '\0';
    return tdesc_load(&t, fetch, NULL, err, sizeof err);
}

static unsigned regnum(const char *name)
{
    const struct tdesc_reg *r = tdesc_find(&t, name);

    assert_non_null(r);
    return r->regnum;
}

static void test_qemu_riscv32(void **state)
{
    (void)state;
    assert_int_equal(load(qemu_docs), 0);
    assert_int_equal(fetches, 5);
    assert_string_equal(t.arch, "riscv:rv32");
    assert_int_equal(t.nregs, 33 + 3 + 1 + 6);
    assert_int_equal(regnum("zero"), 0);
    assert_int_equal(regnum("a0"), 10);
    assert_int_equal(regnum("pc"), 32);
    /* Numbering goes on across documents... */
    assert_int_equal(regnum("ft0"), 33);
    assert_int_equal(regnum("ft2"), 35);
    assert_int_equal(tdesc_find(&t, "ft1")->bitsize, 64);
    assert_int_equal(regnum("priv"), 36);
    /* ...until regnum says otherwise. */
    assert_int_equal(regnum("sstatus"), 322);
    assert_int_equal(regnum("satp"), 450);
    assert_null(tdesc_find(&t, "fake")); /* it was in a comment */
    assert_null(tdesc_find(&t, "float")); /* a <field>, not a <reg> */
    tdesc_free(&t);
    assert_int_equal(t.nregs, 0);
}

static void test_regnum_then_sequential(void **state)
{
    static const struct doc d[] = {
        {"target.xml", "<target><reg name=\"a\" bitsize=\"32\"/>"
                       "<reg name=\"b\" bitsize=\"32\" regnum=\"100\"/>"
                       "<reg name=\"c\" bitsize=\"32\"/>"
                       "<reg name=\"d\" bitsize=\"32\" regnum=\"7\"/>"
                       "<reg name=\"e\" bitsize=\"32\"/></target>"},
        {NULL, NULL}};

    (void)state;
    assert_int_equal(load(d), 0);
    assert_string_equal(t.arch, "");
    assert_int_equal(regnum("a"), 0);
    assert_int_equal(regnum("b"), 100);
    assert_int_equal(regnum("c"), 101);
    assert_int_equal(regnum("d"), 7);
    assert_int_equal(regnum("e"), 8);
    tdesc_free(&t);
}

/* Loads d, expects failure, and checks the message contains want. */
static void expect_error(const struct doc *d, const char *want)
{
    assert_int_equal(load(d), -1);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
    assert_int_equal(t.nregs, 0);
    assert_null(t.regs);
}

static void test_missing_include(void **state)
{
    static const struct doc d[] = {
        {"target.xml", "<target><xi:include href=\"riscv-csr.xml\"/></target>"},
        {NULL, NULL}};

    (void)state;
    expect_error(d, "cannot read riscv-csr.xml");
}

static void test_include_cycle(void **state)
{
    static const struct doc d[] = {
        {"target.xml", "<target><reg name=\"a\" bitsize=\"32\"/>"
                       "<xi:include href=\"loop.xml\"/></target>"},
        {"loop.xml", "<feature><xi:include href=\"loop.xml\"/></feature>"},
        {NULL, NULL}};

    (void)state;
    expect_error(d, "nested deeper than 4");
    assert_int_equal(fetches, 1 + TDESC_MAX_DEPTH);
}

/* Wide rather than deep: an include count limit keeps the work bounded. */
static void test_include_fan_out(void **state)
{
    static const struct doc d[] = {
        {"target.xml",
         "<target><xi:include href=\"w.xml\"/><xi:include href=\"w.xml\"/>"
         "<xi:include href=\"w.xml\"/><xi:include href=\"w.xml\"/></target>"},
        {"w.xml",
         "<f><xi:include href=\"v.xml\"/><xi:include href=\"v.xml\"/>"
         "<xi:include href=\"v.xml\"/><xi:include href=\"v.xml\"/></f>"},
        {"v.xml",
         "<f><xi:include href=\"u.xml\"/><xi:include href=\"u.xml\"/>"
         "<xi:include href=\"u.xml\"/><xi:include href=\"u.xml\"/></f>"},
        {"u.xml", "<f><reg name=\"r\" bitsize=\"8\"/></f>"},
        {NULL, NULL}};

    (void)state;
    expect_error(d, "more than 32 includes");
    assert_true(fetches <= 1 + TDESC_MAX_INCLUDES);
}

static void test_bad_href(void **state)
{
    static const struct doc colon[] = {
        {"target.xml", "<target><xi:include href=\"a:b.xml\"/></target>"},
        {NULL, NULL}};
    static const struct doc path[] = {
        {"target.xml", "<target><xi:include href=\"../etc/x\"/></target>"},
        {NULL, NULL}};
    static const struct doc none[] = {
        {"target.xml", "<target><xi:include/></target>"}, {NULL, NULL}};

    (void)state;
    expect_error(colon, "bad xi:include href");
    expect_error(path, "bad xi:include href");
    expect_error(none, "bad xi:include href");
}

static void test_bad_registers(void **state)
{
    static const struct doc noname[] = {
        {"target.xml", "<target><reg bitsize=\"32\"/></target>"},
        {NULL, NULL}};
    static const struct doc longname[] = {
        {"target.xml",
         "<target><reg name=\"a123456789012345678901234567890123456789"
         "012345678901234567890123\" bitsize=\"32\"/></target>"},
        {NULL, NULL}};
    static const struct doc bitsize[] = {
        {"target.xml", "<target><reg name=\"a\" bitsize=\"0\"/></target>"},
        {NULL, NULL}};
    static const struct doc regnum_[] = {
        {"target.xml",
         "<target><reg name=\"a\" bitsize=\"32\" regnum=\"-1\"/></target>"},
        {NULL, NULL}};
    static const struct doc huge[] = {
        {"target.xml",
         "<target><reg name=\"a\" bitsize=\"32\" regnum=\"99999999\"/>"
         "</target>"},
        {NULL, NULL}};
    static const struct doc empty[] = {
        {"target.xml", "<target><architecture>riscv:rv32</architecture>"
                       "</target>"},
        {NULL, NULL}};

    (void)state;
    expect_error(noname, "without a usable name");
    expect_error(longname, "without a usable name");
    expect_error(bitsize, "register a has a bad bitsize");
    expect_error(regnum_, "register a has a bad regnum");
    expect_error(huge, "register a has a bad regnum");
    expect_error(empty, "lists no registers");
}

static void test_malformed_xml(void **state)
{
    static const char *bad[] = {
        "<target><reg name=\"a\" bitsize=\"32\"",     /* unterminated tag */
        "<target><reg name=a bitsize=\"32\"/>",       /* unquoted value */
        "<target><reg name=\"a bitsize=\"32\"/>",     /* quote runs off */
        "<target><!-- never closed <reg name=\"a\"/>", /* comment */
        "<target><reg =\"a\"/>",                      /* no attribute name */
        "<target><",                                  /* '<' at the end */
        "<target>< reg/>",                            /* no tag name */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const struct doc d[] = {{"target.xml", bad[i]}, {NULL, NULL}};
        expect_error(d, "malformed XML at byte");
    }
}

/* More attributes than the parser keeps: the ones it needs still count if
 * they come first, and the rest must still be well-formed. */
static void test_many_attributes(void **state)
{
    static const struct doc d[] = {
        {"target.xml",
         "<target><reg name=\"a\" bitsize=\"16\" b=\"1\" c=\"1\" d=\"1\" "
         "e=\"1\" f=\"1\" g=\"1\" h=\"1\" i=\"1\" j=\"1\"/></target>"},
        {NULL, NULL}};

    (void)state;
    assert_int_equal(load(d), 0);
    assert_int_equal(tdesc_find(&t, "a")->bitsize, 16);
    tdesc_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_riscv32),
        cmocka_unit_test(test_regnum_then_sequential),
        cmocka_unit_test(test_missing_include),
        cmocka_unit_test(test_include_cycle),
        cmocka_unit_test(test_include_fan_out),
        cmocka_unit_test(test_bad_href),
        cmocka_unit_test(test_bad_registers),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_many_attributes),
    };
    return cmocka_run_group_tests_name("inspector_tdesc", tests, NULL, NULL);
}
