/* Unit tests for the bounded egress queue (switch/queue.c). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "switch/queue.h"

/* Fills 'buf' with 'len' bytes derived from 'seed'. */
static void
fill(uint8_t *buf, size_t len, unsigned int seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t) (seed * 131 + i * 7 + (i >> 8));
    }
}

/* Pushes a frame of 'len' bytes made from 'seed', split into up to three
 * iovecs. */
static int
push(struct ls_queue *q, size_t len, unsigned int seed)
{
    uint8_t *buf = malloc(len ? len : 1);
    struct iovec iov[3];
    size_t a = len / 3, b = len / 2;
    int error;

    assert_non_null(buf);
    fill(buf, len, seed);
    iov[0].iov_base = buf;
    iov[0].iov_len = a;
    iov[1].iov_base = buf + a;
    iov[1].iov_len = b - a;
    iov[2].iov_base = buf + b;
    iov[2].iov_len = len - b;
    error = ls_queue_push(q, iov, 3, len);
    free(buf);
    return error;
}

/* Checks that the queue holds exactly the frames (len[i], seed[i]). */
static void
check(const struct ls_queue *q, const size_t *lens, const unsigned int *seeds,
      unsigned int n)
{
    struct iovec iov[64];
    uint8_t expect[8192];
    unsigned int i, got;

    assert_true(n <= 64);
    assert_int_equal(ls_queue_len(q), n);
    assert_int_equal(ls_queue_is_empty(q), n == 0);
    got = ls_queue_peek_iov(q, iov, 64);
    assert_int_equal(got, n);
    for (i = 0; i < n; i++) {
        assert_true(lens[i] <= sizeof expect);
        fill(expect, lens[i], seeds[i]);
        assert_int_equal(iov[i].iov_len, lens[i]);
        assert_memory_equal(iov[i].iov_base, expect, lens[i]);
        /* Every frame lies inside the byte ring. */
        assert_true((uint8_t *) iov[i].iov_base >= q->buf);
        assert_true((uint8_t *) iov[i].iov_base + lens[i] <= q->buf + q->cap);
    }
}

static void
test_push_peek_pop_order(void **state)
{
    static const size_t lens[] = {60, 14, 1514, 9234 - 9000, 1};
    static const unsigned int seeds[] = {1, 2, 3, 4, 5};
    struct ls_queue q;
    struct iovec iov[2];

    ls_queue_init(&q, 4096, 8);
    assert_null(q.buf); /* Nothing allocated before the first push. */
    assert_true(ls_queue_is_empty(&q));
    assert_int_equal(ls_queue_peek_iov(&q, iov, 2), 0);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(push(&q, lens[i], seeds[i]), 0);
        check(&q, lens, seeds, (unsigned int) i + 1);
    }
    /* peek is limited by 'max'. */
    assert_int_equal(ls_queue_peek_iov(&q, iov, 2), 2);
    assert_int_equal(iov[0].iov_len, 60);
    assert_int_equal(iov[1].iov_len, 14);

    ls_queue_pop(&q, 1);
    check(&q, lens + 1, seeds + 1, 4);
    ls_queue_pop(&q, 2);
    check(&q, lens + 3, seeds + 3, 2);
    ls_queue_pop(&q, 0);
    check(&q, lens + 3, seeds + 3, 2);
    /* Popping more than there is empties the queue. */
    ls_queue_pop(&q, 10);
    check(&q, NULL, NULL, 0);
    assert_int_equal(q.head, 0);
    assert_int_equal(q.tail, 0);

    /* An empty queue starts again at the beginning of the ring. */
    assert_int_equal(push(&q, 100, 9), 0);
    assert_ptr_equal(q.buf + q.slots[q.first].off, q.buf);

    ls_queue_fini(&q);
    assert_null(q.buf);
    assert_true(ls_queue_is_empty(&q));
    /* Usable again after fini. */
    assert_int_equal(push(&q, 10, 10), 0);
    check(&q, (size_t[]){10}, (unsigned int[]){10}, 1);
    ls_queue_fini(&q);
}

/* A hand-made wrap-around: the frame that does not fit at the end goes to
 * the start, and must end strictly before the oldest frame. */
