/* server.c -- HTTP, static files and WebSockets with libwebsockets. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "access.h"
#include "door.h"
#include "hub.h"
#include "loop.h"
#include "meter.h"
#include "outq.h"
#include "request.h"
#include "source.h"
#include "wsguard.h"

#define WS_FRAGMENT (32u * 1024) /* bytes written per writable callback */
#define HTTP_CHUNK (32u * 1024)
/* The kernel's send buffer per WebSocket (Linux doubles it). Left to
 * autotuning it grows to megabytes per client, and a reader that stalls
 * would be noticed only after that much. */
#define WS_SNDBUF (256 * 1024)

/* A viewer's burst of messages, each answered with up to two (a snapshot
 * command: the snapshot and the reply), and the statuses meanwhile, fit its
 * queue: a viewer that reads is metered, never dropped as one that does not. */
_Static_assert(2 * VIEWER_BURST + 32 <= VIEWER_QUEUE_MSGS, "a viewer's burst overflows its queue");

struct client {
    struct lws *wsi;
    bool rest;
    bool dropping; /* over its queue: being closed */
    enum role role;
    struct outq q;
    struct client *prev, *next; /* WebSocket clients */
    /* incoming message (WebSocket) or body (REST) */
    char *in;
    size_t in_len;
    size_t in_total;
    bool in_oversized;
    struct meter meter;      /* its messages (VIEWER_RATE) */
    bool over_rate;          /* told so; dropping until it slows down */
    char peer[METER_ADDR_MAX];
    /* REST: one request per connection */
    char method[8];
    char path[128];
    char auth[256];
    bool head;               /* HEAD: the headers of a GET, no body */
    const char *refusal;     /* answered with this, and nothing runs */
    unsigned refusal_status;
    int retry_after;         /* a 429's Retry-After, seconds */
    bool handled;            /* hub_rest ran (or the refusal was sent) */
    struct loop_timer body_late; /* SERVER_BODY_MS after the headers */
    char *resp;
    size_t resp_len, resp_sent;
    int resp_status;
    bool resp_ready, headers_sent;
};

struct pss {
    struct client *c;
};

static struct {
    struct lws_context *ctx;
    struct lws_vhost *vh;
    struct lws_protocols protocols[4];
    char web_dir[4096];
    const struct access *access;
    struct client *clients; /* WebSocket clients */
    unsigned nclients;
    unsigned long dropped;
    struct meter_peers rest_meter; /* REST requests, by peer address */
    unsigned char buf[LWS_PRE + WS_FRAGMENT];
} srv;

/* ---- clients ------------------------------------------------------------------- */

