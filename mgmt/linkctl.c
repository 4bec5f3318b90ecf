/* linkctl: command-line client of the linkswitch (and vde_switch)
 * management console.
 *
 *   linkctl [-M SOCKET] [-j] [-t SECONDS] COMMAND [ARGS...]   one command
 *   linkctl [-M SOCKET] [-j] monitor [PATTERN...]             event stream
 *   linkctl [-M SOCKET] [-j]                                  shell
 *
 * It speaks vde_switch's console protocol: wait for the prompt (a read that
 * ends in "$ "), send "COMMAND\n", read the optional "0000 DATA END WITH
 * '.'" block and the "1NNN text" result line, skipping "3NNN" event lines,
 * and finish with "logout\n". */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "mgmt/linkctl.h"

#define LC_VERSION "0.1.0"

/* Exit statuses. */
enum {
    EXIT_OK = 0,
    EXIT_CMD_FAILED = 1, /* The switch answered with an error. */
    EXIT_TROUBLE = 2,    /* Usage, connection or protocol error. */
};

static bool json;
static int timeout_ms = 10000;
static volatile sig_atomic_t got_signal;

/* A connection to the management socket. */
struct conn {
    int fd;
    const char *path;
    char *in;           /* Unparsed input. */
    size_t len;         /* Bytes in 'in'. */
    size_t cap;         /* Size of 'in'. */
    size_t consume;     /* Bytes of 'in' used by the item last returned. */
    bool eof;           /* read() returned 0. */
    bool closed;        /* The session ended (9999 or EOF). */
    bool interruptible; /* A signal ends a wait (EINTR). */
    void (*on_event)(const char *line);
};

/* What conn_next() found. */
enum item {
    ITEM_LINE,   /* A complete line (without its newline). */
    ITEM_PROMPT, /* A trailing "...$ " with no newline: the prompt. */
    ITEM_END,    /* "9999 END OF SESSION": the switch ends the session. */
    ITEM_EOF,    /* EOF without the 9999 line. */
};

static void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
fatal(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("linkctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    putc('\n', stderr);
    exit(EXIT_TROUBLE);
}

static char *
xstrdup(const char *s)
{
    char *d = strdup(s);

    if (!d) {
        fatal("out of memory");
    }
    return d;
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
deadline_after(int ms)
{
    return ms > 0 ? now_ms() + ms : -1;
}

static void
on_signal(int sig)
{
    got_signal = sig;
}

/* The socket used when -M is not given: $LINKSWITCH_MGMT, else
 * /run/linkswitch.mgmt for root, else $XDG_RUNTIME_DIR/linkswitch.mgmt,
 * else /tmp/linkswitch.$USER.mgmt. */
static const char *
default_socket(void)
{
    static char path[512];
    const char *env = getenv("LINKSWITCH_MGMT");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *user = getenv("USER");

    if (env && *env) {
        return env;
    }
    if (!geteuid()) {
        return "/run/linkswitch.mgmt";
    }
    if (xdg && *xdg == '/') {
        snprintf(path, sizeof path, "%s/linkswitch.mgmt", xdg);
        return path;
    }
    if (!user || !*user) {
        struct passwd *pw = getpwuid(geteuid());

        user = pw ? pw->pw_name : "nobody";
    }
    snprintf(path, sizeof path, "/tmp/linkswitch.%s.mgmt", user);
    return path;
}

static void
conn_open(struct conn *c, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    memset(c, 0, sizeof *c);
    c->path = path;
    if (strlen(path) >= sizeof sa.sun_path) {
        fatal("%s: socket path too long", path);
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fatal("socket: %s", strerror(errno));
    }
    if (connect(c->fd, (struct sockaddr *) &sa, sizeof sa)) {
        fatal("cannot connect to %s: %s", path, strerror(errno));
    }
}

/* Reads what is available into c->in, waiting until 'deadline' (absolute
 * ms, or -1 for no limit).  Returns 0 (data or EOF read), ETIMEDOUT,
 * EINTR (a signal arrived and the connection is interruptible), or the
 * error of poll() or read(). */
static int
conn_fill(struct conn *c, long long deadline)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    ssize_t n;
    int r;

    if (c->eof) {
        return 0;
    }
    for (;;) {
        int wait = -1;

        if (got_signal && c->interruptible) {
            return EINTR;
        }
        if (deadline >= 0) {
            long long left = deadline - now_ms();

            if (left <= 0) {
                return ETIMEDOUT;
            }
            wait = left > 1000000 ? 1000000 : (int) left;
        }
        r = poll(&pfd, 1, wait);
        if (r < 0 && errno != EINTR) {
            return errno;
        }
        if (r > 0) {
            break;
        }
    }
    if (c->cap - c->len < 4096 + 1) {
        c->cap = c->len + 65536 + 1;
        c->in = realloc(c->in, c->cap);
        if (!c->in) {
            fatal("out of memory");
        }
    }
    n = read(c->fd, c->in + c->len, c->cap - c->len - 1);
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN ? 0 : errno;
    }
    if (!n) {
        c->eof = true;
    }
    c->len += (size_t) n;
    return 0;
}

