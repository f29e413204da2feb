/* pagestore.c -- the guest's RAM at chosen moments, kept compactly
 * (pagestore.h). */
#include "pagestore.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY 0u          /* hash table slot: never used */
#define GONE UINT32_MAX   /* hash table slot: its page was freed */

struct page {
    uint64_t hash;
    uint32_t refs;       /* chunks (of states and of `last`) holding it; 0: slot free */
    uint16_t off, len;   /* the bytes between the zero ends; len 0: all zero */
    uint8_t *data;
};

struct chunk {
    uint32_t refs;
    uint32_t ids[PAGESTORE_CHUNK_PAGES];
};

struct pagestore {
    size_t npages, nchunks; /* of the RAM */
    struct page *pages;     /* by id */
    size_t pages_used, pages_cap;
    uint32_t *free_ids;
    size_t nfree;
    uint32_t *table;        /* hash -> id + 1, open addressing */
    size_t table_cap, table_used; /* used counts GONE slots too */
    struct chunk ***states; /* by state id; NULL once dropped */
    size_t nstates, states_cap;
    struct chunk **last;    /* the map of the last state saved (its own refs) */
    size_t bytes, stored;
};

static const uint8_t zeros[PAGESTORE_PAGE];

static uint64_t hash_page(const uint8_t *p)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;

    for (size_t i = 0; i < PAGESTORE_PAGE; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

static bool same(const struct page *pg, const uint8_t *p)
{
    return memcmp(p, zeros, pg->off) == 0 &&
           (!pg->len || memcmp(p + pg->off, pg->data, pg->len) == 0) &&
           memcmp(p + pg->off + pg->len, zeros,
                  PAGESTORE_PAGE - pg->off - pg->len) == 0;
}

static void put(const struct page *pg, uint8_t *p)
{
    memset(p, 0, pg->off);
    if (pg->len)
        memcpy(p + pg->off, pg->data, pg->len);
    memset(p + pg->off + pg->len, 0, PAGESTORE_PAGE - pg->off - pg->len);
}

/* ---- the hash table ---------------------------------------------------------- */

static int table_grow(struct pagestore *ps)
{
    size_t cap = ps->table_cap ? 2 * ps->table_cap : 1024;
    uint32_t *t = calloc(cap, sizeof *t);

    if (!t)
        return -1;
    for (size_t i = 0; i < ps->table_cap; i++) {
        uint32_t v = ps->table[i];
        if (v == EMPTY || v == GONE)
            continue;
        size_t j = ps->pages[v - 1].hash & (cap - 1);
        while (t[j] != EMPTY)
            j = (j + 1) & (cap - 1);
        t[j] = v;
    }
    ps->bytes += (cap - ps->table_cap) * sizeof *t;
    free(ps->table);
    ps->table = t;
    ps->table_cap = cap;
    ps->table_used = ps->pages_used - ps->nfree;
    return 0;
}

/* The id of a stored page equal to p, or -1. */
static long table_find(const struct pagestore *ps, uint64_t h, const uint8_t *p)
{
    for (size_t j = h & (ps->table_cap - 1);; j = (j + 1) & (ps->table_cap - 1)) {
        uint32_t v = ps->table[j];
        if (v == EMPTY)
            return -1;
        if (v != GONE && ps->pages[v - 1].hash == h && same(&ps->pages[v - 1], p))
            return (long)v - 1;
    }
}

static void table_remove(struct pagestore *ps, uint32_t id)
{
    for (size_t j = ps->pages[id].hash & (ps->table_cap - 1);;
         j = (j + 1) & (ps->table_cap - 1))
        if (ps->table[j] == id + 1) {
            ps->table[j] = GONE;
            return;
        }
}

/* ---- pages --------------------------------------------------------------------- */

static void page_unref(struct pagestore *ps, uint32_t id)
{
    struct page *pg = &ps->pages[id];

    if (--pg->refs > 0)
        return;
    table_remove(ps, id);
    ps->bytes -= pg->len;
    ps->stored--;
    free(pg->data);
    pg->data = NULL;
    ps->free_ids[ps->nfree++] = id;
}

/* A reference to the stored page equal to p (stored now if new), or -1. */
static long intern(struct pagestore *ps, const uint8_t *p)
{
    if ((ps->table_used + 1) * 2 > ps->table_cap && table_grow(ps) < 0)
        return -1;
    uint64_t h = hash_page(p);
    long found = table_find(ps, h, p);
    if (found >= 0) {
        ps->pages[found].refs++;
        return found;
    }
    size_t off = 0, end = PAGESTORE_PAGE;
    while (off < end && p[off] == 0)
        off++;
    while (end > off && p[end - 1] == 0)
        end--;
    struct page pg = {.hash = h, .refs = 1, .off = (uint16_t)(end > off ? off : 0),
                      .len = (uint16_t)(end - off)};
    if (pg.len && !(pg.data = malloc(pg.len)))
        return -1;
    if (pg.len)
        memcpy(pg.data, p + off, pg.len);
    uint32_t id;
    if (ps->nfree > 0) {
        id = ps->free_ids[--ps->nfree];
    } else {
        if (ps->pages_used == ps->pages_cap) {
            size_t cap = ps->pages_cap ? 2 * ps->pages_cap : 1024;
            struct page *grown = realloc(ps->pages, cap * sizeof *grown);
            uint32_t *fr = grown ? realloc(ps->free_ids, cap * sizeof *fr) : NULL;
            if (grown)
                ps->pages = grown;
            if (!fr) {
                free(pg.data);
                return -1;
            }
            ps->free_ids = fr;
            ps->bytes += (cap - ps->pages_cap) * (sizeof *grown + sizeof *fr);
            ps->pages_cap = cap;
        }
        id = (uint32_t)ps->pages_used++;
    }
    ps->pages[id] = pg;
    size_t j = h & (ps->table_cap - 1);
    while (ps->table[j] != EMPTY && ps->table[j] != GONE)
        j = (j + 1) & (ps->table_cap - 1);
    if (ps->table[j] == EMPTY)
        ps->table_used++;
    ps->table[j] = id + 1;
    ps->bytes += pg.len;
    ps->stored++;
    return id;
}

/* ---- maps ------------------------------------------------------------------------ */

static void chunk_unref(struct pagestore *ps, struct chunk *c)
{
    if (!c || --c->refs > 0)
        return;
    for (size_t k = 0; k < PAGESTORE_CHUNK_PAGES; k++)
        page_unref(ps, c->ids[k]);
    free(c);
    ps->bytes -= sizeof *c;
}

static void map_release(struct pagestore *ps, struct chunk **map)
{
    if (!map)
        return;
    for (size_t c = 0; c < ps->nchunks; c++)
        chunk_unref(ps, map[c]);
    free(map);
    ps->bytes -= ps->nchunks * sizeof *map;
}

static struct chunk **map_new(struct pagestore *ps)
{
    struct chunk **map = calloc(ps->nchunks, sizeof *map);

    if (map)
        ps->bytes += ps->nchunks * sizeof *map;
    return map;
}

/* Chunk c of the RAM as a chunk: old itself (one more reference) when no
 * page changed, else a new one. NULL when memory runs out. */
static struct chunk *save_chunk(struct pagestore *ps, struct chunk *old,
                                const uint8_t *ram, size_t c, size_t *changed)
{
    struct chunk *nc = NULL;

    for (size_t k = 0; k < PAGESTORE_CHUNK_PAGES; k++) {
        const uint8_t *p = ram + (c * PAGESTORE_CHUNK_PAGES + k) * PAGESTORE_PAGE;
        if (old && same(&ps->pages[old->ids[k]], p))
            continue;
        if (!nc) {
            nc = malloc(sizeof *nc);
            if (!nc)
                return NULL;
            ps->bytes += sizeof *nc;
            nc->refs = 1;
            for (size_t i = 0; i < PAGESTORE_CHUNK_PAGES; i++) {
                nc->ids[i] = old ? old->ids[i] : 0;
                if (old)
                    ps->pages[nc->ids[i]].refs++;
            }
            if (!old) { /* no previous state: every page is new */
                for (size_t i = 0; i < PAGESTORE_CHUNK_PAGES; i++) {
                    long id = intern(ps, ram + (c * PAGESTORE_CHUNK_PAGES + i) *
                                              PAGESTORE_PAGE);
                    if (id < 0) {
                        for (size_t j = 0; j < i; j++)
                            page_unref(ps, nc->ids[j]);
                        free(nc);
                        ps->bytes -= sizeof *nc;
                        return NULL;
                    }
                    nc->ids[i] = (uint32_t)id;
                }
                *changed += PAGESTORE_CHUNK_PAGES;
                return nc;
            }
        }
        long id = intern(ps, p);
        if (id < 0) {
            chunk_unref(ps, nc);
            return NULL;
        }
        page_unref(ps, nc->ids[k]);
        nc->ids[k] = (uint32_t)id;
        (*changed)++;
    }
    if (!nc)
        old->refs++;
    return nc ? nc : old;
}

struct pagestore *pagestore_new(size_t ram_bytes)
{
    if (ram_bytes == 0 || ram_bytes % PAGESTORE_PAGE)
        return NULL;
    struct pagestore *ps = calloc(1, sizeof *ps);
    if (!ps)
        return NULL;
    ps->npages = ram_bytes / PAGESTORE_PAGE;
    ps->nchunks = (ps->npages + PAGESTORE_CHUNK_PAGES - 1) / PAGESTORE_CHUNK_PAGES;
    if (ps->npages % PAGESTORE_CHUNK_PAGES) { /* whole chunks only, for now */
        free(ps);
        return NULL;
    }
    ps->bytes = sizeof *ps;
    return ps;
}

void pagestore_free(struct pagestore *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->nstates; i++)
        map_release(ps, ps->states[i]);
    map_release(ps, ps->last);
    for (size_t i = 0; i < ps->pages_used; i++)
        free(ps->pages[i].data);
    free(ps->pages);
    free(ps->free_ids);
    free(ps->table);
    free(ps->states);
    free(ps);
}

