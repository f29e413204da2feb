/* rsp_stub.c -- a scripted gdb stub for unit tests (rsp_stub.h). */
#include "rsp_stub.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The stub runs in its own thread, where cmocka's asserts must not be
 * used; a failed write shows up as a failure on the client side. */
static void stub_write(struct stub *s, const void *p, size_t n)
{
    (void)!send(s->fd, p, n, MSG_NOSIGNAL);
}

static void stub_send(struct stub *s, const char *payload, bool corrupt)
{
    s->last_len = rsp_frame(payload, strlen(payload), s->last, sizeof s->last);
    if (corrupt) {
        char bad[sizeof s->last];
        memcpy(bad, s->last, s->last_len);
        bad[s->last_len - 1] ^= 1;
        stub_write(s, bad, s->last_len);
    } else {
        stub_write(s, s->last, s->last_len);
    }
}

/* A body sent as is: how a stub sends run-length encoded data. */
static void stub_send_raw(struct stub *s, const char *body)
{
    uint8_t sum = 0;

    for (const char *p = body; *p; p++)
        sum += (uint8_t)*p;
    s->last_len = (size_t)snprintf(s->last, sizeof s->last, "$%s#%02x", body,
                                   sum);
    stub_write(s, s->last, s->last_len);
}

static const char *xfer(struct stub *s, const char *args)
{
    static const char target[] =
        "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
        "<target><architecture>riscv:rv32</architecture>"
        "<xi:include href=\"cpu.xml\"/><xi:include href=\"csr.xml\"/>"
        "</target>";
    static const char csr[] =
        "<feature name=\"org.gnu.gdb.riscv.csr\">"
        "<reg name=\"sstatus\" bitsize=\"32\" regnum=\"322\"/>"
        "<reg name=\"satp\" bitsize=\"32\" regnum=\"450\"/></feature>";
    /* The CPU's: the registers a snapshot reads, as QEMU numbers them. */
    static const char cpu_csr[] =
        "<feature name=\"org.gnu.gdb.riscv.csr\">"
        "<reg name=\"sstatus\" bitsize=\"32\" regnum=\"322\"/>"
        "<reg name=\"stvec\" bitsize=\"32\" regnum=\"327\"/>"
        "<reg name=\"sepc\" bitsize=\"32\" regnum=\"387\"/>"
        "<reg name=\"scause\" bitsize=\"32\" regnum=\"388\"/>"
        "<reg name=\"stval\" bitsize=\"32\" regnum=\"389\"/>"
        "<reg name=\"satp\" bitsize=\"32\" regnum=\"450\"/>"
        "<reg name=\"priv\" bitsize=\"8\" regnum=\"4161\"/></feature>";
    char annex[64];
    unsigned long off, len;
    const char *doc;

    if (sscanf(args, "%63[^:]:%lx,%lx", annex, &off, &len) != 3)
        return "E00";
    doc = strcmp(annex, "target.xml") == 0 ? target
          : strcmp(annex, "cpu.xml") == 0  ? s->cpu_xml
          : strcmp(annex, "csr.xml") == 0  ? (s->cpu ? cpu_csr : csr)
                                           : NULL;
    if (!doc || off > strlen(doc))
        return "E00";
    size_t n = strlen(doc) - off;
    if (n > len)
        n = len;
    if (n > s->xfer_chunk)
        n = s->xfer_chunk;
    snprintf(s->reply, sizeof s->reply, "%c%.*s",
             off + n < strlen(doc) ? 'm' : 'l', (int)n, doc + off);
    return s->reply;
}

static const char *read_mem(struct stub *s, const char *args)
{
    unsigned long addr, len;

    s->n_m++;
    if (sscanf(args, "%lx,%lx", &addr, &len) != 2)
        return "E01";
    if (len > s->max_m)
        s->max_m = len;
    if (len > 2048)
        return "E22"; /* as QEMU 7.2 says */
    if (s->cpu && (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE)) {
        memset(s->reply, '0', 2 * len);
        s->reply[2 * len] = '\0';
        return s->reply;
    }
    if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE)
        return "E14";
    if (s->short_reads && len > 1)
        len /= 2;
    rsp_hex_encode(s->mem + (addr - MEM_BASE), len, s->reply);
    return s->reply;
}

