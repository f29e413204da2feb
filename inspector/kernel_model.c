/* kernel_model.c -- layouts, symbols, lines and names from the kernel ELF. */
#include "kernel_model.h"

#include <ctype.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sv32.h"

struct func_sym {
    uint32_t addr, size;
    char *name;
    bool code; /* a function, or a label in an executable section */
};

struct name_table {
    char **names;   /* by value; NULL where no name */
    size_t count;
};

struct event_payload {
    struct event_field *fields;
    size_t n;
};

struct kernel_model {
    struct layout *layout;
    struct kernel_layout k;
    int fd;
    Elf *elf;
    Dwarf *dwarf;
    struct func_sym *funcs;  /* sorted by address */
    size_t n_funcs;
    struct name_table states, frame_kinds, events, file_types, syscalls, syscall_arg0, errors;
    struct event_payload *payloads;  /* by event kind, events.count of them */
    json_t *devices; /* kernel_devices[] as hello has it */
};

/* ---- names ---------------------------------------------------------- */

#define AS_IS 2 /* names_from_enum: keep the enumerator as it is ("ENOENT") */

/* "EV_COW_FAULT" -> "cow_fault": drop the prefix up to the first '_'. */
static char *enumerator_to_name(const char *enumerator, int drop_prefix)
{
    const char *s = enumerator;
    if (drop_prefix == AS_IS)
        return strdup(s);
    if (drop_prefix && strchr(s, '_'))
        s = strchr(s, '_') + 1;
    char *out = strdup(s);
    for (char *c = out; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

static int names_from_enum(struct name_table *t, const struct layout_type *e,
                           int drop_prefix)
{
    if (!e || e->kind != LAYOUT_ENUM)
        return -1;
    for (size_t i = 0; i < e->n_enumerators; i++)
        if (e->enumerators[i].value >= 0 && (size_t)e->enumerators[i].value >= t->count)
            t->count = (size_t)e->enumerators[i].value + 1;
    t->names = calloc(t->count ? t->count : 1, sizeof(char *));
    if (!t->names)
        return -1;
    for (size_t i = 0; i < e->n_enumerators; i++)
        if (e->enumerators[i].value >= 0)
            t->names[e->enumerators[i].value] =
                enumerator_to_name(e->enumerators[i].name, drop_prefix);
    return 0;
}

static const char *name_of(const struct name_table *t, int64_t v)
{
    return v >= 0 && (size_t)v < t->count ? t->names[v] : NULL;
}

static int value_of(const struct name_table *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->names[i] && strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

static void names_free(struct name_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->names[i]);
    free(t->names);
}

/* ---- ELF symbols ------------------------------------------------------ */

static int cmp_func(const void *a, const void *b)
{
    const struct func_sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int load_functions(struct kernel_model *km)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(km->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = sh.sh_size / sh.sh_entsize;
        km->funcs = calloc(n ? n : 1, sizeof(*km->funcs));
        if (!data || !km->funcs)
            return -1;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym))
                continue;
            int type = GELF_ST_TYPE(sym.st_info);
            const char *name = elf_strptr(km->elf, sh.sh_link, sym.st_name);
            /* "$x", "$xrv32i2p1_...": RISC-V mapping symbols, not code's names */
            if (!name || !*name || name[0] == '$' ||
                (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE))
                continue;
            if (type == STT_NOTYPE && sym.st_shndx == SHN_UNDEF)
                continue;
            GElf_Shdr in;
            Elf_Scn *at = sym.st_shndx < SHN_LORESERVE ? elf_getscn(km->elf, sym.st_shndx) : NULL;
            bool exec = at && gelf_getshdr(at, &in) && (in.sh_flags & SHF_EXECINSTR);
            km->funcs[km->n_funcs++] = (struct func_sym){
                (uint32_t)sym.st_value, (uint32_t)sym.st_size, strdup(name),
                type == STT_FUNC || (type == STT_NOTYPE && exec)};
        }
        qsort(km->funcs, km->n_funcs, sizeof(*km->funcs), cmp_func);
        return 0;
    }
    return -1;
}

