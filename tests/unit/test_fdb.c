/* Unit tests for the MAC learning table (switch/fdb.c). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "switch/clock.h"
#include "switch/fdb.h"

#define EXPIRE_MS 10000
#define MINPER_MS 3000

/* A clock the tests move by hand. */
static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
    return fake_now;
}

/* What the event callback saw (the last MAX_EVENTS events). */
#define MAX_EVENTS 64
struct event {
    uint8_t mac[6];
    uint16_t vlan;
    uint32_t port;
    bool added;
};

struct fixture {
    struct ls_fdb *fdb;
    struct event events[MAX_EVENTS];
    unsigned int n_events;
};

static void
record_event(void *aux, const struct ls_fdb_entry *e, bool added)
{
    struct fixture *f = aux;
    struct event *ev = &f->events[f->n_events++ % MAX_EVENTS];

    memcpy(ev->mac, e->mac, 6);
    ev->vlan = e->vlan;
    ev->port = e->port;
    ev->added = added;
}

static struct fixture *
fixture_new(unsigned int hashsize, unsigned int max_entries)
{
    struct ls_fdb_params p = {
        .hashsize = hashsize,
        .max_entries = max_entries,
        .expire_ms = EXPIRE_MS,
        .min_persist_ms = MINPER_MS,
    };
    struct fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    assert_int_equal(ls_fdb_create(&p, &f->fdb), 0);
    assert_non_null(f->fdb);
    ls_fdb_set_event_cb(f->fdb, record_event, f);
    return f;
}

static int
setup(void **state)
{
    fake_now = 100000;
    ls_clock_set(fake_clock);
    *state = fixture_new(16, 8);
    return 0;
}

static int
setup_one_bucket(void **state)
{
    fake_now = 100000;
    ls_clock_set(fake_clock);
    *state = fixture_new(1, 64);
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    ls_fdb_destroy(f->fdb);
    free(f);
    ls_clock_set(NULL);
    return 0;
}

/* MAC number 'i': a locally administered unicast address. */
static const uint8_t *
mac(unsigned int i)
{
    static uint8_t m[64][6];
    uint8_t *p = m[i % 64];

    p[0] = 0x02;
    p[1] = 0x00;
    p[2] = (uint8_t) (i >> 24);
    p[3] = (uint8_t) (i >> 16);
    p[4] = (uint8_t) (i >> 8);
    p[5] = (uint8_t) i;
    return p;
}

static enum ls_fdb_learned
learn(struct fixture *f, unsigned int m, uint16_t vlan, uint32_t port)
{
    return ls_fdb_learn(f->fdb, mac(m), vlan, port, ls_clock_ms(), NULL);
}

static uint32_t
lookup(struct fixture *f, unsigned int m, uint16_t vlan)
{
    return ls_fdb_lookup(f->fdb, mac(m), vlan, ls_clock_ms());
}

static void
test_round_pow2(void **state)
{
    assert_int_equal(ls_fdb_round_pow2(0), 1);
    assert_int_equal(ls_fdb_round_pow2(1), 1);
    assert_int_equal(ls_fdb_round_pow2(2), 2);
    assert_int_equal(ls_fdb_round_pow2(3), 4);
    assert_int_equal(ls_fdb_round_pow2(128), 128);
    assert_int_equal(ls_fdb_round_pow2(129), 256);
    assert_int_equal(ls_fdb_round_pow2(1u << 24), 1u << 24);
}

static void
test_params(void **state)
{
    struct ls_fdb_params p;
    struct fixture *f = fixture_new(100, 5);

    ls_fdb_get_params(f->fdb, &p);
    assert_int_equal(p.hashsize, 128);
    assert_int_equal(p.max_entries, 5);
    assert_int_equal(p.expire_ms, EXPIRE_MS);
    assert_int_equal(p.min_persist_ms, MINPER_MS);
    ls_fdb_set_expire(f->fdb, 1234);
    ls_fdb_set_min_persist(f->fdb, 56);
    ls_fdb_get_params(f->fdb, &p);
    assert_int_equal(p.expire_ms, 1234);
    assert_int_equal(p.min_persist_ms, 56);
    ls_fdb_destroy(f->fdb);
    free(f);
    ls_fdb_destroy(NULL);
}

