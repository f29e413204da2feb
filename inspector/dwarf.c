/* dwarf.c -- kernel globals and type layouts from the kernel ELF's DWARF.
 *
 * At open, every compilation unit's top-level named types and variables are
 * converted into struct layout_type / struct layout_var, which live in an
 * arena until layout_close(). DIEs are converted once each, memoised by
 * their offset, so pointer cycles (struct proc *parent) end. libdw is done
 * with once layout_open() returns. */
#include "dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* typedef chains and nested types deeper than this are treated as garbage */
#define MAX_DEPTH 64
#define MAX_ARRAY_DIMS 8
#define ARENA_BLOCK 65536

struct block {
    struct block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

struct type {
    struct layout_type pub;
    bool named_late;  /* name is still to be made from its target's */
    bool declaration; /* "struct proc;": completed from the definition */
};

struct memo_slot {
    Dwarf_Off off;
    struct type *t; /* NULL: empty slot */
};

struct name_entry {
    const char *name;
    const struct layout_type *type;
    size_t seq; /* definition order, so the first definition wins */
};

struct var_entry {
    struct layout_var v;
    size_t seq;
    bool ambiguous;
};

struct layout {
    struct block *arena;
    struct memo_slot *memo;
    size_t memo_cap, memo_used;
    struct type **all; /* every type made, for naming */
    size_t n_all, cap_all;
    struct name_entry *names;
    size_t n_names, cap_names;
    struct var_entry *vars;
    size_t n_vars, cap_vars;
    bool oom;
    char err[256];
};

static int fail(struct layout *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(l->err, sizeof l->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- memory ----------------------------------------------------------- */

static void *alloc(struct layout *l, size_t n)
{
    struct block *b = l->arena;

    n = (n + 15) & ~(size_t)15;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b) {
            l->oom = true;
            return NULL;
        }
        b->next = l->arena;
        b->used = 0;
        b->size = size;
        l->arena = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static const char *save_str(struct layout *l, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = alloc(l, n);

    return p ? memcpy(p, s, n) : NULL;
}

/* Append one element to a malloc'd vector. */
static bool push(struct layout *l, void **vec, size_t *n, size_t *cap,
                 size_t elem, const void *item)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        void *p = realloc(*vec, c * elem);
        if (!p) {
            l->oom = true;
            return false;
        }
        *vec = p;
        *cap = c;
    }
    memcpy((char *)*vec + *n * elem, item, elem);
    (*n)++;
    return true;
}

/* ---- memo: DIE offset -> type ----------------------------------------- */

static struct type *memo_get(struct layout *l, Dwarf_Off off)
{
    if (!l->memo_cap)
        return NULL;
    for (size_t i = off % l->memo_cap;; i = (i + 1) % l->memo_cap) {
        if (!l->memo[i].t)
            return NULL;
        if (l->memo[i].off == off)
            return l->memo[i].t;
    }
}

static void memo_put(struct layout *l, Dwarf_Off off, struct type *t)
{
    if (2 * (l->memo_used + 1) > l->memo_cap) {
        size_t cap = l->memo_cap ? 2 * l->memo_cap : 4096;
        struct memo_slot *old = l->memo, *m = calloc(cap, sizeof *m);
        if (!m) {
            l->oom = true;
            return;
        }
        for (size_t i = 0; i < l->memo_cap; i++) {
            if (!old[i].t)
                continue;
            size_t j = old[i].off % cap;
            while (m[j].t)
                j = (j + 1) % cap;
            m[j] = old[i];
        }
        free(old);
        l->memo = m;
        l->memo_cap = cap;
    }
    size_t i = off % l->memo_cap;
    while (l->memo[i].t)
        i = (i + 1) % l->memo_cap;
    l->memo[i] = (struct memo_slot){.off = off, .t = t};
    l->memo_used++;
}

/* ---- attributes ------------------------------------------------------- */

static bool attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *out)
{
    Dwarf_Attribute a;

    return dwarf_attr_integrate(die, name, &a) && dwarf_formudata(&a, out) == 0;
}

static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;

    return dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a)
                                                     : NULL;
}