uint32_t kernel_model_symbol(const struct kernel_model *km, const char *name)
{
    for (size_t i = 0; i < km->n_funcs; i++)
        if (strcmp(km->funcs[i].name, name) == 0)
            return km->funcs[i].addr;
    return 0;
}

int kernel_model_function(const struct kernel_model *km, const char *name, uint32_t *addr)
{
    uint32_t etext = kernel_model_symbol(km, "etext");
    int found = 0;
    for (size_t i = 0; i < km->n_funcs; i++) {
        const struct func_sym *f = &km->funcs[i];
        if (strcmp(f->name, name) != 0)
            continue;
        if (f->code && (!etext || f->addr < etext)) {
            *addr = f->addr;
            return 1;
        }
        found = -1; /* a variable (or a name past the text); another may be code */
    }
    return found;
}

/* The sized symbol containing pc (functions, and assembly labels with a
 * size of 0 as a last resort: the nearest one below pc). */
static const struct func_sym *symbol_at(const struct kernel_model *km, uint32_t pc)
{
    const struct func_sym *best = NULL;
    for (size_t i = 0; i < km->n_funcs && km->funcs[i].addr <= pc; i++) {
        const struct func_sym *f = &km->funcs[i];
        if (f->size ? pc < f->addr + f->size : 1)
            best = f;
    }
    if (best && best->size == 0 && best->addr != pc) {
        /* an unsized label: only believe it inside the kernel's text */
        uint32_t etext = kernel_model_symbol(km, "etext");
        if (etext && pc >= etext)
            return NULL;
    }
    return best;
}

/* The bytes of a read-only global in the ELF file (for tables the kernel
 * builds at compile time, such as syscalls[]). */
static const void *elf_bytes_at(const struct kernel_model *km, uint32_t addr, size_t len)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(km->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
            continue;
        if (addr >= sh.sh_addr && addr + len <= sh.sh_addr + sh.sh_size) {
            Elf_Data *d = elf_getdata(scn, NULL);
            return d ? (const char *)d->d_buf + (addr - sh.sh_addr) : NULL;
        }
    }
    return NULL;
}

/* System call names from the kernel's own dispatch table: entry n points
 * at sys_NAME. */
static int load_syscall_names(struct kernel_model *km)
{
    const struct layout_var *v = layout_global(km->layout, "syscalls");
    if (!v || v->type->kind != LAYOUT_ARRAY || !v->type->count)
        return -1;
    size_t n = v->type->count;
    const uint32_t *table = elf_bytes_at(km, (uint32_t)v->addr, n * 4);
    km->syscalls.names = calloc(n, sizeof(char *));
    if (!table || !km->syscalls.names)
        return -1;
    km->syscalls.count = n;
    for (size_t i = 0; i < n; i++) {
        const struct func_sym *f = table[i] ? symbol_at(km, table[i]) : NULL;
        if (f && strncmp(f->name, "sys_", 4) == 0)
            km->syscalls.names[i] = strdup(f->name + 4);
    }
    return 0;
}

/* The name of each call's first argument (what a syscall event's a0 is),
 * from the kernel's syscall_arg0[]: pointers to strings in the ELF file. A
 * kernel without the table has no names; a0 is then shown as it is. */
/* A constant global's value, from the ELF. */
static int load_word(struct kernel_model *km, const char *name, uint32_t *value)
{
    const struct layout_var *v = layout_global(km->layout, name);
    const uint32_t *word = v ? elf_bytes_at(km, (uint32_t)v->addr, 4) : NULL;
    if (!word)
        return -1;
    *value = *word;
    return 0;
}

static int load_syscall_arg0(struct kernel_model *km)
{
    const struct layout_var *v = layout_global(km->layout, "syscall_arg0");
    if (!v)
        return 0;
    if (v->type->kind != LAYOUT_ARRAY || !v->type->count)
        return -1;
    size_t n = v->type->count;
    const uint32_t *table = elf_bytes_at(km, (uint32_t)v->addr, n * 4);
    km->syscall_arg0.names = calloc(n, sizeof(char *));
    if (!table || !km->syscall_arg0.names)
        return -1;
    km->syscall_arg0.count = n;
    for (size_t i = 0; i < n; i++) {
        if (!table[i])
            continue;
        /* an identifier (or ""), NUL-ended within 32 bytes of its section */
        char name[32];
        for (size_t len = 0; len < sizeof(name); len++) {
            const char *c = elf_bytes_at(km, table[i] + (uint32_t)len, 1);
            if (!c)
                break;
            name[len] = *c;
            if (!*c) {
                km->syscall_arg0.names[i] = strdup(name);
                break;
            }
        }
    }
    return 0;
}

