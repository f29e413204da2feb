/* Unit tests for inspector/rsp_conn.c against a scripted gdb stub that
 * answers like QEMU 7.2 (and misbehaves on request: NAKs, corrupt
 * checksums, replies ahead of acks, silence, hang-ups). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rsp_conn.h"
#include "rsp_stub.h"

static char err[256];

/* Connects a client to s over a socketpair. */
static struct rsp_conn *start(struct stub *s, int timeout_ms)
{
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    s->fd = sv[0];
    assert_int_equal(pthread_create(&s->thread, NULL, stub_main, s), 0);
    return rsp_conn_adopt(sv[1], timeout_ms, err, sizeof err);
}

static void finish(struct stub *s, struct rsp_conn *c)
{
    rsp_conn_close(c);
    pthread_join(s->thread, NULL);
    close(s->fd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s);
}

static bool logged(const struct stub *s, const char *packet)
{
    for (int i = 0; i < s->nlog; i++)
        if (strcmp(s->log[i], packet) == 0)
            return true;
    return false;
}

static void assert_error_has(struct rsp_conn *c, const char *want)
{
    if (!strstr(rsp_conn_error(c), want))
        fail_msg("error \"%s\" does not contain \"%s\"", rsp_conn_error(c),
                 want);
}

static void test_handshake(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    const struct tdesc *t;

    (void)state;
    assert_non_null(c);
    t = rsp_conn_tdesc(c);
    assert_string_equal(t->arch, "riscv:rv32");
    assert_int_equal(t->nregs, 35);
    assert_int_equal(tdesc_find(t, "pc")->regnum, 32);
    assert_int_equal(tdesc_find(t, "satp")->regnum, 450);
    assert_true(starts(s->log[0], "qSupported:"));
    assert_string_equal(s->log[1], "vCont?");
    assert_string_equal(s->log[2], "qXfer:features:read:target.xml:0,ffb");
    assert_true(logged(s, "qXfer:features:read:cpu.xml:40,ffb"));
    assert_string_equal(s->log[s->nlog - 2], "Qqemu.PhyMemMode:0");
    assert_string_equal(s->log[s->nlog - 1], "?");
    assert_false(rsp_conn_running(c));
    assert_int_equal(rsp_conn_stats(c)->round_trips, (uint64_t)s->nlog);
    assert_int_equal(rsp_conn_stats(c)->retransmits, 0);
    finish(s, c);
}

static void test_read_mem_in_2048_byte_pieces(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    static uint8_t buf[5000];

    (void)state;
    assert_non_null(c);
    uint64_t trips = rsp_conn_stats(c)->round_trips;
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE + 100, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem + 100, sizeof buf);
    assert_int_equal(s->n_m, 3);
    assert_int_equal(s->max_m, 2048);
    /* the three requests go out together: one round trip */
    assert_int_equal(rsp_conn_stats(c)->round_trips - trips, 1);
    finish(s, c);
}

static void test_small_packet_size(void **state)
{
    struct stub *s = stub_new();
    uint8_t buf[250];

    (void)state;
    s->supported = "PacketSize=c8;qXfer:features:read+";
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_true(logged(s, "qXfer:features:read:target.xml:0,c3"));
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    assert_int_equal(s->n_m, 3);
    assert_int_equal(s->max_m, 100);
    finish(s, c);
}

static void test_short_reads_continue(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    uint8_t buf[1000];

    (void)state;
    assert_non_null(c);
    s->short_reads = true;
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE + 3, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem + 3, sizeof buf);
    assert_true(s->n_m > 1);
    finish(s, c);
}

static void test_read_mem_error(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    uint8_t buf[16];
    uint64_t v;

    (void)state;
    assert_non_null(c);
    assert_int_equal(rsp_conn_read_mem(c, 0x10000000, buf, sizeof buf), -1);
    assert_string_equal(rsp_conn_error(c),
                        "cannot read 16 bytes at 0x10000000: 'E14'");
    /* An error reply leaves the connection usable. */
    assert_int_equal(rsp_conn_read_reg(c, 32, &v), 0);
    finish(s, c);
}

