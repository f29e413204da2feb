/* rsp.c -- GDB Remote Serial Protocol: framing, encoding and reply parsing.
 *
 * A packet on the wire is $data#cs: cs is two hex digits, the sum modulo 256
 * of the raw bytes between '$' and '#'. Inside data, '}' escapes the next
 * byte (XOR 0x20), and "c*n" means byte c repeated n - 29 more times. The
 * checksum covers the raw bytes, escapes and repeat counts included. */
#include "rsp.h"

#include <string.h>

void rsp_parser_init(struct rsp_parser *p)
{
    memset(p, 0, offsetof(struct rsp_parser, buf));
    p->buf[0] = '\0';
}

static void fault(struct rsp_parser *p, const char *why)
{
    if (!p->error)
        p->error = why;
}

static void put(struct rsp_parser *p, char c)
{
    if (p->len < RSP_MAX_PAYLOAD)
        p->buf[p->len++] = c;
    else
        fault(p, "packet longer than RSP_MAX_PAYLOAD");
}

/* The byte after '*': printable counts ' '..'~' stand for 3..97 repeats. */
static void repeat(struct rsp_parser *p, uint8_t count)
{
    if (count < ' ' || count > '~') {
        fault(p, "bad run-length count");
        return;
    }
    if (p->len == 0) {
        fault(p, "run-length encoding with nothing to repeat");
        return;
    }
    char c = p->buf[p->len - 1];
    for (int i = 0; i < count - 29; i++)
        put(p, c);
}

static void start_packet(struct rsp_parser *p)
{
    p->state = RSP_S_BODY;
    p->sum = 0;
    p->len = 0;
    p->error = NULL;
}

/* Feeds one byte; returns true when it completed an event. */
static bool step(struct rsp_parser *p, uint8_t c, struct rsp_event *ev)
{
    int d;

    switch (p->state) {
    case RSP_S_IDLE:
        if (c == '$') {
            start_packet(p);
        } else if (c == '+' || c == '-') {
            ev->kind = c == '+' ? RSP_EV_ACK : RSP_EV_NAK;
            return true;
        } else {
            p->skipped++;
        }
        return false;
    case RSP_S_BODY:
        if (c == '#') {
            p->state = RSP_S_SUM1;
            return false;
        }
        if (c == '$') {
            /* A new packet inside an unfinished one: the old one was cut
             * off. Resynchronise on the new start. */
            p->skipped += p->len + 1;
            start_packet(p);
            return false;
        }
        p->sum += c;
        if (c == '}')
            p->state = RSP_S_ESCAPE;
        else if (c == '*')
            p->state = RSP_S_REPEAT;
        else
            put(p, (char)c);
        return false;
    case RSP_S_ESCAPE:
        p->sum += c;
        put(p, (char)(c ^ 0x20));
        p->state = RSP_S_BODY;
        return false;
    case RSP_S_REPEAT:
        p->sum += c;
        repeat(p, c);
        p->state = RSP_S_BODY;
        return false;
    case RSP_S_SUM1:
        d = rsp_hex_digit(c);
        if (d < 0)
            fault(p, "bad checksum digit");
        p->sum_hi = (uint8_t)(d < 0 ? 0 : d);
        p->state = RSP_S_SUM2;
        return false;
    case RSP_S_SUM2:
        d = rsp_hex_digit(c);
        if (d < 0)
            fault(p, "bad checksum digit");
        else if ((uint8_t)(p->sum_hi << 4 | d) != p->sum)
            fault(p, "checksum mismatch");
        p->state = RSP_S_IDLE;
        p->buf[p->len] = '\0';
        if (p->error) {
            ev->kind = RSP_EV_BAD;
            ev->error = p->error;
        } else {
            ev->kind = RSP_EV_PACKET;
            ev->data = p->buf;
            ev->len = p->len;
        }
        return true;
    }
    return false;
}

size_t rsp_parse(struct rsp_parser *p, const void *in, size_t n,
                 struct rsp_event *ev)
{
    const uint8_t *b = in;

    *ev = (struct rsp_event){.kind = RSP_EV_NONE};
    for (size_t i = 0; i < n; i++)
        if (step(p, b[i], ev))
            return i + 1;
    return n;
}

static bool needs_escape(uint8_t c)
{
    return c == '$' || c == '#' || c == '}' || c == '*';
}

