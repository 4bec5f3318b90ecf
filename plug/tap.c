/* tap:// ports: a Linux tap device (IFF_TAP | IFF_NO_PI), created by the
 * switch or a persistent one that the user owns. */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "plug/hostdev.h"
#include "plug/tuntap.h"
#include "switch/log.h"
#include "switch/port.h"

#ifndef TUNSETCARRIER
#define TUNSETCARRIER _IOW('T', 226, int)
#endif

struct tap {
    struct ls_hostdev hd; /* First: the endpoint's 'priv'. */
    int fd;
    bool carrier_warned;
};

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

static int
tap_open(struct ls_hostdev *hd, int *fd, char *err, size_t err_size)
{
    struct tap *t = (struct tap *) hd;
    int error = ls_tuntap_open(hd->ifname, true, &t->fd, err, err_size);

    if (error) {
        return error;
    }
    hd->ifindex = (int) if_nametoindex(hd->ifname);
    *fd = t->fd;
    return 0;
}

static void
tap_close_dev(struct ls_hostdev *hd)
{
    struct tap *t = (struct tap *) hd;

    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
}

static void
tap_destroy(struct ls_hostdev *hd)
{
    tap_close_dev(hd);
    ls_loop_free_later(hd);
}

static int
tap_recv_batch(struct ls_endpoint *ep, struct ls_rxframe *frames,
               unsigned int max, unsigned int *n)
{
    struct tap *t = ep->priv;
    unsigned int i = 0;

    while (i < max && t->fd >= 0) {
        ssize_t r = read(t->fd, frames[i].data, LS_FRAME_MAX + 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0 && errno != EAGAIN) {
                ls_hostdev_failed(&t->hd, errno);
            }
            break;
        }
        frames[i].len = (uint32_t) r;
        frames[i].flags = r > LS_FRAME_MAX ? LS_RX_TRUNCATED : 0;
        i++;
    }
    *n = i;
    return 0;
}

static int
tap_send_batch(struct ls_endpoint *ep, const struct ls_txframe *tx,
               unsigned int n, unsigned int *sent)
{
    struct tap *t = ep->priv;
    unsigned int i = 0;

    while (i < n) {
        ssize_t r;

        if (t->fd < 0) {
            *sent = i;
            return ENODEV;
        }
        r = writev(t->fd, tx[i].iov, tx[i].iovcnt);
        if (r < 0) {
            int error = errno;

            if (error == EINTR) {
                continue;
            }
            if (error == EAGAIN) {
                *sent = i;
                return EAGAIN;
            }
            if (error == EBADFD) {
                ls_hostdev_failed(&t->hd, error);
                *sent = i;
                return error;
            }
            /* EIO (device down), EMSGSIZE, EINVAL: this frame only. */
            ep->port->stats.drops[LS_DROP_ERROR]++;
        }
        i++;
    }
    *sent = n;
    return 0;
}

static int
tap_set_carrier(struct ls_endpoint *ep, bool up)
{
    struct tap *t = ep->priv;
    int error;

    if (t->fd < 0) {
        return 0;
    }
    error = ls_tuntap_set_carrier(t->fd, up);
    if (error && !t->carrier_warned) {
        LS_WARN("%s: cannot set the carrier (TUNSETCARRIER: %s); the kernel "
                "side will not see the port's link state",
                t->hd.ifname, strerror(error));
        t->carrier_warned = true;
    }
    return error;
}

static const struct ls_plug_ops tap_ops = {
    .module = "tuntap",
    .recv_batch = tap_recv_batch,
    .send_batch = tap_send_batch,
    .close = ls_hostdev_close_ep,
    .set_carrier = tap_set_carrier,
};

static const struct ls_hostdev_class tap_class = {
    .ops = &tap_ops,
    .open = tap_open,
    .close = tap_close_dev,
    .destroy = tap_destroy,
    .del_means_gone = false,
    .exclusive = false,
};

/* Allocates a tap:// endpoint for 'url'.  Returns 0 or ENOMEM. */
int
ls_tap_new(const struct ls_url *url, struct ls_hostdev **hdp)
{
    struct tap *t = calloc(1, sizeof *t);

    *hdp = NULL;
    if (!t) {
        return ENOMEM;
    }
    t->hd.cls = &tap_class;
    t->hd.url = *url;
    t->fd = -1;
    *hdp = &t->hd;
    return 0;
}
