/* meter.h -- how fast a client may ask: a token bucket of `rate` requests
 * a second and `burst` at once (docs/security.md, "Limits").
 *
 * A WebSocket client keeps its own bucket. A REST client is a connection
 * per request, so its bucket is kept by peer address in a table of
 * METER_PEERS; the table never grows, and a bucket that has filled up
 * again (its peer quiet for burst/rate seconds) is as good as none, so it
 * is the first reused. Pure: the time is given. */
#ifndef GLASSBOX_METER_H
#define GLASSBOX_METER_H

#include <stdbool.h>
#include <stdint.h>

struct meter {
    double tokens; /* requests it may still make now */
    int64_t ms;    /* when tokens was last brought up to date */
};

void meter_init(struct meter *m, int burst, int64_t now_ms);
/* One request now at rate/burst: true if allowed (and counted). */
bool meter_take(struct meter *m, int rate, int burst, int64_t now_ms);
/* Whole seconds until the next request would be allowed (Retry-After), at
 * least 1. */
int meter_retry_after(const struct meter *m, int rate);

#define METER_PEERS 256
#define METER_ADDR_MAX 64

struct meter_peers {
    struct {
        char addr[METER_ADDR_MAX]; /* "" when unused */
        struct meter m;
    } slot[METER_PEERS];
};

/* meter_take on addr's bucket (a new one, full, for an address not in the
 * table). retry_after (may be NULL) gets meter_retry_after when refused. */
bool meter_peer_take(struct meter_peers *p, const char *addr, int rate,
                     int burst, int64_t now_ms, int *retry_after);

#endif
