/* console.c -- the guest's serial console as text for the page. */
#include "console.h"

#include <string.h>

static const char replacement[3] = {'\xef', '\xbf', '\xbd'}; /* U+FFFD */

/* Length of the sequence lead byte b starts (0: not a lead byte), and the
 * range its second byte must lie in. */
static int seq_len(uint8_t b, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        return 2;
    if (b >= 0xe0 && b <= 0xef) {
        if (b == 0xe0)
            *lo = 0xa0;
        if (b == 0xed)
            *hi = 0x9f; /* no surrogates */
        return 3;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        if (b == 0xf0)
            *lo = 0x90;
        if (b == 0xf4)
            *hi = 0x8f; /* nothing above U+10FFFF */
        return 4;
    }
    return 0;
}

/* How many bytes at s[0..n) form a valid sequence: its length; 0 when the
 * sequence is valid so far but incomplete; -1 when s[0] must be replaced. */
static int valid_prefix(const uint8_t *s, size_t n)
{
    uint8_t lo, hi;
    int want = seq_len(s[0], &lo, &hi);

    if (want == 0)
        return -1;
    for (int i = 1; i < want; i++) {
        if ((size_t)i >= n)
            return 0;
        uint8_t l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xbf;
        if (s[i] < l || s[i] > h)
            return -1;
    }
    return want;
}

size_t utf8_clean(struct utf8_carry *c, const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;

    /* Finish the held-back sequence first, one byte at a time. */
    while (c->len > 0 && n > 0) {
        c->buf[c->len++] = *in++;
        n--;
        int r = valid_prefix(c->buf, c->len);
        if (r > 0) {
            memcpy(out + o, c->buf, (size_t)r);
            o += (size_t)r;
            c->len = 0;
        } else if (r < 0) {
            /* The lead byte is bad; the others start over. */
            uint8_t rest[4];
            size_t nrest = c->len - 1u;
            memcpy(out + o, replacement, 3);
            o += 3;
            memcpy(rest, c->buf + 1, nrest);
            c->len = 0;
            o += utf8_clean(c, rest, nrest, out + o);
        }
    }
    for (size_t i = 0; i < n;) {
        if (in[i] < 0x80) {
            out[o++] = (char)in[i++];
            continue;
        }
        int r = valid_prefix(in + i, n - i);
        if (r > 0) {
            memcpy(out + o, in + i, (size_t)r);
            o += (size_t)r;
            i += (size_t)r;
        } else if (r == 0) {
            c->len = (uint8_t)(n - i);
            memcpy(c->buf, in + i, c->len);
            break;
        } else {
            memcpy(out + o, replacement, 3);
            o += 3;
            i++;
        }
    }
    return o;
}

void backlog_append(struct console_backlog *b, const char *text, size_t n)
{
    if (n >= CONSOLE_BACKLOG) {
        memcpy(b->buf, text + (n - CONSOLE_BACKLOG), CONSOLE_BACKLOG);
        b->len = CONSOLE_BACKLOG;
        return;
    }
    if (b->len + n > CONSOLE_BACKLOG) {
        size_t drop = b->len + n - CONSOLE_BACKLOG;
        memmove(b->buf, b->buf + drop, b->len - drop);
        b->len -= drop;
    }
    memcpy(b->buf + b->len, text, n);
    b->len += n;
}

const char *backlog_text(const struct console_backlog *b, size_t *len)
{
    size_t skip = 0;

    /* Dropping old text may have cut a character: skip its tail. */
    while (skip < b->len && skip < 3 && ((uint8_t)b->buf[skip] & 0xc0) == 0x80)
        skip++;
    *len = b->len - skip;
    return b->buf + skip;
}

void backlog_clear(struct console_backlog *b)
{
    b->len = 0;
}
