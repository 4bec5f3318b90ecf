#include "switch/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ls_fdb {
    struct ls_fdb_params p;
    uint32_t mask;                /* hashsize - 1 */
    uint32_t *buckets;            /* Head entry index per bucket. */
    struct ls_fdb_entry *entries; /* Pool of p.max_entries. */
    uint32_t free_head;           /* Free list through 'next'. */
    unsigned int count;
    uint64_t full_scan_ms; /* Last expiry scan forced by a full table. */
    ls_fdb_event_cb *event_cb;
    void *event_aux;
};

/* Returns the smallest power of two >= 'n' (at least 1). */
unsigned int
ls_fdb_round_pow2(unsigned int n)
{
    unsigned int p = 1;

    while (p < n && p < (1u << 30)) {
        p <<= 1;
    }
    return p;
}

static uint64_t
fdb_key(const uint8_t mac[6], uint16_t vlan)
{
    uint64_t k = 0;
    int i;

    for (i = 0; i < 6; i++) {
        k = (k << 8) | mac[i];
    }
    return k | ((uint64_t) (vlan & 0xfff) << 48);
}

static uint32_t
fdb_hash(const struct ls_fdb *fdb, uint64_t k)
{
    /* murmur3 64-bit finaliser */
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return (uint32_t) k & fdb->mask;
}

/* Returns the bucket index of (mac, vlan), as 'hash/print' shows it. */
uint32_t
ls_fdb_bucket(const struct ls_fdb *fdb, const uint8_t mac[6], uint16_t vlan)
{
    return fdb_hash(fdb, fdb_key(mac, vlan));
}

static void
fdb_reset(struct ls_fdb *fdb)
{
    unsigned int i;

    for (i = 0; i <= fdb->mask; i++) {
        fdb->buckets[i] = LS_FDB_NONE;
    }
    for (i = 0; i < fdb->p.max_entries; i++) {
        fdb->entries[i].next =
            i + 1 < fdb->p.max_entries ? i + 1 : LS_FDB_NONE;
    }
    fdb->free_head = fdb->p.max_entries ? 0 : LS_FDB_NONE;
    fdb->count = 0;
}

/* Creates a table with parameters 'p' in '*fdbp'.  Returns 0 or ENOMEM. */
int
ls_fdb_create(const struct ls_fdb_params *p, struct ls_fdb **fdbp)
{
    struct ls_fdb *fdb = calloc(1, sizeof *fdb);
    unsigned int size = ls_fdb_round_pow2(p->hashsize);

    *fdbp = NULL;
    if (!fdb) {
        return ENOMEM;
    }
    fdb->p = *p;
    fdb->p.hashsize = size;
    fdb->mask = size - 1;
    fdb->buckets = malloc(size * sizeof *fdb->buckets);
    fdb->entries =
        calloc(p->max_entries ? p->max_entries : 1, sizeof *fdb->entries);
    if (!fdb->buckets || !fdb->entries) {
        ls_fdb_destroy(fdb);
        return ENOMEM;
    }
    fdb_reset(fdb);
    *fdbp = fdb;
    return 0;
}

/* Frees 'fdb' (NULL is fine). */
void
ls_fdb_destroy(struct ls_fdb *fdb)
{
    if (fdb) {
        free(fdb->buckets);
        free(fdb->entries);
        free(fdb);
    }
}

/* Sets the function told about every entry added or removed. */
void
ls_fdb_set_event_cb(struct ls_fdb *fdb, ls_fdb_event_cb *cb, void *aux)
{
    fdb->event_cb = cb;
    fdb->event_aux = aux;
}

static bool
fdb_match(const struct ls_fdb_entry *e, const uint8_t mac[6], uint16_t vlan)
{
    return e->vlan == vlan && !memcmp(e->mac, mac, 6);
}

static bool
fdb_expired(const struct ls_fdb *fdb, const struct ls_fdb_entry *e,
            uint64_t now)
{
    return now > e->seen_ms && now - e->seen_ms > fdb->p.expire_ms;
}