/* The DIE named by DW_AT_type, or false for none (void). */
static bool die_type(Dwarf_Die *die, Dwarf_Die *out)
{
    Dwarf_Attribute a;

    return dwarf_attr_integrate(die, DW_AT_type, &a) &&
           dwarf_formref_die(&a, out) != NULL;
}

/* ---- conversion ------------------------------------------------------- */

static struct type *new_type(struct layout *l, enum layout_kind kind)
{
    struct type *t = alloc(l, sizeof *t);

    if (!t)
        return NULL;
    t->pub.kind = kind;
    if (!push(l, (void **)&l->all, &l->n_all, &l->cap_all, sizeof t, &t))
        return NULL;
    return t;
}

static struct type *convert(struct layout *l, Dwarf_Die *die, int depth);

/* The type of die's DW_AT_type: void when there is none. */
static struct type *convert_ref(struct layout *l, Dwarf_Die *die, int depth)
{
    Dwarf_Die target;

    if (!die_type(die, &target))
        return NULL;
    return convert(l, &target, depth + 1);
}

static struct type *void_type(struct layout *l)
{
    static const char name[] = "void";
    struct type *t = new_type(l, LAYOUT_VOID);

    if (t)
        t->pub.name = name;
    return t;
}

static uint64_t member_offset(Dwarf_Die *m, unsigned *bit_offset)
{
    Dwarf_Attribute a;
    Dwarf_Word w;
    Dwarf_Op *ops;
    size_t nops;

    *bit_offset = 0;
    if (attr_udata(m, DW_AT_data_bit_offset, &w)) {
        *bit_offset = (unsigned)(w % 8);
        return w / 8;
    }
    if (!dwarf_attr(m, DW_AT_data_member_location, &a))
        return 0; /* union members */
    if (dwarf_formudata(&a, &w) == 0)
        return w;
    /* DWARF 2 style: a location expression "DW_OP_plus_uconst N". */
    if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 &&
        ops[0].atom == DW_OP_plus_uconst)
        return ops[0].number;
    return 0;
}

static void convert_members(struct layout *l, struct type *t, Dwarf_Die *die,
                            int depth)
{
    struct layout_field *fields = NULL;
    size_t n = 0, cap = 0;
    Dwarf_Die child;

    if (dwarf_child(die, &child) != 0)
        return;
    do {
        if (dwarf_tag(&child) != DW_TAG_member)
            continue;
        struct layout_field f = {0};
        Dwarf_Word bits;
        const char *name = die_name(&child);
        struct type *ft = convert_ref(l, &child, depth);
        f.offset = member_offset(&child, &f.bit_offset);
        f.bit_size = attr_udata(&child, DW_AT_bit_size, &bits) ? (unsigned)bits
                                                                : 0;
        f.type = ft ? &ft->pub : NULL;
        if (!f.type)
            continue;
        if (!name && (ft->pub.kind == LAYOUT_STRUCT ||
                      ft->pub.kind == LAYOUT_UNION)) {
            /* An anonymous struct or union: its members are the parent's. */
            for (size_t i = 0; i < ft->pub.n_fields; i++) {
                struct layout_field inner = ft->pub.fields[i];
                inner.offset += f.offset;
                if (!push(l, (void **)&fields, &n, &cap, sizeof inner, &inner))
                    break;
            }
            continue;
        }
        f.name = name ? save_str(l, name) : NULL;
        if (f.name && !push(l, (void **)&fields, &n, &cap, sizeof f, &f))
            break;
    } while (dwarf_siblingof(&child, &child) == 0);
    struct layout_field *saved = n ? alloc(l, n * sizeof *saved) : NULL;
    if (saved) {
        memcpy(saved, fields, n * sizeof *saved);
        t->pub.fields = saved;
        t->pub.n_fields = n;
    }
    free(fields);
}

