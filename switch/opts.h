#ifndef LS_OPTS_H
#define LS_OPTS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "switch/switch.h"

/* The command line, compatible with vde_switch's. */

#define LS_OPTS_MAX_ATTACH 64

/* A port URL to attach at start: -a N=URL, or -t NAME (tap://NAME on the
 * next free port). */
struct ls_opts_attach {
    uint32_t port; /* LS_PORT_ANY for -t. */
    const char *url;
    bool tap; /* -t: 'url' is only the interface name. */
};

struct ls_opts {
    struct ls_switch_config cfg;
    const char *sock;       /* -s */
    const char *mgmt;       /* -M */
    int mode;               /* -m, -1 if not given */
    int dirmode;            /* --dirmode, -1 if not given */
    int mgmt_mode;          /* --mgmtmode */
    const char *group;      /* -g */
    const char *mgmt_group; /* --mgmtgroup */
    const char *pidfile;    /* -p */
    const char *rcfile;     /* -f */
    bool daemon;            /* -d */
    bool nostdin;           /* --nostdin */
    bool fstp;              /* -F */
    bool mac_given;
    unsigned int priority;
    bool help, version;
    struct ls_opts_attach attach[LS_OPTS_MAX_ATTACH];
    unsigned int n_attach;
};

int ls_opts_parse(int argc, char *argv[], struct ls_opts *, char *err,
                  size_t err_size);
void ls_opts_usage(const char *prog);

#endif
