/* Unit tests for the L2 face of tun ports (plug/tun_l2.c): ARP and IPv6
 * neighbour discovery answers, learning, resolution with a held packet,
 * Ethernet headers, and what is dropped. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "plug/tun_l2.h"
#include "plug/url.h"

static const uint8_t port_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t host_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
static const uint8_t other_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The tun side is 10.0.0.1/24 and fd00::1/64; the VDE host is 10.0.0.2
 * and fd00::2. */
static struct ls_tun_l2 *
setup(void)
{
    struct ls_tun_l2 *l2 = malloc(sizeof *l2);
    struct ls_url u;
    char err[128];

    assert_non_null(l2);
    assert_int_equal(ls_url_parse("tun://t?addr=10.0.0.1/24&addr6=fd00::1/64",
                                  &u, err, sizeof err),
                     0);
    ls_tun_l2_init(l2, port_mac, &u);
    return l2;
}

static void
teardown(struct ls_tun_l2 *l2)
{
    ls_tun_l2_fini(l2);
    free(l2);
}

static void
ip4(const char *s, uint8_t *out)
{
    assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void
ip6(const char *s, uint8_t *out)
{
    assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

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

/* An ARP frame (60 bytes). */
static size_t
arp(uint8_t *f, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha,
    const char *spa, const char *tpa)
{
    memset(f, 0, 60);
    memcpy(f, eth_dst, 6);
    memcpy(f + 6, sha, 6);
    put16(f + 12, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, op);
    memcpy(f + 22, sha, 6);
    ip4(spa, f + 28);
    ip4(tpa, f + 38);
    return 60;
}

/* An IPv4 packet of 'len' bytes (header only matters) at 'p'. */
static void
ipv4_packet(uint8_t *p, size_t len, const char *src, const char *dst)
{
    memset(p, 0, len);
    p[0] = 0x45;
    put16(p + 2, (uint16_t) len);
    p[8] = 64;
    p[9] = 1;
    ip4(src, p + 12);
    ip4(dst, p + 16);
}

static void
ipv6_packet(uint8_t *p, size_t len, const char *src, const char *dst)
{
    memset(p, 0, len);
    p[0] = 0x60;
    put16(p + 4, (uint16_t) (len - 40));
    p[6] = 17;
    p[7] = 64;
    ip6(src, p + 8);
    ip6(dst, p + 24);
}

/* Sum of the ICMPv6 message with its pseudo-header: 0xffff if the
 * checksum is right. */
static uint16_t
icmp6_sum(const uint8_t *ip)
{
    size_t len = get16(ip + 4), i;
    uint32_t sum = 58 + (uint32_t) len;

    for (i = 8; i < 40; i += 2) {
        sum += get16(ip + i);
    }
    for (i = 0; i + 1 < len; i += 2) {
        sum += get16(ip + 40 + i);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) sum;
}

/* An NS (type 135) or NA (136) frame with a link-layer option of 'lla'
 * (none if NULL). */
static size_t
nd(uint8_t *f, uint8_t type, const uint8_t *eth_src, const uint8_t *eth_dst,
   const char *src, const char *dst, const char *target, const uint8_t *lla)
{
    size_t plen = 24 + (lla ? 8 : 0);
    uint8_t *ip = f + 14, *icmp = ip + 40;

    memset(f, 0, 14 + 40 + plen);
    memcpy(f, eth_dst, 6);
    memcpy(f + 6, eth_src, 6);
    put16(f + 12, 0x86dd);
    ip[0] = 0x60;
    put16(ip + 4, (uint16_t) plen);
    ip[6] = 58;
    ip[7] = 255;
    ip6(src, ip + 8);
    ip6(dst, ip + 24);
    icmp[0] = type;
    ip6(target, icmp + 8);
    if (lla) {
        icmp[24] = type == 135 ? 1 : 2;
        icmp[25] = 1;
        memcpy(icmp + 26, lla, 6);
    }
    return 14 + 40 + plen;
}

static enum ls_tun_rx
from_switch(struct ls_tun_l2 *l2, const uint8_t *f, size_t len, uint64_t now,
            size_t *off)
{
    return ls_tun_l2_from_switch(l2, f, len < LS_TUN_PEEK ? len : LS_TUN_PEEK,
                                 len, now, off);
}

static void
test_arp_reply(void **state)
{
    struct ls_tun_l2 *l2 = setup();
    uint8_t f[128], out[LS_TUN_PEEK * 2], a[4];
    const struct ls_tun_neigh *e;
    size_t off, n;

    n = arp(f, 1, bcast, host_mac, "10.0.0.2", "10.0.0.1");
    assert_int_equal(from_switch(l2, f, n, 5, &off), LS_TUN_CONSUMED);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 60);
    assert_memory_equal(out, host_mac, 6);
    assert_memory_equal(out + 6, port_mac, 6);
    assert_int_equal(get16(out + 12), 0x0806);
    assert_int_equal(get16(out + 20), 2);
    assert_memory_equal(out + 22, port_mac, 6);
    ip4("10.0.0.1", a);
    assert_memory_equal(out + 28, a, 4);
    assert_memory_equal(out + 32, host_mac, 6);
    ip4("10.0.0.2", a);
    assert_memory_equal(out + 38, a, 4);
    assert_false(ls_tun_l2_pending(l2));

    /* The requester was learned. */
    e = ls_tun_l2_lookup(l2, AF_INET, a);
    assert_non_null(e);
    assert_true(e->valid);
    assert_memory_equal(e->mac, host_mac, 6);

    /* A request for someone else: learned, not answered. */
    n = arp(f, 1, bcast, other_mac, "10.0.0.3", "10.0.0.9");
    assert_int_equal(from_switch(l2, f, n, 6, &off), LS_TUN_CONSUMED);
    assert_false(ls_tun_l2_pending(l2));
    ip4("10.0.0.3", a);
    assert_non_null(ls_tun_l2_lookup(l2, AF_INET, a));

    /* Someone claiming our address is not learned. */
    n = arp(f, 2, bcast, other_mac, "10.0.0.1", "10.0.0.1");
    assert_int_equal(from_switch(l2, f, n, 7, &off), LS_TUN_CONSUMED);
    ip4("10.0.0.1", a);
    assert_null(ls_tun_l2_lookup(l2, AF_INET, a));

    /* Malformed ARP (hardware length 8). */
    n = arp(f, 1, bcast, host_mac, "10.0.0.2", "10.0.0.1");
    f[18] = 8;
    assert_int_equal(from_switch(l2, f, n, 8, &off), LS_TUN_NOT_IP);
    assert_false(ls_tun_l2_pending(l2));
    teardown(l2);
}

static void
test_resolve_ipv4(void **state)
{
    struct ls_tun_l2 *l2 = setup();
    uint8_t frame[14 + 100], f[128], out[256], a[4];
    size_t off, n;

    /* Unknown destination: held, an ARP request from our address. */
    ipv4_packet(frame + 14, 100, "10.0.0.1", "10.0.0.2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 1000), LS_TUN_HELD);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 60);
    assert_memory_equal(out, bcast, 6);
    assert_memory_equal(out + 6, port_mac, 6);
    assert_int_equal(get16(out + 20), 1);
    ip4("10.0.0.1", a);
    assert_memory_equal(out + 28, a, 4);
    ip4("10.0.0.2", a);
    assert_memory_equal(out + 38, a, 4);

    /* A second packet within a second: held instead, no new request. */
    ipv4_packet(frame + 14, 100, "10.0.0.1", "10.0.0.2");
    frame[14 + 99] = 0x77;
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 1500), LS_TUN_HELD);
    assert_false(ls_tun_l2_pending(l2));

    /* The reply releases the held (latest) packet with its header. */
    n = arp(f, 2, port_mac, host_mac, "10.0.0.2", "10.0.0.1");
    assert_int_equal(from_switch(l2, f, n, 1600, &off), LS_TUN_CONSUMED);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 114);
    assert_memory_equal(out, host_mac, 6);
    assert_memory_equal(out + 6, port_mac, 6);
    assert_int_equal(get16(out + 12), 0x0800);
    assert_int_equal(out[14 + 99], 0x77);

    /* Now known: sent at once. */
    ipv4_packet(frame + 14, 100, "10.0.0.1", "10.0.0.2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 2000), LS_TUN_SEND);
    assert_memory_equal(frame, host_mac, 6);
    assert_memory_equal(frame + 6, port_mac, 6);
    assert_int_equal(get16(frame + 12), 0x0800);
    assert_false(ls_tun_l2_pending(l2));

    /* Stale after a minute: still sent, and asked again. */
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 1600 + 60000),
                     LS_TUN_SEND);
    assert_true(ls_tun_l2_pending(l2));
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(get16(out + 20), 1);

    /* Unanswered: asked again only after a second. */
    ipv4_packet(frame + 14, 100, "10.0.0.1", "10.0.0.77");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 100000), LS_TUN_HELD);
    assert_int_equal(ls_tun_l2_pop(l2, out, sizeof out), 60);
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 100999), LS_TUN_HELD);
    assert_false(ls_tun_l2_pending(l2));
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 100, 101000), LS_TUN_HELD);
    assert_true(ls_tun_l2_pending(l2));
    teardown(l2); /* Frees the held packet and the queued request. */
}

