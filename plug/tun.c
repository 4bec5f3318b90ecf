/* tun:// ports: an L3 tun device bridged into the L2 segment (the ARP,
 * NDP and header logic is in tun_l2.c). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include "plug/hostdev.h"
#include "plug/tun_l2.h"
#include "plug/tuntap.h"
#include "switch/clock.h"
#include "switch/forward.h"
#include "switch/log.h"
#include "switch/switch.h"

#define ETH_HLEN 14

struct tun {
    struct ls_tuntap tt;  /* First: the endpoint's 'priv'. */
    struct ls_timer kick; /* Feeds queued ARP/NDP frames to the switch. */
    struct ls_tun_l2 l2;
};

static int
tun_open(struct ls_hostdev *hd, int *fd, char *err, size_t err_size)
{
    return ls_tuntap_dev_open((struct ls_tuntap *) hd, false, fd, err,
                              err_size);
}

static void
tun_close_dev(struct ls_hostdev *hd)
{
    ls_tuntap_dev_close((struct ls_tuntap *) hd);
}

static void
tun_destroy(struct ls_hostdev *hd)
{
    struct tun *t = (struct tun *) hd;

    tun_close_dev(hd);
    ls_timer_cancel(&t->kick);
    ls_tun_l2_fini(&t->l2);
    ls_loop_free_later(t);
}

static void
kick_cb(struct ls_timer *timer)
{
    struct tun *t =
        (struct tun *) ((char *) timer - offsetof(struct tun, kick));

    if (t->tt.hd.ep) {
        ls_forward_wake(
            t->tt.hd.ep); /* Read in turn; respects flow control. */
    }
}

static void
kick(struct tun *t)
{
    if (ls_tun_l2_pending(&t->l2) && !t->kick.armed) {
        ls_timer_arm(&t->kick, 0, kick_cb);
    }
}

static int
tun_recv_batch(struct ls_endpoint *ep, struct ls_rxframe *frames,
               unsigned int max, unsigned int *n)
{
    struct tun *t = ep->priv;
    uint64_t now = ls_clock_ms();
    unsigned int i = 0;

    while (i < max) {
        struct ls_rxframe *f = &frames[i];
        ssize_t r;

        f->flags = 0;
        if (ls_tun_l2_pending(&t->l2)) {
            f->len =
                (uint32_t) ls_tun_l2_pop(&t->l2, f->data, LS_FRAME_MAX + 1);
            i++;
            continue;
        }
        if (t->tt.fd < 0) {
            break;
        }
        r = read(t->tt.fd, f->data + ETH_HLEN, LS_FRAME_MAX + 1 - ETH_HLEN);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0 && errno != EAGAIN) {
                ls_hostdev_failed(&t->tt.hd, errno);
            }
            break;
        }
        if ((size_t) r > LS_FRAME_MAX - ETH_HLEN) {
            f->len = LS_FRAME_MAX + 1;
            f->flags = LS_RX_TRUNCATED; /* Counted by the core. */
            i++;
            continue;
        }
        switch (ls_tun_l2_from_tun(&t->l2, f->data, (size_t) r, now)) {
        case LS_TUN_SEND:
            f->len = (uint32_t) r + ETH_HLEN;
            i++;
            break;
        case LS_TUN_HELD:
            break; /* The request is pending: the next slot takes it. */
        case LS_TUN_DROP:
            ep->port->stats.drops[LS_DROP_PROTO]++;
            break;
        }
    }
    *n = i;
    return 0;
}

/* Copies the first bytes of 'tx' into 'buf' (LS_TUN_PEEK); returns how
 * many. */
static size_t
peek(const struct ls_txframe *tx, uint8_t *buf)
{
    size_t off = 0;
    int i;

    for (i = 0; i < tx->iovcnt && off < LS_TUN_PEEK; i++) {
        size_t n = tx->iov[i].iov_len;

        if (n > LS_TUN_PEEK - off) {
            n = LS_TUN_PEEK - off;
        }
        memcpy(buf + off, tx->iov[i].iov_base, n);
        off += n;
    }
    return off;
}

/* Writes 'tx' from byte 'skip' on to the tun.  Returns 0 or errno. */
static int
write_from(int fd, const struct ls_txframe *tx, size_t skip)
{
    struct iovec iov[3];
    int i, n = 0;

    for (i = 0; i < tx->iovcnt; i++) {
        size_t len = tx->iov[i].iov_len;

        if (skip >= len) {
            skip -= len;
            continue;
        }
        iov[n].iov_base = (uint8_t *) tx->iov[i].iov_base + skip;
        iov[n].iov_len = len - skip;
        skip = 0;
        n++;
    }
    for (;;) {
        if (writev(fd, iov, n) >= 0) {
            return 0;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

static int
tun_send_batch(struct ls_endpoint *ep, const struct ls_txframe *tx,
               unsigned int n, unsigned int *sent)
{
    struct tun *t = ep->priv;
    uint64_t now = ls_clock_ms();
    uint8_t head[LS_TUN_PEEK];
    unsigned int i;
    int error = 0;

    for (i = 0; i < n && !error; i++) {
        size_t flen = peek(&tx[i], head), off;

        switch (
            ls_tun_l2_from_switch(&t->l2, head, flen, tx[i].len, now, &off)) {
        case LS_TUN_TO_TUN:
            error = t->tt.fd < 0 ? ENODEV : write_from(t->tt.fd, &tx[i], off);
            if (error == EAGAIN || error == EBADFD || error == ENODEV) {
                if (error == EBADFD) {
                    ls_hostdev_failed(&t->tt.hd, error);
                }
                *sent = i;
                kick(t);
                return error;
            }
            if (error) {
                ep->port->stats.drops[LS_DROP_ERROR]++;
                error = 0;
            }
            break;
        case LS_TUN_NOT_IP:
            ep->port->stats.drops[LS_DROP_PROTO]++;
            break;
        case LS_TUN_CONSUMED:
        case LS_TUN_NOT_OURS:
            break;
        }
    }
    *sent = n;
    kick(t);
    return 0;
}

static const struct ls_plug_ops tun_ops = {
    .module = "tun",
    .recv_batch = tun_recv_batch,
    .send_batch = tun_send_batch,
    .close = ls_hostdev_close_ep,
    .set_carrier = ls_tuntap_ep_set_carrier,
};

static const struct ls_hostdev_class tun_class = {
    .ops = &tun_ops,
    .open = tun_open,
    .close = tun_close_dev,
    .destroy = tun_destroy,
    .del_means_gone = false,
    .exclusive = false,
};

/* Allocates a tun:// endpoint for 'url', with the MAC it names or a
 * random locally administered one.  Returns 0 or ENOMEM. */
int
ls_tun_new(const struct ls_url *url, struct ls_hostdev **hdp)
{
    struct tun *t = calloc(1, sizeof *t);
    uint8_t mac[6];

    *hdp = NULL;
    if (!t) {
        return ENOMEM;
    }
    if (url->has_own_mac) {
        memcpy(mac, url->own_mac, 6);
    } else {
        if (getrandom(mac, sizeof mac, 0) != (ssize_t) sizeof mac) {
            memset(mac, 0x5a, sizeof mac);
            mac[5] = (uint8_t) getpid();
        }
        mac[0] = (uint8_t) ((mac[0] & 0xfe) | 0x02);
    }
    t->tt.hd.cls = &tun_class;
    t->tt.hd.url = *url;
    t->tt.fd = -1;
    ls_tun_l2_init(&t->l2, mac, url);
    *hdp = &t->tt.hd;
    return 0;
}
