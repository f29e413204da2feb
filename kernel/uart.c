// 16550 UART on QEMU virt. Output from user programs goes through a ring
// drained by the transmit-empty interrupt; the kernel's own printf writes
// synchronously. Received characters go to the console's line editor.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define REG(r) ((volatile uint8 *)(UART_VA + (r)))
#define RHR 0   // receive holding register
#define THR 0   // transmit holding register
#define IER 1   // interrupt enable
#define IER_RX 0x01
#define IER_TX 0x02
#define FCR 2   // FIFO control
#define FCR_ENABLE_CLEAR 0x07
#define LCR 3   // line control
#define LCR_8N1  0x03
#define LCR_DLAB 0x80  // divisor latch access
#define LSR 5   // line status
#define LSR_RX_READY 0x01
#define LSR_TX_EMPTY 0x20

#define TXBUF_SIZE 256
static char txbuf[TXBUF_SIZE];
static uint32 tx_head, tx_tail;   // tx_head: next to send; tx_tail: next free

void uartinit(void)
{
  *REG(IER) = 0;
  *REG(LCR) = LCR_DLAB;
  *REG(0) = 0x03;          // divisor 3: 38400 baud (QEMU ignores it)
  *REG(1) = 0x00;
  *REG(LCR) = LCR_8N1;
  *REG(FCR) = FCR_ENABLE_CLEAR;
  *REG(IER) = IER_RX | IER_TX;
}

// Send what the ring holds while the transmitter has room.
static void uartstart(void)
{
  while (tx_head != tx_tail && (*REG(LSR) & LSR_TX_EMPTY)) {
    *REG(THR) = txbuf[tx_head % TXBUF_SIZE];
    tx_head++;
    wakeup(&tx_head);
  }
}

// Queue one character; sleeps while the ring is full. Process context only.
void uartputc(int c)
{
  while (tx_tail - tx_head == TXBUF_SIZE)
    sleep(&tx_head);
  txbuf[tx_tail % TXBUF_SIZE] = c;
  tx_tail++;
  uartstart();
}

// Write one character now, spinning; for the kernel's printf and echo.
void uartputc_sync(int c)
{
  while ((*REG(LSR) & LSR_TX_EMPTY) == 0)
    ;
  *REG(THR) = c;
}

void uartintr(void)
{
  while (*REG(LSR) & LSR_RX_READY)
    consoleintr(*REG(RHR));
  uartstart();
}
