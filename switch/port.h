#ifndef LS_PORT_H
#define LS_PORT_H 1

#include <stdbool.h>
#include <stdint.h>

struct ls_endpoint;

/* Why a frame was dropped; counted per port. */
enum ls_drop {
    LS_DROP_RUNT,  /* Shorter than 14 bytes. */
    LS_DROP_GIANT, /* Longer than LS_FRAME_MAX. */
    LS_DROP_LINK,  /* Port link down (admin or carrier). */
    LS_DROP_VLAN,  /* Not a member of the frame's VLAN, or no VLAN. */
    LS_DROP_QUEUE, /* Egress queue full. */
    LS_DROP_ERROR, /* Backend send error. */
    LS_DROP_PROTO, /* Protocol the backend cannot carry (tun: non-IP). */
    LS_DROP_N
};

const char *ls_drop_name(enum ls_drop);

struct ls_port_stats {
    uint64_t in_pkts, in_bytes;
    uint64_t out_pkts, out_bytes;
    uint64_t drops[LS_DROP_N];
};

#define LS_ID_NONE (-1)
#define LS_ID_ANY (-2)

/* A port slot.  Configuration and counters belong to the slot and survive
 * its endpoints, as in vde_switch. */
struct ls_port {
    unsigned int num;
    bool notinpool;  /* Made by port/create(auto): not auto-allocated. */
    bool admin_up;   /* "Cable connected", set by the operator. */
    bool carrier_up; /* Set by host-link policies. */
    uint16_t vlan;   /* Untagged VLAN, LS_VLAN_NONE if none. */
    int acl_user;    /* LS_ID_NONE or uid. */
    int acl_group;   /* LS_ID_NONE or gid. */
    int cur_user;    /* Owner of the current endpoints, LS_ID_NONE. */
    struct ls_port_stats stats;
    uint64_t drops_reported[LS_DROP_N]; /* As of the last port/drop event. */
    struct ls_endpoint *eps;            /* Newest first. */
    unsigned int n_eps;
};

/* Frames pass only while both the administrative state and the carrier
 * are up. */
static inline bool
ls_port_link_up(const struct ls_port *p)
{
    return p->admin_up && p->carrier_up;
}

static inline bool
ls_port_active(const struct ls_port *p)
{
    return p->n_eps > 0;
}

#endif
