#ifndef LS_QUEUE_H
#define LS_QUEUE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* A bounded egress queue of frames: a byte ring that holds each frame
 * contiguously, plus a ring of slots.  Storage is allocated once, the
 * first time a frame is queued; pushing and popping never allocate. */

struct ls_queue_slot {
    uint32_t off;
    uint32_t len;
};

struct ls_queue {
    uint8_t *buf;
    size_t cap;        /* Bytes in 'buf'. */
    size_t head, tail; /* Byte offsets of oldest and next frame. */
    struct ls_queue_slot *slots;
    unsigned int nslots;       /* Capacity in frames. */
    unsigned int first, count; /* Slot ring. */
};

void ls_queue_init(struct ls_queue *, size_t bytes, unsigned int frames);
void ls_queue_fini(struct ls_queue *);
int ls_queue_push(struct ls_queue *, const struct iovec *, int iovcnt,
                  size_t len);
void ls_queue_pop(struct ls_queue *, unsigned int n);
unsigned int ls_queue_peek_iov(const struct ls_queue *, struct iovec *,
                               unsigned int max);

static inline bool
ls_queue_is_empty(const struct ls_queue *q)
{
    return q->count == 0;
}

static inline unsigned int
ls_queue_len(const struct ls_queue *q)
{
    return q->count;
}

/* True when senders into the queue should slow down: it is three quarters
 * full (by frames or by bytes), or it could not take 'frames' more frames
 * of 'bytes' in all (one more batch). */
bool ls_queue_is_high(const struct ls_queue *, unsigned int frames,
                      size_t bytes);

#endif