static void
test_learn_lookup(void **state)
{
    struct fixture *f = *state;
    const struct ls_fdb_entry *e;
    uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    assert_int_equal(ls_fdb_count(f->fdb), 0);
    assert_int_equal(lookup(f, 1, 0), LS_FDB_NONE);
    assert_int_equal(learn(f, 1, 0, 3), LS_FDB_ADDED);
    assert_int_equal(learn(f, 2, 0, 4), LS_FDB_ADDED);
    assert_int_equal(ls_fdb_count(f->fdb), 2);
    assert_int_equal(lookup(f, 1, 0), 3);
    assert_int_equal(lookup(f, 2, 0), 4);
    assert_int_equal(lookup(f, 3, 0), LS_FDB_NONE);
    assert_int_equal(lookup(f, 1, 1), LS_FDB_NONE);
    assert_int_equal(ls_fdb_lookup(f->fdb, bcast, 0, ls_clock_ms()),
                     LS_FDB_NONE);

    e = ls_fdb_find(f->fdb, mac(1), 0, ls_clock_ms());
    assert_non_null(e);
    assert_memory_equal(e->mac, mac(1), 6);
    assert_int_equal(e->vlan, 0);
    assert_int_equal(e->port, 3);
    assert_int_equal(e->seen_ms, fake_now);
    assert_null(ls_fdb_find(f->fdb, mac(9), 0, ls_clock_ms()));

    assert_int_equal(f->n_events, 2);
    assert_true(f->events[0].added);
    assert_memory_equal(f->events[0].mac, mac(1), 6);
    assert_int_equal(f->events[0].port, 3);
    assert_true(f->events[1].added);
    assert_int_equal(f->events[1].port, 4);
}

static void
test_refresh(void **state)
{
    struct fixture *f = *state;
    uint64_t t0 = fake_now;

    assert_int_equal(learn(f, 1, 0, 2), LS_FDB_ADDED);
    fake_now = t0 + 8000;
    assert_int_equal(learn(f, 1, 0, 2), LS_FDB_REFRESHED);
    assert_int_equal(ls_fdb_find(f->fdb, mac(1), 0, fake_now)->seen_ms,
                     t0 + 8000);
    assert_int_equal(ls_fdb_count(f->fdb), 1);
    /* Older than the expiry time since learned, but not since refreshed. */
    fake_now = t0 + 8000 + EXPIRE_MS;
    assert_int_equal(lookup(f, 1, 0), 2);
    fake_now++;
    assert_int_equal(lookup(f, 1, 0), LS_FDB_NONE);
    /* Refreshing does not notify. */
    assert_int_equal(f->n_events, 1);
}

static void
test_move_min_persistence(void **state)
{
    struct fixture *f = *state;
    uint64_t t0 = fake_now;
    uint32_t old = LS_FDB_NONE;

    assert_int_equal(learn(f, 5, 0, 1), LS_FDB_ADDED);

    fake_now = t0 + 100;
    assert_int_equal(ls_fdb_learn(f->fdb, mac(5), 0, 2, fake_now, &old),
                     LS_FDB_MOVE_REFUSED);
    assert_int_equal(old, 1);
    assert_int_equal(lookup(f, 5, 0), 1);

    /* A refused move does not refresh the entry. */
    assert_int_equal(ls_fdb_find(f->fdb, mac(5), 0, fake_now)->seen_ms, t0);

    fake_now = t0 + MINPER_MS;
    old = LS_FDB_NONE;
    assert_int_equal(ls_fdb_learn(f->fdb, mac(5), 0, 2, fake_now, &old),
                     LS_FDB_MOVE_REFUSED);
    assert_int_equal(old, 1);
    assert_int_equal(lookup(f, 5, 0), 1);

    fake_now = t0 + MINPER_MS + 1;
    old = LS_FDB_NONE;
    assert_int_equal(ls_fdb_learn(f->fdb, mac(5), 0, 2, fake_now, &old),
                     LS_FDB_MOVED);
    assert_int_equal(old, 1);
    assert_int_equal(lookup(f, 5, 0), 2);
    assert_int_equal(ls_fdb_count(f->fdb), 1);
    assert_int_equal(ls_fdb_find(f->fdb, mac(5), 0, fake_now)->seen_ms,
                     fake_now);

    /* Events: added on 1, then removed from 1 and added on 2. */
    assert_int_equal(f->n_events, 3);
    assert_true(f->events[0].added);
    assert_int_equal(f->events[0].port, 1);
    assert_false(f->events[1].added);
    assert_int_equal(f->events[1].port, 1);
    assert_true(f->events[2].added);
    assert_int_equal(f->events[2].port, 2);

    /* Right after the move, moving back is refused. */
    fake_now += 10;
    assert_int_equal(learn(f, 5, 0, 1), LS_FDB_MOVE_REFUSED);
    assert_int_equal(lookup(f, 5, 0), 2);
    assert_int_equal(f->n_events, 3);
}

