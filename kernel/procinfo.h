// Shapes shared by the kernel and user programs for ps and leak checks.
#ifndef GLASSBOX_KERNEL_PROCINFO_H
#define GLASSBOX_KERNEL_PROCINFO_H
#define PROC_NAME_LEN 16

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct procinfo {
  int pid;
  int ppid;
  int state;                  // enum procstate
  unsigned int size;          // bytes of user memory (heap top)
  int mailbox_depth;          // messages waiting in its mailbox
  char name[PROC_NAME_LEN];
};

struct sysinfo {
  unsigned int total_frames;  // frames of RAM
  unsigned int free_frames;   // frames on the free list now
  unsigned int nproc;         // processes in use
  unsigned int ticks;         // timer ticks since boot (10 ms each)
  unsigned int free_blocks;   // free blocks on the disk (1 KiB each)
};

// A directory entry as returned by getdents(): fixed size, one per call slot.
#define DIRENT_NAME_LEN 255
struct dirent {
  unsigned int ino;
  unsigned char type;         // T_DIR, T_FILE, T_DEVICE, or 0 if unknown
  char name[DIRENT_NAME_LEN + 1];
};

#endif