static struct ls_fdb_entry *
fdb_find__(const struct ls_fdb *fdb, const uint8_t mac[6], uint16_t vlan,
           uint32_t bucket)
{
    uint32_t i;

    for (i = fdb->buckets[bucket]; i != LS_FDB_NONE;
         i = fdb->entries[i].next) {
        if (fdb_match(&fdb->entries[i], mac, vlan)) {
            return &fdb->entries[i];
        }
    }
    return NULL;
}

/* Records that 'mac' on 'vlan' was seen on 'port' at 'now'.  When the MAC
 * was known on another port, that port is stored in '*old_port' (if not
 * NULL).  Returns what was done. */
enum ls_fdb_learned
ls_fdb_learn(struct ls_fdb *fdb, const uint8_t mac[6], uint16_t vlan,
             uint32_t port, uint64_t now, uint32_t *old_port)
{
    uint32_t b = fdb_hash(fdb, fdb_key(mac, vlan));
    struct ls_fdb_entry *e = fdb_find__(fdb, mac, vlan, b);
    uint32_t idx;

    if (e) {
        if (e->port == port) {
            e->seen_ms = now;
            return LS_FDB_REFRESHED;
        }
        if (old_port) {
            *old_port = e->port;
        }
        if (!fdb_expired(fdb, e, now) &&
            now - e->seen_ms <= fdb->p.min_persist_ms) {
            return LS_FDB_MOVE_REFUSED;
        }
        if (fdb->event_cb) {
            fdb->event_cb(fdb->event_aux, e, false);
        }
        e->port = port;
        e->seen_ms = now;
        if (fdb->event_cb) {
            fdb->event_cb(fdb->event_aux, e, true);
        }
        return LS_FDB_MOVED;
    }
    if (fdb->free_head == LS_FDB_NONE) {
        /* Make room from expired entries before refusing, but scan at
         * most once a second so that a flood of new source addresses
         * costs no more than a refusal. */
        if (now - fdb->full_scan_ms < 1000 || !ls_fdb_expire(fdb, now)) {
            fdb->full_scan_ms = now;
            return LS_FDB_FULL;
        }
        fdb->full_scan_ms = now;
    }
    idx = fdb->free_head;
    e = &fdb->entries[idx];
    fdb->free_head = e->next;
    memcpy(e->mac, mac, 6);
    e->vlan = vlan;
    e->port = port;
    e->seen_ms = now;
    e->next = fdb->buckets[b];
    fdb->buckets[b] = idx;
    fdb->count++;
    if (fdb->event_cb) {
        fdb->event_cb(fdb->event_aux, e, true);
    }
    return LS_FDB_ADDED;
}

/* Returns the entry for (mac, vlan) if it is known and not expired at
 * 'now', else NULL. */
const struct ls_fdb_entry *
ls_fdb_find(const struct ls_fdb *fdb, const uint8_t mac[6], uint16_t vlan,
            uint64_t now)
{
    uint32_t b = fdb_hash(fdb, fdb_key(mac, vlan));
    const struct ls_fdb_entry *e = fdb_find__(fdb, mac, vlan, b);

    return e && !fdb_expired(fdb, e, now) ? e : NULL;
}

/* Returns the port (mac, vlan) was learned on, or LS_FDB_NONE. */
uint32_t
ls_fdb_lookup(const struct ls_fdb *fdb, const uint8_t mac[6], uint16_t vlan,
              uint64_t now)
{
    const struct ls_fdb_entry *e = ls_fdb_find(fdb, mac, vlan, now);

    return e ? e->port : LS_FDB_NONE;
}

typedef bool fdb_pred(const struct ls_fdb *, const struct ls_fdb_entry *,
                      uint64_t arg);

/* Removes every entry for which 'pred' holds.  Returns how many. */
static unsigned int
fdb_remove_if(struct ls_fdb *fdb, fdb_pred *pred, uint64_t arg)
{
    unsigned int n = 0;
    uint32_t b;

    for (b = 0; b <= fdb->mask; b++) {
        uint32_t *pp = &fdb->buckets[b];

        while (*pp != LS_FDB_NONE) {
            uint32_t idx = *pp;
            struct ls_fdb_entry *e = &fdb->entries[idx];

            if (pred(fdb, e, arg)) {
                *pp = e->next;
                if (fdb->event_cb) {
                    fdb->event_cb(fdb->event_aux, e, false);
                }
                e->next = fdb->free_head;
                fdb->free_head = idx;
                fdb->count--;
                n++;
            } else {
                pp = &e->next;
            }
        }
    }
    return n;
}

