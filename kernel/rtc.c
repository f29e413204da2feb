// The Goldfish real-time clock on QEMU virt: nanoseconds since 1970.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define RTC_TIME_LOW  0x00   // reading it latches TIME_HIGH
#define RTC_TIME_HIGH 0x04

uint32 rtc_seconds(void)
{
  volatile uint32 *rtc = (volatile uint32 *)RTC_VA;
  uint64 lo = rtc[RTC_TIME_LOW / 4];
  uint64 hi = rtc[RTC_TIME_HIGH / 4];
  return (uint32)(((hi << 32) | lo) / 1000000000ull);
}
