#ifndef LS_EVENT_H
#define LS_EVENT_H 1

#include <stdbool.h>

/* Switch events, delivered as vde_switch "debug" lines ("3NNN cat text")
 * to the management sessions that subscribed with debug/add.  The core
 * emits; mgmt/ subscribes and delivers. */

enum ls_event_cat {
    LS_EV_HASH_ADD,
    LS_EV_HASH_DEL,
    LS_EV_PORT_ADD,
    LS_EV_PORT_DEL,
    LS_EV_PORT_DESCR,
    LS_EV_EP_ADD,
    LS_EV_EP_DEL,
    LS_EV_PORT_LINK,
    LS_EV_MAC_MOVE,
    LS_EV_PORT_DROP,
    LS_EV_N
};

struct ls_event_info {
    const char *path; /* e.g. "hash/+" */
    unsigned int tag; /* Shown in octal. */
    const char *help;
};

typedef void ls_event_sink(enum ls_event_cat, const char *text);

const struct ls_event_info *ls_event_info(enum ls_event_cat);
void ls_event_set_sink(ls_event_sink *);
void ls_event_subscribe(enum ls_event_cat, int delta);
bool ls_event_wanted(enum ls_event_cat);
void ls_event_emit(enum ls_event_cat, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