/* ---- event payloads ---------------------------------------------------- */

/* Names every event already has in the protocol; a payload field may not
 * take one. */
static const char *const event_common[] = {"seq", "tick", "pid", "kind", "name", "arg0", "cause", "error", NULL};

static int field_kind(const struct layout_type *t, enum event_field_kind *kind)
{
    if (t->kind == LAYOUT_ARRAY && t->target && t->target->kind == LAYOUT_BASE &&
        t->target->size == 1 && t->size > 0) {
        *kind = EVENT_FIELD_TEXT;
        return 0;
    }
    if ((t->kind != LAYOUT_BASE && t->kind != LAYOUT_ENUM) ||
        (t->size != 1 && t->size != 2 && t->size != 4))
        return -1;
    *kind = t->is_signed ? EVENT_FIELD_INT : EVENT_FIELD_ADDR;
    return 0;
}

/* Each event kind's payload: the member of union event_data named like it. */
static int load_event_payloads(struct kernel_model *km, char *what, size_t whatlen)
{
    const struct layout_type *u = layout_type(km->layout, "union event_data");
    if (!u || u->kind != LAYOUT_UNION) {
        snprintf(what, whatlen, "union event_data");
        return -1;
    }
    km->payloads = calloc(km->events.count ? km->events.count : 1, sizeof(*km->payloads));
    if (!km->payloads)
        return -1;
    for (size_t v = 0; v < km->events.count; v++) {
        const char *kind = km->events.names[v];
        const struct layout_field *m = kind ? layout_member(u, kind) : NULL;
        if (!m || m->type->kind != LAYOUT_STRUCT)
            continue;   /* no payload (a switch) */
        struct event_payload *p = &km->payloads[v];
        p->fields = calloc(m->type->n_fields ? m->type->n_fields : 1, sizeof(*p->fields));
        if (!p->fields)
            return -1;
        for (size_t i = 0; i < m->type->n_fields; i++) {
            const struct layout_field *f = &m->type->fields[i];
            struct event_field *out = &p->fields[p->n];
            int common = 0;
            for (const char *const *c = event_common; *c; c++)
                common |= strcmp(*c, f->name) == 0;
            if (common || f->bit_size || field_kind(f->type, &out->kind) < 0) {
                snprintf(what, whatlen, "a usable union event_data.%s.%s (%s)", kind, f->name,
                         common ? "the name is taken by every event" : "not an integer or a char array");
                return -1;
            }
            out->name = strdup(f->name);
            out->offset = (uint32_t)(m->offset + f->offset);
            out->size = (uint32_t)f->type->size;
            p->n++;
        }
    }
    return 0;
}

const struct event_field *kernel_model_event_fields(const struct kernel_model *km,
                                                    int64_t v, size_t *n)
{
    bool known = v >= 0 && (size_t)v < km->events.count && km->payloads;
    *n = known ? km->payloads[v].n : 0;
    return known ? km->payloads[v].fields : NULL;
}