static void test_write_mem(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    static uint8_t data[3000];

    (void)state;
    assert_non_null(c);
    memset(data, 0xa5, sizeof data);
    data[0] = '$'; /* hex-encoded, so nothing needs escaping */
    assert_int_equal(rsp_conn_write_mem(c, MEM_BASE + 10, data, sizeof data),
                     0);
    assert_memory_equal(s->mem + 10, data, sizeof data);
    assert_true(s->max_M <= (4096 - 40) / 2);
    assert_int_equal(rsp_conn_write_mem(c, 0x1000, data, 4), -1);
    assert_error_has(c, "answered 'E14' to 'M1000,4:");
    finish(s, c);
}

static void test_registers(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    uint8_t regs[256];
    size_t n;
    uint64_t v;

    (void)state;
    assert_non_null(c);
    assert_int_equal(rsp_conn_read_reg_named(c, "satp", &v), 0);
    assert_int_equal(v, 0x800001c2);
    assert_true(logged(s, "p1c2"));
    assert_int_equal(rsp_conn_read_reg_named(c, "pc", &v), 0);
    assert_int_equal(v, 0x80000020);
    assert_int_equal(rsp_conn_read_reg_named(c, "mepc", &v), -1);
    assert_string_equal(rsp_conn_error(c),
                        "the target description has no register mepc");
    assert_int_equal(rsp_conn_read_reg(c, 1000, &v), -1);
    assert_string_equal(rsp_conn_error(c),
                        "register 1000 cannot be read: 'no such register'");
    /* 'g' comes back run-length encoded. */
    assert_int_equal(rsp_conn_read_gregs(c, regs, sizeof regs, &n), 0);
    assert_int_equal(n, 132);
    assert_memory_equal(regs + 128, "\x00\x10\x00\x80", 4);
    assert_int_equal(rsp_conn_read_gregs(c, regs, 100, &n), -1);
    finish(s, c);
}

static void test_pipelined_reads(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    static uint8_t a[3000], b[16], d[4];
    static const char *const names[] = {"satp", "pc"};
    uint64_t v[2];

    (void)state;
    assert_non_null(c);
    uint64_t trips = rsp_conn_stats(c)->round_trips;
    const struct rsp_read reads[] = {
        {MEM_BASE, a, sizeof a}, {MEM_BASE + 5000, b, sizeof b}, {MEM_BASE + 64, d, sizeof d}};
    assert_int_equal(rsp_conn_read_many(c, reads, 3), 0);
    assert_memory_equal(a, s->mem, sizeof a);
    assert_memory_equal(b, s->mem + 5000, sizeof b);
    assert_memory_equal(d, s->mem + 64, sizeof d);
    /* four 'm' packets (3000 bytes take two), all sent before any reply */
    assert_int_equal(s->n_m, 4);
    assert_int_equal(rsp_conn_stats(c)->round_trips - trips, 1);
    assert_int_equal(rsp_conn_read_regs_named(c, names, v, 2), 0);
    assert_int_equal(v[0], 0x800001c2);
    assert_int_equal(v[1], 0x80000020);
    assert_int_equal(rsp_conn_stats(c)->round_trips - trips, 2);
    static const char *const bad[] = {"pc", "mepc"};
    assert_int_equal(rsp_conn_read_regs_named(c, bad, v, 2), -1);
    assert_string_equal(rsp_conn_error(c), "the target description has no register mepc");
    finish(s, c);
}

