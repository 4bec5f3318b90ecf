#ifndef LS_TUN_L2_H
#define LS_TUN_L2_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plug/url.h"

/* The L2 face of an L3 tun port: the port has a MAC on the segment,
 * Ethernet headers are stripped toward the tun and added from it, the
 * destination MAC comes from a neighbour table learned from the ARP and
 * NDP traffic the port sees (or asked for with ARP / neighbour
 * solicitation, holding the packet until the answer), and ARP requests and
 * neighbour solicitations for the tun side's addresses are answered.
 *
 * Pure logic on buffers (no fds, time passed in), so it is unit-tested.
 * Frames the port must send into the switch (replies, requests, packets
 * that were waiting for an answer) wait in a small queue; the backend
 * hands them to the switch as received frames. */

#define LS_TUN_NEIGH 256      /* Neighbour table slots (power of 2). */
#define LS_TUN_PROBE 8        /* Slots tried per address. */
#define LS_TUN_OUT 32         /* Frames waiting to enter the switch. */
#define LS_TUN_PEEK 128       /* Bytes of a frame that the logic reads. */
#define LS_TUN_ASK_MS 1000    /* At most one request per second per IP. */
#define LS_TUN_STALE_MS 60000 /* Re-ask for entries older than this. */

struct ls_tun_neigh {
    uint8_t family; /* 0 (free), AF_INET or AF_INET6. */
    bool valid;     /* 'mac' is known. */
    bool asked;
    uint8_t ip[16];
    uint8_t mac[6];
    uint64_t seen_ms;  /* Learned (or created, if not valid). */
    uint64_t asked_ms; /* Last request sent. */
    uint8_t *held;     /* A frame waiting for 'mac' (header space first). */
    uint32_t held_len;
};

struct ls_tun_frame {
    uint8_t *data;
    uint32_t len;
};

struct ls_tun_l2 {
    uint8_t mac[6];
    unsigned int n_addr4, n_addr6;
    struct ls_url_addr4 addr4[LS_URL_MAX_ADDRS];
    struct ls_url_addr6 addr6[LS_URL_MAX_ADDRS];
    struct ls_tun_neigh neigh[LS_TUN_NEIGH];
    struct ls_tun_frame out[LS_TUN_OUT];
    unsigned int out_first, out_count;
    uint64_t out_overflows; /* Frames lost because 'out' was full. */
};

/* What happens to a frame the switch delivers to the port. */
enum ls_tun_rx {
    LS_TUN_TO_TUN,   /* Write the IP packet at '*ip_off' to the tun. */
    LS_TUN_CONSUMED, /* ARP / neighbour discovery, handled here. */
    LS_TUN_NOT_OURS, /* Unicast for another MAC (flooded): ignore. */
    LS_TUN_NOT_IP,   /* Neither IP nor ARP: drop and count. */
};

/* What happens to a packet read from the tun. */
enum ls_tun_tx {
    LS_TUN_SEND, /* The Ethernet header is written: send the frame. */
    LS_TUN_HELD, /* Waiting for the destination's MAC (request queued). */
    LS_TUN_DROP, /* Not IPv4 or IPv6, or too short. */
};

void ls_tun_l2_init(struct ls_tun_l2 *, const uint8_t mac[6],
                    const struct ls_url *);
void ls_tun_l2_fini(struct ls_tun_l2 *);
enum ls_tun_rx ls_tun_l2_from_switch(struct ls_tun_l2 *, const uint8_t *f,
                                     size_t flen, size_t len, uint64_t now,
                                     size_t *ip_off);
enum ls_tun_tx ls_tun_l2_from_tun(struct ls_tun_l2 *, uint8_t *frame,
                                  size_t ip_len, uint64_t now);
size_t ls_tun_l2_pop(struct ls_tun_l2 *, uint8_t *buf, size_t size);
const struct ls_tun_neigh *ls_tun_l2_lookup(const struct ls_tun_l2 *,
                                            int family, const void *ip);

static inline bool
ls_tun_l2_pending(const struct ls_tun_l2 *l2)
{
    return l2->out_count > 0;
}

#endif