static void convert_enumerators(struct layout *l, struct type *t,
                                Dwarf_Die *die)
{
    struct layout_enumerator *list = NULL;
    size_t n = 0, cap = 0;
    Dwarf_Die child;

    if (dwarf_child(die, &child) != 0)
        return;
    do {
        Dwarf_Attribute a;
        Dwarf_Sword v;
        const char *name = die_name(&child);
        if (dwarf_tag(&child) != DW_TAG_enumerator || !name ||
            !dwarf_attr(&child, DW_AT_const_value, &a) ||
            dwarf_formsdata(&a, &v) != 0)
            continue;
        struct layout_enumerator e = {.name = save_str(l, name), .value = v};
        if (!e.name ||
            !push(l, (void **)&list, &n, &cap, sizeof e, &e))
            break;
    } while (dwarf_siblingof(&child, &child) == 0);
    struct layout_enumerator *saved = n ? alloc(l, n * sizeof *saved) : NULL;
    if (saved) {
        memcpy(saved, list, n * sizeof *saved);
        t->pub.enumerators = saved;
        t->pub.n_enumerators = n;
    }
    free(list);
}

/* int a[3][4] is one DIE with two subranges: build "array of 3 (array of 4
 * int)", innermost first. */
static void convert_array(struct layout *l, struct type *t, Dwarf_Die *die,
                          int depth)
{
    uint64_t counts[MAX_ARRAY_DIMS];
    int dims = 0;
    Dwarf_Die child;

    if (dwarf_child(die, &child) == 0) {
        do {
            Dwarf_Word w;
            if (dwarf_tag(&child) != DW_TAG_subrange_type)
                continue;
            if (dims == MAX_ARRAY_DIMS)
                break;
            if (attr_udata(&child, DW_AT_count, &w))
                counts[dims] = w;
            else if (attr_udata(&child, DW_AT_upper_bound, &w))
                counts[dims] = w + 1;
            else
                counts[dims] = 0; /* flexible array member */
            dims++;
        } while (dwarf_siblingof(&child, &child) == 0);
    }
    if (dims == 0)
        counts[dims++] = 0;
    struct type *elem = convert_ref(l, die, depth);
    if (!elem)
        elem = void_type(l);
    for (int d = dims - 1; d >= 0 && elem; d--) {
        struct type *a = d == 0 ? t : new_type(l, LAYOUT_ARRAY);
        if (!a)
            return;
        a->pub.kind = LAYOUT_ARRAY;
        a->pub.target = &elem->pub;
        a->pub.count = counts[d];
        a->pub.size = counts[d] * elem->pub.size;
        a->named_late = true;
        elem = a;
    }
}

static struct type *convert(struct layout *l, Dwarf_Die *die, int depth)
{
    Dwarf_Off off = dwarf_dieoffset(die);
    struct type *t = memo_get(l, off);
    Dwarf_Word w;
    char buf[256];

    if (t)
        return t;
    if (depth > MAX_DEPTH)
        return new_type(l, LAYOUT_UNKNOWN);

    int tag = dwarf_tag(die);
    const char *name = die_name(die);
    switch (tag) {
    case DW_TAG_typedef:
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
        t = convert_ref(l, die, depth);
        if (!t)
            t = void_type(l);
        if (!t)
            return NULL;
        /* typedef struct { ... } spinlock_t: the struct takes the name. */
        if (tag == DW_TAG_typedef && name && !t->pub.name && !t->named_late)
            t->pub.name = save_str(l, name);
        memo_put(l, off, t);
        return t;
    default:
        break;
    }

