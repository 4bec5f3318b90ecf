#include "switch/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sets up an empty queue of at most 'frames' frames and 'bytes' bytes.
 * Nothing is allocated until the first push. */
void
ls_queue_init(struct ls_queue *q, size_t bytes, unsigned int frames)
{
    memset(q, 0, sizeof *q);
    q->cap = bytes;
    q->nslots = frames;
}

/* Frees the queue's storage and forgets its frames. */
void
ls_queue_fini(struct ls_queue *q)
{
    free(q->buf);
    free(q->slots);
    q->buf = NULL;
    q->slots = NULL;
    q->head = q->tail = 0;
    q->first = q->count = 0;
}

static size_t
queue_used_bytes(const struct ls_queue *q)
{
    if (!q->count) {
        return 0;
    }
    return q->tail > q->head ? q->tail - q->head : q->cap - q->head + q->tail;
}

/* Returns true if the queue is three quarters full or more, or has no room
 * for 'frames' more frames of 'bytes' bytes in all.  An empty queue is
 * never high. */
bool
ls_queue_is_high(const struct ls_queue *q, unsigned int frames, size_t bytes)
{
    size_t used = queue_used_bytes(q);

    if (!q->count) {
        return false;
    }
    return q->count * 4 >= q->nslots * 3 || used * 4 >= q->cap * 3 ||
           q->nslots - q->count < frames || q->cap - used < bytes;
}

/* Finds room for 'len' contiguous bytes.  Returns the offset or -1. */
static long
queue_room(const struct ls_queue *q, size_t len)
{
    if (!q->count) {
        return len <= q->cap ? 0 : -1;
    }
    if (q->tail > q->head) {
        if (q->cap - q->tail >= len) {
            return (long) q->tail;
        }
        /* Wrap: the frame must end strictly before 'head' so that
         * tail == head only ever means "empty". */
        return len < q->head ? 0 : -1;
    }
    return q->head - q->tail > len ? (long) q->tail : -1;
}

/* Appends the frame gathered from 'iov' ('len' bytes in all).  Returns 0,
 * ENOBUFS if the queue is full or ENOMEM if its storage could not be
 * allocated. */
int
ls_queue_push(struct ls_queue *q, const struct iovec *iov, int iovcnt,
              size_t len)
{
    struct ls_queue_slot *s;
    long off;
    int i;

    if (!q->buf) {
        q->buf = malloc(q->cap);
        q->slots = malloc(q->nslots * sizeof *q->slots);
        if (!q->buf || !q->slots) {
            ls_queue_fini(q);
            return ENOMEM;
        }
    }
    if (q->count >= q->nslots) {
        return ENOBUFS;
    }
    off = queue_room(q, len);
    if (off < 0) {
        return ENOBUFS;
    }
    if (!q->count) {
        q->head = (size_t) off;
    }
    s = &q->slots[(q->first + q->count) % q->nslots];
    s->off = (uint32_t) off;
    s->len = (uint32_t) len;
    for (i = 0; i < iovcnt; i++) {
        memcpy(q->buf + off, iov[i].iov_base, iov[i].iov_len);
        off += (long) iov[i].iov_len;
    }
    q->tail = (size_t) off;
    q->count++;
    return 0;
}

/* Removes the 'n' oldest frames. */
void
ls_queue_pop(struct ls_queue *q, unsigned int n)
{
    if (n > q->count) {
        n = q->count;
    }
    q->first = (q->first + n) % q->nslots;
    q->count -= n;
    if (q->count) {
        q->head = q->slots[q->first].off;
    } else {
        q->head = q->tail = 0;
        q->first = 0;
    }
}

/* Fills 'iov' with up to 'max' of the oldest frames, one iovec each, in
 * order.  Returns how many were filled. */
unsigned int
ls_queue_peek_iov(const struct ls_queue *q, struct iovec *iov,
                  unsigned int max)
{
    unsigned int i;

    for (i = 0; i < max && i < q->count; i++) {
        const struct ls_queue_slot *s = &q->slots[(q->first + i) % q->nslots];

        iov[i].iov_base = q->buf + s->off;
        iov[i].iov_len = s->len;
    }
    return i;
}
