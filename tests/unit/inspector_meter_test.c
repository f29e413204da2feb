/* Unit tests for inspector/meter.c: token buckets, alone and by peer
 * address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "meter.h"

static void test_burst_then_rate(void **state)
{
    (void)state;
    struct meter m;
    int n = 0;

    meter_init(&m, 32, 1000);
    while (meter_take(&m, 100, 32, 1000))
        n++;
    assert_int_equal(n, 32);
    assert_int_equal(meter_retry_after(&m, 100), 1);
    assert_false(meter_take(&m, 100, 32, 1005)); /* half a token back */
    assert_true(meter_take(&m, 100, 32, 1010));
    assert_false(meter_take(&m, 100, 32, 1010));
    /* Quiet for long: back to the burst, not beyond it. */
    n = 0;
    while (meter_take(&m, 100, 32, 100000))
        n++;
    assert_int_equal(n, 32);
    /* Time that goes back (it never should) gives nothing. */
    assert_false(meter_take(&m, 100, 32, 50000));
    /* At 1 a second, an empty bucket waits a whole second. */
    meter_init(&m, 1, 0);
    assert_true(meter_take(&m, 1, 1, 0));
    assert_int_equal(meter_retry_after(&m, 1), 1);
    assert_false(meter_take(&m, 1, 1, 999));
    assert_true(meter_take(&m, 1, 1, 1000));
}

static struct meter_peers peers;

static void test_peers(void **state)
{
    (void)state;
    int retry = 0, n = 0;

    memset(&peers, 0, sizeof peers);
    while (meter_peer_take(&peers, "10.0.0.1", 100, 32, 0, &retry))
        n++;
    assert_int_equal(n, 32);
    assert_int_equal(retry, 1);
    /* Another address has a bucket of its own. */
    assert_true(meter_peer_take(&peers, "10.0.0.2", 100, 32, 0, NULL));
    /* Many more addresses than the table holds do not free the flooder:
     * the full buckets are the ones reused. */
    for (int i = 0; i < 4 * METER_PEERS; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "10.1.%d.%d", i / 256, i % 256);
        assert_true(meter_peer_take(&peers, addr, 100, 32, 0, NULL));
    }
    assert_false(meter_peer_take(&peers, "10.0.0.1", 100, 32, 0, &retry));
    /* Once it slowed down, it may ask again. */
    assert_true(meter_peer_take(&peers, "10.0.0.1", 100, 32, 10, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_peers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
