#ifndef LS_VLAN_H
#define LS_VLAN_H 1

#include <stdbool.h>
#include <stdint.h>

/* 802.1Q VLAN membership, with vde_switch's rules:
 *  - VLAN 0 always exists; vlan/create accepts 1..4093; 4095 means "none";
 *  - a port has at most one untagged VLAN and any number of tagged ones;
 *  - while no VLAN but 0 is defined the switch is a transparent trunk:
 *    tagged frames are forwarded unchanged among VLAN 0 ports. */

#define LS_VLAN_MAX 4095
#define LS_VLAN_NONE 4095
#define LS_VLAN_CREATE_MAX 4093

struct ls_vlans;

int ls_vlans_create(unsigned int numports, struct ls_vlans **);
void ls_vlans_destroy(struct ls_vlans *);
int ls_vlans_resize(struct ls_vlans *, unsigned int numports);
bool ls_vlan_exists(const struct ls_vlans *, unsigned int vlan);
unsigned int ls_vlans_count(const struct ls_vlans *);
int ls_vlan_create(struct ls_vlans *, unsigned int vlan);
int ls_vlan_remove(struct ls_vlans *, unsigned int vlan);
int ls_vlan_set_member(struct ls_vlans *, unsigned int vlan, unsigned int port,
                       bool member, bool tagged);
bool ls_vlan_is_member(const struct ls_vlans *, unsigned int vlan,
                       unsigned int port);
bool ls_vlan_is_tagged(const struct ls_vlans *, unsigned int vlan,
                       unsigned int port);
bool ls_vlan_has_members(const struct ls_vlans *, unsigned int vlan);
void ls_vlan_drop_port(struct ls_vlans *, unsigned int port);
unsigned int ls_vlan_next(const struct ls_vlans *, int after);

/* 802.1Q header parsing on a frame of 'len' >= 14 bytes. */
static inline bool
ls_frame_is_tagged(const uint8_t *f, unsigned int len)
{
    return len >= 18 && f[12] == 0x81 && f[13] == 0x00;
}

static inline uint16_t
ls_frame_vid(const uint8_t *f)
{
    return (uint16_t) (((f[14] & 0x0f) << 8) | f[15]);
}

#endif
