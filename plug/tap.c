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

struct tap {
    struct ls_tuntap tt; /* First: the endpoint's 'priv'. */
};

static int
tap_open(struct ls_hostdev *hd, int *fd, char *err, size_t err_size)
{
    return ls_tuntap_dev_open((struct ls_tuntap *) hd, true, fd, err,
                              err_size);
}

static void
tap_close_dev(struct ls_hostdev *hd)
{
    ls_tuntap_dev_close((struct ls_tuntap *) hd);
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

    while (i < max && t->tt.fd >= 0) {
        ssize_t r = read(t->tt.fd, frames[i].data, LS_FRAME_MAX + 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0 && errno != EAGAIN) {
                ls_hostdev_failed(&t->tt.hd, errno);
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

        if (t->tt.fd < 0) {
            *sent = i;
            return ENODEV;
        }
        r = writev(t->tt.fd, tx[i].iov, tx[i].iovcnt);
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
                ls_hostdev_failed(&t->tt.hd, error);
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

static const struct ls_plug_ops tap_ops = {
    .module = "tuntap",
    .recv_batch = tap_recv_batch,
    .send_batch = tap_send_batch,
    .close = ls_hostdev_close_ep,
    .set_carrier = ls_tuntap_ep_set_carrier,
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
    t->tt.hd.cls = &tap_class;
    t->tt.hd.url = *url;
    t->tt.fd = -1;
    *hdp = &t->tt.hd;
    return 0;
}
