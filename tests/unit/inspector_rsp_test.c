/* Unit tests for inspector/rsp.c: framing, checksums, escapes, run-length
 * decoding and reply parsing, on byte strings as QEMU 7.2 sends them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rsp.h"

/* Feeds all of s (chunk bytes at a time, 0 for all at once) and collects
 * the events. Packet payloads are copied out. */
#define MAX_EVENTS 8
struct collected {
    int n;
    enum rsp_event_kind kind[MAX_EVENTS];
    char data[MAX_EVENTS][RSP_MAX_PAYLOAD + 1];
    size_t len[MAX_EVENTS];
    const char *error[MAX_EVENTS];
};

static struct rsp_parser parser;
static struct collected got;

static void feed(const void *s, size_t n, size_t chunk)
{
    const uint8_t *b = s;

    memset(&got, 0, sizeof got);
    rsp_parser_init(&parser);
    for (size_t off = 0; off < n;) {
        size_t want = chunk && chunk < n - off ? chunk : n - off;
        struct rsp_event ev;
        off += rsp_parse(&parser, b + off, want, &ev);
        if (ev.kind == RSP_EV_NONE)
            continue;
        assert_true(got.n < MAX_EVENTS);
        got.kind[got.n] = ev.kind;
        got.error[got.n] = ev.error;
        if (ev.kind == RSP_EV_PACKET) {
            memcpy(got.data[got.n], ev.data, ev.len + 1);
            got.len[got.n] = ev.len;
        }
        got.n++;
    }
}

static void feed_str(const char *s)
{
    feed(s, strlen(s), 0);
}

/* The reply QEMU 7.2 gives to gdb's qSupported, with the '+' before it. */
static const char qemu_supported[] =
    "+$PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+#92";

static void test_qemu_supported_reply(void **state)
{
    struct rsp_features f;

    (void)state;
    feed_str(qemu_supported);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.kind[0], RSP_EV_ACK);
    assert_int_equal(got.kind[1], RSP_EV_PACKET);
    assert_string_equal(got.data[1], "PacketSize=1000;qXfer:features:read+;"
                                     "vContSupported+;multiprocess+");
    assert_int_equal(rsp_parse_supported(got.data[1], got.len[1], &f), 0);
    assert_int_equal(f.packet_size, 4096);
    assert_true(f.xfer_features);
    assert_false(f.no_ack);
}

static void test_supported_features(void **state)
{
    struct rsp_features f;
    const char *s = "qRelocInsn-;QStartNoAckMode+;PacketSize=3fff;swbreak+";

    (void)state;
    assert_int_equal(rsp_parse_supported(s, strlen(s), &f), 0);
    assert_true(f.no_ack);
    assert_false(f.xfer_features);
    assert_int_equal(f.packet_size, 0x3fff);
    s = "PacketSize=zz";
    assert_int_equal(rsp_parse_supported(s, strlen(s), &f), -1);
    s = "PacketSize=8"; /* too small to be real */
    assert_int_equal(rsp_parse_supported(s, strlen(s), &f), -1);
    assert_int_equal(rsp_parse_supported("", 0, &f), 0);
    assert_int_equal(f.packet_size, 0);
}

/* Byte-at-a-time delivery gives the same events as one read. */
static void test_split_feeding(void **state)
{
    (void)state;
    for (size_t chunk = 1; chunk <= 7; chunk++) {
        feed(qemu_supported, strlen(qemu_supported), chunk);
        assert_int_equal(got.n, 2);
        assert_int_equal(got.kind[1], RSP_EV_PACKET);
        assert_int_equal(got.len[1], 66);
    }
}

static void test_checksum_mismatch_then_resync(void **state)
{
    (void)state;
    /* "OK" sums to 0x9a; the first copy says 0x9b. */
    feed_str("$OK#9b$OK#9a");
    assert_int_equal(got.n, 2);
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0], "checksum mismatch");
    assert_int_equal(got.kind[1], RSP_EV_PACKET);
    assert_string_equal(got.data[1], "OK");
}

static void test_checksum_digits(void **state)
{
    (void)state;
    feed_str("$OK#9A"); /* upper-case hex is fine */
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    feed_str("$OK#g1");
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0], "bad checksum digit");
}