static void
test_ipv4_group_addresses(void **state)
{
    static const uint8_t mdns[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
    struct ls_tun_l2 *l2 = setup();
    uint8_t frame[14 + 40];

    ipv4_packet(frame + 14, 40, "10.0.0.1", "255.255.255.255");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 40, 0), LS_TUN_SEND);
    assert_memory_equal(frame, bcast, 6);
    ipv4_packet(frame + 14, 40, "10.0.0.1", "10.0.0.255");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 40, 0), LS_TUN_SEND);
    assert_memory_equal(frame, bcast, 6);
    ipv4_packet(frame + 14, 40, "10.0.0.1", "224.0.0.251");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 40, 0), LS_TUN_SEND);
    assert_memory_equal(frame, mdns, 6);
    assert_false(ls_tun_l2_pending(l2));

    /* Not IP, or too short. */
    frame[14] = 0x50;
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 40, 0), LS_TUN_DROP);
    ipv4_packet(frame + 14, 40, "10.0.0.1", "10.0.0.2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 19, 0), LS_TUN_DROP);
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 0, 0), LS_TUN_DROP);
    teardown(l2);
}

static void
test_to_tun(void **state)
{
    struct ls_tun_l2 *l2 = setup();
    uint8_t f[128];
    size_t off = 0;

    /* IPv4 to the port's MAC: to the tun, after the header. */
    memcpy(f, port_mac, 6);
    memcpy(f + 6, host_mac, 6);
    put16(f + 12, 0x0800);
    ipv4_packet(f + 14, 60, "10.0.0.2", "10.0.0.1");
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_TO_TUN);
    assert_int_equal(off, 14);

    /* Broadcast too. */
    memcpy(f, bcast, 6);
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_TO_TUN);

    /* Unicast for another MAC (flooded): not ours. */
    memcpy(f, other_mac, 6);
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_NOT_OURS);

    /* Other protocols, tagged frames, runts: not IP. */
    memcpy(f, port_mac, 6);
    put16(f + 12, 0x88b5);
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_NOT_IP);
    put16(f + 12, 0x8100);
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_NOT_IP);
    assert_int_equal(from_switch(l2, f, 13, 0, &off), LS_TUN_NOT_IP);

    /* IPv6 to the port's MAC: to the tun. */
    put16(f + 12, 0x86dd);
    ipv6_packet(f + 14, 60, "fd00::2", "fd00::1");
    assert_int_equal(from_switch(l2, f, 74, 0, &off), LS_TUN_TO_TUN);
    assert_false(ls_tun_l2_pending(l2));
    teardown(l2);
}

