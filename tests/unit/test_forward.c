/* Unit tests for the data path (switch/forward.c) through the real core:
 * a switch without an event loop, endpoints with a scripted backend. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plug/plug.h"
#include "switch/clock.h"
#include "switch/fdb.h"
#include "switch/forward.h"
#include "switch/switch.h"
#include "switch/vlan.h"

#define NPORTS 8
#define MAX_IN (2 * LS_BATCH)
#define MAX_OUT 256

/* ------------------------------------------------------------------ */
/* The test backend: recv_batch returns scripted frames, send_batch
 * records what it gets and may refuse after a budget. */

struct in_frame {
    uint8_t *data;
    uint32_t len;
    uint32_t flags;
};

struct out_frame {
    uint8_t *data;
    uint32_t len;
};

struct tb {
    struct in_frame in[MAX_IN];
    unsigned int n_in;
    struct out_frame out[MAX_OUT];
    unsigned int n_out;
    int budget; /* Frames accepted before 'refuse'; -1: no limit. */
    int refuse; /* EAGAIN or another errno value. */
    unsigned int send_calls;
    int carrier; /* Last set_carrier(), -1 if never called. */
    bool closed;
};

static int
tb_recv_batch(struct ls_endpoint *ep, struct ls_rxframe *frames,
              unsigned int max, unsigned int *n)
{
    struct tb *tb = ep->priv;
    unsigned int i, k = tb->n_in < max ? tb->n_in : max;

    for (i = 0; i < k; i++) {
        assert_true(tb->in[i].len <= LS_FRAME_MAX + 1);
        memcpy(frames[i].data, tb->in[i].data, tb->in[i].len);
        frames[i].len = tb->in[i].len;
        frames[i].flags = tb->in[i].flags;
        free(tb->in[i].data);
    }
    memmove(tb->in, tb->in + k, (tb->n_in - k) * sizeof *tb->in);
    tb->n_in -= k;
    *n = k;
    return 0;
}

static int
tb_send_batch(struct ls_endpoint *ep, const struct ls_txframe *tx,
              unsigned int n, unsigned int *sent)
{
    struct tb *tb = ep->priv;
    unsigned int i;

    tb->send_calls++;
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        struct out_frame *o;
        uint32_t off = 0;
        int j;

        if (tb->budget == 0) {
            *sent = i;
            return tb->refuse;
        }
        assert_true(tb->n_out < MAX_OUT);
        assert_true(tx[i].iovcnt >= 1 && tx[i].iovcnt <= 3);
        o = &tb->out[tb->n_out++];
        o->len = tx[i].len;
        o->data = malloc(tx[i].len);
        assert_non_null(o->data);
        for (j = 0; j < tx[i].iovcnt; j++) {
            assert_true(off + tx[i].iov[j].iov_len <= tx[i].len);
            memcpy(o->data + off, tx[i].iov[j].iov_base, tx[i].iov[j].iov_len);
            off += (uint32_t) tx[i].iov[j].iov_len;
        }
        assert_int_equal(off, tx[i].len);
        if (tb->budget > 0) {
            tb->budget--;
        }
    }
    *sent = n;
    return 0;
}

static void
tb_close(struct ls_endpoint *ep)
{
    struct tb *tb = ep->priv;

    tb->closed = true;
}

static int
tb_set_carrier(struct ls_endpoint *ep, bool up)
{
    struct tb *tb = ep->priv;

    tb->carrier = up;
    return 0;
}

static const struct ls_plug_ops tb_ops = {
    .module = "test",
    .recv_batch = tb_recv_batch,
    .send_batch = tb_send_batch,
    .close = tb_close,
    .set_carrier = tb_set_carrier,
};

static void
tb_clear_out(struct tb *tb)
{
    unsigned int i;

    for (i = 0; i < tb->n_out; i++) {
        free(tb->out[i].data);
    }
    tb->n_out = 0;
}

/* ------------------------------------------------------------------ */
/* Fixture. */

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
    return fake_now;
}

struct fx {
    struct ls_switch *sw;
    struct tb tb[NPORTS];
    struct ls_endpoint *ep[NPORTS];
    /* A second endpoint on one port, for the multi-endpoint test. */
    struct tb tb2;
    struct ls_endpoint *ep2;
};

static struct fx *
fx_new(bool hub, unsigned int queue_frames)
{
    struct ls_switch_config cfg;
    struct fx *fx = calloc(1, sizeof *fx);
    unsigned int i;

    assert_non_null(fx);
    fake_now = 1000000;
    ls_clock_set(fake_clock);
    ls_switch_default_config(&cfg);
    cfg.numports = NPORTS;
    cfg.hub = hub;
    if (queue_frames) {
        cfg.queue_frames = queue_frames;
    }
    assert_int_equal(ls_switch_create(&cfg, &fx->sw), 0);
    assert_non_null(fx->sw);
    assert_ptr_equal(ls_sw, fx->sw);
    for (i = 0; i < NPORTS; i++) {
        fx->tb[i].budget = -1;
        fx->tb[i].refuse = EAGAIN;
        fx->tb[i].carrier = -1;
    }
    fx->tb2.budget = -1;
    fx->tb2.refuse = EAGAIN;
    fx->tb2.carrier = -1;
    return fx;
}

