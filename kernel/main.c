// S-mode entry: bring up the devices and memory, start the first process.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

void main(void)
{
  kinit();
  kvminit();
  kvminithart();
  uartinit();
  printf("\nGlassbox kernel (rv32, Sv32): %d MiB RAM, %d free frames of 4 KiB\n",
         RAMSIZE / (1024 * 1024), kfree_count());
  plicinit();
  binit();
  trapinit();
  userinit();
  scheduler();
}

// Power QEMU off through the virt test device (sifive_test):
// 0x5555 passes, (code << 16) | 0x3333 fails with that exit code.
void poweroff(int code)
{
  *(volatile uint32 *)TEST_VA = code == 0 ? 0x5555 : ((uint32)code << 16) | 0x3333;
  for (;;)
    ;
}
