#include "switch/vlan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One defined VLAN: two bitmaps over port numbers. */
struct vlan {
    uint64_t *members; /* Tagged or untagged member ports. */
    uint64_t *tagged;  /* Subset of 'members' that get tagged frames. */
};

struct ls_vlans {
    unsigned int numports;
    unsigned int words; /* uint64_t per bitmap. */
    unsigned int count; /* Defined VLANs, 0 included. */
    struct vlan *v[LS_VLAN_MAX + 1];
};

static unsigned int
bitmap_words(unsigned int n)
{
    return (n + 63) / 64 ? (n + 63) / 64 : 1;
}

static bool
bit_get(const uint64_t *b, unsigned int i)
{
    return (b[i / 64] >> (i % 64)) & 1;
}

static void
bit_set(uint64_t *b, unsigned int i, bool on)
{
    if (on) {
        b[i / 64] |= 1ULL << (i % 64);
    } else {
        b[i / 64] &= ~(1ULL << (i % 64));
    }
}

static struct vlan *
vlan_alloc(unsigned int words)
{
    struct vlan *v = calloc(1, sizeof *v);

    if (v) {
        v->members = calloc(words, sizeof(uint64_t));
        v->tagged = calloc(words, sizeof(uint64_t));
        if (!v->members || !v->tagged) {
            free(v->members);
            free(v->tagged);
            free(v);
            v = NULL;
        }
    }
    return v;
}

static void
vlan_free(struct vlan *v)
{
    if (v) {
        free(v->members);
        free(v->tagged);
        free(v);
    }
}

/* Creates the VLAN table for 'numports' ports, with VLAN 0 defined and
 * empty.  Returns 0 or ENOMEM. */
int
ls_vlans_create(unsigned int numports, struct ls_vlans **vp)
{
    struct ls_vlans *vl = calloc(1, sizeof *vl);

    *vp = NULL;
    if (!vl) {
        return ENOMEM;
    }
    vl->numports = numports;
    vl->words = bitmap_words(numports);
    vl->v[0] = vlan_alloc(vl->words);
    if (!vl->v[0]) {
        free(vl);
        return ENOMEM;
    }
    vl->count = 1;
    *vp = vl;
    return 0;
}

/* Frees the table (NULL is fine). */
void
ls_vlans_destroy(struct ls_vlans *vl)
{
    unsigned int i;

    if (vl) {
        for (i = 0; i <= LS_VLAN_MAX; i++) {
            vlan_free(vl->v[i]);
        }
        free(vl);
    }
}

/* Makes room for 'numports' ports; memberships of ports beyond the new
 * size are dropped.  Returns 0 or ENOMEM (then nothing changed). */
int
ls_vlans_resize(struct ls_vlans *vl, unsigned int numports)
{
    unsigned int words = bitmap_words(numports);
    unsigned int keep = words < vl->words ? words : vl->words;
    uint64_t *fresh[2 * (LS_VLAN_MAX + 1)];
    unsigned int i, p, n = 0;

    /* Allocate every new bitmap first, so that failing changes nothing. */
    for (i = 0; i <= LS_VLAN_MAX; i++) {
        if (!vl->v[i]) {
            continue;
        }
        fresh[n] = calloc(words, sizeof(uint64_t));
        fresh[n + 1] = calloc(words, sizeof(uint64_t));
        n += 2;
        if (!fresh[n - 2] || !fresh[n - 1]) {
            while (n) {
                free(fresh[--n]);
            }
            return ENOMEM;
        }
    }
    n = 0;
    for (i = 0; i <= LS_VLAN_MAX; i++) {
        struct vlan *v = vl->v[i];

        if (!v) {
            continue;
        }
        memcpy(fresh[n], v->members, sizeof(uint64_t) * keep);
        memcpy(fresh[n + 1], v->tagged, sizeof(uint64_t) * keep);
        free(v->members);
        free(v->tagged);
        v->members = fresh[n];
        v->tagged = fresh[n + 1];
        n += 2;
        for (p = numports; p < words * 64; p++) {
            bit_set(v->members, p, false);
            bit_set(v->tagged, p, false);
        }
    }
    vl->words = words;
    vl->numports = numports;
    return 0;
}

