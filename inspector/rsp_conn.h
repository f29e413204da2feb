/* rsp_conn.h -- a GDB remote connection to QEMU's gdbstub.
 *
 * Request/response, waiting for the reply (with a timeout, or as the
 * waiter given says), for everything that happens while the target is
 * stopped (memory, registers, breakpoints). Resuming
 * does not wait: the stop reply comes whenever the target stops, and an
 * event loop can watch rsp_conn_fd() and call rsp_conn_poll_stop().
 *
 * Every function returning int returns 0 on success and -1 on failure, with
 * a message in rsp_conn_error(), unless it says otherwise. */
#ifndef GLASSBOX_RSP_CONN_H
#define GLASSBOX_RSP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp.h"
#include "tdesc.h"

struct rsp_conn;

struct rsp_stats {
    uint64_t round_trips; /* requests answered */
    uint64_t packets_out, packets_in;
    uint64_t bytes_out, bytes_in;
    uint64_t retransmits;
};

/* Connect over TCP (TCP_NODELAY) and run the handshake: qSupported,
 * QStartNoAckMode if offered, vCont?, the target description (registers
 * answer only after it has been read), Qqemu.PhyMemMode:0 so each
 * connection starts in virtual-address mode, and '?' for the stop state.
 * QEMU stops the guest when a debugger connects. Returns NULL on failure
 * with a message in err. */
struct rsp_conn *rsp_conn_open(const char *host, const char *port,
                               int timeout_ms, char *err, size_t errlen);
/* The same handshake over a socket the caller connected; takes ownership of
 * fd (closed on failure too). */
struct rsp_conn *rsp_conn_adopt(int fd, int timeout_ms, char *err,
                                size_t errlen);
void rsp_conn_close(struct rsp_conn *c);

/* How a reply is waited for. By default the calls poll() the socket until
 * their timeout; an event loop can wait its own way instead: the waiter is
 * called each time the socket must be readable before deadline (ms on
 * CLOCK_MONOTONIC) and returns 1 when it is, 0 when the deadline passed,
 * RSP_WAIT_POLL to have it polled as by default, or RSP_WAIT_GAVE_UP (the
 * connection then fails: nothing it was waiting for can be trusted). It is
 * not called for calls that only look at what has arrived. */
#define RSP_WAIT_POLL 2
#define RSP_WAIT_GAVE_UP (-2)
typedef int (*rsp_conn_waiter)(void *ctx, int fd, int64_t deadline);
void rsp_conn_set_waiter(struct rsp_conn *c, rsp_conn_waiter waiter, void *ctx);

const char *rsp_conn_error(const struct rsp_conn *c);
/* Whether the connection broke only because a reply was late (a stopped
 * or overloaded QEMU), not because it failed or closed. */
bool rsp_conn_timed_out(const struct rsp_conn *c);
/* After such a timeout, without waiting: send a probe once, then pass
 * over the late replies as they arrive. 1 when the probe's reply came and
 * the connection works again, 0 not yet, -1 when it is lost for good. */
int rsp_conn_recover(struct rsp_conn *c);
/* The same probe on a working connection to a stopped target: whether the
 * stub answers now, asked without waiting. The first call sends it; call
 * again when the fd is readable. 1 when its reply came, 0 not yet, -1 on
 * error. No other request may be made until it has come. */
int rsp_conn_ping(struct rsp_conn *c);
int rsp_conn_fd(const struct rsp_conn *c);
const struct tdesc *rsp_conn_tdesc(const struct rsp_conn *c);
const struct rsp_stats *rsp_conn_stats(const struct rsp_conn *c);
bool rsp_conn_running(const struct rsp_conn *c);

/* Send one packet and wait for its reply. *reply points into the connection
 * and stays valid until the next call on it. An error reply ("E14") is a
 * success here: the caller decides what it means. A stop reply that comes
 * unasked (QEMU sends one when it stops a running guest for a debugger that
 * attaches) is passed over, except as the answer to "?". */
int rsp_conn_request(struct rsp_conn *c, const char *req, const char **reply,
                     size_t *len);
/* A request whose only good answer is "OK". */
int rsp_conn_command(struct rsp_conn *c, const char *req);

