/* rsp_conn.c -- a GDB remote connection to QEMU's gdbstub.
 *
 * Until QStartNoAckMode is agreed, each packet is acknowledged by the
 * receiver with '+' (or '-' to ask for it again). QEMU 7.2 does not offer
 * no-ack mode, so every request costs one packet and one '+' each way. */
#include "rsp_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Packet size to assume when the remote does not state one. */
#define DEFAULT_PACKET_SIZE 400
/* Smallest we work with: an M request needs 40 bytes before its data. */
#define MIN_PACKET_SIZE 64
/* Largest target description document we accept. */
#define MAX_TDESC_DOC (1u << 20)
#define MAX_SENDS 3

struct rsp_conn {
    int fd;
    int timeout_ms;
    rsp_conn_waiter waiter; /* NULL: poll() */
    void *waiter_ctx;
    bool no_ack;
    bool running;
    /* After a lost connection or a request with no answer, the byte stream
     * can no longer be trusted: every later call fails with the first
     * error. */
    bool broken;
    /* Broken because a reply did not come in time (the stub may only be
     * slow or stopped): rsp_conn_recover() can bring it back. */
    bool timed_out;
    bool probe_sent;
    /* A packet that arrived while we waited for the '+' of our own. Its
     * payload is still in parser.buf: nothing is parsed until it is used. */
    bool have_early;
    struct rsp_event early;
    unsigned vcont;
    size_t packet_size;
    struct tdesc tdesc;
    struct rsp_stats stats;
    size_t in_pos, in_len;
    uint8_t in[8192];
    char req[RSP_MAX_PAYLOAD];
    char out[2 * RSP_MAX_PAYLOAD + 4];
    char err[256];
    struct rsp_parser parser;
};

