/* Unit tests for inspector/source.c: which files of a build it will serve.
 * Each test run compiles a small program with the host's gcc -g in a fresh
 * directory (so the line tables name "prog.c", "inc/shape.h" and system
 * headers), then asks for files in and out of it, and for one of its files
 * after it has been replaced by a symlink that leads out of the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

static char top[PATH_MAX / 4];   /* the temporary directory */
static char tree[PATH_MAX / 2];  /* top/tree: where the program was compiled */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int build_program(void **state)
{
    char cmd[3 * PATH_MAX], err[256], elf[PATH_MAX];
    (void)state;
    snprintf(top, sizeof top, "%s/glassbox-source-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(top));
    snprintf(tree, sizeof tree, "%s/tree", top);
    snprintf(cmd, sizeof cmd, "%s/inc", tree);
    assert_int_equal(mkdir(tree, 0700), 0);
    assert_int_equal(mkdir(cmd, 0700), 0);
    write_file(tree, "inc/shape.h", "struct shape { int sides; };\n"
               "static inline int sides(struct shape *s) { return s->sides; }\n");
    write_file(tree, "prog.c", "#include <stdio.h>\n#include \"inc/shape.h\"\n"
               "int main(void) { struct shape s = {3}; printf(\"%d\\n\", sides(&s)); return 0; }\n");
    write_file(tree, "notes.txt", "not compiled\n");
    write_file(top, "secret.h", "outside the tree\n");
    snprintf(elf, sizeof elf, "%s/prog", top);
    snprintf(cmd, sizeof cmd, "cd '%s' && gcc -g -O0 -o '%s' prog.c", tree, elf);
    assert_int_equal(system(cmd), 0);
    if (source_open(elf, err, sizeof err) < 0)
        fail_msg("%s", err);
    return 0;
}

static int remove_program(void **state)
{
    char cmd[PATH_MAX + 16];
    (void)state;
    source_close();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    return system(cmd);
}

static void assert_served(const char *name, const char *want_rel)
{
    char path[PATH_MAX], want[2 * PATH_MAX];
    const char *why = NULL;
    if (source_resolve(name, path, sizeof path, &why) != 0)
        fail_msg("%s refused: %s", name, why);
    snprintf(want, sizeof want, "%s/%s", tree, want_rel);
    char *real = realpath(want, NULL);
    assert_non_null(real);
    assert_string_equal(path, real);
    free(real);
}

static void assert_refused(const char *name, const char *because)
{
    char path[PATH_MAX];
    const char *why = NULL;
    if (source_resolve(name, path, sizeof path, &why) == 0)
        fail_msg("%s was served as %s", name, path);
    assert_non_null(why);
    assert_non_null(strstr(why, because));
}

static void test_files_of_the_build(void **state)
{
    (void)state;
    assert_served("prog.c", "prog.c");
    assert_served("inc/shape.h", "inc/shape.h");
}

static void test_anything_else_is_refused(void **state)
{
    (void)state;
    assert_refused("notes.txt", "not a file of the kernel build");     /* in the tree, not built */
    assert_refused("../secret.h", "not a file of the kernel build");
    assert_refused("inc/../prog.c", "not a file of the kernel build"); /* a spelling not in the table */
    assert_refused("./prog.c", "not a file of the kernel build");
    assert_refused("/etc/passwd", "not a file of the kernel build");
    assert_refused("/usr/include/stdio.h", "not a file of the kernel build"); /* absolute: not ours */
    assert_refused("stdio.h", "not a file of the kernel build");
    assert_refused("", "not a file of the kernel build");
    assert_refused("PROG.C", "not a file of the kernel build");
}

static void test_a_symlink_out_of_the_tree_is_refused(void **state)
{
    char link[PATH_MAX], target[PATH_MAX];
    (void)state;
    snprintf(link, sizeof link, "%s/inc/shape.h", tree);
    snprintf(target, sizeof target, "%s/secret.h", top);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(symlink(target, link), 0);
    assert_refused("inc/shape.h", "outside the kernel's tree");
    /* A symlink that stays inside the tree is fine. */
    assert_int_equal(unlink(link), 0);
    assert_int_equal(symlink("../prog.c", link), 0);
    assert_served("inc/shape.h", "prog.c");
    /* A file that is gone is refused too. */
    assert_int_equal(unlink(link), 0);
    assert_refused("inc/shape.h", "gone");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_of_the_build),
        cmocka_unit_test(test_anything_else_is_refused),
        cmocka_unit_test(test_a_symlink_out_of_the_tree_is_refused),
    };
    return cmocka_run_group_tests(tests, build_program, remove_program);
}