static void
test_ns_answered(void **state)
{
    static const uint8_t sol_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x01};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    struct ls_tun_l2 *l2 = setup();
    uint8_t f[128], out[256], a[16];
    const struct ls_tun_neigh *e;
    size_t off, n;

    n = nd(f, 135, host_mac, sol_mac, "fd00::2", "ff02::1:ff00:1", "fd00::1",
           host_mac);
    assert_int_equal(from_switch(l2, f, n, 0, &off), LS_TUN_CONSUMED);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 14 + 40 + 32);
    assert_memory_equal(out, host_mac, 6);
    assert_memory_equal(out + 6, port_mac, 6);
    assert_int_equal(get16(out + 12), 0x86dd);
    assert_int_equal(out[14 + 6], 58);
    assert_int_equal(out[14 + 7], 255);
    ip6("fd00::1", a);
    assert_memory_equal(out + 14 + 8, a, 16); /* From the target. */
    assert_memory_equal(out + 54 + 8, a, 16); /* Target. */
    ip6("fd00::2", a);
    assert_memory_equal(out + 14 + 24, a, 16); /* To the solicitor. */
    assert_int_equal(out[54], 136);
    assert_int_equal(out[54 + 4], 0x60); /* Solicited, override. */
    assert_int_equal(out[54 + 24], 2);   /* Target link-layer address. */
    assert_memory_equal(out + 54 + 26, port_mac, 6);
    assert_int_equal(icmp6_sum(out + 14), 0xffff);

    /* The solicitor was learned. */
    e = ls_tun_l2_lookup(l2, AF_INET6, a);
    assert_non_null(e);
    assert_memory_equal(e->mac, host_mac, 6);

    /* Duplicate address detection (from ::): answered to all nodes. */
    n = nd(f, 135, other_mac, sol_mac, "::", "ff02::1:ff00:1", "fd00::1",
           NULL);
    assert_int_equal(from_switch(l2, f, n, 0, &off), LS_TUN_CONSUMED);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 14 + 40 + 32);
    assert_memory_equal(out, all_nodes_mac, 6);
    ip6("ff02::1", a);
    assert_memory_equal(out + 14 + 24, a, 16);
    assert_int_equal(out[54 + 4], 0x20);
    assert_int_equal(icmp6_sum(out + 14), 0xffff);

    /* A solicitation for another target: not answered. */
    n = nd(f, 135, host_mac, sol_mac, "fd00::2", "ff02::1:ff00:9", "fd00::9",
           host_mac);
    assert_int_equal(from_switch(l2, f, n, 0, &off), LS_TUN_CONSUMED);
    assert_false(ls_tun_l2_pending(l2));

    /* Hop limit not 255: ignored. */
    n = nd(f, 135, host_mac, sol_mac, "fd00::2", "ff02::1:ff00:1", "fd00::1",
           host_mac);
    f[14 + 7] = 64;
    assert_int_equal(from_switch(l2, f, n, 0, &off), LS_TUN_CONSUMED);
    assert_false(ls_tun_l2_pending(l2));
    teardown(l2);
}

