#include "switch/clock.h"

#include <time.h>

static uint64_t
clock_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static ls_clock_fn *clock_fn = clock_monotonic_ms;

/* Returns the current monotonic time in milliseconds, from CLOCK_MONOTONIC
 * or from the function installed with ls_clock_set(). */
uint64_t
ls_clock_ms(void)
{
    return clock_fn();
}

/* Replaces the clock with 'fn' (NULL restores CLOCK_MONOTONIC). */
void
ls_clock_set(ls_clock_fn *fn)
{
    clock_fn = fn ? fn : clock_monotonic_ms;
}
