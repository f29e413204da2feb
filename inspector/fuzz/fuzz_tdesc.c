/* libFuzzer target for inspector/tdesc.c: the input is served as every
 * document the target description asks for, so includes recurse into it
 * until the depth and count limits stop them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tdesc.h"

static const uint8_t *doc;
static size_t doc_len;

static int fetch(void *ctx, const char *annex, char **xml, size_t *len,
                 char *err, size_t errlen)
{
    (void)ctx;
    (void)annex;
    (void)err;
    (void)errlen;
    *xml = malloc(doc_len ? doc_len : 1);
    if (!*xml)
        abort();
    memcpy(*xml, doc, doc_len);
    *len = doc_len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    struct tdesc t;
    char err[256];

    doc = in;
    doc_len = n;
    if (tdesc_load(&t, fetch, NULL, err, sizeof err) == 0) {
        if (t.nregs == 0 || t.nregs > TDESC_MAX_REGS)
            abort();
        tdesc_free(&t);
    }
    return 0;
}