    t = new_type(l, LAYOUT_UNKNOWN);
    if (!t)
        return NULL;
    /* Before converting anything it refers to, so that cycles end here. */
    memo_put(l, off, t);
    t->pub.size = attr_udata(die, DW_AT_byte_size, &w) ? w : 0;
    switch (tag) {
    case DW_TAG_base_type:
        t->pub.kind = LAYOUT_BASE;
        t->pub.name = save_str(l, name ? name : "?");
        t->pub.is_signed = attr_udata(die, DW_AT_encoding, &w) &&
                           (w == DW_ATE_signed || w == DW_ATE_signed_char);
        break;
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
        t->pub.kind = tag == DW_TAG_union_type ? LAYOUT_UNION : LAYOUT_STRUCT;
        if (name) {
            snprintf(buf, sizeof buf, "%s %s",
                     tag == DW_TAG_union_type ? "union" : "struct", name);
            t->pub.name = save_str(l, buf);
        }
        t->declaration = dwarf_hasattr(die, DW_AT_declaration);
        convert_members(l, t, die, depth);
        break;
    case DW_TAG_enumeration_type: {
        struct type *under = convert_ref(l, die, depth);
        t->pub.kind = LAYOUT_ENUM;
        if (name) {
            snprintf(buf, sizeof buf, "enum %s", name);
            t->pub.name = save_str(l, buf);
        }
        t->pub.is_signed = under && under->pub.is_signed;
        convert_enumerators(l, t, die);
        break;
    }
    case DW_TAG_pointer_type: {
        Dwarf_Die cu;
        uint8_t addr_size = 0;
        struct type *target = convert_ref(l, die, depth);
        t->pub.kind = LAYOUT_POINTER;
        /* NULL for void *, also when it is spelled const void * */
        t->pub.target = target && target->pub.kind != LAYOUT_VOID
                            ? &target->pub
                            : NULL;
        if (!t->pub.size && dwarf_diecu(die, &cu, &addr_size, NULL))
            t->pub.size = addr_size;
        t->named_late = true;
        break;
    }
    case DW_TAG_array_type:
        t->pub.kind = LAYOUT_ARRAY;
        t->named_late = true;
        convert_array(l, t, die, depth);
        break;
    case DW_TAG_subroutine_type:
        t->pub.kind = LAYOUT_FUNCTION;
        t->pub.name = "function";
        break;
    default:
        t->pub.name = save_str(l, name ? name : "?");
        break;
    }
    return t;
}

/* Names of pointers and arrays come from what they point at or hold,
 * which may have been named (by a typedef) after they were made. */
static const char *late_name(struct layout *l, struct type *t, int depth)
{
    char buf[512];
    const char *inner;

    if (t->pub.name)
        return t->pub.name;
    if (depth > MAX_DEPTH)
        return "?";
    inner = t->pub.target
                ? late_name(l, (struct type *)t->pub.target, depth + 1)
                : "void";
    if (t->pub.kind == LAYOUT_POINTER) {
        snprintf(buf, sizeof buf, "%s *", inner);
    } else {
        /* int [4][2]: this dimension goes before those of the element. */
        const char *dims = t->pub.target &&
                                   t->pub.target->kind == LAYOUT_ARRAY
                               ? strchr(inner, '[')
                               : NULL;
        if (dims)
            snprintf(buf, sizeof buf, "%.*s[%" PRIu64 "]%s",
                     (int)(dims - inner), inner, t->pub.count, dims);
        else
            snprintf(buf, sizeof buf, "%s [%" PRIu64 "]", inner,
                     t->pub.count);
    }
    t->pub.name = save_str(l, buf);
    return t->pub.name ? t->pub.name : "?";
}

static const char *anonymous(enum layout_kind kind)
{
    switch (kind) {
    case LAYOUT_STRUCT:
        return "<anonymous struct>";
    case LAYOUT_UNION:
        return "<anonymous union>";
    case LAYOUT_ENUM:
        return "<anonymous enum>";
    default:
        return "?";
    }
}

/* Everything else first, so pointer and array names can use theirs. */
static void name_all(struct layout *l)
{
    for (size_t i = 0; i < l->n_all; i++)
        if (!l->all[i]->named_late && !l->all[i]->pub.name)
            l->all[i]->pub.name = anonymous(l->all[i]->pub.kind);
    for (size_t i = 0; i < l->n_all; i++)
        if (l->all[i]->named_late)
            late_name(l, l->all[i], 0);
}

/* ---- globals ---------------------------------------------------------- */

/* The fixed address of a variable DIE, from "DW_OP_addr A" (or DW_OP_addrx,
 * an index into .debug_addr). */
static bool var_address(Dwarf_Die *die, uint64_t *addr)
{
    Dwarf_Attribute a, res;
    Dwarf_Op *ops;
    size_t nops;
    Dwarf_Addr v;

    if (!dwarf_attr(die, DW_AT_location, &a) ||
        dwarf_getlocation(&a, &ops, &nops) != 0 || nops != 1)
        return false;
    if (ops[0].atom == DW_OP_addr) {
        *addr = ops[0].number;
        return true;
    }
    if ((ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) &&
        dwarf_getlocation_attr(&a, ops, &res) == 0 &&
        dwarf_formaddr(&res, &v) == 0) {
        *addr = v;
        return true;
    }
    return false;
}

