/* tdesc.c -- GDB target descriptions: register names and numbers.
 *
 * Not a general XML parser: it reads the shape target descriptions have.
 * It skips comments, declarations and processing instructions, reads each
 * start tag's attributes, and acts on <architecture>, <reg> and
 * <xi:include>. Everything else (<feature>, <union>, <field>...) is passed
 * over. Every input is bounded: names, register count, includes, depth. */
#include "tdesc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTRS 8

struct attr {
    const char *name, *val;
    size_t nlen, vlen;
};

struct tag {
    const char *name;
    size_t nlen;
    int nattrs;
    struct attr attrs[MAX_ATTRS];
};

struct loader {
    struct tdesc *t;
    tdesc_fetch_fn fetch;
    void *ctx;
    unsigned next_regnum;
    int includes;
    char *err;
    size_t errlen;
};

static int fail(struct loader *ld, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ld->err, ld->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* Parses the start tag whose '<' is at p. Returns the byte after its '>',
 * or NULL if it is malformed or unterminated. Attributes past MAX_ATTRS are
 * checked for syntax but not kept. */
static const char *parse_tag(const char *p, const char *end, struct tag *tag)
{
    tag->name = ++p;
    while (p < end && !is_space(*p) && *p != '/' && *p != '>')
        p++;
    tag->nlen = (size_t)(p - tag->name);
    tag->nattrs = 0;
    if (tag->nlen == 0)
        return NULL;
    for (;;) {
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p == '>')
            return p + 1;
        if (end - p >= 2 && p[0] == '/' && p[1] == '>')
            return p + 2;
        struct attr a = {.name = p};
        while (p < end && *p != '=' && !is_space(*p) && *p != '>' && *p != '/')
            p++;
        a.nlen = (size_t)(p - a.name);
        while (p < end && is_space(*p))
            p++;
        if (a.nlen == 0 || p >= end || *p != '=')
            return NULL;
        p++;
        while (p < end && is_space(*p))
            p++;
        if (p >= end || (*p != '"' && *p != '\''))
            return NULL;
        char quote = *p++;
        a.val = p;
        while (p < end && *p != quote)
            p++;
        if (p >= end)
            return NULL;
        a.vlen = (size_t)(p - a.val);
        p++;
        if (tag->nattrs < MAX_ATTRS)
            tag->attrs[tag->nattrs++] = a;
    }
}

static const struct attr *find_attr(const struct tag *tag, const char *name)
{
    for (int i = 0; i < tag->nattrs; i++)
        if (eq(tag->attrs[i].name, tag->attrs[i].nlen, name))
            return &tag->attrs[i];
    return NULL;
}

