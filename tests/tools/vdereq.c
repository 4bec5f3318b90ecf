/*
 * vdereq: a raw VDE attach-protocol client for tests.
 *
 * Speaks the vde_switch control protocol by hand (no libvdeplug), so that
 * tests can send malformed or special requests and see what the switch does
 * with them.  See usage() for the options and the output contract.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define VREQ_MAGIC 0xfeedfaceu
#define VREQ_VERSION 3
#define VREQ_NEW_CONTROL 0
#define VREQ_NEW_PORT0 1
#define VREQ_HDR_LEN 122   /* magic + version + type + sockaddr_un */
#define VREQ_REPLY_LEN 110 /* sizeof(struct sockaddr_un) */
#define VREQ_MAX_DESCR 4096
#define VREQ_MAX_REQ (VREQ_HDR_LEN + VREQ_MAX_DESCR)
#define VREQ_FRAME_LEN 60
#define VREQ_GARBAGE_WAIT_MS 300

enum vreq_exit {
    VREQ_EXIT_REPLY = 0,
    VREQ_EXIT_ERROR = 1,
    VREQ_EXIT_EOF = 2,
    VREQ_EXIT_TIMEOUT = 3,
};

struct vreq_opts {
    const char *switchdir;
    unsigned long port;
    bool port0;
    uint32_t magic;
    uint32_t version;
    int type;          /* raw low byte, -1 = derived from --port0 */
    const char *descr; /* NULL = default description */
    bool empty_path;
    const char *path; /* declared path instead of our own socket */
    uint8_t *raw;     /* bytes to send instead of a request */
    size_t raw_len;
    long truncate; /* -1 = send everything */
    int timeout_ms;
    int hold_ms;
    bool ping;
    bool garbage_after;
    bool vde2_close;
};

/* Our own datagram socket path, unlinked on every exit path (also from the
 * signal handler, hence the fixed buffer). */
static char vreq_own_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
static volatile sig_atomic_t vreq_own_bound;

static void
vreq_unlink_own(void)
{
    if (vreq_own_bound) {
        vreq_own_bound = 0;
        unlink(vreq_own_path);
    }
}

static void
vreq_on_signal(int sig)
{
    vreq_unlink_own();
    _exit(128 + sig);
}

static void
usage(FILE *f)
{
    fprintf(
        f,
        "usage: vdereq [options] SWITCHDIR\n"
        "Send one VDE attach request (request_v3) to SWITCHDIR/ctl by hand.\n"
        "  --port N         request port N (type |= N << 8)\n"
        "  --port0          request type REQ_NEW_PORT0\n"
        "  --magic HEX      magic (default feedface)\n"
        "  --version N      version (default 3)\n"
        "  --type N         raw request type low byte (default 0)\n"
        "  --descr TEXT     description, sent verbatim\n"
        "                   (default 'vdereq: user=U pid=P', with\n"
        "                   --vde2-close 'vdereq: user=U PID=P')\n"
        "  --empty-path     send an all-zero sun_path\n"
        "  --path P         declare socket path P instead of ours\n"
        "  --raw HEX        send these bytes instead of a request\n"
        "  --truncate N     send only the first N bytes\n"
        "  --timeout MS     wait this long for the reply (default 1000)\n"
        "  --hold MS        after the reply connect the data socket and\n"
        "                   keep the control connection open for MS\n"
        "  --ping           send one broadcast frame on the data socket\n"
        "  --garbage-after  write garbage on the control connection\n"
        "                   after the reply, then test the data socket\n"
        "  --vde2-close     behave like vde2's libvdeplug: keep our\n"
        "                   socket file until exit, send a zero-length\n"
        "                   datagram before closing\n"
        "Prints one line: 'reply PATH [key=value...]' (exit 0), 'eof'\n"
        "(exit 2), 'timeout' (exit 3) or 'error MSG' (exit 1).\n"
        "Keys: ctl=open|eof (control connection at the end), send=ok|ERR\n"
        "(last data send), recv=N (frames received), close0=ok|ERR.\n");
}

/* Prints the 'error' result line and returns the matching exit status. */
static int
vreq_fail(const char *what, int error)
{
    if (error) {
        printf("error %s: %s\n", what, strerror(error));
    } else {
        printf("error %s\n", what);
    }
    return VREQ_EXIT_ERROR;
}

static int
vreq_parse_ulong(const char *s, int base, unsigned long max,
                 unsigned long *out)
{
    char *end;

    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || end == s || *end != '\0' || *s == '-' || v > max) {
        return EINVAL;
    }
    *out = v;
    return 0;
}

