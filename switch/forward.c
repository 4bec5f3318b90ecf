#include "switch/forward.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "switch/clock.h"
#include "switch/event.h"
#include "switch/log.h"
#include "switch/switch.h"

/* Receive buffers for one batch, shared by all endpoints: the batch is
 * decided and handed to the destinations before the next one is read. */
static uint8_t rx_bufs[LS_BATCH][LS_FRAME_MAX + 1];

/* Per-frame tag for frames the switch tags on egress. */
static uint8_t rx_tags[LS_BATCH][4];

enum xform { XF_NONE, XF_STRIP, XF_ADD };

static struct ls_endpoint *dirty_head;

/* A destination's queue is high when it could not absorb one more whole
 * batch from a sender: the sender must pause before that batch, not after
 * frames were dropped. */
static bool
queue_is_high(const struct ls_queue *q)
{
    return ls_queue_is_high(
        q, LS_BATCH, (size_t) LS_BATCH * (LS_FRAME_MAX + 4) + LS_FRAME_MAX);
}

static void
queue_to_endpoint(struct ls_endpoint *ep, const uint8_t *data, uint32_t len,
                  enum xform xf, const uint8_t *tag)
{
    struct ls_txframe *tx = &ep->pending[ep->n_pending++];

    if (ep->n_pending == 1) {
        ep->dirty_next = dirty_head;
        dirty_head = ep;
    }
    switch (xf) {
    case XF_NONE:
        tx->iov[0].iov_base = (void *) data;
        tx->iov[0].iov_len = len;
        tx->iovcnt = 1;
        tx->len = len;
        break;
    case XF_STRIP:
        tx->iov[0].iov_base = (void *) data;
        tx->iov[0].iov_len = 12;
        tx->iov[1].iov_base = (void *) (data + 16);
        tx->iov[1].iov_len = len - 16;
        tx->iovcnt = 2;
        tx->len = len - 4;
        break;
    case XF_ADD:
        tx->iov[0].iov_base = (void *) data;
        tx->iov[0].iov_len = 12;
        tx->iov[1].iov_base = (void *) tag;
        tx->iov[1].iov_len = 4;
        tx->iov[2].iov_base = (void *) (data + 12);
        tx->iov[2].iov_len = len - 12;
        tx->iovcnt = 3;
        tx->len = len + 4;
        break;
    }
}

/* Hands one frame to every endpoint of port 'p'. */
static void
output_to_port(struct ls_port *p, const uint8_t *data, uint32_t len,
               enum xform xf, const uint8_t *tag)
{
    struct ls_endpoint *ep;
    uint32_t out_len = len + (xf == XF_ADD ? 4 : 0) - (xf == XF_STRIP ? 4 : 0);

    p->stats.out_pkts++;
    p->stats.out_bytes += out_len;
    for (ep = p->eps; ep; ep = ep->next) {
        queue_to_endpoint(ep, data, len, xf, tag);
    }
}

static bool
port_can_receive(const struct ls_port *p)
{
    return p && p->n_eps && ls_port_link_up(p);
}

/* Decides where frame 'data' of 'len' bytes from port 'in' goes on 'vid'.
 * 'tagged': the frame carries an 802.1Q header; 'trunk': the switch is a
 * transparent trunk (no VLAN but 0 defined) and the frame goes unchanged. */
