/* snapshot.h -- read the kernel's state from a stopped guest into one JSON
 * snapshot (docs/protocol.md), with what changed since the previous one.
 *
 * Everything is read through guest.h (shared RAM, or QEMU's GDB stub in
 * physical-memory mode), bounded to RAM; nothing read is trusted: a garbage pointer becomes an
 * error entry in the snapshot, never a wild read or a crash. */
#ifndef GLASSBOX_SNAPSHOT_H
#define GLASSBOX_SNAPSHOT_H

#include <jansson.h>
#include <stddef.h>

#include "kernel_model.h"
#include "rsp_conn.h"

struct snapshotter;

struct snapshotter *snapshotter_new(struct kernel_model *km);
void snapshotter_free(struct snapshotter *s);

/* The guest must be stopped. Returns a new {"type":"snapshot", ...}
 * message, or NULL with err filled in when the connection fails.
 * c NULL: a sample of a running guest from its shared RAM (guest.h): no
 * "cpu" (registers need a stop), torn reads decoded like garbage. */
json_t *snapshotter_take(struct snapshotter *s, struct rsp_conn *c,
                         char *err, size_t errlen);
/* The snapshot full as a delta from prev, the full snapshot sent before
 * it: "base" is prev's seq, "address_spaces" holds only the spaces that
 * differ from prev's, and "unchanged_spaces" lists the pids whose space is
 * prev's (docs/protocol.md); "kernel_space" is left out when it is
 * prev's. A new reference. */
json_t *snapshot_delta(const json_t *prev, const json_t *full);

/* Detail the latest snapshot leaves out (docs/protocol.md, "pages" and
 * "frames"), from what it read: the entries of pid's level-0 table under
 * root entry l1, and count frames from frame number from with their owners.
 * NULL with err filled in for a pid, table or range it does not have. */
json_t *snapshotter_pages(const struct snapshotter *s, int pid, int l1, char *err,
                          size_t errlen);
json_t *snapshotter_frames(const struct snapshotter *s, uint32_t from, uint32_t count,
                           char *err, size_t errlen);
/* Forget the previous snapshot (after the guest restarts): the next one has
 * an empty diff and every event. */
void snapshotter_reset(struct snapshotter *s);

/* Round trips and bytes of the last snapshot, for benchmarks. */
struct snapshot_cost {
    unsigned long round_trips, bytes_in;
    double ms;
};
struct snapshot_cost snapshotter_last_cost(const struct snapshotter *s);

#endif
