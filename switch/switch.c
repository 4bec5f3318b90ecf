#include "switch/switch.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch/clock.h"
#include "switch/event.h"
#include "switch/forward.h"
#include "switch/log.h"

struct ls_switch *ls_sw;

static const char *const drop_names[LS_DROP_N] = {
    [LS_DROP_RUNT] = "runt",   [LS_DROP_GIANT] = "giant",
    [LS_DROP_LINK] = "link",   [LS_DROP_VLAN] = "vlan",
    [LS_DROP_QUEUE] = "queue", [LS_DROP_ERROR] = "error",
    [LS_DROP_PROTO] = "proto",
};

/* Returns the short name of drop cause 'd', as port/print shows it. */
const char *
ls_drop_name(enum ls_drop d)
{
    return drop_names[d];
}

/* Fills 'cfg' with vde_switch's defaults. */
void
ls_switch_default_config(struct ls_switch_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->numports = 32;
    cfg->hashsize = 128;
    cfg->fdb_max = 16384;
    cfg->expire_s = 300;
    cfg->gcint_s = 2;
    cfg->minper_s = 3;
    cfg->queue_frames = 512;
    cfg->queue_bytes = 2 * 1024 * 1024;
    cfg->mac[0] = 0x00;
    cfg->mac[1] = 0xff;
}

static void
switch_fdb_event(void *aux, const struct ls_fdb_entry *e, bool added)
{
    ls_event_emit(added ? LS_EV_HASH_ADD : LS_EV_HASH_DEL,
                  "%02x:%02x:%02x:%02x:%02x:%02x VLAN %02x:%02x Port %d",
                  e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
                  e->mac[5], e->vlan >> 8, e->vlan & 0xff, e->port);
}

static void
switch_gc(struct ls_timer *t)
{
    struct ls_switch *sw = ls_sw;

    ls_fdb_expire(sw->fdb, ls_clock_ms());
    ls_timer_arm(t, (uint64_t) sw->cfg.gcint_s * 1000 + (sw->cfg.gcint_s == 0),
                 switch_gc);
}

/* Reports, for subscribers of port/drop, the drops of the last second on
 * every port that had any. */
static void
switch_drop_report(struct ls_timer *t)
{
    struct ls_switch *sw = ls_sw;
    unsigned int i, d;

    for (i = 0; i < sw->cfg.numports && ls_event_wanted(LS_EV_PORT_DROP);
         i++) {
        struct ls_port *p = sw->ports[i];
        char text[256];
        size_t len = 0;

        if (!p) {
            continue;
        }
        for (d = 0; d < LS_DROP_N; d++) {
            uint64_t n = p->stats.drops[d] - p->drops_reported[d];

            if (n && len < sizeof text) {
                len += (size_t) snprintf(text + len, sizeof text - len,
                                         " %s +%llu", ls_drop_name(d),
                                         (unsigned long long) n);
            }
            p->drops_reported[d] = p->stats.drops[d];
        }
        if (len) {
            ls_event_emit(LS_EV_PORT_DROP, "Port %02u%s", p->num, text);
        }
    }
    ls_timer_arm(t, 1000, switch_drop_report);
}

/* Creates the switch described by 'cfg', makes it the process's 'ls_sw'
 * and stores it in '*swp'.  Returns 0 or an errno value. */