static void
switch_frame(struct ls_switch *sw, struct ls_port *in, const uint8_t *data,
             uint32_t len, uint16_t vid, bool tagged, bool trunk, uint8_t *tag,
             uint64_t now)
{
    uint16_t domain = trunk ? 0 : vid;
    uint32_t out = LS_FDB_NONE;
    unsigned int i;

    if (!(data[6] & 1)) {
        uint32_t old = LS_FDB_NONE;

        if (ls_fdb_learn(sw->fdb, data + 6, vid, in->num, now, &old) ==
                LS_FDB_MOVED &&
            ls_event_wanted(LS_EV_MAC_MOVE)) {
            ls_event_emit(LS_EV_MAC_MOVE,
                          "%02x:%02x:%02x:%02x:%02x:%02x VLAN %u moved from "
                          "port %u to port %u",
                          data[6], data[7], data[8], data[9], data[10],
                          data[11], vid, old, in->num);
        }
    }
    if (!(data[0] & 1)) {
        out = ls_fdb_lookup(sw->fdb, data, vid, now);
        if (out == in->num) {
            return; /* Destination is behind the ingress port. */
        }
    }
    if (!tagged && !trunk) {
        tag[0] = 0x81;
        tag[1] = 0x00;
        tag[2] = (uint8_t) (vid >> 8);
        tag[3] = (uint8_t) vid;
    }
    for (i = (out == LS_FDB_NONE ? 0 : out);
         i < (out == LS_FDB_NONE ? sw->cfg.numports : out + 1); i++) {
        struct ls_port *p = sw->ports[i];
        enum xform xf = XF_NONE;

        if (i == in->num || !port_can_receive(p) ||
            !ls_vlan_is_member(sw->vlans, domain, i)) {
            continue;
        }
        if (!trunk) {
            bool out_tagged = ls_vlan_is_tagged(sw->vlans, vid, i);

            if (tagged && !out_tagged) {
                xf = XF_STRIP;
            } else if (!tagged && out_tagged) {
                xf = XF_ADD;
                if (len + 4 > LS_FRAME_MAX) {
                    /* Tagged, it would not fit a VDE client's buffer. */
                    p->stats.drops[LS_DROP_GIANT]++;
                    continue;
                }
            }
        }
        output_to_port(p, data, len, xf, tag);
    }
}

/* Hub mode: every frame to every allocated port 1..n-1 but the ingress. */
static void
hub_frame(struct ls_switch *sw, struct ls_port *in, const uint8_t *data,
          uint32_t len)
{
    unsigned int i;

    for (i = 1; i < sw->cfg.numports; i++) {
        struct ls_port *p = sw->ports[i];

        if (i != in->num && port_can_receive(p)) {
            output_to_port(p, data, len, XF_NONE, NULL);
        }
    }
}

static void
decide(struct ls_switch *sw, struct ls_port *in, struct ls_rxframe *f,
       unsigned int idx, uint64_t now)
{
    const uint8_t *d = f->data;
    uint32_t len = f->len;
    bool tagged, trunk = false;
    uint16_t vid;

    if ((f->flags & LS_RX_TRUNCATED) || len > LS_FRAME_MAX) {
        in->stats.drops[LS_DROP_GIANT]++;
        return;
    }
    if (len < LS_FRAME_MIN) {
        if (len) { /* vde2 clients send an empty datagram on close. */
            in->stats.drops[LS_DROP_RUNT]++;
        }
        return;
    }
    if (!ls_port_link_up(in)) {
        in->stats.drops[LS_DROP_LINK]++;
        return;
    }
    in->stats.in_pkts++;
    in->stats.in_bytes += len;
    if (sw->cfg.hub) {
        hub_frame(sw, in, d, len);
        return;
    }
    tagged = ls_frame_is_tagged(d, len);
    if (tagged) {
        vid = ls_frame_vid(d);
        if (ls_vlans_count(sw->vlans) == 1) {
            trunk = true;
            if (!ls_vlan_is_member(sw->vlans, 0, in->num)) {
                in->stats.drops[LS_DROP_VLAN]++;
                return;
            }
        } else if (!ls_vlan_is_member(sw->vlans, vid, in->num)) {
            in->stats.drops[LS_DROP_VLAN]++;
            return;
        }
    } else {
        vid = in->vlan;
        if (vid == LS_VLAN_NONE) {
            in->stats.drops[LS_DROP_VLAN]++;
            return;
        }
    }
    switch_frame(sw, in, d, len, vid, tagged, trunk, rx_tags[idx], now);
}

/* Endpoints whose input may be pending, served one batch each per round
 * so that a busy client cannot starve the others. */
static struct ls_endpoint *ready_head, *ready_tail;
static unsigned int ready_count;