/* Returns true if the 'len' bytes at 's' (a line without its newline) are
 * a console prompt: a short word such as "vde", then "$ ".  (vdeterm takes
 * any read that ends in "$ "; a word is stricter, so that a data line
 * ending in "$ " that arrives in two pieces is not taken for one.) */
static bool
is_prompt(const char *s, size_t len)
{
    size_t i;

    if (len < 2 || len > 64 || s[len - 2] != '$' || s[len - 1] != ' ') {
        return false;
    }
    for (i = 0; i < len - 2; i++) {
        if (!isalnum((unsigned char) s[i]) && !strchr("._-[]/:", s[i])) {
            return false;
        }
    }
    return true;
}

/* Returns the next item of the input in '*kind', and for ITEM_LINE the
 * line in '*line' (valid until the next call).  Returns 0, or the error of
 * conn_fill() when no complete item arrived. */
static int
conn_next(struct conn *c, long long deadline, enum item *kind, char **line)
{
    if (c->consume) {
        memmove(c->in, c->in + c->consume, c->len - c->consume);
        c->len -= c->consume;
        c->consume = 0;
    }
    for (;;) {
        char *nl = c->len ? memchr(c->in, '\n', c->len) : NULL;
        int error;

        if (nl) {
            *nl = '\0';
            if (nl > c->in && nl[-1] == '\r') {
                nl[-1] = '\0';
            }
            c->consume = (size_t) (nl - c->in) + 1;
            *line = c->in;
            *kind = ITEM_LINE;
            if (!strncmp(c->in, "9999 ", 5)) {
                *kind = ITEM_END;
                c->closed = true;
            }
            return 0;
        }
        /* No newline in the buffer: it holds one partial line. */
        if (is_prompt(c->in, c->len)) {
            c->consume = c->len;
            *kind = ITEM_PROMPT;
            return 0;
        }
        if (c->eof) {
            *kind =
                c->len >= 4 && !memcmp(c->in, "9999", 4) ? ITEM_END : ITEM_EOF;
            c->consume = c->len;
            c->closed = true;
            return 0;
        }
        error = conn_fill(c, deadline);
        if (error) {
            return error;
        }
    }
}

/* Waits for the prompt that follows the banner.  Returns 0 or an errno
 * value (ECONNRESET if the session ended first). */
static int
conn_wait_prompt(struct conn *c, long long deadline)
{
    enum item kind;
    char *line;

    for (;;) {
        int error = conn_next(c, deadline, &kind, &line);

        if (error) {
            return error;
        }
        if (kind == ITEM_PROMPT) {
            return 0;
        }
        if (kind != ITEM_LINE) {
            return ECONNRESET;
        }
        if (lc_is_event_line(line) && c->on_event) {
            c->on_event(line);
        }
    }
}

/* Sends 'cmd' and a newline in one write (vde_switch takes each read() as
 * one command).  Returns 0 or an errno value. */
static int
conn_send(struct conn *c, const char *cmd)
{
    size_t len = strlen(cmd), off = 0;
    char *buf = malloc(len + 2);
    int error = 0;

    if (!buf) {
        fatal("out of memory");
    }
    memcpy(buf, cmd, len);
    buf[len++] = '\n';
    while (off < len) {
        ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = errno;
            break;
        }
        off += (size_t) n;
    }
    free(buf);
    return error;
}

/* Returns true if 'line' is a result line: '1', three digits, then a
 * space or the end of the line. */
static bool
is_result_line(const char *line)
{
    return line[0] == '1' && line[1] >= '0' && line[1] <= '9' &&
           line[2] >= '0' && line[2] <= '9' && line[3] >= '0' &&
           line[3] <= '9' && (line[4] == ' ' || line[4] == '\0');
}

