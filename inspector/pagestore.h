/* pagestore.h -- the guest's RAM at chosen moments, kept compactly, for
 * going back to them (docs/time-travel.md).
 *
 * Pure: it sees the RAM only as bytes it is handed (the guest's RAM as the
 * daemon maps it: QEMU's memory-backend-file, read and written while the
 * guest is stopped). A saved state is a map from each 4 KiB page of RAM to a
 * stored page; a stored page is kept once however many states and places
 * hold it, and without its leading and trailing zero bytes (a free frame is
 * one link word and zeros). The map is split into chunks of
 * PAGESTORE_CHUNK_PAGES entries that a state shares with the one before it
 * when none of their pages changed, so a state costs what changed in it.
 *
 * Saving compares the RAM with the last saved state page by page; restoring
 * writes only the pages that differ from the state asked for. */
#ifndef GLASSBOX_PAGESTORE_H
#define GLASSBOX_PAGESTORE_H

#include <stddef.h>
#include <stdint.h>

#define PAGESTORE_PAGE 4096
#define PAGESTORE_CHUNK_PAGES 256

struct pagestore;

/* For a RAM of ram_bytes (a multiple of PAGESTORE_PAGE, not 0). NULL if not,
 * or out of memory. */
struct pagestore *pagestore_new(size_t ram_bytes);
void pagestore_free(struct pagestore *ps);

/* Save the RAM now; the new state's id (0, 1, 2, ... in order of saving),
 * or -1 when memory runs out (nothing is saved then). changed, if not NULL,
 * gets how many pages differ from the last saved state (all of them for
 * the first). */
long pagestore_save(struct pagestore *ps, const uint8_t *ram, size_t *changed);

/* Make ram what it was at state id: 0, or -1 when id is not kept.
 * written, if not NULL, gets how many pages had to be written. */
int pagestore_restore(struct pagestore *ps, long id, uint8_t *ram,
                      size_t *written);

/* Forget a state (its pages go when no other state holds them). */
void pagestore_drop(struct pagestore *ps, long id);

/* Bytes held: stored pages, chunks of maps, bookkeeping. */
size_t pagestore_bytes(const struct pagestore *ps);
/* Distinct pages stored now. */
size_t pagestore_pages(const struct pagestore *ps);

#endif
