/* The L2 face of an L3 tun port: ARP, IPv6 neighbour discovery, and the
 * Ethernet header. */

#include "plug/tun_l2.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ETH_HLEN 14
#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ARP_LEN 28
#define IP6_HLEN 40
#define ICMP6_NS 135
#define ICMP6_NA 136
#define ND_LEN 32 /* NS or NA with one link-layer address option. */
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static bool
is_zero(const uint8_t *p, size_t n)
{
    while (n--) {
        if (*p++) {
            return false;
        }
    }
    return true;
}

static unsigned int
addr_len(int family)
{
    return family == AF_INET ? 4 : 16;
}

/* True if the first 'plen' bits of 'a' and 'b' are equal. */
static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
    unsigned int bytes = plen / 8, bits = plen % 8;
    uint8_t mask = (uint8_t) (0xff << (8 - bits));

    return !memcmp(a, b, bytes) && (!bits || !((a[bytes] ^ b[bytes]) & mask));
}

static bool
is_our4(const struct ls_tun_l2 *l2, const uint8_t *ip)
{
    unsigned int i;

    for (i = 0; i < l2->n_addr4; i++) {
        if (!memcmp(&l2->addr4[i].addr, ip, 4)) {
            return true;
        }
    }
    return false;
}

static bool
is_our6(const struct ls_tun_l2 *l2, const uint8_t *ip)
{
    unsigned int i;

    for (i = 0; i < l2->n_addr6; i++) {
        if (!memcmp(&l2->addr6[i].addr, ip, 16)) {
            return true;
        }
    }
    return false;
}

/* True if 'ip' is the directed broadcast of one of our IPv4 prefixes. */
static bool
is_bcast4(const struct ls_tun_l2 *l2, const uint8_t *ip)
{
    unsigned int i;

    if (ip[0] == 0xff && ip[1] == 0xff && ip[2] == 0xff && ip[3] == 0xff) {
        return true;
    }
    for (i = 0; i < l2->n_addr4; i++) {
        const uint8_t *a = (const uint8_t *) &l2->addr4[i].addr;
        unsigned int plen = l2->addr4[i].plen, b;

        if (plen >= 31 || !prefix_match(a, ip, plen)) {
            continue;
        }
        for (b = plen; b < 32; b++) {
            if (!(ip[b / 8] & (0x80 >> (b % 8)))) {
                break;
            }
        }
        if (b == 32) {
            return true;
        }
    }
    return false;
}

/* Initialises 'l2' for a port with MAC 'mac' whose tun side has the
 * addresses in 'url'. */
void
ls_tun_l2_init(struct ls_tun_l2 *l2, const uint8_t mac[6],
               const struct ls_url *url)
{
    memset(l2, 0, sizeof *l2);
    memcpy(l2->mac, mac, 6);
    l2->n_addr4 = url->n_addr4;
    l2->n_addr6 = url->n_addr6;
    memcpy(l2->addr4, url->addr4, sizeof l2->addr4);
    memcpy(l2->addr6, url->addr6, sizeof l2->addr6);
}

/* Frees the held packets and the queued frames of 'l2'. */
void
ls_tun_l2_fini(struct ls_tun_l2 *l2)
{
    unsigned int i;

    for (i = 0; i < LS_TUN_NEIGH; i++) {
        free(l2->neigh[i].held);
        l2->neigh[i].held = NULL;
    }
    while (l2->out_count) {
        free(l2->out[l2->out_first].data);
        l2->out_first = (l2->out_first + 1) % LS_TUN_OUT;
        l2->out_count--;
    }
}

/* Queues 'data' (malloc'd, 'len' bytes) to enter the switch; takes it. */
static void
push_out(struct ls_tun_l2 *l2, uint8_t *data, uint32_t len)
{
    struct ls_tun_frame *f;

    if (!data) {
        return;
    }
    if (l2->out_count == LS_TUN_OUT) {
        free(data);
        l2->out_overflows++;
        return;
    }
    f = &l2->out[(l2->out_first + l2->out_count++) % LS_TUN_OUT];
    f->data = data;
    f->len = len;
}

/* Copies the oldest frame that must enter the switch into 'buf' (of
 * 'size' bytes, truncating) and dequeues it.  Returns its length, or 0 if
 * there is none. */