/* Attaches an endpoint of the test backend to port 'num'. */
static struct ls_endpoint *
fx_attach(struct fx *fx, unsigned int num)
{
    struct ls_port *p = ls_port_get(fx->sw, num);

    if (!p) {
        assert_int_equal(ls_port_create(fx->sw, num, false, &p), 0);
    }
    assert_int_equal(ls_endpoint_attach(fx->sw, p, &tb_ops, -1, (int) num, 0,
                                        "test endpoint", &fx->tb[num],
                                        &fx->ep[num]),
                     0);
    assert_non_null(fx->ep[num]);
    assert_int_equal(p->n_eps, 1);
    return fx->ep[num];
}

static int
setup(void **state)
{
    struct fx *fx = fx_new(false, 0);
    unsigned int i;

    for (i = 1; i <= 4; i++) {
        fx_attach(fx, i);
    }
    *state = fx;
    return 0;
}

static int
setup_hub(void **state)
{
    struct fx *fx = fx_new(true, 0);
    unsigned int i;

    for (i = 0; i <= 3; i++) {
        fx_attach(fx, i);
    }
    *state = fx;
    return 0;
}

static int
setup_small_queue(void **state)
{
    struct fx *fx = fx_new(false, 8);
    unsigned int i;

    for (i = 1; i <= 3; i++) {
        fx_attach(fx, i);
    }
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *fx = *state;
    unsigned int i, j;

    ls_switch_close_all(fx->sw);
    for (i = 0; i < NPORTS; i++) {
        if (fx->ep[i]) {
            assert_true(fx->tb[i].closed);
        }
        tb_clear_out(&fx->tb[i]);
        for (j = 0; j < fx->tb[i].n_in; j++) {
            free(fx->tb[i].in[j].data);
        }
    }
    tb_clear_out(&fx->tb2);
    ls_switch_destroy(fx->sw);
    assert_null(ls_sw);
    free(fx);
    ls_clock_set(NULL);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Frames. */

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MCAST[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

/* Host 'i': a unicast MAC. */
static const uint8_t *
host(unsigned int i)
{
    static uint8_t m[16][6];
    uint8_t *p = m[i % 16];

    p[0] = 0x02;
    p[1] = 0x00;
    p[2] = 0x00;
    p[3] = 0x00;
    p[4] = (uint8_t) (i >> 8);
    p[5] = (uint8_t) i;
    return p;
}

/* Builds a frame of 'len' bytes in 'buf': dst, src, an 802.1Q header with
 * 'tci' if 'tci' >= 0, then EtherType 0x0800 and a payload that starts
 * with 'seq' and goes on with a pattern. */
static uint32_t
make_frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, int tci,
           uint32_t len, uint8_t seq)
{
    uint32_t off = 12, i;

    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    if (tci >= 0) {
        buf[off++] = 0x81;
        buf[off++] = 0x00;
        buf[off++] = (uint8_t) (tci >> 8);
        buf[off++] = (uint8_t) tci;
    }
    buf[off++] = 0x08;
    buf[off++] = 0x00;
    assert_true(len > off);
    buf[off++] = seq;
    for (i = off; i < len; i++) {
        buf[i] = (uint8_t) (i * 13 + seq);
    }
    return len;
}

/* Queues raw bytes as received by the endpoint of backend 'tb'. */
static void
script_tb(struct tb *tb, const uint8_t *data, uint32_t len, uint32_t flags)
{
    struct in_frame *f;

    assert_true(tb->n_in < MAX_IN);
    f = &tb->in[tb->n_in++];
    f->data = malloc(len ? len : 1);
    assert_non_null(f->data);
    memcpy(f->data, data, len);
    f->len = len;
    f->flags = flags;
}

/* Queues raw bytes as received on port 'num'. */
static void
script(struct fx *fx, unsigned int num, const uint8_t *data, uint32_t len,
       uint32_t flags)
{
    script_tb(&fx->tb[num], data, len, flags);
}

/* Makes port 'num' receive one frame and the switch forward it. */
static void
input(struct fx *fx, unsigned int num, const uint8_t *data, uint32_t len)
{
    script(fx, num, data, len, 0);
    ls_forward_input(fx->sw, fx->ep[num]);
    assert_int_equal(fx->tb[num].n_in, 0);
}

/* Sends a 60-byte frame from 'src' to 'dst' into port 'num'. */
static void
send_simple(struct fx *fx, unsigned int num, const uint8_t *dst,
            const uint8_t *src, uint8_t seq)
{
    uint8_t f[60];

    input(fx, num, f, make_frame(f, dst, src, -1, sizeof f, seq));
}

/* Checks how many frames ports 0..NPORTS-1 got, then forgets them. */
static void
expect_counts(struct fx *fx, const unsigned int *counts)
{
    unsigned int i;

    for (i = 0; i < NPORTS; i++) {
        if (fx->tb[i].n_out != counts[i]) {
            fail_msg("port %u got %u frames, expected %u", i, fx->tb[i].n_out,
                     counts[i]);
        }
    }
}

static void
clear_all(struct fx *fx)
{
    unsigned int i;

    for (i = 0; i < NPORTS; i++) {
        tb_clear_out(&fx->tb[i]);
    }
    tb_clear_out(&fx->tb2);
}

static struct ls_port *
port(struct fx *fx, unsigned int num)
{
    struct ls_port *p = ls_port_get(fx->sw, num);

    assert_non_null(p);
    return p;
}

/* ------------------------------------------------------------------ */
/* Switching. */

static void
test_broadcast_floods(void **state)
{
    struct fx *fx = *state;
    uint8_t f[100];
    uint32_t len = make_frame(f, BCAST, host(1), -1, sizeof f, 7);
    unsigned int i;

    /* An allocated port without endpoints gets nothing. */
    assert_int_equal(ls_port_create(fx->sw, 5, false, NULL), 0);
    input(fx, 1, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 1, 0, 0, 0});
    for (i = 2; i <= 4; i++) {
        assert_int_equal(fx->tb[i].out[0].len, len);
        assert_memory_equal(fx->tb[i].out[0].data, f, len);
    }
    assert_int_equal(port(fx, 5)->stats.out_pkts, 0);

    /* Multicast floods too. */
    clear_all(fx);
    len = make_frame(f, MCAST, host(1), -1, sizeof f, 8);
    input(fx, 3, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 1, 0, 1, 0, 0, 0});
    /* A broadcast source address is not learned. */
    clear_all(fx);
    len = make_frame(f, host(9), BCAST, -1, sizeof f, 9);
    input(fx, 3, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 1, 0, 1, 0, 0, 0});
    assert_int_equal(ls_fdb_count(fx->sw->fdb), 1); /* host(1) only */
}