long pagestore_save(struct pagestore *ps, const uint8_t *ram, size_t *changed)
{
    size_t n = 0;
    if (ps->nstates == ps->states_cap) {
        size_t cap = ps->states_cap ? 2 * ps->states_cap : 64;
        struct chunk ***grown = realloc(ps->states, cap * sizeof *grown);
        if (!grown)
            return -1;
        ps->bytes += (cap - ps->states_cap) * sizeof *grown;
        ps->states = grown;
        ps->states_cap = cap;
    }
    struct chunk **map = map_new(ps), **last = map_new(ps);
    if (!map || !last) {
        map_release(ps, map);
        map_release(ps, last);
        return -1;
    }
    for (size_t c = 0; c < ps->nchunks; c++) {
        map[c] = save_chunk(ps, ps->last ? ps->last[c] : NULL, ram, c, &n);
        if (!map[c]) {
            map_release(ps, map);
            map_release(ps, last);
            return -1;
        }
        last[c] = map[c];
        map[c]->refs++;
    }
    map_release(ps, ps->last);
    ps->last = last;
    ps->states[ps->nstates] = map;
    if (changed)
        *changed = n;
    return (long)ps->nstates++;
}

int pagestore_restore(struct pagestore *ps, long id, uint8_t *ram, size_t *written)
{
    if (id < 0 || (size_t)id >= ps->nstates || !ps->states[id])
        return -1;
    struct chunk **map = ps->states[id];
    size_t n = 0;
    for (size_t c = 0; c < ps->nchunks; c++)
        for (size_t k = 0; k < PAGESTORE_CHUNK_PAGES; k++) {
            uint8_t *p = ram + (c * PAGESTORE_CHUNK_PAGES + k) * PAGESTORE_PAGE;
            const struct page *pg = &ps->pages[map[c]->ids[k]];
            if (!same(pg, p)) {
                put(pg, p);
                n++;
            }
        }
    if (written)
        *written = n;
    return 0;
}

void pagestore_drop(struct pagestore *ps, long id)
{
    if (id < 0 || (size_t)id >= ps->nstates)
        return;
    map_release(ps, ps->states[id]);
    ps->states[id] = NULL;
}

size_t pagestore_bytes(const struct pagestore *ps)
{
    return ps->bytes;
}

size_t pagestore_pages(const struct pagestore *ps)
{
    return ps->stored;
}