static void
test_resolve_ipv6(void **state)
{
    static const uint8_t sol_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x02};
    static const uint8_t mc_mac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0xfb};
    struct ls_tun_l2 *l2 = setup();
    uint8_t frame[14 + 80], f[128], out[256], a[16];
    size_t off, n;

    ipv6_packet(frame + 14, 80, "fd00::1", "fd00::2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 80, 0), LS_TUN_HELD);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 14 + 40 + 32);
    assert_memory_equal(out, sol_mac, 6);
    ip6("fd00::1", a);
    assert_memory_equal(out + 14 + 8, a, 16);
    ip6("ff02::1:ff00:2", a);
    assert_memory_equal(out + 14 + 24, a, 16);
    assert_int_equal(out[54], 135);
    ip6("fd00::2", a);
    assert_memory_equal(out + 54 + 8, a, 16);
    assert_int_equal(out[54 + 24], 1); /* Source link-layer address. */
    assert_memory_equal(out + 54 + 26, port_mac, 6);
    assert_int_equal(icmp6_sum(out + 14), 0xffff);

    /* The advertisement (without an option: the frame's source) releases
     * the packet. */
    n = nd(f, 136, host_mac, port_mac, "fd00::2", "fd00::1", "fd00::2", NULL);
    assert_int_equal(from_switch(l2, f, n, 10, &off), LS_TUN_CONSUMED);
    n = ls_tun_l2_pop(l2, out, sizeof out);
    assert_int_equal(n, 14 + 80);
    assert_memory_equal(out, host_mac, 6);
    assert_int_equal(get16(out + 12), 0x86dd);

    ipv6_packet(frame + 14, 80, "fd00::1", "fd00::2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 80, 20), LS_TUN_SEND);
    assert_memory_equal(frame, host_mac, 6);

    /* Multicast: 33:33 + the low 32 bits. */
    ipv6_packet(frame + 14, 80, "fd00::1", "ff02::fb");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 80, 20), LS_TUN_SEND);
    assert_memory_equal(frame, mc_mac, 6);
    teardown(l2);
}

