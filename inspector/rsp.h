/* rsp.h -- GDB Remote Serial Protocol: framing, encoding and reply parsing.
 *
 * Pure functions over byte buffers, no I/O: the parser takes bytes as they
 * arrive from the socket and hands back acknowledgements and decoded packets;
 * the other functions build requests and pick replies apart. rsp_conn.c puts
 * them on a socket. */
#ifndef GLASSBOX_RSP_H
#define GLASSBOX_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decoded payload we accept. QEMU 7.2 advertises PacketSize=1000
 * (hex, 4096 bytes) and its 2048-byte `m` replies are 4096 characters; the
 * headroom is for run-length encoded replies, which expand when decoded. */
#define RSP_MAX_PAYLOAD 16384

/* ---- Incoming bytes -> events ---------------------------------------- */

enum rsp_event_kind {
    RSP_EV_NONE,    /* all input consumed, nothing complete yet */
    RSP_EV_ACK,     /* '+' */
    RSP_EV_NAK,     /* '-': the remote wants our last packet again */
    RSP_EV_PACKET,  /* a packet with a good checksum, decoded */
    RSP_EV_BAD,     /* a damaged packet; in ack mode answer '-' */
};

struct rsp_event {
    enum rsp_event_kind kind;
    /* RSP_EV_PACKET: the payload with escapes and run-length encoding
     * undone, NUL-terminated (it may hold NULs itself: len is what counts).
     * Points into the parser; valid until the next rsp_parse() call. */
    const char *data;
    size_t len;
    const char *error; /* RSP_EV_BAD: what was wrong */
};

enum rsp_parse_state {
    RSP_S_IDLE,   /* between packets */
    RSP_S_BODY,   /* after '$' */
    RSP_S_ESCAPE, /* after '}' */
    RSP_S_REPEAT, /* after '*': the next byte is the repeat count */
    RSP_S_SUM1,   /* after '#' */
    RSP_S_SUM2,   /* after the first checksum digit */
};

struct rsp_parser {
    enum rsp_parse_state state;
    uint8_t sum;        /* running sum of the raw bytes between '$' and '#' */
    uint8_t sum_hi;     /* first checksum digit's value */
    const char *error;  /* first fault seen in the current packet */
    size_t len;
    uint64_t skipped;   /* stray bytes outside packets, for diagnostics */
    char buf[RSP_MAX_PAYLOAD + 1];
};

void rsp_parser_init(struct rsp_parser *p);

/* Consume bytes up to and including the end of the next event. Returns how
 * many bytes were used; call again with the rest. *ev is RSP_EV_NONE when
 * all n bytes were used without completing an event. */
size_t rsp_parse(struct rsp_parser *p, const void *in, size_t n,
                 struct rsp_event *ev);

/* ---- Outgoing packets ------------------------------------------------ */

/* Frame a payload as $payload#cs, escaping '$', '#', '}' and '*' so binary
 * payloads survive. Returns the framed length (no NUL is written), or 0 if
 * it does not fit in cap. */
size_t rsp_frame(const void *payload, size_t len, char *out, size_t cap);

/* ---- Hex ------------------------------------------------------------- */

int rsp_hex_digit(int c); /* 0..15, or -1 */
/* Writes 2n lowercase hex digits and a NUL: out needs 2n + 1 bytes. */
void rsp_hex_encode(const void *bytes, size_t n, char *out);
/* Decodes exactly hexlen digits (even) into hexlen / 2 bytes. 0 or -1. */
int rsp_hex_decode(const char *hex, size_t hexlen, void *out);
/* A whole string of 1..16 hex digits. 0 or -1. */
int rsp_hex_u64(const char *s, size_t len, uint64_t *out);
/* Little-endian (RISC-V target order) hex bytes, 1..8 of them, as a value.
 * 0, or -1 for bad hex or 'x' digits (register unavailable). */
int rsp_hex_le(const char *s, size_t len, uint64_t *out);

/* ---- Replies --------------------------------------------------------- */

/* "Enn" or "E.message": the remote's error reply. */
bool rsp_is_error(const char *p, size_t len);
bool rsp_is_ok(const char *p, size_t len);

/* The parts of a qSupported reply that we act on. */
struct rsp_features {
    size_t packet_size; /* PacketSize, 0 if the remote did not say */
    bool no_ack;        /* QStartNoAckMode+ */
    bool xfer_features; /* qXfer:features:read+ */
};
/* Unknown features are ignored. 0, or -1 on a malformed PacketSize. */
int rsp_parse_supported(const char *p, size_t len, struct rsp_features *f);

/* Actions listed in a "vCont;c;C;s;S" reply to "vCont?". */
#define RSP_VCONT_C 1u
#define RSP_VCONT_S 2u
unsigned rsp_parse_vcont(const char *p, size_t len);

/* A qXfer:...:read reply: 'm' + data (more to come) or 'l' + data (last).
 * Returns 1 for more, 0 for last, -1 for anything else. */
int rsp_parse_xfer(const char *p, size_t len, const char **data, size_t *dlen);

enum rsp_stop_kind {
    RSP_STOP_SIGNAL,     /* 'S' or 'T': stopped with a signal */
    RSP_STOP_EXITED,     /* 'W': exited; signal holds the exit status */
    RSP_STOP_TERMINATED, /* 'X': killed by a signal */
};

enum rsp_stop_reason {
    RSP_REASON_NONE,
    RSP_REASON_WATCH,   /* write watchpoint; watch_addr says where */
    RSP_REASON_RWATCH,
    RSP_REASON_AWATCH,
    RSP_REASON_SWBREAK,
    RSP_REASON_HWBREAK,
};

#define RSP_STOP_MAX_REGS 8

struct rsp_stop {
    enum rsp_stop_kind kind;
    int signal;
    enum rsp_stop_reason reason;
    uint64_t watch_addr;
    char thread[32];     /* "p01.01" as QEMU says it, or "" */
    int nregs;           /* expedited registers, at most RSP_STOP_MAX_REGS */
    struct {
        unsigned num;
        uint64_t value;
    } regs[RSP_STOP_MAX_REGS];
};

/* Parse a stop reply (S, T, W or X). Unknown T fields are ignored, as the
 * protocol asks. 0, or -1 if this is not a well-formed stop reply. */
int rsp_parse_stop(const char *p, size_t len, struct rsp_stop *out);

#endif
