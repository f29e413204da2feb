/* Unit tests for inspector/history.c: stops kept deflated and given back as
 * they were, the console up to each stop (and back with the guest), the
 * budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

static struct history_stop stop(long long seq, const char *reason, int pid)
{
    struct history_stop s = {.seq = seq, .time_ms = 1000.0 * (double)seq, .pid = pid,
                             .from = seq - 1 > 0 ? seq - 1 : -1};
    snprintf(s.reason, sizeof s.reason, "%s", reason);
    return s;
}

/* A message like a snapshot: JSON, partly repetitive, different per seq. */
static char *message(long long seq, size_t *len)
{
    size_t cap = 40000;
    char *m = malloc(cap);
    int n = snprintf(m, cap, "{\"type\":\"snapshot\",\"seq\":%lld,\"frames\":[", seq);
    for (int i = 0; i < 1000; i++)
        n += snprintf(m + n, cap - (size_t)n, "%s{\"frame\":%lld,\"refcount\":%d}",
                      i ? "," : "", seq * 7 + i, (int)(seq + i) % 3);
    n += snprintf(m + n, cap - (size_t)n, "]}");
    *len = (size_t)n;
    return m;
}

static void test_stops_come_back_as_they_were(void **state)
{
    (void)state;
    struct history *h = history_new(8 << 20);
    assert_non_null(h);
    for (long long seq = 1; seq <= 20; seq++) {
        size_t len;
        char *m = message(seq, &len);
        struct history_stop s = stop(seq, seq % 2 ? "event" : "pause", (int)seq);
        if (seq == 3)
            snprintf(s.detail, sizeof s.detail, "cow_fault");
        if (seq == 7)
            s.from = 2; /* a rewind to stop 2 */
        assert_int_equal(history_add(h, &s, m, len), 0);
        free(m);
    }
    assert_int_equal(history_count(h), 20);
    /* Deflated: far less than the 20 messages of about 28 KB, beside the
     * console log's 1 MiB. */
    assert_true(history_bytes(h) < (1 << 20) + 20 * 28000 / 4);
    for (long long seq = 1; seq <= 20; seq++) {
        size_t len, want_len, clen;
        const char *con;
        char *want = message(seq, &want_len);
        char *got = history_get(h, seq, &len, &con, &clen);
        assert_non_null(got);
        assert_int_equal(len, want_len);
        assert_memory_equal(got, want, len);
        free(got);
        free(want);
    }
    size_t len, clen;
    const char *con;
    assert_null(history_get(h, 21, &len, &con, &clen));
    assert_null(history_get(h, 0, &len, &con, &clen));
    json_t *list = history_list(h);
    assert_int_equal(json_array_size(list), 20);
    json_t *third = json_array_get(list, 2);
    assert_int_equal(json_integer_value(json_object_get(third, "seq")), 3);
    assert_string_equal(json_string_value(json_object_get(third, "reason")), "event");
    assert_string_equal(json_string_value(json_object_get(third, "detail")), "cow_fault");
    assert_int_equal(json_integer_value(json_object_get(third, "pid")), 3);
    assert_null(json_object_get(json_array_get(list, 3), "detail"));
    assert_null(json_object_get(json_array_get(list, 0), "from"));
    assert_int_equal(json_integer_value(json_object_get(third, "from")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 6), "from")), 2);
    json_decref(list);
    history_free(h);
}

static void test_seq_must_rise(void **state)
{
    (void)state;
    struct history *h = history_new(1 << 20);
    struct history_stop s = stop(5, "pause", 0);
    assert_int_equal(history_add(h, &s, "{}", 2), 0);
    assert_int_equal(history_add(h, &s, "{}", 2), -1);
    s.seq = 4;
    assert_int_equal(history_add(h, &s, "{}", 2), -1);
    s.seq = 6;
    assert_int_equal(history_add(h, &s, "{}", 2), 0);
    assert_int_equal(history_count(h), 2);
    history_free(h);
    assert_null(history_new(HISTORY_MIN_BUDGET - 1));
}

static void test_console_up_to_each_stop(void **state)
{
    (void)state;
    struct history *h = history_new(1 << 20);
    struct history_stop s = stop(1, "start", 0);
    size_t len, clen;
    const char *con;

    assert_int_equal(history_add(h, &s, "{}", 2), 0); /* before any output */
    history_console(h, "$ ls\r\n", 6);
    s.seq = 2;
    assert_int_equal(history_add(h, &s, "{}", 2), 0);
    history_console(h, "README\r\n$ ", 10);
    s.seq = 3;
    assert_int_equal(history_add(h, &s, "{}", 2), 0);

    free(history_get(h, 1, &len, &con, &clen));
    assert_int_equal(clen, 0);
    free(history_get(h, 2, &len, &con, &clen));
    assert_int_equal(clen, 6);
    assert_memory_equal(con, "$ ls\r\n", 6);
    free(history_get(h, 3, &len, &con, &clen));
    assert_int_equal(clen, 16);
    assert_memory_equal(con, "$ ls\r\nREADME\r\n$ ", 16);
    history_free(h);
}

/* The console goes back with the guest: random output, marks, stops and
 * goings back (fixed seed), against a model that keeps each moment's text
 * as a string. Each stop's console, and each mark's, is the model's. */
