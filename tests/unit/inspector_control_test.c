/* Unit tests for inspector/control.c: parsing and validating commands from
 * the page, with fake name lookups standing in for the kernel's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "control.h"

static int fake_event(void *ctx, const char *name)
{
    static const char *kinds[] = {"none", "fork", "exec", "exit", "cow_fault",
                                  "page_fault", "syscall", "trap", "switch"};
    (void)ctx;
    for (int i = 0; i < (int)(sizeof kinds / sizeof *kinds); i++)
        if (!strcmp(name, kinds[i]))
            return i;
    return -1;
}

static int fake_syscall(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "write") ? 16 : !strcmp(name, "fork") ? 1 : -1;
}

static int fake_function(void *ctx, const char *name, uint32_t *addr)
{
    (void)ctx;
    *addr = 0x80001e94u;
    return !strcmp(name, "cow_fault") ? 1 : !strcmp(name, "ticks") ? -1 : 0;
}

static const struct control_names names = {fake_event, fake_syscall,
                                           fake_function, NULL, 0x80000000u};

/* Parse text; returns what control_parse returned, err in *err. */
static int parse(const char *text, bool rest, struct command *cmd, char *err)
{
    json_error_t je;
    json_t *obj = json_loads(text, 0, &je);

    assert_non_null(obj);
    int r = control_parse(obj, rest, &names, cmd, err, 256);
    json_decref(obj);
    return r;
}

static void expect_error(const char *text, const char *fragment)
{
    struct command cmd;
    char err[256] = "";

    assert_int_equal(parse(text, false, &cmd, err), -1);
    if (!strstr(err, fragment))
        fail_msg("error for %s was '%s', expected it to mention '%s'", text,
                 err, fragment);
    command_clear(&cmd);
}

static void test_simple_commands(void **state)
{
    static const struct {
        const char *name;
        enum command_kind kind;
    } cases[] = {
        {"snapshot", CMD_SNAPSHOT}, {"pause", CMD_PAUSE},
        {"continue", CMD_CONTINUE}, {"step", CMD_STEP},
        {"step_line", CMD_STEP_LINE}, {"unwatch", CMD_UNWATCH},
        {"restart", CMD_RESTART}, {"history", CMD_HISTORY},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[128], err[256];
        struct command cmd;
        snprintf(text, sizeof text, "{\"type\":\"command\",\"id\":%zu,\"cmd\":\"%s\"}",
                 i, cases[i].name);
        assert_int_equal(parse(text, false, &cmd, err), 0);
        assert_int_equal(cmd.kind, cases[i].kind);
        assert_true(json_is_integer(cmd.id));
        assert_int_equal(json_integer_value(cmd.id), (json_int_t)i);
        assert_string_equal(command_name(cmd.kind), cases[i].name);
        command_clear(&cmd);
    }
}

static void test_read_only(void **state)
{
    (void)state;
    assert_true(command_read_only(CMD_SNAPSHOT));
    /* Viewers may read the history and a snapshot's detail without moving
     * the guest. */
    assert_true(command_read_only(CMD_HISTORY));
    assert_true(command_read_only(CMD_HISTORY_GET));
    assert_true(command_read_only(CMD_PAGES));
    assert_true(command_read_only(CMD_FRAMES));
    for (int k = 0; k < CMD_COUNT; k++)
        if (k != CMD_SNAPSHOT && k != CMD_HISTORY && k != CMD_HISTORY_GET &&
            k != CMD_PAGES && k != CMD_FRAMES)
            assert_false(command_read_only((enum command_kind)k));
    assert_false(command_read_only(CMD_COUNT));
}