static void
test_unknown_unicast_floods(void **state)
{
    struct fx *fx = *state;

    send_simple(fx, 2, host(77), host(2), 1);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 1, 1, 0, 0, 0});
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 0, fake_now), 2);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(77), 0, fake_now),
                     LS_FDB_NONE);
}

static void
test_learned_unicast(void **state)
{
    struct fx *fx = *state;

    send_simple(fx, 2, BCAST, host(2), 1); /* host 2 behind port 2 */
    send_simple(fx, 3, BCAST, host(3), 2); /* host 3 behind port 3 */
    clear_all(fx);

    send_simple(fx, 1, host(2), host(1), 3);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 0, 0, 0, 0, 0});
    assert_int_equal(fx->tb[2].out[0].data[14], 3);

    /* And the answer goes back to port 1 only. */
    send_simple(fx, 2, host(1), host(2), 4);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 1, 0, 0, 0, 0, 0});

    /* The learned port must still be able to receive: a port whose link
     * went down gets nothing (and its MACs are forgotten). */
    clear_all(fx);
    assert_int_equal(ls_port_set_admin(fx->sw, 3, false), 0);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(3), 0, fake_now),
                     LS_FDB_NONE);
    send_simple(fx, 1, host(3), host(1), 5);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 0, 1, 0, 0, 0});
}

static void
test_to_ingress_port_dropped(void **state)
{
    struct fx *fx = *state;
    struct ls_port *p1 = port(fx, 1);

    send_simple(fx, 1, BCAST, host(5), 1); /* host 5 behind port 1 */
    clear_all(fx);
    send_simple(fx, 1, host(5), host(6), 2);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 0, 0, 0, 0, 0, 0});
    /* It was received (and host 6 learned) but not forwarded. */
    assert_int_equal(p1->stats.in_pkts, 2);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(6), 0, fake_now), 1);
    assert_int_equal(port(fx, 2)->stats.out_pkts, 1);
}

