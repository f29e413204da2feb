/* access.c -- who may talk to the daemon: the Host and Origin checks. */
#include "access.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Letters, digits, '-' and '.', not starting or ending with '.' or '-'. */
static bool is_host_name(const char *s, size_t len)
{
    if (len == 0 || len > ACCESS_NAME_MAX || s[0] == '.' || s[0] == '-' ||
        s[len - 1] == '.' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

int access_allow(struct access *a, const char *name)
{
    if (a->nnames == ACCESS_MAX_NAMES || !is_host_name(name, strlen(name)))
        return -1;
    a->names[a->nnames++] = name;
    return 0;
}

static bool is_port(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= 5 && strspn(s, "0123456789") == n;
}

/* Split host[:port] into its name (brackets kept off an IPv6 literal).
 * false when it is not of that form. */
static bool host_name(const char *host, char *name, size_t cap, bool *v6)
{
    const char *end;

    *v6 = host[0] == '[';
    if (*v6) {
        const char *close = strchr(host, ']');
        if (!close || (close[1] && (close[1] != ':' || !is_port(close + 2))))
            return false;
        host++;
        end = close;
    } else {
        const char *colon = strchr(host, ':');
        if (colon && !is_port(colon + 1))
            return false;
        end = colon ? colon : host + strlen(host);
    }
    size_t len = (size_t)(end - host);
    if (len == 0 || len >= cap)
        return false;
    memcpy(name, host, len);
    name[len] = '\0';
    return true;
}

bool access_host_ok(const struct access *a, const char *host)
{
    char name[ACCESS_NAME_MAX + 1];
    unsigned char addr[16];
    bool v6;

    if (!host_name(host, name, sizeof name, &v6))
        return false;
    if (v6)
        return inet_pton(AF_INET6, name, addr) == 1;
    if (inet_pton(AF_INET, name, addr) == 1)
        return true;
    if (!strcasecmp(name, "localhost"))
        return true;
    for (size_t i = 0; i < a->nnames; i++)
        if (!strcasecmp(name, a->names[i]))
            return true;
    return false;
}

bool access_origin_ok(const char *origin, const char *host)
{
    static const char scheme[] = "http://";

    if (!origin)
        return true;
    return !strncmp(origin, scheme, sizeof scheme - 1) &&
           !strcasecmp(origin + sizeof scheme - 1, host);
}
