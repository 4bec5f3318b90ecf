#ifndef LS_HOSTDEV_H
#define LS_HOSTDEV_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plug/plug.h"
#include "plug/url.h"
#include "switch/loop.h"

/* Host-side endpoints: a port bound to a kernel network device (tap, tun,
 * host NIC).  This layer is common to their backends: attaching, the
 * description, and hot-plug.  When the device disappears the endpoint
 * stays on its port without a data fd and the port's carrier goes down;
 * when a device with that name (or that MAC, for host://mac=) is there
 * again, the backend reopens it and the carrier comes back up.
 *
 * A backend embeds 'struct ls_hostdev' at the start of its own state, and
 * the endpoint's 'priv' points to it. */

struct ls_switch;
struct ls_port;
struct ls_hostdev;

struct ls_hostdev_class {
    const struct ls_plug_ops *ops;

    /* Opens the device named hd->ifname (or, if empty, lets the kernel
     * choose and stores the name there), stores the data fd in '*fd' and
     * sets hd->ifindex.  Returns 0, or an errno value with a message for
     * the user in 'err'. */
    int (*open)(struct ls_hostdev *, int *fd, char *err, size_t err_size);

    /* Closes the device (and the data fd); the configuration stays. */
    void (*close)(struct ls_hostdev *);

    /* Frees the backend's state (the device is closed). */
    void (*destroy)(struct ls_hostdev *);

    /* A netlink DEL of the open device means it is gone (host NICs).  A
     * tap's fd says so itself (EBADFD); its DEL may only mean that it
     * moved into another network namespace, where it keeps working. */
    bool del_means_gone;

    /* Only one port may use a given device (host NICs: two captures on
     * one NIC would see each other's frames). */
    bool exclusive;
};

struct ls_hostdev {
    const struct ls_hostdev_class *cls;
    struct ls_url url;
    struct ls_endpoint *ep;   /* NULL until attached. */
    char ifname[IF_NAMESIZE]; /* Device opened, or to open. */
    int ifindex;              /* Of the open device, 0 while gone. */
    bool present;             /* The device is open. */
    bool carrier_held;        /* We hold the port's carrier down. */
    int open_error;           /* Last failed reopen. */
    bool open_logged;         /* 'open_error' was logged. */
    int fail_error;           /* Reported by the backend, handled soon. */
    struct ls_timer fail_timer;
    struct ls_timer retry_timer;
    struct ls_hostdev *next;
};

int ls_hostdev_attach(struct ls_hostdev *, struct ls_switch *,
                      struct ls_port *, int uid, char *err, size_t err_size);
void ls_hostdev_failed(struct ls_hostdev *, int error);
void ls_hostdev_close_ep(struct ls_endpoint *);
void ls_hostdev_free(struct ls_hostdev *);

/* The backends' constructors: allocate the backend's state for 'url'
 * (nothing is opened yet).  Return 0 or ENOMEM. */
int ls_tap_new(const struct ls_url *, struct ls_hostdev **);
int ls_tun_new(const struct ls_url *, struct ls_hostdev **);
int ls_host_new(const struct ls_url *, struct ls_hostdev **);

#endif
