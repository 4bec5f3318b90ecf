#ifndef LS_TUNTAP_H
#define LS_TUNTAP_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/* /dev/net/tun helpers shared by the tap and tun backends. */

int ls_tuntap_open(char name[IF_NAMESIZE], bool tap, int *fdp, char *err,
                   size_t err_size);
int ls_tuntap_set_carrier(int fd, bool up);

#endif