const struct event_field *kernel_model_event_field(const struct kernel_model *km,
                                                   int64_t v, const char *name)
{
    size_t n;
    const struct event_field *f = kernel_model_event_fields(km, v, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

/* ---- layouts ---------------------------------------------------------- */

static int field(struct kernel_model *km, const char *type, const char *path,
                 uint32_t *offset, const struct layout_type **ftype)
{
    struct layout_field f;
    if (layout_field(km->layout, type, path, &f) < 0)
        return -1;
    *offset = (uint32_t)f.offset;
    if (ftype)
        *ftype = f.type;
    return 0;
}

static int global_array(struct kernel_model *km, const char *name, uint32_t *addr,
                        uint32_t *elem_size, uint32_t *count)
{
    const struct layout_var *v = layout_global(km->layout, name);
    if (!v || v->type->kind != LAYOUT_ARRAY || !v->type->target)
        return -1;
    *addr = (uint32_t)v->addr;
    *elem_size = (uint32_t)v->type->target->size;
    *count = (uint32_t)v->type->count;
    return 0;
}

static int global_addr(struct kernel_model *km, const char *name, uint32_t *addr)
{
    const struct layout_var *v = layout_global(km->layout, name);
    if (!v)
        return -1;
    *addr = (uint32_t)v->addr;
    return 0;
}

/* The devices the kernel maps (kernel_devices[], kernel/vm.c), as hello
 * sends them: [{"name", "pa", "va", "size"}]. */
static int load_devices(struct kernel_model *km)
{
    uint32_t addr, size, n, name, pa, va, bytes;
    const struct layout_type *name_type;
    if (global_array(km, "kernel_devices", &addr, &size, &n) < 0 ||
        field(km, "struct device_map", "name", &name, &name_type) < 0 ||
        field(km, "struct device_map", "pa", &pa, NULL) < 0 ||
        field(km, "struct device_map", "va", &va, NULL) < 0 ||
        field(km, "struct device_map", "size", &bytes, NULL) < 0)
        return -1;
    const uint8_t *table = elf_bytes_at(km, addr, (size_t)n * size);
    if (!table || !(km->devices = json_array()))
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *d = table + (size_t)i * size;
        char hexes[3][16];
        const uint32_t offsets[3] = {pa, va, bytes};
        for (int w = 0; w < 3; w++) {
            uint32_t word;
            memcpy(&word, d + offsets[w], sizeof word);
            snprintf(hexes[w], sizeof hexes[w], "0x%08x", word);
        }
        json_array_append_new(km->devices, json_pack("{s:s%, s:s, s:s, s:s}", "name",
                              (const char *)d + name, strnlen((const char *)d + name, name_type->size),
                              "pa", hexes[0], "va", hexes[1], "size", hexes[2]));
    }
    return 0;
}

static int load_layouts(struct kernel_model *km, char *err, size_t errlen)
{
    struct kernel_layout *k = &km->k;
    const struct layout_type *t;
    const char *what = "";
#define NEED(expr, desc) do { if ((expr) < 0) { what = (desc); goto fail; } } while (0)
#define FIELD(type, path, out, t) NEED(field(km, type, path, out, t), type "." path)
#define GLOBAL(name, out) NEED(global_addr(km, name, out), "the global " name)
    NEED(global_array(km, "proc", &k->proc_addr, &k->proc_size, &k->nproc), "the global proc[]");
    GLOBAL("proc_high_water", &k->proc_high_water_addr);
    FIELD("struct proc", "state", &k->p_state, NULL);
    FIELD("struct proc", "pid", &k->p_pid, NULL);
    FIELD("struct proc", "name", &k->p_name, &t);
    k->p_name_len = (uint32_t)t->size;
    FIELD("struct proc", "parent", &k->p_parent, NULL);
    FIELD("struct proc", "killed", &k->p_killed, NULL);
    FIELD("struct proc", "xstate", &k->p_xstate, NULL);
    FIELD("struct proc", "chan", &k->p_chan, NULL);
    FIELD("struct proc", "job", &k->p_job, NULL);
    FIELD("struct proc", "sz", &k->p_sz, NULL);
    FIELD("struct proc", "pagetable", &k->p_pagetable, NULL);
    FIELD("struct proc", "tf.regs", &k->p_tf_regs, NULL);
    FIELD("struct proc", "tf.epc", &k->p_tf_epc, NULL);
    FIELD("struct proc", "ofile", &k->p_ofile, &t);
    k->p_nofile = (uint32_t)t->count;
    FIELD("struct proc", "mbox", &k->p_mbox, NULL);
    FIELD("struct mailbox", "head", &k->mb_head, NULL);
    FIELD("struct mailbox", "count", &k->mb_count, NULL);
    FIELD("struct mailbox", "msgs", &k->mb_msgs, NULL);
    const struct layout_var *slots = layout_global(km->layout, "mailbox_slots");
    NEED(slots && slots->type->kind == LAYOUT_ARRAY && slots->type->target &&
         slots->type->target->kind == LAYOUT_ARRAY ? 0 : -1, "the global mailbox_slots[][]");
    k->mailbox_slots_addr = (uint32_t)slots->addr;
    k->mailbox_slots_size = (uint32_t)slots->type->size;
    k->mbox_depth = (uint32_t)slots->type->target->count;
    k->msg_size = slots->type->target->target ? (uint32_t)slots->type->target->target->size : 0;
    FIELD("struct message", "from", &k->m_from, NULL);
    FIELD("struct message", "len", &k->m_len, NULL);
    FIELD("struct message", "data", &k->m_data, &t);
    k->msg_max = (uint32_t)t->size;
    NEED(global_array(km, "frames", &k->frames_addr, &k->frame_size, &k->nframes), "the global frames[]");
    GLOBAL("frames_high_water", &k->frames_high_water_addr);
    FIELD("struct frame", "refcount", &k->f_refcount, &t);
    k->f_refcount_size = (uint32_t)t->size;
    FIELD("struct frame", "kind", &k->f_kind, NULL);
    FIELD("struct frame", "writes", &k->f_writes, NULL);
    GLOBAL("event_ring", &k->ring_addr);
    FIELD("struct event_ring", "next_seq", &k->ring_next_seq, NULL);
    FIELD("struct event_ring", "slot", &k->ring_slot, &t);
    k->nevent = (uint32_t)t->count;
    k->event_size = t->target ? (uint32_t)t->target->size : 0;
    FIELD("struct event", "seq", &k->e_seq, NULL);
    FIELD("struct event", "tick", &k->e_tick, NULL);
    FIELD("struct event", "pid", &k->e_pid, NULL);
    FIELD("struct event", "kind", &k->e_kind, NULL);
    FIELD("struct event", "data", &k->e_data, &t);
    k->e_data_size = (uint32_t)t->size;
    GLOBAL("ticks", &k->ticks_addr);
    GLOBAL("kernel_pagetable", &k->kernel_root_addr);
    NEED(global_array(km, "ftable", &k->ftable_addr, &k->file_size, &k->nfile), "the global ftable[]");
    FIELD("struct file", "type", &k->fl_type, &t);
    NEED(names_from_enum(&km->file_types, t, 1), "the enum of struct file.type");
    FIELD("struct file", "ref", &k->fl_ref, NULL);
    FIELD("struct file", "ip", &k->fl_ip, NULL);
    FIELD("struct file", "off", &k->fl_off, NULL);
    FIELD("struct inode", "inum", &k->inode_inum, NULL);
    NEED(names_from_enum(&km->states, layout_type(km->layout, "enum procstate"), 0), "enum procstate");
    NEED(names_from_enum(&km->frame_kinds, layout_type(km->layout, "enum frame_kind"), 1), "enum frame_kind");
    NEED(names_from_enum(&km->events, layout_type(km->layout, "enum event_kind"), 1), "enum event_kind");
    NEED(load_syscall_names(km), "the syscalls[] dispatch table");
    NEED(load_syscall_arg0(km), "the syscall_arg0[] table");
    NEED(load_word(km, "user_top", &k->user_top), "the constant user_top");
    NEED(load_word(km, "pte_cow", &k->pte_soft.cow), "the constant pte_cow");
    NEED(load_word(km, "pte_shared", &k->pte_soft.shared), "the constant pte_shared");
    NEED(load_devices(km), "the kernel_devices[] table");
    char payload_what[160];
    NEED(load_event_payloads(km, payload_what, sizeof payload_what), payload_what);
    /* Optional: a kernel without it shows error numbers only. */
    names_from_enum(&km->errors, layout_type(km->layout, "enum error_number"), AS_IS);
#undef GLOBAL
#undef FIELD
#undef NEED
    k->ram_base = 0x80000000u;
    k->ram_size = k->nframes * SV32_PAGE_SIZE;
    if (k->proc_size == 0 || k->frame_size == 0 || k->event_size == 0 || k->nevent == 0 ||
        k->mbox_depth == 0 || k->msg_size == 0 || k->e_data + k->e_data_size > k->event_size)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "kernel layout: cannot find %s (%s)", what,
             layout_error(km->layout) ? layout_error(km->layout) : "not in the DWARF");
    return -1;
}