size_t rsp_frame(const void *payload, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *b = payload;
    uint8_t sum = 0;
    size_t o = 0;

    if (cap < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = b[i];
        if (o + (needs_escape(c) ? 2 : 1) + 3 > cap)
            return 0;
        if (needs_escape(c)) {
            out[o++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        out[o++] = (char)c;
        sum += c;
    }
    out[o++] = '#';
    out[o++] = hex[sum >> 4];
    out[o++] = hex[sum & 15];
    return o;
}

int rsp_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void rsp_hex_encode(const void *bytes, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *b = bytes;

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int rsp_hex_decode(const char *hex, size_t hexlen, void *out)
{
    uint8_t *b = out;

    if (hexlen % 2)
        return -1;
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = rsp_hex_digit(hex[i]), lo = rsp_hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        b[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int rsp_hex_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 16)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int d = rsp_hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int rsp_hex_le(const char *s, size_t len, uint64_t *out)
{
    uint8_t b[8];
    uint64_t v = 0;

    if (len == 0 || len > 16 || rsp_hex_decode(s, len, b) < 0)
        return -1;
    for (size_t i = len / 2; i-- > 0;)
        v = v << 8 | b[i];
    *out = v;
    return 0;
}

bool rsp_is_error(const char *p, size_t len)
{
    if (len >= 2 && p[0] == 'E' && p[1] == '.')
        return true;
    return len == 3 && p[0] == 'E' && rsp_hex_digit(p[1]) >= 0 &&
           rsp_hex_digit(p[2]) >= 0;
}

bool rsp_is_ok(const char *p, size_t len)
{
    return len == 2 && p[0] == 'O' && p[1] == 'K';
}

/* Calls fn on each sep-separated field of p[0..len). Stops early and
 * returns -1 when fn does. */
static int each_field(const char *p, size_t len, char sep,
                      int (*fn)(const char *f, size_t flen, void *arg),
                      void *arg)
{
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != sep)
            continue;
        if (i > start && fn(p + start, i - start, arg) < 0)
            return -1;
        start = i + 1;
    }
    return 0;
}

static bool field_is(const char *f, size_t flen, const char *name)
{
    return strlen(name) == flen && memcmp(f, name, flen) == 0;
}

static int supported_field(const char *f, size_t flen, void *arg)
{
    struct rsp_features *feat = arg;
    static const char ps[] = "PacketSize=";

    if (flen > sizeof ps - 1 && memcmp(f, ps, sizeof ps - 1) == 0) {
        uint64_t v;
        if (rsp_hex_u64(f + sizeof ps - 1, flen - (sizeof ps - 1), &v) < 0 ||
            v < 16)
            return -1;
        feat->packet_size = (size_t)v;
    } else if (field_is(f, flen, "QStartNoAckMode+")) {
        feat->no_ack = true;
    } else if (field_is(f, flen, "qXfer:features:read+")) {
        feat->xfer_features = true;
    }
    return 0;
}

int rsp_parse_supported(const char *p, size_t len, struct rsp_features *f)
{
    memset(f, 0, sizeof *f);
    return each_field(p, len, ';', supported_field, f);
}

static int vcont_field(const char *f, size_t flen, void *arg)
{
    unsigned *actions = arg;

    if (field_is(f, flen, "c"))
        *actions |= RSP_VCONT_C;
    else if (field_is(f, flen, "s"))
        *actions |= RSP_VCONT_S;
    return 0;
}

unsigned rsp_parse_vcont(const char *p, size_t len)
{
    unsigned actions = 0;

    if (len < 5 || memcmp(p, "vCont", 5) != 0 || (len > 5 && p[5] != ';'))
        return 0;
    each_field(p + 5, len - 5, ';', vcont_field, &actions);
    return actions;
}

int rsp_parse_xfer(const char *p, size_t len, const char **data, size_t *dlen)
{
    if (len == 0 || (p[0] != 'm' && p[0] != 'l'))
        return -1;
    *data = p + 1;
    *dlen = len - 1;
    return p[0] == 'm';
}

/* One "name:value" field of a T stop reply. */
static int stop_field(const char *f, size_t flen, void *arg)
{
    struct rsp_stop *st = arg;
    const char *colon = memchr(f, ':', flen);
    uint64_t num;

    if (!colon)
        return -1;
    size_t nlen = (size_t)(colon - f);
    const char *v = colon + 1;
    size_t vlen = flen - nlen - 1;

    if (field_is(f, nlen, "thread")) {
        if (vlen >= sizeof st->thread)
            return -1;
        memcpy(st->thread, v, vlen);
        st->thread[vlen] = '\0';
    } else if (field_is(f, nlen, "watch") || field_is(f, nlen, "rwatch") ||
               field_is(f, nlen, "awatch")) {
        if (rsp_hex_u64(v, vlen, &st->watch_addr) < 0)
            return -1;
        st->reason = f[0] == 'w'   ? RSP_REASON_WATCH
                     : f[0] == 'r' ? RSP_REASON_RWATCH
                                   : RSP_REASON_AWATCH;
    } else if (field_is(f, nlen, "swbreak")) {
        st->reason = RSP_REASON_SWBREAK;
    } else if (field_is(f, nlen, "hwbreak")) {
        st->reason = RSP_REASON_HWBREAK;
    } else if (rsp_hex_u64(f, nlen, &num) == 0) {
        /* An expedited register: number, then its bytes in target order.
         * Registers wider than 64 bits or past the first few are dropped. */
        uint64_t value;
        if (num > UINT32_MAX)
            return -1;
        if (st->nregs < RSP_STOP_MAX_REGS && rsp_hex_le(v, vlen, &value) == 0) {
            st->regs[st->nregs].num = (unsigned)num;
            st->regs[st->nregs].value = value;
            st->nregs++;
        }
    }
    return 0;
}

int rsp_parse_stop(const char *p, size_t len, struct rsp_stop *out)
{
    uint64_t sig;

    memset(out, 0, sizeof *out);
    if (len < 3 || rsp_hex_u64(p + 1, 2, &sig) < 0)
        return -1;
    out->signal = (int)sig;
    switch (p[0]) {
    case 'S':
        out->kind = RSP_STOP_SIGNAL;
        return len == 3 ? 0 : -1;
    case 'T':
        out->kind = RSP_STOP_SIGNAL;
        return each_field(p + 3, len - 3, ';', stop_field, out);
    case 'W':
    case 'X':
        /* Optionally followed by ";process:pid", which we do not need. */
        out->kind = p[0] == 'W' ? RSP_STOP_EXITED : RSP_STOP_TERMINATED;
        return len == 3 || p[3] == ';' ? 0 : -1;
    default:
        return -1;
    }
}
