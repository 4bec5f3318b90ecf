#ifndef LS_PLUG_H
#define LS_PLUG_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "switch/loop.h"
#include "switch/queue.h"

/* Port backends.  Every kind of endpoint (a VDE client, a tap, a host NIC,
 * ...) implements one ops table; the core knows nothing else about it.
 *
 * Frames move in batches: the core asks a readable endpoint for a batch of
 * received frames, decides them all, then hands every destination endpoint
 * the frames for it in one call. */

#define LS_FRAME_MIN 14
#define LS_FRAME_MAX (9216 + 18) /* Jumbo payload + Ethernet + 802.1Q. */
#define LS_BATCH 64
#define LS_DESCR_MAX 256

struct ls_endpoint;
struct ls_port;

/* A received frame, in a buffer owned by the core's batch. */
struct ls_rxframe {
    uint8_t *data;
    uint32_t len;
    uint32_t flags; /* LS_RX_TRUNCATED if the datagram did not fit. */
};
#define LS_RX_TRUNCATED 1u

/* A frame to send: up to three pieces (used to add or strip a tag without
 * copying). */
struct ls_txframe {
    struct iovec iov[3];
    uint8_t iovcnt;
    uint32_t len;
};

struct ls_plug_ops {
    const char *module; /* Shown in port/print, e.g. "unix prog". */

    /* Receives up to 'max' frames into 'frames' (whose 'data' point to
     * buffers of LS_FRAME_MAX + 1 bytes) and stores how many in '*n'.
     * The data fd is polled edge-triggered: the core calls again until a
     * call returns no frame, or sets ep->rx_empty to say the source is
     * known to be empty.  Returns 0 (also with *n == 0 when nothing is
     * pending), or an errno value when the endpoint is dead and must be
     * closed. */
    int (*recv_batch)(struct ls_endpoint *, struct ls_rxframe *frames,
                      unsigned int max, unsigned int *n);

    /* Sends 'n' frames in order, storing how many left in '*sent'.
     * Returns 0 when all were sent, EAGAIN when the rest must wait for the
     * endpoint to become writable, or another errno value for frames that
     * cannot be sent (they are counted as dropped). */
    int (*send_batch)(struct ls_endpoint *, const struct ls_txframe *,
                      unsigned int n, unsigned int *sent);

    /* Releases the backend's resources (fds, files).  The core frees the
     * endpoint afterwards. */
    void (*close)(struct ls_endpoint *);

    /* Tells the backend whether the port's link is up, so it can show the
     * peer (e.g. the tap's carrier).  May be NULL. */
    int (*set_carrier)(struct ls_endpoint *, bool up);
};

/* An endpoint: one attachment to a port.  A port may have several. */
struct ls_endpoint {
    const struct ls_plug_ops *ops;
    struct ls_port *port;
    struct ls_endpoint *next; /* In the port's list, newest first. */
    int id;                   /* "endpoint ID" of port/print and epclose. */
    int uid;                  /* Owner, -1 if unknown. */
    char descr[LS_DESCR_MAX];

    struct ls_io data_io; /* Data fd, edge-triggered in and out. */
    bool readable;        /* Input may be pending. */
    bool rx_empty;        /* Set by recv_batch: the source is empty. */
    bool on_ready;        /* In the core's ready list. */
    struct ls_endpoint *ready_next;
    struct ls_queue queue;     /* Frames waiting for EPOLLOUT. */
    uint64_t stalled_since_ms; /* Queue non-empty with no progress since. */
    bool stuck;                /* Stalled too long: do not back-pressure. */
    bool paused;               /* Input disabled for back-pressure. */
    struct ls_endpoint *paused_next;

    /* Frames for this endpoint from the batch being decided. */
    struct ls_txframe *pending;
    unsigned int n_pending;
    struct ls_endpoint *dirty_next;

    void *priv; /* Backend state. */
};

#endif