/* ---- open / close ----------------------------------------------------- */

struct kernel_model *kernel_model_open(const char *elf_path, char *err, size_t errlen)
{
    struct kernel_model *km = calloc(1, sizeof(*km));
    if (!km) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    km->fd = -1;
    km->layout = layout_open(elf_path, err, errlen);
    if (!km->layout)
        goto fail;
    elf_version(EV_CURRENT);
    km->fd = open(elf_path, O_RDONLY);
    km->elf = km->fd >= 0 ? elf_begin(km->fd, ELF_C_READ, NULL) : NULL;
    km->dwarf = km->fd >= 0 ? dwarf_begin(km->fd, DWARF_C_READ) : NULL;
    if (!km->elf || !km->dwarf || load_functions(km) < 0) {
        snprintf(err, errlen, "%s: cannot read its symbols or DWARF", elf_path);
        goto fail;
    }
    if (load_layouts(km, err, errlen) < 0)
        goto fail;
    return km;
fail:
    kernel_model_close(km);
    return NULL;
}

void kernel_model_close(struct kernel_model *km)
{
    if (!km)
        return;
    for (size_t i = 0; i < km->n_funcs; i++)
        free(km->funcs[i].name);
    free(km->funcs);
    names_free(&km->states);
    names_free(&km->frame_kinds);
    for (size_t v = 0; km->payloads && v < km->events.count; v++) {
        for (size_t i = 0; i < km->payloads[v].n; i++)
            free(km->payloads[v].fields[i].name);
        free(km->payloads[v].fields);
    }
    free(km->payloads);
    names_free(&km->events);
    names_free(&km->file_types);
    names_free(&km->syscalls);
    names_free(&km->syscall_arg0);
    names_free(&km->errors);
    json_decref(km->devices);
    if (km->dwarf)
        dwarf_end(km->dwarf);
    if (km->elf)
        elf_end(km->elf);
    if (km->fd >= 0)
        close(km->fd);
    if (km->layout)
        layout_close(km->layout);
    free(km);
}

