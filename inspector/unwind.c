/* unwind.c -- one frame at a time, by the kernel's CFI rules (unwind.h). */
#include "unwind.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdlib.h>

enum { REG_RA = 1, REG_SP = 2, REG_S0 = 8 }; /* DWARF numbers of x1, x2, x8 */

static int reg_value(const struct unwind_regs *r, unsigned regno, uint32_t *out)
{
    switch (regno) {
    case REG_RA: *out = r->ra; return 0;
    case REG_SP: *out = r->sp; return 0;
    case REG_S0: *out = r->s0; return 0;
    default: return -1; /* no rule of this kernel's refers to others */
    }
}

/* The few DWARF expressions GCC's CFI uses: "register + offset" for the CFA,
 * "CFA + offset" for where a register was saved. */
static int eval(const Dwarf_Op *ops, size_t n, const struct unwind_regs *r,
                uint32_t cfa, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t op = ops[i].atom;
        if (op == DW_OP_call_frame_cfa)
            v = cfa;
        else if (op == DW_OP_bregx && reg_value(r, (unsigned)ops[i].number, &v) == 0)
            v += (uint32_t)ops[i].number2;
        else if (op >= DW_OP_breg0 && op <= DW_OP_breg31 && reg_value(r, op - DW_OP_breg0, &v) == 0)
            v += (uint32_t)ops[i].number;
        else if (op == DW_OP_plus_uconst)
            v += (uint32_t)ops[i].number;
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* The caller's value of regno: unchanged, or read from where it was saved. */
static int caller_reg(Dwarf_Frame *frame, unsigned regno, const struct unwind_regs *r,
                      uint32_t cfa, unwind_read_fn read, void *ctx, uint32_t *out)
{
    Dwarf_Op mem[3], *ops;
    size_t n;
    uint32_t addr;
    if (dwarf_frame_register(frame, (int)regno, mem, &ops, &n) < 0)
        return -1;
    if (n == 0 && ops == NULL)
        return reg_value(r, regno, out); /* same value */
    if (n == 0 || eval(ops, n, r, cfa, &addr) < 0)
        return -1; /* undefined, or a rule we do not know */
    return read(ctx, addr, out);
}

/* Replace r with the caller's registers. 0, or -1 when there is no caller
 * to be found. */
static int step(Dwarf_CFI *cfi, struct unwind_regs *r, bool innermost,
                unwind_read_fn read, void *ctx)
{
    Dwarf_Frame *frame;
    Dwarf_Op *ops;
    size_t n;
    uint32_t cfa, ra, s0;
    /* A return address points after the call: look up the call itself. */
    if (dwarf_cfi_addrframe(cfi, innermost ? r->pc : r->pc - 4, &frame) != 0)
        return -1;
    int ok = dwarf_frame_cfa(frame, &ops, &n) == 0 && eval(ops, n, r, 0, &cfa) == 0 &&
             caller_reg(frame, REG_RA, r, cfa, read, ctx, &ra) == 0 &&
             caller_reg(frame, REG_S0, r, cfa, read, ctx, &s0) == 0;
    free(frame);
    /* The stack grows down: a caller's frame is above; a frameless leaf
     * (CFA = sp) may return to its caller once, not loop. */
    if (!ok || cfa < r->sp || ra == 0 || (cfa == r->sp && !innermost))
        return -1;
    *r = (struct unwind_regs){.pc = ra, .ra = ra, .sp = cfa, .s0 = s0};
    return 0;
}

int unwind_backtrace(const struct kernel_model *km, struct unwind_regs r,
                     unwind_read_fn read, void *ctx, uint32_t *pcs, int max)
{
    Dwarf_CFI *cfi = kernel_model_cfi(km);
    int n = 0;
    if (max < 1)
        return 0;
    pcs[n++] = r.pc;
    while (cfi && n < max && step(cfi, &r, n == 1, read, ctx) == 0)
        pcs[n++] = r.pc;
    return n;
}