static void
test_wrap_exact(void **state)
{
    struct ls_queue q;
    struct iovec iov[4];

    ls_queue_init(&q, 100, 16);
    assert_int_equal(push(&q, 40, 1), 0); /* A at 0..40 */
    assert_int_equal(push(&q, 40, 2), 0); /* B at 40..80 */
    assert_int_equal(push(&q, 30, 3), ENOBUFS);
    ls_queue_pop(&q, 1); /* head = 40 */
    assert_int_equal(push(&q, 40, 3), ENOBUFS);
    assert_int_equal(push(&q, 30, 3), 0); /* C wraps to 0..30 */
    assert_int_equal(ls_queue_peek_iov(&q, iov, 4), 2);
    assert_ptr_equal(iov[1].iov_base, q.buf);
    assert_int_equal(push(&q, 10, 4), ENOBUFS); /* Would touch B. */
    assert_int_equal(push(&q, 9, 4), 0);        /* D at 30..39 */
    check(&q, (size_t[]){40, 30, 9}, (unsigned int[]){2, 3, 4}, 3);
    ls_queue_pop(&q, 1); /* B gone: head = 0 */
    check(&q, (size_t[]){30, 9}, (unsigned int[]){3, 4}, 2);
    assert_int_equal(push(&q, 61, 5), 0); /* E at 39..100 */
    assert_int_equal(push(&q, 1, 6), ENOBUFS);
    check(&q, (size_t[]){30, 9, 61}, (unsigned int[]){3, 4, 5}, 3);
    ls_queue_pop(&q, 3);
    assert_int_equal(push(&q, 100, 7), 0); /* The whole ring. */
    assert_int_equal(push(&q, 1, 8), ENOBUFS);
    check(&q, (size_t[]){100}, (unsigned int[]){7}, 1);
    ls_queue_fini(&q);
}

/* Random pushes and pops of mixed sizes against a model FIFO. */
static void
test_wrap_random(void **state)
{
    enum { CAP = 5000, SLOTS = 32 };
    size_t lens[SLOTS];
    unsigned int seeds[SLOTS];
    unsigned int n = 0, seed = 0, i, pushed = 0, refused = 0, wrapped = 0;
    struct ls_queue q;

    srand(12345);
    ls_queue_init(&q, CAP, SLOTS);
    for (i = 0; i < 20000; i++) {
        if (rand() % 3) {
            size_t len = (size_t) (rand() % 3 == 0 ? rand() % 1600 + 1
                                                   : rand() % 128 + 14);
            int error = push(&q, len, ++seed);

            if (!error) {
                assert_true(n < SLOTS);
                if (n && q.slots[(q.first + n) % SLOTS].off <
                             q.slots[(q.first + n - 1) % SLOTS].off) {
                    wrapped++;
                }
                lens[n] = len;
                seeds[n] = seed;
                n++;
                pushed++;
            } else {
                size_t used = 0, j;

                assert_int_equal(error, ENOBUFS);
                /* Refused only when really short of room: out of slots,
                 * or the frames held, the gap left at the end of the ring
                 * by a wrap (shorter than a frame) and the new frame
                 * (which may not fit at the end nor before the head) do
                 * not leave room. */
                for (j = 0; j < n; j++) {
                    used += lens[j];
                }
                assert_true(n == SLOTS || used + 2 * len + 1600 >= CAP);
                refused++;
            }
        } else if (n) {
            unsigned int k = (unsigned int) (rand() % (int) n) + 1;

            ls_queue_pop(&q, k);
            memmove(lens, lens + k, (n - k) * sizeof *lens);
            memmove(seeds, seeds + k, (n - k) * sizeof *seeds);
            n -= k;
        }
        check(&q, lens, seeds, n);
        if (n == 0) {
            /* An empty queue always takes a frame that fits. */
            size_t len = (size_t) (i % 7 ? rand() % 200 + 1 : CAP);

            assert_int_equal(push(&q, len, ++seed), 0);
            lens[0] = len;
            seeds[0] = seed;
            n = 1;
            check(&q, lens, seeds, n);
        }
    }
    print_message("%u pushed, %u refused, %u wrapped\n", pushed, refused,
                  wrapped);
    assert_true(pushed > 1000);
    assert_true(wrapped > 100);
    assert_true(refused > 100);
    ls_queue_fini(&q);
}

