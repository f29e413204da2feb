/* Unit tests for inspector/console.c (serial bytes to UTF-8, the backlog)
 * and inspector/outq.c (bounded outgoing queues). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "outq.h"

/* Clean s fed in pieces of `chunk` bytes; the output, NUL-terminated. */
static char *clean(const char *s, size_t n, size_t chunk)
{
    struct utf8_carry c = {0};
    char *out = malloc(UTF8_CLEAN_CAP(n) + 1);
    size_t o = 0;

    for (size_t off = 0; off < n; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        o += utf8_clean(&c, (const uint8_t *)s + off, len, out + o);
    }
    out[o] = '\0';
    return out;
}

static void expect_clean(const char *in, size_t n, const char *want)
{
    for (size_t chunk = 1; chunk <= n + 1; chunk++) {
        char *got = clean(in, n, chunk);
        if (strcmp(got, want) != 0)
            fail_msg("chunk %zu: got '%s', want '%s'", chunk, got, want);
        /* Always valid for JSON. */
        json_t *j = json_string(got);
        assert_non_null(j);
        json_decref(j);
        free(got);
    }
}

static void test_ascii_and_valid(void **state)
{
    (void)state;
    expect_clean("hello\r\n$ ", 9, "hello\r\n$ ");
    expect_clean("\xc3\xa9t\xc3\xa9", 6, "\xc3\xa9t\xc3\xa9");            /* été */
    expect_clean("\xe2\x82\xac", 3, "\xe2\x82\xac");                      /* € */
    expect_clean("\xf0\x9f\x98\x80!", 5, "\xf0\x9f\x98\x80!");            /* emoji */
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    expect_clean("a\xff" "b", 3, "a\xef\xbf\xbd" "b");
    expect_clean("\x80", 1, "\xef\xbf\xbd");
    expect_clean("\xc3(", 2, "\xef\xbf\xbd(");                 /* bad continuation */
    expect_clean("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd");   /* overlong */
    expect_clean("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    expect_clean("\xf4\x90\x80\x80", 4,
                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
    expect_clean("\xe2\x82x", 3, "\xef\xbf\xbd\xef\xbf\xbdx");
}

static void test_carry_held_back(void **state)
{
    struct utf8_carry c = {0};
    char out[64];

    (void)state;
    /* An incomplete sequence waits for its end. */
    assert_int_equal(utf8_clean(&c, (const uint8_t *)"ab\xe2\x82", 4, out), 2);
    assert_int_equal(c.len, 2);
    assert_int_equal(utf8_clean(&c, (const uint8_t *)"\xac", 1, out), 3);
    assert_memory_equal(out, "\xe2\x82\xac", 3);
    assert_int_equal(c.len, 0);
}

static void test_backlog(void **state)
{
    static struct console_backlog b;
    char *big = malloc(CONSOLE_BACKLOG + 10);
    size_t len;
    const char *t;

    (void)state;
    backlog_append(&b, "abc", 3);
    t = backlog_text(&b, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(t, "abc", 3);
    /* Full: the oldest goes, and a cut character is skipped. */
    memset(big, 'x', CONSOLE_BACKLOG + 10);
    backlog_append(&b, big, CONSOLE_BACKLOG - 3);
    backlog_append(&b, "\xc3\xa9", 2); /* drops "ab" */
    t = backlog_text(&b, &len);
    assert_int_equal(b.len, CONSOLE_BACKLOG);
    assert_int_equal(t[0], 'c');
    backlog_append(&b, "z", 1);
    /* Keeps the last 2 old bytes, "\xa9z": the half character is skipped. */
    backlog_append(&b, big, CONSOLE_BACKLOG - 2);
    t = backlog_text(&b, &len);
    assert_int_equal(len, CONSOLE_BACKLOG - 1);
    assert_int_equal(t[0], 'z');
    assert_true(((unsigned char)t[0] & 0xc0) != 0x80);
    backlog_append(&b, big, CONSOLE_BACKLOG + 10);
    t = backlog_text(&b, &len);
    assert_int_equal(len, CONSOLE_BACKLOG);
    backlog_clear(&b);
    backlog_text(&b, &len);
    assert_int_equal(len, 0);
    free(big);
}

static void test_outq_limits(void **state)
{
    struct outq q;
    struct out_msg *small = out_msg_new("{}", 2);
    struct out_msg *big = out_msg_new("0123456789", 10);

    (void)state;
    assert_int_equal(outq_init(&q, 3, 12), 0);
    assert_true(outq_empty(&q));
    assert_int_equal(outq_push(&q, small), 0);
    assert_int_equal(outq_push(&q, big), 0);      /* 12 bytes */
    assert_int_equal(outq_push(&q, small), -1);   /* 14 > 12 */
    assert_int_equal(small->refs, 2);
    outq_pop(&q);
    assert_ptr_equal(outq_head(&q), big);
    assert_int_equal(outq_push(&q, small), 0);
    assert_int_equal(outq_push(&q, small), -1);   /* 14 bytes */
    outq_pop(&q);
    assert_int_equal(outq_push(&q, small), 0);
    assert_int_equal(outq_push(&q, small), 0);    /* 3 messages, 6 bytes */
    assert_int_equal(outq_push(&q, small), -1);   /* 4 messages */
    /* More room keeps order. */
    assert_int_equal(outq_set_limits(&q, 8, 100), 0);
    assert_int_equal(outq_push(&q, big), 0);
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(outq_head(&q), small);
        outq_pop(&q);
    }
    assert_ptr_equal(outq_head(&q), big);
    outq_free(&q);
    assert_int_equal(small->refs, 1);
    assert_int_equal(big->refs, 1);
    /* A message bigger than the byte limit still goes into an empty queue. */
    assert_int_equal(outq_init(&q, 2, 4), 0);
    assert_int_equal(outq_push(&q, big), 0);
    assert_int_equal(outq_push(&q, small), -1);
    outq_free(&q);
    out_msg_unref(small);
    out_msg_unref(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_and_valid),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_carry_held_back),
        cmocka_unit_test(test_backlog),
        cmocka_unit_test(test_outq_limits),
    };
    return cmocka_run_group_tests_name("inspector console and outq", tests,
                                       NULL, NULL);
}