/* A decimal attribute no larger than max. */
static int attr_uint(const struct tag *tag, const char *name, unsigned max,
                     unsigned *out)
{
    const struct attr *a = find_attr(tag, name);
    unsigned long v = 0;

    if (!a || a->vlen == 0 || a->vlen > 9)
        return -1;
    for (size_t i = 0; i < a->vlen; i++) {
        if (a->val[i] < '0' || a->val[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(a->val[i] - '0');
    }
    if (v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int add_reg(struct loader *ld, const struct tag *tag)
{
    struct tdesc *t = ld->t;
    const struct attr *name = find_attr(tag, "name");
    unsigned bitsize, regnum = ld->next_regnum;

    if (!name || name->vlen == 0 || name->vlen >= TDESC_NAME_MAX)
        return fail(ld, "target description: <reg> without a usable name");
    if (attr_uint(tag, "bitsize", 65536, &bitsize) < 0 || bitsize == 0)
        return fail(ld, "target description: register %.*s has a bad bitsize",
                    (int)name->vlen, name->val);
    if (find_attr(tag, "regnum") &&
        attr_uint(tag, "regnum", 1000000, &regnum) < 0)
        return fail(ld, "target description: register %.*s has a bad regnum",
                    (int)name->vlen, name->val);
    if (t->nregs == TDESC_MAX_REGS)
        return fail(ld, "target description: more than %d registers",
                    TDESC_MAX_REGS);
    if (t->nregs == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct tdesc_reg *r = realloc(t->regs, cap * sizeof *r);
        if (!r)
            return fail(ld, "out of memory");
        t->regs = r;
        t->cap = cap;
    }
    struct tdesc_reg *r = &t->regs[t->nregs++];
    memcpy(r->name, name->val, name->vlen);
    r->name[name->vlen] = '\0';
    r->regnum = regnum;
    r->bitsize = bitsize;
    ld->next_regnum = regnum + 1;
    return 0;
}

/* Annex names go into a qXfer packet between ':' separators: allow only
 * the characters file names use. */
static bool annex_ok(const char *s, size_t len)
{
    if (len == 0 || len >= 128)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int load_doc(struct loader *ld, const char *annex, int depth);

static int include(struct loader *ld, const struct tag *tag, int depth)
{
    const struct attr *href = find_attr(tag, "href");
    char annex[128];

    if (!href || !annex_ok(href->val, href->vlen))
        return fail(ld, "target description: bad xi:include href");
    if (depth + 1 > TDESC_MAX_DEPTH)
        return fail(ld, "target description: includes nested deeper than %d",
                    TDESC_MAX_DEPTH);
    if (++ld->includes > TDESC_MAX_INCLUDES)
        return fail(ld, "target description: more than %d includes",
                    TDESC_MAX_INCLUDES);
    memcpy(annex, href->val, href->vlen);
    annex[href->vlen] = '\0';
    return load_doc(ld, annex, depth + 1);
}

/* Skips from p past the first occurrence of lit, or returns NULL. */
static const char *skip_past(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);

    for (; end - p >= (ptrdiff_t)n; p++)
        if (memcmp(p, lit, n) == 0)
            return p + n;
    return NULL;
}

/* Acts on one start tag; next is the byte after it. */
static int element(struct loader *ld, const struct tag *tag, const char *next,
                   const char *end, int depth)
{
    if (eq(tag->name, tag->nlen, "reg"))
        return add_reg(ld, tag);
    if (eq(tag->name, tag->nlen, "xi:include"))
        return include(ld, tag, depth);
    if (eq(tag->name, tag->nlen, "architecture")) {
        const char *text_end = memchr(next, '<', (size_t)(end - next));
        size_t n = text_end ? (size_t)(text_end - next) : 0;
        if (n >= sizeof ld->t->arch)
            n = sizeof ld->t->arch - 1;
        memcpy(ld->t->arch, next, n);
        ld->t->arch[n] = '\0';
    }
    return 0;
}

static int parse_doc(struct loader *ld, const char *annex, const char *xml,
                     size_t len, int depth)
{
    const char *p = xml, *end = xml + len;

    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        const char *next;
        struct tag tag;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            next = skip_past(p + 4, end, "-->");
        } else if (end - p >= 2 && (p[1] == '!' || p[1] == '?' || p[1] == '/')) {
            /* declarations, processing instructions, end tags */
            next = skip_past(p, end, ">");
        } else {
            next = parse_tag(p, end, &tag);
            if (next && element(ld, &tag, next, end, depth) < 0)
                return -1;
        }
        if (!next)
            return fail(ld, "target description %s: malformed XML at byte %zu",
                        annex, (size_t)(p - xml));
        p = next;
    }
    return 0;
}

static int load_doc(struct loader *ld, const char *annex, int depth)
{
    char *xml;
    size_t len;

    if (ld->fetch(ld->ctx, annex, &xml, &len, ld->err, ld->errlen) < 0)
        return -1;
    int r = parse_doc(ld, annex, xml, len, depth);
    free(xml);
    return r;
}

int tdesc_load(struct tdesc *t, tdesc_fetch_fn fetch, void *ctx, char *err,
               size_t errlen)
{
    struct loader ld = {.t = t, .fetch = fetch, .ctx = ctx, .err = err,
                        .errlen = errlen};

    memset(t, 0, sizeof *t);
    if (load_doc(&ld, "target.xml", 0) < 0) {
        tdesc_free(t);
        return -1;
    }
    if (t->nregs == 0) {
        tdesc_free(t);
        return fail(&ld, "target description lists no registers");
    }
    return 0;
}

void tdesc_free(struct tdesc *t)
{
    free(t->regs);
    memset(t, 0, sizeof *t);
}

const struct tdesc_reg *tdesc_find(const struct tdesc *t, const char *name)
{
    for (size_t i = 0; i < t->nregs; i++)
        if (strcmp(t->regs[i].name, name) == 0)
            return &t->regs[i];
    return NULL;
}
