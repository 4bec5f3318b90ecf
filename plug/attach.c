/* Attaching port URLs to ports: URL -> backend, and the port to use. */

#include "plug/attach.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plug/hostdev.h"
#include "plug/url.h"
#include "switch/switch.h"

/* The backend constructors, by URL kind. */
static int (*const backends[])(const struct ls_url *, struct ls_hostdev **) = {
    [LS_URL_TAP] = ls_tap_new,
    [LS_URL_TUN] = ls_tun_new,
    [LS_URL_HOST] = ls_host_new,
};

/* Chooses port 'want' (which must have no endpoint) or, for LS_PORT_ANY,
 * the lowest free one; creates it if needed ('*created'). */
static int
choose_port(struct ls_switch *sw, uint32_t want, struct ls_port **pp,
            bool *created, char *err, size_t size)
{
    struct ls_port *p;
    int error;

    *created = false;
    if (want == LS_PORT_ANY) {
        unsigned int i;

        for (i = 1; i < sw->cfg.numports; i++) {
            p = sw->ports[i];
            if (!p || (!p->n_eps && !p->notinpool)) {
                break;
            }
        }
        if (i >= sw->cfg.numports) {
            snprintf(err, size, "no free port (all %u are in use)",
                     sw->cfg.numports);
            return ENOSPC;
        }
        want = i;
    }
    if (want >= sw->cfg.numports) {
        snprintf(err, size, "port %u does not exist (the switch has %u)", want,
                 sw->cfg.numports);
        return EINVAL;
    }
    p = ls_port_get(sw, want);
    if (p && p->n_eps) {
        snprintf(err, size, "port %u is in use (port/detach %u first)", want,
                 want);
        return EBUSY;
    }
    if (!p) {
        error = ls_port_create(sw, want, false, &p);
        if (error) {
            snprintf(err, size, "port %u: %s", want, strerror(error));
            return error;
        }
        *created = true;
    }
    *pp = p;
    return 0;
}

/* Attaches 'url' to port 'port' (LS_PORT_ANY: the lowest free port >= 1),
 * which must have no endpoint, and stores the port number in '*portp' if
 * it is nonnull.  Returns 0, or an errno value with a message for the user
 * in 'err' (EINVAL: bad URL or port, EBUSY: port or device in use, EPERM,
 * ENODEV, ...); the switch is unchanged then. */
int
ls_plug_attach(struct ls_switch *sw, uint32_t port, const char *url,
               unsigned int *portp, char *err, size_t err_size)
{
    struct ls_hostdev *hd;
    struct ls_port *p;
    struct ls_url u;
    bool created;
    int error;

    error = ls_url_parse(url, &u, err, err_size);
    if (error) {
        return error;
    }
    error = choose_port(sw, port, &p, &created, err, err_size);
    if (error) {
        return error;
    }
    error = backends[u.kind](&u, &hd);
    if (error) {
        snprintf(err, err_size, "%s", strerror(error));
    } else {
        error = ls_hostdev_attach(hd, sw, p, (int) geteuid(), err, err_size);
        if (error) {
            ls_hostdev_free(hd);
        }
    }
    if (error) {
        if (created) {
            ls_port_remove(sw, p->num);
        }
        return error;
    }
    if (portp) {
        *portp = p->num;
    }
    return 0;
}

/* Closes every endpoint of port 'port' (host-side or VDE client); the port
 * keeps its configuration.  Returns 0, or EINVAL / ENXIO with a message
 * in 'err'. */
int
ls_plug_detach(struct ls_switch *sw, unsigned int port, char *err,
               size_t err_size)
{
    struct ls_port *p;

    if (port >= sw->cfg.numports) {
        snprintf(err, err_size, "port %u does not exist (the switch has %u)",
                 port, sw->cfg.numports);
        return EINVAL;
    }
    p = ls_port_get(sw, port);
    if (!p || !p->eps) {
        snprintf(err, err_size, "port %u has nothing attached", port);
        return ENXIO;
    }
    while (p->eps) {
        ls_endpoint_detach(sw, p->eps);
    }
    return 0;
}
