// Kernel-wide declarations, one section per file.
#include "memlayout.h"
#include "errno.h"
#include "stat.h"
#include "fcntl.h"
#include "procinfo.h"
#include "event.h"
#include "frame.h"
#include "ext2.h"
#include "fs.h"
#include "file.h"
#include "mailbox.h"
#include "proc.h"

struct buf;
struct pipe;

// bio.c
void binit(void);
struct buf *bread(uint32 blockno);
void brelse(struct buf *b);
void bdirty(struct buf *b);
struct buf *bnew(uint32 blockno);
void bdirty_meta(struct buf *b);
int bmeta_take(struct buf **out, int max);
int bmeta_count(void);
int bwrite_all(struct buf **bs, int n);
int bflush(struct buf *b);
int bsync(void);
void bprefetch(uint32 first, int n);
int bcached(uint32 blockno);

// console.c
void consputc(int c);
void consoleintr(int c);
int consoleread(uint32 dst, int n);
int consolewrite(uint32 src, int n);
void console_set_fg(int job);
int console_room(void);
void console_commit(const char *line, int n, char end);

// console_line.c
void line_key(int c);
void line_discard(void);
void line_redraw(void);

// errstr.c
const char *errstr(int err);

// exec.c
int exec(const char *path, char **argv);

// ext2.c
void fsinit(void);
int fs_writable(void);
int iupdate(struct inode *ip);
struct inode *inew(uint16 mode, struct inode *near, int *err);
int writei(struct inode *ip, int user_src, uint32 src, uint32 off, uint32 n);
int itrunc(struct inode *ip, uint32 size);
int ext2_fast_symlink(struct inode *ip);

// ext2_alloc.c
int balloc(uint32 near, uint32 goal);
void bfree(uint32 block);
int ialloc(uint16 mode, uint32 near);
void ifree_number(uint32 inum, int is_dir);
void ifree(struct inode *ip);

// ext2_dir.c
int dirlookup(struct inode *dp, const char *name);
int dir_add(struct inode *dp, const char *name, uint32 inum, short type);
int dir_remove(struct inode *dp, const char *name);
int dir_is_empty(struct inode *dp);
int dir_init(struct inode *dp, uint32 parent);
int dir_set_parent(struct inode *dp, uint32 parent);
struct inode *nameiparent(const char *path, char *name, int *err);
struct inode *iget(uint32 inum);
struct inode *idup(struct inode *ip);
int ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
int readi(struct inode *ip, int user_dst, uint32 dst, uint32 off, uint32 n);
int dir_next(struct inode *dp, uint32 *off, struct dirent *out);
struct inode *namei(const char *path);
struct inode *namei_err(const char *path, int *err);
struct inode *namei_locked(const char *path, int *err);
void stati(struct inode *ip, struct stat *st);
int either_copyout(int user_dst, uint32 dst, const void *src, uint32 len);
int fs_sync(void);
int fs_durable(void);
int fs_unmount(void);
int fs_write_super(void);
int fs_mark_in_use(void);
void ext2_committed(void);
// journal.c
int journal_init(uint32 inum, const char **why);
int journal_commit(void);
void begin_op(void);
void end_op(void);
void end_write_op(void);
uint32 fs_free_blocks(void);

// file.c
struct file *console_open(void);
struct file *file_open_inode(struct inode *ip, int readable, int writable);
struct file *file_open_pipe(struct pipe *pi, int writable);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, uint32 addr);
int fileread(struct file *f, uint32 addr, int n);
int filewrite(struct file *f, uint32 addr, int n);
int filegetdents(struct file *f, uint32 addr, int max);
int filelseek(struct file *f, int offset, int whence);
int filetruncate(struct file *f, uint32 len);
int filesync(struct file *f);

// kalloc.c
void kinit(void);
void *kalloc(enum frame_kind kind);
void kfree(void *page);
void kref(uint32 pa);
int krefcount(uint32 pa);
void kwrote(pte_t *pte);
uint32 kfree_count(void);

// lazy.c
int lazy_fault(pagetable_t pt, uint32 va);

// mailbox.c
int mailbox_send(int pid, uint32 buf, uint32 len, int flags);
int mailbox_recv(uint32 buf, uint32 len, uint32 from_addr, int flags);
void mailbox_close(struct proc *p);
void mailbox_init(struct proc *p);

