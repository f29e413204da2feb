// Sv32: two levels of 1024 four-byte PTEs. A VA splits 10 | 10 | 12 bits.
// This header has no dependencies so host unit tests can use it.

#define PGSIZE     4096u
#define PGSHIFT    12
#define MEGAPAGE   (4u * 1024 * 1024)
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

#define PTE_V   (1u << 0)
#define PTE_R   (1u << 1)
#define PTE_W   (1u << 2)
#define PTE_X   (1u << 3)
#define PTE_U   (1u << 4)
#define PTE_G   (1u << 5)
#define PTE_A   (1u << 6)
#define PTE_D   (1u << 7)
#define PTE_COW    (1u << 8)   // RSW bit 8: read-only now, copy on the next store
#define PTE_SHARED (1u << 9)   // RSW bit 9: shared mapping, fork shares it writable
#define PTE_FLAGS_MASK 0x3FFu
#define PTE_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)

#define PX(level, va)  (((va) >> (PGSHIFT + 10 * (level))) & 0x3FFu)
#define PTE2PA(pte)    (((pte) >> 10) << 12)
#define PA2PTE(pa)     (((pa) >> 12) << 10)
#define PTE_FLAGS(pte) ((pte) & PTE_FLAGS_MASK)

#define SATP_SV32      (1u << 31)
#define MAKE_SATP(pt)  (SATP_SV32 | ((uint32)(pt) >> 12))
