#ifndef LS_LINK_H
#define LS_LINK_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* The host link watcher: a libnl-3 cache manager on "route/link" whose
 * netlink socket is polled by the loop.  Subscribers hear about every
 * interface that appears (NEW), changes (CHANGE: flags, carrier,
 * operstate, name, MAC) or disappears (DEL).  Netlink is lossy: when the
 * socket overflows (ENOBUFS) the watcher re-dumps the links and reports
 * the differences, so no event is lost for good.
 *
 * Hot-plug of host-side ports uses it; link-state policies will too. */

struct ls_link_info {
    int ifindex;
    char name[IF_NAMESIZE];
    uint8_t mac[6];
    bool has_mac;       /* 'mac' is valid (6-byte link address). */
    unsigned int flags; /* IFF_UP, IFF_RUNNING, IFF_LOWER_UP, ... */
    uint8_t operstate;  /* IF_OPER_* (RFC 2863). */
    bool carrier;
};

enum ls_link_action {
    LS_LINK_NEW,
    LS_LINK_CHANGE,
    LS_LINK_DEL,
};

/* A subscriber.  Embed it in the owner's struct. */
struct ls_link_sub {
    void (*cb)(struct ls_link_sub *, enum ls_link_action,
               const struct ls_link_info *);
    struct ls_link_sub *next;
};

int ls_link_watch_subscribe(struct ls_link_sub *);
void ls_link_watch_unsubscribe(struct ls_link_sub *);
int ls_link_watch_resync(void);
void ls_link_watch_stop(void);

int ls_link_find_name(const char *name, struct ls_link_info *);
int ls_link_find_mac(const uint8_t mac[6], struct ls_link_info *);
int ls_link_find_index(int ifindex, struct ls_link_info *);

#endif