int
ls_switch_create(const struct ls_switch_config *cfg, struct ls_switch **swp)
{
    struct ls_switch *sw = calloc(1, sizeof *sw);
    struct ls_fdb_params fp;
    int error;

    *swp = NULL;
    if (!sw) {
        return ENOMEM;
    }
    sw->cfg = *cfg;
    sw->ports = calloc(cfg->numports, sizeof *sw->ports);
    fp.hashsize = cfg->hashsize;
    fp.max_entries = cfg->fdb_max;
    fp.expire_ms = (uint64_t) cfg->expire_s * 1000;
    fp.min_persist_ms = (uint64_t) cfg->minper_s * 1000;
    error = !sw->ports ? ENOMEM : ls_fdb_create(&fp, &sw->fdb);
    if (!error) {
        error = ls_vlans_create(cfg->numports, &sw->vlans);
    }
    if (error) {
        ls_switch_destroy(sw);
        return error;
    }
    sw->cfg.hashsize = ls_fdb_round_pow2(cfg->hashsize);
    ls_fdb_set_event_cb(sw->fdb, switch_fdb_event, sw);
    sw->start_ms = ls_clock_ms();
    ls_sw = sw;
    ls_timer_arm(&sw->gc_timer, (uint64_t) cfg->gcint_s * 1000 + 1, switch_gc);
    ls_timer_arm(&sw->drop_timer, 1000, switch_drop_report);
    *swp = sw;
    return 0;
}

/* Frees 'sw' and all its ports; endpoints must be closed already. */
void
ls_switch_destroy(struct ls_switch *sw)
{
    unsigned int i;

    if (!sw) {
        return;
    }
    ls_timer_cancel(&sw->gc_timer);
    ls_timer_cancel(&sw->drop_timer);
    ls_timer_cancel(&sw->resume_timer);
    for (i = 0; sw->ports && i < sw->cfg.numports; i++) {
        free(sw->ports[i]);
    }
    free(sw->ports);
    ls_fdb_destroy(sw->fdb);
    ls_vlans_destroy(sw->vlans);
    if (ls_sw == sw) {
        ls_sw = NULL;
    }
    free(sw);
}

/* Returns port 'num' if its slot is allocated, else NULL. */
struct ls_port *
ls_port_get(const struct ls_switch *sw, unsigned int num)
{
    return num < sw->cfg.numports ? sw->ports[num] : NULL;
}

/* Allocates slot 'num' (untagged in VLAN 0, link up).  'notinpool' keeps
 * it out of automatic allocation.  Returns 0, EINVAL if out of range,
 * EEXIST if allocated, ENOMEM. */
int
ls_port_create(struct ls_switch *sw, unsigned int num, bool notinpool,
               struct ls_port **pp)
{
    struct ls_port *p;

    if (num >= sw->cfg.numports) {
        return EINVAL;
    }
    if (sw->ports[num]) {
        return EEXIST;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        return ENOMEM;
    }
    p->num = num;
    p->notinpool = notinpool;
    p->admin_up = true;
    p->carrier_up = true;
    p->vlan = 0;
    p->acl_user = LS_ID_NONE;
    p->acl_group = LS_ID_NONE;
    p->cur_user = LS_ID_NONE;
    ls_vlan_set_member(sw->vlans, 0, num, true, false);
    sw->ports[num] = p;
    ls_event_emit(LS_EV_PORT_ADD, "%02u", num);
    if (pp) {
        *pp = p;
    }
    return 0;
}

/* Allocates the lowest free slot >= 1 as a port out of the automatic
 * pool.  Returns 0 or ENOSPC. */
int
ls_port_create_auto(struct ls_switch *sw, struct ls_port **pp)
{
    unsigned int i;

    for (i = 1; i < sw->cfg.numports; i++) {
        if (!sw->ports[i]) {
            return ls_port_create(sw, i, true, pp);
        }
    }
    return ENOSPC;
}

/* Frees slot 'num'.  Returns 0, EINVAL if out of range, ENXIO if not
 * allocated, EADDRINUSE if it has endpoints. */
int
ls_port_remove(struct ls_switch *sw, unsigned int num)
{
    struct ls_port *p;

    if (num >= sw->cfg.numports) {
        return EINVAL;
    }
    p = sw->ports[num];
    if (!p) {
        return ENXIO;
    }
    if (p->n_eps) {
        return EADDRINUSE;
    }
    ls_vlan_drop_port(sw->vlans, num);
    ls_fdb_flush_port(sw->fdb, num);
    sw->ports[num] = NULL;
    free(p);
    return 0;
}

