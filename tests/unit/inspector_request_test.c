/* Unit tests for inspector/request.c: what an HTTP request may do, from its
 * method, path, Host, Origin and body (docs/security.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "request.h"

static struct access allowed;

static struct request_verdict route(enum request_method m, const char *url, const char *host,
                                    const char *origin, bool body, bool chunked)
{
    struct request rq = {m, url, host, origin, body, chunked, false};
    struct request_verdict v;

    request_route(&allowed, &rq, &v);
    return v;
}

static void test_who_may_ask(void **state)
{
    (void)state;
    struct request_verdict v = route(REQ_GET, "/api/status", "127.0.0.1:8080", NULL, false, false);
    assert_int_equal(v.route, ROUTE_REST);
    assert_null(v.refusal);
    /* DNS rebinding: a name this daemon was not given, its own Origin. */
    v = route(REQ_POST, "/api/command", "rebind.example:8080", "http://rebind.example:8080",
              true, false);
    assert_int_equal(v.route, ROUTE_REST);
    assert_int_equal(v.status, 403);
    assert_non_null(strstr(v.refusal, "Host"));
    assert_true(v.wait_body); /* answered after the body, which is dropped */
    v = route(REQ_POST, "/api/command", "localhost:8080", "http://evil.example", true, false);
    assert_non_null(strstr(v.refusal, "cross-origin"));
    v = route(REQ_GET, "/index.html", "lab.example", "http://lab.example", false, false);
    assert_int_equal(v.route, ROUTE_FILE);
    v = route(REQ_GET, "/index.html", NULL, NULL, false, false);
    assert_int_equal(v.route, ROUTE_ANSWER);
    assert_int_equal(v.status, 403);
    v = route(REQ_GET, "/api/source/kernel/vm.c", "[::1]:80", "http://evil.example", false, false);
    assert_int_equal(v.route, ROUTE_ANSWER);
    assert_int_equal(v.status, 403);
}

static void test_methods_and_bodies(void **state)
{
    (void)state;
    struct request_verdict v = route(REQ_OPTIONS, "/api/command", "127.0.0.1", NULL, false, false);
    assert_int_equal(v.route, ROUTE_ANSWER);
    assert_int_equal(v.status, 204);
    assert_string_equal(v.allow, "POST, OPTIONS");
    v = route(REQ_OTHER, "/api/command", "127.0.0.1", NULL, false, false);
    assert_int_equal(v.status, 405);
    assert_non_null(v.refusal);
    v = route(REQ_POST, "/api/command", "127.0.0.1", NULL, false, true);
    assert_int_equal(v.status, 411);
    assert_false(v.wait_body);
    v = route(REQ_POST, "/api/command", "127.0.0.1", NULL, true, false);
    assert_null(v.refusal);
    assert_true(v.wait_body);
    v = route(REQ_POST, "/app.js", "127.0.0.1", NULL, true, false);
    assert_int_equal(v.status, 405);
    v = route(REQ_POST, "/api/source/kernel/vm.c", "127.0.0.1", NULL, true, false);
    assert_int_equal(v.status, 405);
    v = route(REQ_HEAD, "/api/source/kernel/vm.c", "127.0.0.1", NULL, false, false);
    assert_int_equal(v.route, ROUTE_SOURCE);
}

/* A body over the limit (or a length that is no number) is refused at
 * once: it is never waited for. */
static void test_content_length(void **state)
{
    (void)state;
    static const struct {
        const char *cl;
        bool body, too_large;
    } cases[] = {
        {NULL, false, false},     {"0", false, false},
        {"15", true, false},      {" 65536", true, false},
        {"65537", true, true},    {"50000000", true, true},
        {"-1", true, true},       {"abc", true, true},
        {"", true, true},         {"99999999999999999999", true, true},
        {"18446744073709551616", true, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct request rq = {REQ_POST, "/api/command", "127.0.0.1:8080", NULL, false,
                             false, false};
        struct request_verdict v;
        request_body(&rq, cases[i].cl);
        assert_int_equal(rq.has_body, cases[i].body);
        assert_int_equal(rq.body_too_large, cases[i].too_large);
        request_route(&allowed, &rq, &v);
        assert_int_equal(v.route, ROUTE_REST);
        assert_int_equal(v.wait_body, cases[i].body && !cases[i].too_large);
        if (cases[i].too_large)
            assert_int_equal(v.status, 413);
        else
            assert_null(v.refusal);
    }
}

static enum request_head head(const char *text)
{
    return request_head(text, strlen(text));
}

/* A head's length (the blank line in), and whether it asks for a WebSocket. */
static void test_head_length_and_upgrade(void **state)
{
    (void)state;
    const char *ws = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n\r\n\x81\x02hi";
    assert_int_equal(request_head_length(ws, strlen(ws)), strlen(ws) - 4);
    assert_true(request_upgrades(ws, strlen(ws)));
    const char *bare = "GET / HTTP/1.1\nX: y\n\nrest";
    assert_int_equal(request_head_length(bare, strlen(bare)), strlen(bare) - 4);
    assert_int_equal(request_head_length(bare, 10), 0);
    assert_false(request_upgrades(bare, strlen(bare)));
    /* not a header named upgrade, or the word only in the body */
    const char *other = "GET / HTTP/1.1\r\nX-Upgrade: websocket\r\n\r\nUpgrade: websocket\r\n";
    assert_false(request_upgrades(other, strlen(other)));
    const char *h2 = "GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n";
    assert_false(request_upgrades(h2, strlen(h2)));
}

/* Where a request head ends, and when it is over the limits. */
static void test_heads(void **state)
{
    (void)state;
    static char big[REQUEST_HEAD_MAX + 10];

    assert_int_equal(request_head("", 0), HEAD_MORE);
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\n"), HEAD_MORE);
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_DONE);
    assert_int_equal(head("GET / HTTP/1.1\nHost: a\n\n"), HEAD_DONE);
    /* A body after the head does not count. */
    assert_int_equal(head("GET / HTTP/1.1\r\n\r\nxxxx"), HEAD_DONE);
    /* Exactly REQUEST_HEAD_MAX bytes, its blank line the last: in. */
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    memcpy(big + REQUEST_HEAD_MAX - 4, "\r\n\r\n", 4);
    assert_int_equal(request_head(big, REQUEST_HEAD_MAX - 1), HEAD_MORE);
    assert_int_equal(request_head(big, REQUEST_HEAD_MAX), HEAD_DONE);
    /* One byte more: over. */
    memset(big + REQUEST_HEAD_MAX - 4, 'a', 4);
    memcpy(big + REQUEST_HEAD_MAX - 3, "\r\n\r\n", 4);
    assert_int_equal(request_head(big, REQUEST_HEAD_MAX + 1), HEAD_TOO_LARGE);
    assert_int_equal(request_head(big, REQUEST_HEAD_MAX), HEAD_TOO_LARGE);
    /* Lines: REQUEST_HEAD_LINES of them, then the blank one, is in. */
    size_t n = 0;
    for (unsigned i = 0; i < REQUEST_HEAD_LINES; i++)
        n += (size_t)sprintf(big + n, "a:b\r\n");
    assert_int_equal(request_head(big, n), HEAD_MORE);
    memcpy(big + n, "\r\n", 2);
    assert_int_equal(request_head(big, n + 2), HEAD_DONE);
    memcpy(big + n, "c:d\r\n", 5);
    assert_int_equal(request_head(big, n + 5), HEAD_TOO_LARGE);
}

