// System call numbers: ecall with the number in a7, arguments in a0-a5,
// result in a0 (a negative value from errno.h on failure).
// 1-21 keep xv6's numbering; the rest are Glassbox's own.
#ifndef GLASSBOX_KERNEL_SYSCALL_H
#define GLASSBOX_KERNEL_SYSCALL_H
#define SYS_fork      1
#define SYS_exit      2
#define SYS_wait      3
#define SYS_pipe      4
#define SYS_read      5
#define SYS_kill      6
#define SYS_exec      7
#define SYS_fstat     8
#define SYS_chdir     9
#define SYS_dup      10
#define SYS_getpid   11
#define SYS_sbrk     12
#define SYS_sleep    13
#define SYS_uptime   14
#define SYS_open     15
#define SYS_write    16
#define SYS_mknod    17
#define SYS_unlink   18
#define SYS_link     19
#define SYS_mkdir    20
#define SYS_close    21
#define SYS_yield    22
#define SYS_procinfo 23
#define SYS_sysinfo  24
#define SYS_mmap     25
#define SYS_munmap   26
#define SYS_send     27
#define SYS_recv     28
#define SYS_shmat    29
#define SYS_getdents 30
#define SYS_lseek    31
#define SYS_rename   32
#define SYS_sync     33
#define SYS_halt     34
#define SYS_rmdir    35
#define SYS_ftruncate 36
#define SYS_setfg    37
#define SYS_trace    38
#define SYS_sigalarm 39
#define SYS_sigreturn 40
#define SYS_fsync    41
#define SYS_settickets 42
#define SYS_symlink  43

#endif
