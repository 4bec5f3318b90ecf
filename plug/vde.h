#ifndef LS_VDE_H
#define LS_VDE_H 1

#include <stdbool.h>
#include <sys/types.h>

/* The VDE attach-protocol server: the switch directory, its 'ctl' socket
 * and one datagram socket per endpoint, as vde_switch makes them. */

struct ls_vde_opts {
    const char *dir;  /* Switch directory (-s). */
    mode_t mode;      /* ctl and data sockets (-m). */
    mode_t dirmode;   /* Directory (--dirmode). */
    gid_t group;      /* -g, or (gid_t) -1. */
    mode_t mgmt_mode; /* Port 0 data sockets get the mgmt mode/group. */
    gid_t mgmt_group;
};

void ls_vde_modes(int mode, int dirmode, mode_t *modep, mode_t *dirmodep);
int ls_vde_open(const struct ls_vde_opts *);
void ls_vde_close(void);
const char *ls_vde_dir(void);
mode_t ls_vde_mode(void);

#endif