static const char *write_mem(struct stub *s, const char *args)
{
    unsigned long addr, len;
    int at;

    if (sscanf(args, "%lx,%lx:%n", &addr, &len, &at) != 2)
        return "E01";
    if (len > s->max_M)
        s->max_M = len;
    if (s->cpu) {
        uint8_t b[4];
        if (len == 4 && strlen(args + at) == 8 && rsp_hex_decode(args + at, 8, b) == 0) {
            s->word_addr = addr;
            s->word = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        }
        return "OK";
    }
    if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE ||
        strlen(args + at) != 2 * len ||
        rsp_hex_decode(args + at, 2 * len, s->mem + (addr - MEM_BASE)) < 0)
        return "E14";
    return "OK";
}

/* Register n reads as 0x80000000 | n, if it exists. */
static const char *read_reg(struct stub *s, const char *args)
{
    unsigned long n = strtoul(args, NULL, 16);
    uint32_t v = 0x80000000u | (uint32_t)n;
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24)};

    if (s->cpu)
        return n == 4161 ? "01" : "00000000";
    if (n > 32 && n != 322 && n != 450)
        return ""; /* QEMU: an empty reply */
    rsp_hex_encode(le, 4, s->reply);
    return s->reply;
}

bool starts(const char *p, const char *prefix)
{
    return strncmp(p, prefix, strlen(prefix)) == 0;
}

/* The reply to one packet, or NULL for none. */
/* Z0,addr,kind or z0,addr,kind on the CPU. */
static const char *cpu_breakpoint(struct stub *s, const char *p)
{
    uint32_t addr = (uint32_t)strtoul(p + 3, NULL, 16);
    int i = 0;

    while (i < s->nbps && s->bps[i] != addr)
        i++;
    if (p[0] == 'Z' && i == s->nbps && s->nbps < 64)
        s->bps[s->nbps++] = addr;
    if (p[0] == 'z' && i < s->nbps)
        s->bps[i] = s->bps[--s->nbps];
    return "OK";
}

bool stub_has_bp(struct stub *s, uint32_t addr)
{
    bool found = false;

    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nbps; i++)
        found |= s->bps[i] == addr;
    pthread_mutex_unlock(&s->lock);
    return found;
}

static const char *answer(struct stub *s, const char *p)
{
    if (starts(p, "qSupported"))
        return s->supported;
    if (strcmp(p, "QStartNoAckMode") == 0 || starts(p, "Qqemu.") ||
        strcmp(p, "D") == 0)
        return "OK";
    if (strcmp(p, "vCont?") == 0)
        return s->vcont;
    if (starts(p, "qXfer:features:read:"))
        return xfer(s, p + strlen("qXfer:features:read:"));
    if (strcmp(p, "?") == 0)
        return "T05thread:01;";
    if (strcmp(p, "qC") == 0)
        return "QCp01.01";
    if (strcmp(p, "c") == 0 || strcmp(p, "vCont;c") == 0) {
        s->running = true;
        if (s->cpu && s->resume) {
            const char *stop = s->resume(s, false);
            s->running = stop == NULL;
            return stop;
        }
        return NULL;
    }
    if (strcmp(p, "s") == 0 || strcmp(p, "vCont;s") == 0) {
        if (s->cpu) {
            s->regs[32] += 4;
            if (s->resume) {
                const char *stop = s->resume(s, true);
                s->running = stop == NULL; /* a step that waits for 0x03 */
                return stop;
            }
        }
        return "T05thread:01;";
    }
    if (s->cpu && (starts(p, "Z0,") || starts(p, "z0,")))
        return cpu_breakpoint(s, p);
    switch (p[0]) {
    case 'm':
        return read_mem(s, p + 1);
    case 'M':
        return write_mem(s, p + 1);
    case 'p':
        return read_reg(s, p + 1);
    case 'Z':
    case 'z':
        return p[1] <= '2' ? "OK" : "";
    default:
        return "";
    }
}

