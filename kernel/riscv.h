// RISC-V privileged architecture: CSR access, status bits, Sv32 page tables.

#define csr_read(csr) ({ uint32 __v; asm volatile("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, val) asm volatile("csrw " #csr ", %0" : : "r"((uint32)(val)))
#define csr_set(csr, bits) asm volatile("csrs " #csr ", %0" : : "r"((uint32)(bits)))
#define csr_clear(csr, bits) asm volatile("csrc " #csr ", %0" : : "r"((uint32)(bits)))

// mstatus / sstatus
#define MSTATUS_MPP_MASK (3u << 11)
#define MSTATUS_MPP_S    (1u << 11)
#define SSTATUS_SIE      (1u << 1)   // S-mode interrupts enabled
#define SSTATUS_SPIE     (1u << 5)   // SIE before the trap
#define SSTATUS_SPP      (1u << 8)   // previous mode: 1 = S, 0 = U
#define SSTATUS_SUM      (1u << 18)  // S-mode may touch U pages (we never set it)

// sie / sip
#define SIE_SSIE (1u << 1)
#define SIE_STIE (1u << 5)
#define SIE_SEIE (1u << 9)

// scause
#define SCAUSE_INTR      0x80000000u
#define IRQ_S_TIMER      5
#define IRQ_S_EXTERNAL   9
#define EXC_INST_MISALIGNED   0
#define EXC_INST_ACCESS       1
#define EXC_ILLEGAL_INST      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_S           9
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

static inline void intr_on(void)  { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void)  { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }

static inline uint64 read_time(void)
{
  uint32 hi, lo;
  do {
    hi = csr_read(timeh);
    lo = csr_read(time);
  } while (hi != csr_read(timeh));
  return ((uint64)hi << 32) | lo;
}

static inline uint32 read_fp(void)
{
  uint32 fp;
  asm volatile("mv %0, s0" : "=r"(fp));
  return fp;
}

static inline void sfence_vma_all(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma(uint32 va) { asm volatile("sfence.vma %0, zero" : : "r"(va) : "memory"); }

#include "pte.h"
