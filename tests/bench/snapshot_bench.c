// snapshot-bench KERNEL GDB_PORT ROUNDS READS_JSON: take ROUNDS snapshots of
// a running guest (run 20 ms, stop, snapshot) through the inspector's own
// modules and print their cost, both as the daemon takes them after each
// stop (warm: page tables whose kernel write count has not moved, and old
// events, are not read again) and from scratch (cold: after a reset, as at
// start-up). Then write, to READS_JSON, every guest read a snapshot from
// scratch makes (what a gdb script repeats, for the comparison in
// tests/bench/inspector_bench.py).
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot.h"

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void add_read(json_t *reads, uint64_t addr, uint64_t len)
{
  if (len)
    json_array_append_new(reads, json_pack("[I, I]", (json_int_t)addr, (json_int_t)len));
}

static uint64_t hex_of(json_t *obj, const char *key)
{
  return strtoull(json_string_value(json_object_get(obj, key)), NULL, 16);
}

// The reads behind a snapshot from scratch: {"globals": [[addr, len]...],
// "tables": [...]}, the page tables (and mailbox queues) last.
static json_t *reads_of(const struct kernel_layout *k, json_t *snap, uint32_t procs_used,
                        uint32_t frames_used)
{
  json_t *reads = json_array(), *tables = json_array(), *space, *t, *box;
  const char *pid;
  size_t i;
  add_read(reads, k->proc_high_water_addr, 4);
  add_read(reads, k->proc_addr, (uint64_t)procs_used * k->proc_size);
  add_read(reads, k->frames_high_water_addr, 4);
  add_read(reads, k->frames_addr, (uint64_t)frames_used * k->frame_size);
  add_read(reads, k->ftable_addr, (uint64_t)k->nfile * k->file_size);
  add_read(reads, k->ring_addr, k->ring_slot + (uint64_t)k->nevent * k->event_size);
  add_read(reads, k->ticks_addr, 4);
  json_array_foreach(json_object_get(snap, "mailboxes"), i, box)   // a queue's worth each
    add_read(reads, k->mailbox_slots_addr, (uint64_t)k->mbox_depth * k->msg_size);
  json_object_foreach(json_object_get(snap, "address_spaces"), pid, space) {
    add_read(tables, hex_of(space, "root"), 4096);
    json_array_foreach(json_object_get(space, "tables"), i, t)
      add_read(tables, hex_of(t, "table"), 4096);
  }
  return json_pack("{s:o, s:o}", "globals", reads, "tables", tables);
}

// What a snapshot shows of the guest's state, without the parts that
// depend on the snapshot before it (events since then, the diff, timing).
static int same_state(json_t *a, json_t *b)
{
  static const char *const keys[] = {"cpu", "ticks", "processes", "address_spaces", "frames", "mailboxes"};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i]))) {
      fprintf(stderr, "snapshot-bench: after a stop and from scratch differ in \"%s\"\n", keys[i]);
      return 0;
    }
  return 1;
}

int main(int argc, char **argv)
{
  char err[256];
  if (argc != 5) {
    fprintf(stderr, "usage: snapshot-bench KERNEL GDB_PORT ROUNDS READS_JSON\n");
    return 2;
  }
  int rounds = atoi(argv[3]);
  struct kernel_model *km = kernel_model_open(argv[1], err, sizeof(err));
  struct rsp_conn *c = km ? rsp_conn_open("127.0.0.1", argv[2], 5000, err, sizeof(err)) : NULL;
  if (!c) {
    fprintf(stderr, "snapshot-bench: %s\n", err);
    return 1;
  }
  struct snapshotter *s = snapshotter_new(km);
  double *ms = calloc(rounds, sizeof(double)), *cold_ms = calloc(rounds, sizeof(double));
  json_t *last = NULL;
  struct snapshot_cost cost = {0}, cold = {0};
  size_t bytes = 0;
  for (int i = 0; i < rounds; i++) {
    struct rsp_stop stop;
    rsp_conn_continue(c);
    usleep(20000);
    rsp_conn_interrupt(c);
    if (rsp_conn_wait_stop(c, 2000, &stop) != 1) {
      fprintf(stderr, "snapshot-bench: the guest did not stop: %s\n", rsp_conn_error(c));
      return 1;
    }
    json_decref(last);
    last = snapshotter_take(s, c, err, sizeof(err));
    if (!last) {
      fprintf(stderr, "snapshot-bench: %s\n", err);
      return 1;
    }
    cost = snapshotter_last_cost(s);
    ms[i] = cost.ms;
    char *text = json_dumps(last, JSON_COMPACT);
    bytes = strlen(text);
    free(text);
    // the same stop from scratch must show the same state
    struct snapshotter *fresh = snapshotter_new(km);
    json_t *full = snapshotter_take(fresh, c, err, sizeof(err));
    if (!full || !same_state(last, full))
      return 1;
    json_decref(full);
    cold = snapshotter_last_cost(fresh);
    cold_ms[i] = cold.ms;
    snapshotter_free(fresh);
  }
  qsort(ms, rounds, sizeof(double), cmp_double);
  qsort(cold_ms, rounds, sizeof(double), cmp_double);
  printf("snapshot after a stop: median %.2f ms (min %.2f, max %.2f) over %d stops, %zu processes, "
         "%lu RSP round trips, %lu bytes from the stub, %zu bytes of JSON\n",
         ms[rounds / 2], ms[0], ms[rounds - 1], rounds,
         json_array_size(json_object_get(last, "processes")), cost.round_trips, cost.bytes_in, bytes);
  printf("snapshot from scratch: median %.2f ms (min %.2f, max %.2f), %lu RSP round trips, "
         "%lu bytes from the stub; the same state as after each stop\n", cold_ms[rounds / 2], cold_ms[0], cold_ms[rounds - 1],
         cold.round_trips, cold.bytes_in);
  const struct kernel_layout *k = kernel_model_layout(km);
  uint32_t procs_used = 0, frames_used = 0;
  rsp_conn_set_phys_mode(c, true);
  rsp_conn_read_mem(c, k->proc_high_water_addr, &procs_used, 4);
  rsp_conn_read_mem(c, k->frames_high_water_addr, &frames_used, 4);
  rsp_conn_set_phys_mode(c, false);
  json_t *reads = reads_of(k, last, procs_used, frames_used);
  if (json_dump_file(reads, argv[4], 0) < 0)
    return 1;
  rsp_conn_detach(c);
  return 0;
}
