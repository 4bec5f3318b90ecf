/* The host link watcher: libnl-3's cache manager on route/link, in the
 * loop. */

#include "watch/link.h"

#include <errno.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "switch/log.h"
#include "switch/loop.h"

/* Receive buffer of the event socket.  LS_NETLINK_RCVBUF (bytes) overrides
 * it, so tests can make it overflow. */
#define LINK_RCVBUF (1024 * 1024)

static struct {
    struct nl_cache_mngr *mngr;
    struct nl_cache *cache; /* Owned by 'mngr'. */
    struct nl_sock *sync;   /* Dumps for resynchronisation. */
    struct ls_io io;
    struct ls_link_sub *subs;
    bool io_added;
    bool running;
} lw;

static void
to_info(struct rtnl_link *l, struct ls_link_info *info)
{
    struct nl_addr *a = rtnl_link_get_addr(l);
    const char *name = rtnl_link_get_name(l);

    memset(info, 0, sizeof *info);
    info->ifindex = rtnl_link_get_ifindex(l);
    snprintf(info->name, sizeof info->name, "%s", name ? name : "");
    if (a && nl_addr_get_len(a) == 6) {
        memcpy(info->mac, nl_addr_get_binary_addr(a), 6);
        info->has_mac = true;
    }
    info->flags = rtnl_link_get_flags(l);
    info->operstate = rtnl_link_get_operstate(l);
    info->carrier = rtnl_link_get_carrier(l) != 0;
}

static void
notify(enum ls_link_action action, const struct ls_link_info *info)
{
    struct ls_link_sub *s, *next;

    for (s = lw.subs; s; s = next) {
        next = s->next; /* 's' may unsubscribe itself. */
        s->cb(s, action, info);
    }
}

static void
change_cb(struct nl_cache *cache, struct nl_object *obj, int action, void *aux)
{
    struct rtnl_link *l = (struct rtnl_link *) obj;
    struct ls_link_info info;

    if (rtnl_link_get_family(l) != AF_UNSPEC) {
        return; /* AF_BRIDGE port info and the like. */
    }
    to_info(l, &info);
    switch (action) {
    case NL_ACT_NEW:
        notify(LS_LINK_NEW, &info);
        break;
    case NL_ACT_CHANGE:
        notify(LS_LINK_CHANGE, &info);
        break;
    case NL_ACT_DEL:
        notify(LS_LINK_DEL, &info);
        break;
    default:
        break;
    }
}

/* Re-dumps every link and reports what changed since the cache was last
 * right (after lost events).  Returns 0 or an errno value. */
int
ls_link_watch_resync(void)
{
    int err;

    if (!lw.running) {
        return ENOTCONN;
    }
    err = nl_cache_resync(lw.sync, lw.cache, change_cb, NULL);
    if (err < 0) {
        LS_WARN("netlink: re-reading the links failed: %s", nl_geterror(err));
        return EIO;
    }
    return 0;
}

static void
link_io_cb(struct ls_io *io, uint32_t events)
{
    int err = nl_cache_mngr_data_ready(lw.mngr);

    if (err == -NLE_NOMEM) {
        /* ENOBUFS: the kernel dropped events. */
        LS_WARN("netlink: link events were lost; resynchronising");
        ls_link_watch_resync();
    } else if (err < 0) {
        LS_WARN("netlink: %s", nl_geterror(err));
    }
}

static void
set_rcvbuf(int fd)
{
    const char *env = getenv("LS_NETLINK_RCVBUF");
    int size = env ? atoi(env) : LINK_RCVBUF;

    if (size <= 0) {
        size = LINK_RCVBUF;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
}

static int
watch_start(void)
{
    int err, fd;

    err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &lw.mngr);
    if (!err) {
        err = nl_cache_mngr_add(lw.mngr, "route/link", change_cb, NULL,
                                &lw.cache);
    }
    if (!err) {
        lw.sync = nl_socket_alloc();
        err = lw.sync ? nl_connect(lw.sync, NETLINK_ROUTE) : -NLE_NOMEM;
    }
    if (err < 0) {
        LS_WARN("netlink link watcher: %s", nl_geterror(err));
        ls_link_watch_stop();
        return EIO;
    }
    fd = nl_cache_mngr_get_fd(lw.mngr);
    set_rcvbuf(fd);
    err = ls_io_add(&lw.io, fd, EPOLLIN, link_io_cb);
    if (err) {
        ls_link_watch_stop();
        return err;
    }
    lw.io_added = true;
    lw.running = true;
    return 0;
}

/* Adds 's' to the subscribers, starting the watcher if it is the first.
 * Returns 0 or an errno value (the watcher could not start). */
int
ls_link_watch_subscribe(struct ls_link_sub *s)
{
    struct ls_link_sub *p;

    if (!lw.running) {
        int error = watch_start();

        if (error) {
            return error;
        }
    }
    for (p = lw.subs; p; p = p->next) {
        if (p == s) {
            return 0;
        }
    }
    s->next = lw.subs;
    lw.subs = s;
    return 0;
}

/* Removes 's' from the subscribers.  The watcher keeps running. */
void
ls_link_watch_unsubscribe(struct ls_link_sub *s)
{
    struct ls_link_sub **pp;

    for (pp = &lw.subs; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            return;
        }
    }
}

/* Stops the watcher and forgets every subscriber (at shutdown). */
void
ls_link_watch_stop(void)
{
    if (lw.io_added) {
        ls_io_del(&lw.io);
        lw.io_added = false;
    }
    if (lw.mngr) {
        nl_cache_mngr_free(lw.mngr); /* Frees the cache too. */
    }
    if (lw.sync) {
        nl_socket_free(lw.sync);
    }
    lw.mngr = NULL;
    lw.cache = NULL;
    lw.sync = NULL;
    lw.subs = NULL;
    lw.running = false;
}

/* Stores in '*info' the link named 'name'.  Returns 0, ENODEV if there is
 * none, ENOTCONN if the watcher is not running. */
int
ls_link_find_name(const char *name, struct ls_link_info *info)
{
    struct rtnl_link *l;

    if (!lw.running) {
        return ENOTCONN;
    }
    l = rtnl_link_get_by_name(lw.cache, name);
    if (!l) {
        return ENODEV;
    }
    to_info(l, info);
    rtnl_link_put(l);
    return 0;
}

/* Stores in '*info' the link with index 'ifindex'.  Returns 0, ENODEV or
 * ENOTCONN. */
int
ls_link_find_index(int ifindex, struct ls_link_info *info)
{
    struct rtnl_link *l;

    if (!lw.running) {
        return ENOTCONN;
    }
    l = rtnl_link_get(lw.cache, ifindex);
    if (!l) {
        return ENODEV;
    }
    to_info(l, info);
    rtnl_link_put(l);
    return 0;
}

/* Stores in '*info' the first link whose MAC is 'mac'.  Returns 0, ENODEV
 * or ENOTCONN. */
int
ls_link_find_mac(const uint8_t mac[6], struct ls_link_info *info)
{
    struct nl_object *obj;

    if (!lw.running) {
        return ENOTCONN;
    }
    for (obj = nl_cache_get_first(lw.cache); obj;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_link *l = (struct rtnl_link *) obj;

        if (rtnl_link_get_family(l) != AF_UNSPEC) {
            continue;
        }
        to_info(l, info);
        if (info->has_mac && !memcmp(info->mac, mac, 6)) {
            return 0;
        }
    }
    return ENODEV;
}
