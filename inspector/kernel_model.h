/* kernel_model.h -- what the daemon knows about the kernel it watches, all
 * from the kernel ELF: struct layouts (dwarf.h), function symbols, source
 * lines, and the names of event kinds and system calls.
 *
 * Every layout the decoders need is looked up once in kernel_model_open():
 * a kernel whose structures lack a field the decoders use is refused then,
 * with a message naming the field, not half-decoded later. */
#ifndef GLASSBOX_KERNEL_MODEL_H
#define GLASSBOX_KERNEL_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf.h"
#include "sv32.h"

/* Offsets and sizes the decoders read with. */
struct kernel_layout {
    uint32_t proc_addr, proc_size, nproc;            /* proc[] */
    uint32_t proc_high_water_addr;                   /* slots past it were never used */
    uint32_t p_state, p_pid, p_name, p_name_len, p_parent, p_killed, p_xstate,
             p_chan, p_job, p_sz, p_pagetable, p_tf_regs, p_tf_epc, p_ofile,
             p_nofile;
    uint32_t p_mbox, mb_head, mb_count, mb_msgs, mbox_depth, msg_size;  /* struct mailbox */
    uint32_t mailbox_slots_addr, mailbox_slots_size;  /* where msgs may point */
    uint32_t m_from, m_len, m_data, msg_max;        /* struct message */
    uint32_t frames_addr, frame_size, nframes;       /* frames[] */
    uint32_t frames_high_water_addr;                 /* frames past it were never used */
    uint32_t f_refcount, f_refcount_size, f_kind, f_writes;
    uint32_t ring_addr, ring_next_seq, ring_slot, nevent, event_size;
    uint32_t e_seq, e_tick, e_pid, e_kind, e_data, e_data_size;
    uint32_t ticks_addr;
    uint32_t kernel_root_addr;                       /* kernel_pagetable */
    uint32_t ftable_addr, file_size, nfile;          /* ftable[] */
    uint32_t fl_type, fl_ref, fl_ip, fl_off;
    uint32_t inode_inum;                             /* struct inode */
    uint32_t ram_base, ram_size;
    uint32_t user_top;   /* the kernel's user_top: user addresses are below */
    struct sv32_soft_bits pte_soft; /* its pte_cow and pte_shared */
};

/* One field of an event's payload: a member of the kernel's union
 * event_data named like the event kind ("cow_fault") holds the struct of
 * them. By its C type a field is a number (signed: pids, counts), an
 * address (unsigned: shown in hex) or text (a char array). */
enum event_field_kind { EVENT_FIELD_INT, EVENT_FIELD_ADDR, EVENT_FIELD_TEXT };

struct event_field {
    char *name;
    uint32_t offset;        /* from the start of the event's data */
    uint32_t size;          /* bytes: 1, 2 or 4; the array's for text */
    enum event_field_kind kind;
};

struct kernel_model;

struct kernel_model *kernel_model_open(const char *elf_path, char *err,
                                       size_t errlen);
void kernel_model_close(struct kernel_model *km);

const struct kernel_layout *kernel_model_layout(const struct kernel_model *km);

/* A function's or global's address; 0 when the kernel has no such symbol. */
uint32_t kernel_model_symbol(const struct kernel_model *km, const char *name);
/* A place for a breakpoint: 1 with *addr set when name is a function (or a
 * label in the kernel's text, below etext), -1 when the kernel has the name
 * but only as data, 0 when it has no such symbol. */
int kernel_model_function(const struct kernel_model *km, const char *name, uint32_t *addr);
/* The function, file and line at pc. 0, or -1 when pc is in no function;
 * *file is NULL (and *line 0) where the line table has no row for pc. */
int kernel_model_where(const struct kernel_model *km, uint32_t pc,
                       const char **function, const char **file, int *line);
/* Addresses in pc's function where a source line other than pc's starts:
 * breakpoints there give "step one source line". Returns the count. */
int kernel_model_next_line_addrs(const struct kernel_model *km, uint32_t pc,
                                 uint32_t *addrs, int max);
/* The kernel's call frame information (.debug_frame), for unwind.c; NULL if
 * it has none. */
typedef struct Dwarf_CFI_s Dwarf_CFI;
Dwarf_CFI *kernel_model_cfi(const struct kernel_model *km);

/* Names: "procstate" values, frame kinds, event kinds, file types, syscalls.
 * NULL for an unknown value. */
const char *kernel_model_proc_state(const struct kernel_model *km, int64_t v);
const char *kernel_model_frame_kind(const struct kernel_model *km, int64_t v);
const char *kernel_model_event_name(const struct kernel_model *km, int64_t v);
const char *kernel_model_file_type(const struct kernel_model *km, int64_t v);
/* An error number's name ("ENOENT" for 2), from the kernel's enum error_number. */
const char *kernel_model_error_name(const struct kernel_model *km, int64_t v);
const char *kernel_model_syscall_name(const struct kernel_model *km, int64_t n);
/* The name of call n's first argument (its syscall event's a0), "" for a call
 * without arguments; NULL if the kernel's syscall_arg0[] does not say. */
const char *kernel_model_syscall_arg0(const struct kernel_model *km, int64_t n);
/* The payload fields of event kind v, *n of them (0: none, or v unknown). */
const struct event_field *kernel_model_event_fields(const struct kernel_model *km,
                                                    int64_t v, size_t *n);
/* The payload field called name of event kind v, or NULL. */
const struct event_field *kernel_model_event_field(const struct kernel_model *km,
                                                   int64_t v, const char *name);
/* The reverse: "cow_fault" -> EV_COW_FAULT, "write" -> 16; -1 if unknown. */
int kernel_model_event_kind(const struct kernel_model *km, const char *name);
int kernel_model_syscall_number(const struct kernel_model *km,
                                const char *name);

/* The "kernel" object of the hello message (docs/protocol.md). */
json_t *kernel_model_hello(const struct kernel_model *km);

#endif