const struct kernel_layout *kernel_model_layout(const struct kernel_model *km)
{
    return &km->k;
}

/* ---- source lines ----------------------------------------------------- */

int kernel_model_where(const struct kernel_model *km, uint32_t pc,
                       const char **function, const char **file, int *line)
{
    const struct func_sym *f = symbol_at(km, pc);
    *function = f ? f->name : NULL;
    *file = NULL;
    *line = 0;
    Dwarf_Die cu;
    if (dwarf_addrdie(km->dwarf, pc, &cu)) {
        Dwarf_Line *l = dwarf_getsrc_die(&cu, pc);
        if (l) {
            *file = dwarf_linesrc(l, NULL, NULL);
            dwarf_lineno(l, line);
        }
    }
    return f ? 0 : -1;
}

Dwarf_CFI *kernel_model_cfi(const struct kernel_model *km)
{
    return dwarf_getcfi(km->dwarf);
}

int kernel_model_next_line_addrs(const struct kernel_model *km, uint32_t pc,
                                 uint32_t *addrs, int max)
{
    const struct func_sym *f = symbol_at(km, pc);
    Dwarf_Die cu;
    Dwarf_Lines *lines;
    size_t n;
    int here = 0, count = 0;
    if (!f || !f->size || !dwarf_addrdie(km->dwarf, pc, &cu) ||
        dwarf_getsrclines(&cu, &lines, &n) != 0)
        return 0;
    Dwarf_Line *cur = dwarf_getsrc_die(&cu, pc);
    if (cur)
        dwarf_lineno(cur, &here);
    for (size_t i = 0; i < n && count < max; i++) {
        Dwarf_Line *l = dwarf_onesrcline(lines, i);
        Dwarf_Addr a;
        int lineno;
        bool stmt = true;
        if (!l || dwarf_lineaddr(l, &a) || dwarf_lineno(l, &lineno))
            continue;
        dwarf_linebeginstatement(l, &stmt);
        if (!stmt || a < f->addr || a >= f->addr + f->size || a == pc || lineno == here)
            continue;
        int dup = 0;
        for (int j = 0; j < count; j++)
            dup |= addrs[j] == (uint32_t)a;
        if (!dup)
            addrs[count++] = (uint32_t)a;
    }
    return count;
}