static void
test_several_endpoints(void **state)
{
    struct fx *fx = *state;
    struct ls_port *p2 = port(fx, 2);
    uint8_t f[64];
    uint32_t len;

    assert_int_equal(ls_endpoint_attach(fx->sw, p2, &tb_ops, -1, 20, 0, "",
                                        &fx->tb2, &fx->ep2),
                     0);
    assert_int_equal(p2->n_eps, 2);
    assert_ptr_equal(ls_endpoint_find(p2, 20), fx->ep2);
    assert_ptr_equal(ls_endpoint_find(p2, 2), fx->ep[2]);

    /* Both endpoints of port 2 get the frame; the port counts it once. */
    send_simple(fx, 1, BCAST, host(1), 1);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 1, 0, 0, 0});
    assert_int_equal(fx->tb2.n_out, 1);
    assert_int_equal(p2->stats.out_pkts, 1);

    /* A frame from one endpoint of port 2 does not go to the other. */
    clear_all(fx);
    len = make_frame(f, BCAST, host(2), -1, sizeof f, 2);
    script_tb(&fx->tb2, f, len, 0);
    ls_forward_input(fx->sw, fx->ep2);
    assert_int_equal(fx->tb2.n_in, 0);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 1, 1, 0, 0, 0});
    assert_int_equal(fx->tb2.n_out, 0);

    /* Closing one endpoint keeps the port active and its MACs. */
    ls_endpoint_detach(fx->sw, fx->ep2);
    assert_true(fx->tb2.closed);
    fx->ep2 = NULL;
    assert_int_equal(p2->n_eps, 1);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 0, fake_now), 2);
}

static void
test_runts_and_giants(void **state)
{
    struct fx *fx = *state;
    struct ls_port *p1 = port(fx, 1);
    uint8_t f[LS_FRAME_MAX + 1];
    uint32_t len;

    len = make_frame(f, BCAST, host(1), -1, sizeof f, 1);
    assert_int_equal(len, LS_FRAME_MAX + 1);
    for (len = 0; len < LS_FRAME_MIN; len++) {
        script(fx, 1, f, len, 0);
    }
    /* Truncated by the backend, and simply too long. */
    script(fx, 1, f, LS_FRAME_MAX, LS_RX_TRUNCATED);
    script(fx, 1, f, LS_FRAME_MAX + 1, 0);
    ls_forward_input(fx->sw, fx->ep[1]);

    expect_counts(fx, (unsigned int[NPORTS]){0});
    /* The empty datagram (a vde2 client closing) is not a runt. */
    assert_int_equal(p1->stats.drops[LS_DROP_RUNT], LS_FRAME_MIN - 1);
    assert_int_equal(p1->stats.drops[LS_DROP_GIANT], 2);
    assert_int_equal(p1->stats.in_pkts, 0);
    assert_int_equal(p1->stats.in_bytes, 0);
    assert_int_equal(ls_fdb_count(fx->sw->fdb), 0);

    /* The shortest frame passes. */
    input(fx, 1, f, LS_FRAME_MIN);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 1, 0, 0, 0});
    assert_int_equal(fx->tb[2].out[0].len, LS_FRAME_MIN);
    assert_int_equal(p1->stats.in_pkts, 1);
}

static void
test_jumbo(void **state)
{
    struct fx *fx = *state;
    static uint8_t f[LS_FRAME_MAX];
    uint32_t len = make_frame(f, BCAST, host(1), -1, sizeof f, 42);
    unsigned int i;

    assert_int_equal(len, 9234);
    input(fx, 1, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 1, 0, 0, 0});
    for (i = 2; i <= 4; i++) {
        assert_int_equal(fx->tb[i].out[0].len, 9234);
        assert_memory_equal(fx->tb[i].out[0].data, f, 9234);
        assert_int_equal(port(fx, i)->stats.out_bytes, 9234);
    }
    assert_int_equal(port(fx, 1)->stats.in_bytes, 9234);
    assert_int_equal(port(fx, 1)->stats.drops[LS_DROP_GIANT], 0);
}

static void
test_admin_link_down(void **state)
{
    struct fx *fx = *state;
    struct ls_port *p2 = port(fx, 2);

    send_simple(fx, 2, BCAST, host(2), 1);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 0, fake_now), 2);
    clear_all(fx);

    assert_int_equal(ls_port_set_admin(fx->sw, 2, false), 0);
    assert_false(ls_port_link_up(p2));
    assert_int_equal(fx->tb[2].carrier, 0);
    /* Its MACs are forgotten. */
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 0, fake_now),
                     LS_FDB_NONE);

    /* Nothing to it... */
    send_simple(fx, 1, BCAST, host(1), 2);
    send_simple(fx, 1, host(2), host(1), 3);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 0, 2, 2, 0, 0, 0});
    assert_int_equal(p2->stats.out_pkts, 0);

    /* ...nothing from it, and counted. */
    clear_all(fx);
    send_simple(fx, 2, BCAST, host(2), 4);
    send_simple(fx, 2, host(1), host(2), 5);
    expect_counts(fx, (unsigned int[NPORTS]){0});
    assert_int_equal(p2->stats.drops[LS_DROP_LINK], 2);
    assert_int_equal(p2->stats.in_pkts, 1);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 0, fake_now),
                     LS_FDB_NONE);

    /* Up again. */
    assert_int_equal(ls_port_set_admin(fx->sw, 2, true), 0);
    assert_int_equal(fx->tb[2].carrier, 1);
    send_simple(fx, 2, BCAST, host(2), 6);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 1, 1, 0, 0, 0});
    send_simple(fx, 1, BCAST, host(1), 7);
    assert_int_equal(fx->tb[2].n_out, 1);

    /* The carrier counts as well; a new endpoint on a down port hears
     * about it at once. */
    clear_all(fx);
    assert_int_equal(ls_port_set_carrier(fx->sw, 3, false), 0);
    send_simple(fx, 1, BCAST, host(1), 8);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 0, 1, 0, 0, 0});
    send_simple(fx, 3, BCAST, host(3), 9);
    assert_int_equal(port(fx, 3)->stats.drops[LS_DROP_LINK], 1);
    assert_int_equal(ls_port_set_admin(fx->sw, 5, false), ENXIO);
    assert_int_equal(ls_port_set_admin(fx->sw, NPORTS, false), EINVAL);
    assert_int_equal(ls_port_create(fx->sw, 5, false, NULL), 0);
    assert_int_equal(ls_port_set_admin(fx->sw, 5, false), 0);
    fx_attach(fx, 5);
    assert_int_equal(fx->tb[5].carrier, 0);
}