static void test_acks_and_junk(void **state)
{
    (void)state;
    feed_str("+\r\n-xx+");
    assert_int_equal(got.n, 3);
    assert_int_equal(got.kind[0], RSP_EV_ACK);
    assert_int_equal(got.kind[1], RSP_EV_NAK);
    assert_int_equal(got.kind[2], RSP_EV_ACK);
    assert_int_equal(parser.skipped, 4);
}

/* A '$' inside a packet: the first was cut off; the second counts. */
static void test_restart_inside_packet(void **state)
{
    (void)state;
    feed_str("$m8000$OK#9a");
    assert_int_equal(got.n, 1);
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_string_equal(got.data[0], "OK");
}

static void test_empty_packet(void **state)
{
    (void)state;
    feed_str("+$#00"); /* QEMU's "unsupported" */
    assert_int_equal(got.n, 2);
    assert_int_equal(got.kind[1], RSP_EV_PACKET);
    assert_int_equal(got.len[1], 0);
}

/* QEMU's 'g' reply at reset (x0..x31 zero, pc 0x80001000), run-length
 * encoded the way gdbserver does it: 258 zeros as 98 + 98 + 62. */
static void test_rle_g_reply(void **state)
{
    char want[265];
    uint8_t regs[132];
    uint64_t pc;

    (void)state;
    memset(want, '0', 258);
    strcpy(want + 258, "100080");
    feed_str("$0*~0*~0*Z100080#8d");
    assert_int_equal(got.n, 1);
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_int_equal(got.len[0], 264);
    assert_string_equal(got.data[0], want);
    assert_int_equal(rsp_hex_decode(got.data[0], got.len[0], regs), 0);
    assert_int_equal(rsp_hex_le(got.data[0] + 256, 8, &pc), 0);
    assert_int_equal(pc, 0x80001000);
}

static void test_rle_edges(void **state)
{
    (void)state;
    feed_str("$0* #7a"); /* the manual's example: "0* " is "0000" */
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_string_equal(got.data[0], "0000");
    feed_str("$* #4a"); /* nothing to repeat */
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0],
                        "run-length encoding with nothing to repeat");
    feed_str("$0*\x1f#79"); /* count below ' ' */
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0], "bad run-length count");
    /* An escaped byte can be repeated: "}]" is '}', then 3 more. */
    feed_str("$}]* #24");
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_string_equal(got.data[0], "}}}}");
}

static void test_escapes(void **state)
{
    (void)state;
    /* '#', '$', '}', '*' escaped as '}' + (byte ^ 0x20). */
    feed_str("$a}\x03}\x04}]}\x0a#c3");
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_string_equal(got.data[0], "a#$}*");
}

static void test_frame_known_packets(void **state)
{
    char out[64];
    size_t n;

    (void)state;
    n = rsp_frame("?", 1, out, sizeof out);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "$?#3f", 5);
    n = rsp_frame("g", 1, out, sizeof out);
    assert_memory_equal(out, "$g#67", n);
    n = rsp_frame("m80000000,800", 13, out, sizeof out);
    assert_int_equal(n, 17);
    assert_memory_equal(out, "$m80000000,800#b9", 17);
    n = rsp_frame("a#$}*", 5, out, sizeof out);
    assert_memory_equal(out, "$a}\x03}\x04}]}\x0a#c3", n);
    assert_int_equal(rsp_frame("abc", 3, out, 6), 0); /* needs 7 */
    assert_int_equal(rsp_frame("abc", 3, out, 7), 7);
}

/* Every byte value survives framing and parsing. */
static void test_binary_round_trip(void **state)
{
    uint8_t bytes[512];
    static char framed[2 * sizeof bytes + 4];

    (void)state;
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 7);
    size_t n = rsp_frame(bytes, sizeof bytes, framed, sizeof framed);
    assert_true(n > sizeof bytes + 4);
    feed(framed, n, 3);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.kind[0], RSP_EV_PACKET);
    assert_int_equal(got.len[0], sizeof bytes);
    assert_memory_equal(got.data[0], bytes, sizeof bytes);
}

