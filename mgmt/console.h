#ifndef LS_CONSOLE_H
#define LS_CONSOLE_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "switch/event.h"

struct ls_buf;
struct ls_session;

/* Console sessions: the -M management socket (any number of sessions) and
 * the foreground console on stdin/stdout, speaking vde_switch's console
 * protocol (banner, "\nvde$ " prompt, data blocks, result lines, "3NNN"
 * event lines for subscribers). */

struct ls_console_opts {
    const char *mgmt_path; /* -M, or NULL. */
    mode_t mgmt_mode;
    gid_t mgmt_group; /* (gid_t) -1 for none. */
    bool use_stdin;   /* Foreground console on fd 0. */
};

#define LS_VERSION "0.1.0"
#define LS_BANNER_1 "VDE switch V.2.3.2 (linkswitch " LS_VERSION ")"
#define LS_BANNER_2                                           \
    "(C) linkswitch developers, after vde_switch by Virtual " \
    "Square Team - GPLv2"

int ls_console_init(const struct ls_console_opts *);
void ls_console_fini(void);
const char *ls_console_mgmt_path(void);
mode_t ls_console_mgmt_mode(void);
int ls_console_run_file(const char *path, struct ls_session *,
                        struct ls_buf *out, int depth, bool stop_on_error,
                        int *line_error);
int ls_session_subscribe(struct ls_session *, enum ls_event_cat, bool on);
bool ls_session_subscribed(const struct ls_session *, enum ls_event_cat);

#endif