static void
test_link_local_source(void **state)
{
    struct ls_tun_l2 *l2 = malloc(sizeof *l2);
    uint8_t frame[14 + 80], out[256], a[16];
    struct ls_url u;
    char err[128];

    /* Without addr6, solicitations come from the EUI-64 link-local. */
    assert_non_null(l2);
    assert_int_equal(
        ls_url_parse("tun://t?addr=10.0.0.1/24", &u, err, sizeof err), 0);
    ls_tun_l2_init(l2, port_mac, &u);
    ipv6_packet(frame + 14, 80, "fe80::99", "fe80::2");
    assert_int_equal(ls_tun_l2_from_tun(l2, frame, 80, 0), LS_TUN_HELD);
    assert_int_equal(ls_tun_l2_pop(l2, out, sizeof out), 14 + 40 + 32);
    ip6("fe80::11:22ff:fe33:4455", a);
    assert_memory_equal(out + 14 + 8, a, 16);
    assert_int_equal(icmp6_sum(out + 14), 0xffff);
    teardown(l2);
}

static void
test_out_queue_bound(void **state)
{
    struct ls_tun_l2 *l2 = setup();
    uint8_t frame[14 + 40];
    char dst[32];
    int i;

    for (i = 0; i < LS_TUN_OUT + 8; i++) {
        snprintf(dst, sizeof dst, "10.0.1.%d", i + 1);
        ipv4_packet(frame + 14, 40, "10.0.0.1", dst);
        assert_int_equal(ls_tun_l2_from_tun(l2, frame, 40, 0), LS_TUN_HELD);
    }
    assert_int_equal(l2->out_count, LS_TUN_OUT);
    assert_int_equal(l2->out_overflows, 8);
    teardown(l2);
}

static void
test_neighbour_table_bound(void **state)
{
    struct ls_tun_l2 *l2 = setup();
    uint8_t f[128], mac[6], a[4];
    unsigned int i, found = 0;
    size_t off;
    char ip[32];

    /* Far more hosts than slots: the table stays bounded and the most
     * recent ones are found. */
    memcpy(mac, host_mac, 6);
    for (i = 0; i < 4 * LS_TUN_NEIGH; i++) {
        snprintf(ip, sizeof ip, "10.%u.%u.%u", 1 + i / 65536, (i / 256) % 256,
                 i % 256);
        mac[4] = (uint8_t) (i >> 8);
        mac[5] = (uint8_t) i;
        arp(f, 1, bcast, mac, ip, "10.0.0.99");
        assert_int_equal(from_switch(l2, f, 60, i, &off), LS_TUN_CONSUMED);
    }
    for (i = 4 * LS_TUN_NEIGH - 16; i < 4 * LS_TUN_NEIGH; i++) {
        snprintf(ip, sizeof ip, "10.%u.%u.%u", 1 + i / 65536, (i / 256) % 256,
                 i % 256);
        ip4(ip, a);
        found += ls_tun_l2_lookup(l2, AF_INET, a) != NULL;
    }
    assert_true(found >= 12);
    teardown(l2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arp_reply),
        cmocka_unit_test(test_resolve_ipv4),
        cmocka_unit_test(test_ipv4_group_addresses),
        cmocka_unit_test(test_to_tun),
        cmocka_unit_test(test_ns_answered),
        cmocka_unit_test(test_resolve_ipv6),
        cmocka_unit_test(test_link_local_source),
        cmocka_unit_test(test_out_queue_bound),
        cmocka_unit_test(test_neighbour_table_bound),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
