#include "plug/vde_req.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static uint32_t
get_u32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

/* Parses the sockaddr_un at 'sa' (110 bytes).  Returns 0 or EINVAL. */
static int
parse_sockaddr(const uint8_t *sa, struct ls_vde_req *req, char *why,
               size_t why_size)
{
    uint16_t family;
    size_t plen;

    memcpy(&family, sa, sizeof family);
    if (family != AF_UNIX) {
        snprintf(why, why_size, "client socket family %u is not AF_UNIX",
                 family);
        return EINVAL;
    }
    plen = strnlen((const char *) sa + 2, 108);
    if (plen == 0) {
        snprintf(why, why_size, "request names no client socket");
        return EINVAL;
    }
    if (plen == 108) {
        snprintf(why, why_size, "client socket path is not terminated");
        return EINVAL;
    }
    memcpy(req->path, sa + 2, plen);
    req->path[plen] = '\0';
    return 0;
}

static void
copy_descr(const uint8_t *d, size_t len, struct ls_vde_req *req)
{
    size_t i, n = 0;

    for (i = 0; i < len && n + 1 < sizeof req->descr && d[i]; i++) {
        req->descr[n++] = d[i] >= 0x20 && d[i] < 0x7f ? (char) d[i] : '?';
    }
    req->descr[n] = '\0';
}

/* Parses the attach request in the 'len' bytes at 'buf' into '*req'.
 * Returns 0, or EPROTO (not a request we speak: bad magic, unsupported
 * version, bad type) or EINVAL (malformed: short, bad socket address),
 * with a one-line reason in 'why'. */
int
ls_vde_req_parse(const uint8_t *buf, size_t len, struct ls_vde_req *req,
                 char *why, size_t why_size)
{
    uint32_t magic, version, type;
    int error;

    memset(req, 0, sizeof *req);
    if (len < 8) {
        snprintf(why, why_size, "short request (%zu bytes)", len);
        return EINVAL;
    }
    magic = get_u32(buf);
    version = get_u32(buf + 4);
    if (magic != LS_VDE_MAGIC) {
        snprintf(why, why_size, "bad magic 0x%08x (V0 request not supported)",
                 magic);
        return EPROTO;
    }
    if (version == 0 || version == 1) {
        /* Version 1: the second word is the request type. */
        if (len < LS_VDE_REQ_V1_SIZE) {
            snprintf(why, why_size, "short v1 request (%zu bytes)", len);
            return EINVAL;
        }
        req->version = 1;
        req->type = version;
        error = parse_sockaddr(buf + 14, req, why, why_size);
        if (!error) {
            copy_descr(buf + LS_VDE_REQ_V1_SIZE, len - LS_VDE_REQ_V1_SIZE,
                       req);
        }
        return error;
    }
    if (version != 3) {
        snprintf(why, why_size,
                 "request for a version %u port, which this switch does not "
                 "support",
                 version);
        return EPROTO;
    }
    if (len < LS_VDE_REQ_V3_SIZE) {
        snprintf(why, why_size, "short request (%zu bytes)", len);
        return EINVAL;
    }
    type = get_u32(buf + 8);
    if ((type & 0xff) != LS_VDE_NEW_CONTROL &&
        (type & 0xff) != LS_VDE_NEW_PORT0) {
        snprintf(why, why_size, "bad request type %u", type & 0xff);
        return EPROTO;
    }
    req->version = 3;
    req->type = type & 0xff;
    req->port = req->type == LS_VDE_NEW_PORT0 ? 0 : type >> 8;
    error = parse_sockaddr(buf + 12, req, why, why_size);
    if (!error) {
        copy_descr(buf + LS_VDE_REQ_V3_SIZE, len - LS_VDE_REQ_V3_SIZE, req);
    }
    return error;
}
