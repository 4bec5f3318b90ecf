#ifndef LS_FDB_H
#define LS_FDB_H 1

#include <stdbool.h>
#include <stdint.h>

/* The MAC learning table ("forwarding database"): (MAC, VLAN) -> port.
 *
 * Open hashing over a power-of-two number of buckets, with entries taken
 * from a pool of fixed size, so learning never allocates and a flood of
 * source addresses cannot grow the table past 'max_entries'.  Entries
 * older than 'expire_ms' are invisible to lookups at once and are removed
 * by ls_fdb_expire(). */

#define LS_FDB_NONE UINT32_MAX

struct ls_fdb_params {
    unsigned int hashsize;    /* Buckets; rounded up to a power of two. */
    unsigned int max_entries; /* Bound on the table size. */
    uint64_t expire_ms;       /* Age after which an entry is forgotten. */
    uint64_t min_persist_ms;  /* A MAC moves only if older than this. */
};

struct ls_fdb_entry {
    uint8_t mac[6];
    uint16_t vlan;
    uint32_t port;
    uint32_t next; /* Next entry index in the bucket, or LS_FDB_NONE. */
    uint64_t seen_ms;
};

/* What ls_fdb_learn() did. */
enum ls_fdb_learned {
    LS_FDB_REFRESHED,    /* Known on this port: age reset. */
    LS_FDB_ADDED,        /* New entry. */
    LS_FDB_MOVED,        /* Moved from another port. */
    LS_FDB_MOVE_REFUSED, /* Seen on another port too soon: kept. */
    LS_FDB_FULL,         /* Table full: not learned. */
};

/* Notification of an entry that came or went ('added' false). */
typedef void ls_fdb_event_cb(void *aux, const struct ls_fdb_entry *,
                             bool added);

struct ls_fdb;

int ls_fdb_create(const struct ls_fdb_params *, struct ls_fdb **);
void ls_fdb_destroy(struct ls_fdb *);
void ls_fdb_set_event_cb(struct ls_fdb *, ls_fdb_event_cb *, void *aux);
enum ls_fdb_learned ls_fdb_learn(struct ls_fdb *, const uint8_t mac[6],
                                 uint16_t vlan, uint32_t port, uint64_t now,
                                 uint32_t *old_port);
uint32_t ls_fdb_lookup(const struct ls_fdb *, const uint8_t mac[6],
                       uint16_t vlan, uint64_t now);
const struct ls_fdb_entry *ls_fdb_find(const struct ls_fdb *,
                                       const uint8_t mac[6], uint16_t vlan,
                                       uint64_t now);
unsigned int ls_fdb_flush_port(struct ls_fdb *, uint32_t port);
unsigned int ls_fdb_flush_vlan(struct ls_fdb *, uint16_t vlan);
unsigned int ls_fdb_flush_all(struct ls_fdb *);
unsigned int ls_fdb_expire(struct ls_fdb *, uint64_t now);
int ls_fdb_resize(struct ls_fdb *, unsigned int hashsize);
void ls_fdb_get_params(const struct ls_fdb *, struct ls_fdb_params *);
void ls_fdb_set_expire(struct ls_fdb *, uint64_t expire_ms);
void ls_fdb_set_min_persist(struct ls_fdb *, uint64_t min_persist_ms);
unsigned int ls_fdb_count(const struct ls_fdb *);
uint32_t ls_fdb_bucket(const struct ls_fdb *, const uint8_t mac[6],
                       uint16_t vlan);

typedef void ls_fdb_visit_cb(void *aux, unsigned int bucket,
                             const struct ls_fdb_entry *);
void ls_fdb_foreach(const struct ls_fdb *, ls_fdb_visit_cb *, void *aux);

unsigned int ls_fdb_round_pow2(unsigned int);

#endif