/* Changes the number of port slots to 'n'.  Returns 0, EINVAL for 0,
 * EADDRINUSE if an allocated port would be cut off, ENOMEM. */
int
ls_port_set_numports(struct ls_switch *sw, unsigned int n)
{
    struct ls_port **ports;
    unsigned int i;
    int error;

    if (!n) {
        return EINVAL;
    }
    for (i = n; i < sw->cfg.numports; i++) {
        if (sw->ports[i]) {
            return EADDRINUSE;
        }
    }
    ports = calloc(n, sizeof *ports);
    if (!ports) {
        return ENOMEM;
    }
    error = ls_vlans_resize(sw->vlans, n);
    if (error) {
        free(ports);
        return error;
    }
    memcpy(ports, sw->ports,
           sizeof *ports * (n < sw->cfg.numports ? n : sw->cfg.numports));
    free(sw->ports);
    sw->ports = ports;
    sw->cfg.numports = n;
    return 0;
}

/* Makes 'vlan' (4095 = none) the untagged VLAN of port 'num' and forgets
 * the MACs learned on it.  Returns 0, EINVAL, or ENXIO if the VLAN or the
 * port does not exist. */
int
ls_port_set_vlan(struct ls_switch *sw, unsigned int num, unsigned int vlan)
{
    struct ls_port *p;

    if (vlan > LS_VLAN_MAX || num >= sw->cfg.numports) {
        return EINVAL;
    }
    if (vlan != LS_VLAN_NONE && !ls_vlan_exists(sw->vlans, vlan)) {
        return ENXIO;
    }
    p = sw->ports[num];
    if (!p) {
        return ENXIO;
    }
    if (p->vlan != LS_VLAN_NONE) {
        ls_vlan_set_member(sw->vlans, p->vlan, num, false, false);
    }
    p->vlan = (uint16_t) vlan;
    if (vlan != LS_VLAN_NONE) {
        ls_vlan_set_member(sw->vlans, vlan, num, true, false);
    }
    ls_fdb_flush_port(sw->fdb, num);
    return 0;
}

static void
port_link_changed(struct ls_switch *sw, struct ls_port *p, bool was_up)
{
    bool up = ls_port_link_up(p);
    struct ls_endpoint *ep;

    if (up == was_up) {
        return;
    }
    for (ep = p->eps; ep; ep = ep->next) {
        if (ep->ops->set_carrier) {
            ep->ops->set_carrier(ep, up);
        }
    }
    if (!up) {
        ls_fdb_flush_port(sw->fdb, p->num);
    }
    ls_event_emit(LS_EV_PORT_LINK, "Port %02u link %s (admin %s, carrier %s)",
                  p->num, up ? "up" : "down", p->admin_up ? "up" : "down",
                  p->carrier_up ? "up" : "down");
}

/* Sets one of the two link bits of port 'num' ('carrier' false: the
 * administrative one).  Returns 0, EINVAL if out of range, ENXIO if not
 * allocated. */
static int
port_set_link_bit(struct ls_switch *sw, unsigned int num, bool carrier,
                  bool up)
{
    struct ls_port *p;
    bool was_up;

    if (num >= sw->cfg.numports) {
        return EINVAL;
    }
    p = sw->ports[num];
    if (!p) {
        return ENXIO;
    }
    was_up = ls_port_link_up(p);
    if (carrier) {
        p->carrier_up = up;
    } else {
        p->admin_up = up;
    }
    port_link_changed(sw, p, was_up);
    return 0;
}

/* Sets the administrative ("cable connected") state of port 'num'.
 * Returns 0, EINVAL if out of range, ENXIO if not allocated. */
int
ls_port_set_admin(struct ls_switch *sw, unsigned int num, bool up)
{
    return port_set_link_bit(sw, num, false, up);
}

/* Sets the carrier state of port 'num' (host-link policies).  Returns 0,
 * EINVAL if out of range, ENXIO if not allocated. */