#define MODEL_MOMENTS 400
static void test_console_goes_back_with_the_guest(void **state)
{
    (void)state;
    struct history *h = history_new(8 << 20);
    static char text[MODEL_MOMENTS][2048]; /* the model: the text at each mark */
    uint64_t marks[MODEL_MOMENTS];
    char now[2048] = "";
    int nmarks = 0;
    long long seq = 0;
    size_t len, clen;
    const char *con;

    srand(12);
    for (int op = 0; op < 3000 && nmarks < MODEL_MOMENTS; op++) {
        int what = rand() % 10;
        if (what < 5 && strlen(now) < sizeof now - 16) {
            char piece[12];
            int n = snprintf(piece, sizeof piece, "%d,", op);
            history_console(h, piece, (size_t)n);
            strcat(now, piece);
        } else if (what < 8) { /* a stop: its mark is the console now */
            struct history_stop s = stop(++seq, "pause", 0);
            assert_int_equal(history_add(h, &s, "{}", 2), 0);
            marks[nmarks] = history_console_mark(h);
            strcpy(text[nmarks++], now);
        } else if (nmarks > 0) { /* back to a moment kept */
            int to = rand() % nmarks;
            assert_int_equal(history_console_back(h, marks[to]), 0);
            strcpy(now, text[to]);
        }
    }
    assert_true(nmarks > 100);
    for (int i = 0; i < nmarks; i++) {
        clen = history_console_text(h, marks[i], &con);
        assert_int_equal(clen, strlen(text[i]));
        assert_memory_equal(con, text[i], clen);
        free(history_get(h, i + 1, &len, &con, &clen));
        assert_int_equal(clen, strlen(text[i]));
        assert_memory_equal(con, text[i], clen);
    }
    clen = history_console_text(h, history_console_mark(h), &con);
    assert_int_equal(clen, strlen(now));
    assert_memory_equal(con, now, clen);
    /* A mark that is no moment of this history is refused. */
    assert_int_equal(history_console_back(h, (uint64_t)999999 << 40), -1);
    assert_int_equal(history_console_back(h, history_console_mark(h) + 1), -1);
    history_free(h);
}

static void test_console_tail_starts_on_a_character(void **state)
{
    (void)state;
    struct history *h = history_new(8 << 20);
    size_t len, clen;
    const char *con;
    /* 100 KiB of "é" (2 bytes each) then a stop: the last 64 KiB, whole
     * characters. */
    char *text = malloc(100 * 1024);
    for (size_t i = 0; i < 100 * 1024; i += 2)
        memcpy(text + i, "\xc3\xa9", 2);
    history_console(h, "x", 1); /* makes the cut fall inside a character */
    history_console(h, text, 100 * 1024);
    struct history_stop s = stop(1, "pause", 0);
    assert_int_equal(history_add(h, &s, "{}", 2), 0);
    free(history_get(h, 1, &len, &con, &clen));
    assert_true(clen <= HISTORY_CONSOLE_TAIL && clen >= HISTORY_CONSOLE_TAIL - 3);
    assert_int_equal((unsigned char)con[0], 0xc3);
    json_t *j = json_stringn(con, clen); /* valid UTF-8 */
    assert_non_null(j);
    json_decref(j);
    free(text);
    history_free(h);
}

static void test_budget_drops_the_oldest(void **state)
{
    (void)state;
    size_t budget = 64 * 1024;
    struct history *h = history_new(budget);
    char big[4096];

    for (long long seq = 1; seq <= 400; seq++) {
        size_t len;
        char *m = message(seq, &len);
        struct history_stop s = stop(seq, "step", 1);
        assert_int_equal(history_add(h, &s, m, len), 0);
        free(m);
        memset(big, 'a' + (int)(seq % 26), sizeof big);
        history_console(h, big, sizeof big); /* the log wraps many times */
        assert_true(history_bytes(h) <= budget);
    }
    assert_true(history_count(h) > 1);
    assert_int_equal(history_count(h) + history_dropped(h), 400);
    json_t *list = history_list(h);
    long long first = json_integer_value(json_object_get(json_array_get(list, 0), "seq"));
    assert_int_equal(first, (long long)history_dropped(h) + 1);
    json_decref(list);
    size_t len, clen;
    const char *con;
    assert_null(history_get(h, 1, &len, &con, &clen));
    char *m = history_get(h, 400, &len, &con, &clen);
    assert_non_null(m);
    free(m);
    /* The console before the last stop: 399 blocks were written before it
     * and one after; the log (a quarter of the budget) keeps the newest. */
    assert_int_equal(clen, budget / 4 - sizeof big);
    assert_int_equal(con[clen - 1], 'a' + 399 % 26);
    /* A message bigger than the whole budget is refused, the rest kept. */
    char *huge = malloc(budget * 8);
    for (size_t i = 0; i < budget * 8; i++)
        huge[i] = (char)(rand() & 0xff);
    struct history_stop s = stop(401, "step", 1);
    assert_int_equal(history_add(h, &s, huge, budget * 8), -1);
    assert_true(history_count(h) > 1);
    free(huge);
    history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stops_come_back_as_they_were),
        cmocka_unit_test(test_seq_must_rise),
        cmocka_unit_test(test_console_up_to_each_stop),
        cmocka_unit_test(test_console_goes_back_with_the_guest),
        cmocka_unit_test(test_console_tail_starts_on_a_character),
        cmocka_unit_test(test_budget_drops_the_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
