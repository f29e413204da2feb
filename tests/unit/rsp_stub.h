/* rsp_stub.h -- a scripted gdb stub for unit tests, on its own thread.
 *
 * It answers like QEMU 7.2 (and misbehaves on request: NAKs, corrupt
 * checksums, replies ahead of acks, silence, hang-ups), and with cpu set it
 * models a CPU whose stops a test scripts. */
#ifndef GLASSBOX_RSP_STUB_H
#define GLASSBOX_RSP_STUB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp.h"

#define MEM_BASE 0x80000000u
#define MEM_SIZE 8192
#define QEMU_SUPPORTED \
    "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+"

struct stub {
    int fd, listen_fd;
    pthread_t thread;
    /* how it behaves */
    const char *supported;
    const char *vcont;
    size_t xfer_chunk;
    bool nak_first;        /* answer the first packet with '-' */
    bool corrupt_first_m;  /* first 'm' reply with a bad checksum */
    bool reply_before_ack; /* send each reply, then its '+' */
    bool ignore_m;         /* never answer 'm' */
    bool close_on_m;       /* hang up on 'm' */
    bool short_reads;      /* answer 'm' with half of what was asked */
    char late;             /* answer the next packet that starts with it
                              only when the packet after it comes (a stub
                              stopped, then resumed) */
    char held[1024];       /* that late reply, until then */
    bool frozen;           /* read nothing until cleared (QEMU under
                              SIGSTOP); set with lock held */
    char freeze_at;        /* on the next packet that starts with it, freeze
                              before answering it: the answer goes out at
                              stub_thaw() (QEMU stopped between a request
                              and its reply) */
    /* Stop replies sent unasked as the client connects, as QEMU does when
     * a debugger attaches to a running guest. */
    const char *greeting;
    /* what it saw and holds */
    struct rsp_parser parser;
    bool no_ack, running;
    size_t max_m, max_M;
    int n_m, naks, acks_after_no_ack;
    int nlog;
    char log[64][64];
    uint8_t mem[MEM_SIZE];
    char cpu_xml[2048];
    char reply[RSP_MAX_PAYLOAD];
    char last[2 * RSP_MAX_PAYLOAD + 4];
    size_t last_len;
    /* A CPU, for run control tests (set cpu): 'g' reads regs (x0..x31,
     * pc), Z0/z0 keep bps, reads outside mem answer zeros as RAM would,
     * and resuming asks resume() what happens: it returns the stop reply
     * to send at once, or NULL to run until the 0x03 byte. It runs on the
     * stub's thread with lock held; so must anything that reads these. */
    bool cpu;
    uint32_t regs[33];
    uint32_t bps[64];
    int nbps;
    uint64_t word_addr; /* the last write of a 32-bit word, anywhere */
    uint32_t word;
    const char *(*resume)(struct stub *s, bool step);
    void *script;
    pthread_mutex_t lock;
};

struct stub *stub_new(void);
/* The thread's body: accept on listen_fd if set, then serve fd. */
void *stub_main(void *arg);
bool starts(const char *p, const char *prefix);
/* Whether a software breakpoint is set at addr (takes the lock). */
bool stub_has_bp(struct stub *s, uint32_t addr);
/* Clear frozen, and send the answer a freeze_at held back. */
void stub_thaw(struct stub *s);

#endif
