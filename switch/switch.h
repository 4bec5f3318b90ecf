#ifndef LS_SWITCH_H
#define LS_SWITCH_H 1

#include <stdbool.h>
#include <stdint.h>

#include "plug/plug.h"
#include "switch/fdb.h"
#include "switch/port.h"
#include "switch/vlan.h"

/* The switch: its port table, VLANs, MAC table and settings.  One per
 * process ('ls_sw'), created by ls_switch_create(). */

struct ls_switch_config {
    unsigned int numports; /* Slots 0..numports-1. */
    bool hub;
    uint8_t mac[6];
    unsigned int hashsize;
    unsigned int fdb_max;
    unsigned int expire_s;     /* MAC ageing. */
    unsigned int gcint_s;      /* How often aged entries are removed. */
    unsigned int minper_s;     /* Minimum persistence before a MAC moves. */
    unsigned int queue_frames; /* Per-endpoint egress queue bound. */
    unsigned int queue_bytes;
};

struct ls_switch {
    struct ls_switch_config cfg;
    struct ls_port **ports; /* cfg.numports slots, NULL if not allocated. */
    struct ls_vlans *vlans;
    struct ls_fdb *fdb;
    uint64_t start_ms;
    struct ls_timer gc_timer;
    struct ls_timer drop_timer; /* port/drop events, once a second. */
    struct ls_endpoint *paused; /* Endpoints paused by back-pressure. */
    struct ls_timer resume_timer;
};

extern struct ls_switch *ls_sw;

void ls_switch_default_config(struct ls_switch_config *);
int ls_switch_create(const struct ls_switch_config *, struct ls_switch **);
void ls_switch_destroy(struct ls_switch *);

struct ls_port *ls_port_get(const struct ls_switch *, unsigned int num);
int ls_port_create(struct ls_switch *, unsigned int num, bool notinpool,
                   struct ls_port **);
int ls_port_create_auto(struct ls_switch *, struct ls_port **);
int ls_port_remove(struct ls_switch *, unsigned int num);
int ls_port_set_numports(struct ls_switch *, unsigned int n);
int ls_port_set_vlan(struct ls_switch *, unsigned int num, unsigned int vlan);
int ls_port_set_admin(struct ls_switch *, unsigned int num, bool up);
int ls_port_set_carrier(struct ls_switch *, unsigned int num, bool up);
void ls_port_reset_counters(struct ls_port *);

/* How an attach request names its port. */
#define LS_PORT_ANY UINT32_MAX

int ls_port_select(struct ls_switch *, uint32_t want, int uid,
                   struct ls_port **, bool *created);
int ls_endpoint_attach(struct ls_switch *, struct ls_port *,
                       const struct ls_plug_ops *, int data_fd, int id,
                       int uid, const char *descr, void *priv,
                       struct ls_endpoint **);
void ls_endpoint_detach(struct ls_switch *, struct ls_endpoint *);
int ls_endpoint_set_fd(struct ls_switch *, struct ls_endpoint *, int fd);
struct ls_endpoint *ls_endpoint_find(const struct ls_port *, int id);

void ls_switch_close_all(struct ls_switch *);

#endif