int
ls_port_set_carrier(struct ls_switch *sw, unsigned int num, bool up)
{
    return port_set_link_bit(sw, num, true, up);
}

/* Zeroes the counters of 'p'. */
void
ls_port_reset_counters(struct ls_port *p)
{
    memset(&p->stats, 0, sizeof p->stats);
    memset(p->drops_reported, 0, sizeof p->drops_reported);
}

static bool
uid_in_group(int uid, int gid)
{
    struct passwd *pw = getpwuid((uid_t) uid);
    gid_t groups[256];
    int n = 256, i;

    if (!pw) {
        return false;
    }
    if ((int) pw->pw_gid == gid) {
        return true;
    }
    if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if ((int) groups[i] == gid) {
            return true;
        }
    }
    return false;
}

static int
port_check_access(const struct ls_port *p, int uid)
{
    if (p->n_eps && p->cur_user != uid) {
        return EADDRINUSE;
    }
    if (uid == 0 ||
        (p->acl_user == LS_ID_NONE && p->acl_group == LS_ID_NONE)) {
        return 0;
    }
    if (uid >= 0 &&
        (uid == p->acl_user ||
         (p->acl_group != LS_ID_NONE && uid_in_group(uid, p->acl_group)))) {
        return 0;
    }
    return EPERM;
}

/* Chooses the port for a new endpoint of user 'uid': 'want' (created if
 * needed) or, with LS_PORT_ANY, the lowest free slot >= 1 that is in the
 * pool.  '*created' tells whether the slot was allocated for this request
 * (so that a failed attach can remove it again).  Returns 0 with the port
 * in '*pp', or EINVAL (out of range), ENOSPC (no free port), EPERM (access
 * control), EADDRINUSE (port held by another user). */
int
ls_port_select(struct ls_switch *sw, uint32_t want, int uid,
               struct ls_port **pp, bool *created)
{
    struct ls_port *p = NULL;
    unsigned int i;
    int error;

    *pp = NULL;
    *created = false;
    if (want == LS_PORT_ANY) {
        for (i = 1; i < sw->cfg.numports; i++) {
            p = sw->ports[i];
            if (!p || (!p->n_eps && !p->notinpool)) {
                break;
            }
        }
        if (i >= sw->cfg.numports) {
            return ENOSPC;
        }
        want = i;
    } else if (want >= sw->cfg.numports) {
        return EINVAL;
    }
    p = sw->ports[want];
    if (p) {
        error = port_check_access(p, uid);
        if (error) {
            return error;
        }
    } else {
        error = ls_port_create(sw, want, false, &p);
        if (error) {
            return error;
        }
        *created = true;
    }
    *pp = p;
    return 0;
}

/* Adds an endpoint with backend 'ops' to port 'p'.  'data_fd' (or -1) is
 * polled for input and, while frames are queued, for output.  Returns 0
 * with the endpoint in '*epp', or ENOMEM. */
int
ls_endpoint_attach(struct ls_switch *sw, struct ls_port *p,
                   const struct ls_plug_ops *ops, int data_fd, int id, int uid,
                   const char *descr, void *priv, struct ls_endpoint **epp)
{
    struct ls_endpoint *ep = calloc(1, sizeof *ep);
    int error;

    *epp = NULL;
    if (!ep) {
        return ENOMEM;
    }
    ep->pending = calloc(LS_BATCH, sizeof *ep->pending);
    if (!ep->pending) {
        free(ep);
        return ENOMEM;
    }
    ep->ops = ops;
    ep->port = p;
    ep->id = id;
    ep->uid = uid;
    ep->priv = priv;
    ep->data_io.fd = -1;
    snprintf(ep->descr, sizeof ep->descr, "%s", descr ? descr : "");
    ls_queue_init(&ep->queue, sw->cfg.queue_bytes, sw->cfg.queue_frames);
    if (data_fd >= 0) {
        error = ls_io_add(&ep->data_io, data_fd, EPOLLIN | EPOLLOUT | EPOLLET,
                          ls_forward_io_cb);
        if (error) {
            free(ep->pending);
            free(ep);
            return error;
        }
    }
    ep->next = p->eps;
    p->eps = ep;
    if (!p->n_eps++) {
        p->cur_user = uid;
    }
    ls_event_emit(LS_EV_EP_ADD, "Port %02u FD %2d", p->num, id);
    if (descr && descr[0]) {
        ls_event_emit(LS_EV_PORT_DESCR, "Port %02u FD %2d -> \"%s\"", p->num,
                      id, descr);
    }
    if (!ls_port_link_up(p) && ops->set_carrier) {
        ops->set_carrier(ep, false);
    }
    *epp = ep;
    return 0;
}