/* ------------------------------------------------------------------ */
/* VLANs. */

static void
test_vlan_transparent_trunk(void **state)
{
    struct fx *fx = *state;
    uint8_t f[80];
    uint32_t len = make_frame(f, BCAST, host(1), 0x300a, sizeof f, 1);
    unsigned int i;

    assert_int_equal(ls_vlans_count(fx->sw->vlans), 1);
    input(fx, 1, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 1, 0, 0, 0});
    for (i = 2; i <= 4; i++) {
        assert_int_equal(fx->tb[i].out[0].len, len);
        assert_memory_equal(fx->tb[i].out[0].data, f, len);
    }
    /* Unicast is learned per VID, and answered unchanged. */
    clear_all(fx);
    len = make_frame(f, host(1), host(3), 0x000a, sizeof f, 2);
    input(fx, 3, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 0, 0, 0, 0, 0});
    assert_memory_equal(fx->tb[1].out[0].data, f, len);

    /* A port without VLAN 0 does not take part in the trunk. */
    clear_all(fx);
    assert_int_equal(ls_port_set_vlan(fx->sw, 4, LS_VLAN_NONE), 0);
    len = make_frame(f, BCAST, host(1), 0x0014, sizeof f, 3);
    input(fx, 1, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 0, 0, 0, 0});
    input(fx, 4, f, len);
    assert_int_equal(port(fx, 4)->stats.drops[LS_DROP_VLAN], 1);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 0, 0, 0, 0});
}

/* Port 1 untagged in VLAN 10, port 2 tagged in 10 (and untagged in 0),
 * port 3 untagged in 0, port 4 tagged in 10 only. */
static void
setup_vlan10(struct fx *fx)
{
    struct ls_vlans *vl = fx->sw->vlans;

    assert_int_equal(ls_port_set_vlan(fx->sw, 1, 10), ENXIO);
    assert_int_equal(ls_vlan_create(vl, 10), 0);
    assert_int_equal(ls_port_set_vlan(fx->sw, 1, 10), 0);
    assert_int_equal(port(fx, 1)->vlan, 10);
    assert_false(ls_vlan_is_member(vl, 0, 1));
    assert_int_equal(ls_vlan_set_member(vl, 10, 2, true, true), 0);
    assert_int_equal(ls_port_set_vlan(fx->sw, 4, LS_VLAN_NONE), 0);
    assert_int_equal(ls_vlan_set_member(vl, 10, 4, true, true), 0);
}

static void
test_vlan_untagged_to_tagged(void **state)
{
    struct fx *fx = *state;
    uint8_t f[64];
    uint32_t len = make_frame(f, BCAST, host(1), -1, sizeof f, 5);
    unsigned int i;

    setup_vlan10(fx);
    input(fx, 1, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 0, 1, 0, 0, 0});
    for (i = 2; i <= 4; i += 2) {
        const struct out_frame *o = &fx->tb[i].out[0];

        assert_int_equal(o->len, len + 4);
        assert_memory_equal(o->data, f, 12);
        assert_memory_equal(o->data + 12,
                            ((uint8_t[]){0x81, 0x00, 0x00, 0x0a}), 4);
        assert_memory_equal(o->data + 16, f + 12, len - 12);
        assert_int_equal(port(fx, i)->stats.out_bytes, len + 4);
    }
    assert_int_equal(port(fx, 1)->stats.in_bytes, len);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(1), 10, fake_now), 1);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(1), 0, fake_now),
                     LS_FDB_NONE);

    /* An untagged frame from port 2 stays in VLAN 0. */
    clear_all(fx);
    len = make_frame(f, BCAST, host(2), -1, sizeof f, 6);
    input(fx, 2, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 0, 1, 0, 0, 0, 0});
    assert_memory_equal(fx->tb[3].out[0].data, f, len);
}