static void
test_overflow_frames(void **state)
{
    size_t lens[4] = {20, 21, 22, 23};
    unsigned int seeds[4] = {1, 2, 3, 4};
    struct ls_queue q;
    unsigned int i;

    ls_queue_init(&q, 10000, 4);
    for (i = 0; i < 4; i++) {
        assert_int_equal(push(&q, lens[i], seeds[i]), 0);
    }
    for (i = 0; i < 10; i++) {
        assert_int_equal(push(&q, 10, 99), ENOBUFS);
    }
    check(&q, lens, seeds, 4);
    ls_queue_pop(&q, 1);
    assert_int_equal(push(&q, 30, 5), 0);
    assert_int_equal(push(&q, 30, 6), ENOBUFS);
    check(&q, (size_t[]){21, 22, 23, 30}, (unsigned int[]){2, 3, 4, 5}, 4);
    ls_queue_fini(&q);
}

static void
test_overflow_bytes(void **state)
{
    struct ls_queue q;

    ls_queue_init(&q, 100, 64);
    /* Larger than the whole ring, even when empty. */
    assert_int_equal(push(&q, 101, 1), ENOBUFS);
    assert_true(ls_queue_is_empty(&q));
    assert_int_equal(push(&q, 60, 1), 0);
    assert_int_equal(push(&q, 50, 2), ENOBUFS);
    assert_int_equal(push(&q, 41, 2), ENOBUFS);
    check(&q, (size_t[]){60}, (unsigned int[]){1}, 1);
    assert_int_equal(push(&q, 40, 2), 0);
    assert_int_equal(push(&q, 1, 3), ENOBUFS);
    check(&q, (size_t[]){60, 40}, (unsigned int[]){1, 2}, 2);
    ls_queue_fini(&q);
}

static void
test_is_high(void **state)
{
    struct ls_queue q;
    unsigned int i;

    /* By frames: 3/4 of 8 is 6. */
    ls_queue_init(&q, 100000, 8);
    assert_false(ls_queue_is_high(&q, 0, 0));
    for (i = 0; i < 5; i++) {
        assert_int_equal(push(&q, 10, i), 0);
        assert_false(ls_queue_is_high(&q, 0, 0));
    }
    assert_int_equal(push(&q, 10, 5), 0);
    assert_true(ls_queue_is_high(&q, 0, 0));
    ls_queue_pop(&q, 1);
    assert_false(ls_queue_is_high(&q, 0, 0));
    ls_queue_fini(&q);

    /* By bytes: 3/4 of 1000 is 750. */
    ls_queue_init(&q, 1000, 100);
    assert_int_equal(push(&q, 700, 1), 0);
    assert_false(ls_queue_is_high(&q, 0, 0));
    assert_int_equal(push(&q, 49, 2), 0);
    assert_false(ls_queue_is_high(&q, 0, 0));
    assert_int_equal(push(&q, 1, 3), 0);
    assert_true(ls_queue_is_high(&q, 0, 0));
    ls_queue_pop(&q, 1);
    assert_false(ls_queue_is_high(&q, 0, 0));
    ls_queue_pop(&q, 2);
    assert_false(ls_queue_is_high(&q, 0, 0));
    ls_queue_fini(&q);

    /* By the room for one more batch: 2 frames or 300 bytes. */
    ls_queue_init(&q, 1000, 100);
    assert_false(ls_queue_is_high(&q, 2, 300)); /* Empty: never high. */
    assert_int_equal(push(&q, 600, 1), 0);
    assert_false(ls_queue_is_high(&q, 2, 300));
    assert_int_equal(push(&q, 101, 2), 0);
    assert_true(ls_queue_is_high(&q, 2, 300));
    ls_queue_fini(&q);
    ls_queue_init(&q, 100000, 10);
    for (i = 0; i < 7; i++) {
        assert_int_equal(push(&q, 10, i), 0);
    }
    assert_false(ls_queue_is_high(&q, 3, 0));
    assert_true(ls_queue_is_high(&q, 4, 0));
    ls_queue_fini(&q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_peek_pop_order),
        cmocka_unit_test(test_wrap_exact),
        cmocka_unit_test(test_wrap_random),
        cmocka_unit_test(test_overflow_frames),
        cmocka_unit_test(test_overflow_bytes),
        cmocka_unit_test(test_is_high),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