size_t
ls_tun_l2_pop(struct ls_tun_l2 *l2, uint8_t *buf, size_t size)
{
    struct ls_tun_frame *f;
    size_t len;

    if (!l2->out_count) {
        return 0;
    }
    f = &l2->out[l2->out_first];
    len = f->len < size ? f->len : size;
    memcpy(buf, f->data, len);
    free(f->data);
    f->data = NULL;
    l2->out_first = (l2->out_first + 1) % LS_TUN_OUT;
    l2->out_count--;
    return len;
}

static unsigned int
neigh_hash(int family, const uint8_t *ip)
{
    uint32_t h = 2166136261u ^ (uint32_t) family;
    unsigned int i;

    for (i = 0; i < addr_len(family); i++) {
        h = (h ^ ip[i]) * 16777619u;
    }
    return h & (LS_TUN_NEIGH - 1);
}

static struct ls_tun_neigh *
neigh_find(const struct ls_tun_l2 *l2, int family, const uint8_t *ip)
{
    unsigned int h = neigh_hash(family, ip), i;

    for (i = 0; i < LS_TUN_PROBE; i++) {
        const struct ls_tun_neigh *e = &l2->neigh[(h + i) % LS_TUN_NEIGH];

        if (e->family == family && !memcmp(e->ip, ip, addr_len(family))) {
            return (struct ls_tun_neigh *) e;
        }
    }
    return NULL;
}

/* Returns the entry for 'ip', creating it (in a free slot, or in place of
 * the least recently learned one of its window). */
static struct ls_tun_neigh *
neigh_get(struct ls_tun_l2 *l2, int family, const uint8_t *ip, uint64_t now)
{
    unsigned int h = neigh_hash(family, ip), i;
    struct ls_tun_neigh *e = neigh_find(l2, family, ip), *victim = NULL;

    if (e) {
        return e;
    }
    for (i = 0; i < LS_TUN_PROBE; i++) {
        e = &l2->neigh[(h + i) % LS_TUN_NEIGH];
        if (!e->family) {
            victim = e;
            break;
        }
        if (!victim || e->seen_ms < victim->seen_ms) {
            victim = e;
        }
    }
    free(victim->held);
    memset(victim, 0, sizeof *victim);
    victim->family = (uint8_t) family;
    memcpy(victim->ip, ip, addr_len(family));
    victim->seen_ms = now;
    return victim;
}

/* Returns the neighbour entry of 'ip' (4 or 16 bytes), or NULL. */
const struct ls_tun_neigh *
ls_tun_l2_lookup(const struct ls_tun_l2 *l2, int family, const void *ip)
{
    return neigh_find(l2, family, ip);
}

static void
eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
}

/* Records that 'ip' is at 'mac', and sends the frame that waited for it. */
static void
learn(struct ls_tun_l2 *l2, int family, const uint8_t *ip, const uint8_t *mac,
      uint64_t now)
{
    struct ls_tun_neigh *e;

    if (mac[0] & 1 || is_zero(mac, 6) || is_zero(ip, addr_len(family)) ||
        (family == AF_INET ? is_our4(l2, ip) : is_our6(l2, ip))) {
        return;
    }
    e = neigh_get(l2, family, ip, now);
    memcpy(e->mac, mac, 6);
    e->valid = true;
    e->seen_ms = now;
    if (e->held) {
        eth_header(e->held, mac, l2->mac,
                   family == AF_INET ? ETHERTYPE_IP : ETHERTYPE_IPV6);
        push_out(l2, e->held, e->held_len);
        e->held = NULL;
    }
}

/* Queues an ARP frame from the port. */
static void
send_arp(struct ls_tun_l2 *l2, uint16_t op, const uint8_t *eth_dst,
         const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
    uint8_t *f = calloc(1, 60); /* Padded to the Ethernet minimum. */
    uint8_t *a = f + ETH_HLEN;

    if (!f) {
        return;
    }
    eth_header(f, eth_dst, l2->mac, ETHERTYPE_ARP);
    put16(a, 1);
    put16(a + 2, ETHERTYPE_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, l2->mac, 6);
    memcpy(a + 14, spa, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, tpa, 4);
    push_out(l2, f, 60);
}