/* Sends 'cmd' and reads its reply into 'r' (empty on entry), up to the
 * next prompt.  The last result line is the command's result; other text
 * outside the data block (e.g. what 'load' prints, with the result lines of
 * the commands it runs) is kept as output lines.  Returns 0 if a reply was
 * read (r->code tells how the command went), else ETIMEDOUT, EINTR,
 * ECONNRESET (session closed without a reply) or another errno value. */
static int
run_command(struct conn *c, const char *cmd, struct lc_reply *r)
{
    long long deadline = deadline_after(timeout_ms);
    char *pending = NULL; /* Last result line seen. */
    bool in_data = false;
    enum item kind;
    char *line;
    int error;

    error = conn_send(c, cmd);
    while (!error) {
        error = conn_next(c, deadline, &kind, &line);
        if (error) {
            break;
        }
        if (kind == ITEM_PROMPT || kind == ITEM_END) {
            if (pending) {
                lc_reply_set_result(r, atoi(pending + 1),
                                    pending[4] ? pending + 5 : "");
            } else {
                lc_reply_set_result(
                    r, 0, kind == ITEM_END ? "END OF SESSION" : "Success");
            }
            break;
        }
        if (kind == ITEM_EOF) {
            error = ECONNRESET;
            break;
        }
        if (in_data) {
            if (!strcmp(line, ".")) {
                in_data = false;
            } else {
                lc_reply_add_line(r, line);
            }
            continue;
        }
        if (lc_is_event_line(line)) {
            if (c->on_event) {
                c->on_event(line);
            }
            continue;
        }
        if (!line[0]) {
            continue; /* The blank line of the "\nvde$ " prompt. */
        }
        if (pending) {
            lc_reply_add_line(r, pending);
            free(pending);
            pending = NULL;
        }
        if (!strncmp(line, "0000 ", 5)) {
            in_data = true;
        } else if (is_result_line(line)) {
            pending = xstrdup(line);
        } else {
            lc_reply_add_line(r, line);
        }
    }
    free(pending);
    return error;
}

/* Ends the session politely unless it is over already (logout, then wait
 * up to 1 s for the switch to close it), closes the connection and frees
 * its buffer. */
