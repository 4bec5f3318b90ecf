#ifndef LS_VDE_REQ_H
#define LS_VDE_REQ_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "plug/plug.h"

/* The VDE attach request (the "ctl" protocol), as sent by vdeplug4 and
 * vde2 libvdeplug clients: see docs/architecture.md and vde_switch's
 * datasock.c.  Integers are in host byte order. */

#define LS_VDE_MAGIC 0xfeedfaceu
#define LS_VDE_REQ_V3_SIZE 122 /* magic, version, type, sockaddr_un */
#define LS_VDE_REQ_V1_SIZE 124 /* magic, type, mac[6], sockaddr_un */
#define LS_VDE_REPLY_SIZE 110  /* sockaddr_un */
#define LS_VDE_REQ_MAX 512     /* Longest request read. */

enum ls_vde_req_type {
    LS_VDE_NEW_CONTROL = 0, /* Any port, or the one in bits 8..31. */
    LS_VDE_NEW_PORT0 = 1,   /* Port 0, the "management client" port. */
};

struct ls_vde_req {
    unsigned int version; /* 1 or 3. */
    enum ls_vde_req_type type;
    uint32_t port; /* Requested port; 0 = any (NEW_CONTROL). */
    char path[sizeof((struct sockaddr_un *) 0)->sun_path + 1];
    char descr[LS_DESCR_MAX]; /* Control characters replaced by '?'. */
};

int ls_vde_req_parse(const uint8_t *buf, size_t len, struct ls_vde_req *,
                     char *why, size_t why_size);

#endif