static struct client *client_new(struct lws *wsi, bool rest)
{
    struct client *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->wsi = wsi;
    c->rest = rest;
    c->role = ROLE_NONE;
    if (!lws_get_peer_simple(wsi, c->peer, sizeof c->peer))
        c->peer[0] = '\0';
    meter_init(&c->meter, VIEWER_BURST, loop_now_ms());
    if (!rest && outq_init(&c->q, VIEWER_QUEUE_MSGS, VIEWER_QUEUE_BYTES) < 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void client_free(struct client *c)
{
    loop_timer_cancel(&c->body_late);
    outq_free(&c->q);
    free(c->in);
    free(c->resp);
    free(c);
}

bool client_is_rest(const struct client *c)
{
    return c->rest;
}

enum role client_role(const struct client *c)
{
    return c->role;
}

void client_set_role(struct client *c, enum role r)
{
    c->role = r;
    if (c->rest)
        return;
    if (r == ROLE_CONTROLLER)
        outq_set_limits(&c->q, CONTROLLER_QUEUE_MSGS, CONTROLLER_QUEUE_BYTES);
    else
        outq_set_limits(&c->q, VIEWER_QUEUE_MSGS, VIEWER_QUEUE_BYTES);
}

void server_each_client(void (*fn)(struct client *c, void *arg), void *arg)
{
    for (struct client *c = srv.clients, *next; c; c = next) {
        next = c->next;
        fn(c, arg);
    }
}

unsigned server_clients(void)
{
    return srv.nclients;
}

unsigned long server_dropped(void)
{
    return srv.dropped;
}

/* One more message from c within its rate? The controller is not metered. */
static bool within_rate(struct client *c)
{
    if (c->role == ROLE_CONTROLLER)
        return true;
    if (!meter_take(&c->meter, VIEWER_RATE, VIEWER_BURST, loop_now_ms()))
        return false;
    /* The run of dropped messages ends when the client has slowed down,
     * not at each message the refill lets through during a flood (each
     * would end a run and start another, with an error each). */
    if (c->meter.tokens >= 1)
        c->over_rate = false;
    return true;
}

/* ---- sending --------------------------------------------------------------------- */

/* A client that does not keep up loses its connection, not our memory. */
static void drop(struct client *c)
{
    static const char reason[] = "too slow: outgoing queue full";

    if (c->dropping)
        return;
    c->dropping = true;
    srv.dropped++;
    outq_free(&c->q);
    lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
                     (unsigned char *)reason, sizeof reason - 1);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void enqueue(struct client *c, struct out_msg *m)
{
    if (c->rest || c->dropping)
        return;
    if (outq_push(&c->q, m) < 0) {
        lwsl_warn("dropping a %s that does not read (%zu messages, %zu "
                  "bytes queued)\n",
                  c->role == ROLE_CONTROLLER ? "controller" : "viewer",
                  c->q.count, c->q.bytes);
        drop(c);
        return;
    }
    lws_callback_on_writable(c->wsi);
}

struct out_msg *server_serialize(json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    struct out_msg *m;

    if (!text)
        return NULL;
    m = out_msg_new(text, strlen(text));
    free(text);
    return m;
}

void server_send_shared(struct client *c, struct out_msg *m)
{
    if (c && m)
        enqueue(c, m);
}

void server_send(struct client *c, json_t *msg)
{
    struct out_msg *m;

    if (!c || c->rest || c->dropping || !(m = server_serialize(msg)))
        return;
    enqueue(c, m);
    out_msg_unref(m);
}

/* m to every client with a role, or with role `only` (ROLE_NONE: any). */
static void broadcast(struct out_msg *m, enum role only)
{
    for (struct client *c = srv.clients; m && c; c = c->next)
        if (c->role != ROLE_NONE && !c->dropping && (only == ROLE_NONE || c->role == only))
            enqueue(c, m);
}

void server_broadcast_shared(struct out_msg *m)
{
    broadcast(m, ROLE_NONE);
}

void server_broadcast_viewers(struct out_msg *m)
{
    broadcast(m, ROLE_VIEWER);
}

/* Serialized once, and only if some client is there to get it. */
void server_broadcast(json_t *msg)
{
    struct out_msg *m = NULL;

    for (struct client *c = srv.clients; c && !m; c = c->next)
        if (c->role != ROLE_NONE && !c->dropping)
            m = server_serialize(msg);
    broadcast(m, ROLE_NONE);
    out_msg_unref(m);
}

bool server_sending(void)
{
    for (struct client *c = srv.clients; c; c = c->next)
        if (!c->rest && !c->dropping &&
            (!outq_empty(&c->q) || lws_partial_buffered(c->wsi)))
            return true;
    return false;
}

static int ws_writable(struct client *c)
{
    struct out_msg *m = outq_head(&c->q);

    if (!m || c->dropping)
        return 0;
    size_t off = c->q.sent;
    size_t n = m->len - off < WS_FRAGMENT ? m->len - off : WS_FRAGMENT;
    memcpy(srv.buf + LWS_PRE, m->data + off, n);
    int flags = lws_write_ws_flags(LWS_WRITE_TEXT, off == 0,
                                   off + n == m->len);
    if (lws_write(c->wsi, srv.buf + LWS_PRE, n, (enum lws_write_protocol)flags) <
        (int)n)
        return -1;
    c->q.sent += n;
    if (c->q.sent == m->len)
        outq_pop(&c->q);
    if (!outq_empty(&c->q))
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* ---- REST responses ----------------------------------------------------------------- */

void server_respond(struct client *c, int status, json_t *body)
{
    if (!c || !c->rest || c->resp_ready)
        return;
    c->resp = json_dumps(body, JSON_COMPACT);
    if (!c->resp) {
        c->resp = strdup("{\"type\":\"error\",\"error\":\"out of memory\"}");
        status = 500;
    }
    c->resp_len = c->resp ? strlen(c->resp) : 0;
    c->resp_status = status;
    c->resp_ready = true;
    lws_callback_on_writable(c->wsi);
}

/* Every response ends its connection: one request per connection, so a
 * pipelined request behind it is never read (docs/protocol.md). */
static const char conn_close[] = "close";

static int add_conn_close(struct lws *wsi, unsigned char **p,
                          unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                       (const unsigned char *)conn_close,
                                       sizeof conn_close - 1, p, end);
}

static int add_retry_after(struct client *c, unsigned char **p,
                           unsigned char *end)
{
    char secs[16];
    int n = snprintf(secs, sizeof secs, "%d", c->retry_after);

    return c->retry_after > 0 &&
           lws_add_http_header_by_name(c->wsi, (const unsigned char *)"retry-after:",
                                       (const unsigned char *)secs, n, p, end);
}

/* 0 to go on, -1 to close, 1 when the response is complete. */
static int http_writable(struct client *c)
{
    if (!c->resp_ready)
        return 0;
    if (!c->headers_sent) {
        unsigned char *start = srv.buf + LWS_PRE, *p = start;
        unsigned char *end = srv.buf + sizeof srv.buf - 1;
        static const char nostore[] = "no-store";
        if (lws_add_http_common_headers(c->wsi, (unsigned)c->resp_status,
                                        "application/json",
                                        (lws_filepos_t)c->resp_len, &p, end) ||
            lws_add_http_header_by_name(c->wsi,
                                        (const unsigned char *)"cache-control:",
                                        (const unsigned char *)nostore,
                                        sizeof nostore - 1, &p, end) ||
            add_conn_close(c->wsi, &p, end) ||
            add_retry_after(c, &p, end) ||
            lws_finalize_write_http_header(c->wsi, start, &p, end))
            return -1;
        c->headers_sent = true;
        if (c->head || c->resp_len == 0)
            return 1;
        lws_callback_on_writable(c->wsi);
        return 0;
    }
    size_t n = c->resp_len - c->resp_sent;
    if (n > HTTP_CHUNK)
        n = HTTP_CHUNK;
    bool last = c->resp_sent + n == c->resp_len;
    memcpy(srv.buf + LWS_PRE, c->resp + c->resp_sent, n);
    if (lws_write(c->wsi, srv.buf + LWS_PRE, n,
                  last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
        return -1;
    c->resp_sent += n;
    if (last)
        return 1;
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* ---- static files ---------------------------------------------------------------------- */

/* Our own security headers: libwebsockets' stock ones forbid the inline
 * styles xterm.js needs. */
static int add_security_headers(struct lws *wsi, unsigned char **p,
                                unsigned char *end)
{
    char host[256] = "", csp[768];

    if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0)
        host[0] = '\0';
    for (char *h = host; *h; h++)
        if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
              (*h >= '0' && *h <= '9') || strchr(".:-[]", *h))) {
            host[0] = '\0';
            break;
        }
    snprintf(csp, sizeof csp,
             "default-src 'self'; script-src 'self'; "
             "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "font-src 'self' data:; connect-src 'self'%s%s; "
             "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
             host[0] ? " ws://" : "", host);
    static const char nosniff[] = "nosniff", nocache[] = "no-cache",
                      noref[] = "no-referrer";
    return lws_add_http_header_by_name(wsi,
               (const unsigned char *)"content-security-policy:",
               (const unsigned char *)csp, (int)strlen(csp), p, end) ||
           lws_add_http_header_by_name(wsi,
               (const unsigned char *)"x-content-type-options:",
               (const unsigned char *)nosniff, sizeof nosniff - 1, p, end) ||
           lws_add_http_header_by_name(wsi,
               (const unsigned char *)"cache-control:",
               (const unsigned char *)nocache, sizeof nocache - 1, p, end) ||
           lws_add_http_header_by_name(wsi,
               (const unsigned char *)"referrer-policy:",
               (const unsigned char *)noref, sizeof noref - 1, p, end);
}

/* A short plain-text answer, then close. allow: the methods for a 405 or
 * an OPTIONS answer, or NULL. */
static int http_plain(struct lws *wsi, unsigned code, const char *allow,
                      const char *text)
{
    unsigned char *start = srv.buf + LWS_PRE, *p = start;
    unsigned char *end = srv.buf + sizeof srv.buf - 1;
    size_t len = text ? strlen(text) : 0;

    if (lws_add_http_common_headers(wsi, code, "text/plain; charset=utf-8",
                                    (lws_filepos_t)len, &p, end) ||
        (allow && lws_add_http_header_by_name(wsi,
                      (const unsigned char *)"allow:",
                      (const unsigned char *)allow, (int)strlen(allow), &p,
                      end)) ||
        add_conn_close(wsi, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    bool head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
    if (len && !head) {
        memcpy(srv.buf + LWS_PRE, text, len);
        lws_write(wsi, srv.buf + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
    }
    return -1; /* one request per connection */
}

/* The file under the web root that url names, resolved: NULL when there
 * is none, or when it (through a symbolic link) lies outside the root. */
static const char *web_file(const char *url, char *out)
{
    char path[4096 + REQUEST_URL_MAX + 16];
    struct stat st;

    snprintf(path, sizeof path, "%s%s%s", srv.web_dir, url,
             url[strlen(url) - 1] == '/' ? "index.html" : "");
    if (!realpath(path, out))
        return NULL;
    size_t root = strlen(srv.web_dir);
    if (strncmp(out, srv.web_dir, root) != 0 || out[root] != '/')
        return NULL;
    if (stat(out, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    return out;
}

/* A file as the answer, then close (one request per connection). */
static int serve_path(struct lws *wsi, const char *path, const char *mime)
{
    unsigned char headers[1024], *p = headers;

    if (add_security_headers(wsi, &p, headers + sizeof headers) ||
        add_conn_close(wsi, &p, headers + sizeof headers))
        return -1;
    int n = lws_serve_http_file(wsi, path, mime, (const char *)headers,
                                (int)(p - headers));
    return n < 0 || n > 0 ? -1 : 0;
}

/* url is a plain name (request_path_ok). */
static int serve_file(struct lws *wsi, const char *url)
{
    char real[PATH_MAX];
    const char *path = web_file(url, real);

    if (!path)
        return http_plain(wsi, HTTP_STATUS_NOT_FOUND, NULL, "no such file\n");
    return serve_path(wsi, path, request_mime_type(path));
}

/* GET /api/source/NAME: a source file of the kernel build (source.h). */
static int serve_source(struct lws *wsi, const char *name)
{
    char path[4096];
    const char *why;

    if (source_resolve(name, path, sizeof path, &why) < 0) {
        lwsl_info("source %s refused: %s\n", name, why);
        return http_plain(wsi, HTTP_STATUS_NOT_FOUND, NULL,
                          "not a source file of the kernel build\n");
    }
    return serve_path(wsi, path, "text/plain; charset=utf-8");
}

/* ---- who may ask (request.c, access.c) ----------------------------------------------- */

/* The request's parts that decide what it may do (request.h). A header
 * too long for its buffer reads as one that matches nothing. */
struct request_parts {
    char host[ACCESS_NAME_MAX + 16], origin[ACCESS_NAME_MAX + 32];
    struct request rq;
};

static const struct request *request_of(struct lws *wsi, const char *url,
                                        struct request_parts *rp)
{
    static const struct {
        enum lws_token_indexes token;
        enum request_method m;
    } methods[] = {{WSI_TOKEN_GET_URI, REQ_GET}, {WSI_TOKEN_HEAD_URI, REQ_HEAD},
                   {WSI_TOKEN_POST_URI, REQ_POST}, {WSI_TOKEN_OPTIONS_URI, REQ_OPTIONS}};
    char cl[32];

    memset(&rp->rq, 0, sizeof rp->rq);
    rp->rq.method = REQ_OTHER;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (lws_hdr_total_length(wsi, methods[i].token) > 0) {
            rp->rq.method = methods[i].m;
            break;
        }
    rp->rq.url = url;
    rp->rq.host = lws_hdr_copy(wsi, rp->host, sizeof rp->host, WSI_TOKEN_HOST) > 0
                      ? rp->host : NULL;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0) {
        if (lws_hdr_copy(wsi, rp->origin, sizeof rp->origin, WSI_TOKEN_ORIGIN) <= 0)
            rp->origin[0] = '\0';
        rp->rq.origin = rp->origin;
    }
    int cl_len = lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    request_body(&rp->rq, cl_len > 0 ? cl : cl_len < 0 ? "too long" : NULL);
    rp->rq.chunked = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    return &rp->rq;
}

static void rest_done(struct pss *pss)
{
    if (!pss->c)
        return;
    hub_client_gone(pss->c);
    client_free(pss->c);
    pss->c = NULL;
}

void server_respond_error(struct client *c, int status, const char *msg)
{
    json_t *e = json_pack("{s:s, s:s}", "type", "error", "error", msg);

    server_respond(c, status, e);
    json_decref(e);
}

/* The request is complete (body included): answer it, once. */
static void rest_run(struct client *c)
{
    if (c->handled)
        return;
    c->handled = true;
    loop_timer_cancel(&c->body_late);
    if (c->refusal)
        server_respond_error(c, (int)c->refusal_status, c->refusal);
    else
        hub_rest(c, c->method, c->path, c->in ? c->in : "", c->in_len,
                 c->auth[0] ? c->auth : NULL);
}

/* A body still not in SERVER_BODY_MS after the headers: cut (a byte a
 * second would hold the connection and its buffer for hours). */
static void body_too_slow(void *ctx)
{
    struct client *c = ctx;

    if (!c->handled)
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static int start_rest(struct lws *wsi, struct pss *pss, const struct request *rq,
                      const struct request_verdict *v)
{
    struct client *c = client_new(wsi, true);
    if (!c)
        return -1;
    rest_done(pss);
    pss->c = c;
    snprintf(c->method, sizeof c->method, "%s", rq->method == REQ_POST ? "POST" : "GET");
    snprintf(c->path, sizeof c->path, "%s", rq->url);
    c->head = rq->method == REQ_HEAD;
    if (lws_hdr_copy(wsi, c->auth, sizeof c->auth, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0)
        c->auth[0] = '\0';
    c->refusal = v->refusal;
    c->refusal_status = v->status;
    if (!c->refusal && strcmp(rq->url, "/api/status") != 0 &&
        !meter_peer_take(&srv.rest_meter, c->peer, VIEWER_RATE, VIEWER_BURST,
                         loop_now_ms(), &c->retry_after)) {
        c->refusal = "too many requests from this address: slow down";
        c->refusal_status = 429;
    }
    if (!v->wait_body)
        rest_run(c);
    else
        loop_timer_set(&c->body_late, SERVER_BODY_MS, body_too_slow, c);
    return 0;
}

static int append_in(struct client *c, const void *in, size_t len)
{
    c->in_total += len;
    if (c->in_oversized)
        return 0;
    if (c->in_len + len > SERVER_MAX_MESSAGE) {
        c->in_oversized = true;
        c->in_len = 0;
        return 0;
    }
    if (!c->in && !(c->in = malloc(SERVER_MAX_MESSAGE + 1)))
        return -1;
    memcpy(c->in + c->in_len, in, len);
    c->in_len += len;
    c->in[c->in_len] = '\0';
    return 0;
}

static int callback_http(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len)
{
    struct pss *pss = user;

    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        struct request_parts rp;
        struct request_verdict v;
        if (!in)
            return -1;
        const struct request *rq = request_of(wsi, in, &rp);
        request_route(srv.access, rq, &v);
        switch (v.route) {
        case ROUTE_SOURCE:
            return serve_source(wsi, rq->url + 12);
        case ROUTE_REST:
            return start_rest(wsi, pss, rq, &v);
        case ROUTE_FILE:
            return serve_file(wsi, rq->url);
        default:
            return http_plain(wsi, v.status, v.allow, v.text);
        }
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (!pss->c)
            return -1;
        if (pss->c->refusal)
            return 0; /* read and dropped */
        return append_in(pss->c, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!pss->c)
            return -1;
        rest_run(pss->c);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!pss || !pss->c)
            return 0;
        int r = http_writable(pss->c);
        if (r < 0)
            return -1;
        if (r == 1) {
            rest_done(pss);
            return -1; /* one request per connection */
        }
        return 0;
    }
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        return -1; /* one request per connection */
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return 1; /* a WebSocket that did not ask for "glassbox" */
    case LWS_CALLBACK_CLOSED_HTTP:
        if (pss)
            rest_done(pss);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* ---- the WebSocket protocol ---------------------------------------------------------------- */

static int callback_ws(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len)
{
    struct pss *pss = user;
    struct client *c = pss ? pss->c : NULL;

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        char uri[64];
        struct request_parts rp;
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
            strcmp(uri, "/ws") != 0)
            return 1;
        const struct request *rq = request_of(wsi, uri, &rp);
        if (request_refusal(srv.access, rq->host, rq->origin) ||
            srv.nclients >= SERVER_MAX_CLIENTS)
            return 1;
        return 0;
    }
    case LWS_CALLBACK_ESTABLISHED: {
        int sndbuf = WS_SNDBUF, nodelay = 1;
        setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF, &sndbuf,
                   sizeof sndbuf);
        /* A stop's status, snapshot and reply go out back to back: with
         * Nagle's algorithm the snapshot's last segment waited for the
         * client's delayed ACK of the status, 40 ms at every stop. */
        setsockopt(lws_get_socket_fd(wsi), IPPROTO_TCP, TCP_NODELAY, &nodelay,
                   sizeof nodelay);
        c = client_new(wsi, false);
        if (!c)
            return -1;
        wsguard_watch(lws_get_socket_fd(wsi)); /* its bytes are frames now */
        pss->c = c;
        c->next = srv.clients;
        if (srv.clients)
            srv.clients->prev = c;
        srv.clients = c;
        srv.nclients++;
        return 0;
    }
    case LWS_CALLBACK_RECEIVE:
        if (!c || c->dropping)
            return 0;
        if (lws_is_first_fragment(wsi)) {
            c->in_len = 0;
            c->in_total = 0;
            c->in_oversized = false;
        }
        if (append_in(c, in, len) < 0)
            return -1;
        if (c->in_total > SERVER_CUT_MESSAGE) {
            static const char why[] = "message too large";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                             (unsigned char *)why, sizeof why - 1);
            return -1;
        }
        if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
            if (c->in_oversized)
                hub_ws_oversized(c, c->in_total);
            else if (!within_rate(c)) {
                if (!c->over_rate)
                    hub_ws_over_rate(c);
                c->over_rate = true;
            } else
                hub_ws_message(c, c->in ? c->in : "", c->in_len);
            c->in_len = 0;
            c->in_total = 0;
            c->in_oversized = false;
        }
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return c ? ws_writable(c) : 0;
    case LWS_CALLBACK_CLOSED:
        if (!c)
            return 0;
        wsguard_forget(lws_get_socket_fd(wsi));
        hub_client_gone(c);
        if (c->prev)
            c->prev->next = c->next;
        else
            srv.clients = c->next;
        if (c->next)
            c->next->prev = c->prev;
        srv.nclients--;
        client_free(c);
        pss->c = NULL;
        return 0;
    default:
        return 0;
    }
}

/* ---- the context ---------------------------------------------------------------------------- */

/* The web root, resolved. A root that holds no index.html (the whole
 * file system, a home directory: a careless --web) is refused. */
static int web_root(const char *dir, char *err, size_t errlen)
{
    char index[sizeof srv.web_dir + 16];
    struct stat st;

    if (!realpath(dir, srv.web_dir)) {
        snprintf(err, errlen, "web directory %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(index, sizeof index, "%s/index.html", srv.web_dir);
    if (!strcmp(srv.web_dir, "/") || stat(index, &st) < 0 ||
        !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "--web %s: not the workbench's directory (it "
                 "has no index.html); refusing to serve it", dir);
        return -1;
    }
    return 0;
}

/* The numeric address to listen on: lws takes an address or an interface
 * name, and listens on nothing, silently, when given a host name. */
static int bind_address(const char *bind, char *out, size_t cap, char *err,
                        size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_ADDRCONFIG};
    struct addrinfo *res;
    int gai = getaddrinfo(bind, NULL, &hints, &res);

    if (gai != 0) {
        snprintf(err, errlen, "--bind %s: %s", bind, gai_strerror(gai));
        return -1;
    }
    /* IPv4 first: "localhost" is 127.0.0.1 before ::1. */
    const struct addrinfo *pick = res;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET) {
            pick = ai;
            break;
        }
    const void *a = pick->ai_family == AF_INET
                        ? (const void *)&((struct sockaddr_in *)pick->ai_addr)->sin_addr
                        : (const void *)&((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
    bool ok = inet_ntop(pick->ai_family, a, out, (socklen_t)cap) != NULL;
    freeaddrinfo(res);
    if (!ok) {
        snprintf(err, errlen, "--bind %s: %s", bind, strerror(errno));
        return -1;
    }
    return 0;
}

int server_start(const struct server_config *cfg, char *err, size_t errlen)
{
    struct lws_context_creation_info info;

    if (web_root(cfg->web_dir, err, errlen) < 0)
        return -1;
    srv.access = cfg->access;
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    srv.protocols[0] = (struct lws_protocols){"http", callback_http,
                                              sizeof(struct pss), 0, 0, NULL, 0};
    srv.protocols[1] = (struct lws_protocols){"glassbox", callback_ws,
                                              sizeof(struct pss), 0, 0, NULL, 0};
    srv.protocols[2] = loop_raw_protocol;
    memset(&srv.protocols[3], 0, sizeof srv.protocols[3]);
    char addr[INET6_ADDRSTRLEN];
    if (bind_address(cfg->bind, addr, sizeof addr, err, errlen) < 0)
        return -1;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER; /* door.c listens */
    info.protocols = srv.protocols;
    info.vhost_name = "glassbox";
    /* door.c lets in heads of REQUEST_HEAD_MAX bytes and REQUEST_HEAD_LINES
     * lines at most; lws keeps a header it does not know with its name and
     * 8 bytes more, so its table has room for twice the head. */
    info.max_http_header_data = 2 * REQUEST_HEAD_MAX;
    srv.ctx = lws_create_context(&info);
    if (!srv.ctx) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use?)", cfg->bind,
                 cfg->port);
        return -1;
    }
    srv.vh = lws_get_vhost_by_name(srv.ctx, "glassbox");
    if (!srv.vh) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use?)", cfg->bind,
                 cfg->port);
        lws_context_destroy(srv.ctx);
        srv.ctx = NULL;
        return -1;
    }
    loop_init(srv.ctx, srv.vh);
    if (door_open(addr, cfg->port, srv.vh, err, errlen) < 0) {
        lws_context_destroy(srv.ctx);
        srv.ctx = NULL;
        return -1;
    }
    return 0;
}

void server_stop(void)
{
    door_close();
    if (srv.ctx)
        lws_context_destroy(srv.ctx);
    srv.ctx = NULL;
}

struct lws_context *server_context(void)
{
    return srv.ctx;
}

int server_service(void)
{
    return lws_service(srv.ctx, 0);
}

void server_wake(void)
{
    if (srv.ctx)
        lws_cancel_service(srv.ctx);
}
