#define NPROC        64    // maximum number of processes
#define NOFILE       16    // open files per process
#define NFILE       128    // open files in the system
#define NINODE       64    // maximum number of active in-memory inodes
#define NBUF        256    // blocks in the buffer cache
#define MAXARG       32    // exec arguments
#define MAXARGLEN   512    // bytes of one exec argument
#define MAXPATH     256    // longest path name
#define MAXSYMLINKS 8      // symbolic links open() follows for one path
#define USTACK_PAGES  4    // user stack: 16 KiB
#define LAZY_RESERVE 32    // frames sbrk never promises (page tables of a lazy heap)
#define TICK_HZ     100    // timer interrupts per second (10 ms tick)
#define TIMEBASE_HZ 10000000 // QEMU virt's mtime frequency
#define STRIDE1  (1 << 28)  // a process's stride is STRIDE1 / its tickets (scheduler lab)
#define TICKETS_DEFAULT 10  // tickets of init; fork passes the parent's on
#define TICKETS_MAX  1000  // settickets() accepts 1 to TICKETS_MAX
