#include "switch/loop.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "switch/clock.h"
#include "switch/log.h"

static int loop_epfd = -1;
static struct ls_timer *loop_timers; /* Sorted by 'when'. */
static bool loop_stop;
static int loop_status;
static ls_loop_work_fn *loop_work;

/* Objects whose ls_io may still be named in the current epoll batch are
 * freed only after the batch. */
struct loop_garbage {
    struct loop_garbage *next;
    void *ptr;
};
static struct loop_garbage *loop_garbage;

static void
loop_collect(void)
{
    while (loop_garbage) {
        struct loop_garbage *g = loop_garbage;

        loop_garbage = g->next;
        free(g->ptr);
        free(g);
    }
}

/* Frees 'ptr' once the callbacks of the current epoll batch have run.  The
 * owner must already have called ls_io_del() on every ls_io inside it. */
void
ls_loop_free_later(void *ptr)
{
    struct loop_garbage *g = malloc(sizeof *g);

    if (!g || loop_epfd < 0) {
        free(g);
        free(ptr);
        return;
    }
    g->ptr = ptr;
    g->next = loop_garbage;
    loop_garbage = g;
}

/* Creates the process's epoll set.  Returns 0 or an errno value. */
int
ls_loop_init(void)
{
    loop_epfd = epoll_create1(EPOLL_CLOEXEC);
    loop_stop = false;
    loop_timers = NULL;
    return loop_epfd < 0 ? errno : 0;
}

/* Closes the epoll set. */
void
ls_loop_fini(void)
{
    loop_collect();
    if (loop_epfd >= 0) {
        close(loop_epfd);
        loop_epfd = -1;
    }
}

/* Starts watching 'fd' for 'events'; 'cb' runs when any of them is
 * pending.  Returns 0 or an errno value. */
int
ls_io_add(struct ls_io *io, int fd, uint32_t events, ls_io_cb *cb)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};

    io->fd = fd;
    io->events = events;
    io->cb = cb;
    if (loop_epfd < 0) {
        return 0; /* Unit tests run without a loop. */
    }
    if (epoll_ctl(loop_epfd, EPOLL_CTL_ADD, fd, &ev)) {
        int error = errno;

        io->fd = -1; /* So that ls_io_del() never touches a reused fd. */
        return error;
    }
    return 0;
}

/* Changes the events watched for 'io'.  Returns 0 or an errno value. */
int
ls_io_set_events(struct ls_io *io, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};

    if (io->events == events) {
        return 0;
    }
    io->events = events;
    if (loop_epfd < 0) {
        return 0;
    }
    return epoll_ctl(loop_epfd, EPOLL_CTL_MOD, io->fd, &ev) ? errno : 0;
}

/* Stops watching 'io' (before its fd is closed). */
void
ls_io_del(struct ls_io *io)
{
    if (loop_epfd >= 0 && io->fd >= 0) {
        epoll_ctl(loop_epfd, EPOLL_CTL_DEL, io->fd, NULL);
    }
    io->fd = -1;
}

/* Arms 't' to run 'cb' once, 'delay_ms' from now.  Re-arming an armed
 * timer moves it. */
void
ls_timer_arm(struct ls_timer *t, uint64_t delay_ms, ls_timer_cb *cb)
{
    struct ls_timer **pp;

    ls_timer_cancel(t);
    t->when = ls_clock_ms() + delay_ms;
    t->cb = cb;
    for (pp = &loop_timers; *pp && (*pp)->when <= t->when; pp = &(*pp)->next) {
        continue;
    }
    t->next = *pp;
    *pp = t;
    t->armed = true;
}

/* Disarms 't' if armed. */
void
ls_timer_cancel(struct ls_timer *t)
{
    struct ls_timer **pp;

    if (!t->armed) {
        return;
    }
    for (pp = &loop_timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->armed = false;
}

/* Runs the callbacks of every timer that is due.  Returns the number of
 * milliseconds until the next timer, or UINT64_MAX if none is armed. */
uint64_t
ls_timer_run_due(void)
{
    for (;;) {
        struct ls_timer *t = loop_timers;
        uint64_t now = ls_clock_ms();

        if (!t) {
            return UINT64_MAX;
        }
        if (t->when > now) {
            return t->when - now;
        }
        loop_timers = t->next;
        t->armed = false;
        t->cb(t);
    }
}

/* Sets the function run once per iteration (see ls_loop_work_fn). */
void
ls_loop_set_work(ls_loop_work_fn *fn)
{
    loop_work = fn;
}

/* Runs the loop until ls_loop_stop().  Returns the status given to it. */
int
ls_loop_run(void)
{
    enum { MAX_EVENTS = 64 };
    struct epoll_event evs[MAX_EVENTS];

    while (!loop_stop) {
        uint64_t wait = ls_timer_run_due();
        int timeout = wait > INT_MAX ? -1 : (int) wait;
        int i, n;

        if (!loop_stop && loop_work && loop_work()) {
            timeout = 0;
        }
        loop_collect();
        if (loop_stop) {
            break;
        }
        n = epoll_wait(loop_epfd, evs, MAX_EVENTS, timeout);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            LS_ERR("epoll_wait: %m");
            return errno;
        }
        for (i = 0; i < n && !loop_stop; i++) {
            struct ls_io *io = evs[i].data.ptr;

            if (io->fd >= 0) {
                io->cb(io, evs[i].events);
            }
        }
        loop_collect();
    }
    loop_collect();
    return loop_status;
}

/* Makes ls_loop_run() return 'status' after the current callback. */
void
ls_loop_stop(int status)
{
    loop_stop = true;
    loop_status = status;
}

/* Returns true once ls_loop_stop() has been called. */
bool
ls_loop_stopping(void)
{
    return loop_stop;
}