static uint16_t
icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
    uint32_t sum = 58 + (uint32_t) len;
    size_t i;

    for (i = 8; i < IP6_HLEN; i += 2) { /* Source and destination. */
        sum += get16(ip6 + i);
    }
    for (i = 0; i + 1 < len; i += 2) {
        sum += get16(icmp + i);
    }
    if (len & 1) {
        sum += (uint32_t) icmp[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

/* Queues an NS (type 135) or NA (136) with one link-layer option. */
static void
send_nd(struct ls_tun_l2 *l2, uint8_t type, const uint8_t *eth_dst,
        const uint8_t *src, const uint8_t *dst, const uint8_t *target,
        uint8_t na_flags)
{
    uint8_t *f = calloc(1, ETH_HLEN + IP6_HLEN + ND_LEN);
    uint8_t *ip6 = f + ETH_HLEN, *icmp = ip6 + IP6_HLEN;

    if (!f) {
        return;
    }
    eth_header(f, eth_dst, l2->mac, ETHERTYPE_IPV6);
    ip6[0] = 0x60;
    put16(ip6 + 4, ND_LEN);
    ip6[6] = 58;
    ip6[7] = 255;
    memcpy(ip6 + 8, src, 16);
    memcpy(ip6 + 24, dst, 16);
    icmp[0] = type;
    icmp[4] = na_flags;
    memcpy(icmp + 8, target, 16);
    icmp[24] = type == ICMP6_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
    icmp[25] = 1;
    memcpy(icmp + 26, l2->mac, 6);
    put16(icmp + 2, icmp6_csum(ip6, icmp, ND_LEN));
    push_out(l2, f, ETH_HLEN + IP6_HLEN + ND_LEN);
}

/* Our IPv4 address to ask from: the packet's source if it is ours, else
 * one whose prefix holds 'dst', else the first, else 0.0.0.0. */
static void
pick_src4(const struct ls_tun_l2 *l2, const uint8_t *pkt_src,
          const uint8_t *dst, uint8_t *src)
{
    unsigned int i;

    memset(src, 0, 4);
    if (pkt_src && is_our4(l2, pkt_src)) {
        memcpy(src, pkt_src, 4);
        return;
    }
    for (i = 0; i < l2->n_addr4; i++) {
        if (prefix_match((const uint8_t *) &l2->addr4[i].addr, dst,
                         l2->addr4[i].plen)) {
            memcpy(src, &l2->addr4[i].addr, 4);
            return;
        }
    }
    if (l2->n_addr4) {
        memcpy(src, &l2->addr4[0].addr, 4);
    }
}

/* The same for IPv6; without an address, the link-local address made from
 * the port's MAC (modified EUI-64). */
static void
pick_src6(const struct ls_tun_l2 *l2, const uint8_t *pkt_src,
          const uint8_t *dst, uint8_t *src)
{
    unsigned int i;

    if (pkt_src && is_our6(l2, pkt_src)) {
        memcpy(src, pkt_src, 16);
        return;
    }
    for (i = 0; i < l2->n_addr6; i++) {
        if (prefix_match(l2->addr6[i].addr.s6_addr, dst, l2->addr6[i].plen)) {
            memcpy(src, &l2->addr6[i].addr, 16);
            return;
        }
    }
    if (l2->n_addr6) {
        memcpy(src, &l2->addr6[0].addr, 16);
        return;
    }
    memset(src, 0, 16);
    src[0] = 0xfe;
    src[1] = 0x80;
    src[8] = l2->mac[0] ^ 0x02;
    src[9] = l2->mac[1];
    src[10] = l2->mac[2];
    src[11] = 0xff;
    src[12] = 0xfe;
    src[13] = l2->mac[3];
    src[14] = l2->mac[4];
    src[15] = l2->mac[5];
}

/* Asks who has 'e->ip' (ARP request or neighbour solicitation).
 * 'pkt_src' is the source address of the packet that needs the answer. */
static void
ask(struct ls_tun_l2 *l2, struct ls_tun_neigh *e, const uint8_t *pkt_src,
    uint64_t now)
{
    static const uint8_t zero_mac[6];
    uint8_t src[16], dst[16], mac[6];

    e->asked = true;
    e->asked_ms = now;
    if (e->family == AF_INET) {
        pick_src4(l2, pkt_src, e->ip, src);
        send_arp(l2, 1, bcast_mac, src, zero_mac, e->ip);
    } else {
        pick_src6(l2, pkt_src, e->ip, src);
        memset(dst, 0, sizeof dst);
        dst[0] = 0xff;
        dst[1] = 0x02;
        dst[11] = 0x01;
        dst[12] = 0xff;
        memcpy(dst + 13, e->ip + 13, 3);
        mac[0] = 0x33;
        mac[1] = 0x33;
        memcpy(mac + 2, dst + 12, 4);
        send_nd(l2, ICMP6_NS, mac, src, dst, e->ip, 0);
    }
}

static enum ls_tun_rx
handle_arp(struct ls_tun_l2 *l2, const uint8_t *f, size_t flen, bool for_us,
           uint64_t now)
{
    const uint8_t *a = f + ETH_HLEN;
    const uint8_t *sha = a + 8, *spa = a + 14, *tpa = a + 24;

    if (flen < ETH_HLEN + ARP_LEN || get16(a) != 1 ||
        get16(a + 2) != ETHERTYPE_IP || a[4] != 6 || a[5] != 4) {
        return LS_TUN_NOT_IP;
    }
    learn(l2, AF_INET, spa, sha, now);
    if (get16(a + 6) == 1 && for_us && is_our4(l2, tpa) &&
        memcmp(spa, tpa, 4)) {
        send_arp(l2, 2, sha, tpa, sha, spa);
    }
    return LS_TUN_CONSUMED;
}

/* Finds link-layer address option 'type' in the ND options at 'o'. */
static const uint8_t *
nd_option(const uint8_t *o, size_t len, uint8_t type)
{
    while (len >= 8 && o[1]) {
        size_t olen = (size_t) o[1] * 8;

        if (olen > len) {
            break;
        }
        if (o[0] == type) {
            return o + 2;
        }
        o += olen;
        len -= olen;
    }
    return NULL;
}

static enum ls_tun_rx
handle_nd(struct ls_tun_l2 *l2, const uint8_t *f, size_t flen, uint64_t now)
{
    const uint8_t *ip6 = f + ETH_HLEN, *icmp = ip6 + IP6_HLEN;
    const uint8_t *src = ip6 + 8, *target = icmp + 8, *lla;
    size_t plen = get16(ip6 + 4), avail = flen - ETH_HLEN - IP6_HLEN;
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

    if (plen < 24 || ip6[7] != 255) {
        return LS_TUN_CONSUMED; /* Invalid neighbour discovery. */
    }
    plen = plen < avail ? plen : avail;
    if (icmp[0] == ICMP6_NA) {
        lla = nd_option(icmp + 24, plen - 24, ND_OPT_TLLA);
        learn(l2, AF_INET6, target, lla ? lla : f + 6, now);
        return LS_TUN_CONSUMED;
    }
    lla = nd_option(icmp + 24, plen - 24, ND_OPT_SLLA);
    if (lla && !is_zero(src, 16)) {
        learn(l2, AF_INET6, src, lla, now);
    }
    if (is_our6(l2, target)) {
        if (is_zero(src, 16)) { /* Duplicate address detection. */
            send_nd(l2, ICMP6_NA, all_nodes_mac, target, all_nodes, target,
                    0x20);
        } else {
            send_nd(l2, ICMP6_NA, lla ? lla : f + 6, target, src, target,
                    0x60);
        }
    }
    return LS_TUN_CONSUMED;
}

/* Decides what to do with a frame the switch delivers to the port: 'f'
 * holds its first 'flen' bytes (at least min(len, LS_TUN_PEEK)), 'len' is
 * its length.  ARP and neighbour discovery are handled here (answers are
 * queued); IP for the port's MAC, broadcast or multicast goes to the tun
 * from '*ip_off'. */
enum ls_tun_rx
ls_tun_l2_from_switch(struct ls_tun_l2 *l2, const uint8_t *f, size_t flen,
                      size_t len, uint64_t now, size_t *ip_off)
{
    bool for_us;
    uint16_t type;

    if (flen < ETH_HLEN || len < ETH_HLEN) {
        return LS_TUN_NOT_IP;
    }
    for_us = !memcmp(f, l2->mac, 6) || (f[0] & 1);
    type = get16(f + 12);
    if (type == ETHERTYPE_ARP) {
        return handle_arp(l2, f, flen, for_us, now);
    }
    if (type != ETHERTYPE_IP && type != ETHERTYPE_IPV6) {
        return LS_TUN_NOT_IP;
    }
    if (type == ETHERTYPE_IPV6 && flen >= ETH_HLEN + IP6_HLEN + 24 &&
        f[ETH_HLEN + 6] == 58 &&
        (f[ETH_HLEN + IP6_HLEN] == ICMP6_NS ||
         f[ETH_HLEN + IP6_HLEN] == ICMP6_NA)) {
        return handle_nd(l2, f, flen, now);
    }
    if (!for_us) {
        return LS_TUN_NOT_OURS;
    }
    *ip_off = ETH_HLEN;
    return LS_TUN_TO_TUN;
}

/* Resolves the destination MAC of an IPv4 or IPv6 packet. */
static enum ls_tun_tx
resolve(struct ls_tun_l2 *l2, int family, const uint8_t *pkt_src,
        const uint8_t *dst, uint8_t *frame, size_t ip_len, uint64_t now,
        uint8_t *mac)
{
    struct ls_tun_neigh *e = neigh_find(l2, family, dst);

    if (e && e->valid) {
        memcpy(mac, e->mac, 6);
        if (now - e->seen_ms >= LS_TUN_STALE_MS &&
            (!e->asked || now - e->asked_ms >= LS_TUN_ASK_MS)) {
            ask(l2, e, pkt_src, now);
        }
        return LS_TUN_SEND;
    }
    e = e ? e : neigh_get(l2, family, dst, now);
    free(e->held);
    e->held = malloc(ETH_HLEN + ip_len);
    e->held_len = (uint32_t) (ETH_HLEN + ip_len);
    if (e->held) {
        memcpy(e->held + ETH_HLEN, frame + ETH_HLEN, ip_len);
    }
    if (!e->asked || now - e->asked_ms >= LS_TUN_ASK_MS) {
        ask(l2, e, pkt_src, now);
    }
    return LS_TUN_HELD;
}

/* Adds the Ethernet header to the IP packet of 'ip_len' bytes read from
 * the tun at 'frame' + 14.  Returns LS_TUN_SEND (frame complete),
 * LS_TUN_HELD (the packet was copied and waits for an answer to the
 * request queued meanwhile), or LS_TUN_DROP. */
enum ls_tun_tx
ls_tun_l2_from_tun(struct ls_tun_l2 *l2, uint8_t *frame, size_t ip_len,
                   uint64_t now)
{
    const uint8_t *ip = frame + ETH_HLEN, *dst;
    uint8_t mac[6];
    uint16_t type;
    int family;

    if (ip_len >= 20 && ip[0] >> 4 == 4) {
        family = AF_INET;
        type = ETHERTYPE_IP;
        dst = ip + 16;
        if (is_bcast4(l2, dst)) {
            memcpy(mac, bcast_mac, 6);
        } else if ((dst[0] & 0xf0) == 0xe0) {
            mac[0] = 0x01;
            mac[1] = 0x00;
            mac[2] = 0x5e;
            mac[3] = dst[1] & 0x7f;
            mac[4] = dst[2];
            mac[5] = dst[3];
        } else if (resolve(l2, family, ip + 12, dst, frame, ip_len, now,
                           mac) == LS_TUN_HELD) {
            return LS_TUN_HELD;
        }
    } else if (ip_len >= IP6_HLEN && ip[0] >> 4 == 6) {
        family = AF_INET6;
        type = ETHERTYPE_IPV6;
        dst = ip + 24;
        if (dst[0] == 0xff) {
            mac[0] = 0x33;
            mac[1] = 0x33;
            memcpy(mac + 2, dst + 12, 4);
        } else if (resolve(l2, family, ip + 8, dst, frame, ip_len, now, mac) ==
                   LS_TUN_HELD) {
            return LS_TUN_HELD;
        }
    } else {
        return LS_TUN_DROP;
    }
    eth_header(frame, mac, l2->mac, type);
    return LS_TUN_SEND;
}
