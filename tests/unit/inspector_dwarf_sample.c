/* Built for rv32 with -g by inspector.mk and read back by
 * inspector_dwarf_test.c: shapes like the kernel's, with known layouts. */
#include <stdint.h>

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };
enum delta { DOWN = -1, SAME = 0, UP = 1 };

typedef uint32_t pte_t;
typedef pte_t *pagetable_t;

struct context {
    uint32_t ra, sp;
    uint32_t s[12];
};

struct trapframe; /* defined after its first use, as in a header */

typedef struct {
    uint32_t locked;
    const char *name;
} spinlock_t;

struct proc {
    int pid;                /* 0 */
    enum procstate state;   /* 4 */
    struct proc *parent;    /* 8 */
    pagetable_t pagetable;  /* 12 */
    char name[16];          /* 16 */
    struct context context; /* 32, 56 bytes */
    struct trapframe *tf;   /* 88 */
    union {                 /* 92 */
        uint32_t chan_addr;
        const volatile void *chan;
    };
    unsigned killed : 1;    /* 96, bit 0 */
    unsigned xstate : 7;    /* 96, bits 1-7 */
    int ofile[4][2];        /* 100, 32 bytes */
};                          /* 132 */

struct trapframe {
    uint32_t epc;
    uint32_t regs[31];
};

struct event {
    uint32_t tick;
    int16_t pid;
    uint8_t kind;
    enum delta delta;
};

struct proc proc[8];
uint16_t frame_ref[1024];
struct event event_ring[64];
volatile const int ticks = 3;
spinlock_t biglock;
struct trapframe *last_tf;
static int counter = 1; /* inspector_dwarf_sample2.c has one too */
struct msg {
    uint32_t len;
    char data[]; /* flexible: no element count */
} *inbox;

/* Placed by the linker at 0x80100000, so the test knows its address. */
__attribute__((section(".probe"))) uint32_t probe = 0x12345678;

int bump_counter(void)
{
    return ++counter;
}
