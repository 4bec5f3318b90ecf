#ifndef LS_LOOP_H
#define LS_LOOP_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

/* The event loop: one epoll set and a list of timers on ls_clock_ms().
 * There is one loop per process; every module registers its own fds and
 * timers and does its work in the callbacks. */

struct ls_io;
typedef void ls_io_cb(struct ls_io *, uint32_t events);

/* An fd watched by the loop.  Embed it in the owner's struct. */
struct ls_io {
    int fd;
    uint32_t events;
    ls_io_cb *cb;
};

struct ls_timer;
typedef void ls_timer_cb(struct ls_timer *);

/* A one-shot timer.  Embed it in the owner's struct; re-arm it from its
 * callback for periodic work. */
struct ls_timer {
    uint64_t when;
    ls_timer_cb *cb;
    struct ls_timer *next;
    bool armed;
};

int ls_loop_init(void);
void ls_loop_fini(void);
int ls_io_add(struct ls_io *, int fd, uint32_t events, ls_io_cb *);
int ls_io_set_events(struct ls_io *, uint32_t events);
void ls_io_del(struct ls_io *);
void ls_timer_arm(struct ls_timer *, uint64_t delay_ms, ls_timer_cb *);
void ls_timer_cancel(struct ls_timer *);
uint64_t ls_timer_run_due(void);
int ls_loop_run(void);
void ls_loop_stop(int status);
bool ls_loop_stopping(void);
void ls_loop_free_later(void *);

/* Work run once per loop iteration, after the events; returns true while
 * more is pending, so that the loop polls without sleeping. */
typedef bool ls_loop_work_fn(void);
void ls_loop_set_work(ls_loop_work_fn *);

#endif
