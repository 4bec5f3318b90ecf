#ifndef LS_CLOCK_H
#define LS_CLOCK_H 1

#include <stdint.h>

/* Monotonic time in milliseconds.  Every timer and every age in the switch
 * reads the clock through ls_clock_ms(), so tests can replace it. */
typedef uint64_t ls_clock_fn(void);

uint64_t ls_clock_ms(void);
void ls_clock_set(ls_clock_fn *fn);

#endif
