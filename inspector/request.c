/* request.c -- what the daemon does with an HTTP request (request.h). */
#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *request_refusal(const struct access *a, const char *host,
                            const char *origin)
{
    if (!host || !access_host_ok(a, host))
        return "this daemon does not answer to that Host name (start it "
               "with --allow-host NAME to add one)";
    if (origin && !access_origin_ok(origin, host))
        return "cross-origin requests are refused";
    return NULL;
}

static void answer(struct request_verdict *v, unsigned status,
                   const char *allow, const char *text)
{
    v->route = ROUTE_ANSWER;
    v->status = status;
    v->allow = allow;
    v->text = text;
}

/* /api/...: the hub answers, after the body when there is one; a refused
 * request is answered in JSON too, with nothing run. */
static void rest(const struct request *rq, const char *why,
                 struct request_verdict *v)
{
    if (rq->method == REQ_OPTIONS && !why) {
        answer(v, 204, strcmp(rq->url, "/api/command") ? "GET, HEAD, OPTIONS"
                                                       : "POST, OPTIONS", NULL);
        return;
    }
    v->route = ROUTE_REST;
    v->status = 403;
    v->refusal = why;
    if (!why && rq->method == REQ_OTHER) {
        v->refusal = REQUEST_METHODS_ONLY;
        v->status = 405;
    } else if (!why && rq->chunked) {
        v->refusal = "send the body with a Content-Length (a chunked body is "
                     "not accepted)";
        v->status = 411;
    } else if (!why && rq->body_too_large) {
        v->refusal = "request body over 64 KiB";
        v->status = 413;
    }
    /* A refusal is sent after the body too: the client reads the answer
     * only after sending it all. A body over the limit is not waited for
     * (it could be endless). */
    v->wait_body = rq->method == REQ_POST && rq->has_body && !rq->chunked &&
                   !rq->body_too_large;
}

