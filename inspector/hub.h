/* hub.h -- what the messages mean (docs/protocol.md): roles, hello, the
 * console both ways, commands and their replies, REST.
 *
 * server.c calls in with complete messages and requests; target.c calls in
 * (through its hooks) with stops, snapshots and console text. */
#ifndef GLASSBOX_HUB_H
#define GLASSBOX_HUB_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel_model.h"
#include "server.h"
#include "target.h"

/* The history of stops' default memory budget (--history-bytes). */
#define HUB_HISTORY_BYTES (64 * 1024 * 1024)

struct hub_config {
    const char *token; /* control token, or NULL when anyone local may control */
    struct kernel_model *km;
    const char *kernel_path;
    json_t *lab; /* the --lab checklist for hello (hub_load_lab), or NULL */
    size_t history_bytes; /* budget of the history of stops (history.h) */
};

/* --lab FILE: the lab checklist hello carries (labs/checklist.py writes it);
 * NULL with err set if it is not one. */
json_t *hub_load_lab(const char *path, char *err, size_t errlen);

/* Wire the hub to the target it drives; returns the hooks for target_new. */
struct target_hooks hub_hooks(void);
/* 0, or -1 when the history cannot be set up. */
int hub_init(const struct hub_config *cfg, struct target *t);

/* From server.c. */
void hub_ws_message(struct client *c, const char *data, size_t len);
void hub_ws_oversized(struct client *c, size_t len);
void hub_ws_over_rate(struct client *c);
/* Before the target is freed (at exit): hub_client_gone leaves it alone. */
void hub_target_gone(void);
void hub_client_gone(struct client *c);
/* A REST request under /api/. method "GET" or "POST"; body only for POST;
 * auth is the Authorization header or NULL. */
void hub_rest(struct client *c, const char *method, const char *path,
              const char *body, size_t len, const char *auth);

/* main.c waits for QEMU's first start before printing the URL. */
bool hub_started(bool *ok, const char **why);

#endif
