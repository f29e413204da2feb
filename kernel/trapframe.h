// Byte offsets of the trap-frame layouts that trapentry.S uses, so that the
// assembly and the C structures share one definition. The C side checks them
// against the structures with _Static_assert: struct trapframe in proc.h,
// struct kernel_regs in trap.c.

// struct trapframe: user registers x1..x31 by number, then pc and kernel sp.
#define TF_REG(n)    (4 * (n))
#define TF_EPC       (4 * 32)
#define TF_KERNEL_SP (4 * 33)

// kernelvec's frame on the kernel stack: KV_NREGS saved registers (struct
// kernel_regs, in that order), in a frame of KV_FRAME bytes (a multiple of 16,
// as the RISC-V ABI wants for sp).
#define KV_REG(i)    (4 * (i))
#define KV_NREGS     17
#define KV_FRAME     80
