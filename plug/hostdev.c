/* Host-side endpoints: attaching, description, and hot-plug. */

#include "plug/hostdev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "switch/log.h"
#include "switch/switch.h"
#include "watch/link.h"

/* While a device is gone, look for it this often (netlink events usually
 * come first).  After a failed reopen, try again soon: the device is often
 * still being set up (e.g. "ip tuntap add" holds the tap for a moment). */
#define RETRY_MS 2000
#define RETRY_SOON_MS 250

static struct ls_hostdev *hostdevs;
static bool watching;

static void link_cb(struct ls_link_sub *, enum ls_link_action,
                    const struct ls_link_info *);
static struct ls_link_sub link_sub = {.cb = link_cb};

static void
format_mac(const uint8_t *m, char *buf, size_t size)
{
    snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
             m[3], m[4], m[5]);
}

/* The endpoint description: the interface name for a tap (as vde_switch's
 * -t shows it), the URL otherwise; "[no device]" while it is gone. */
static void
describe(const struct ls_hostdev *hd, char *buf, size_t size)
{
    char url[LS_DESCR_MAX - 32];
    size_t n;

    if (hd->url.kind == LS_URL_TAP) {
        snprintf(buf, size, "%s", hd->ifname);
    } else {
        ls_url_format(&hd->url, url, sizeof url);
        if (hd->url.by_mac && hd->present) {
            snprintf(buf, size, "%s (%s)", url, hd->ifname);
        } else {
            snprintf(buf, size, "%s", url);
        }
    }
    n = strlen(buf);
    if (!hd->present && n < size) {
        snprintf(buf + n, size - n, " [no device]");
    }
}

static void
update_descr(struct ls_hostdev *hd)
{
    if (hd->ep) {
        describe(hd, hd->ep->descr, sizeof hd->ep->descr);
    }
}

/* Returns the port that already uses device 'ifindex' of the same class,
 * or -1. */
static int
device_user(const struct ls_hostdev *hd, int ifindex)
{
    const struct ls_hostdev *o;

    for (o = hostdevs; o; o = o->next) {
        if (o != hd && o->cls == hd->cls && o->present &&
            o->ifindex == ifindex && o->ep) {
            return (int) o->ep->port->num;
        }
    }
    return -1;
}

static int
check_exclusive(const struct ls_hostdev *hd, char *err, size_t size)
{
    int ifindex, user;

    if (!hd->cls->exclusive || !hd->ifname[0]) {
        return 0;
    }
    ifindex = (int) if_nametoindex(hd->ifname);
    user = ifindex ? device_user(hd, ifindex) : -1;
    if (user >= 0) {
        snprintf(err, size, "%s is already bridged by port %d", hd->ifname,
                 user);
        return EBUSY;
    }
    return 0;
}

static const char *
gone_reason(int error)
{
    switch (error) {
    case EBADFD:
        return "the device was deleted";
    case ENODEV:
    case ENXIO:
        return "the interface disappeared";
    default:
        return strerror(error);
    }
}

static void retry_cb(struct ls_timer *);

/* The device went away: drop it, hold the port's carrier down, and wait
 * for it to come back. */
static void
hostdev_gone(struct ls_hostdev *hd, const char *why)
{
    unsigned int num = hd->ep->port->num;

    if (!hd->present) {
        return;
    }
    ls_timer_cancel(&hd->fail_timer);
    ls_endpoint_set_fd(ls_sw, hd->ep, -1);
    hd->cls->close(hd);
    hd->present = false;
    hd->ifindex = 0;
    hd->open_error = 0;
    hd->open_logged = false;
    LS_WARN("port %u: %s: %s; carrier down until it is back", num, hd->ifname,
            why);
    update_descr(hd);
    hd->carrier_held = true;
    ls_port_set_carrier(ls_sw, num, false);
    ls_timer_arm(&hd->retry_timer, RETRY_MS, retry_cb);
}

/* Tries to reopen the device as 'name' (which must exist: opening a tap
 * that does not exist would create one). */