static void
unlink_paused(struct ls_switch *sw, struct ls_endpoint *ep)
{
    struct ls_endpoint **pp;

    for (pp = &sw->paused; *pp; pp = &(*pp)->paused_next) {
        if (*pp == ep) {
            *pp = ep->paused_next;
            break;
        }
    }
    ep->paused = false;
}

/* Closes endpoint 'ep': the backend releases its resources and the
 * endpoint is freed after the current loop iteration.  When it was the
 * port's last endpoint, the port becomes inactive (configuration and
 * counters kept) and the MACs learned on it are forgotten. */
void
ls_endpoint_detach(struct ls_switch *sw, struct ls_endpoint *ep)
{
    struct ls_port *p = ep->port;
    struct ls_endpoint **pp;

    for (pp = &p->eps; *pp; pp = &(*pp)->next) {
        if (*pp == ep) {
            *pp = ep->next;
            break;
        }
    }
    if (ep->paused) {
        unlink_paused(sw, ep);
    }
    ls_forward_forget(ep);
    ls_io_del(&ep->data_io);
    ep->ops->close(ep);
    ls_event_emit(LS_EV_EP_DEL, "Port %02u FD %2d", p->num, ep->id);
    ep->port = NULL;
    if (!--p->n_eps) {
        p->cur_user = LS_ID_NONE;
        ls_fdb_flush_port(sw->fdb, p->num);
        ls_event_emit(LS_EV_PORT_DEL, "%02u", p->num);
    }
    ls_queue_fini(&ep->queue);
    free(ep->pending);
    ep->pending = NULL;
    ls_loop_free_later(ep);
}

/* Makes 'fd' the data fd of 'ep' (a host-side backend whose device went
 * away, fd -1, or came back).  Going away drops the frames queued for the
 * old device (counted as link drops).  Returns 0 or an errno value. */
int
ls_endpoint_set_fd(struct ls_switch *sw, struct ls_endpoint *ep, int fd)
{
    ls_io_del(&ep->data_io);
    if (fd < 0) {
        unsigned int n = ls_queue_len(&ep->queue);

        ls_queue_pop(&ep->queue, n);
        ep->port->stats.drops[LS_DROP_LINK] += n;
        ep->stalled_since_ms = 0;
        ep->stuck = false;
        return 0;
    }
    /* As in ls_endpoint_attach(); adding a ready fd reports it at once. */
    return ls_io_add(&ep->data_io, fd, EPOLLIN | EPOLLOUT | EPOLLET,
                     ls_forward_io_cb);
}

/* Returns the endpoint of 'p' whose ID is 'id', or NULL. */
struct ls_endpoint *
ls_endpoint_find(const struct ls_port *p, int id)
{
    struct ls_endpoint *ep;

    for (ep = p->eps; ep; ep = ep->next) {
        if (ep->id == id) {
            return ep;
        }
    }
    return NULL;
}

/* Closes every endpoint of every port (at shutdown). */
void
ls_switch_close_all(struct ls_switch *sw)
{
    unsigned int i;

    for (i = 0; i < sw->cfg.numports; i++) {
        struct ls_port *p = sw->ports[i];

        while (p && p->eps) {
            ls_endpoint_detach(sw, p->eps);
        }
    }
}
