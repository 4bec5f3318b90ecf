/* The parser of host-side port URLs (tap://, tun://, host://). */

#include "plug/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const schemes[] = {
    [LS_URL_TAP] = "tap",
    [LS_URL_TUN] = "tun",
    [LS_URL_HOST] = "host",
};

/* Returns the scheme of 'kind' without "://", e.g. "tap". */
const char *
ls_url_scheme(enum ls_url_kind kind)
{
    return schemes[kind];
}

static int fail(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t size, const char *fmt, ...)
{
    va_list args;

    if (size) {
        va_start(args, fmt);
        vsnprintf(err, size, fmt, args);
        va_end(args);
    }
    return EINVAL;
}

/* Returns true if 's' is a name Linux accepts for a network interface:
 * 1 to 15 bytes, not "." or "..", without '/', ':' or blanks. */
bool
ls_url_ifname_valid(const char *s)
{
    size_t len = strlen(s);
    size_t i;

    if (!len || len >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, "..")) {
        return false;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c == '/' || c == ':' || isspace(c) || !isprint(c)) {
            return false;
        }
    }
    return true;
}

static unsigned int
hexval(char c)
{
    return isdigit((unsigned char) c) ? (unsigned int) (c - '0')
                                      : (unsigned int) (tolower(c) - 'a' + 10);
}

/* Parses six hex bytes (two digits each) separated by ':' or '-'. */
static int
parse_mac(const char *s, uint8_t mac[6])
{
    int i;

    for (i = 0; i < 6; i++) {
        if (!isxdigit((unsigned char) s[0]) ||
            !isxdigit((unsigned char) s[1])) {
            return EINVAL;
        }
        mac[i] = (uint8_t) (hexval(s[0]) << 4 | hexval(s[1]));
        s += 2;
        if (i < 5) {
            if (*s != ':' && *s != '-') {
                return EINVAL;
            }
            s++;
        }
    }
    return *s ? EINVAL : 0;
}

static int
parse_bool(const char *key, const char *v, bool *b, char *err, size_t size)
{
    if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "yes")) {
        *b = true;
        return 0;
    }
    if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no")) {
        *b = false;
        return 0;
    }
    return fail(err, size, "bad value '%s' for %s (expected 0 or 1)", v, key);
}

/* Splits "ADDR[/PLEN]" into 'buf' (the address) and '*plen' ('max' if
 * absent). */
static int
split_prefix(const char *v, char *buf, size_t size, unsigned int max,
             unsigned int *plen)
{
    const char *slash = strchr(v, '/');
    size_t len = slash ? (size_t) (slash - v) : strlen(v);

    if (len >= size) {
        return EINVAL;
    }
    memcpy(buf, v, len);
    buf[len] = '\0';
    *plen = max;
    if (slash) {
        char *end;
        unsigned long n;

        if (!isdigit((unsigned char) slash[1])) {
            return EINVAL;
        }
        n = strtoul(slash + 1, &end, 10);
        if (*end || n > max) {
            return EINVAL;
        }
        *plen = (unsigned int) n;
    }
    return 0;
}

static int
parse_addr4(const char *v, struct ls_url *u, char *err, size_t size)
{
    char buf[INET_ADDRSTRLEN];
    struct ls_url_addr4 *a;

    if (u->n_addr4 >= LS_URL_MAX_ADDRS) {
        return fail(err, size, "too many addr= options (at most %d)",
                    LS_URL_MAX_ADDRS);
    }
    a = &u->addr4[u->n_addr4];
    if (split_prefix(v, buf, sizeof buf, 32, &a->plen) ||
        inet_pton(AF_INET, buf, &a->addr) != 1) {
        return fail(err, size,
                    "addr: '%s' is not an IPv4 address with an optional "
                    "/PREFIX (0-32)",
                    v);
    }
    u->n_addr4++;
    return 0;
}

static int
parse_addr6(const char *v, struct ls_url *u, char *err, size_t size)
{
    char buf[INET6_ADDRSTRLEN];
    struct ls_url_addr6 *a;

    if (u->n_addr6 >= LS_URL_MAX_ADDRS) {
        return fail(err, size, "too many addr6= options (at most %d)",
                    LS_URL_MAX_ADDRS);
    }
    a = &u->addr6[u->n_addr6];
    if (split_prefix(v, buf, sizeof buf, 128, &a->plen) ||
        inet_pton(AF_INET6, buf, &a->addr) != 1) {
        return fail(err, size,
                    "addr6: '%s' is not an IPv6 address with an optional "
                    "/PREFIX (0-128)",
                    v);
    }
    u->n_addr6++;
    return 0;
}

/* Applies option 'key'='v' to 'u'. */
static int
parse_option(const char *key, const char *v, struct ls_url *u, char *err,
             size_t size)
{
    const char *scheme = schemes[u->kind];

    if (u->kind == LS_URL_HOST && !strcmp(key, "immediate")) {
        return parse_bool(key, v, &u->immediate, err, size);
    }
    if (u->kind == LS_URL_HOST && !strcmp(key, "promisc")) {
        return parse_bool(key, v, &u->promisc, err, size);
    }
    if (u->kind == LS_URL_TUN && !strcmp(key, "addr")) {
        return parse_addr4(v, u, err, size);
    }
    if (u->kind == LS_URL_TUN && !strcmp(key, "addr6")) {
        return parse_addr6(v, u, err, size);
    }
    if (u->kind == LS_URL_TUN && !strcmp(key, "mac")) {
        if (parse_mac(v, u->own_mac) || (u->own_mac[0] & 1)) {
            return fail(err, size,
                        "mac: '%s' is not a unicast MAC address "
                        "(AA:BB:CC:DD:EE:FF)",
                        v);
        }
        u->has_own_mac = true;
        return 0;
    }
    return fail(err, size, "unknown option '%s' for %s://", key, scheme);
}

