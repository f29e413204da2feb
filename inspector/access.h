/* access.h -- who may talk to the daemon: the Host and Origin checks
 * (docs/security.md). Pure: no sockets, so it is unit-tested and fuzzed.
 *
 * A request is answered only when its Host names this daemon: an IP
 * literal (a DNS rebinding attack needs a name it controls, never a
 * literal), "localhost", or a name the user allowed with --allow-host.
 * A browser's request with an Origin must come from a page this daemon
 * served: Origin is exactly "http://" followed by the Host. */
#ifndef GLASSBOX_ACCESS_H
#define GLASSBOX_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#define ACCESS_MAX_NAMES 16
#define ACCESS_NAME_MAX 253 /* a DNS name's longest text form */

struct access {
    const char *names[ACCESS_MAX_NAMES]; /* --allow-host, beside the defaults */
    size_t nnames;
};

/* Add a name for --allow-host. 0, or -1 when it is not a host name or
 * there are too many. */
int access_allow(struct access *a, const char *name);
/* host is the Host header's value ("name", "name:port", "[v6]:port"). */
bool access_host_ok(const struct access *a, const char *host);
/* origin is the Origin header's value, or NULL when there is none (not a
 * browser). host is the request's Host header, already accepted. */
bool access_origin_ok(const char *origin, const char *host);

#endif
