#include "mgmt/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mgmt/buf.h"
#include "mgmt/cmd.h"
#include "switch/log.h"
#include "switch/sockfile.h"
#include "switch/loop.h"

/* Output a session may have pending before it is considered dead. */
#define SESSION_OUT_MAX (8u * 1024 * 1024)
#define SESSION_READ 4096
/* Longest unterminated input kept while waiting for the rest of its line;
 * longer input is run as it is (and fails). */
#define SESSION_LINE_MAX 4096

struct ls_session {
    struct ls_io io; /* Input fd (and output, for sockets). */
    int in_fd, out_fd;
    bool is_stdin;
    bool closing; /* Close once the output is flushed. */
    bool closed;  /* Closed (freed after this loop iteration). */
    struct ls_buf outq;
    struct ls_buf inq;           /* Input not run yet: the start of a line. */
    struct ls_timer stdin_timer; /* Reads a stdin that epoll cannot watch. */
    unsigned int events; /* Subscribed categories, bit per ls_event_cat. */
    struct ls_session *next;
};

static struct {
    struct ls_console_opts opts;
    struct ls_io listen_io;
    int listen_fd;
    struct ls_session *sessions;
    char mgmt_path[108];
    ino_t mgmt_ino;
} con = {.listen_fd = -1};

static void session_close(struct ls_session *);

static void
session_update_events(struct ls_session *s)
{
    uint32_t ev = s->closing ? 0 : EPOLLIN;

    if (!s->is_stdin && s->outq.len) {
        ev |= EPOLLOUT;
    }
    if (s->io.fd >= 0) {
        ls_io_set_events(&s->io, ev);
    }
}

/* Writes what can be written now; returns false if the session died. */
static bool
session_flush(struct ls_session *s)
{
    if (s->closed) {
        return false;
    }
    while (s->outq.len) {
        ssize_t n = write(s->out_fd, s->outq.data, s->outq.len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                break;
            }
            session_close(s);
            return false;
        }
        ls_buf_consume(&s->outq, (size_t) n);
    }
    if (!s->outq.len && s->closing) {
        session_close(s);
        return false;
    }
    session_update_events(s);
    return true;
}

/* Queues 'len' bytes for the session.  Returns false if the session was
 * closed (dead, or too far behind). */
static bool
session_write(struct ls_session *s, const void *data, size_t len)
{
    if (s->closed) {
        return false;
    }
    if (s->outq.len + len > SESSION_OUT_MAX) {
        LS_WARN("management session %d does not read its output: closed",
                s->in_fd);
        session_close(s);
        return false;
    }
    if (ls_buf_append(&s->outq, data, len)) {
        session_close(s);
        return false;
    }
    return session_flush(s);
}

static void
session_prompt(struct ls_session *s)
{
    static const char prompt[] = "\nvde$ ";

    if (s->is_stdin) {
        if (isatty(STDIN_FILENO)) {
            ssize_t n = write(STDIN_FILENO, prompt, sizeof prompt - 1);

            (void) n;
        }
        return;
    }
    session_write(s, prompt, sizeof prompt - 1);
}

/* Runs one command line.  Returns false if the session is gone. */
static bool
session_command(struct ls_session *s, const char *line)
{
    struct ls_buf reply = LS_BUF_INIT;
    int rc = ls_cmd_exec(s, line, &reply, 0);
    bool alive = !s->closed; /* Its own events may have overflowed it. */

    if (alive && reply.len) {
        alive = session_write(s, reply.data, reply.len);
    }
    ls_buf_free(&reply);
    if (!alive) {
        return false;
    }
    if (rc == LS_CMD_SHUTDOWN) {
        LS_WARN("Shutdown from mgmt command");
        if (!s->is_stdin) {
            session_write(s, "9999 END OF SESSION", 19);
        }
        ls_loop_stop(0);
        return false;
    }
    if (rc == LS_CMD_LOGOUT) {
        if (s->is_stdin) {
            return true;
        }
        s->closing = true;
        session_write(s, "9999 END OF SESSION", 19);
        return false;
    }
    session_prompt(s);
    return true;
}

/* Runs every complete line in s->inq, and the unterminated rest too if
 * 'all' or if it is too long to wait for.  Returns false if the session is
 * gone. */
static bool
session_run_input(struct ls_session *s, bool all)
{
    size_t off = 0;
    char *nl;

    while (off < s->inq.len &&
           (nl = memchr(s->inq.data + off, '\n', s->inq.len - off))) {
        *nl = '\0';
        if (!session_command(s, s->inq.data + off)) {
            return false;
        }
        off = (size_t) (nl - s->inq.data) + 1;
    }
    if (off < s->inq.len && (all || s->inq.len - off > SESSION_LINE_MAX)) {
        if (!session_command(s, s->inq.data + off)) {
            return false;
        }
        off = s->inq.len;
    }
    ls_buf_consume(&s->inq, off);
    return true;
}