static void
test_vlan_tagged_to_untagged(void **state)
{
    struct fx *fx = *state;
    uint8_t f[70];
    uint32_t len = make_frame(f, BCAST, host(2), 0x200a, sizeof f, 9);
    const struct out_frame *o;

    setup_vlan10(fx);
    input(fx, 2, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 0, 1, 0, 0, 0});
    /* Untagged member: tag stripped, payload intact. */
    o = &fx->tb[1].out[0];
    assert_int_equal(o->len, len - 4);
    assert_memory_equal(o->data, f, 12);
    assert_memory_equal(o->data + 12, f + 16, len - 16);
    assert_int_equal(port(fx, 1)->stats.out_bytes, len - 4);
    /* Tagged member: unchanged, priority kept. */
    o = &fx->tb[4].out[0];
    assert_int_equal(o->len, len);
    assert_memory_equal(o->data, f, len);

    /* Unicast to the untagged member, learned on VLAN 10. */
    clear_all(fx);
    send_simple(fx, 1, BCAST, host(1), 1);
    clear_all(fx);
    len = make_frame(f, host(1), host(2), 0x000a, sizeof f, 10);
    input(fx, 2, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 0, 0, 0, 0, 0});
    assert_int_equal(fx->tb[1].out[0].len, len - 4);
    assert_int_equal(ls_fdb_lookup(fx->sw->fdb, host(2), 10, fake_now), 2);
}

static void
test_vlan_drops(void **state)
{
    struct fx *fx = *state;
    uint8_t f[64];
    uint32_t len;

    setup_vlan10(fx);

    /* Tagged for an undefined VLAN. */
    len = make_frame(f, BCAST, host(2), 20, sizeof f, 1);
    input(fx, 2, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0});
    assert_int_equal(port(fx, 2)->stats.drops[LS_DROP_VLAN], 1);

    /* Tagged for a VLAN the port is not a member of. */
    len = make_frame(f, BCAST, host(3), 10, sizeof f, 2);
    input(fx, 3, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0});
    assert_int_equal(port(fx, 3)->stats.drops[LS_DROP_VLAN], 1);

    /* Untagged from a port without an untagged VLAN. */
    len = make_frame(f, BCAST, host(4), -1, sizeof f, 3);
    input(fx, 4, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0});
    assert_int_equal(port(fx, 4)->stats.drops[LS_DROP_VLAN], 1);
    /* Counted as received all the same (before the VLAN checks). */
    assert_int_equal(port(fx, 4)->stats.in_pkts, 1);
    assert_int_equal(ls_fdb_count(fx->sw->fdb), 0);
}

static void
test_hub(void **state)
{
    struct fx *fx = *state;
    uint8_t f[64];
    uint32_t len;
    unsigned int i;

    send_simple(fx, 1, BCAST, host(1), 1);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 1, 1, 0, 0, 0, 0});

    /* Unicast floods as well: nothing is learned. */
    clear_all(fx);
    send_simple(fx, 2, host(1), host(2), 2);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 0, 1, 0, 0, 0, 0});
    assert_int_equal(ls_fdb_count(fx->sw->fdb), 0);

    /* Port 0 sends to everybody but never receives. */
    clear_all(fx);
    send_simple(fx, 0, BCAST, host(9), 3);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 1, 1, 0, 0, 0, 0});

    /* VLANs are ignored: a tagged frame reaches VLAN 0 ports unchanged. */
    clear_all(fx);
    assert_int_equal(ls_vlan_create(fx->sw->vlans, 10), 0);
    len = make_frame(f, BCAST, host(3), 10, sizeof f, 4);
    input(fx, 3, f, len);
    expect_counts(fx, (unsigned int[NPORTS]){0, 1, 1, 0, 0, 0, 0, 0});
    for (i = 1; i <= 2; i++) {
        assert_int_equal(fx->tb[i].out[0].len, len);
        assert_memory_equal(fx->tb[i].out[0].data, f, len);
    }
    assert_int_equal(port(fx, 0)->stats.out_pkts, 0);
    assert_int_equal(port(fx, 0)->stats.in_pkts, 1);
}