static void
hostdev_reopen(struct ls_hostdev *hd, const char *name)
{
    struct ls_endpoint *ep = hd->ep;
    unsigned int num = ep->port->num;
    char err[256];
    int fd, error;

    if (hd->present || !if_nametoindex(name)) {
        return;
    }
    snprintf(hd->ifname, sizeof hd->ifname, "%s", name);
    error = check_exclusive(hd, err, sizeof err);
    if (!error) {
        error = hd->cls->open(hd, &fd, err, sizeof err);
    }
    if (!error) {
        error = ls_endpoint_set_fd(ls_sw, ep, fd);
        if (error) {
            hd->cls->close(hd);
            snprintf(err, sizeof err, "%s", strerror(error));
        }
    }
    if (error) {
        /* Logged when the same error comes twice in a row, once. */
        if (error != hd->open_error) {
            hd->open_error = error;
            hd->open_logged = false;
        } else if (!hd->open_logged) {
            LS_WARN("port %u: %s is there but cannot be opened: %s", num, name,
                    err);
            hd->open_logged = true;
        }
        ls_timer_arm(&hd->retry_timer,
                     hd->open_logged ? RETRY_MS : RETRY_SOON_MS, retry_cb);
        return;
    }
    hd->present = true;
    hd->open_error = 0;
    hd->open_logged = false;
    ls_timer_cancel(&hd->retry_timer);
    update_descr(hd);
    LS_INFO("port %u: %s is back; carrier up", num, hd->ifname);
    if (hd->carrier_held) {
        hd->carrier_held = false;
        ls_port_set_carrier(ls_sw, num, true);
    }
    if (ep->ops->set_carrier) {
        ep->ops->set_carrier(ep, ls_port_link_up(ep->port));
    }
}

/* The name under which a gone device would come back, or NULL. */
static const char *
wanted_name(const struct ls_hostdev *hd, struct ls_link_info *info)
{
    if (hd->url.by_mac) {
        return ls_link_find_mac(hd->url.mac, info) ? NULL : info->name;
    }
    return hd->url.ifname[0] ? hd->url.ifname : hd->ifname;
}

static void
retry_cb(struct ls_timer *t)
{
    struct ls_hostdev *hd =
        (struct ls_hostdev *) ((char *) t -
                               offsetof(struct ls_hostdev, retry_timer));
    struct ls_link_info info;
    const char *name;

    if (hd->present) {
        return;
    }
    name = wanted_name(hd, &info);
    if (name) {
        hostdev_reopen(hd, name);
    }
    if (!hd->present && !hd->retry_timer.armed) {
        ls_timer_arm(&hd->retry_timer, RETRY_MS, retry_cb);
    }
}

static bool
link_matches(const struct ls_hostdev *hd, const struct ls_link_info *info)
{
    if (hd->url.by_mac) {
        return info->has_mac && !memcmp(info->mac, hd->url.mac, 6);
    }
    return !strcmp(info->name,
                   hd->url.ifname[0] ? hd->url.ifname : hd->ifname);
}

static void
link_cb(struct ls_link_sub *sub, enum ls_link_action action,
        const struct ls_link_info *info)
{
    struct ls_hostdev *hd, *next;

    for (hd = hostdevs; hd; hd = next) {
        next = hd->next;
        if (!hd->ep) {
            continue;
        }
        if (action == LS_LINK_DEL) {
            if (hd->present && hd->cls->del_means_gone &&
                info->ifindex == hd->ifindex) {
                hostdev_gone(hd, "the interface disappeared");
            }
        } else if (!hd->present && link_matches(hd, info)) {
            hostdev_reopen(hd, info->name);
        }
    }
}

static void
fail_cb(struct ls_timer *t)
{
    struct ls_hostdev *hd =
        (struct ls_hostdev *) ((char *) t -
                               offsetof(struct ls_hostdev, fail_timer));

    hostdev_gone(hd, gone_reason(hd->fail_error));
}

/* Called by a backend whose device failed for good ('error': EBADFD for a
 * deleted tap, ENODEV for a vanished NIC, ...).  The endpoint goes
 * carrier-down soon after, outside the data path. */