static void test_history_get(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"history_get\",\"seq\":12}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_HISTORY_GET);
    assert_int_equal(cmd.seq, 12);
    command_clear(&cmd);
    expect_error("{\"type\":\"command\",\"cmd\":\"history_get\"}", "missing argument 'seq'");
    expect_error("{\"type\":\"command\",\"cmd\":\"history_get\",\"seq\":-1}", "'seq'");
    expect_error("{\"type\":\"command\",\"cmd\":\"history_get\",\"seq\":\"3\"}", "'seq'");
    expect_error("{\"type\":\"command\",\"cmd\":\"history\",\"seq\":3}", "takes no argument 'seq'");
}

static void test_detail_commands(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"pages\",\"pid\":3,\"l1\":511}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_PAGES);
    assert_int_equal(cmd.pid, 3);
    assert_int_equal(cmd.l1, 511);
    command_clear(&cmd);
    assert_int_equal(parse("{\"cmd\":\"frames\",\"from\":100,\"count\":64}", true, &cmd,
                           err), 0);
    assert_int_equal(cmd.kind, CMD_FRAMES);
    assert_int_equal(cmd.from, 100);
    assert_int_equal(cmd.count, 64);
    command_clear(&cmd);
    expect_error("{\"type\":\"command\",\"cmd\":\"pages\",\"pid\":3}", "missing argument 'l1'");
    expect_error("{\"type\":\"command\",\"cmd\":\"pages\",\"pid\":3,\"l1\":1024}",
                 "'l1' must be an integer from 0 to 1023");
    expect_error("{\"type\":\"command\",\"cmd\":\"frames\",\"from\":-1,\"count\":1}",
                 "'from' must be");
}

static void test_ids(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"pause\"}", false, &cmd, err), 0);
    assert_null(cmd.id);
    assert_int_equal(parse("{\"type\":\"command\",\"id\":\"abc\",\"cmd\":\"pause\"}", false, &cmd, err), 0);
    assert_string_equal(json_string_value(cmd.id), "abc");
    command_clear(&cmd);
    expect_error("{\"type\":\"command\",\"id\":[1],\"cmd\":\"pause\"}", "'id'");
    expect_error("{\"type\":\"command\",\"id\":{},\"cmd\":\"pause\"}", "'id'");
    /* The id survives a bad command, for the error reply. */
    assert_int_equal(parse("{\"type\":\"command\",\"id\":7,\"cmd\":\"nope\"}", false, &cmd, err), -1);
    assert_int_equal(json_integer_value(cmd.id), 7);
    command_clear(&cmd);
}

static void test_type_and_cmd(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    expect_error("{\"cmd\":\"pause\"}", "missing 'type'");
    expect_error("{\"type\":\"hello\",\"cmd\":\"pause\"}", "'type'");
    expect_error("{\"type\":\"command\"}", "missing 'cmd'");
    expect_error("{\"type\":\"command\",\"cmd\":5}", "'cmd' must be a string");
    expect_error("{\"type\":\"command\",\"cmd\":\"frobnicate\"}", "unknown command 'frobnicate'");
    expect_error("{\"type\":\"command\",\"cmd\":\"pause\",\"extra\":1}", "takes no argument 'extra'");
    expect_error("[1,2]", "JSON object");
    /* REST bodies may leave out the type. */
    assert_int_equal(parse("{\"cmd\":\"pause\"}", true, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_PAUSE);
    command_clear(&cmd);
}

static void test_break(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"break\",\"function\":\"cow_fault\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_BREAK);
    assert_string_equal(cmd.function, "cow_fault");
    assert_int_equal(cmd.addr, 0x80001e94u);
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"unbreak\",\"function\":\"cow_fault\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_UNBREAK);
    expect_error("{\"type\":\"command\",\"cmd\":\"break\"}", "missing argument 'function'");
    expect_error("{\"type\":\"command\",\"cmd\":\"break\",\"function\":\"nope\"}", "no kernel function 'nope'");
    expect_error("{\"type\":\"command\",\"cmd\":\"break\",\"function\":\"ticks\"}", "'ticks' is kernel data");
    expect_error("{\"type\":\"command\",\"cmd\":\"break\",\"function\":3}", "must be a string");
    expect_error("{\"type\":\"command\",\"cmd\":\"break\",\"function\":\"\"}", "1 to");
    expect_error("{\"type\":\"command\",\"cmd\":\"break\",\"function\":\"a b\"}", "printable");
}

static void test_run_to(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"cow_fault\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.event_kind, 4);
    assert_int_equal(cmd.syscall, -1);
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"syscall\",\"syscall\":\"write\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.event_kind, 6);
    assert_int_equal(cmd.syscall, 16);
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"syscall\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.syscall, -1);
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"forks\"}", "unknown event kind 'forks'");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"none\"}", "unknown event kind 'none'");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\"}", "missing argument 'event'");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"syscall\",\"syscall\":\"nope\"}",
                 "unknown system call 'nope'");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"fork\",\"syscall\":\"write\"}",
                 "only with event 'syscall'");
    /* narrowed to one process: by pid or by program name */
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"cow_fault\",\"pid\":3}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.pid, 3);
    assert_string_equal(cmd.program, "");
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"cow_fault\",\"program\":\"cowtest\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.pid, 0);
    assert_string_equal(cmd.program, "cowtest");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"fork\",\"pid\":0}", "positive integer");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"fork\",\"pid\":\"3\"}", "positive integer");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"fork\",\"program\":\"\"}", "1 to");
    expect_error("{\"type\":\"command\",\"cmd\":\"run_to\",\"event\":\"fork\",\"pid\":3,\"program\":\"sh\"}",
                 "not both");
}

