// System call stubs: each loads its number into a7 and traps; the kernel
// leaves the result (or a negative errno) in a0.
#include "kernel/syscall.h"

#define STUB(symbol, number)     \
        .global symbol;          \
        .type symbol, @function; \
symbol:                          \
        li      a7, number;      \
        ecall;                   \
        ret;                     \
        .size symbol, . - symbol

// A call whose C prototype in user.h matches the kernel's result directly.
#define SYSCALL(name) STUB(name, SYS_##name)
// A call whose result ulib.c converts (-errno to (void*)-1) before returning it.
#define RAW_SYSCALL(name) STUB(sys_##name, SYS_##name)

        .text
SYSCALL(fork)
SYSCALL(exit)
SYSCALL(wait)
SYSCALL(pipe)
SYSCALL(read)
SYSCALL(kill)
SYSCALL(exec)
SYSCALL(fstat)
SYSCALL(chdir)
SYSCALL(dup)
SYSCALL(getpid)
RAW_SYSCALL(sbrk)
SYSCALL(sleep)
SYSCALL(uptime)
SYSCALL(open)
SYSCALL(write)
SYSCALL(mknod)
SYSCALL(unlink)
SYSCALL(link)
SYSCALL(mkdir)
SYSCALL(close)
SYSCALL(yield)
SYSCALL(procinfo)
SYSCALL(sysinfo)
RAW_SYSCALL(mmap)
SYSCALL(munmap)
SYSCALL(send)
SYSCALL(recv)
RAW_SYSCALL(shmat)
SYSCALL(getdents)
SYSCALL(lseek)
SYSCALL(rename)
SYSCALL(sync)
SYSCALL(halt)
SYSCALL(rmdir)
SYSCALL(ftruncate)
SYSCALL(setfg)
SYSCALL(trace)
SYSCALL(sigalarm)
SYSCALL(sigreturn)
SYSCALL(fsync)
SYSCALL(settickets)
SYSCALL(symlink)
