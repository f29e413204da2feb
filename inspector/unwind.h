/* unwind.h -- the kernel's call stack at a stop, from the kernel's call
 * frame information (.debug_frame: the kernel is built with -g), so a
 * function stopped in its prologue unwinds as well as one in its body.
 * Nothing here reads guest memory itself: the caller passes a reader. */
#ifndef GLASSBOX_UNWIND_H
#define GLASSBOX_UNWIND_H

#include <stdint.h>

#include "kernel_model.h"

#define UNWIND_MAX_FRAMES 24

/* The registers a frame's rules refer to. */
struct unwind_regs {
    uint32_t pc, ra, sp, s0;
};

/* One 32-bit word of guest memory at addr: 0, or -1 when it cannot be read. */
typedef int (*unwind_read_fn)(void *ctx, uint32_t addr, uint32_t *value);

/* The pc of each frame, innermost first: pcs[0] is r.pc, the next ones the
 * return addresses. Stops at a pc without call frame information (the trap
 * entry code), at an unreadable word or when the stack does not grow. Returns
 * the number of frames (at least 1, at most max). */
int unwind_backtrace(const struct kernel_model *km, struct unwind_regs r,
                     unwind_read_fn read, void *ctx, uint32_t *pcs, int max);

#endif
