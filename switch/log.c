#include "switch/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static bool log_syslog;
static const char *log_ident = "linkswitch";
static int log_min = LOG_INFO;

/* Chooses where log lines go: syslog (with 'ident') or stderr.  The
 * environment variable LINKSWITCH_LOG=debug|info|warning|err sets the
 * lowest priority that is printed. */
void
ls_log_open(const char *ident, bool use_syslog)
{
    const char *lvl = getenv("LINKSWITCH_LOG");

    log_ident = ident;
    log_syslog = use_syslog;
    if (lvl) {
        log_min = (lvl[0] == 'd'   ? LOG_DEBUG
                   : lvl[0] == 'w' ? LOG_WARNING
                   : lvl[0] == 'e' ? LOG_ERR
                                   : LOG_INFO);
    }
    if (use_syslog) {
        openlog(ident, LOG_PID, LOG_DAEMON);
    }
}

/* Logs one message at 'priority'. */
void
ls_log(int priority, const char *fmt, ...)
{
    va_list ap;

    if (priority > log_min) {
        return;
    }
    va_start(ap, fmt);
    if (log_syslog) {
        vsyslog(priority, fmt, ap);
    } else {
        fprintf(stderr, "%s: ", log_ident);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}