static int
parse_options(char *opts, struct ls_url *u, char *err, size_t size)
{
    char *save = NULL, *kv;

    for (kv = strtok_r(opts, "&", &save); kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        int error;

        if (!eq || eq == kv || !eq[1]) {
            return fail(err, size, "option '%s' is not of the form KEY=VALUE",
                        kv);
        }
        *eq = '\0';
        error = parse_option(kv, eq + 1, u, err, size);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* Parses the part between "://" and '?'. */
static int
parse_target(const char *t, struct ls_url *u, char *err, size_t size)
{
    const char *scheme = schemes[u->kind];

    if (u->kind == LS_URL_HOST && !strncmp(t, "mac=", 4)) {
        if (parse_mac(t + 4, u->mac) || (u->mac[0] & 1)) {
            return fail(err, size,
                        "host://mac=%s: not a unicast MAC address "
                        "(AA:BB:CC:DD:EE:FF)",
                        t + 4);
        }
        u->by_mac = true;
        return 0;
    }
    if (!*t) {
        if (u->kind == LS_URL_HOST) {
            return fail(err, size,
                        "host:// needs an interface: host://IFNAME or "
                        "host://mac=AA:BB:CC:DD:EE:FF");
        }
        return 0; /* The kernel chooses the name. */
    }
    if (strlen(t) >= IF_NAMESIZE) {
        return fail(err, size,
                    "%s://%s: interface name too long (at most %d "
                    "characters)",
                    scheme, t, IF_NAMESIZE - 1);
    }
    if (!ls_url_ifname_valid(t)) {
        return fail(err, size, "%s://%s: invalid interface name", scheme, t);
    }
    memcpy(u->ifname, t, strlen(t) + 1); /* Length checked above. */
    return 0;
}

/* Parses port URL 's' into '*u'.  Returns 0, or EINVAL with a message
 * for the user in 'err'. */
int
ls_url_parse(const char *s, struct ls_url *u, char *err, size_t err_size)
{
    char buf[LS_URL_MAX + 1];
    const char *sep;
    char *q;
    size_t len, i;
    int error;

    memset(u, 0, sizeof *u);
    u->immediate = true;
    u->promisc = true;
    if (err_size) {
        err[0] = '\0';
    }
    if (strlen(s) > LS_URL_MAX) {
        return fail(err, err_size, "URL too long (at most %d characters)",
                    LS_URL_MAX);
    }
    sep = strstr(s, "://");
    if (!sep) {
        return fail(err, err_size,
                    "'%s' is not a port URL (expected tap://NAME, "
                    "tun://NAME?addr=A.B.C.D/P or host://IFNAME)",
                    s);
    }
    len = (size_t) (sep - s);
    for (i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        if (strlen(schemes[i]) == len && !strncmp(s, schemes[i], len)) {
            break;
        }
    }
    if (i == sizeof schemes / sizeof *schemes) {
        return fail(err, err_size,
                    "unknown URL scheme '%.*s' (expected tap, tun or host)",
                    (int) len, s);
    }
    u->kind = (enum ls_url_kind) i;
    snprintf(buf, sizeof buf, "%s", sep + 3);
    q = strchr(buf, '?');
    if (q) {
        *q++ = '\0';
    }
    error = parse_target(buf, u, err, err_size);
    if (!error && q) {
        error = parse_options(q, u, err, err_size);
    }
    if (!error && u->kind == LS_URL_TUN && !u->n_addr4 && !u->n_addr6) {
        error = fail(err, err_size,
                     "tun:// needs the tun side's address: "
                     "tun://NAME?addr=A.B.C.D/P (and/or addr6=X::Y/P)");
    }
    return error;
}

/* Writes the canonical form of 'u' into 'buf' (truncated to 'size'). */
void
ls_url_format(const struct ls_url *u, char *buf, size_t size)
{
    char a[INET6_ADDRSTRLEN];
    const char *sep = "?";
    unsigned int i;
    size_t n;

#define APPEND(...)                               \
    do {                                          \
        n = strlen(buf);                          \
        snprintf(buf + n, size - n, __VA_ARGS__); \
    } while (0)

    if (!size) {
        return;
    }
    buf[0] = '\0';
    APPEND("%s://", schemes[u->kind]);
    if (u->by_mac) {
        APPEND("mac=%02x:%02x:%02x:%02x:%02x:%02x", u->mac[0], u->mac[1],
               u->mac[2], u->mac[3], u->mac[4], u->mac[5]);
    } else {
        APPEND("%s", u->ifname);
    }
    for (i = 0; i < u->n_addr4; i++) {
        inet_ntop(AF_INET, &u->addr4[i].addr, a, sizeof a);
        APPEND("%saddr=%s/%u", sep, a, u->addr4[i].plen);
        sep = "&";
    }
    for (i = 0; i < u->n_addr6; i++) {
        inet_ntop(AF_INET6, &u->addr6[i].addr, a, sizeof a);
        APPEND("%saddr6=%s/%u", sep, a, u->addr6[i].plen);
        sep = "&";
    }
    if (u->has_own_mac) {
        APPEND("%smac=%02x:%02x:%02x:%02x:%02x:%02x", sep, u->own_mac[0],
               u->own_mac[1], u->own_mac[2], u->own_mac[3], u->own_mac[4],
               u->own_mac[5]);
        sep = "&";
    }
    if (u->kind == LS_URL_HOST && !u->immediate) {
        APPEND("%simmediate=0", sep);
        sep = "&";
    }
    if (u->kind == LS_URL_HOST && !u->promisc) {
        APPEND("%spromisc=0", sep);
    }
#undef APPEND
}
