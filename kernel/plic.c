// The platform-level interrupt controller: route the UART and the disk to
// hart 0's S-mode context.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define REG32(a) (*(volatile uint32 *)(a))

void plicinit(void)
{
  REG32(PLIC_PRIORITY(UART_IRQ)) = 1;
  REG32(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
  REG32(PLIC_SENABLE) = (1u << UART_IRQ) | (1u << VIRTIO0_IRQ);
  REG32(PLIC_STHRESHOLD) = 0;
}

int plic_claim(void)
{
  return REG32(PLIC_SCLAIM);
}

void plic_complete(int irq)
{
  REG32(PLIC_SCLAIM) = irq;
}
