#include "switch/event.h"

#include <stdarg.h>
#include <stdio.h>

static const struct ls_event_info event_infos[LS_EV_N] = {
    [LS_EV_HASH_ADD] = {"hash/+", 011, "hash: new element"},
    [LS_EV_HASH_DEL] = {"hash/-", 012, "hash: discarded element"},
    [LS_EV_PORT_ADD] = {"port/+", 021, "new port"},
    [LS_EV_PORT_DEL] = {"port/-", 022, "closed port"},
    [LS_EV_PORT_DESCR] = {"port/descr", 023, "set port description"},
    [LS_EV_EP_ADD] = {"port/ep/+", 031, "new endpoint"},
    [LS_EV_EP_DEL] = {"port/ep/-", 032, "closed endpoint"},
    [LS_EV_PORT_LINK] = {"port/link", 051, "port link state change"},
    [LS_EV_MAC_MOVE] = {"hash/move", 013, "hash: MAC moved between ports"},
    [LS_EV_PORT_DROP] = {"port/drop", 052,
                         "frames dropped on a port (once a second)"},
};

static int event_subscribers[LS_EV_N];
static ls_event_sink *event_sink;

/* Returns the name, tag and help text of 'cat'. */
const struct ls_event_info *
ls_event_info(enum ls_event_cat cat)
{
    return &event_infos[cat];
}

/* Sets the function that delivers events. */
void
ls_event_set_sink(ls_event_sink *sink)
{
    event_sink = sink;
}

/* Adds 'delta' (+1 or -1) to the number of subscribers of 'cat'. */
void
ls_event_subscribe(enum ls_event_cat cat, int delta)
{
    event_subscribers[cat] += delta;
    if (event_subscribers[cat] < 0) {
        event_subscribers[cat] = 0;
    }
}

/* Returns true if someone listens to 'cat' (so callers on the data path can
 * skip formatting). */
bool
ls_event_wanted(enum ls_event_cat cat)
{
    return event_sink && event_subscribers[cat] > 0;
}

/* Formats and delivers one event of category 'cat', if anyone listens. */
void
ls_event_emit(enum ls_event_cat cat, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    if (!ls_event_wanted(cat)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    event_sink(cat, text);
}
