/* kernel_image: the copy holds the kernel's bytes, stays as it was when the
 * original is rebuilt (replaced, or rewritten in place), says so, and goes
 * at the end with its directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_image.h"

static char dir[] = "/tmp/glassbox-kernel-image-test-XXXXXX";
static char origin[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_file(const char *path, const char *text)
{
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static void test_the_copy_outlives_a_rebuild(void **state)
{
    (void)state;
    char err[256];
    struct kernel_image k;
    assert_non_null(mkdtemp(dir));
    snprintf(origin, sizeof origin, "%s/kernel.elf", dir);
    write_file(origin, "the kernel as built");
    assert_int_equal(kernel_image_copy(&k, origin, err, sizeof err), 0);
    assert_file(k.path, "the kernel as built");
    assert_false(kernel_image_rebuilt(&k));

    /* A linker that writes a new file in its place. */
    char next[80];
    snprintf(next, sizeof next, "%s/kernel.new", dir);
    write_file(next, "the kernel rebuilt");
    assert_int_equal(rename(next, origin), 0);
    assert_true(kernel_image_rebuilt(&k));
    assert_file(k.path, "the kernel as built");

    char copy_dir[sizeof k.dir];
    memcpy(copy_dir, k.dir, sizeof copy_dir);
    kernel_image_remove(&k);
    struct stat st;
    assert_int_equal(stat(copy_dir, &st), -1);

    /* One that rewrites it in place, to the same size. */
    assert_int_equal(kernel_image_copy(&k, origin, err, sizeof err), 0);
    assert_false(kernel_image_rebuilt(&k));
    struct timespec later[2] = {{0, UTIME_OMIT}, {0, 0}};
    assert_int_equal(stat(origin, &st), 0);
    later[1].tv_sec = st.st_mtim.tv_sec + 1;
    write_file(origin, "the kernel REbuilt");
    assert_int_equal(utimensat(AT_FDCWD, origin, later, 0), 0);
    assert_true(kernel_image_rebuilt(&k));
    assert_file(k.path, "the kernel rebuilt");
    kernel_image_remove(&k);
    unlink(origin);
    rmdir(dir);
}

static void test_no_kernel_is_an_error(void **state)
{
    (void)state;
    char err[256];
    struct kernel_image k;
    assert_int_equal(kernel_image_copy(&k, "/nonexistent/kernel.elf", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/kernel.elf"));
    assert_string_equal(k.dir, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_copy_outlives_a_rebuild),
        cmocka_unit_test(test_no_kernel_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
