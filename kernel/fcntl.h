// open() flags, xv6's values plus O_APPEND and O_NOFOLLOW.
#ifndef GLASSBOX_KERNEL_FCNTL_H
#define GLASSBOX_KERNEL_FCNTL_H
#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR    0x002
#define O_CREATE  0x200
#define O_TRUNC   0x400
#define O_APPEND  0x800
#define O_NOFOLLOW 0x1000  // a symbolic link at the path itself: -ELOOP

// lseek() whence
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

// mmap() protection and flags
#define PROT_READ   0x1
#define PROT_WRITE  0x2
#define PROT_EXEC   0x4
#define MAP_PRIVATE 0x01
#define MAP_SHARED  0x02
#define MAP_ANON    0x20

// send()/recv() flags
#define MSG_DONTWAIT 0x1

#endif