static void add_name(struct layout *l, const char *name,
                     const struct type *t)
{
    struct name_entry e = {.name = save_str(l, name), .type = &t->pub,
                           .seq = l->n_names};

    if (e.name)
        push(l, (void **)&l->names, &l->n_names, &l->cap_names, sizeof e, &e);
}

static void visit_top(struct layout *l, Dwarf_Die *die)
{
    const char *name = die_name(die);
    char buf[256];
    Dwarf_Attribute decl;
    struct type *t;
    uint64_t addr;

    if (!name)
        return;
    switch (dwarf_tag(die)) {
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_enumeration_type:
        /* Only definitions: "struct proc;" has no members to offer. */
        if (dwarf_attr(die, DW_AT_declaration, &decl) || !(t = convert(l, die, 0)))
            return;
        snprintf(buf, sizeof buf, "%s %s",
                 dwarf_tag(die) == DW_TAG_structure_type ? "struct"
                 : dwarf_tag(die) == DW_TAG_union_type   ? "union"
                                                         : "enum",
                 name);
        add_name(l, buf, t);
        break;
    case DW_TAG_typedef:
    case DW_TAG_base_type:
        if ((t = convert(l, die, 0)))
            add_name(l, name, t);
        break;
    case DW_TAG_variable: {
        Dwarf_Die tdie;
        if (dwarf_attr(die, DW_AT_declaration, &decl) ||
            !var_address(die, &addr) || !die_type(die, &tdie) ||
            !(t = convert(l, &tdie, 0)))
            return;
        struct var_entry v = {.v = {.name = save_str(l, name), .addr = addr,
                                    .type = &t->pub},
                              .seq = l->n_vars};
        if (v.v.name)
            push(l, (void **)&l->vars, &l->n_vars, &l->cap_vars, sizeof v, &v);
        break;
    }
    default:
        break;
    }
}