static void test_watch(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":\"0x00005000\"}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.pid, 3);
    assert_int_equal(cmd.va, 0x5000);
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":20480}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.va, 0x5000);
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"va\":\"0x5000\"}", "missing argument 'pid'");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3}", "missing argument 'va'");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":0,\"va\":\"0x5000\"}", "positive");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":-2,\"va\":\"0x5000\"}", "positive");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":\"3\",\"va\":\"0x5000\"}", "positive");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":\"0x80001000\"}", "user address");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":\"0xzz\"}", "'va'");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":\"0x123456789\"}", "'va'");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":-1}", "'va'");
    expect_error("{\"type\":\"command\",\"cmd\":\"watch\",\"pid\":3,\"va\":1.5}", "'va'");
}

static void test_sample(void **state)
{
    struct command cmd;
    char err[256];

    (void)state;
    assert_int_equal(parse("{\"type\":\"command\",\"cmd\":\"sample\",\"hz\":4}",
                           false, &cmd, err), 0);
    assert_int_equal(cmd.kind, CMD_SAMPLE);
    assert_int_equal(cmd.hz, 4);
    command_clear(&cmd);
    assert_int_equal(parse("{\"cmd\":\"sample\",\"hz\":0}", true, &cmd, err), 0);
    assert_int_equal(cmd.hz, 0);
    command_clear(&cmd);
    expect_error("{\"type\":\"command\",\"cmd\":\"sample\"}", "'hz'");
    expect_error("{\"type\":\"command\",\"cmd\":\"sample\",\"hz\":11}", "0 to 10");
    expect_error("{\"type\":\"command\",\"cmd\":\"sample\",\"hz\":-1}", "'hz'");
    expect_error("{\"type\":\"command\",\"cmd\":\"sample\",\"hz\":\"4\"}", "'hz'");
}

static void test_parse_addr(void **state)
{
    uint32_t a;
    json_t *v;

    (void)state;
    v = json_string("0xFFFFFFFF");
    assert_int_equal(control_parse_addr(v, &a), 0);
    assert_int_equal(a, 0xffffffffu);
    json_decref(v);
    v = json_string("4294967296");
    assert_int_equal(control_parse_addr(v, &a), -1);
    json_decref(v);
    v = json_string("0x");
    assert_int_equal(control_parse_addr(v, &a), -1);
    json_decref(v);
    v = json_string("");
    assert_int_equal(control_parse_addr(v, &a), -1);
    json_decref(v);
    v = json_integer(4294967296LL);
    assert_int_equal(control_parse_addr(v, &a), -1);
    json_decref(v);
    assert_int_equal(control_parse_addr(json_null(), &a), -1);
}