static void
ready_add(struct ls_endpoint *ep)
{
    if (ep->on_ready || ep->paused || !ep->port) {
        return;
    }
    ep->on_ready = true;
    ep->ready_next = NULL;
    ready_count++;
    if (ready_tail) {
        ready_tail->ready_next = ep;
    } else {
        ready_head = ep;
    }
    ready_tail = ep;
}

static struct ls_endpoint *
ready_pop(void)
{
    struct ls_endpoint *ep = ready_head;

    if (ep) {
        ready_head = ep->ready_next;
        if (!ready_head) {
            ready_tail = NULL;
        }
        ep->on_ready = false;
        ready_count--;
    }
    return ep;
}

/* Tells the core that 'ep' has input to read although its fd did not say
 * so (a backend that generated frames itself).  It is read in turn, unless
 * flow control paused it. */
void
ls_forward_wake(struct ls_endpoint *ep)
{
    if (ep->port) {
        ep->readable = true;
        ready_add(ep);
    }
}

/* Drops 'ep' from the data path's lists (before it is freed). */
void
ls_forward_forget(struct ls_endpoint *ep)
{
    struct ls_endpoint **pp, *prev = NULL;

    if (!ep->on_ready) {
        return;
    }
    for (pp = &ready_head; *pp; prev = *pp, pp = &(*pp)->ready_next) {
        if (*pp == ep) {
            *pp = ep->ready_next;
            if (ready_tail == ep) {
                ready_tail = prev;
            }
            ready_count--;
            break;
        }
    }
    ep->on_ready = false;
}

/* Sends or queues the frames decided for 'ep'. */
static void
flush_endpoint(struct ls_endpoint *ep, uint64_t now)
{
    struct ls_port *p = ep->port;
    unsigned int sent = 0, i;
    int error = 0;

    if (ls_queue_is_empty(&ep->queue)) {
        error = ep->ops->send_batch(ep, ep->pending, ep->n_pending, &sent);
        if (sent == ep->n_pending) {
            ep->n_pending = 0;
            return;
        }
    }
    for (i = sent; i < ep->n_pending; i++) {
        const struct ls_txframe *tx = &ep->pending[i];

        if (error && error != EAGAIN) {
            p->stats.drops[LS_DROP_ERROR]++;
        } else if (ls_queue_push(&ep->queue, tx->iov, tx->iovcnt, tx->len)) {
            p->stats.drops[LS_DROP_QUEUE]++;
        }
    }
    ep->n_pending = 0;
    if (!ls_queue_is_empty(&ep->queue) && !ep->stalled_since_ms) {
        ep->stalled_since_ms = now ? now : 1;
    }
}

static void resume_timer_cb(struct ls_timer *);

static void
resume_paused(struct ls_switch *sw)
{
    while (sw->paused) {
        struct ls_endpoint *ep = sw->paused;

        sw->paused = ep->paused_next;
        ep->paused = false;
        if (ep->readable) {
            ready_add(ep);
        }
    }
    ls_timer_cancel(&sw->resume_timer);
}

/* Marks receivers that made no progress for LS_STALL_MS as stuck, then
 * lets every paused sender try again. */
static void
resume_timer_cb(struct ls_timer *t)
{
    struct ls_switch *sw = ls_sw;
    uint64_t now = ls_clock_ms();
    unsigned int i;

    for (i = 0; i < sw->cfg.numports; i++) {
        struct ls_port *p = sw->ports[i];
        struct ls_endpoint *ep;

        for (ep = p ? p->eps : NULL; ep; ep = ep->next) {
            if (ep->stalled_since_ms &&
                now - ep->stalled_since_ms >= LS_STALL_MS) {
                if (!ep->stuck) {
                    LS_INFO("port %u endpoint %d is not reading: dropping "
                            "its overflow",
                            p->num, ep->id);
                }
                ep->stuck = true;
            }
        }
    }
    resume_paused(sw);
}

/* Reads one batch from 'ep', switches it and hands every destination its
 * frames.  If a destination's queue is getting full, stops reading from
 * 'ep' until it drains (flow control), unless that destination is stuck. */