static void test_oversized_packet(void **state)
{
    size_t n = RSP_MAX_PAYLOAD + 10;
    char *s = malloc(n + 4);

    (void)state;
    s[0] = '$';
    memset(s + 1, 'a', n);
    memcpy(s + 1 + n, "#00", 3);
    feed(s, n + 4, 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0], "packet longer than RSP_MAX_PAYLOAD");
    /* Run-length expansion is bounded the same way. */
    feed_str("$0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~0*~"
             "#00");
    assert_int_equal(got.kind[0], RSP_EV_BAD);
    assert_string_equal(got.error[0], "packet longer than RSP_MAX_PAYLOAD");
    free(s);
}

static void test_stop_t05_thread(void **state)
{
    struct rsp_stop st;

    (void)state;
    feed_str("+$T05thread:p01.01;#06"); /* QEMU's answer to '?' */
    assert_int_equal(got.kind[1], RSP_EV_PACKET);
    assert_int_equal(rsp_parse_stop(got.data[1], got.len[1], &st), 0);
    assert_int_equal(st.kind, RSP_STOP_SIGNAL);
    assert_int_equal(st.signal, 5);
    assert_string_equal(st.thread, "p01.01");
    assert_int_equal(st.reason, RSP_REASON_NONE);
    assert_int_equal(st.nregs, 0);
}

static void test_stop_watch_and_registers(void **state)
{
    struct rsp_stop st;
    const char *s = "T05watch:80001ffc;20:00100080;02:f0ff0f80;core:0;"
                    "thread:01;";

    (void)state;
    assert_int_equal(rsp_parse_stop(s, strlen(s), &st), 0);
    assert_int_equal(st.reason, RSP_REASON_WATCH);
    assert_int_equal(st.watch_addr, 0x80001ffc);
    assert_string_equal(st.thread, "01");
    assert_int_equal(st.nregs, 2);
    assert_int_equal(st.regs[0].num, 32);
    assert_int_equal(st.regs[0].value, 0x80001000);
    assert_int_equal(st.regs[1].num, 2);
    assert_int_equal(st.regs[1].value, 0x800ffff0);
    s = "T05awatch:10;";
    assert_int_equal(rsp_parse_stop(s, strlen(s), &st), 0);
    assert_int_equal(st.reason, RSP_REASON_AWATCH);
    s = "T05swbreak:;thread:01;";
    assert_int_equal(rsp_parse_stop(s, strlen(s), &st), 0);
    assert_int_equal(st.reason, RSP_REASON_SWBREAK);
    s = "T02"; /* interrupted (0x03), no fields */
    assert_int_equal(rsp_parse_stop(s, strlen(s), &st), 0);
    assert_int_equal(st.signal, 2);
}

static void test_stop_other_kinds(void **state)
{
    struct rsp_stop st;

    (void)state;
    assert_int_equal(rsp_parse_stop("S05", 3, &st), 0);
    assert_int_equal(st.kind, RSP_STOP_SIGNAL);
    assert_int_equal(rsp_parse_stop("W00", 3, &st), 0); /* QEMU quits */
    assert_int_equal(st.kind, RSP_STOP_EXITED);
    assert_int_equal(st.signal, 0);
    assert_int_equal(rsp_parse_stop("X09;process:1", 13, &st), 0);
    assert_int_equal(st.kind, RSP_STOP_TERMINATED);
    assert_int_equal(st.signal, 9);
}