static void on_packet(struct stub *s, const char *p)
{
    bool ack = !s->no_ack;

    if (s->nlog < 64)
        snprintf(s->log[s->nlog++], sizeof s->log[0], "%s", p);
    if (ack && s->nak_first) {
        s->nak_first = false;
        stub_write(s, "-", 1);
        return;
    }
    if (ack && !s->reply_before_ack)
        stub_write(s, "+", 1);
    if (s->held[0]) { /* the late reply goes out first */
        stub_send(s, s->held, false);
        s->held[0] = '\0';
    }
    if (s->freeze_at && p[0] == s->freeze_at) {
        s->freeze_at = '\0';
        s->frozen = true;
        if (strcmp(p, "g") == 0 && s->cpu)
            rsp_hex_encode(s->regs, sizeof s->regs, s->held);
        else
            snprintf(s->held, sizeof s->held, "%s", answer(s, p));
        return;
    }
    if (s->late && p[0] == s->late) {
        s->late = '\0';
        snprintf(s->held, sizeof s->held, "%s", answer(s, p));
        return;
    }
    if (p[0] == 'm' && s->ignore_m)
        return;
    if (p[0] == 'm' && s->close_on_m) {
        shutdown(s->fd, SHUT_RDWR);
        return;
    }
    if (strcmp(p, "g") == 0 && s->cpu) {
        rsp_hex_encode(s->regs, sizeof s->regs, s->reply); /* a little-endian host */
        stub_send(s, s->reply, false);
    } else if (strcmp(p, "g") == 0) {
        /* x0..x31 zero, pc 0x80001000: 258 zeros and "100080" */
        stub_send_raw(s, "0*~0*~0*Z100080");
    } else {
        const char *r = answer(s, p);
        if (r) {
            bool corrupt = p[0] == 'm' && s->corrupt_first_m;
            if (corrupt)
                s->corrupt_first_m = false;
            stub_send(s, r, corrupt);
        }
    }
    if (ack && s->reply_before_ack)
        stub_write(s, "+", 1);
    if (strcmp(p, "QStartNoAckMode") == 0)
        s->no_ack = true;
}

static void on_byte(struct stub *s, uint8_t b)
{
    struct rsp_event ev;

    if (b == 0x03 && s->parser.state == RSP_S_IDLE) {
        if (s->running) {
            s->running = false;
            stub_send(s, "T02thread:01;", false);
        }
        return;
    }
    rsp_parse(&s->parser, &b, 1, &ev);
    switch (ev.kind) {
    case RSP_EV_ACK:
        s->acks_after_no_ack += s->no_ack;
        break;
    case RSP_EV_NAK:
        s->naks++;
        stub_write(s, s->last, s->last_len);
        break;
    case RSP_EV_PACKET:
        on_packet(s, ev.data);
        break;
    case RSP_EV_BAD:
        stub_write(s, "-", 1);
        break;
    case RSP_EV_NONE:
        break;
    }
}

void *stub_main(void *arg)
{
    struct stub *s = arg;
    uint8_t buf[4096];
    ssize_t n;

    if (s->listen_fd >= 0) {
        int one = 1;
        s->fd = accept(s->listen_fd, NULL, NULL);
        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as QEMU */
    }
    if (s->greeting)
        stub_write(s, s->greeting, strlen(s->greeting));
    while ((n = recv(s->fd, buf, sizeof buf, 0)) > 0) {
        pthread_mutex_lock(&s->lock);
        while (s->frozen) {
            pthread_mutex_unlock(&s->lock);
            usleep(2000);
            pthread_mutex_lock(&s->lock);
        }
        for (ssize_t i = 0; i < n; i++)
            on_byte(s, buf[i]);
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

void stub_thaw(struct stub *s)
{
    pthread_mutex_lock(&s->lock);
    s->frozen = false;
    if (s->held[0]) {
        stub_send(s, s->held, false);
        s->held[0] = '\0';
    }
    pthread_mutex_unlock(&s->lock);
}

struct stub *stub_new(void)
{
    struct stub *s = calloc(1, sizeof *s);
    int n;

    s->fd = s->listen_fd = -1;
    pthread_mutex_init(&s->lock, NULL);
    s->supported = QEMU_SUPPORTED;
    s->vcont = "vCont;c;C;s;S";
    s->xfer_chunk = 64; /* several chunks per document */
    rsp_parser_init(&s->parser);
    for (size_t i = 0; i < MEM_SIZE; i++)
        s->mem[i] = (uint8_t)(i * 7 + (i >> 8));
    n = snprintf(s->cpu_xml, sizeof s->cpu_xml,
                 "<feature name=\"org.gnu.gdb.riscv.cpu\">");
    for (int r = 0; r < 32; r++)
        n += snprintf(s->cpu_xml + n, sizeof s->cpu_xml - (size_t)n,
                      "<reg name=\"x%d\" bitsize=\"32\"/>", r);
    snprintf(s->cpu_xml + n, sizeof s->cpu_xml - (size_t)n,
             "<reg name=\"pc\" bitsize=\"32\"/></feature>");
    return s;
}
