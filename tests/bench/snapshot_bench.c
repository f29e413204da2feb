// snapshot-bench KERNEL GDB_PORT ROUNDS READS_JSON [RAM_FILE]: take ROUNDS snapshots of
// a running guest (run 20 ms, stop, snapshot) through the inspector's own
// modules and print their cost, both as the daemon takes them after each
// stop (warm: page tables whose kernel write count has not moved, and old
// events, are not read again) and from scratch (cold: after a reset, as at
// start-up). Then write, to READS_JSON, every guest read a snapshot from
// scratch makes (what a gdb script repeats, for the comparison in
// tests/bench/inspector_bench.py).
//
// With RAM_FILE (the file QEMU's RAM is in: memory-backend-file,share=on),
// memory is read from a read-only mapping of it, as the daemon reads the
// QEMU it starts, and each stop is also read through the gdbstub: the
// snapshot from scratch and every range a snapshot reads must be the same
// both ways (else it exits non-zero).
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"
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

// RAM_FILE mapped read-only, shared with QEMU; NULL when it cannot be.
static const void *map_ram(const char *path, size_t *size)
{
  int fd = open(path, O_RDONLY);
  struct stat st;
  void *at = MAP_FAILED;
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
    *size = (size_t)st.st_size;
    at = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
  }
  if (fd >= 0)
    close(fd);
  return at == MAP_FAILED ? NULL : at;
}

// Every range of reads (a reads_of() list) read from shared RAM and through
// the gdbstub: 1 when all are the same.
static int same_bytes(struct rsp_conn *c, const struct kernel_layout *k, json_t *reads,
                      const void *ram, size_t ram_size, size_t *compared)
{
  json_t *list, *r;
  const char *key;
  size_t i;
  json_object_foreach(reads, key, list) json_array_foreach(list, i, r) {
    uint64_t addr = (uint64_t)json_integer_value(json_array_get(r, 0));
    size_t len = (size_t)json_integer_value(json_array_get(r, 1));
    uint8_t *a = malloc(len), *b = malloc(len);
    guest_ram_share(ram, ram_size);
    int ra = guest_read_phys(c, k, addr, a, len);
    guest_ram_share(NULL, 0);
    int rb = guest_read_phys(c, k, addr, b, len);
    int same = ra == 0 && rb == 0 && memcmp(a, b, len) == 0;
    free(a);
    free(b);
    if (!same) {
      fprintf(stderr, "snapshot-bench: %zu bytes at 0x%llx differ between shared RAM and the "
              "gdbstub (reads %d, %d)\n", len, (unsigned long long)addr, ra, rb);
      return 0;
    }
    *compared += len;
  }
  guest_ram_share(ram, ram_size);
  return 1;
}

int main(int argc, char **argv)
{
  char err[256];
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: snapshot-bench KERNEL GDB_PORT ROUNDS READS_JSON [RAM_FILE]\n");
    return 2;
  }
  size_t ram_size = 0;
  const void *ram = argc == 6 ? map_ram(argv[5], &ram_size) : NULL;
  if (argc == 6 && !ram) {
    fprintf(stderr, "snapshot-bench: cannot map %s\n", argv[5]);
    return 1;
  }
  guest_ram_share(ram, ram_size);
  size_t compared = 0;
  int rounds = atoi(argv[3]);
  struct kernel_model *km = kernel_model_open(argv[1], err, sizeof(err));
  struct rsp_conn *c = km ? rsp_conn_open("127.0.0.1", argv[2], 5000, err, sizeof(err)) : NULL;
  if (!c) {
    fprintf(stderr, "snapshot-bench: %s\n", err);
    return 1;
  }
  struct snapshotter *s = snapshotter_new(km);
  double *ms = calloc(rounds, sizeof(double)), *cold_ms = calloc(rounds, sizeof(double));
  double *shared_cold_ms = calloc(rounds, sizeof(double));
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
    // the same stop from scratch (through the gdbstub) must show the same state
    struct snapshotter *fresh = snapshotter_new(km);
    guest_ram_share(NULL, 0);
    json_t *full = snapshotter_take(fresh, c, err, sizeof(err));
    guest_ram_share(ram, ram_size);
    if (!full || !same_state(last, full))
      return 1;
    if (ram) {   // from scratch again, from shared RAM
      struct snapshotter *again = snapshotter_new(km);
      json_decref(snapshotter_take(again, c, err, sizeof(err)));
      shared_cold_ms[i] = snapshotter_last_cost(again).ms;
      snapshotter_free(again);
      const struct kernel_layout *kl = kernel_model_layout(km);
      uint32_t pu = 0, fu = 0;
      rsp_conn_set_phys_mode(c, true);
      guest_read_phys(c, kl, kl->proc_high_water_addr, &pu, 4);
      guest_read_phys(c, kl, kl->frames_high_water_addr, &fu, 4);
      json_t *ranges = reads_of(kl, last, pu < kl->nproc ? pu : kl->nproc,
                                fu < kl->nframes ? fu : kl->nframes);
      int same = same_bytes(c, kl, ranges, ram, ram_size, &compared);
      json_decref(ranges);
      rsp_conn_set_phys_mode(c, false);
      if (!same)
        return 1;
    }
    json_decref(full);
    cold = snapshotter_last_cost(fresh);
    cold_ms[i] = cold.ms;
    snapshotter_free(fresh);
  }
  qsort(ms, rounds, sizeof(double), cmp_double);
  qsort(cold_ms, rounds, sizeof(double), cmp_double);
  const char *how = ram ? "from shared RAM" : "through the gdbstub";
  printf("snapshot after a stop (%s): median %.2f ms (min %.2f, max %.2f) over %d stops, %zu processes, "
         "%lu RSP round trips, %lu bytes from the stub, %zu bytes of JSON\n",
         how, ms[rounds / 2], ms[0], ms[rounds - 1], rounds,
         json_array_size(json_object_get(last, "processes")), cost.round_trips, cost.bytes_in, bytes);
  printf("snapshot from scratch (through the gdbstub): median %.2f ms (min %.2f, max %.2f), %lu RSP round trips, "
         "%lu bytes from the stub; the same state as after each stop\n", cold_ms[rounds / 2], cold_ms[0], cold_ms[rounds - 1],
         cold.round_trips, cold.bytes_in);
  qsort(shared_cold_ms, rounds, sizeof(double), cmp_double);
  if (ram)
    printf("snapshot from scratch (from shared RAM): median %.2f ms (min %.2f, max %.2f); shared RAM "
           "and the gdbstub read the same %zu bytes at %d stops\n", shared_cold_ms[rounds / 2],
           shared_cold_ms[0], shared_cold_ms[rounds - 1], compared, rounds);
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
