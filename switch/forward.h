#ifndef LS_FORWARD_H
#define LS_FORWARD_H 1

#include <stdbool.h>
#include <stdint.h>

#include "switch/loop.h"

/* The data path: a batch from one endpoint is received, every frame is
 * decided (VLAN, learning, lookup, flood), then every destination endpoint
 * gets its frames in one send; what does not fit waits in the endpoint's
 * bounded queue for EPOLLOUT. */

struct ls_switch;
struct ls_endpoint;

/* Milliseconds without progress after which a receiver counts as stuck:
 * it no longer slows its senders down, its overflow is dropped. */
#define LS_STALL_MS 250

void ls_forward_io_cb(struct ls_io *, uint32_t events);
void ls_forward_input(struct ls_switch *, struct ls_endpoint *);
void ls_forward_output_ready(struct ls_switch *, struct ls_endpoint *);
bool ls_forward_run(void);
void ls_forward_wake(struct ls_endpoint *);
void ls_forward_forget(struct ls_endpoint *);

#endif
