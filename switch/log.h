#ifndef LS_LOG_H
#define LS_LOG_H 1

#include <stdbool.h>
#include <syslog.h>

/* Logging: to stderr in the foreground, to syslog with -d. */
void ls_log_open(const char *ident, bool use_syslog);
void ls_log(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define LS_ERR(...) ls_log(LOG_ERR, __VA_ARGS__)
#define LS_WARN(...) ls_log(LOG_WARNING, __VA_ARGS__)
#define LS_INFO(...) ls_log(LOG_INFO, __VA_ARGS__)

#endif
