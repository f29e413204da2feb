/* main.c -- glassbox-inspector: the workbench daemon.
 *
 *   glassbox-inspector [--kernel PATH] [--disk PATH] [--web DIR]
 *                      [--port N] [--bind ADDR] [--gdb-port N]
 *                      [--attach HOST:PORT [--console HOST:PORT]]
 *                      [--qemu BINARY] [--allow-host NAME]... [--lab FILE]
 *                      [--history-bytes N] [--rewind-bytes N]
 *
 * Starts QEMU stopped at reset with its gdbstub on loopback and its serial
 * port on a socket, attaches, takes a first snapshot, lets the guest run,
 * and serves the web view, the WebSocket and REST (docs/protocol.md). When
 * everything is up it prints one line, "Glassbox workbench: URL" (and the
 * control token on the next line when it listens beyond loopback).
 *
 * The pieces, one job each:
 *   loop.c     file descriptors and timers in the one lws event loop
 *   server.c   HTTP, static files, WebSockets, per-client bounded queues
 *   access.c   which Host and Origin a request may come with (pure)
 *   request.c  what an HTTP request may do, from its line and headers (pure)
 *   hub.c      the protocol: roles, hello, console, commands, REST
 *   history.c  every stop's snapshot and the console, kept compactly (pure)
 *   control.c  WebSocket messages, command parsing and validation (pure)
 *   target.c   the guest under the daemon: its status, commands, console
 *   runctl.c   the run control: resuming, stops and what they mean
 *   asking.c   commands that wait for QEMU's reply without blocking the loop
 *   snaps.c    the latest snapshot: at a stop, or a live sample
 *   rewind.c   going back: the run control's side of travel.c
 *   qemu.c     the QEMU process and its scratch files
 *   qmp.c      QEMU's QMP socket: commands and their replies, in the loop
 *   travel.c   the saved states of the stops, and going back to one
 *   console.c  serial bytes to UTF-8 text, the screen's backlog (pure)
 *   outq.c     bounded outgoing message queues (pure)
 *   source.c   which kernel source files the page may read
 * and from the decoders: kernel_model.c (symbols, lines, names) and
 * snapshot.c (the snapshot JSON). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "access.h"
#include "history.h"
#include "hub.h"
#include "kernel_image.h"
#include "kernel_model.h"
#include "server.h"
#include "source.h"
#include "target.h"

static volatile sig_atomic_t stopping;

/* The loop stops at its next turn. Should a turn never end, the second
 * alarm ends the daemon anyway (QEMU dies with it: PR_SET_PDEATHSIG). */
#define STOP_GRACE_S 5

/* The kernel as the daemon started with it (kernel_image.h), removed at
 * exit. */
static struct kernel_image image;
static void remove_image(void)
{
    kernel_image_remove(&image);
}

static void on_signal(int sig)
{
    (void)sig;
    if (!stopping)
        alarm(STOP_GRACE_S);
    stopping = 1;
    server_wake();
}

/* The page store's default budget (docs/time-travel.md: about 70 MiB for
 * 1,000 stops of the real guest), and the least one. */
#define REWIND_BYTES (128 * 1024 * 1024)
#define REWIND_MIN_BYTES (1024 * 1024)

static int usage(void)
{
    fprintf(stderr,
            "usage: glassbox-inspector [--kernel PATH] [--disk PATH] [--web DIR]\n"
            "           [--port N] [--bind ADDR] [--gdb-port N] [--qemu BINARY]\n"
            "           [--attach HOST:PORT [--console HOST:PORT]]\n"
            "           [--allow-host NAME]... (a host name the page may be "
            "opened by)\n"
            "           [--lab FILE] (the lab checklist the page shows: "
            "make workbench LAB=name)\n"
            "           [--history-bytes N] (memory for the history of stops)\n"
            "           [--rewind-bytes N] (memory for the RAM of the stops "
            "that can be gone back to)\n"
            "defaults: --kernel build/kernel/kernel.elf --disk build/fs.img "
            "--web web\n"
            "          --port 8080 --bind 127.0.0.1, a free --gdb-port,\n"
            "          --history-bytes %d --rewind-bytes %d\n", HUB_HISTORY_BYTES,
            REWIND_BYTES);
    return 2;
}

