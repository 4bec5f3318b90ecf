#ifndef LS_TUNTAP_H
#define LS_TUNTAP_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plug/hostdev.h"

/* /dev/net/tun devices, shared by the tap and tun backends. */

/* The head of a tap or tun backend's state. */
struct ls_tuntap {
    struct ls_hostdev hd; /* First: the endpoint's 'priv'. */
    int fd;               /* -1 while the device is away. */
    bool carrier_warned;
};

int ls_tuntap_open(char name[IF_NAMESIZE], bool tap, int *fdp, char *err,
                   size_t err_size);
int ls_tuntap_set_carrier(int fd, bool up);
int ls_tuntap_dev_open(struct ls_tuntap *, bool tap, int *fd, char *err,
                       size_t err_size);
void ls_tuntap_dev_close(struct ls_tuntap *);
int ls_tuntap_dev_set_carrier(struct ls_tuntap *, bool up);
int ls_tuntap_ep_set_carrier(struct ls_endpoint *, bool up);

#endif
