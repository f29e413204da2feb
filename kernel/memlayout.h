// Physical memory layout of QEMU virt, and where the kernel maps it.
//
// Physical:                        Kernel virtual (in every page table, U=0):
// 0x0010_0000 test device (halt)   0xF000_2000
// 0x0010_1000 Goldfish RTC         0xF000_3000
// 0x0C00_0000 PLIC (4 MiB)         0xF040_0000 (one 4 MiB megapage)
// 0x1000_0000 UART 16550           0xF000_0000
// 0x1000_1000 virtio-mmio 0        0xF000_1000
// 0x8000_0000 RAM, 128 MiB         0x8000_0000 (VA = PA; kernel text R-X, rest RW-)
//
// User virtual: 0x0000_0000 - 0x7FFF_FFFF.
// 0x0000_0000 page 0, never mapped
// 0x0000_1000 program text, data, bss, then the heap (sbrk) growing up
// 0x4000_0000 mmap region, growing up
// 0x7FFF_C000 user stack (USTACK_PAGES pages), one unmapped guard page below

#define RAMBASE     0x80000000u
#define RAMSIZE     (128u * 1024 * 1024)
#define PHYSTOP     (RAMBASE + RAMSIZE)

#define TEST_PA     0x00100000u
#define TEST_VA     0xF0002000u
#define RTC_PA      0x00101000u
#define RTC_VA      0xF0003000u
#define PLIC_PA     0x0C000000u
#define PLIC_VA     0xF0400000u
#define UART_PA     0x10000000u
#define UART_VA     0xF0000000u
#define VIRTIO0_PA  0x10001000u
#define VIRTIO0_VA  0xF0001000u

#define UART_IRQ    10
#define VIRTIO0_IRQ 1

// PLIC registers, for the S-mode context of hart 0 (context 1)
#define PLIC_PRIORITY(irq)  (PLIC_VA + 4 * (irq))
#define PLIC_SENABLE        (PLIC_VA + 0x2080)
#define PLIC_STHRESHOLD     (PLIC_VA + 0x201000)
#define PLIC_SCLAIM         (PLIC_VA + 0x201004)

#define MAXUVA      0x80000000u
#define USER_BASE   0x00001000u
#define MMAP_BASE   0x40000000u
#define USTACK_TOP  MAXUVA
#define USTACK_BOTTOM (USTACK_TOP - USTACK_PAGES * PGSIZE)
