/* snapshot_delta: a snapshot as a delta from the one sent before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <jansson.h>

#include "snapshot.h"

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    return j;
}

static void test_delta(void **state)
{
    (void)state;
    json_t *prev = parse("{\"type\":\"snapshot\",\"seq\":11,\"processes\":[{\"pid\":1},{\"pid\":2}],"
                         "\"address_spaces\":{\"1\":{\"root\":\"0x1\",\"ranges\":[1]},"
                         "\"2\":{\"root\":\"0x2\",\"ranges\":[2]},\"4\":{\"root\":\"0x4\"}}}");
    json_t *full = parse("{\"type\":\"snapshot\",\"seq\":12,\"processes\":[{\"pid\":1},{\"pid\":2},{\"pid\":3}],"
                         "\"address_spaces\":{\"1\":{\"root\":\"0x1\",\"ranges\":[1]},"
                         "\"2\":{\"root\":\"0x2\",\"ranges\":[2,3]},\"3\":{\"root\":\"0x3\"}}}");
    json_t *d = snapshot_delta(prev, full);

    assert_int_equal(json_integer_value(json_object_get(d, "base")), 11);
    assert_int_equal(json_integer_value(json_object_get(d, "seq")), 12);
    /* Only what changed or is new; pid 1 named as unchanged; pid 4 is
     * gone with its process (the list of processes says so). */
    json_t *spaces = json_object_get(d, "address_spaces");
    assert_int_equal(json_object_size(spaces), 2);
    assert_non_null(json_object_get(spaces, "2"));
    assert_non_null(json_object_get(spaces, "3"));
    json_t *same = json_object_get(d, "unchanged_spaces");
    assert_int_equal(json_array_size(same), 1);
    assert_int_equal(json_integer_value(json_array_get(same, 0)), 1);
    assert_true(json_equal(json_object_get(d, "processes"), json_object_get(full, "processes")));
    /* The full snapshot is left as it was. */
    assert_int_equal(json_object_size(json_object_get(full, "address_spaces")), 3);
    assert_null(json_object_get(full, "base"));
    json_decref(d);
    json_decref(prev);
    json_decref(full);
}

/* The kernel half goes only when it changed, and as null when it is gone. */
static void test_delta_kernel_space(void **state)
{
    (void)state;
    const char *same = "{\"seq\":%d,\"address_spaces\":{},\"kernel_space\":{\"root\":\"0x9\"}}";
    char a[128], b[128];
    snprintf(a, sizeof a, same, 1);
    snprintf(b, sizeof b, same, 2);
    json_t *prev = parse(a), *full = parse(b);
    json_t *d = snapshot_delta(prev, full);
    assert_null(json_object_get(d, "kernel_space"));
    assert_non_null(json_object_get(full, "kernel_space"));
    json_decref(d);

    json_t *moved = parse("{\"seq\":3,\"address_spaces\":{},\"kernel_space\":{\"root\":\"0x8\"}}");
    d = snapshot_delta(full, moved);
    assert_true(json_equal(json_object_get(d, "kernel_space"), json_object_get(moved, "kernel_space")));
    json_decref(d);

    json_t *gone = parse("{\"seq\":4,\"address_spaces\":{}}");
    d = snapshot_delta(moved, gone);
    assert_true(json_is_null(json_object_get(d, "kernel_space")));
    json_decref(d);
    json_decref(prev);
    json_decref(full);
    json_decref(moved);
    json_decref(gone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_delta),
                                       cmocka_unit_test(test_delta_kernel_space)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
