// garbage-snapshot KERNEL GDB_PORT: the snapshotter on a guest whose kernel
// memory has been overwritten with garbage. Through its own connection it
// stops the guest, then, for each of 20 seeds, fills the process table and
// every live process's root page table with pseudo-random words (pointers
// into RAM and out of it, cycles, reserved encodings, huge counts) and takes
// a snapshot: each must come back as JSON, never a crash, a hang or a wild
// read (this binary is built with AddressSanitizer). Every slot in use must
// be among the processes, one whose name is not UTF-8 with its bytes escaped.
// Exits 0 when all do.
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot.h"

static uint32_t next_random(uint32_t *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

// A word that is garbage in an interesting way for a kernel structure.
static uint32_t garbage(uint32_t *state, uint32_t ram_base, uint32_t ram_size)
{
  uint32_t r = next_random(state);
  switch (r % 5) {
  case 0: return ram_base + next_random(state) % ram_size;            // into RAM
  case 1: return next_random(state);                                  // anywhere
  case 2: return ((ram_base + next_random(state) % ram_size) >> 2) | 1; // a valid PTE
  case 3: return r % 16;                                              // small numbers
  default: return 0xffffffffu;
  }
}

static uint32_t *garbage_words(uint32_t bytes, uint32_t *state, const struct kernel_layout *k)
{
  uint32_t *words = malloc(bytes);
  for (uint32_t i = 0; i < bytes / 4; i++)
    words[i] = garbage(state, k->ram_base, k->ram_size);
  return words;
}

static int fill(struct rsp_conn *c, uint32_t addr, uint32_t bytes, uint32_t *state,
                const struct kernel_layout *k)
{
  uint32_t *words = garbage_words(bytes, state, k);
  int r = rsp_conn_write_mem(c, addr, words, bytes);
  free(words);
  return r;
}

// A name that is not UTF-8 ("\xc3(" is a cut-off sequence) and holds a
// backslash, in slot 0 of the garbage process table, as pid NAMED_PID.
#define NAMED_PID 4242
static const char bad_name[] = "\xc3(x\\";
static const char bad_name_shown[] = "\\xc3(x\\x5c";

static uint32_t word_at(const uint8_t *p, uint32_t off)
{
  uint32_t v;
  memcpy(&v, p + off, 4);
  return v;
}

// Garbage in the process table, slot 0 named bad_name; returns how many
// slots are in use (state not UNUSED, below the high-water mark), or -1.
static int fill_procs(struct rsp_conn *c, uint32_t *state, const struct kernel_layout *k)
{
  uint32_t bytes = k->nproc * k->proc_size;
  uint8_t *procs = (uint8_t *)garbage_words(bytes, state, k);
  uint32_t running = 2, pid = NAMED_PID;
  memcpy(procs + k->p_state, &running, 4);
  memcpy(procs + k->p_pid, &pid, 4);
  memset(procs + k->p_name, 0, k->p_name_len);
  memcpy(procs + k->p_name, bad_name, strlen(bad_name));
  // Slots past the kernel's high-water mark were never used: not read.
  uint32_t high = 0;
  int r = rsp_conn_write_mem(c, k->proc_addr, procs, bytes);
  if (r == 0)
    r = rsp_conn_read_mem(c, k->proc_high_water_addr, &high, 4);
  int used = 0;
  for (uint32_t slot = 0; slot < k->nproc && slot < high; slot++)
    used += word_at(procs + slot * k->proc_size, k->p_state) != 0;
  free(procs);
  return r < 0 ? -1 : used;
}

// Every slot in use is in "processes", and the named one with its bytes
// escaped. 0, or -1 with the reason printed.
static int check_procs(json_t *snap, int used, uint32_t seed)
{
  json_t *procs = json_object_get(snap, "processes"), *p;
  size_t i;
  if ((int)json_array_size(procs) != used) {
    fprintf(stderr, "garbage-snapshot: seed %u: %d slots in use, %zu processes shown\n", seed,
            used, json_array_size(procs));
    return -1;
  }
  json_array_foreach(procs, i, p) {
    const char *name = json_string_value(json_object_get(p, "name"));
    if (json_integer_value(json_object_get(p, "pid")) == NAMED_PID && name &&
        strcmp(name, bad_name_shown) == 0)
      return 0;
  }
  fprintf(stderr, "garbage-snapshot: seed %u: no process %d named %s\n", seed, NAMED_PID,
          bad_name_shown);
  return -1;
}

int main(int argc, char **argv)
{
  char err[256];
  if (argc != 3) {
    fprintf(stderr, "usage: garbage-snapshot KERNEL GDB_PORT\n");
    return 2;
  }
  struct kernel_model *km = kernel_model_open(argv[1], err, sizeof(err));
  struct rsp_conn *c = km ? rsp_conn_open("127.0.0.1", argv[2], 5000, err, sizeof(err)) : NULL;
  if (!c) {
    fprintf(stderr, "garbage-snapshot: %s\n", err);
    return 1;
  }
  const struct kernel_layout *k = kernel_model_layout(km);
  struct snapshotter *s = snapshotter_new(km);
  json_t *snap = snapshotter_take(s, c, err, sizeof(err));
  if (!snap) {
    fprintf(stderr, "garbage-snapshot: the first snapshot failed: %s\n", err);
    return 1;
  }
  json_t *spaces = json_incref(json_object_get(snap, "address_spaces"));
  json_decref(snap);
  int problems = 0, wrong = 0;
  for (uint32_t seed = 1; seed <= 20; seed++) {
    uint32_t state = seed * 2654435761u;
    const char *pid;
    json_t *space;
    rsp_conn_set_phys_mode(c, true);
    int used = fill_procs(c, &state, k);
    int w = used < 0 ? -1 : 0;
    json_object_foreach(spaces, pid, space)
      w |= fill(c, strtoul(json_string_value(json_object_get(space, "root")), NULL, 16), 2048,
                &state, k);
    rsp_conn_set_phys_mode(c, false);
    if (w < 0) {
      fprintf(stderr, "garbage-snapshot: writing garbage failed: %s\n", rsp_conn_error(c));
      return 1;
    }
    snap = snapshotter_take(s, c, err, sizeof(err));
    if (!snap) {
      fprintf(stderr, "garbage-snapshot: seed %u: no snapshot: %s\n", seed, err);
      return 1;
    }
    if (check_procs(snap, used, seed) < 0)
      wrong++;
    json_t *sp;
    json_object_foreach(json_object_get(snap, "address_spaces"), pid, sp)
      problems += (int)json_array_size(json_object_get(sp, "errors"));
    json_decref(snap);
  }
  printf("20 snapshots of garbage taken, %d page-table problems reported\n", problems);
  json_decref(spaces);
  snapshotter_free(s);
  rsp_conn_close(c);   // QEMU is killed by the test: the guest is garbage now
  kernel_model_close(km);
  return problems > 0 && wrong == 0 ? 0 : 1;
}