void
ls_hostdev_failed(struct ls_hostdev *hd, int error)
{
    if (!hd->present || hd->fail_timer.armed) {
        return;
    }
    hd->fail_error = error;
    ls_timer_arm(&hd->fail_timer, 0, fail_cb);
}

static int
start_watching(const struct ls_hostdev *hd, char *err, size_t size)
{
    int error;

    if (watching) {
        return 0;
    }
    error = ls_link_watch_subscribe(&link_sub);
    if (!error) {
        watching = true;
        return 0;
    }
    if (hd->url.by_mac) {
        snprintf(err, size, "host://mac= needs the netlink link watcher: %s",
                 strerror(error));
        return error;
    }
    LS_WARN("netlink link watcher unavailable (%s): host-side ports will "
            "not come back by themselves after their device disappears",
            strerror(error));
    return 0;
}

/* Opens the device of 'hd' and attaches it to port 'p' as an endpoint of
 * user 'uid'.  Returns 0, or an errno value with a message for the user in
 * 'err' (ENODEV: no such device, EBUSY: in use, EPERM: not allowed, ...);
 * then 'hd' is left to the caller. */
int
ls_hostdev_attach(struct ls_hostdev *hd, struct ls_switch *sw,
                  struct ls_port *p, int uid, char *err, size_t err_size)
{
    char descr[LS_DESCR_MAX], mac[18];
    struct ls_link_info info;
    int fd, error;

    error = start_watching(hd, err, err_size);
    if (error) {
        return error;
    }
    if (hd->url.by_mac) {
        if (ls_link_find_mac(hd->url.mac, &info)) {
            format_mac(hd->url.mac, mac, sizeof mac);
            snprintf(err, err_size, "no interface has MAC %s", mac);
            return ENODEV;
        }
        snprintf(hd->ifname, sizeof hd->ifname, "%s", info.name);
    } else {
        snprintf(hd->ifname, sizeof hd->ifname, "%s", hd->url.ifname);
    }
    error = check_exclusive(hd, err, err_size);
    if (!error) {
        error = hd->cls->open(hd, &fd, err, err_size);
    }
    if (error) {
        return error;
    }
    hd->present = true;
    describe(hd, descr, sizeof descr);
    error = ls_endpoint_attach(sw, p, hd->cls->ops, fd, fd, uid, descr, hd,
                               &hd->ep);
    if (error) {
        hd->cls->close(hd);
        hd->present = false;
        snprintf(err, err_size, "attach: %s", strerror(error));
        return error;
    }
    hd->next = hostdevs;
    hostdevs = hd;
    if (hd->cls->ops->set_carrier && ls_port_link_up(p)) {
        /* A persistent tap may have been left without carrier. */
        hd->cls->ops->set_carrier(hd->ep, true);
    }
    LS_INFO("port %u: %s attached", p->num, descr);
    return 0;
}

/* The 'close' of every host-side backend's ops: closes the device, gives
 * the port its carrier back if we held it down, and frees the state. */
void
ls_hostdev_close_ep(struct ls_endpoint *ep)
{
    struct ls_hostdev *hd = ep->priv;
    struct ls_hostdev **pp;
    unsigned int num = ep->port->num;

    for (pp = &hostdevs; *pp; pp = &(*pp)->next) {
        if (*pp == hd) {
            *pp = hd->next;
            break;
        }
    }
    if (hd->present) {
        hd->cls->close(hd);
        hd->present = false;
    }
    LS_INFO("port %u: %s detached", num, hd->ifname);
    hd->ep = NULL;
    if (hd->carrier_held) {
        ls_port_set_carrier(ls_sw, num, true);
    }
    ls_hostdev_free(hd);
}

/* Frees 'hd' (whose device is closed). */
void
ls_hostdev_free(struct ls_hostdev *hd)
{
    if (hd) {
        ls_timer_cancel(&hd->fail_timer);
        ls_timer_cancel(&hd->retry_timer);
        hd->cls->destroy(hd);
    }
}
