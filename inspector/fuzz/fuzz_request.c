/* libFuzzer target for the HTTP request path (inspector/request.c and
 * access.c, the functions server.c calls on every request): the input is a
 * request head as a client sends it. The harness takes it apart the way
 * libwebsockets does (request line, "Name: value" headers) and asks
 * request_route() what to do; whatever it decides must keep the rules of
 * docs/security.md. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request.h"

#define LINE_MAX_BYTES 600

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* The value of header name in the head, copied to out, or NULL. */
static const char *header(const char *head, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = strchr(head, '\n'); line; line = strchr(line, '\n')) {
        line++;
        if (strncasecmp(line, name, n) != 0 || line[n] != ':')
            continue;
        const char *v = line + n + 1;
        while (*v == ' ')
            v++;
        size_t len = strcspn(v, "\r\n");
        if (len >= cap)
            return "";   /* too long for its buffer: matches nothing */
        memcpy(out, v, len);
        out[len] = '\0';
        return out;
    }
    return NULL;
}

/* What the harness can say about a Host without access.c: it names this
 * daemon only as an address (digits, dots, colons, or in brackets),
 * "localhost" or the one allowed name, each with an optional port. */
static bool plausible_host(const char *host)
{
    static const char *const names[] = {"localhost", "glassbox.test"};
    if (host[0] == '[' || strspn(host, "0123456789.:") == strlen(host))
        return true;
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (!strncasecmp(host, names[i], n) && (host[n] == '\0' || host[n] == ':'))
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    static const struct {
        const char *name;
        enum request_method m;
    } methods[] = {{"GET ", REQ_GET}, {"HEAD ", REQ_HEAD}, {"POST ", REQ_POST},
                   {"OPTIONS ", REQ_OPTIONS}};
    static struct access a;
    char *head = malloc(size + 1), url[LINE_MAX_BYTES], host[ACCESS_NAME_MAX + 16],
         origin[ACCESS_NAME_MAX + 32], value[32];
    struct request rq = {REQ_OTHER, url, NULL, NULL, false, false, false};
    struct request_verdict v;

    if (!head)
        return 0;
    if (a.nnames == 0)
        check(access_allow(&a, "glassbox.test") == 0 && access_allow(&a, "-bad") < 0);
    /* door.c's verdict on the raw bytes: a head handed on has its blank
     * line within the limit, one refused is over it. */
    size_t seen = size < REQUEST_HEAD_MAX ? size : REQUEST_HEAD_MAX, lines = 0;
    const char *blank = NULL;
    for (size_t i = 0; i < seen && !blank; i++)
        if (in[i] == '\n' && ((i >= 1 && in[i - 1] == '\n') ||
                              (i >= 2 && in[i - 1] == '\r' && in[i - 2] == '\n')))
            blank = (const char *)in + i;
        else if (in[i] == '\n')
            lines++;
    switch (request_head((const char *)in, size)) {
    case HEAD_DONE:
        check(blank && lines <= REQUEST_HEAD_LINES);
        break;
    case HEAD_TOO_LARGE:
        check(!blank || lines > REQUEST_HEAD_LINES);
        check(size >= REQUEST_HEAD_MAX || lines > REQUEST_HEAD_LINES);
        break;
    case HEAD_MORE:
        check(!blank && size < REQUEST_HEAD_MAX && lines <= REQUEST_HEAD_LINES);
        break;
    }
    /* The head's length ends at that blank line; an upgrade is asked for
     * within it (frames behind it are checked from there, wsguard.h). */
    size_t head_len = request_head_length((const char *)in, size);
    check(blank ? head_len == (size_t)(blank - (const char *)in) + 1 : head_len == 0);
    check(!request_upgrades((const char *)in, size) || blank);
    /* A head the door lets through holds no NUL before its blank line, so
     * libwebsockets and the daemon read the same head. */
    if (blank && !request_head_fault((const char *)in, size))
        check(!memchr(in, '\0', (size_t)(blank - (const char *)in)));
    memcpy(head, in, size);
    head[size] = '\0';   /* a NUL inside ends the head, as for a C string */
    const char *target = strchr(head, ' ');
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (!strncmp(head, methods[i].name, strlen(methods[i].name)))
            rq.method = methods[i].m;
    size_t len = target ? strcspn(target + 1, " ?\r\n") : 0;
    if (!target || target[1] != '/' || len >= sizeof url) {
        free(head);
        return 0;   /* libwebsockets answers these itself */
    }
    memcpy(url, target + 1, len);
    url[len] = '\0';
    rq.host = header(head, "host", host, sizeof host);
    rq.origin = header(head, "origin", origin, sizeof origin);
    const char *cl = header(head, "content-length", value, sizeof value);
    request_body(&rq, cl);
    rq.chunked = header(head, "transfer-encoding", value, sizeof value) != NULL;

    request_route(&a, &rq, &v);
    const char *why = request_refusal(&a, rq.host, rq.origin);
    bool get = rq.method == REQ_GET || rq.method == REQ_HEAD;
    if (rq.host && access_host_ok(&a, rq.host))
        check(plausible_host(rq.host));
    if (rq.origin && !why)
        check(!strncmp(rq.origin, "http://", 7) && !strcasecmp(rq.origin + 7, rq.host));
    switch (v.route) {
    case ROUTE_ANSWER:
        check(v.status == 204 || v.status == 403 || v.status == 405);
        check(!why || (v.status == 403 && v.text == why));
        check(!v.text || v.text[0]);
        break;
    case ROUTE_SOURCE:   /* reads the disk: only when allowed */
        check(!why && get && !strncmp(url, "/api/source/", 12));
        break;
    case ROUTE_REST:     /* runs a command: only when allowed, and a body in full */
        check(!strncmp(url, "/api/", 5) && strncmp(url, "/api/source/", 12));
        check(!why || v.refusal == why);
        if (!v.refusal)
            check(!rq.chunked && (get || rq.method == REQ_POST));
        if (v.wait_body)
            check(rq.method == REQ_POST && rq.has_body && !rq.chunked &&
                  !rq.body_too_large);
        break;
    case ROUTE_FILE:     /* a plain name under the root */
        check(!why && get && request_path_ok(url) && url[0] == '/' &&
              !strstr(url, "..") && !strstr(url, "//") && !strstr(url, "/."));
        for (const char *p = url; *p; p++)
            check(isalnum((unsigned char)*p) || strchr("/._-@+~", *p));
        check(request_mime_type(url) != NULL);
        break;
    default:
        abort();
    }
    free(head);
    return 0;
}