static bool
pred_port(const struct ls_fdb *fdb, const struct ls_fdb_entry *e,
          uint64_t port)
{
    return e->port == port;
}

static bool
pred_vlan(const struct ls_fdb *fdb, const struct ls_fdb_entry *e,
          uint64_t vlan)
{
    return e->vlan == vlan;
}

static bool
pred_all(const struct ls_fdb *fdb, const struct ls_fdb_entry *e,
         uint64_t unused)
{
    return true;
}

static bool
pred_expired(const struct ls_fdb *fdb, const struct ls_fdb_entry *e,
             uint64_t now)
{
    return fdb_expired(fdb, e, now);
}

/* Forgets every MAC learned on 'port'.  Returns how many were removed. */
unsigned int
ls_fdb_flush_port(struct ls_fdb *fdb, uint32_t port)
{
    return fdb_remove_if(fdb, pred_port, port);
}

/* Forgets every MAC learned on 'vlan'.  Returns how many were removed. */
unsigned int
ls_fdb_flush_vlan(struct ls_fdb *fdb, uint16_t vlan)
{
    return fdb_remove_if(fdb, pred_vlan, vlan);
}

/* Forgets everything.  Returns how many entries were removed. */
unsigned int
ls_fdb_flush_all(struct ls_fdb *fdb)
{
    return fdb_remove_if(fdb, pred_all, 0);
}

/* Removes the entries older than the expiry time at 'now'.  Returns how
 * many were removed. */
unsigned int
ls_fdb_expire(struct ls_fdb *fdb, uint64_t now)
{
    return fdb_remove_if(fdb, pred_expired, now);
}

/* Changes the number of buckets to 'hashsize' rounded up to a power of
 * two, forgetting every entry (as vde_switch does).  Returns 0, EINVAL for
 * 0 or ENOMEM. */
int
ls_fdb_resize(struct ls_fdb *fdb, unsigned int hashsize)
{
    unsigned int size = ls_fdb_round_pow2(hashsize);
    uint32_t *buckets;

    if (!hashsize) {
        return EINVAL;
    }
    buckets = malloc(size * sizeof *buckets);
    if (!buckets) {
        return ENOMEM;
    }
    ls_fdb_flush_all(fdb);
    free(fdb->buckets);
    fdb->buckets = buckets;
    fdb->p.hashsize = size;
    fdb->mask = size - 1;
    fdb_reset(fdb);
    return 0;
}

/* Copies the table's parameters into '*p'. */
void
ls_fdb_get_params(const struct ls_fdb *fdb, struct ls_fdb_params *p)
{
    *p = fdb->p;
}

/* Sets the age after which entries are forgotten. */
void
ls_fdb_set_expire(struct ls_fdb *fdb, uint64_t expire_ms)
{
    fdb->p.expire_ms = expire_ms;
}

/* Sets how long a MAC stays on its port before it may move. */
void
ls_fdb_set_min_persist(struct ls_fdb *fdb, uint64_t min_persist_ms)
{
    fdb->p.min_persist_ms = min_persist_ms;
}

/* Returns the number of entries in the table (expired ones included until
 * ls_fdb_expire() removes them). */
unsigned int
ls_fdb_count(const struct ls_fdb *fdb)
{
    return fdb->count;
}

/* Calls 'cb' for every entry, bucket by bucket. */
void
ls_fdb_foreach(const struct ls_fdb *fdb, ls_fdb_visit_cb *cb, void *aux)
{
    uint32_t b, i;

    for (b = 0; b <= fdb->mask; b++) {
        for (i = fdb->buckets[b]; i != LS_FDB_NONE; i = fdb->entries[i].next) {
            cb(aux, b, &fdb->entries[i]);
        }
    }
}
