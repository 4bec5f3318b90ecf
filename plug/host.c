/* host:// ports: a host NIC bridged through libpcap.  Frames the host
 * itself sends are not captured (PCAP_D_IN), so nothing loops back; frames
 * injected here leave on the wire but never reach the host's own stack
 * (use a tap or veth port for host <-> guest traffic). */

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plug/hostdev.h"
#include "switch/log.h"
#include "switch/port.h"

#define HOST_BUFFER (4 * 1024 * 1024) /* Kernel ring for captured frames. */
#define HOST_TIMEOUT_MS 10            /* Without immediate mode. */

struct host {
    struct ls_hostdev hd; /* First: the endpoint's 'priv'. */
    pcap_t *pcap;
    int fd;

    /* Where pcap_dispatch()'s callback puts frames. */
    struct ls_rxframe *frames;
    unsigned int n;
};

/* pcap_inject() needs one buffer; frames come in up to three pieces. */
static uint8_t gather_buf[LS_FRAME_MAX];

static int
activate_error(pcap_t *p, int rc, const char *name, char *err, size_t size)
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, size, "host://%s: no such interface", name);
        return ENODEV;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, size,
                 "host://%s: permission denied (capturing needs "
                 "CAP_NET_RAW): %s",
                 name, pcap_geterr(p));
        return EPERM;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, size, "host://%s: the interface is down", name);
        return ENETDOWN;
    default:
        snprintf(err, size, "host://%s: %s", name, pcap_geterr(p));
        return EIO;
    }
}