static int cmp_names(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_vars(const void *a, const void *b)
{
    const struct var_entry *x = a, *y = b;
    int c = strcmp(x->v.name, y->v.name);

    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort the indexes and keep the first definition of each name. The same
 * global seen from several units (extern declarations are skipped, but a
 * tentative definition may repeat) is one variable if the address agrees;
 * file-statics of one name at different addresses are ambiguous. */
static void build_indexes(struct layout *l)
{
    size_t n = 0;

    qsort(l->names, l->n_names, sizeof *l->names, cmp_names);
    for (size_t i = 0; i < l->n_names; i++)
        if (n == 0 || strcmp(l->names[n - 1].name, l->names[i].name) != 0)
            l->names[n++] = l->names[i];
    l->n_names = n;

    n = 0;
    qsort(l->vars, l->n_vars, sizeof *l->vars, cmp_vars);
    for (size_t i = 0; i < l->n_vars; i++) {
        struct var_entry *prev = n ? &l->vars[n - 1] : NULL;
        if (prev && strcmp(prev->v.name, l->vars[i].v.name) == 0) {
            if (prev->v.addr != l->vars[i].v.addr)
                prev->ambiguous = true;
            continue;
        }
        l->vars[n++] = l->vars[i];
    }
    l->n_vars = n;
}

static int cmp_key_name(const void *key, const void *elem)
{
    return strcmp(key, ((const struct name_entry *)elem)->name);
}

/* A unit that only declares "struct proc;" still has pointers to it: give
 * the declaration the definition's size and members. */
static void complete_declarations(struct layout *l)
{
    for (size_t i = 0; i < l->n_all; i++) {
        struct type *t = l->all[i];
        const struct name_entry *def;
        if (!t->declaration ||
            !(def = bsearch(t->pub.name, l->names, l->n_names,
                            sizeof *l->names, cmp_key_name)) ||
            def->type->kind != t->pub.kind)
            continue;
        t->pub = *def->type;
        t->declaration = false;
    }
}

static int load(struct layout *l, Dwarf *dw)
{
    Dwarf_CU *cu = NULL;
    Dwarf_Die cudie, die;
    Dwarf_Half version;
    uint8_t unit_type;

    while (dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, NULL) ==
           0) {
        if (dwarf_child(&cudie, &die) != 0)
            continue;
        do
            visit_top(l, &die);
        while (!l->oom && dwarf_siblingof(&die, &die) == 0);
    }
    if (l->oom)
        return fail(l, "out of memory reading DWARF");
    name_all(l);
    build_indexes(l);
    complete_declarations(l);
    return 0;
}

struct layout *layout_open(const char *elf_path, char *err, size_t errlen)
{
    struct layout *l = calloc(1, sizeof *l);
    int fd = open(elf_path, O_RDONLY | O_CLOEXEC);
    Dwarf *dw = NULL;

    if (!l || fd < 0) {
        snprintf(err, errlen, "%s: %s", elf_path,
                 l ? strerror(errno) : "out of memory");
        goto fail;
    }
    dw = dwarf_begin(fd, DWARF_C_READ);
    if (!dw) {
        snprintf(err, errlen, "%s: no DWARF debug info (%s); build with -g",
                 elf_path, dwarf_errmsg(-1));
        goto fail;
    }
    if (load(l, dw) < 0) {
        snprintf(err, errlen, "%s: %s", elf_path, l->err);
        goto fail;
    }
    dwarf_end(dw);
    close(fd);
    return l;
fail:
    if (dw)
        dwarf_end(dw);
    if (fd >= 0)
        close(fd);
    layout_close(l);
    return NULL;
}

void layout_close(struct layout *l)
{
    if (!l)
        return;
    while (l->arena) {
        struct block *next = l->arena->next;
        free(l->arena);
        l->arena = next;
    }
    free(l->memo);
    free(l->all);
    free(l->names);
    free(l->vars);
    free(l);
}

/* ---- lookups ---------------------------------------------------------- */

const char *layout_error(const struct layout *l)
{
    return l->err;
}

static int cmp_key_var(const void *key, const void *elem)
{
    return strcmp(key, ((const struct var_entry *)elem)->v.name);
}

const struct layout_type *layout_type(struct layout *l, const char *name)
{
    const struct name_entry *e =
        bsearch(name, l->names, l->n_names, sizeof *l->names, cmp_key_name);

    if (!e)
        fail(l, "kernel has no type %s", name);
    return e ? e->type : NULL;
}

const struct layout_var *layout_global(struct layout *l, const char *name)
{
    const struct var_entry *e =
        bsearch(name, l->vars, l->n_vars, sizeof *l->vars, cmp_key_var);

    if (!e) {
        fail(l, "kernel has no global variable %s", name);
        return NULL;
    }
    if (e->ambiguous) {
        fail(l, "kernel has several static variables named %s", name);
        return NULL;
    }
    return &e->v;
}

const struct layout_field *layout_member(const struct layout_type *t,
                                         const char *name)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

int layout_field(struct layout *l, const char *type, const char *path,
                 struct layout_field *out)
{
    const struct layout_type *t = layout_type(l, type);
    uint64_t offset = 0;
    char seg[128];

    if (!t)
        return -1;
    for (const char *p = path;;) {
        size_t n = strcspn(p, ".");
        const struct layout_field *f;
        if (n == 0 || n >= sizeof seg)
            return fail(l, "bad field path '%s'", path);
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (t->kind != LAYOUT_STRUCT && t->kind != LAYOUT_UNION)
            return fail(l, "kernel's %s is not a struct or union (path %s in %s)",
                        t->name, path, type);
        if (!(f = layout_member(t, seg)))
            return fail(l, "kernel has no field %s in %s", seg, t->name);
        offset += f->offset;
        *out = *f;
        out->offset = offset;
        t = f->type;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

const char *layout_enum_name(const struct layout_type *t, int64_t value)
{
    for (size_t i = 0; i < t->n_enumerators; i++)
        if (t->enumerators[i].value == value)
            return t->enumerators[i].name;
    return NULL;
}

int layout_enum_value(struct layout *l, const char *type, const char *name,
                      int64_t *value)
{
    const struct layout_type *t = layout_type(l, type);

    if (!t)
        return -1;
    for (size_t i = 0; i < t->n_enumerators; i++) {
        if (strcmp(t->enumerators[i].name, name) == 0) {
            *value = t->enumerators[i].value;
            return 0;
        }
    }
    return fail(l, "kernel has no enumerator %s in %s", name, t->name);
}