/* ---- names ------------------------------------------------------------ */

const char *kernel_model_proc_state(const struct kernel_model *km, int64_t v) { return name_of(&km->states, v); }
const char *kernel_model_frame_kind(const struct kernel_model *km, int64_t v) { return name_of(&km->frame_kinds, v); }
const char *kernel_model_event_name(const struct kernel_model *km, int64_t v) { return name_of(&km->events, v); }
const char *kernel_model_file_type(const struct kernel_model *km, int64_t v) { return name_of(&km->file_types, v); }
const char *kernel_model_error_name(const struct kernel_model *km, int64_t v) { return name_of(&km->errors, v); }
const char *kernel_model_syscall_name(const struct kernel_model *km, int64_t n) { return name_of(&km->syscalls, n); }
const char *kernel_model_syscall_arg0(const struct kernel_model *km, int64_t n) { return name_of(&km->syscall_arg0, n); }

int kernel_model_event_kind(const struct kernel_model *km, const char *name)
{
    return value_of(&km->events, name);
}

int kernel_model_syscall_number(const struct kernel_model *km, const char *name)
{
    return value_of(&km->syscalls, name);
}

static json_t *names_json(const struct name_table *t, int as_object)
{
    json_t *out = as_object ? json_object() : json_array();
    for (size_t i = 0; i < t->count; i++) {
        if (as_object) {
            char key[24];
            snprintf(key, sizeof(key), "%zu", i);
            if (t->names[i])
                json_object_set_new(out, key, json_string(t->names[i]));
        } else {
            json_array_append_new(out, t->names[i] ? json_string(t->names[i]) : json_null());
        }
    }
    return out;
}

/* {"cow_fault": ["va", "old_pa", ...], ...}: each kind's payload fields. */
static json_t *event_fields_json(const struct kernel_model *km)
{
    json_t *out = json_object();
    for (size_t v = 0; v < km->events.count; v++) {
        size_t n;
        const struct event_field *f = kernel_model_event_fields(km, (int64_t)v, &n);
        if (!n)
            continue;
        json_t *names = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(names, json_string(f[i].name));
        json_object_set_new(out, km->events.names[v], names);
    }
    return out;
}

/* A PTE's bits by name and position: the architecture's eight, then the
 * kernel's own. */
static json_t *pte_bits_json(const struct kernel_model *km)
{
    static const char *hardware[] = {"V", "R", "W", "X", "U", "G", "A", "D"};
    const struct {
        const char *name;
        uint32_t mask;
    } soft[] = {{"COW", km->k.pte_soft.cow}, {"shared", km->k.pte_soft.shared}};
    json_t *bits = json_array();

    for (int i = 0; i < 8; i++)
        json_array_append_new(bits, json_pack("{s:s, s:i}", "name", hardware[i], "bit", i));
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++)
        if (soft[i].mask)
            json_array_append_new(bits, json_pack("{s:s, s:i}", "name", soft[i].name,
                                                  "bit", __builtin_ctz(soft[i].mask)));
    return bits;
}

json_t *kernel_model_hello(const struct kernel_model *km)
{
    char base[16], top[16];
    snprintf(base, sizeof(base), "0x%08x", km->k.ram_base);
    snprintf(top, sizeof(top), "0x%08x", km->k.user_top);
    return json_pack("{s:i, s:i, s:s, s:i, s:s, s:o, s:O, s:o, s:o, s:o, s:o}",
                     "nproc", (int)km->k.nproc, "nframes", (int)km->k.nframes,
                     "ram_base", base, "page_size", (int)SV32_PAGE_SIZE, "user_top", top,
                     "pte_bits", pte_bits_json(km), "devices", km->devices,
                     "event_kinds", names_json(&km->events, 0),
                     "event_fields", event_fields_json(km),
                     "frame_kinds", names_json(&km->frame_kinds, 0),
                     "syscalls", names_json(&km->syscalls, 1));
}