static void test_breakpoints_and_qemu_packets(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);

    (void)state;
    assert_non_null(c);
    assert_int_equal(rsp_conn_insert(c, RSP_BREAK_SW, 0x80000100, 4), 0);
    assert_int_equal(rsp_conn_remove(c, RSP_BREAK_SW, 0x80000100, 4), 0);
    assert_int_equal(rsp_conn_insert(c, RSP_WATCH_WRITE, 0x80001ffc, 4), 0);
    assert_int_equal(rsp_conn_remove(c, RSP_WATCH_WRITE, 0x80001ffc, 4), 0);
    assert_true(logged(s, "Z0,80000100,4"));
    assert_true(logged(s, "z0,80000100,4"));
    assert_true(logged(s, "Z2,80001ffc,4"));
    assert_true(logged(s, "z2,80001ffc,4"));
    assert_int_equal(rsp_conn_insert(c, RSP_WATCH_READ, 0x80001ffc, 4), -1);
    assert_string_equal(rsp_conn_error(c),
                        "the gdb stub does not support 'Z3,80001ffc,4'");
    assert_int_equal(rsp_conn_set_phys_mode(c, true), 0);
    assert_true(logged(s, "Qqemu.PhyMemMode:1"));
    assert_int_equal(rsp_conn_set_sstep(c, RSP_SSTEP_ENABLE), 0);
    assert_true(logged(s, "Qqemu.sstep=1"));
    assert_int_equal(rsp_conn_detach(c), 0);
    assert_string_equal(s->log[s->nlog - 1], "D");
    finish(s, c);
}

static void test_continue_poll_interrupt(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    struct rsp_stop st;
    uint8_t b;

    (void)state;
    assert_non_null(c);
    assert_int_equal(rsp_conn_interrupt(c), -1); /* not running */
    assert_int_equal(rsp_conn_continue(c), 0);
    assert_true(rsp_conn_running(c));
    assert_int_equal(rsp_conn_continue(c), -1);
    assert_int_equal(rsp_conn_poll_stop(c, &st), 0);
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, &b, 1), -1);
    assert_error_has(c, "the target is running");
    assert_int_equal(rsp_conn_interrupt(c), 0);
    assert_int_equal(rsp_conn_wait_stop(c, 2000, &st), 1);
    assert_int_equal(st.kind, RSP_STOP_SIGNAL);
    assert_int_equal(st.signal, 2);
    assert_false(rsp_conn_running(c));
    assert_true(logged(s, "vCont;c"));
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, &b, 1), 0);
    assert_int_equal(rsp_conn_wait_stop(c, 10, &st), -1); /* not running */
    finish(s, c);
}

/* Without vCont, plain 's' and 'c'. */
static void test_step_without_vcont(void **state)
{
    struct stub *s = stub_new();
    struct rsp_stop st;

    (void)state;
    s->vcont = "";
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_int_equal(rsp_conn_step(c), 0);
    assert_int_equal(rsp_conn_wait_stop(c, 2000, &st), 1);
    assert_int_equal(st.signal, 5);
    assert_string_equal(st.thread, "01");
    assert_true(logged(s, "s"));
    assert_false(logged(s, "vCont;s"));
    assert_int_equal(rsp_conn_continue(c), 0);
    assert_int_equal(rsp_conn_interrupt(c), 0);
    assert_int_equal(rsp_conn_wait_stop(c, 2000, &st), 1);
    assert_true(logged(s, "c"));
    assert_int_equal(rsp_conn_halt_reason(c, &st), 0);
    assert_int_equal(st.signal, 5);
    finish(s, c);
}

static void test_nak_resends(void **state)
{
    struct stub *s = stub_new();

    (void)state;
    s->nak_first = true;
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_int_equal(rsp_conn_stats(c)->retransmits, 1);
    assert_true(starts(s->log[1], "qSupported:")); /* the same, again */
    finish(s, c);
}

static void test_corrupt_reply_is_nakked(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    uint8_t buf[64];

    (void)state;
    assert_non_null(c);
    s->corrupt_first_m = true;
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    assert_int_equal(s->naks, 1);
    finish(s, c);
}

static void test_reply_before_ack(void **state)
{
    struct stub *s = stub_new();
    uint8_t buf[3000];
    uint64_t v;

    (void)state;
    s->reply_before_ack = true;
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    assert_int_equal(rsp_conn_read_reg_named(c, "satp", &v), 0);
    assert_int_equal(v, 0x800001c2);
    finish(s, c);
}