static void
test_move_expired_entry(void **state)
{
    struct fixture *f = *state;

    ls_fdb_set_min_persist(f->fdb, EXPIRE_MS * 10);
    assert_int_equal(learn(f, 6, 0, 1), LS_FDB_ADDED);
    fake_now += 5000;
    assert_int_equal(learn(f, 6, 0, 2), LS_FDB_MOVE_REFUSED);
    /* Once expired, an entry moves whatever the minimum persistence. */
    fake_now += EXPIRE_MS;
    assert_int_equal(learn(f, 6, 0, 2), LS_FDB_MOVED);
    assert_int_equal(lookup(f, 6, 0), 2);
}

static void
test_ageing(void **state)
{
    struct fixture *f = *state;
    uint64_t t0 = fake_now;

    assert_int_equal(learn(f, 1, 0, 1), LS_FDB_ADDED);
    fake_now = t0 + 5000;
    assert_int_equal(learn(f, 2, 0, 2), LS_FDB_ADDED);

    fake_now = t0 + EXPIRE_MS;
    assert_int_equal(lookup(f, 1, 0), 1);
    assert_int_equal(ls_fdb_expire(f->fdb, ls_clock_ms()), 0);

    /* Expired entries are invisible at once but still counted... */
    fake_now = t0 + EXPIRE_MS + 1;
    assert_int_equal(lookup(f, 1, 0), LS_FDB_NONE);
    assert_null(ls_fdb_find(f->fdb, mac(1), 0, ls_clock_ms()));
    assert_int_equal(lookup(f, 2, 0), 2);
    assert_int_equal(ls_fdb_count(f->fdb), 2);
    f->n_events = 0;

    /* ...until ls_fdb_expire() removes them. */
    assert_int_equal(ls_fdb_expire(f->fdb, ls_clock_ms()), 1);
    assert_int_equal(ls_fdb_count(f->fdb), 1);
    assert_int_equal(lookup(f, 2, 0), 2);
    assert_int_equal(f->n_events, 1);
    assert_false(f->events[0].added);
    assert_memory_equal(f->events[0].mac, mac(1), 6);

    fake_now = t0 + 5000 + EXPIRE_MS + 1;
    assert_int_equal(lookup(f, 2, 0), LS_FDB_NONE);
    assert_int_equal(ls_fdb_expire(f->fdb, ls_clock_ms()), 1);
    assert_int_equal(ls_fdb_count(f->fdb), 0);

    /* A clock that went backwards does not expire anything. */
    assert_int_equal(learn(f, 3, 0, 3), LS_FDB_ADDED);
    assert_int_equal(ls_fdb_expire(f->fdb, t0), 0);
    assert_int_equal(ls_fdb_lookup(f->fdb, mac(3), 0, t0), 3);
}

static void
test_bound(void **state)
{
    struct fixture *f = *state;
    uint64_t t0 = fake_now;
    unsigned int i;

    for (i = 0; i < 8; i++) {
        assert_int_equal(learn(f, i, 0, i % 4), LS_FDB_ADDED);
    }
    assert_int_equal(ls_fdb_count(f->fdb), 8);
    f->n_events = 0;

    /* Full: nothing is learned and nothing is evicted. */
    for (i = 8; i < 20; i++) {
        assert_int_equal(learn(f, i, 0, 1), LS_FDB_FULL);
        assert_int_equal(lookup(f, i, 0), LS_FDB_NONE);
    }
    assert_int_equal(learn(f, 0, 7, 1), LS_FDB_FULL);
    assert_int_equal(ls_fdb_count(f->fdb), 8);
    for (i = 0; i < 8; i++) {
        assert_int_equal(lookup(f, i, 0), i % 4);
    }
    assert_int_equal(f->n_events, 0);

    /* Known entries are still refreshed while full. */
    fake_now = t0 + 1000;
    assert_int_equal(learn(f, 0, 0, 0), LS_FDB_REFRESHED);

    /* Explicit expiry makes room. */
    fake_now = t0 + EXPIRE_MS + 1;
    assert_int_equal(ls_fdb_expire(f->fdb, ls_clock_ms()), 7);
    assert_int_equal(ls_fdb_count(f->fdb), 1);
    for (i = 20; i < 27; i++) {
        assert_int_equal(learn(f, i, 0, 2), LS_FDB_ADDED);
    }
    assert_int_equal(ls_fdb_count(f->fdb), 8);
    assert_int_equal(learn(f, 27, 0, 2), LS_FDB_FULL);

    /* Learning into a full table removes expired entries by itself. */
    fake_now += 2 * EXPIRE_MS;
    f->n_events = 0;
    assert_int_equal(learn(f, 28, 0, 3), LS_FDB_ADDED);
    assert_int_equal(ls_fdb_count(f->fdb), 1);
    assert_int_equal(lookup(f, 28, 0), 3);
    assert_int_equal(f->n_events, 9); /* 8 removed, 1 added. */
    assert_true(f->events[8].added);
}