// main.c
void poweroff(int code) __attribute__((noreturn));

// pipe.c
int pipealloc(struct file **rf, struct file **wf);
void pipeclose(struct pipe *pi, int writable);
int pipewrite(struct pipe *pi, uint32 addr, int n);
int piperead(struct pipe *pi, uint32 addr, int n);

// plic.c
void plicinit(void);
int plic_claim(void);
void plic_complete(int irq);

// printf.c
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void backtrace(uint32 fp);

// rtc.c
uint32 rtc_seconds(void);

// proc.c
struct proc *myproc(void);
void userinit(void);
void start_init(void);
int growproc(int n);
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(uint32 addr);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
int settickets(int n);
void sleep(void *chan);
void wakeup(void *chan);
int kill(int pid);
void kill_job(int job);
int procinfo(uint32 addr, int max);
int nproc_used(void);
void procdump(void);

// shm.c
int mmap_anon(uint32 len, int prot, int flags);
int munmap(uint32 va, uint32 len);
int shmat(int key, uint32 len);
void shm_reap(void);

// string.c
void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, uint n);
void *memcpy(void *dst, const void *src, uint n);
int memcmp(const void *a, const void *b, uint n);
int strncmp(const char *p, const char *q, uint n);
uint strlen(const char *s);
char *safestrcpy(char *dst, const char *src, int n);

// swtch.S
void swtch(struct context *old, struct context *new);

// syscall.c
uint32 argraw(int n);
int argint(int n);
int argpath(int n, char *buf);
void syscall(void);

// sysproc.c and sysfile.c
int sys_fork(void);
int sys_exit(void);
int sys_wait(void);
int sys_kill(void);
int sys_getpid(void);
int sys_yield(void);
int sys_uptime(void);
int sys_sbrk(void);
int sys_sleep(void);
int sys_procinfo(void);
int sys_sysinfo(void);
int sys_setfg(void);
int sys_trace(void);
int sys_sigalarm(void);
int sys_sigreturn(void);
int sys_halt(void);
int sys_read(void);
int sys_write(void);
int sys_close(void);
int sys_dup(void);
int sys_fstat(void);
int sys_getdents(void);
int sys_lseek(void);
int sys_open(void);
int sys_chdir(void);
int sys_pipe(void);
int sys_exec(void);
int sys_mmap(void);
int sys_munmap(void);
int sys_send(void);
int sys_recv(void);
int sys_shmat(void);
int sys_mknod(void);
int sys_unlink(void);
int sys_link(void);
int sys_mkdir(void);
int sys_rmdir(void);
int sys_rename(void);
int sys_ftruncate(void);
int sys_sync(void);
int sys_fsync(void);
int sys_settickets(void);
int sys_symlink(void);

// trap.c
extern uint32 ticks;
void trapinit(void);
void usertrapret(void) __attribute__((noreturn));
const char *exception_name(uint32 scause);

// uart.c
void uartinit(void);
void uartputc(int c);
void uartputc_sync(int c);
void uartintr(void);

// virtio_disk.c
int virtio_disk_init(void);
uint32 virtio_disk_blocks(void);
int virtio_disk_rw(struct buf *b, int write);
int virtio_disk_start(struct buf *b, int write);
int virtio_disk_start_run(struct buf **bs, int n, int write);
int virtio_disk_wait(struct buf *b);
int virtio_disk_flush(void);
void virtio_disk_intr(void);

// vm.c
extern pagetable_t kernel_pagetable;
void kvminit(void);
void kvminithart(void);
pte_t *walk(pagetable_t pt, uint32 va, int alloc);
int mappages(pagetable_t pt, uint32 va, uint32 size, uint32 pa, uint32 perm);
pagetable_t uvmcreate(void);
void uvmunmap(pagetable_t pt, uint32 va, uint32 size);
uint32 user_leaf(uint32 perm);
int uvmalloc(pagetable_t pt, uint32 start, uint32 end, uint32 perm);
void uvmfree(pagetable_t pt);
int uvmcopy_cow(pagetable_t parent, pagetable_t child);
int cow_fault(pagetable_t pt, uint32 va);
int copyout(pagetable_t pt, uint32 dstva, const void *src, uint32 len);
int copyin(pagetable_t pt, void *dst, uint32 srcva, uint32 len);
int copyinstr(pagetable_t pt, char *dst, uint32 srcva, uint32 max);