static int
vreq_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses hex bytes, ignoring blanks, ':' and ','. */
static int
vreq_parse_hex(const char *s, uint8_t **out, size_t *len)
{
    uint8_t *buf = malloc(strlen(s) / 2 + 1);
    size_t n = 0;
    int hi = -1;

    if (!buf) {
        return ENOMEM;
    }
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == ':' || *s == ',') {
            continue;
        }
        int v = vreq_hexval(*s);
        if (v < 0) {
            free(buf);
            return EINVAL;
        }
        if (hi < 0) {
            hi = v;
        } else {
            buf[n++] = (uint8_t) (hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        free(buf);
        return EINVAL;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int
vreq_parse_args(int argc, char **argv, struct vreq_opts *o)
{
    enum {
        OPT_PORT = 256,
        OPT_PORT0,
        OPT_MAGIC,
        OPT_VERSION,
        OPT_TYPE,
        OPT_DESCR,
        OPT_EMPTY_PATH,
        OPT_PATH,
        OPT_RAW,
        OPT_TRUNCATE,
        OPT_TIMEOUT,
        OPT_HOLD,
        OPT_PING,
        OPT_GARBAGE,
        OPT_VDE2,
        OPT_HELP,
    };
    static const struct option longopts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"port0", no_argument, NULL, OPT_PORT0},
        {"magic", required_argument, NULL, OPT_MAGIC},
        {"version", required_argument, NULL, OPT_VERSION},
        {"type", required_argument, NULL, OPT_TYPE},
        {"descr", required_argument, NULL, OPT_DESCR},
        {"empty-path", no_argument, NULL, OPT_EMPTY_PATH},
        {"path", required_argument, NULL, OPT_PATH},
        {"raw", required_argument, NULL, OPT_RAW},
        {"truncate", required_argument, NULL, OPT_TRUNCATE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"hold", required_argument, NULL, OPT_HOLD},
        {"ping", no_argument, NULL, OPT_PING},
        {"garbage-after", no_argument, NULL, OPT_GARBAGE},
        {"vde2-close", no_argument, NULL, OPT_VDE2},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    unsigned long v;
    int c;

    memset(o, 0, sizeof *o);
    o->magic = VREQ_MAGIC;
    o->version = VREQ_VERSION;
    o->type = -1;
    o->truncate = -1;
    o->timeout_ms = 1000;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int error = 0;

        switch (c) {
        case OPT_PORT:
            error = vreq_parse_ulong(optarg, 0, 0xffffff, &o->port);
            break;
        case OPT_PORT0:
            o->port0 = true;
            break;
        case OPT_MAGIC:
            error = vreq_parse_ulong(optarg, 16, UINT32_MAX, &v);
            o->magic = (uint32_t) v;
            break;
        case OPT_VERSION:
            error = vreq_parse_ulong(optarg, 0, UINT32_MAX, &v);
            o->version = (uint32_t) v;
            break;
        case OPT_TYPE:
            error = vreq_parse_ulong(optarg, 0, 0xff, &v);
            o->type = (int) v;
            break;
        case OPT_DESCR:
            o->descr = optarg;
            if (strlen(optarg) > VREQ_MAX_DESCR) {
                error = EINVAL;
            }
            break;
        case OPT_EMPTY_PATH:
            o->empty_path = true;
            break;
        case OPT_PATH:
            o->path = optarg;
            if (strlen(optarg) >= sizeof vreq_own_path) {
                error = ENAMETOOLONG;
            }
            break;
        case OPT_RAW:
            free(o->raw);
            o->raw = NULL;
            error = vreq_parse_hex(optarg, &o->raw, &o->raw_len);
            break;
        case OPT_TRUNCATE:
            error = vreq_parse_ulong(optarg, 0, LONG_MAX, &v);
            o->truncate = (long) v;
            break;
        case OPT_TIMEOUT:
            error = vreq_parse_ulong(optarg, 0, INT_MAX, &v);
            o->timeout_ms = (int) v;
            break;
        case OPT_HOLD:
            error = vreq_parse_ulong(optarg, 0, INT_MAX, &v);
            o->hold_ms = (int) v;
            break;
        case OPT_PING:
            o->ping = true;
            break;
        case OPT_GARBAGE:
            o->garbage_after = true;
            break;
        case OPT_VDE2:
            o->vde2_close = true;
            break;
        case OPT_HELP:
            usage(stdout);
            exit(0);
        default:
            return EINVAL;
        }
        if (error) {
            fprintf(stderr, "vdereq: bad argument '%s' for --%s\n", optarg,
                    longopts[c - OPT_PORT].name);
            return EINVAL;
        }
    }
    if (optind != argc - 1) {
        return EINVAL;
    }
    o->switchdir = argv[optind];
    return 0;
}

