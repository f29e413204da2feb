/* dwarf.h -- kernel globals and type layouts from the kernel ELF's DWARF.
 *
 * layout_open() reads every named type and global variable once, into
 * plain C structures, so decoders can look fields up by name:
 *
 *     struct layout_field f;
 *     if (layout_field(l, "struct proc", "pid", &f) < 0)
 *         report(layout_error(l));   // "kernel has no field pid in struct proc"
 *
 * Typedefs and const/volatile are looked through: a field of type pte_t
 * has the type pte_t names. Nothing here reads guest memory.
 *
 * (Build with -iquote, not -I, for this directory: elfutils' own <dwarf.h>
 * must stay the one that angle-bracket includes find.) */
#ifndef GLASSBOX_DWARF_H
#define GLASSBOX_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum layout_kind {
    LAYOUT_VOID,
    LAYOUT_BASE,     /* int, char, unsigned long... */
    LAYOUT_STRUCT,
    LAYOUT_UNION,
    LAYOUT_ENUM,
    LAYOUT_POINTER,
    LAYOUT_ARRAY,
    LAYOUT_FUNCTION,
    LAYOUT_UNKNOWN,
};

struct layout_type;

struct layout_field {
    const char *name;
    uint64_t offset;                /* bytes from the start of the type */
    const struct layout_type *type;
    /* Bit-fields: the value is bit_size bits starting bit_offset bits
     * (little-endian order) after offset. bit_size is 0 otherwise. */
    unsigned bit_size, bit_offset;
};

struct layout_enumerator {
    const char *name;
    int64_t value;
};

struct layout_type {
    enum layout_kind kind;
    /* "struct proc", "enum procstate", "unsigned int", "char [16]",
     * "struct proc *"; an anonymous struct takes its typedef's name. */
    const char *name;
    uint64_t size;             /* bytes */
    bool is_signed;            /* base types and enums */
    const struct layout_type *target; /* pointee (NULL: void *), element */
    uint64_t count;            /* array elements; 0 when unknown ([]) */
    /* Struct and union members, with the members of anonymous struct and
     * union members lifted into their parent at their real offsets. */
    size_t n_fields;
    const struct layout_field *fields;
    size_t n_enumerators;
    const struct layout_enumerator *enumerators;
};

struct layout_var {
    const char *name;
    uint64_t addr;
    const struct layout_type *type;
};

struct layout;

/* NULL on failure, with a message in err. */
struct layout *layout_open(const char *elf_path, char *err, size_t errlen);
void layout_close(struct layout *l);

/* Why the last lookup that failed on l failed. */
const char *layout_error(const struct layout *l);

/* A type by the name C code uses for it: "struct proc", "union u",
 * "enum procstate", a typedef name, or a base type name. NULL if absent. */
const struct layout_type *layout_type(struct layout *l, const char *name);
/* A global (or file-static) variable with a fixed address. NULL if absent
 * or if several file-statics share the name. */
const struct layout_var *layout_global(struct layout *l, const char *name);
/* A member of a struct or union type by name; path may go through nested
 * members with dots ("context.ra"), offsets adding up. 0, or -1. */
int layout_field(struct layout *l, const char *type, const char *path,
                 struct layout_field *out);
/* A member of t by name, without setting an error. */
const struct layout_field *layout_member(const struct layout_type *t,
                                         const char *name);

/* The enumerator of enum type t with this value, or NULL. */
const char *layout_enum_name(const struct layout_type *t, int64_t value);
/* The value of an enumerator of the enum called type. 0, or -1. */
int layout_enum_value(struct layout *l, const char *type, const char *name,
                      int64_t *value);

#endif