static void
conn_close(struct conn *c)
{
    if (!c->closed && !conn_send(c, "logout")) {
        long long deadline = deadline_after(1000);
        enum item kind;
        char *line;

        c->interruptible = false;
        while (!conn_next(c, deadline, &kind, &line) && kind != ITEM_END &&
               kind != ITEM_EOF) {
            continue;
        }
    }
    close(c->fd);
    free(c->in);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static const char *
conn_strerror(int error)
{
    switch (error) {
    case ETIMEDOUT:
        return "timed out waiting for the switch";
    case ECONNRESET:
        return "the switch closed the session";
    default:
        return strerror(error);
    }
}

/* Connects and waits for the prompt; exits on failure. */
static void
connect_switch(struct conn *c, const char *path)
{
    int error;

    conn_open(c, path);
    error = conn_wait_prompt(c, deadline_after(timeout_ms));
    if (error) {
        fatal("%s: no console prompt: %s", path, conn_strerror(error));
    }
}

/* Prints the event line 'line' as "CATEGORY TEXT" or as JSON. */
static void
print_event(const char *line)
{
    if (json) {
        lc_json_event(stdout, line);
    } else {
        printf("%s\n", line + 5);
    }
    fflush(stdout);
}

/* Prints the reply to 'cmd': the output lines (or JSON) on stdout and, on
 * failure, "linkctl: CMD: 1NNN TEXT" on stderr. */
static void
print_reply(const char *cmd, const struct lc_reply *r)
{
    size_t i;

    if (json) {
        lc_json_reply(stdout, cmd, r);
    } else {
        for (i = 0; i < r->n_lines; i++) {
            printf("%s\n", r->lines[i]);
        }
    }
    fflush(stdout);
    if (r->code) {
        fprintf(stderr, "linkctl: %s: 1%03d %s\n", cmd, r->code, r->text);
    }
}

/* Runs 'cmd' and prints its reply.  Returns the exit status for it. */
static int
run_and_print(struct conn *c, const char *cmd)
{
    struct lc_reply r;
    int error;

    lc_reply_init(&r);
    error = run_command(c, cmd, &r);
    if (error) {
        lc_reply_free(&r);
        fprintf(stderr, "linkctl: %s: %s\n", cmd, conn_strerror(error));
        return EXIT_TROUBLE;
    }
    print_reply(cmd, &r);
    error = r.code ? EXIT_CMD_FAILED : EXIT_OK;
    lc_reply_free(&r);
    return error;
}

/* Trims blanks at both ends of 'line' in place and returns its start. */
static char *
trim(char *line)
{
    size_t n;

    line += strspn(line, " \t\r\n");
    n = strlen(line);
    while (n && strchr(" \t\r\n", line[n - 1])) {
        line[--n] = '\0';
    }
    return line;
}

static bool
is_quit(const char *cmd)
{
    return !strcmp(cmd, "quit") || !strcmp(cmd, "exit") ||
           !strcmp(cmd, "logout");
}

/* ---------------------------------------------------------------- monitor */

/* Subscribes with 'debug/add PATTERN'; EEXIST is fine unless 'strict'. */
static void
monitor_add(struct conn *c, const char *pattern, bool strict)
{
    struct lc_reply r;
    char cmd[512];
    int error;

    snprintf(cmd, sizeof cmd, "debug/add %s", pattern);
    lc_reply_init(&r);
    error = run_command(c, cmd, &r);
    if (error == EINTR) {
        exit(EXIT_OK);
    }
    if (error) {
        fatal("%s: %s", cmd, conn_strerror(error));
    }
    if (r.code && (strict || r.code != EEXIST)) {
        fprintf(stderr, "linkctl: %s: 1%03d %s\n", cmd, r.code, r.text);
        exit(EXIT_CMD_FAILED);
    }
    lc_reply_free(&r);
}

/* Subscribes to every category that 'debug/list' lists. */
static void
monitor_add_all(struct conn *c)
{
    bool rows = false;
    struct lc_reply r;
    size_t i;
    int error;

    lc_reply_init(&r);
    error = run_command(c, "debug/list", &r);
    if (error == EINTR) {
        exit(EXIT_OK);
    }
    if (error) {
        fatal("debug/list: %s", conn_strerror(error));
    }
    if (r.code) {
        fprintf(stderr, "linkctl: debug/list: 1%03d %s\n", r.code, r.text);
        exit(EXIT_CMD_FAILED);
    }
    for (i = 0; i < r.n_lines; i++) {
        char *line = r.lines[i];

        if (!strncmp(line, "------------", 12)) {
            rows = true;
        } else if (rows && line[0] && line[0] != ' ') {
            line[strcspn(line, " \t")] = '\0';
            monitor_add(c, line, false);
        }
    }
    lc_reply_free(&r);
}

/* linkctl monitor [PATTERN...]: prints events until SIGINT/SIGTERM or the
 * end of the session. */
static int
do_monitor(struct conn *c, int argc, char *argv[])
{
    enum item kind;
    char *line;
    int i, error;

    setvbuf(stdout, NULL, _IOLBF, 0);
    c->interruptible = true;
    c->on_event = print_event;
    if (argc) {
        for (i = 0; i < argc; i++) {
            monitor_add(c, argv[i], true);
        }
    } else {
        monitor_add_all(c);
    }
    for (;;) {
        error = conn_next(c, -1, &kind, &line);
        if (error == EINTR) {
            break;
        }
        if (error) {
            fatal("%s", conn_strerror(error));
        }
        if (kind == ITEM_END || kind == ITEM_EOF) {
            fprintf(stderr, "linkctl: the switch closed the session\n");
            break;
        }
        if (kind == ITEM_LINE && lc_is_event_line(line)) {
            print_event(line);
        }
    }
    conn_close(c);
    return EXIT_OK;
}

/* ------------------------------------------------------------------ shell */

static struct conn *shell_conn;
static char **words; /* Completion words: command paths from 'help'. */
static size_t n_words;
static bool shell_idle; /* Readline shows the prompt. */
static bool shell_done;
static int shell_status;

static void
add_word(const char *w)
{
    char **p = realloc(words, (n_words + 1) * sizeof *words);

    if (!p) {
        fatal("out of memory");
    }
    words = p;
    words[n_words++] = xstrdup(w);
}

/* Fills the completion list from 'help': the first word of each row after
 * the "------------" line, menus ("============" syntax) left out. */
static void
load_words(struct conn *c)
{
    bool rows = false;
    struct lc_reply r;
    size_t i;

    lc_reply_init(&r);
    if (!run_command(c, "help", &r) && !r.code) {
        for (i = 0; i < r.n_lines; i++) {
            char *save = NULL, *w1, *w2;

            if (!strncmp(r.lines[i], "------------", 12)) {
                rows = true;
                continue;
            }
            if (!rows) {
                continue;
            }
            w1 = strtok_r(r.lines[i], " \t", &save);
            w2 = strtok_r(NULL, " \t", &save);
            if (w1 && (!w2 || strcmp(w2, "============"))) {
                add_word(w1);
            }
        }
    }
    lc_reply_free(&r);
    add_word("quit");
    add_word("exit");
}

static char *
complete_word(const char *text, int state)
{
    static size_t i, len;

    if (!state) {
        i = 0;
        len = strlen(text);
    }
    while (i < n_words) {
        const char *w = words[i++];

        if (!strncmp(w, text, len)) {
            return xstrdup(w);
        }
    }
    return NULL;
}

static char **
complete(const char *text, int start, int end)
{
    int i;

    rl_attempted_completion_over = 1;
    for (i = 0; i < start; i++) {
        if (rl_line_buffer[i] != ' ' && rl_line_buffer[i] != '\t') {
            return NULL; /* Only the command word is completed. */
        }
    }
    return rl_completion_matches(text, complete_word);
}

/* Prints an event without garbling the line being edited. */
static void
shell_event(const char *line)
{
    if (shell_idle) {
        rl_clear_visible_line();
    }
    print_event(line);
    if (shell_idle) {
        rl_on_new_line();
        rl_redisplay();
    }
}

static void
shell_line(char *input)
{
    char *cmd;

    if (!input) {
        putchar('\n');
        shell_done = true;
        return;
    }
    cmd = trim(input);
    if (*cmd) {
        add_history(cmd);
        if (is_quit(cmd)) {
            shell_done = true;
        } else {
            shell_idle = false;
            if (run_and_print(shell_conn, cmd) == EXIT_TROUBLE) {
                shell_status = EXIT_TROUBLE;
                shell_done = true;
                shell_conn->closed = true; /* No logout on a broken one. */
            } else if (shell_conn->closed) {
                shell_done = true; /* shutdown */
            }
            shell_idle = true;
        }
    }
    free(input);
}

/* Handles input that arrives while the user is typing: events, and EOF. */
static void
shell_socket_input(struct conn *c)
{
    enum item kind;
    char *line;
    int error = conn_fill(c, -1);

    while (!error) {
        error = conn_next(c, 0, &kind, &line);
        if (error) {
            break;
        }
        if (kind == ITEM_END || kind == ITEM_EOF) {
            rl_clear_visible_line();
            fprintf(stderr, "linkctl: the switch closed the session\n");
            shell_status = EXIT_TROUBLE;
            shell_done = true;
            return;
        }
        if (kind == ITEM_LINE && lc_is_event_line(line)) {
            shell_event(line);
        }
    }
    if (error != ETIMEDOUT) {
        fatal("%s", conn_strerror(error));
    }
}

/* The interactive shell on a terminal: readline with history and
 * completion of command names; events are shown as they come. */
static int
do_shell(struct conn *c)
{
    char prompt[600];

    shell_conn = c;
    load_words(c);
    c->on_event = shell_event;
    snprintf(prompt, sizeof prompt, "vde[%s]: ", c->path);
    rl_readline_name = "linkctl";
    rl_attempted_completion_function = complete;
    rl_catch_signals = 0;
    rl_callback_handler_install(prompt, shell_line);
    shell_idle = true;
    while (!shell_done) {
        struct pollfd pfd[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                {.fd = c->fd, .events = POLLIN}};

        if (poll(pfd, 2, -1) < 0) {
            if (errno != EINTR) {
                break;
            }
            if (got_signal == SIGINT) {
                /* Ctrl-C: drop the line being typed, new prompt. */
                got_signal = 0;
                rl_replace_line("", 0);
                rl_crlf();
                rl_on_new_line();
                rl_redisplay();
                continue;
            }
            if (got_signal) {
                break;
            }
            continue;
        }
        if (pfd[1].revents) {
            shell_socket_input(c);
        } else if (pfd[0].revents) {
            rl_callback_read_char();
        }
    }
    rl_callback_handler_remove();
    conn_close(c);
    return shell_status;
}

/* Commands from a non-terminal stdin, one a line; '#' lines and blank
 * lines are skipped.  Returns 0 if every command succeeded, 1 if one
 * failed, 2 on connection trouble. */
static int
do_script(struct conn *c)
{
    char *line = NULL;
    size_t size = 0;
    int status = EXIT_OK;

    while (getline(&line, &size, stdin) > 0) {
        char *cmd = trim(line);
        int rc;

        if (!*cmd || *cmd == '#') {
            continue;
        }
        if (is_quit(cmd)) {
            break;
        }
        rc = run_and_print(c, cmd);
        if (rc > status) {
            status = rc;
        }
        if (rc == EXIT_TROUBLE || c->closed) {
            break;
        }
    }
    free(line);
    if (status == EXIT_TROUBLE) {
        c->closed = true; /* No logout on a broken session. */
    }
    conn_close(c);
    return status;
}

/* ----------------------------------------------------------------- main */

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: linkctl [OPTIONS] COMMAND [ARGS...]  run one console "
            "command\n"
            "       linkctl [OPTIONS] monitor [PATTERN...]  print events\n"
            "       linkctl [OPTIONS]                    interactive "
            "shell\n"
            "\n"
            "  -M, --mgmt SOCKET    management socket (default: "
            "$LINKSWITCH_MGMT,\n"
            "                       else %s)\n"
            "  -j, --json           JSON output\n"
            "  -t, --timeout SECS   wait at most SECS for each reply "
            "(default 10,\n"
            "                       0 = forever)\n"
            "  -h, --help           this help\n"
            "  -V, --version        show the version\n"
            "\n"
            "Exit status: 0 success, 1 the switch reported an error, 2 "
            "usage or\nconnection error.  See linkctl(1).\n",
            default_socket());
}