static void
test_zero_entries(void **state)
{
    struct fixture *f = fixture_new(4, 0);

    assert_int_equal(learn(f, 1, 0, 1), LS_FDB_FULL);
    assert_int_equal(lookup(f, 1, 0), LS_FDB_NONE);
    assert_int_equal(ls_fdb_count(f->fdb), 0);
    ls_fdb_destroy(f->fdb);
    free(f);
}

static void
test_flush_port(void **state)
{
    struct fixture *f = *state;
    unsigned int i;

    for (i = 0; i < 8; i++) {
        assert_int_equal(learn(f, i, 0, i % 3), LS_FDB_ADDED);
    }
    f->n_events = 0;
    /* Ports 0, 1, 2 hold MACs {0,3,6}, {1,4,7}, {2,5}. */
    assert_int_equal(ls_fdb_flush_port(f->fdb, 1), 3);
    assert_int_equal(ls_fdb_count(f->fdb), 5);
    for (i = 0; i < 8; i++) {
        assert_int_equal(lookup(f, i, 0), i % 3 == 1 ? LS_FDB_NONE : i % 3);
    }
    assert_int_equal(f->n_events, 3);
    for (i = 0; i < 3; i++) {
        assert_false(f->events[i].added);
        assert_int_equal(f->events[i].port, 1);
    }
    assert_int_equal(ls_fdb_flush_port(f->fdb, 1), 0);
    assert_int_equal(ls_fdb_flush_port(f->fdb, 9), 0);
    assert_int_equal(ls_fdb_flush_all(f->fdb), 5);
    assert_int_equal(ls_fdb_count(f->fdb), 0);
    /* The freed entries can be used again. */
    for (i = 0; i < 8; i++) {
        assert_int_equal(learn(f, i + 100, 0, 0), LS_FDB_ADDED);
    }
}

static void
test_same_mac_two_vlans(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(learn(f, 1, 0, 1), LS_FDB_ADDED);
    /* The same MAC on another VLAN, another port, at once: no move. */
    assert_int_equal(learn(f, 1, 10, 2), LS_FDB_ADDED);
    assert_int_equal(learn(f, 1, 4095, 3), LS_FDB_ADDED);
    assert_int_equal(ls_fdb_count(f->fdb), 3);
    assert_int_equal(lookup(f, 1, 0), 1);
    assert_int_equal(lookup(f, 1, 10), 2);
    assert_int_equal(lookup(f, 1, 4095), 3);
    assert_int_equal(lookup(f, 1, 11), LS_FDB_NONE);
    assert_int_equal(learn(f, 2, 10, 2), LS_FDB_ADDED);

    assert_int_equal(ls_fdb_flush_vlan(f->fdb, 10), 2);
    assert_int_equal(lookup(f, 1, 10), LS_FDB_NONE);
    assert_int_equal(lookup(f, 2, 10), LS_FDB_NONE);
    assert_int_equal(lookup(f, 1, 0), 1);
    assert_int_equal(lookup(f, 1, 4095), 3);
    assert_int_equal(ls_fdb_flush_vlan(f->fdb, 10), 0);
    assert_int_equal(ls_fdb_count(f->fdb), 2);
}