/* Whether the '\n' at buf[i] ends a blank line: "\n\n" or "\n\r\n". */
static bool blank_line_at(const char *buf, size_t i)
{
    return (i >= 1 && buf[i - 1] == '\n') ||
           (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n');
}

enum request_head request_head(const char *buf, size_t len)
{
    unsigned lines = 0;

    for (size_t i = 0; i < len && i < REQUEST_HEAD_MAX; i++) {
        if (buf[i] != '\n')
            continue;
        if (blank_line_at(buf, i))
            return HEAD_DONE;
        if (++lines > REQUEST_HEAD_LINES)
            return HEAD_TOO_LARGE;
    }
    return len >= REQUEST_HEAD_MAX ? HEAD_TOO_LARGE : HEAD_MORE;
}

size_t request_head_length(const char *buf, size_t len)
{
    for (size_t i = 0; i < len && i < REQUEST_HEAD_MAX; i++)
        if (buf[i] == '\n' && blank_line_at(buf, i))
            return i + 1;
    return 0;
}

bool request_method_served(const char *head, size_t len)
{
    static const char *const served[] = {"GET ", "HEAD ", "POST ", "OPTIONS "};

    for (size_t i = 0; i < sizeof served / sizeof *served; i++) {
        size_t n = strlen(served[i]);
        if (len >= n && !memcmp(head, served[i], n))
            return true;
    }
    return false;
}

/* Whether the line [line, end) is a header named name (any case). */
static bool header_named(const char *line, const char *end, const char *name)
{
    size_t n = strlen(name);

    return (size_t)(end - line) > n && line[n] == ':' && !strncasecmp(line, name, n);
}

static bool control_byte(unsigned char ch)
{
    return (ch < ' ' && ch != '\t') || ch == 0x7f;
}

/* "%00" to "%1F" and "%7F": a byte that no file name or query holds. */
static bool escaped_control(const char *line, const char *end)
{
    for (const char *p = line; p + 2 < end; p++) {
        if (p[0] != '%')
            continue;
        int hi = p[1], lo = p[2] | 0x20;
        bool hex_lo = (lo >= '0' && lo <= '9') || (lo >= 'a' && lo <= 'f');
        if (((hi == '0' || hi == '1') && hex_lo) || (hi == '7' && lo == 'f'))
            return true;
    }
    return false;
}

const char *request_head_fault(const char *head, size_t len)
{
    unsigned hosts = 0, lengths = 0;
    const char *end = head + len;
    bool request_line = true;

    for (const char *p = head; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        if (line_end == p && p != head)
            break; /* the blank line (as request_head() finds it): the body follows */
        for (const char *q = p; q < line_end; q++)
            if (control_byte((unsigned char)*q))
                return "a control byte in the request head";
        if (request_line && line_end > p && escaped_control(p, line_end))
            return "an escaped control byte in the request target";
        request_line = request_line && line_end == p;
        hosts += header_named(p, line_end, "host");
        lengths += header_named(p, line_end, "content-length");
        p = eol ? eol + 1 : end;
    }
    if (hosts > 1)
        return "two Host headers";
    if (lengths > 1)
        return "two Content-Length headers";
    return NULL;
}

bool request_upgrades(const char *head, size_t len)
{
    static const char want[] = "websocket";
    const char *end = head + request_head_length(head, len);

    for (const char *p = head; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        if (header_named(p, line_end, "upgrade"))
            for (const char *q = p + strlen("upgrade:"); q + strlen(want) <= line_end; q++)
                if (!strncasecmp(q, want, strlen(want)))
                    return true;
        p = eol ? eol + 1 : end;
    }
    return false;
}

void request_body(struct request *rq, const char *content_length)
{
    const char *s = content_length;
    char *end;

    rq->has_body = false;
    rq->body_too_large = false;
    if (!s)
        return;
    while (*s == ' ' || *s == '\t')
        s++;
    errno = 0;
    unsigned long long n = *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    if (*s < '0' || *s > '9' || errno == ERANGE || n > REQUEST_BODY_MAX)
        rq->body_too_large = true; /* "-1", "abc", 2^64 and up, or long */
    rq->has_body = rq->body_too_large || n > 0;
}

void request_route(const struct access *a, const struct request *rq,
                   struct request_verdict *v)
{
    const char *why = request_refusal(a, rq->host, rq->origin);
    bool get = rq->method == REQ_GET || rq->method == REQ_HEAD;

    memset(v, 0, sizeof *v);
    if (!strncmp(rq->url, "/api/source/", 12)) {
        if (why)
            answer(v, 403, NULL, why);
        else if (!get)
            answer(v, 405, "GET, HEAD", "source files: GET or HEAD\n");
        else
            v->route = ROUTE_SOURCE;
    } else if (!strncmp(rq->url, "/api/", 5)) {
        rest(rq, why, v);
    } else if (why) {
        answer(v, 403, NULL, why);
    } else if (rq->method == REQ_OPTIONS) {
        answer(v, 204, "GET, HEAD, OPTIONS", NULL);
    } else if (!get) {
        answer(v, 405, "GET, HEAD, OPTIONS", "static files: GET or HEAD\n");
    } else if (!request_path_ok(rq->url)) {
        answer(v, 403, NULL, "not a plain file name\n");
    } else {
        v->route = ROUTE_FILE;
    }
}

bool request_path_ok(const char *path)
{
    if (path[0] != '/' || strlen(path) > REQUEST_URL_MAX)
        return false;
    for (const char *p = path; *p; p++) {
        char ch = *p;
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || strchr("/._-@+~", ch);
        if (!plain)
            return false;
        if (ch == '/' && p[1] == '.')
            return false; /* "..", "/./", dot files */
        if (ch == '/' && p[1] == '/')
            return false;
    }
    return strstr(path, "..") == NULL;
}

const char *request_mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".md", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
    };
    const char *dot = strrchr(path, '.');

    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (!strcmp(dot, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}