static const char *fault(const char *text)
{
    return request_head_fault(text, strlen(text));
}

/* Heads that libwebsockets would read its own way are refused first. */
static void test_head_faults(void **state)
{
    (void)state;
    static const char nul_host[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\0.evil\r\n\r\n";

    assert_null(fault("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    assert_null(fault("GET /api/pages?pid=3&l1=%41 HTTP/1.1\r\nHost: a\r\n\r\n"));
    assert_null(fault("POST /api/command HTTP/1.1\r\nHost: a\r\n"
                      "Content-Length: 2\r\n\r\n{}"));
    /* what follows the blank line is a body: any bytes */
    assert_null(request_head_fault("POST / HTTP/1.1\r\n\r\n\0\1", 21));
    assert_non_null(request_head_fault(nul_host, sizeof nul_host - 1));
    assert_non_null(fault("GET / HTTP/1.1\r\nX: a\bb\r\n\r\n"));
    assert_non_null(fault("GET /%00/ HTTP/1.1\r\nHost: a\r\n\r\n"));
    assert_non_null(fault("GET /index.html%0d%0aX: y HTTP/1.1\r\n\r\n"));
    assert_non_null(fault("GET /a%7F HTTP/1.1\r\n\r\n"));
    assert_non_null(fault("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"));
    assert_non_null(fault("POST / HTTP/1.1\r\nContent-Length: 2\r\n"
                          "content-length: 200\r\n\r\n{}"));
    /* a header whose name only starts like one is another header */
    assert_null(fault("GET / HTTP/1.1\r\nHost: a\r\nHostname: b\r\n\r\n"));
}

static bool served(const char *text)
{
    return request_method_served(text, strlen(text));
}

static void test_methods_served(void **state)
{
    (void)state;
    assert_true(served("GET / HTTP/1.1\r\n\r\n"));
    assert_true(served("HEAD / HTTP/1.1\r\n\r\n"));
    assert_true(served("POST /api/command HTTP/1.1\r\n\r\n"));
    assert_true(served("OPTIONS * HTTP/1.1\r\n\r\n"));
    assert_false(served("CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n"));
    assert_false(served("TRACE / HTTP/1.1\r\n\r\n"));
    assert_false(served("PUT / HTTP/1.1\r\n\r\n"));
    assert_false(served("get / HTTP/1.1\r\n\r\n"));   /* methods are case-sensitive */
    assert_false(served("GETX / HTTP/1.1\r\n\r\n"));
    assert_false(served("GET"));
    assert_false(served(""));
}

static void test_file_names(void **state)
{
    static const char *bad[] = {"/../etc/passwd", "/a/../../b", "/.git/config", "//etc",
                                "/a b", "/%2e%2e/x", "/a\\b", "relative"};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct request_verdict v = route(REQ_GET, bad[i], "127.0.0.1", NULL, false, false);
        if (v.route != ROUTE_ANSWER || v.status != 403)
            fail_msg("%s: route %d status %u", bad[i], v.route, v.status);
    }
    assert_true(request_path_ok("/lib/model.js"));
    assert_string_equal(request_mime_type("/lib/model.js"), "text/javascript; charset=utf-8");
    assert_string_equal(request_mime_type("/a.js/b"), "application/octet-stream");
}

int main(void)
{
    access_allow(&allowed, "lab.example");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_may_ask),
        cmocka_unit_test(test_methods_and_bodies),
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_head_length_and_upgrade),
        cmocka_unit_test(test_methods_served),
        cmocka_unit_test(test_head_faults),
        cmocka_unit_test(test_file_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
