/* /dev/net/tun devices: opening a tap or tun by name, and its carrier. */

#include "plug/tuntap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "switch/log.h"

#ifndef TUNSETCARRIER
#define TUNSETCARRIER _IOW('T', 226, int)
#endif

/* Opens /dev/net/tun and attaches it to the tap (or tun, if '!tap') named
 * 'name', creating it if it does not exist; an empty 'name' lets the
 * kernel choose and stores its choice.  The fd is non-blocking.  Returns 0
 * with the fd in '*fdp', or an errno value with a message in 'err'. */
int
ls_tuntap_open(char name[IF_NAMESIZE], bool tap, int *fdp, char *err,
               size_t err_size)
{
    const char *kind = tap ? "tap" : "tun";
    struct ifreq ifr;
    int fd, error;

    *fdp = -1;
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error = errno;
        snprintf(err, err_size, "cannot open /dev/net/tun: %s",
                 strerror(error));
        return error;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (short) ((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
    memcpy(ifr.ifr_name, name, strnlen(name, IF_NAMESIZE - 1));
    if (ioctl(fd, TUNSETIFF, &ifr)) {
        error = errno;
        close(fd);
        if (error == EBUSY) {
            snprintf(err, err_size, "%s: in use by another process", name);
        } else if (error == EPERM) {
            snprintf(err, err_size,
                     "%s%s: permission denied (creating a %s needs "
                     "CAP_NET_ADMIN; to run unprivileged, have root create "
                     "it for this user: ip tuntap add %s mode %s user USER)",
                     tap ? "tap://" : "tun://", name, kind,
                     name[0] ? name : "NAME", kind);
        } else if (error == EINVAL) {
            snprintf(err, err_size, "%s: exists but is not a %s device", name,
                     kind);
        } else {
            snprintf(err, err_size, "%s: TUNSETIFF: %s", name,
                     strerror(error));
        }
        return error;
    }
    memcpy(name, ifr.ifr_name, IF_NAMESIZE);
    name[IF_NAMESIZE - 1] = '\0';
    *fdp = fd;
    return 0;
}

/* Sets the carrier of the tap or tun on 'fd' (TUNSETCARRIER, Linux 4.20 or
 * later).  Returns 0 or an errno value. */
int
ls_tuntap_set_carrier(int fd, bool up)
{
    int on = up;

    return ioctl(fd, TUNSETCARRIER, &on) ? errno : 0;
}

/* Opens the tap ('tap') or tun named by 'tt''s hostdev into tt->fd and
 * records its ifindex; the fd is also stored in '*fd'.  Returns 0 or an
 * errno value with a message in 'err'. */
int
ls_tuntap_dev_open(struct ls_tuntap *tt, bool tap, int *fd, char *err,
                   size_t err_size)
{
    int error = ls_tuntap_open(tt->hd.ifname, tap, &tt->fd, err, err_size);

    if (error) {
        return error;
    }
    tt->hd.ifindex = (int) if_nametoindex(tt->hd.ifname);
    *fd = tt->fd;
    return 0;
}

/* Closes the device of 'tt', if open. */
void
ls_tuntap_dev_close(struct ls_tuntap *tt)
{
    if (tt->fd >= 0) {
        close(tt->fd);
        tt->fd = -1;
    }
}

/* Shows the port's link state as the device's carrier, warning once if
 * the kernel cannot (before Linux 4.20).  Returns 0 or an errno value. */
int
ls_tuntap_dev_set_carrier(struct ls_tuntap *tt, bool up)
{
    int error;

    if (tt->fd < 0) {
        return 0;
    }
    error = ls_tuntap_set_carrier(tt->fd, up);
    if (error && !tt->carrier_warned) {
        LS_WARN("%s: cannot set the carrier (TUNSETCARRIER: %s); the kernel "
                "side will not see the port's link state",
                tt->hd.ifname, strerror(error));
        tt->carrier_warned = true;
    }
    return error;
}

/* The set_carrier op of tap and tun endpoints, whose 'priv' starts with a
 * struct ls_tuntap.  Returns 0 or an errno value. */
int
ls_tuntap_ep_set_carrier(struct ls_endpoint *ep, bool up)
{
    return ls_tuntap_dev_set_carrier(ep->priv, up);
}