static void test_stop_malformed(void **state)
{
    struct rsp_stop st;
    static const char *bad[] = {
        "", "T", "T5", "S5", "Q05", "S05x", "W00x", "OK", "E14",
        "T05thread", /* field without ':' */
        "T05watch:zz;",
        "T05thread:0123456789012345678901234567890123456789;",
        "T05100000000:00;", /* register number past 32 bits */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(rsp_parse_stop(bad[i], strlen(bad[i]), &st), -1);
}

/* Registers past RSP_STOP_MAX_REGS, or wider than 64 bits, are dropped. */
static void test_stop_register_limits(void **state)
{
    struct rsp_stop st;
    const char *s = "T0501:01000000;02:02000000;03:03000000;04:04000000;"
                    "05:05000000;06:06000000;07:07000000;08:08000000;"
                    "09:09000000;21:000102030405060708;thread:01;";

    (void)state;
    assert_int_equal(rsp_parse_stop(s, strlen(s), &st), 0);
    assert_int_equal(st.nregs, RSP_STOP_MAX_REGS);
    assert_int_equal(st.regs[7].value, 8);
    assert_string_equal(st.thread, "01");
}

static void test_hex(void **state)
{
    char out[9];
    uint8_t b[4];
    uint64_t v;

    (void)state;
    rsp_hex_encode("\x12\xab\x00\xff", 4, out);
    assert_string_equal(out, "12ab00ff");
    assert_int_equal(rsp_hex_decode("12AB00ff", 8, b), 0);
    assert_memory_equal(b, "\x12\xab\x00\xff", 4);
    assert_int_equal(rsp_hex_decode("123", 3, b), -1);
    assert_int_equal(rsp_hex_decode("1g", 2, b), -1);
    assert_int_equal(rsp_hex_u64("ffffffffffffffff", 16, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(rsp_hex_u64("10000000000000000", 17, &v), -1);
    assert_int_equal(rsp_hex_u64("", 0, &v), -1);
    assert_int_equal(rsp_hex_le("00100080", 8, &v), 0);
    assert_int_equal(v, 0x80001000);
    assert_int_equal(rsp_hex_le("xxxxxxxx", 8, &v), -1); /* unavailable */
    assert_int_equal(rsp_hex_le("001", 3, &v), -1);
}

static void test_reply_kinds(void **state)
{
    (void)state;
    assert_true(rsp_is_error("E14", 3));
    assert_true(rsp_is_error("E.no memory", 11));
    assert_false(rsp_is_error("E1", 2));
    assert_false(rsp_is_error("E1x", 3));
    assert_false(rsp_is_error("e14", 3));
    assert_true(rsp_is_ok("OK", 2));
    assert_false(rsp_is_ok("OK;", 3));
    assert_false(rsp_is_ok("", 0));
}

static void test_vcont(void **state)
{
    (void)state;
    assert_int_equal(rsp_parse_vcont("vCont;c;C;s;S", 13),
                     RSP_VCONT_C | RSP_VCONT_S);
    assert_int_equal(rsp_parse_vcont("vCont;c;C", 9), RSP_VCONT_C);
    assert_int_equal(rsp_parse_vcont("vCont;t;r", 9), 0);
    assert_int_equal(rsp_parse_vcont("", 0), 0);
    assert_int_equal(rsp_parse_vcont("vContc", 6), 0);
}

static void test_xfer(void **state)
{
    const char *data;
    size_t n;

    (void)state;
    assert_int_equal(rsp_parse_xfer("l<target/>", 10, &data, &n), 0);
    assert_int_equal(n, 9);
    assert_memory_equal(data, "<target/>", 9);
    assert_int_equal(rsp_parse_xfer("m<tar", 5, &data, &n), 1);
    assert_int_equal(n, 4);
    assert_int_equal(rsp_parse_xfer("l", 1, &data, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(rsp_parse_xfer("E00", 3, &data, &n), -1);
    assert_int_equal(rsp_parse_xfer("", 0, &data, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_supported_reply),
        cmocka_unit_test(test_supported_features),
        cmocka_unit_test(test_split_feeding),
        cmocka_unit_test(test_checksum_mismatch_then_resync),
        cmocka_unit_test(test_checksum_digits),
        cmocka_unit_test(test_acks_and_junk),
        cmocka_unit_test(test_restart_inside_packet),
        cmocka_unit_test(test_empty_packet),
        cmocka_unit_test(test_rle_g_reply),
        cmocka_unit_test(test_rle_edges),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_frame_known_packets),
        cmocka_unit_test(test_binary_round_trip),
        cmocka_unit_test(test_oversized_packet),
        cmocka_unit_test(test_stop_t05_thread),
        cmocka_unit_test(test_stop_watch_and_registers),
        cmocka_unit_test(test_stop_other_kinds),
        cmocka_unit_test(test_stop_malformed),
        cmocka_unit_test(test_stop_register_limits),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_reply_kinds),
        cmocka_unit_test(test_vcont),
        cmocka_unit_test(test_xfer),
    };
    return cmocka_run_group_tests_name("inspector_rsp", tests, NULL, NULL);
}