static void test_no_ack_mode(void **state)
{
    struct stub *s = stub_new();
    uint8_t buf[3000];

    (void)state;
    s->supported = QEMU_SUPPORTED ";QStartNoAckMode+";
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_string_equal(s->log[1], "QStartNoAckMode");
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    /* Only the '+' for the OK to QStartNoAckMode itself. */
    assert_int_equal(s->acks_after_no_ack, 1);
    finish(s, c);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_stop_notice_on_attach(void **state)
{
    struct stub *s = stub_new();
    struct rsp_stop st;
    uint8_t buf[16];

    (void)state;
    s->greeting = "$T02thread:01;#04";
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_int_equal(tdesc_find(rsp_conn_tdesc(c), "satp")->regnum, 450);
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    assert_int_equal(rsp_conn_halt_reason(c, &st), 0);
    assert_int_equal(st.signal, 5);
    finish(s, c);
}

/* The notice may also come just before the reply to '?', which then waits
 * in line ahead of the next request's reply. */
static void test_stop_notice_twice(void **state)
{
    struct stub *s = stub_new();
    uint64_t v;

    (void)state;
    s->greeting = "$T02thread:01;#04$T02thread:01;#04";
    struct rsp_conn *c = start(s, 2000);
    assert_non_null(c);
    assert_int_equal(rsp_conn_read_reg_named(c, "satp", &v), 0);
    assert_int_equal(v, 0x800001c2);
    assert_int_equal(rsp_conn_read_reg_named(c, "pc", &v), 0);
    assert_int_equal(v, 0x80000020);
    finish(s, c);
}

static void test_exit_notice(void **state)
{
    struct stub *s = stub_new();

    (void)state;
    s->greeting = "$W00#b7";
    assert_null(start(s, 2000));
    assert_string_equal(err, "the target exited (status 0)");
    finish(s, NULL);
}

static void test_timeout_breaks_connection(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 200);
    uint8_t buf[16];
    uint64_t v;

    (void)state;
    assert_non_null(c);
    s->ignore_m = true;
    double t0 = now_ms();
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), -1);
    double waited = now_ms() - t0;
    assert_true(waited >= 190 && waited < 2000);
    assert_string_equal(rsp_conn_error(c),
                        "no reply to 'm80000000,10' within 200 ms");
    /* A late reply could be taken for the next one's: no more requests. */
    assert_int_equal(rsp_conn_read_reg(c, 32, &v), -1);
    assert_string_equal(rsp_conn_error(c),
                        "no reply to 'm80000000,10' within 200 ms");
    finish(s, c);
}

/* A reply that comes late (QEMU stopped with SIGSTOP, then resumed) is
 * passed over by rsp_conn_recover(), which then answers 1, and the next
 * request gets its own reply, not the late one. */
static void test_late_reply_recovers(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 200);
    uint8_t buf[16];
    int r = 0;

    (void)state;
    assert_non_null(c);
    s->late = 'm';
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), -1);
    assert_true(rsp_conn_timed_out(c));
    for (int i = 0; i < 400 && r == 0; i++) {
        r = rsp_conn_recover(c);
        if (r == 0)
            usleep(5000);
    }
    assert_int_equal(r, 1);
    assert_false(rsp_conn_timed_out(c));
    assert_true(logged(s, "qC"));
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE + 16, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem + 16, sizeof buf);
    finish(s, c);
}

/* A ping asks without waiting: 0 while the stub is silent (and meanwhile
 * no request may go out, as the probe's reply would be taken for its),
 * then 1 when the reply has come, and requests work again. */
static void test_ping_does_not_wait(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 200);
    uint8_t buf[16];
    int r = 0;

    (void)state;
    assert_non_null(c);
    pthread_mutex_lock(&s->lock);
    s->frozen = true;
    pthread_mutex_unlock(&s->lock);
    assert_int_equal(rsp_conn_ping(c), 0);
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), -1);
    assert_error_has(c, "a probe is still unanswered");
    assert_int_equal(rsp_conn_continue(c), -1);
    assert_false(rsp_conn_timed_out(c));
    pthread_mutex_lock(&s->lock);
    s->frozen = false;
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < 400 && r == 0; i++) {
        r = rsp_conn_ping(c);
        if (r == 0)
            usleep(5000);
    }
    assert_int_equal(r, 1);
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), 0);
    assert_memory_equal(buf, s->mem, sizeof buf);
    finish(s, c);
}