static void test_replies(void **state)
{
    json_t *id = json_integer(7);
    json_t *r;

    (void)state;
    r = control_reply_ok(id);
    assert_string_equal(json_string_value(json_object_get(r, "type")), "reply");
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
    json_decref(r);
    r = control_reply_error(NULL, "bad %s", "thing");
    assert_true(json_is_false(json_object_get(r, "ok")));
    assert_null(json_object_get(r, "id"));
    assert_string_equal(json_string_value(json_object_get(r, "error")), "bad thing");
    json_decref(r);
    /* Half a UTF-8 sequence at the end of a quoted name is dropped. */
    r = control_reply_error(id, "x %.2s", "\xc3\xa9\xc3\xa9");
    assert_non_null(json_object_get(r, "error"));
    json_decref(r);
    r = control_reply_error(id, "x %.3s", "\xc3\xa9\xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(r, "error")), "x \xc3\xa9");
    json_decref(r);
    json_decref(id);
}

/* A WebSocket message taken apart: what it is, and whether a client that
 * has not said hello yet is taken as a viewer that did. */
static void message(const char *text, int want, enum message_kind kind,
                    bool not_hello, const char *fragment)
{
    struct message m;
    char err[256] = "";
    int r = control_message(text, strlen(text), &m, err, sizeof err);

    if (r != want)
        fail_msg("%s: %d (%s), expected %d", text, r, err, want);
    if (r == 0)
        assert_int_equal(m.kind, kind);
    assert_int_equal(m.not_hello, not_hello);
    if (fragment && !strstr(err, fragment))
        fail_msg("error for %s was '%s', expected '%s'", text, err, fragment);
    control_message_clear(&m);
}

static void test_messages(void **state)
{
    struct message m;
    char err[256];
    (void)state;
    message("{\"type\":\"hello\"}", 0, MSG_HELLO, false, NULL);
    message("{\"type\":\"hello\",\"role\":\"boss\"}", -1, 0, false, "'role'");
    message("{\"type\":\"hello\",\"token\":1}", -1, 0, false, "'token'");
    message("{\"type\":\"command\",\"cmd\":\"pause\"}", 0, MSG_COMMAND, true, NULL);
    message("{\"type\":\"console\",\"data\":\"ls\\n\"}", 0, MSG_CONSOLE, true, NULL);
    message("{\"type\":\"console\",\"data\":7}", -1, 0, true, "'data'");
    message("{\"type\":\"wat\"}", -1, 0, true, "unknown message type 'wat'");
    message("{\"no\":\"type\"}", -1, 0, false, "\"type\"");
    message("[1]", -1, 0, false, "object");
    message("{nope", -1, 0, false, "not JSON");
    message("{\"type\":\"hello\",\"type\":\"command\"}", -1, 0, false, "not JSON");
    const char hello[] = "{\"type\":\"hello\",\"role\":\"controller\",\"token\":\"t\"}";
    assert_int_equal(control_message(hello, strlen(hello), &m, err, sizeof err), 0);
    assert_true(m.controller);
    assert_string_equal(m.token, "t");
    control_message_clear(&m);
    message("{\"type\":\"console\",\"data\":\"a\\u0000b\"}", -1, 0, false, "not JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_commands), cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_history_get), cmocka_unit_test(test_detail_commands),
        cmocka_unit_test(test_ids), cmocka_unit_test(test_type_and_cmd),
        cmocka_unit_test(test_break), cmocka_unit_test(test_run_to),
        cmocka_unit_test(test_watch), cmocka_unit_test(test_sample),
        cmocka_unit_test(test_parse_addr),
        cmocka_unit_test(test_replies), cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests_name("inspector control", tests, NULL, NULL);
}