static int
configure(struct host *h, char *err, size_t size)
{
    const char *name = h->hd.ifname;
    pcap_t *p = h->pcap;
    char ebuf[PCAP_ERRBUF_SIZE];
    int rc;

    pcap_set_snaplen(p, LS_FRAME_MAX);
    pcap_set_promisc(p, h->hd.url.promisc);
    pcap_set_immediate_mode(p, h->hd.url.immediate);
    pcap_set_timeout(p, HOST_TIMEOUT_MS);
    pcap_set_buffer_size(p, HOST_BUFFER);
    rc = pcap_activate(p);
    if (rc < 0) {
        return activate_error(p, rc, name, err, size);
    }
    if (rc > 0) {
        LS_WARN("host://%s: %s", name, pcap_geterr(p));
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        snprintf(err, size, "host://%s: not an Ethernet interface", name);
        return EPROTONOSUPPORT;
    }
    if (pcap_setdirection(p, PCAP_D_IN)) {
        snprintf(err, size,
                 "host://%s: cannot capture incoming frames only (%s); "
                 "refusing to bridge, it would loop",
                 name, pcap_geterr(p));
        return ENOTSUP;
    }
    if (pcap_setnonblock(p, 1, ebuf)) {
        snprintf(err, size, "host://%s: %s", name, ebuf);
        return EIO;
    }
    h->fd = pcap_get_selectable_fd(p);
    if (h->fd < 0) {
        snprintf(err, size, "host://%s: no selectable fd", name);
        return EIO;
    }
    /* Also makes pcap_inject() report EAGAIN instead of blocking. */
    fcntl(h->fd, F_SETFL, fcntl(h->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

static void
host_close_dev(struct ls_hostdev *hd)
{
    struct host *h = (struct host *) hd;

    if (h->pcap) {
        pcap_close(h->pcap); /* Closes h->fd. */
        h->pcap = NULL;
    }
    h->fd = -1;
}

static int
host_open(struct ls_hostdev *hd, int *fd, char *err, size_t err_size)
{
    struct host *h = (struct host *) hd;
    char ebuf[PCAP_ERRBUF_SIZE];
    int error;

    h->pcap = pcap_create(hd->ifname, ebuf);
    if (!h->pcap) {
        snprintf(err, err_size, "host://%s: %s", hd->ifname, ebuf);
        return ENODEV;
    }
    error = configure(h, err, err_size);
    if (error) {
        host_close_dev(hd);
        return error;
    }
    hd->ifindex = (int) if_nametoindex(hd->ifname);
    *fd = h->fd;
    return 0;
}

static void
host_destroy(struct ls_hostdev *hd)
{
    host_close_dev(hd);
    ls_loop_free_later(hd);
}

static void
capture_cb(u_char *aux, const struct pcap_pkthdr *ph, const u_char *data)
{
    struct host *h = (struct host *) aux;
    struct ls_rxframe *f = &h->frames[h->n++];
    uint32_t len =
        ph->caplen < LS_FRAME_MAX + 1 ? ph->caplen : LS_FRAME_MAX + 1;

    memcpy(f->data, data, len);
    f->len = len;
    f->flags =
        (ph->len > ph->caplen || len > LS_FRAME_MAX) ? LS_RX_TRUNCATED : 0;
}

static int
host_recv_batch(struct ls_endpoint *ep, struct ls_rxframe *frames,
                unsigned int max, unsigned int *n)
{
    struct host *h = ep->priv;
    int rc;

    *n = 0;
    if (!h->pcap) {
        return 0;
    }
    h->frames = frames;
    h->n = 0;
    rc = pcap_dispatch(h->pcap, (int) max, capture_cb, (u_char *) h);
    *n = h->n;
    if (rc == PCAP_ERROR) {
        LS_WARN("port %u: host://%s: %s", ep->port->num, h->hd.ifname,
                pcap_geterr(h->pcap));
        ls_hostdev_failed(&h->hd, ENODEV);
    }
    return 0;
}

static const uint8_t *
gather(const struct ls_txframe *tx)
{
    size_t off = 0;
    int i;

    if (tx->iovcnt == 1) {
        return tx->iov[0].iov_base;
    }
    for (i = 0;
         i < tx->iovcnt && off + tx->iov[i].iov_len <= sizeof gather_buf;
         i++) {
        memcpy(gather_buf + off, tx->iov[i].iov_base, tx->iov[i].iov_len);
        off += tx->iov[i].iov_len;
    }
    return gather_buf;
}

static int
host_send_batch(struct ls_endpoint *ep, const struct ls_txframe *tx,
                unsigned int n, unsigned int *sent)
{
    struct host *h = ep->priv;
    unsigned int i;

    for (i = 0; i < n; i++) {
        int error;

        if (!h->pcap) {
            *sent = i;
            return ENODEV;
        }
        if (tx[i].len > sizeof gather_buf) {
            ep->port->stats.drops[LS_DROP_ERROR]++;
            continue;
        }
        if (pcap_inject(h->pcap, gather(&tx[i]), tx[i].len) >= 0) {
            continue;
        }
        error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            *sent = i;
            return EAGAIN;
        }
        /* ENOBUFS (queue full), EMSGSIZE (above the MTU), ENETDOWN: this
         * frame only. */
        ep->port->stats.drops[LS_DROP_ERROR]++;
        if (error == ENXIO || error == ENODEV) {
            ls_hostdev_failed(&h->hd, error);
        }
    }
    *sent = n;
    return 0;
}

static const struct ls_plug_ops host_ops = {
    .module = "pcap",
    .recv_batch = host_recv_batch,
    .send_batch = host_send_batch,
    .close = ls_hostdev_close_ep,
    .set_carrier = NULL,
};

static const struct ls_hostdev_class host_class = {
    .ops = &host_ops,
    .open = host_open,
    .close = host_close_dev,
    .destroy = host_destroy,
    .del_means_gone = true,
    .exclusive = true,
};

/* Allocates a host:// endpoint for 'url'.  Returns 0 or ENOMEM. */
int
ls_host_new(const struct ls_url *url, struct ls_hostdev **hdp)
{
    struct host *h = calloc(1, sizeof *h);

    *hdp = NULL;
    if (!h) {
        return ENOMEM;
    }
    h->hd.cls = &host_class;
    h->hd.url = *url;
    h->fd = -1;
    *hdp = &h->hd;
    return 0;
}
