// M-mode boot: give S/U-mode all of memory, delegate traps and interrupts
// to S-mode, let S-mode program its own timer (Sstc), and mret into main().
#include "types.h"
#include "riscv.h"

void main(void);
void mtrap_hang(void);

#define CSR_MENVCFGH 0x31a
#define MENVCFGH_STCE (1u << 31)   // S-mode may use stimecmp (Sstc)

void start(void)
{
  // Previous privilege S, so mret lands in main() in S-mode with paging off.
  uint32 status = csr_read(mstatus);
  status = (status & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  csr_write(mstatus, status);
  csr_write(mepc, (uint32)main);
  csr_write(satp, 0);

  // All exceptions and S-level interrupts are handled in S-mode.
  csr_write(medeleg, 0xffff);
  csr_write(mideleg, SIE_SSIE | SIE_STIE | SIE_SEIE);
  csr_write(mtvec, (uint32)mtrap_hang);

  // One PMP entry, top-of-range up to the end of the address space, RWX.
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x0f);

  // Timer: S-mode writes stimecmp itself; time, cycle and instret are
  // readable from S and U mode.
  asm volatile("csrs %0, %1" : : "i"(CSR_MENVCFGH), "r"(MENVCFGH_STCE));
  csr_write(mcounteren, 7);
  csr_write(scounteren, 7);

  asm volatile("mret");
}