static int fail(struct rsp_conn *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* Like fail(), and the connection is unusable from now on. */
static int lost(struct rsp_conn *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->broken = true;
    return -1;
}

/* A deadline that waits for nothing: only what has arrived is read. */
#define LOOK_ONLY 0

/* Like lost(), for a reply that did not come in time. */
#define silent(c, ...) ((c)->timed_out = true, lost((c), __VA_ARGS__))

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_raw(struct rsp_conn *c, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lost(c, "send to the gdb stub: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
        c->stats.bytes_out += (uint64_t)n;
    }
    return 0;
}

/* Wait until the socket is readable or the deadline (now_ms()) has
 * passed, with the waiter if one was given: 1 readable, 0 not yet, -1 the
 * wait was given up (RSP_WAIT_GAVE_UP) or failed. */
static int wait_readable(struct rsp_conn *c, int64_t deadline)
{
    if (deadline != LOOK_ONLY && c->waiter) {
        int r = c->waiter(c->waiter_ctx, c->fd, deadline);
        if (r == RSP_WAIT_GAVE_UP)
            return lost(c, "the wait for the gdb stub was given up");
        if (r != RSP_WAIT_POLL)
            return r;
    }
    for (;;) {
        int64_t wait = deadline == LOOK_ONLY ? 0 : deadline - now_ms();
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int r = poll(&pfd, 1, wait > 0 ? (int)wait : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return lost(c, "poll on the gdb stub: %s", strerror(errno));
        return r > 0;
    }
}

/* The next ack, nak or packet. 1 when there is one, 0 when the deadline
 * passed first (LOOK_ONLY: only what has arrived), -1 when the connection
 * failed. */
static int next_event(struct rsp_conn *c, int64_t deadline,
                      struct rsp_event *ev)
{
    for (;;) {
        if (c->in_pos < c->in_len) {
            c->in_pos += rsp_parse(&c->parser, c->in + c->in_pos,
                                   c->in_len - c->in_pos, ev);
            if (ev->kind != RSP_EV_NONE)
                return 1;
            continue;
        }
        int r = wait_readable(c, deadline);
        if (r <= 0)
            return r;
        ssize_t n = recv(c->fd, c->in, sizeof c->in, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0)
            return lost(c, "receive from the gdb stub: %s", strerror(errno));
        if (n == 0)
            return lost(c, "the gdb stub closed the connection");
        c->in_pos = 0;
        c->in_len = (size_t)n;
        c->stats.bytes_in += (uint64_t)n;
    }
}

/* Send a packet; in ack mode, wait for its '+' and resend it on '-'. */
static int send_packet(struct rsp_conn *c, const char *payload, size_t len)
{
    size_t n = rsp_frame(payload, len, c->out, sizeof c->out);
    int64_t deadline = now_ms() + c->timeout_ms;

    if (n == 0)
        return fail(c, "request too long (%zu bytes)", len);
    for (int sends = 0; sends < MAX_SENDS; sends++) {
        if (sends > 0)
            c->stats.retransmits++;
        if (send_raw(c, c->out, n) < 0)
            return -1;
        c->stats.packets_out++;
        if (c->no_ack)
            return 0;
        for (bool resend = false; !resend;) {
            struct rsp_event ev;
            int r = next_event(c, deadline, &ev);
            if (r < 0)
                return -1;
            if (r == 0)
                return silent(c, "no acknowledgement of '%.40s' within %d ms",
                            payload, c->timeout_ms);
            switch (ev.kind) {
            case RSP_EV_ACK:
                return 0;
            case RSP_EV_NAK:
                resend = true;
                break;
            case RSP_EV_PACKET:
                /* The reply overtook the '+': the packet was received. */
                c->early = ev;
                c->have_early = true;
                return 0;
            case RSP_EV_BAD:
                if (send_raw(c, "-", 1) < 0)
                    return -1;
                break;
            case RSP_EV_NONE:
                break;
            }
        }
    }
    return lost(c, "the gdb stub rejected '%.40s' %d times", payload,
                MAX_SENDS);
}

/* The next packet, acknowledged. 1 when there is one, 0 when the deadline
 * passed first, -1 on failure. */
static int recv_packet(struct rsp_conn *c, int64_t deadline, const char **data,
                       size_t *len)
{
    struct rsp_event ev;

    if (c->have_early) {
        ev = c->early;
        c->have_early = false;
    } else {
        for (;;) {
            int r = next_event(c, deadline, &ev);
            if (r <= 0)
                return r;
            if (ev.kind == RSP_EV_PACKET)
                break;
            if (ev.kind == RSP_EV_BAD) {
                if (c->no_ack)
                    return lost(c, "damaged packet from the gdb stub: %s",
                                ev.error);
                if (send_raw(c, "-", 1) < 0)
                    return -1;
            }
            /* A stray '+' or '-' means nothing here. */
        }
    }
    if (!c->no_ack && send_raw(c, "+", 1) < 0)
        return -1;
    c->stats.packets_in++;
    *data = ev.data;
    *len = ev.len;
    return 1;
}

static bool ready_to_ask(struct rsp_conn *c)
{
    if (c->broken)
        return false;
    if (c->running) {
        fail(c, "the target is running: stop it first");
        return false;
    }
    if (c->probe_sent) { /* its reply would be taken for this one's */
        fail(c, "a probe is still unanswered");
        return false;
    }
    return true;
}

int rsp_conn_request(struct rsp_conn *c, const char *req, const char **reply,
                     size_t *len)
{
    if (!ready_to_ask(c))
        return -1;
    if (send_packet(c, req, strlen(req)) < 0)
        return -1;
    int64_t deadline = now_ms() + c->timeout_ms;
    for (;;) {
        struct rsp_stop stop;
        int r = recv_packet(c, deadline, reply, len);
        if (r == 0)
            return silent(c, "no reply to '%.40s' within %d ms", req,
                        c->timeout_ms);
        if (r < 0)
            return -1;
        /* QEMU stops a running guest when a debugger connects and says so
         * with a stop reply nobody asked for; it may arrive ahead of any
         * reply. Only '?' asks for a stop reply, and no other request's
         * reply parses as one, so one here is that notice: pass over it. */
        if (strcmp(req, "?") == 0 || rsp_parse_stop(*reply, *len, &stop) < 0)
            break;
        if (stop.kind != RSP_STOP_SIGNAL)
            return lost(c, "the target exited (status %d)", stop.signal);
    }
    c->stats.round_trips++;
    return 0;
}

int rsp_conn_command(struct rsp_conn *c, const char *req)
{
    const char *reply;
    size_t len;

    if (rsp_conn_request(c, req, &reply, &len) < 0)
        return -1;
    if (rsp_is_ok(reply, len))
        return 0;
    if (len == 0)
        return fail(c, "the gdb stub does not support '%.40s'", req);
    return fail(c, "the gdb stub answered '%.16s' to '%.40s'", reply, req);
}

/* Reads are pipelined: up to MAX_PIPELINE requests go out in one send and
 * their replies are taken in order. QEMU handles the packets one after the
 * other, so many reads cost about one round trip instead of one each (a
 * lone 4-byte read already costs ~50 us of latency). */
#define MAX_PIPELINE 32

/* A piece of a memory read that fits in one 'm' packet. */
struct chunk {
    uint64_t addr;
    uint8_t *dst;
    size_t len;
};

/* Send the requests reqs[0..n) in one go. */
static int send_batch(struct rsp_conn *c, char reqs[][48], size_t n)
{
    size_t used = 0;

    for (size_t i = 0; i < n; i++) {
        size_t f = rsp_frame(reqs[i], strlen(reqs[i]), c->out + used, sizeof c->out - used);
        if (f == 0)
            return fail(c, "pipelined requests overflow the output buffer");
        used += f;
    }
    if (send_raw(c, c->out, used) < 0)
        return -1;
    c->stats.packets_out += n;
    return 0;
}

/* The reply to pipelined request req; 0, or -1 when none came. */
static int batch_reply(struct rsp_conn *c, int64_t deadline, const char *req,
                       const char **reply, size_t *len)
{
    int r = recv_packet(c, deadline, reply, len);
    if (r == 0)
        return silent(c, "no reply to '%s' within %d ms", req, c->timeout_ms);
    return r < 0 ? -1 : 0;
}

/* One pipelined round of 'm' requests for chunks[0..n). A short reply (the
 * remote may send fewer bytes than asked) leaves the rest of its chunk in
 * chunks[] for the next round; returns the chunks left, or -1. */
static int read_round(struct rsp_conn *c, struct chunk *chunks, size_t n)
{
    char reqs[MAX_PIPELINE][48];
    size_t k = n < MAX_PIPELINE ? n : MAX_PIPELINE, left = 0;

    for (size_t i = 0; i < k; i++)
        snprintf(reqs[i], sizeof reqs[i], "m%" PRIx64 ",%zx", chunks[i].addr, chunks[i].len);
    if (send_batch(c, reqs, k) < 0)
        return -1;
    int64_t deadline = now_ms() + c->timeout_ms;
    for (size_t i = 0; i < k; i++) {
        const char *reply;
        size_t rlen;
        if (batch_reply(c, deadline, reqs[i], &reply, &rlen) < 0)
            return -1;
        if (rsp_is_error(reply, rlen) || rlen == 0 || rlen / 2 > chunks[i].len ||
            rsp_hex_decode(reply, rlen, chunks[i].dst) < 0)
            return fail(c, "cannot read %zu bytes at 0x%" PRIx64 ": '%.16s'",
                        chunks[i].len, chunks[i].addr, rlen ? reply : "no reply");
        size_t got = rlen / 2;
        if (got < chunks[i].len)
            chunks[left++] = (struct chunk){chunks[i].addr + got, chunks[i].dst + got,
                                            chunks[i].len - got};
    }
    c->stats.round_trips++;
    memmove(chunks + left, chunks + k, (n - k) * sizeof *chunks);
    return (int)(left + n - k);
}

int rsp_conn_read_many(struct rsp_conn *c, const struct rsp_read *reads, size_t n)
{
    size_t size = c->packet_size / 2, count = 0;

    for (size_t i = 0; i < n; i++)
        count += (reads[i].len + size - 1) / size;
    struct chunk *chunks = malloc((count ? count : 1) * sizeof *chunks);
    if (!chunks)
        return fail(c, "out of memory");
    count = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t off = 0; off < reads[i].len; off += size)
            chunks[count++] = (struct chunk){reads[i].addr + off, (uint8_t *)reads[i].buf + off,
                                             reads[i].len - off < size ? reads[i].len - off : size};
    int left = (int)count;
    while (left > 0 && ready_to_ask(c))
        left = read_round(c, chunks, (size_t)left);
    free(chunks);
    return left == 0 ? 0 : -1;
}

int rsp_conn_read_mem(struct rsp_conn *c, uint64_t addr, void *buf, size_t len)
{
    struct rsp_read one = {addr, buf, len};
    return rsp_conn_read_many(c, &one, 1);
}

int rsp_conn_write_mem(struct rsp_conn *c, uint64_t addr, const void *buf,
                       size_t len)
{
    const uint8_t *in = buf;
    /* Room for "M<16 digits>,<16 digits>:" in front of the hex. */
    size_t chunk = (c->packet_size - 40) / 2;

    while (len > 0) {
        size_t n = len < chunk ? len : chunk;
        int head = snprintf(c->req, sizeof c->req, "M%" PRIx64 ",%zx:", addr, n);
        rsp_hex_encode(in, n, c->req + head);
        if (rsp_conn_command(c, c->req) < 0)
            return -1;
        in += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int rsp_conn_set_phys_mode(struct rsp_conn *c, bool physical)
{
    return rsp_conn_command(c, physical ? "Qqemu.PhyMemMode:1"
                                        : "Qqemu.PhyMemMode:0");
}

/* A 'p' reply into *value. */
static int parse_reg(struct rsp_conn *c, unsigned regnum, const char *reply, size_t len,
                     uint64_t *value)
{
    if (len == 0 || rsp_is_error(reply, len))
        return fail(c, "register %u cannot be read: '%.16s'", regnum,
                    len ? reply : "no such register");
    if (len > 16)
        return fail(c, "register %u is wider than 64 bits", regnum);
    if (rsp_hex_le(reply, len, value) < 0)
        return fail(c, "register %u: unavailable or bad value '%.16s'",
                    regnum, reply);
    return 0;
}

int rsp_conn_read_reg(struct rsp_conn *c, unsigned regnum, uint64_t *value)
{
    const char *reply;
    size_t len;

    snprintf(c->req, sizeof c->req, "p%x", regnum);
    if (rsp_conn_request(c, c->req, &reply, &len) < 0)
        return -1;
    return parse_reg(c, regnum, reply, len, value);
}

int rsp_conn_read_regs_named(struct rsp_conn *c, const char *const *names,
                             uint64_t *values, size_t n)
{
    char reqs[MAX_PIPELINE][48];
    unsigned nums[MAX_PIPELINE];

    if (n > MAX_PIPELINE)
        return fail(c, "too many registers at once (%zu)", n);
    if (!ready_to_ask(c))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct tdesc_reg *r = tdesc_find(&c->tdesc, names[i]);
        if (!r)
            return fail(c, "the target description has no register %s", names[i]);
        nums[i] = r->regnum;
        snprintf(reqs[i], sizeof reqs[i], "p%x", nums[i]);
    }
    if (send_batch(c, reqs, n) < 0)
        return -1;
    int64_t deadline = now_ms() + c->timeout_ms;
    int err = 0;
    for (size_t i = 0; i < n; i++) {
        const char *reply;
        size_t len;
        if (batch_reply(c, deadline, reqs[i], &reply, &len) < 0)
            return -1;
        if (!err && parse_reg(c, nums[i], reply, len, &values[i]) < 0)
            err = -1;   /* take the other replies all the same */
    }
    c->stats.round_trips++;
    return err;
}

int rsp_conn_read_reg_named(struct rsp_conn *c, const char *name,
                            uint64_t *value)
{
    const struct tdesc_reg *r = tdesc_find(&c->tdesc, name);

    if (!r)
        return fail(c, "the target description has no register %s", name);
    return rsp_conn_read_reg(c, r->regnum, value);
}

int rsp_conn_write_reg(struct rsp_conn *c, unsigned regnum, uint64_t value,
                       unsigned bytes)
{
    int n = snprintf(c->req, sizeof c->req, "P%x=", regnum);

    for (unsigned i = 0; i < bytes && i < 8; i++) /* target order */
        n += snprintf(c->req + n, sizeof c->req - (size_t)n, "%02x",
                      (unsigned)(value >> (8 * i)) & 0xffu);
    return rsp_conn_command(c, c->req);
}

int rsp_conn_read_gregs(struct rsp_conn *c, void *buf, size_t cap, size_t *len)
{
    const char *reply;
    size_t rlen;

    if (rsp_conn_request(c, "g", &reply, &rlen) < 0)
        return -1;
    if (rlen == 0 || rsp_is_error(reply, rlen) || rlen / 2 > cap ||
        rsp_hex_decode(reply, rlen, buf) < 0)
        return fail(c, "cannot read the registers: '%.16s'", reply);
    *len = rlen / 2;
    return 0;
}

static int breakpoint(struct rsp_conn *c, char op, enum rsp_break type,
                      uint64_t addr, unsigned kind)
{
    snprintf(c->req, sizeof c->req, "%c%d,%" PRIx64 ",%x", op, (int)type,
             addr, kind);
    return rsp_conn_command(c, c->req);
}

int rsp_conn_insert(struct rsp_conn *c, enum rsp_break type, uint64_t addr,
                    unsigned kind)
{
    return breakpoint(c, 'Z', type, addr, kind);
}

int rsp_conn_remove(struct rsp_conn *c, enum rsp_break type, uint64_t addr,
                    unsigned kind)
{
    return breakpoint(c, 'z', type, addr, kind);
}

int rsp_conn_set_sstep(struct rsp_conn *c, unsigned flags)
{
    snprintf(c->req, sizeof c->req, "Qqemu.sstep=%x", flags);
    return rsp_conn_command(c, c->req);
}

/* Resume requests have no reply: the stop reply comes when the target
 * stops. */
static int resume(struct rsp_conn *c, unsigned action, const char *with_vcont,
                  const char *plain)
{
    const char *req = (c->vcont & action) ? with_vcont : plain;

    if (c->broken)
        return -1;
    if (c->running)
        return fail(c, "the target is already running");
    if (c->probe_sent)
        return fail(c, "a probe is still unanswered");
    if (send_packet(c, req, strlen(req)) < 0)
        return -1;
    c->running = true;
    return 0;
}

int rsp_conn_continue(struct rsp_conn *c)
{
    return resume(c, RSP_VCONT_C, "vCont;c", "c");
}

int rsp_conn_step(struct rsp_conn *c)
{
    return resume(c, RSP_VCONT_S, "vCont;s", "s");
}

int rsp_conn_interrupt(struct rsp_conn *c)
{
    if (c->broken)
        return -1;
    if (!c->running)
        return fail(c, "the target is not running");
    /* Sent bare, outside any packet; the stub answers with a stop reply. */
    return send_raw(c, "\x03", 1);
}

int rsp_conn_wait_stop(struct rsp_conn *c, int timeout_ms,
                       struct rsp_stop *stop)
{
    int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : LOOK_ONLY;

    if (c->broken)
        return -1;
    if (!c->running)
        return fail(c, "the target is not running");
    for (;;) {
        const char *data;
        size_t len;
        int r = recv_packet(c, deadline, &data, &len);
        if (r <= 0)
            return r;
        if (rsp_parse_stop(data, len, stop) == 0) {
            c->running = false;
            return 1;
        }
        /* Anything else while running (console output 'O' packets from
         * other stubs) is not for us. */
    }
}

int rsp_conn_poll_stop(struct rsp_conn *c, struct rsp_stop *stop)
{
    return rsp_conn_wait_stop(c, 0, stop);
}

int rsp_conn_halt_reason(struct rsp_conn *c, struct rsp_stop *stop)
{
    const char *reply;
    size_t len;

    if (rsp_conn_request(c, "?", &reply, &len) < 0)
        return -1;
    if (rsp_parse_stop(reply, len, stop) < 0)
        return fail(c, "bad stop reply '%.32s'", reply);
    return 0;
}

int rsp_conn_detach(struct rsp_conn *c)
{
    return rsp_conn_command(c, "D");
}

/* tdesc_fetch_fn: one document through qXfer, in as many chunks as it
 * takes. */
static int fetch_annex(void *ctx, const char *annex, char **xml, size_t *len,
                       char *err, size_t errlen)
{
    struct rsp_conn *c = ctx;
    char *doc = NULL;
    size_t n = 0;

    for (;;) {
        const char *reply, *data;
        size_t rlen, dlen;
        snprintf(c->req, sizeof c->req, "qXfer:features:read:%s:%zx,%zx",
                 annex, n, c->packet_size - 5);
        if (rsp_conn_request(c, c->req, &reply, &rlen) < 0) {
            snprintf(err, errlen, "%s", c->err);
            break;
        }
        int more = rsp_parse_xfer(reply, rlen, &data, &dlen);
        if (more < 0) {
            snprintf(err, errlen, "cannot read %s: '%.16s'", annex, reply);
            break;
        }
        if (n + dlen > MAX_TDESC_DOC || (more && dlen == 0)) {
            snprintf(err, errlen, "%s: too long or stuck at %zu bytes", annex,
                     n);
            break;
        }
        char *grown = realloc(doc, n + dlen + 1);
        if (!grown) {
            snprintf(err, errlen, "out of memory");
            break;
        }
        doc = grown;
        memcpy(doc + n, data, dlen);
        n += dlen;
        if (!more) {
            *xml = doc;
            *len = n;
            return 0;
        }
    }
    free(doc);
    return -1;
}

static int handshake(struct rsp_conn *c)
{
    const char *reply;
    size_t len;
    struct rsp_features f;
    struct rsp_stop stop;
    char msg[256];

    if (rsp_conn_request(c, "qSupported:swbreak+;hwbreak+;vContSupported+",
                         &reply, &len) < 0)
        return -1;
    if (rsp_parse_supported(reply, len, &f) < 0)
        return fail(c, "bad qSupported reply '%.40s'", reply);
    if (!f.xfer_features)
        return fail(c, "the gdb stub offers no target description");
    c->packet_size = f.packet_size ? f.packet_size : DEFAULT_PACKET_SIZE;
    if (c->packet_size < MIN_PACKET_SIZE)
        return fail(c, "the gdb stub's PacketSize %zu is too small",
                    c->packet_size);
    if (c->packet_size > RSP_MAX_PAYLOAD)
        c->packet_size = RSP_MAX_PAYLOAD;
    /* Our '+' for the OK still goes out; no acks after that. */
    if (f.no_ack && rsp_conn_command(c, "QStartNoAckMode") == 0)
        c->no_ack = true;
    if (rsp_conn_request(c, "vCont?", &reply, &len) < 0)
        return -1;
    c->vcont = rsp_parse_vcont(reply, len);
    if (tdesc_load(&c->tdesc, fetch_annex, c, msg, sizeof msg) < 0)
        return fail(c, "%s", msg);
    if (rsp_conn_set_phys_mode(c, false) < 0 ||
        rsp_conn_halt_reason(c, &stop) < 0)
        return -1;
    return 0;
}

struct rsp_conn *rsp_conn_adopt(int fd, int timeout_ms, char *err,
                                size_t errlen)
{
    struct rsp_conn *c = calloc(1, sizeof *c);

    if (!c) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    c->fd = fd;
    c->timeout_ms = timeout_ms;
    c->packet_size = DEFAULT_PACKET_SIZE;
    rsp_parser_init(&c->parser);
    if (handshake(c) < 0) {
        snprintf(err, errlen, "%s", c->err);
        rsp_conn_close(c);
        return NULL;
    }
    return c;
}

/* connect() with a time limit. 0, or -1 with errno set. */
static int connect_within(int fd, const struct sockaddr *sa, socklen_t salen,
                          int timeout_ms)
{
    int flags = fcntl(fd, F_GETFL);
    int r;

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    r = connect(fd, sa, salen);
    if (r < 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t l = sizeof soerr;
        r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            errno = ETIMEDOUT;
        if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) == 0)
            errno = soerr;
        r = r > 0 && soerr == 0 ? 0 : -1;
    }
    if (r == 0 && fcntl(fd, F_SETFL, flags) < 0)
        r = -1;
    return r;
}

