/* libFuzzer target for inspector/rsp.c: any bytes from the gdb stub.
 *
 * The input is fed to the parser in pieces whose size its first byte picks,
 * and every packet that comes out goes through each reply parser. Then the
 * input, taken as a payload, must survive rsp_frame() and rsp_parse()
 * unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

static void exercise(const char *p, size_t len)
{
    struct rsp_stop stop;
    struct rsp_features f;
    const char *data;
    size_t dlen;
    uint64_t v;
    static uint8_t bytes[RSP_MAX_PAYLOAD / 2];

    rsp_parse_stop(p, len, &stop);
    rsp_parse_supported(p, len, &f);
    rsp_parse_vcont(p, len);
    rsp_parse_xfer(p, len, &data, &dlen);
    rsp_is_error(p, len);
    rsp_is_ok(p, len);
    rsp_hex_decode(p, len, bytes);
    rsp_hex_u64(p, len, &v);
    rsp_hex_le(p, len, &v);
}

static void round_trip(const uint8_t *in, size_t n)
{
    static char framed[2 * RSP_MAX_PAYLOAD + 4];
    static struct rsp_parser p;
    struct rsp_event ev;

    if (n > RSP_MAX_PAYLOAD)
        return;
    size_t len = rsp_frame(in, n, framed, sizeof framed);
    rsp_parser_init(&p);
    if (len == 0 || rsp_parse(&p, framed, len, &ev) != len ||
        ev.kind != RSP_EV_PACKET || ev.len != n || memcmp(ev.data, in, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static struct rsp_parser p;
    size_t piece = n ? in[0] % 64 + 1 : 1;

    rsp_parser_init(&p);
    for (size_t off = 0; off < n;) {
        struct rsp_event ev;
        size_t want = n - off < piece ? n - off : piece;
        size_t used = rsp_parse(&p, in + off, want, &ev);
        if (used == 0 || used > want)
            abort();
        off += used;
        if (ev.kind == RSP_EV_PACKET) {
            if (ev.len > RSP_MAX_PAYLOAD || ev.data[ev.len] != '\0')
                abort();
            exercise(ev.data, ev.len);
        }
    }
    round_trip(in, n);
    return 0;
}
