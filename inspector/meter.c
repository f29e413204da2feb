/* meter.c -- token buckets, alone and by peer address (meter.h). */
#include "meter.h"

#include <stdio.h>
#include <string.h>

void meter_init(struct meter *m, int burst, int64_t now_ms)
{
    m->tokens = burst;
    m->ms = now_ms;
}

static void refill(struct meter *m, int rate, int burst, int64_t now_ms)
{
    if (now_ms > m->ms)
        m->tokens += (double)(now_ms - m->ms) * rate / 1000.0;
    if (m->tokens > burst)
        m->tokens = burst;
    m->ms = now_ms;
}

bool meter_take(struct meter *m, int rate, int burst, int64_t now_ms)
{
    refill(m, rate, burst, now_ms);
    if (m->tokens < 1)
        return false;
    m->tokens -= 1;
    return true;
}

int meter_retry_after(const struct meter *m, int rate)
{
    double s = m->tokens >= 1 ? 0 : (1 - m->tokens) / rate;
    int whole = (int)s;

    if (whole < s)
        whole++;
    return whole < 1 ? 1 : whole;
}

bool meter_peer_take(struct meter_peers *p, const char *addr, int rate,
                     int burst, int64_t now_ms, int *retry_after)
{
    size_t pick = 0;
    double most = -1;

    for (size_t i = 0; i < METER_PEERS; i++) {
        if (!strncmp(p->slot[i].addr, addr, METER_ADDR_MAX - 1)) {
            pick = i;
            goto found;
        }
    }
    /* Not in the table: reuse the slot with the fullest bucket (an unused
     * one counts as full). */
    for (size_t i = 0; i < METER_PEERS; i++) {
        struct meter m = p->slot[i].m;
        double t = burst;
        if (p->slot[i].addr[0]) {
            refill(&m, rate, burst, now_ms);
            t = m.tokens;
        }
        if (t > most) {
            most = t;
            pick = i;
        }
    }
    snprintf(p->slot[pick].addr, METER_ADDR_MAX, "%s", addr);
    meter_init(&p->slot[pick].m, burst, now_ms);
found:
    if (meter_take(&p->slot[pick].m, rate, burst, now_ms))
        return true;
    if (retry_after)
        *retry_after = meter_retry_after(&p->slot[pick].m, rate);
    return false;
}
