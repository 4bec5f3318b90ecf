#ifndef LS_OPTS_H
#define LS_OPTS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "switch/switch.h"

/* The command line, compatible with vde_switch's. */

#define LS_OPTS_MAX_ATTACH 64

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
};

int ls_opts_parse(int argc, char *argv[], struct ls_opts *, char *err,
                  size_t err_size);
void ls_opts_usage(const char *prog);

#endif