static void
test_counters(void **state)
{
    struct fx *fx = *state;
    uint8_t f[200];
    uint32_t len = make_frame(f, BCAST, host(1), -1, sizeof f, 1);

    input(fx, 1, f, len);
    input(fx, 1, f, 100);
    send_simple(fx, 2, host(1), host(2), 2);
    assert_int_equal(port(fx, 1)->stats.in_pkts, 2);
    assert_int_equal(port(fx, 1)->stats.in_bytes, 300);
    assert_int_equal(port(fx, 1)->stats.out_pkts, 1);
    assert_int_equal(port(fx, 1)->stats.out_bytes, 60);
    assert_int_equal(port(fx, 2)->stats.in_pkts, 1);
    assert_int_equal(port(fx, 2)->stats.in_bytes, 60);
    assert_int_equal(port(fx, 2)->stats.out_pkts, 2);
    assert_int_equal(port(fx, 2)->stats.out_bytes, 300);
    assert_int_equal(port(fx, 3)->stats.out_pkts, 2);
    assert_int_equal(port(fx, 3)->stats.in_pkts, 0);

    ls_port_reset_counters(port(fx, 2));
    assert_int_equal(port(fx, 2)->stats.out_pkts, 0);
    assert_int_equal(port(fx, 2)->stats.in_bytes, 0);
    assert_int_equal(port(fx, 1)->stats.in_pkts, 2);

    /* Counters belong to the port and survive its endpoints. */
    ls_endpoint_detach(fx->sw, fx->ep[1]);
    fx->ep[1] = NULL;
    assert_int_equal(port(fx, 1)->stats.in_pkts, 2);
    fx_attach(fx, 1);
    assert_int_equal(port(fx, 1)->stats.in_bytes, 300);
}

/* ------------------------------------------------------------------ */
/* Queueing. */

static void
test_queue_overflow(void **state)
{
    struct fx *fx = *state;
    struct ls_port *p2 = port(fx, 2);
    struct ls_endpoint *ep2 = fx->ep[2];
    uint8_t f[60];
    unsigned int i;

    fx->tb[2].budget = 0; /* Always EAGAIN. */
    for (i = 0; i < 20; i++) {
        script(fx, 1, f, make_frame(f, BCAST, host(1), -1, sizeof f, i), 0);
    }
    ls_forward_input(fx->sw, fx->ep[1]);

    /* Port 3 got everything, port 2 queued 8 and dropped the rest. */
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 0, 20, 0, 0, 0, 0});
    assert_int_equal(ls_queue_len(&ep2->queue), 8);
    assert_int_equal(p2->stats.drops[LS_DROP_QUEUE], 12);
    assert_int_equal(p2->stats.out_pkts, 20); /* Counted before sending. */
    assert_int_equal(port(fx, 3)->stats.drops[LS_DROP_QUEUE], 0);
    assert_true(ep2->stalled_since_ms != 0);
    /* The sender is paused until the queue drains. */
    assert_true(fx->ep[1]->paused);
    assert_ptr_equal(fx->sw->paused, fx->ep[1]);

    /* More frames while the queue is full: all dropped, none sent. */
    fx->tb[2].send_calls = 0;
    for (i = 20; i < 23; i++) {
        script(fx, 3, f, make_frame(f, BCAST, host(3), -1, sizeof f, i), 0);
    }
    ls_forward_input(fx->sw, fx->ep[3]);
    assert_int_equal(fx->tb[2].send_calls, 0);
    assert_int_equal(p2->stats.drops[LS_DROP_QUEUE], 15);

    /* Still refusing: nothing moves. */
    ls_forward_output_ready(fx->sw, ep2);
    assert_int_equal(fx->tb[2].n_out, 0);
    assert_int_equal(ls_queue_len(&ep2->queue), 8);
    assert_true(fx->ep[1]->paused);

    /* Accepting again: the queued frames in order, then nothing more. */
    fx->tb[2].budget = -1;
    ls_forward_output_ready(fx->sw, ep2);
    assert_int_equal(fx->tb[2].n_out, 8);
    for (i = 0; i < 8; i++) {
        make_frame(f, BCAST, host(1), -1, sizeof f, i);
        assert_int_equal(fx->tb[2].out[i].len, sizeof f);
        assert_memory_equal(fx->tb[2].out[i].data, f, sizeof f);
    }
    assert_true(ls_queue_is_empty(&ep2->queue));
    assert_int_equal(ep2->stalled_since_ms, 0);
    assert_false(fx->ep[1]->paused);
    assert_null(fx->sw->paused);
    ls_forward_output_ready(fx->sw, ep2);
    assert_int_equal(fx->tb[2].n_out, 8);

    /* And new frames go straight through. */
    send_simple(fx, 1, BCAST, host(1), 99);
    assert_int_equal(fx->tb[2].n_out, 9);
    assert_int_equal(fx->tb[2].out[8].data[14], 99);
}