struct rsp_conn *rsp_conn_open(const char *host, const char *port,
                               int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int fd = -1, one = 1;

    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s:%s: %s", host, port, gai_strerror(gai));
        return NULL;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect_within(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
            break;
        snprintf(err, errlen, "connect to %s:%s: %s", host, port,
                 strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return NULL;
    /* Without it every request waits for the delayed ACK of the last. */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        snprintf(err, errlen, "TCP_NODELAY: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    return rsp_conn_adopt(fd, timeout_ms, err, errlen);
}

void rsp_conn_close(struct rsp_conn *c)
{
    if (!c)
        return;
    close(c->fd);
    tdesc_free(&c->tdesc);
    free(c);
}

bool rsp_conn_timed_out(const struct rsp_conn *c)
{
    return c->broken && c->timed_out;
}

/* Send "qC" once, then pass over what has come until its reply: 1 when it
 * is in, 0 not yet, -1 when the connection is gone. "qC" is answered
 * "QC..." and no other request's reply starts so (memory and registers are
 * hex, the rest "OK", "E..", "T.." or "l.."/"m.." documents), so the
 * replies still due to requests that timed out are told from it. */
static int probe(struct rsp_conn *c)
{
    if (!c->probe_sent) {
        c->have_early = false;
        size_t n = rsp_frame("qC", 2, c->out, sizeof c->out);
        if (send_raw(c, c->out, n) < 0) /* its '+', if any, is passed over */
            return -1;
        c->probe_sent = true;
    }
    for (;;) {
        struct rsp_event ev;
        int r = next_event(c, LOOK_ONLY, &ev);
        if (r <= 0)
            return r;
        if (ev.kind != RSP_EV_PACKET)
            continue;
        if (!c->no_ack && send_raw(c, "+", 1) < 0)
            return -1;
        if (ev.len >= 2 && ev.data[0] == 'Q' && ev.data[1] == 'C') {
            c->probe_sent = false;
            return 1;
        }
    }
}

int rsp_conn_ping(struct rsp_conn *c)
{
    if (c->broken)
        return -1;
    if (c->running)
        return fail(c, "the target is running: stop it first");
    return probe(c);
}

/* The replies still due to the requests that timed out come when the stub
 * goes on, in order, and then the probe's. */
int rsp_conn_recover(struct rsp_conn *c)
{
    if (!rsp_conn_timed_out(c))
        return c->broken ? -1 : 1;
    int r = probe(c);
    if (r < 0)
        c->timed_out = false; /* the connection itself is gone */
    else if (r == 1)
        c->broken = c->timed_out = false;
    return r;
}

void rsp_conn_set_waiter(struct rsp_conn *c, rsp_conn_waiter waiter, void *ctx)
{
    c->waiter = waiter;
    c->waiter_ctx = ctx;
}

const char *rsp_conn_error(const struct rsp_conn *c)
{
    return c->err;
}

int rsp_conn_fd(const struct rsp_conn *c)
{
    return c->fd;
}

const struct tdesc *rsp_conn_tdesc(const struct rsp_conn *c)
{
    return &c->tdesc;
}

const struct rsp_stats *rsp_conn_stats(const struct rsp_conn *c)
{
    return &c->stats;
}

bool rsp_conn_running(const struct rsp_conn *c)
{
    return c->running;
}