void
ls_forward_input(struct ls_switch *sw, struct ls_endpoint *ep)
{
    struct ls_rxframe frames[LS_BATCH];
    struct ls_port *in = ep->port;
    unsigned int n = 0, i;
    bool pause = false;
    uint64_t now;
    int error;

    for (i = 0; i < LS_BATCH; i++) {
        frames[i].data = rx_bufs[i];
        frames[i].flags = 0;
    }
    ep->rx_empty = false;
    error = ep->ops->recv_batch(ep, frames, LS_BATCH, &n);
    if (!n || ep->rx_empty) {
        ep->readable = false;
    }
    now = ls_clock_ms();
    for (i = 0; i < n; i++) {
        decide(sw, in, &frames[i], i, now);
    }
    while (dirty_head) {
        struct ls_endpoint *d = dirty_head;

        dirty_head = d->dirty_next;
        d->dirty_next = NULL;
        flush_endpoint(d, now);
        if (queue_is_high(&d->queue) && !d->stuck) {
            pause = true;
        }
    }
    if (error) {
        ls_endpoint_detach(sw, ep);
        return;
    }
    if (pause && !ep->paused) {
        ls_forward_forget(ep);
        ep->paused = true;
        ep->paused_next = sw->paused;
        sw->paused = ep;
        if (!sw->resume_timer.armed) {
            ls_timer_arm(&sw->resume_timer, LS_STALL_MS, resume_timer_cb);
        }
    }
}

/* Sends what waits in the queue of 'ep', which became writable, until the
 * queue is empty or the endpoint would block again. */
void
ls_forward_output_ready(struct ls_switch *sw, struct ls_endpoint *ep)
{
    struct ls_txframe tx[LS_BATCH];
    struct iovec iov[LS_BATCH];
    bool progress = false;
    int error = 0;

    while (!ls_queue_is_empty(&ep->queue) && !error) {
        unsigned int n, i, sent = 0;

        n = ls_queue_peek_iov(&ep->queue, iov, LS_BATCH);
        for (i = 0; i < n; i++) {
            tx[i].iov[0] = iov[i];
            tx[i].iovcnt = 1;
            tx[i].len = (uint32_t) iov[i].iov_len;
        }
        error = ep->ops->send_batch(ep, tx, n, &sent);
        if (error && error != EAGAIN) {
            /* The endpoint cannot take frames (its peer is gone): drop
             * what waits rather than wait for an edge that won't come. */
            sent = ls_queue_len(&ep->queue);
            ep->port->stats.drops[LS_DROP_ERROR] += sent;
        }
        ls_queue_pop(&ep->queue, sent);
        progress |= sent > 0;
    }
    if (progress) {
        ep->stuck = false;
        ep->stalled_since_ms =
            ls_queue_is_empty(&ep->queue) ? 0 : ls_clock_ms();
    }
    if (sw->paused && !queue_is_high(&ep->queue)) {
        resume_paused(sw);
    }
}

/* The loop's callback for an endpoint's data fd (edge-triggered): output
 * is sent at once, input is put on the ready list for ls_forward_run(). */
void
ls_forward_io_cb(struct ls_io *io, uint32_t events)
{
    struct ls_endpoint *ep =
        (struct ls_endpoint *) ((char *) io -
                                offsetof(struct ls_endpoint, data_io));

    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) &&
        !ls_queue_is_empty(&ep->queue) && ep->port) {
        ls_forward_output_ready(ls_sw, ep);
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && ep->port) {
        ep->readable = true;
        ready_add(ep);
    }
}

/* Serves every ready endpoint one batch.  Returns true if some may have
 * more input (the loop then polls without sleeping). */
bool
ls_forward_run(void)
{
    unsigned int round = ready_count;

    while (round-- && ready_head) {
        struct ls_endpoint *ep = ready_pop();

        ls_forward_input(ls_sw, ep);
        if (ep->port && ep->readable) {
            ready_add(ep); /* Skipped if it was paused or detached. */
        }
    }
    return ready_head != NULL;
}