/* Returns true if more input is waiting on socket session 's'. */
static bool
session_more_input(const struct ls_session *s)
{
    char c;

    return recv(s->in_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static void
session_input_cb(struct ls_io *io, uint32_t events)
{
    struct ls_session *s =
        (struct ls_session *) ((char *) io - offsetof(struct ls_session, io));
    char buf[SESSION_READ];
    bool more;
    ssize_t n, i;

    if ((events & EPOLLOUT) && !session_flush(s)) {
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || s->closing) {
        return;
    }
    n = read(s->in_fd, buf, SESSION_READ);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        if (!n && s->inq.len && !session_run_input(s, true)) {
            return;
        }
        if (s->is_stdin) {
            LS_INFO("EOF on stdin, cleaning up and exiting");
            ls_loop_stop(0);
        }
        session_close(s);
        return;
    }
    for (i = 0; i < n; i++) {
        if (!buf[i]) {
            buf[i] = ' '; /* Binary garbage stays inside its line. */
        }
    }
    if (ls_buf_append(&s->inq, buf, (size_t) n)) {
        session_close(s);
        return;
    }
    /* Every line is a command.  So is a last piece without a newline,
     * because vdeterm sends commands without one, unless the rest of the
     * line may still be coming: the read filled the buffer and more is
     * waiting (a long write of several commands), or it is the stdin
     * console (line-oriented; a partial line there waits for its newline
     * or EOF). */
    more = s->is_stdin || (n == SESSION_READ && session_more_input(s));
    session_run_input(s, !more);
}

/* A stdin that is a regular file or /dev/null cannot be in an epoll set,
 * but is always readable: read it once per loop iteration. */
static void
session_stdin_timer_cb(struct ls_timer *t)
{
    struct ls_session *s =
        (struct ls_session *) ((char *) t -
                               offsetof(struct ls_session, stdin_timer));

    ls_timer_arm(t, 0, session_stdin_timer_cb); /* session_close() stops it. */
    session_input_cb(&s->io, EPOLLIN);
}

static struct ls_session *
session_new(int in_fd, int out_fd, bool is_stdin)
{
    struct ls_session *s = calloc(1, sizeof *s);
    int error;

    if (!s) {
        return NULL;
    }
    s->in_fd = in_fd;
    s->out_fd = out_fd;
    s->is_stdin = is_stdin;
    error = ls_io_add(&s->io, in_fd, EPOLLIN, session_input_cb);
    if (error == EPERM && is_stdin) {
        s->io.fd = -1;
        ls_timer_arm(&s->stdin_timer, 0, session_stdin_timer_cb);
    } else if (error) {
        free(s);
        errno = error;
        return NULL;
    }
    s->next = con.sessions;
    con.sessions = s;
    return s;
}

static void
session_close(struct ls_session *s)
{
    struct ls_session **pp;
    unsigned int c;

    if (s->closed) {
        return;
    }
    s->closed = true;
    for (pp = &con.sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    for (c = 0; c < LS_EV_N; c++) {
        if (s->events & (1u << c)) {
            ls_event_subscribe(c, -1);
        }
    }
    ls_io_del(&s->io);
    ls_timer_cancel(&s->stdin_timer);
    if (!s->is_stdin) {
        close(s->in_fd);
    }
    ls_buf_free(&s->outq);
    ls_buf_free(&s->inq);
    ls_loop_free_later(s);
}

static void
listen_cb(struct ls_io *io, uint32_t events)
{
    static const char banner[] = LS_BANNER_1 "\n" LS_BANNER_2 "\n";

    for (;;) {
        int fd =
            accept4(con.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct ls_session *s;

        if (fd < 0) {
            return;
        }
        s = session_new(fd, fd, false);
        if (!s) {
            close(fd);
            continue;
        }
        if (session_write(s, banner, sizeof banner - 1)) {
            session_prompt(s);
        }
    }
}

static void
event_sink(enum ls_event_cat cat, const char *text)
{
    const struct ls_event_info *info = ls_event_info(cat);
    struct ls_session *s, *next;
    char line[640];
    int n;

    n = snprintf(line, sizeof line, "3%03o %s %s\n", info->tag, info->path,
                 text);
    if (n < 0) {
        return;
    }
    if ((size_t) n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    for (s = con.sessions; s; s = next) {
        next = s->next;
        if (s->events & (1u << cat)) {
            session_write(s, line, (size_t) n);
        }
    }
}

/* Subscribes ('on') or unsubscribes session 's' to events of 'cat'.
 * Returns 0, or EEXIST/ENOENT when it already was / was not. */
int
ls_session_subscribe(struct ls_session *s, enum ls_event_cat cat, bool on)
{
    unsigned int bit = 1u << cat;

    if (on == !!(s->events & bit)) {
        return on ? EEXIST : ENOENT;
    }
    s->events ^= bit;
    ls_event_subscribe(cat, on ? 1 : -1);
    return 0;
}

/* Returns true if session 's' receives events of 'cat'. */
bool
ls_session_subscribed(const struct ls_session *s, enum ls_event_cat cat)
{
    return s && (s->events & (1u << cat));
}

static int
mgmt_listen(const struct ls_console_opts *o)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd, probe, error;

    if (strlen(o->mgmt_path) >= sizeof sa.sun_path) {
        LS_ERR("management socket path %s is too long", o->mgmt_path);
        return ENAMETOOLONG;
    }
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", o->mgmt_path);
    probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0) {
        if (!connect(probe, (struct sockaddr *) &sa, sizeof sa)) {
            close(probe);
            LS_ERR("management socket %s is in use by another process",
                   o->mgmt_path);
            return EADDRINUSE;
        }
        if (errno == ECONNREFUSED) {
            unlink(o->mgmt_path);
        }
        close(probe);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    error = fd < 0 ? errno
                   : ls_sockfile_bind(fd, o->mgmt_path, o->mgmt_mode,
                                      (uid_t) -1, o->mgmt_group);
    if (!error && listen(fd, 64)) {
        error = errno;
    }
    if (error) {
        LS_ERR("management socket %s: %s", o->mgmt_path, strerror(error));
        if (fd >= 0) {
            close(fd);
        }
        return error;
    }
    if (!stat(o->mgmt_path, &st)) {
        con.mgmt_ino = st.st_ino;
    }
    con.listen_fd = fd;
    snprintf(con.mgmt_path, sizeof con.mgmt_path, "%s", o->mgmt_path);
    return ls_io_add(&con.listen_io, fd, EPOLLIN, listen_cb);
}

/* Opens the management socket and the stdin console as 'opts' say.
 * Returns 0 or an errno value (logged). */
int
ls_console_init(const struct ls_console_opts *opts)
{
    int error;

    con.opts = *opts;
    ls_event_set_sink(event_sink);
    if (opts->mgmt_path) {
        error = mgmt_listen(opts);
        if (error) {
            return error;
        }
    }
    if (opts->use_stdin && !session_new(STDIN_FILENO, STDOUT_FILENO, true)) {
        return errno ? errno : ENOMEM;
    }
    return 0;
}

/* Closes every session and removes the management socket (if still
 * ours). */
void
ls_console_fini(void)
{
    struct stat st;

    while (con.sessions) {
        session_close(con.sessions);
    }
    if (con.listen_fd >= 0) {
        ls_io_del(&con.listen_io);
        close(con.listen_fd);
        con.listen_fd = -1;
        if (!stat(con.mgmt_path, &st) && st.st_ino == con.mgmt_ino) {
            unlink(con.mgmt_path);
        }
    }
}

/* Returns the -M path, or NULL. */
const char *
ls_console_mgmt_path(void)
{
    return con.listen_fd >= 0 ? con.opts.mgmt_path : NULL;
}

/* Returns the management socket's mode. */
mode_t
ls_console_mgmt_mode(void)
{
    return con.opts.mgmt_mode;
}

/* Runs every line of the regular file 'path' as a command for 'session'
 * (NULL for an rc file), appending "vde[PATH]: line" and each reply to
 * 'out' if it is not NULL.  With 'stop_on_error', the first failing line
 * ends the run and is logged as PATH:LINE.  Stores the errno value of the
 * first failing line (or 0) in '*line_error'.  Returns 0, or the errno
 * value of opening the file (EINVAL if it is not a regular file, ELOOP if
 * loads nest too deep). */
int
ls_console_run_file(const char *path, struct ls_session *session,
                    struct ls_buf *out, int depth, bool stop_on_error,
                    int *line_error)
{
    FILE *f;
    struct stat st;
    char line[1024];
    unsigned int lineno = 0;
    int first_error = 0;

    *line_error = 0;
    if (depth > 8) {
        return ELOOP;
    }
    f = fopen(path, "r");
    if (!f) {
        return errno;
    }
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f); /* /dev/zero or a fifo would never end. */
        return EINVAL;
    }
    while (fgets(line, sizeof line, f)) {
        struct ls_buf reply = LS_BUF_INIT;
        int rc;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (out) {
            ls_buf_printf(out, "vde[%s]: %s\n", path, line);
        }
        rc = ls_cmd_exec(session, line, &reply, depth + 1);
        if (out && reply.len) {
            ls_buf_append(out, reply.data, reply.len);
        }
        ls_buf_free(&reply);
        if (rc == LS_CMD_SHUTDOWN) {
            ls_loop_stop(0);
            break;
        }
        if (rc > 0) {
            if (!first_error) {
                first_error = rc;
            }
            if (stop_on_error) {
                LS_ERR("%s:%u: %s: %s", path, lineno, line, strerror(rc));
                break;
            }
        }
    }
    fclose(f);
    *line_error = first_error;
    return 0;
}