/* A number of bytes, at least min and at most 1 TiB. 0, or -1 (said). */
static int bytes_arg(const char *name, const char *s, size_t min, size_t *out)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);

    if (*s < '0' || *s > '9' || *end || n < min || n > (1ull << 40)) {
        fprintf(stderr, "glassbox-inspector: %s: a number of bytes, at least "
                "%zu\n", name, min);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

static int port_arg(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

static bool loopback_only(const char *bind)
{
    return !strncmp(bind, "127.", 4) || !strcmp(bind, "::1") ||
           !strcmp(bind, "localhost");
}

static int make_token(char *out, size_t cap)
{
    unsigned char raw[16];

    if (cap < 2 * sizeof raw + 1 ||
        getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

int main(int argc, char **argv)
{
    struct life_config tc = {.qemu = "qemu-system-riscv32",
                               .kernel = "build/kernel/kernel.elf",
                               .disk = "build/fs.img",
                               .rewind_bytes = REWIND_BYTES};
    struct access hosts = {0};
    struct server_config sc = {.bind = "127.0.0.1", .port = 8080,
                               .web_dir = "web", .access = &hosts};
    char err[512], token[64];
    const char *lab_path = NULL;
    size_t history_bytes = HUB_HISTORY_BYTES;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage() == 2 ? 0 : 0;
        if (!v)
            return usage();
        if (!strcmp(a, "--kernel"))
            tc.kernel = v;
        else if (!strcmp(a, "--disk"))
            tc.disk = v;
        else if (!strcmp(a, "--web"))
            sc.web_dir = v;
        else if (!strcmp(a, "--bind"))
            sc.bind = v;
        else if (!strcmp(a, "--attach"))
            tc.attach = v;
        else if (!strcmp(a, "--console"))
            tc.console = v;
        else if (!strcmp(a, "--qemu"))
            tc.qemu = v;
        else if (!strcmp(a, "--lab"))
            lab_path = v;
        else if (!strcmp(a, "--allow-host")) {
            if (access_allow(&hosts, v) < 0) {
                fprintf(stderr, "glassbox-inspector: --allow-host %s: not a "
                        "host name (or more than %d)\n", v, ACCESS_MAX_NAMES);
                return 2;
            }
        }
        else if (!strcmp(a, "--port")) {
            if (port_arg(v, &sc.port) < 0)
                return usage();
        } else if (!strcmp(a, "--gdb-port")) {
            if (port_arg(v, &tc.gdb_port) < 0)
                return usage();
        } else if (!strcmp(a, "--history-bytes")) {
            if (bytes_arg(a, v, HISTORY_MIN_BUDGET, &history_bytes) < 0)
                return 2;
        } else if (!strcmp(a, "--rewind-bytes")) {
            if (bytes_arg(a, v, REWIND_MIN_BYTES, &tc.rewind_bytes) < 0)
                return 2;
        } else
            return usage();
        i++;
    }
    if (tc.console && !tc.attach) {
        fprintf(stderr, "glassbox-inspector: --console goes with --attach\n");
        return 2;
    }

    bool need_token = !loopback_only(sc.bind);
    if (need_token && make_token(token, sizeof token) < 0) {
        fprintf(stderr, "glassbox-inspector: no random token: %s\n",
                strerror(errno));
        return 1;
    }
    json_t *lab = lab_path ? hub_load_lab(lab_path, err, sizeof err) : NULL;
    if (lab_path && !lab) {
        fprintf(stderr, "glassbox-inspector: %s\n", err);
        return 2;
    }
    /* The model and every QEMU the daemon starts read the same kernel: its
     * copy (kernel_image.h). The sources are found from the original. */
    const char *kernel = tc.kernel;
    if (!tc.attach) {
        if (kernel_image_copy(&image, kernel, err, sizeof err) < 0) {
            fprintf(stderr, "glassbox-inspector: %s\n", err);
            return 1;
        }
        tc.kernel = image.path;
        tc.image = &image;
        atexit(remove_image);
    }
    struct kernel_model *km = kernel_model_open(tc.kernel, err, sizeof err);
    if (!km) {
        fprintf(stderr, "glassbox-inspector: %s\n", err);
        return 1;
    }
    if (source_open(kernel, err, sizeof err) < 0) /* the page can do without */
        fprintf(stderr, "glassbox-inspector: no source view: %s\n", err);

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (server_start(&sc, err, sizeof err) < 0) {
        fprintf(stderr, "glassbox-inspector: %s\n", err);
        kernel_model_close(km);
        return 1;
    }
    struct target_hooks hooks = hub_hooks();
    struct target *t = target_new(&tc, km, &hooks);
    if (!t) {
        fprintf(stderr, "glassbox-inspector: cannot set up the target\n");
        server_stop();
        kernel_model_close(km);
        return 1;
    }
    struct hub_config hc = {need_token ? token : NULL, km, kernel, lab,
                            history_bytes};
    if (hub_init(&hc, t) < 0) {
        fprintf(stderr, "glassbox-inspector: out of memory for the history\n");
        target_free(t);
        server_stop();
        kernel_model_close(km);
        return 1;
    }
    target_start(t);

    bool announced = false;
    int rc = 0;
    while (!stopping) {
        if (server_service() < 0)
            break;
        bool ok;
        const char *why;
        if (!announced && hub_started(&ok, &why)) {
            announced = true;
            if (!ok) {
                fprintf(stderr, "glassbox-inspector: QEMU did not start: %s\n",
                        why);
                rc = 1;
                break;
            }
            const char *host = strcmp(sc.bind, "0.0.0.0") && strcmp(sc.bind, "::")
                                   ? sc.bind : "127.0.0.1";
            printf("Glassbox workbench: http://%s%s%s:%d/\n",
                   strchr(host, ':') ? "[" : "", host,
                   strchr(host, ':') ? "]" : "", sc.port);
            if (need_token)
                printf("Control token: %s (open the page with ?token=%s, or "
                       "send 'Authorization: Bearer %s')\n",
                       token, token, token);
            fflush(stdout);
        }
    }
    target_free(t);
    hub_target_gone(); /* stopping the server closes the clients */
    server_stop();
    source_close();
    kernel_model_close(km);
    return rc;
}