static void
test_resize(void **state)
{
    struct fixture *f = *state;
    struct ls_fdb_params p;
    unsigned int i;

    for (i = 0; i < 6; i++) {
        assert_int_equal(learn(f, i, 0, 1), LS_FDB_ADDED);
    }
    assert_int_equal(ls_fdb_resize(f->fdb, 0), EINVAL);
    assert_int_equal(ls_fdb_count(f->fdb), 6);
    assert_int_equal(lookup(f, 3, 0), 1);

    f->n_events = 0;
    assert_int_equal(ls_fdb_resize(f->fdb, 100), 0);
    ls_fdb_get_params(f->fdb, &p);
    assert_int_equal(p.hashsize, 128);
    assert_int_equal(p.max_entries, 8);
    assert_int_equal(ls_fdb_count(f->fdb), 0);
    assert_int_equal(f->n_events, 6);
    for (i = 0; i < 6; i++) {
        assert_int_equal(lookup(f, i, 0), LS_FDB_NONE);
        assert_false(f->events[i].added);
    }
    /* The whole pool is free again. */
    for (i = 0; i < 8; i++) {
        assert_int_equal(learn(f, i, 0, 2), LS_FDB_ADDED);
        assert_true(ls_fdb_bucket(f->fdb, mac(i), 0) < 128);
    }
    assert_int_equal(learn(f, 8, 0, 2), LS_FDB_FULL);
    assert_int_equal(ls_fdb_resize(f->fdb, 1), 0);
    ls_fdb_get_params(f->fdb, &p);
    assert_int_equal(p.hashsize, 1);
    assert_int_equal(learn(f, 8, 0, 2), LS_FDB_ADDED);
    assert_int_equal(ls_fdb_bucket(f->fdb, mac(8), 0), 0);
}

struct visit {
    struct ls_fdb *fdb;
    unsigned int n;
    unsigned int seen_mask;
};

static void
visit_cb(void *aux, unsigned int bucket, const struct ls_fdb_entry *e)
{
    struct visit *v = aux;

    assert_int_equal(bucket, ls_fdb_bucket(v->fdb, e->mac, e->vlan));
    assert_int_equal(e->mac[5] % 4, e->port);
    v->seen_mask |= 1u << e->mac[5];
    v->n++;
}

static void
test_foreach(void **state)
{
    struct fixture *f = *state;
    struct visit v = {f->fdb, 0, 0};
    unsigned int i;

    for (i = 0; i < 7; i++) {
        assert_int_equal(learn(f, i, 0, i % 4), LS_FDB_ADDED);
    }
    ls_fdb_foreach(f->fdb, visit_cb, &v);
    assert_int_equal(v.n, 7);
    assert_int_equal(v.seen_mask, 0x7f);
}

/* All entries chained in one bucket: removal from the head, the middle and
 * the tail of a chain. */
static void
test_one_bucket_chain(void **state)
{
    struct fixture *f = *state;
    unsigned int i;

    for (i = 0; i < 40; i++) {
        assert_int_equal(learn(f, i, (uint16_t) (i % 2), i % 5), LS_FDB_ADDED);
        assert_int_equal(ls_fdb_bucket(f->fdb, mac(i), 0), 0);
    }
    assert_int_equal(ls_fdb_flush_port(f->fdb, 0), 8);
    assert_int_equal(ls_fdb_flush_port(f->fdb, 4), 8);
    assert_int_equal(ls_fdb_flush_vlan(f->fdb, 1), 12);
    assert_int_equal(ls_fdb_count(f->fdb), 12);
    for (i = 0; i < 40; i++) {
        bool kept = i % 5 != 0 && i % 5 != 4 && i % 2 == 0;

        assert_int_equal(lookup(f, i, (uint16_t) (i % 2)),
                         kept ? i % 5 : LS_FDB_NONE);
    }
    /* Expire half of what is left. */
    fake_now += EXPIRE_MS / 2;
    for (i = 0; i < 40; i += 4) {
        if (i % 5 != 0 && i % 5 != 4) {
            assert_int_equal(learn(f, i, 0, i % 5), LS_FDB_REFRESHED);
        }
    }
    fake_now += EXPIRE_MS / 2 + 1;
    assert_int_equal(ls_fdb_expire(f->fdb, ls_clock_ms()), 6);
    for (i = 0; i < 40; i++) {
        bool kept = i % 5 != 0 && i % 5 != 4 && i % 4 == 0;

        assert_int_equal(lookup(f, i, 0), kept ? i % 5 : LS_FDB_NONE);
    }
    assert_int_equal(ls_fdb_count(f->fdb), 6);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_pow2),
        cmocka_unit_test(test_params),
        cmocka_unit_test_setup_teardown(test_learn_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_min_persistence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_move_expired_entry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ageing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
        cmocka_unit_test(test_zero_entries),
        cmocka_unit_test_setup_teardown(test_flush_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_mac_two_vlans, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_bucket_chain,
                                        setup_one_bucket, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