/* Memory, in pieces of at most PacketSize / 2 bytes (2048 on QEMU 7.2).
 * Addresses are virtual, or physical after rsp_conn_set_phys_mode(c, true).
 * Nothing checks that they lie in RAM: in physical mode QEMU reads
 * unassigned addresses as 0xff or 0, so callers bound their reads. */
int rsp_conn_read_mem(struct rsp_conn *c, uint64_t addr, void *buf,
                      size_t len);
/* Several ranges at once: every 'm' request of all of them is pipelined. */
struct rsp_read {
    uint64_t addr;
    void *buf;
    size_t len;
};
int rsp_conn_read_many(struct rsp_conn *c, const struct rsp_read *reads, size_t n);
int rsp_conn_write_mem(struct rsp_conn *c, uint64_t addr, const void *buf,
                       size_t len);
int rsp_conn_set_phys_mode(struct rsp_conn *c, bool physical);

/* One register by target-description number, or by name ("pc", "satp"). */
int rsp_conn_read_reg(struct rsp_conn *c, unsigned regnum, uint64_t *value);
int rsp_conn_read_reg_named(struct rsp_conn *c, const char *name,
                            uint64_t *value);
/* Write one register of bytes bytes by number ('P'). */
int rsp_conn_write_reg(struct rsp_conn *c, unsigned regnum, uint64_t value,
                       unsigned bytes);
/* Up to 32 registers by name, their 'p' requests pipelined. */
int rsp_conn_read_regs_named(struct rsp_conn *c, const char *const *names,
                             uint64_t *values, size_t n);
/* The 'g' packet: the general registers as raw target-order bytes, in
 * register-number order (on riscv32: x0..x31 then pc, 4 bytes each). */
int rsp_conn_read_gregs(struct rsp_conn *c, void *buf, size_t cap,
                        size_t *len);

enum rsp_break {
    RSP_BREAK_SW = 0,     /* Z0: software breakpoint */
    RSP_BREAK_HW = 1,     /* Z1 */
    RSP_WATCH_WRITE = 2,  /* Z2 */
    RSP_WATCH_READ = 3,   /* Z3 */
    RSP_WATCH_ACCESS = 4, /* Z4 */
};
/* kind: instruction length for breakpoints (4 on rv32im), byte count for
 * watchpoints. */
int rsp_conn_insert(struct rsp_conn *c, enum rsp_break type, uint64_t addr,
                    unsigned kind);
int rsp_conn_remove(struct rsp_conn *c, enum rsp_break type, uint64_t addr,
                    unsigned kind);

/* QEMU's single-step flags (qqemu.sstepbits). Its default, ENABLE|NOIRQ|
 * NOTIMER, steps with interrupts and timers masked. */
#define RSP_SSTEP_ENABLE 1u
#define RSP_SSTEP_NOIRQ 2u
#define RSP_SSTEP_NOTIMER 4u
int rsp_conn_set_sstep(struct rsp_conn *c, unsigned flags);

/* Resume, with vCont when the remote offers the action, else c or s. Does
 * not wait for the stop: use rsp_conn_wait_stop() or, from an event loop,
 * rsp_conn_poll_stop() when the fd is readable -- and once right after
 * resuming, as the stop reply may already be buffered. */
int rsp_conn_continue(struct rsp_conn *c);
int rsp_conn_step(struct rsp_conn *c);
/* Ask a running target to stop (the 0x03 byte); the stop reply follows. */
int rsp_conn_interrupt(struct rsp_conn *c);
/* Wait up to timeout_ms (0: only look at what has arrived) for the stop
 * reply. Returns 1 when stopped, 0 when still running, -1 on error. */
int rsp_conn_wait_stop(struct rsp_conn *c, int timeout_ms,
                       struct rsp_stop *stop);
int rsp_conn_poll_stop(struct rsp_conn *c, struct rsp_stop *stop);
/* '?': why the target is stopped now. */
int rsp_conn_halt_reason(struct rsp_conn *c, struct rsp_stop *stop);
/* Let go of the target; QEMU resumes the guest. */
int rsp_conn_detach(struct rsp_conn *c);

#endif
