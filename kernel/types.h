#ifndef GLASSBOX_KERNEL_TYPES_H
#define GLASSBOX_KERNEL_TYPES_H
typedef unsigned char  uint8;
typedef unsigned short uint16;
typedef unsigned int   uint32;
typedef unsigned long long uint64;
typedef unsigned int   uint;
typedef uint32 pte_t;
typedef uint32 *pagetable_t;   // 1024 PTEs

#endif