/* Joins argv[0..argc) with single spaces.  Exits if an argument holds a
 * newline (it would make two commands). */
static char *
join_args(int argc, char *argv[])
{
    size_t len = 1;
    char *cmd;
    int i;

    for (i = 0; i < argc; i++) {
        if (strpbrk(argv[i], "\r\n")) {
            fprintf(stderr, "linkctl: newline in an argument\n");
            exit(EXIT_TROUBLE);
        }
        len += strlen(argv[i]) + 1;
    }
    cmd = malloc(len);
    if (!cmd) {
        fatal("out of memory");
    }
    cmd[0] = '\0';
    for (i = 0; i < argc; i++) {
        if (i) {
            strcat(cmd, " ");
        }
        strcat(cmd, argv[i]);
    }
    return cmd;
}

/* Parses the options and runs one command, the monitor, the shell or a
 * script.  Returns the exit status (see EXIT STATUS in linkctl(1)). */
int
main(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"mgmt", required_argument, NULL, 'M'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    struct sigaction sa;
    struct conn c;
    int opt, status;
    char *end, *cmd;

    while ((opt = getopt_long(argc, argv, "+M:jt:hV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'M':
            path = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 't': {
            double s = strtod(optarg, &end);

            if (end == optarg || *end || s < 0 || s > 86400) {
                fprintf(stderr, "linkctl: invalid timeout '%s'\n", optarg);
                return EXIT_TROUBLE;
            }
            timeout_ms = (int) (s * 1000);
            if (s > 0 && !timeout_ms) {
                timeout_ms = 1;
            }
            break;
        }
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf("linkctl %s\n", LC_VERSION);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_TROUBLE;
        }
    }
    argc -= optind;
    argv += optind;
    if (!path) {
        path = default_socket();
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    signal(SIGPIPE, SIG_IGN);

    if (argc && !strcmp(argv[0], "monitor")) {
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        connect_switch(&c, path);
        return do_monitor(&c, argc - 1, argv + 1);
    }
    if (!argc) {
        connect_switch(&c, path);
        if (isatty(STDIN_FILENO)) {
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGTERM, &sa, NULL);
            sigaction(SIGHUP, &sa, NULL);
            return do_shell(&c);
        }
        return do_script(&c);
    }
    cmd = join_args(argc, argv);
    connect_switch(&c, path);
    status = run_and_print(&c, cmd);
    if (status == EXIT_TROUBLE) {
        c.closed = true; /* No logout on a broken session. */
    }
    conn_close(&c);
    free(cmd);
    return status;
}
