/* tdesc.h -- GDB target descriptions: register names and numbers.
 *
 * The remote describes its registers in target.xml, which may pull in other
 * documents with <xi:include href="..."/> (QEMU's riscv32 includes
 * riscv-32bit-cpu.xml, riscv-csr.xml and more). A <reg> either carries
 * regnum="N" or takes the number after the previous register's, counting
 * across included documents in document order. The register numbers are
 * what the `p` packet wants; they differ between CPU models, so they are
 * never hard-coded. */
#ifndef GLASSBOX_TDESC_H
#define GLASSBOX_TDESC_H

#include <stddef.h>

#define TDESC_NAME_MAX 64       /* register name, NUL included */
#define TDESC_MAX_REGS 8192
#define TDESC_MAX_INCLUDES 32   /* documents included in one load */
#define TDESC_MAX_DEPTH 4       /* nesting of includes */

struct tdesc_reg {
    char name[TDESC_NAME_MAX];
    unsigned regnum;
    unsigned bitsize;
};

struct tdesc {
    char arch[64]; /* <architecture>, e.g. "riscv:rv32", or "" */
    struct tdesc_reg *regs;
    size_t nregs;
    size_t cap;
};

/* Reads one document ("target.xml" or an included annex) into a malloc'd
 * buffer that the loader frees. Returns 0, or -1 with err filled in. */
typedef int (*tdesc_fetch_fn)(void *ctx, const char *annex, char **xml,
                              size_t *len, char *err, size_t errlen);

/* Loads target.xml and everything it includes. 0, or -1 with err filled in
 * (and t left empty). */
int tdesc_load(struct tdesc *t, tdesc_fetch_fn fetch, void *ctx, char *err,
               size_t errlen);
void tdesc_free(struct tdesc *t);
/* First register with this name, or NULL. */
const struct tdesc_reg *tdesc_find(const struct tdesc *t, const char *name);

#endif