static long long
vreq_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Binds 'fd' like a VDE client does: DIR/.PPPPP-NNNNN, or /tmp/vde.PPPPP-NNNNN
 * when that is impossible.  Records the path for cleanup. */
static int
vreq_bind_own(int fd, const char *dir)
{
    const char *fmts[] = {"%s/.%05d-%05d", "%s/vde.%05d-%05d"};
    const char *dirs[] = {dir, "/tmp"};
    int error = EADDRINUSE;

    for (size_t i = 0; i < 2; i++) {
        for (int n = 0; n < 1000; n++) {
            struct sockaddr_un sun = {.sun_family = AF_UNIX};
            int len = snprintf(sun.sun_path, sizeof sun.sun_path, fmts[i],
                               dirs[i], (int) getpid(), n);
            if (len < 0 || (size_t) len >= sizeof sun.sun_path) {
                error = ENAMETOOLONG;
                break;
            }
            if (!bind(fd, (struct sockaddr *) &sun, sizeof sun)) {
                memcpy(vreq_own_path, sun.sun_path, sizeof vreq_own_path);
                vreq_own_bound = 1;
                return 0;
            }
            error = errno;
            if (error != EADDRINUSE) {
                break;
            }
        }
    }
    return error;
}

static int
vreq_connect_ctl(int fd, const char *dir, int timeout_ms)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {
        .tv_sec = timeout_ms / 1000,
        .tv_usec = (timeout_ms % 1000) * 1000,
    };
    int len = snprintf(sun.sun_path, sizeof sun.sun_path, "%s/ctl", dir);

    if (len < 0 || (size_t) len >= sizeof sun.sun_path) {
        return ENAMETOOLONG;
    }
    /* Bounds a connect() to a switch whose listen backlog is full. */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
        return errno;
    }
    return 0;
}

static void
vreq_default_descr(char *buf, size_t size, bool vde2)
{
    struct passwd *pw = getpwuid(geteuid());
    char uid[32];

    snprintf(uid, sizeof uid, "%u", (unsigned) geteuid());
    snprintf(buf, size, "vdereq: user=%s %s=%d", pw ? pw->pw_name : uid,
             vde2 ? "PID" : "pid", (int) getpid());
}

/* Builds the request_v3 bytes into 'buf' and returns their number. */
static size_t
vreq_build_request(const struct vreq_opts *o, uint8_t *buf)
{
    uint32_t type = (uint32_t) (o->type >= 0 ? o->type
                                : o->port0   ? VREQ_NEW_PORT0
                                             : VREQ_NEW_CONTROL);
    uint16_t family = AF_UNIX;
    char descr[VREQ_MAX_DESCR + 1];
    size_t dlen;

    type |= (uint32_t) o->port << 8;
    memset(buf, 0, VREQ_HDR_LEN);
    memcpy(buf, &o->magic, 4);
    memcpy(buf + 4, &o->version, 4);
    memcpy(buf + 8, &type, 4);
    memcpy(buf + 12, &family, 2);
    if (o->path) {
        memcpy(buf + 14, o->path, strlen(o->path));
    } else if (!o->empty_path) {
        memcpy(buf + 14, vreq_own_path, strlen(vreq_own_path));
    }

    if (o->descr) {
        snprintf(descr, sizeof descr, "%s", o->descr);
    } else {
        vreq_default_descr(descr, sizeof descr, o->vde2_close);
    }
    dlen = strlen(descr);
    memcpy(buf + VREQ_HDR_LEN, descr, dlen);
    return VREQ_HDR_LEN + dlen;
}

/* Waits up to 'timeout_ms' for a full reply.  Returns 0 with the reply in
 * 'sun', or ETIMEDOUT, ECONNRESET (EOF or reset without a reply), EPROTO
 * (short reply; '*got' says how long), or another errno. */
