/* ws_frames_feed: the reader of frame heads keeps pace with a stream of
 * masked frames of every length form, cut anywhere, and stops at the first
 * unmasked frame, wherever it is (random streams, fixed seed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "wsguard.h"

#define STREAM_MAX (4u << 20)

static uint32_t seed = 12345;
static uint32_t next_random(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

/* A length of each form: 7-bit, 16-bit, 64-bit (and their edges). */
static uint64_t some_length(void)
{
    static const uint64_t edges[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
    switch (next_random() % 3) {
    case 0: return edges[next_random() % 8];
    case 1: return next_random() % 126;
    default: return next_random() % 100000;
    }
}

/* One frame at out; its size. */
static size_t frame(uint8_t *out, uint64_t len, int masked)
{
    size_t n = 0;
    out[n++] = (uint8_t)(0x80 | (next_random() % 3));
    uint8_t bit = masked ? 0x80 : 0;
    if (len < 126) {
        out[n++] = (uint8_t)(bit | len);
    } else if (len < 65536) {
        out[n++] = bit | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = bit | 127;
        for (int i = 7; i >= 0; i--)
            out[n++] = (uint8_t)(len >> (8 * i));
    }
    if (masked)
        for (int i = 0; i < 4; i++)
            out[n++] = (uint8_t)next_random();
    for (uint64_t i = 0; i < len; i++)  /* payload bytes that look like heads */
        out[n++] = (uint8_t)(i % 3 ? 0x01 : 0x7f);
    return n;
}

/* Feed stream[0..n) cut at random places; the offset the reader refused
 * at (the end of the piece it refused), or n. */
static size_t feed_cut(struct ws_frames *f, const uint8_t *stream, size_t n)
{
    size_t at = 0;
    while (at < n) {
        size_t piece = 1 + next_random() % (next_random() % 2 ? 16 : 9000);
        if (piece > n - at)
            piece = n - at;
        if (!ws_frames_feed(f, stream + at, piece))
            return at + piece;
        at += piece;
    }
    return n;
}

static void test_masked_streams_pass(void **state)
{
    (void)state;
    uint8_t *stream = malloc(STREAM_MAX);
    assert_non_null(stream);
    for (int round = 0; round < 20; round++) {
        size_t n = 0;
        while (n < STREAM_MAX - 200000)
            n += frame(stream + n, some_length(), 1);
        struct ws_frames f = {0};
        assert_int_equal(feed_cut(&f, stream, n), n);
        assert_int_equal(f.have, 0);   /* at a frame's start again */
        assert_true(f.left == 0);
    }
    free(stream);
}

static void test_an_unmasked_frame_is_refused_where_it_is(void **state)
{
    (void)state;
    uint8_t *stream = malloc(STREAM_MAX);
    assert_non_null(stream);
    for (int round = 0; round < 50; round++) {
        size_t n = 0, frames = 1 + next_random() % 40, bad = next_random() % frames, bad_at = 0;
        for (size_t i = 0; i < frames; i++) {
            if (i == bad)
                bad_at = n;
            n += frame(stream + n, some_length() % 3000, i != bad);
        }
        struct ws_frames f = {0};
        assert_false(ws_frames_feed(&f, stream, n));
        /* byte by byte: refused at the head's second byte, not before */
        struct ws_frames g = {0};
        size_t i = 0;
        while (i < n && ws_frames_feed(&g, stream + i, 1))
            i++;
        assert_int_equal(i, bad_at + 1);
    }
    free(stream);
}

/* A watched number whose close was missed: another socket opened on it
 * reads as it is; the watched one itself is refused. */
static void test_a_new_socket_on_a_stale_number_passes(void **state)
{
    (void)state;
    const uint8_t unmasked[] = {0x81, 0x02, 'h', 'i'};
    int a[2], b[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    wsguard_watch(a[0]);
    assert_int_equal(wsguard_read(a[0], unmasked, 4), -1);
    int number = a[0];
    close(a[0]);
    close(a[1]);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    assert_int_equal(b[0], number);   /* the lowest free number again */
    assert_int_equal(wsguard_read(b[0], unmasked, 4), 4);
    close(b[0]);
    close(b[1]);
}

/* A socket watched from its handshake's head on: the head's bytes are not
 * frames, whatever they hold, and a frame in the same read as the head's
 * end is checked; the watch that comes when the connection is up keeps
 * that count. Cut at every place. */
static void test_frames_behind_the_handshake_are_checked(void **state)
{
    (void)state;
    static const char head[] = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
    const uint8_t masked[] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    const uint8_t unmasked[] = {0x81, 0x02, 'h', 'i'};
    for (size_t cut = 0; cut <= sizeof head - 1 + sizeof unmasked; cut++) {
        for (int bad = 0; bad < 2; bad++) {
            uint8_t stream[64];
            const uint8_t *f = bad ? unmasked : masked;
            size_t nf = bad ? sizeof unmasked : sizeof masked;
            memcpy(stream, head, sizeof head - 1);
            memcpy(stream + sizeof head - 1, f, nf);
            size_t n = sizeof head - 1 + nf, first = cut < n ? cut : n;
            int fds[2];
            assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
            wsguard_watch_after(fds[0], sizeof head - 1);
            ssize_t a = wsguard_read(fds[0], stream, (ssize_t)first);
            if (first >= sizeof head - 1)
                wsguard_watch(fds[0]); /* established, the count kept */
            ssize_t b = a < 0 ? -1 : wsguard_read(fds[0], stream + first, (ssize_t)(n - first));
            if (bad)
                assert_true(a < 0 || b < 0);
            else
                assert_true(a == (ssize_t)first && b == (ssize_t)(n - first));
            wsguard_forget(fds[0]);
            close(fds[0]);
            close(fds[1]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masked_streams_pass),
        cmocka_unit_test(test_an_unmasked_frame_is_refused_where_it_is),
        cmocka_unit_test(test_a_new_socket_on_a_stale_number_passes),
        cmocka_unit_test(test_frames_behind_the_handshake_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