/* Returns true if 'vlan' is defined. */
bool
ls_vlan_exists(const struct ls_vlans *vl, unsigned int vlan)
{
    return vlan <= LS_VLAN_MAX && vl->v[vlan] != NULL;
}

/* Returns the number of defined VLANs, VLAN 0 included. */
unsigned int
ls_vlans_count(const struct ls_vlans *vl)
{
    return vl->count;
}

/* Defines 'vlan'.  Returns 0, EINVAL outside 1..4093, EEXIST or ENOMEM. */
int
ls_vlan_create(struct ls_vlans *vl, unsigned int vlan)
{
    if (vlan < 1 || vlan > LS_VLAN_CREATE_MAX) {
        return EINVAL;
    }
    if (vl->v[vlan]) {
        return EEXIST;
    }
    vl->v[vlan] = vlan_alloc(vl->words);
    if (!vl->v[vlan]) {
        return ENOMEM;
    }
    vl->count++;
    return 0;
}

/* Returns true if any port is a member of 'vlan'. */
bool
ls_vlan_has_members(const struct ls_vlans *vl, unsigned int vlan)
{
    unsigned int i;

    if (!ls_vlan_exists(vl, vlan)) {
        return false;
    }
    for (i = 0; i < vl->words; i++) {
        if (vl->v[vlan]->members[i]) {
            return true;
        }
    }
    return false;
}

/* Undefines 'vlan'.  Returns 0, EINVAL outside 1..4094, ENXIO if not
 * defined, EADDRINUSE if a port is still a member. */
int
ls_vlan_remove(struct ls_vlans *vl, unsigned int vlan)
{
    if (vlan < 1 || vlan > 4094) {
        return EINVAL;
    }
    if (!vl->v[vlan]) {
        return ENXIO;
    }
    if (ls_vlan_has_members(vl, vlan)) {
        return EADDRINUSE;
    }
    vlan_free(vl->v[vlan]);
    vl->v[vlan] = NULL;
    vl->count--;
    return 0;
}

/* Adds ('member') or removes 'port' to/from 'vlan', tagged or untagged.
 * Returns 0, ENXIO if the VLAN is not defined, EINVAL if 'port' is out of
 * range. */
int
ls_vlan_set_member(struct ls_vlans *vl, unsigned int vlan, unsigned int port,
                   bool member, bool tagged)
{
    if (port >= vl->numports) {
        return EINVAL;
    }
    if (!ls_vlan_exists(vl, vlan)) {
        return ENXIO;
    }
    bit_set(vl->v[vlan]->members, port, member);
    bit_set(vl->v[vlan]->tagged, port, member && tagged);
    return 0;
}

/* Returns true if 'port' belongs to 'vlan' (tagged or untagged). */
bool
ls_vlan_is_member(const struct ls_vlans *vl, unsigned int vlan,
                  unsigned int port)
{
    return port < vl->numports && ls_vlan_exists(vl, vlan) &&
           bit_get(vl->v[vlan]->members, port);
}

/* Returns true if 'port' is a tagged member of 'vlan'. */
bool
ls_vlan_is_tagged(const struct ls_vlans *vl, unsigned int vlan,
                  unsigned int port)
{
    return port < vl->numports && ls_vlan_exists(vl, vlan) &&
           bit_get(vl->v[vlan]->tagged, port);
}

/* Removes 'port' from every VLAN. */
void
ls_vlan_drop_port(struct ls_vlans *vl, unsigned int port)
{
    unsigned int i;

    if (port >= vl->words * 64) {
        return;
    }
    for (i = 0; i <= LS_VLAN_MAX; i++) {
        if (vl->v[i]) {
            bit_set(vl->v[i]->members, port, false);
            bit_set(vl->v[i]->tagged, port, false);
        }
    }
}

/* Returns the lowest defined VLAN greater than 'after' (-1 to start), or
 * LS_VLAN_MAX + 1 when there is none. */
unsigned int
ls_vlan_next(const struct ls_vlans *vl, int after)
{
    unsigned int i;

    for (i = (unsigned int) (after + 1); i <= LS_VLAN_MAX; i++) {
        if (vl->v[i]) {
            return i;
        }
    }
    return LS_VLAN_MAX + 1;
}