static int
vreq_wait_reply(int ctl, int timeout_ms, struct sockaddr_un *sun, size_t *got)
{
    long long deadline = vreq_now_ms() + timeout_ms;
    uint8_t buf[VREQ_REPLY_LEN];

    *got = 0;
    while (*got < sizeof buf) {
        long long left = deadline - vreq_now_ms();
        struct pollfd pfd = {.fd = ctl, .events = POLLIN};

        if (left < 0) {
            left = 0;
        }
        int n = poll(&pfd, 1, (int) left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        if (n == 0) {
            return *got ? EPROTO : ETIMEDOUT;
        }
        ssize_t r = recv(ctl, buf + *got, sizeof buf - *got, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            if (errno == ECONNRESET && !*got) {
                return ECONNRESET;
            }
            return errno;
        }
        if (r == 0) {
            return *got ? EPROTO : ECONNRESET;
        }
        *got += (size_t) r;
    }
    memset(sun, 0, sizeof *sun);
    memcpy(sun, buf, sizeof buf);
    return 0;
}

static void
vreq_errtoken(char *buf, size_t size, int error)
{
    const char *name = strerrorname_np(error);

    if (!error) {
        snprintf(buf, size, "ok");
    } else if (name) {
        snprintf(buf, size, "%s", name);
    } else {
        snprintf(buf, size, "E%d", error);
    }
}

/* Sends one broadcast frame with a locally administered source MAC. */
static int
vreq_send_frame(int data)
{
    uint8_t frame[VREQ_FRAME_LEN] = {0};
    uint32_t pid = (uint32_t) getpid();

    memset(frame, 0xff, 6);
    frame[6] = 0x02;
    frame[7] = 0x76;
    memcpy(frame + 8, &pid, 4);
    frame[12] = 0x88; /* IEEE 802 local experimental ethertype 0x88b5 */
    frame[13] = 0xb5;
    memcpy(frame + 14, "vdereq ping", 11);
    if (send(data, frame, sizeof frame, MSG_DONTWAIT) < 0) {
        return errno;
    }
    return 0;
}

struct vreq_session {
    int ctl;
    int data;
    bool ctl_eof;
    int send_error; /* -1 = nothing sent */
    unsigned long recv_frames;
};

/* Watches the control connection for EOF and counts received frames for
 * 'ms' milliseconds (less if the control connection closes). */
static void
vreq_watch(struct vreq_session *s, int ms)
{
    long long deadline = vreq_now_ms() + ms;
    bool watch_data = true;

    for (;;) {
        long long left = deadline - vreq_now_ms();
        struct pollfd pfd[2] = {
            {.fd = s->ctl, .events = POLLIN},
            {.fd = watch_data ? s->data : -1, .events = POLLIN},
        };

        if (left <= 0 || s->ctl_eof) {
            return;
        }
        int n = poll(pfd, 2, (int) left);
        if (n < 0 && errno != EINTR) {
            return;
        }
        if (n <= 0) {
            continue;
        }
        if (pfd[0].revents) {
            uint8_t buf[256];
            ssize_t r = recv(s->ctl, buf, sizeof buf, MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                s->ctl_eof = true;
            }
        }
        if (pfd[1].revents & POLLIN) {
            uint8_t buf[2048];
            ssize_t r = recv(s->data, buf, sizeof buf, MSG_DONTWAIT);
            if (r >= 14) {
                s->recv_frames++;
            }
        } else if (pfd[1].revents) {
            /* Error or hangup without data: keep watching ctl only. */
            watch_data = false;
        }
    }
}

/* Connects the data socket to the reply path and runs --hold, --ping,
 * --garbage-after and --vde2-close.  Appends key=value tokens to 'out'. */
static int
vreq_session_run(const struct vreq_opts *o, struct vreq_session *s,
                 const struct sockaddr_un *reply, char *out, size_t size)
{
    char tok[64];
    size_t len = 0;

    if (connect(s->data, (const struct sockaddr *) reply, sizeof *reply)) {
        return errno;
    }
    if (!o->vde2_close) {
        /* vdeplug4 drops its socket file as soon as it is connected. */
        vreq_unlink_own();
    }
    if (o->ping) {
        s->send_error = vreq_send_frame(s->data);
    }
    vreq_watch(s, o->hold_ms);
    if (o->garbage_after) {
        static const char garbage[] = "\xde\xad\xbe\xef garbage after reply";
        if (send(s->ctl, garbage, sizeof garbage - 1, MSG_NOSIGNAL) < 0) {
            s->ctl_eof = true;
        }
        vreq_watch(s, VREQ_GARBAGE_WAIT_MS);
        s->send_error = vreq_send_frame(s->data);
    }

    len += (size_t) snprintf(out + len, size - len, " ctl=%s",
                             s->ctl_eof ? "eof" : "open");
    if (s->send_error >= 0) {
        vreq_errtoken(tok, sizeof tok, s->send_error);
        len += (size_t) snprintf(out + len, size - len, " send=%s", tok);
    }
    len +=
        (size_t) snprintf(out + len, size - len, " recv=%lu", s->recv_frames);
    if (o->vde2_close) {
        int error = 0;
        if (send(s->data, NULL, 0, MSG_DONTWAIT) < 0) {
            error = errno;
        }
        vreq_errtoken(tok, sizeof tok, error);
        snprintf(out + len, size - len, " close0=%s", tok);
    }
    return 0;
}

/* Runs one attach request as described by the command line and prints the
 * result line.  Returns the exit status: 0 reply, 1 error, 2 eof, 3 timeout.
 */
int
main(int argc, char **argv)
{
    struct vreq_opts o;
    struct sigaction sa = {.sa_handler = vreq_on_signal};
    struct vreq_session s = {.ctl = -1, .data = -1, .send_error = -1};
    static uint8_t req[VREQ_MAX_REQ];
    struct sockaddr_un reply;
    char dir[PATH_MAX];
    char extra[256] = "";
    size_t req_len, got;
    int status, error;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (vreq_parse_args(argc, argv, &o)) {
        usage(stderr);
        return vreq_fail("usage", 0);
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!realpath(o.switchdir, dir)) {
        return vreq_fail(o.switchdir, errno);
    }
    s.data = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    s.ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.data < 0 || s.ctl < 0) {
        status = vreq_fail("socket", errno);
        goto out;
    }
    error = vreq_bind_own(s.data, dir);
    if (error) {
        status = vreq_fail("bind", error);
        goto out;
    }
    error = vreq_connect_ctl(s.ctl, dir, o.timeout_ms);
    if (error == EAGAIN || error == ETIMEDOUT) {
        printf("timeout\n");
        status = VREQ_EXIT_TIMEOUT;
        goto out;
    } else if (error) {
        status = vreq_fail("connect ctl", error);
        goto out;
    }

    if (o.raw) {
        req_len = o.raw_len < sizeof req ? o.raw_len : sizeof req;
        memcpy(req, o.raw, req_len);
    } else {
        req_len = vreq_build_request(&o, req);
    }
    if (o.truncate >= 0 && (size_t) o.truncate < req_len) {
        req_len = (size_t) o.truncate;
    }
    if (req_len && send(s.ctl, req, req_len, MSG_NOSIGNAL) < 0) {
        if (errno == EPIPE || errno == ECONNRESET) {
            printf("eof\n");
            status = VREQ_EXIT_EOF;
        } else {
            status = vreq_fail("send request", errno);
        }
        goto out;
    }

    error = vreq_wait_reply(s.ctl, o.timeout_ms, &reply, &got);
    if (error == ETIMEDOUT) {
        printf("timeout\n");
        status = VREQ_EXIT_TIMEOUT;
        goto out;
    } else if (error == ECONNRESET) {
        printf("eof\n");
        status = VREQ_EXIT_EOF;
        goto out;
    } else if (error == EPROTO) {
        printf("error short reply of %zu bytes\n", got);
        status = VREQ_EXIT_ERROR;
        goto out;
    } else if (error) {
        status = vreq_fail("recv reply", error);
        goto out;
    }
    if (reply.sun_family != AF_UNIX) {
        printf("error reply family %u\n", (unsigned) reply.sun_family);
        status = VREQ_EXIT_ERROR;
        goto out;
    }
    reply.sun_path[sizeof reply.sun_path - 1] = '\0';

    if (o.hold_ms || o.ping || o.garbage_after || o.vde2_close) {
        error = vreq_session_run(&o, &s, &reply, extra, sizeof extra);
        if (error) {
            char what[160];
            snprintf(what, sizeof what, "connect data %s", reply.sun_path);
            status = vreq_fail(what, error);
            goto out;
        }
    }
    printf("reply %s%s\n", reply.sun_path, extra);
    status = VREQ_EXIT_REPLY;

out:
    /* vde2's vde_close order: unlink our socket, then close data and ctl. */
    vreq_unlink_own();
    if (s.data >= 0) {
        close(s.data);
    }
    if (s.ctl >= 0) {
        close(s.ctl);
    }
    free(o.raw);
    return status;
}
