// The user API. Names and signatures follow xv6's user/user.h, so a program
// written for xv6 compiles unchanged; Glassbox's own calls follow.
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/procinfo.h"

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;
typedef unsigned char  uint8;
typedef unsigned short uint16;
typedef unsigned int   uint32;
typedef unsigned long long uint64;

// system calls (negative errno on failure unless noted)
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int*);
int pipe(int*);
int write(int, const void*, int);
int read(int, void*, int);
int close(int);
int kill(int);
int exec(const char*, char**);
int open(const char*, int);
int mknod(const char*, short, short);
int unlink(const char*);
int fstat(int fd, struct stat*);
int link(const char*, const char*);
int mkdir(const char*);
int chdir(const char*);
int dup(int);
int getpid(void);
char* sbrk(int);              // (char*)-1 on failure, as in xv6
int sleep(int);
int uptime(void);

// Glassbox's calls
int yield(void);
int procinfo(struct procinfo*, int max);   // fills up to max entries, returns count
int sysinfo(struct sysinfo*);
void* mmap(void *addr, uint len, int prot, int flags);  // (void*)-1 on failure
int munmap(void *addr, uint len);
int send(int pid, const void *buf, uint len, int flags);
int recv(void *buf, uint len, int *from, int flags);
void* shmat(int key, uint len);            // (void*)-1 on failure
int getdents(int fd, struct dirent *buf, int max);  // entries read, 0 at end
int lseek(int fd, int offset, int whence);
int rename(const char*, const char*);
int sync(void);
int halt(void);
int rmdir(const char*);
int ftruncate(int fd, uint len);
int setfg(int pid);                        // console job that ^C kills (0 = none)
int trace(uint mask);                      // print results of calls n with bit 1<<n set
int sigalarm(int ticks, void (*handler)(void));  // handler every ticks (0: off)
int sigreturn(void);                       // the handler's last call
int fsync(int fd);                         // on the disk (flushed) when it returns
int settickets(int n);                     // this process's CPU share: 1 to 1000 tickets
int symlink(const char *target, const char *path);

// ulib.c
int stat(const char*, struct stat*);
char* strcpy(char*, const char*);
char* strncpy(char*, const char*, int);
char* strcat(char*, const char*);
void *memmove(void*, const void*, int);
char* strchr(const char*, char c);
char* strrchr(const char*, char c);
int strcmp(const char*, const char*);
int strncmp(const char*, const char*, uint);
char* strstr(const char*, const char*);
char* gets(char*, int max);
uint strlen(const char*);
void* memset(void*, int, uint);
int atoi(const char*);
int memcmp(const void *, const void *, uint);
void *memcpy(void *, const void *, uint);
const char* strerror(int err);   // accepts err or -err
int is_dir(const char *path);
uint64 rdtime(void);             // the time CSR, TIME_HZ ticks a second
#define TIME_HZ 10000000

// printf.c
#define stdin  0
#define stdout 1
#define stderr 2
int printf(const char*, ...) __attribute__((format(printf, 1, 2)));
int fprintf(int, const char*, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char*, int, const char*, ...) __attribute__((format(printf, 3, 4)));

// targets.c: "tool src dst" or "tool src... dir" (cp, mv, ln): calls
// op(src, dst or dir/<name of src>) for each src; returns the exit status.
int for_each_target(int argc, char *argv[], int (*op)(const char *src, const char *dst));

// umalloc.c
void* malloc(uint);
void free(void*);