static void
test_partial_send_keeps_order(void **state)
{
    struct fx *fx = *state;
    struct ls_endpoint *ep2 = fx->ep[2];
    uint8_t f[60];
    unsigned int i;

    fx->tb[2].budget = 3;
    for (i = 0; i < 5; i++) {
        script(fx, 1, f, make_frame(f, BCAST, host(1), -1, sizeof f, i), 0);
    }
    ls_forward_input(fx->sw, fx->ep[1]);
    assert_int_equal(fx->tb[2].n_out, 3);
    assert_int_equal(ls_queue_len(&ep2->queue), 2);
    assert_int_equal(fx->tb[2].send_calls, 1);

    /* While frames wait, new ones queue behind them without a send. */
    for (i = 5; i < 7; i++) {
        script(fx, 1, f, make_frame(f, BCAST, host(1), -1, sizeof f, i), 0);
    }
    fx->tb[2].budget = 10;
    ls_forward_input(fx->sw, fx->ep[1]);
    assert_int_equal(fx->tb[2].send_calls, 1);
    assert_int_equal(fx->tb[2].n_out, 3);
    assert_int_equal(ls_queue_len(&ep2->queue), 4);

    fx->tb[2].budget = 2;
    ls_forward_output_ready(fx->sw, ep2);
    assert_int_equal(fx->tb[2].n_out, 5);
    assert_int_equal(ls_queue_len(&ep2->queue), 2);
    assert_true(ep2->stalled_since_ms != 0);

    fx->tb[2].budget = -1;
    ls_forward_output_ready(fx->sw, ep2);
    assert_int_equal(fx->tb[2].n_out, 7);
    assert_true(ls_queue_is_empty(&ep2->queue));
    for (i = 0; i < 7; i++) {
        make_frame(f, BCAST, host(1), -1, sizeof f, (uint8_t) i);
        assert_memory_equal(fx->tb[2].out[i].data, f, sizeof f);
        assert_memory_equal(fx->tb[3].out[i].data, f, sizeof f);
    }
    assert_int_equal(port(fx, 2)->stats.drops[LS_DROP_QUEUE], 0);
}

static void
test_send_error(void **state)
{
    struct fx *fx = *state;
    uint8_t f[60];
    unsigned int i;

    fx->tb[2].budget = 1;
    fx->tb[2].refuse = EIO;
    for (i = 0; i < 4; i++) {
        script(fx, 1, f, make_frame(f, BCAST, host(1), -1, sizeof f, i), 0);
    }
    ls_forward_input(fx->sw, fx->ep[1]);
    assert_int_equal(fx->tb[2].n_out, 1);
    assert_int_equal(port(fx, 2)->stats.drops[LS_DROP_ERROR], 3);
    assert_true(ls_queue_is_empty(&fx->ep[2]->queue));
    assert_int_equal(fx->tb[3].n_out, 4);
}

static void
test_detach_flushes_port_macs(void **state)
{
    struct fx *fx = *state;
    struct ls_fdb *fdb = fx->sw->fdb;
    struct ls_port *p2 = port(fx, 2);
    unsigned int i;

    for (i = 1; i <= 4; i++) {
        send_simple(fx, i, BCAST, host(i), (uint8_t) i);
        send_simple(fx, i, BCAST, host(i + 10), (uint8_t) i);
    }
    assert_int_equal(ls_fdb_count(fdb), 8);
    clear_all(fx);

    ls_endpoint_detach(fx->sw, fx->ep[2]);
    assert_true(fx->tb[2].closed);
    fx->ep[2] = NULL;
    assert_false(ls_port_active(p2));
    assert_ptr_equal(ls_port_get(fx->sw, 2), p2); /* The slot stays. */
    assert_int_equal(ls_fdb_count(fdb), 6);
    for (i = 1; i <= 4; i++) {
        uint32_t expect = i == 2 ? LS_FDB_NONE : i;

        assert_int_equal(ls_fdb_lookup(fdb, host(i), 0, fake_now), expect);
        assert_int_equal(ls_fdb_lookup(fdb, host(i + 10), 0, fake_now),
                         expect);
    }
    /* Frames for the hosts that were behind port 2 now flood. */
    send_simple(fx, 1, host(2), host(1), 50);
    expect_counts(fx, (unsigned int[NPORTS]){0, 0, 0, 1, 1, 0, 0, 0});
    assert_int_equal(ls_port_remove(fx->sw, 2), 0);
    assert_null(ls_port_get(fx->sw, 2));
    assert_int_equal(ls_port_remove(fx->sw, 3), EADDRINUSE);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_broadcast_floods),
        T(test_unknown_unicast_floods),
        T(test_learned_unicast),
        T(test_to_ingress_port_dropped),
        T(test_several_endpoints),
        T(test_runts_and_giants),
        T(test_jumbo),
        T(test_admin_link_down),
        T(test_vlan_transparent_trunk),
        T(test_vlan_untagged_to_tagged),
        T(test_vlan_tagged_to_untagged),
        T(test_vlan_drops),
        cmocka_unit_test_setup_teardown(test_hub, setup_hub, teardown),
        T(test_counters),
        cmocka_unit_test_setup_teardown(test_queue_overflow, setup_small_queue,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_partial_send_keeps_order,
                                        setup_small_queue, teardown),
        T(test_send_error),
        T(test_detach_flushes_port_macs),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