static void test_remote_hangs_up(void **state)
{
    struct stub *s = stub_new();
    struct rsp_conn *c = start(s, 2000);
    uint8_t buf[16];

    (void)state;
    assert_non_null(c);
    s->close_on_m = true;
    assert_int_equal(rsp_conn_read_mem(c, MEM_BASE, buf, sizeof buf), -1);
    assert_string_equal(rsp_conn_error(c),
                        "the gdb stub closed the connection");
    assert_false(rsp_conn_timed_out(c));
    assert_int_equal(rsp_conn_recover(c), -1);
    finish(s, c);
}

static void test_no_target_description(void **state)
{
    struct stub *s = stub_new();

    (void)state;
    s->supported = "PacketSize=1000";
    assert_null(start(s, 2000));
    assert_string_equal(err, "the gdb stub offers no target description");
    finish(s, NULL);
}

/* The real path: TCP on loopback, with TCP_NODELAY set. */
static void test_tcp_open(void **state)
{
    struct stub *s = stub_new();
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    char port[16];
    int nodelay = 0;
    socklen_t olen = sizeof nodelay;

    (void)state;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->listen_fd, 1), 0);
    getsockname(s->listen_fd, (struct sockaddr *)&sa, &len);
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    assert_int_equal(pthread_create(&s->thread, NULL, stub_main, s), 0);
    struct rsp_conn *c = rsp_conn_open("127.0.0.1", port, 2000, err,
                                       sizeof err);
    assert_non_null(c);
    getsockopt(rsp_conn_fd(c), IPPROTO_TCP, TCP_NODELAY, &nodelay, &olen);
    assert_int_equal(nodelay, 1);
    assert_int_equal(tdesc_find(rsp_conn_tdesc(c), "satp")->regnum, 450);
    finish(s, c);
}

static void test_connect_refused(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    char port[16], want[64];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    (void)state;
    /* A port that was free a moment ago and has no listener now. */
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    assert_null(rsp_conn_open("127.0.0.1", port, 1000, err, sizeof err));
    snprintf(want, sizeof want, "connect to 127.0.0.1:%s: Connection refused",
             port);
    assert_string_equal(err, want);
    assert_null(rsp_conn_open("127.0.0.1", "no-such-service", 1000, err,
                              sizeof err));
    assert_non_null(strstr(err, "127.0.0.1:no-such-service: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_read_mem_in_2048_byte_pieces),
        cmocka_unit_test(test_small_packet_size),
        cmocka_unit_test(test_short_reads_continue),
        cmocka_unit_test(test_read_mem_error),
        cmocka_unit_test(test_write_mem),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_pipelined_reads),
        cmocka_unit_test(test_breakpoints_and_qemu_packets),
        cmocka_unit_test(test_continue_poll_interrupt),
        cmocka_unit_test(test_step_without_vcont),
        cmocka_unit_test(test_nak_resends),
        cmocka_unit_test(test_corrupt_reply_is_nakked),
        cmocka_unit_test(test_reply_before_ack),
        cmocka_unit_test(test_no_ack_mode),
        cmocka_unit_test(test_stop_notice_on_attach),
        cmocka_unit_test(test_stop_notice_twice),
        cmocka_unit_test(test_exit_notice),
        cmocka_unit_test(test_timeout_breaks_connection),
        cmocka_unit_test(test_late_reply_recovers),
        cmocka_unit_test(test_ping_does_not_wait),
        cmocka_unit_test(test_remote_hangs_up),
        cmocka_unit_test(test_no_target_description),
        cmocka_unit_test(test_tcp_open),
        cmocka_unit_test(test_connect_refused),
    };
    return cmocka_run_group_tests_name("inspector_rsp_conn", tests, NULL,
                                       NULL);
}
