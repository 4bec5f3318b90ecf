/* lsgen: Ethernet frame generator and receiver for tests and benchmarks.
 *
 *   lsgen recv [options] URL     count (and optionally verify) frames
 *   lsgen send [options] URL     send frames to the receiver it learned
 *
 * URL is any vdeplug4 locator (vde:///dir, /dir, ptp:///path, ...).
 *
 * Handshake: the sender broadcasts HELLO every 50 ms until a receiver
 * answers with a unicast READY; only then does it send DATA frames, unicast
 * to the receiver's MAC.  Because the READY crosses the switch after both
 * ends attached, any learning switch (including one that flushes its table
 * when a port attaches) knows where the receiver is.  At the end the sender
 * sends END frames carrying the number of DATA frames sent, until the
 * receiver answers END_ACK or a few attempts went by.
 *
 * Every frame has EtherType 0x88b5 and starts its payload with a 28-byte
 * big-endian header (magic, type, version, data frame size, run id, seq,
 * total).  DATA frames continue with a fill pattern that depends on the
 * byte offset and on seq, so --verify detects changed, shifted and
 * truncated payloads.  Frames shorter than the header carry a prefix of it.
 *
 * Exit status: 0 success; 1 receiver got no data frame, or (--verify) a
 * corrupt one; 2 error (bad usage, open failure, no receiver, ...). */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libvdeplug.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LSGEN_ETHERTYPE 0x88b5
#define LSGEN_MAGIC 0x4c534731u /* "LSG1" */
#define LSGEN_VERSION 1

#define LSGEN_ETH_LEN 14
#define LSGEN_HDR_LEN 28
#define LSGEN_HDR_END (LSGEN_ETH_LEN + LSGEN_HDR_LEN)
#define LSGEN_MIN_SIZE LSGEN_ETH_LEN
#define LSGEN_MAX_SIZE VDE_ETHBUFSIZE
#define LSGEN_ETH_MIN_FRAME 60 /* Ethernet minimum without FCS */
#define LSGEN_CTL_SIZE 60      /* size of HELLO, READY, END, END_ACK */
#define LSGEN_RECV_BUF 65536

/* Offsets of the header fields inside the frame. */
#define LSGEN_OFS_MAGIC (LSGEN_ETH_LEN + 0)
#define LSGEN_OFS_TYPE (LSGEN_ETH_LEN + 4)
#define LSGEN_OFS_VERSION (LSGEN_ETH_LEN + 5)
#define LSGEN_OFS_SIZE (LSGEN_ETH_LEN + 6)
#define LSGEN_OFS_RUN (LSGEN_ETH_LEN + 8)
#define LSGEN_OFS_SEQ (LSGEN_ETH_LEN + 12)
#define LSGEN_OFS_TOTAL (LSGEN_ETH_LEN + 20)

#define LSGEN_HELLO_INTERVAL_NS 50000000ULL
#define LSGEN_END_INTERVAL_NS 20000000ULL
#define LSGEN_END_TRIES 10
#define LSGEN_GRACE_NS 100000000ULL
#define LSGEN_SNDTIMEO_MS 200
#define LSGEN_PATTERN_PERIOD 256

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MS 1000000ULL

enum lsgen_type {
    LSGEN_HELLO = 1,
    LSGEN_READY = 2,
    LSGEN_DATA = 3,
    LSGEN_END = 4,
    LSGEN_END_ACK = 5,
};

enum lsgen_exit {
    LSGEN_EXIT_OK = 0,
    LSGEN_EXIT_FAIL = 1,
    LSGEN_EXIT_ERROR = 2,
};

struct lsgen_opts {
    bool sender;
    const char *url;
    unsigned int size;
    uint64_t count;  /* 0 = no limit */
    double duration; /* seconds, 0 = no limit */
    double timeout;  /* seconds */
    double idle_ms;  /* milliseconds */
    double rate;     /* frames per second, 0 = as fast as possible */
    bool verify;
    uint8_t mac[6];
};

static volatile sig_atomic_t lsgen_stop;

/* The open connection, closed by die() so that plugins that bind socket
 * files (ptp://) remove them also on errors. */
static VDECONN *lsgen_conn;

/* Pattern bytes, repeated so that any 'size' bytes starting at an offset
 * below LSGEN_PATTERN_PERIOD can be read in one piece. */
static uint8_t lsgen_pattern[LSGEN_MAX_SIZE + LSGEN_PATTERN_PERIOD];

static void
lsgen_on_signal(int sig)
{
    lsgen_stop = 1;
}

static void
usage(FILE *stream)
{
    fprintf(stream,
            "usage: lsgen recv [options] URL\n"
            "       lsgen send [options] URL\n"
            "options:\n"
            "  --size BYTES      frame size incl. 14-byte Ethernet header "
            "(%d..%d, default 64)\n"
            "  --count N         sender: stop after N data frames\n"
            "  --duration SECS   sender: stop after SECS seconds "
            "(default 5 if no --count)\n"
            "  --rate FPS        sender: pace data frames at FPS\n"
            "  --timeout SECS    sender: wait for a receiver; receiver: wait "
            "for the first\n"
            "                    frame (default 10)\n"
            "  --idle MS         receiver: end of run after MS without "
            "frames (default 1000)\n"
            "  --verify          receiver: check every payload byte\n"
            "  --mac XX:XX:XX:XX:XX:XX  own MAC (default: random, locally "
            "administered)\n"
            "output: one line on stdout,\n"
            "  lsgen-send frames=N bytes=B size=S secs=T fps=F cpu=C\n"
            "  lsgen-recv frames=N bytes=B expected=E lost=L reordered=R "
            "corrupt=C secs=T fps=F mbps=M cpu=C end=0|1\n",
            LSGEN_MIN_SIZE, LSGEN_MAX_SIZE);
}

static void usage_error(void) __attribute__((noreturn));

static void
usage_error(void)
{
    fprintf(stderr, "Try 'lsgen --help' for more information.\n");
    exit(LSGEN_EXIT_ERROR);
}

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
    va_list args;

    fputs("lsgen: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    if (lsgen_conn) {
        vde_close(lsgen_conn);
        lsgen_conn = NULL;
    }
    exit(LSGEN_EXIT_ERROR);
}

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * NS_PER_SEC + (uint64_t) ts.tv_nsec;
}

static double
cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru)) {
        return 0.0;
    }
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

static void
put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, v >> 32);
    put_be32(p + 4, v);
}

static uint16_t
get_be16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t) get_be16(p) << 16 | get_be16(p + 2);
}

static uint64_t
get_be64(const uint8_t *p)
{
    return (uint64_t) get_be32(p) << 32 | get_be32(p + 4);
}

static void
pattern_init(void)
{
    size_t i;

    for (i = 0; i < sizeof lsgen_pattern; i++) {
        lsgen_pattern[i] = (uint8_t) ((i % LSGEN_PATTERN_PERIOD) * 167 + 13);
    }
}

/* Returns the expected fill bytes of DATA frame 'seq' (payload offset 0 is
 * frame offset LSGEN_HDR_END). */
static const uint8_t *
pattern_for(uint64_t seq)
{
    return lsgen_pattern + (seq * 37) % LSGEN_PATTERN_PERIOD;
}

static void
random_bytes(void *buf, size_t len)
{
    if (getrandom(buf, len, 0) != (ssize_t) len) {
        die("getrandom: %s", strerror(errno));
    }
}

static bool
mac_is_multicast(const uint8_t *mac)
{
    return mac[0] & 1;
}

static int
parse_mac(const char *s, uint8_t *mac)
{
    unsigned int b[6];
    char extra;
    int i;

    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &extra) != 6) {
        return EINVAL;
    }
    for (i = 0; i < 6; i++) {
        mac[i] = b[i];
    }
    return 0;
}

static double
parse_double(const char *name, const char *s, double min, double max)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max)) {
        die("--%s: '%s' is not a number in %g..%g", name, s, min, max);
    }
    return v;
}

static uint64_t
parse_u64(const char *name, const char *s, uint64_t min, uint64_t max)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        die("--%s: '%s' is not an integer in %" PRIu64 "..%" PRIu64, name, s,
            min, max);
    }
    return v;
}

static void
parse_args(int argc, char *argv[], struct lsgen_opts *o)
{
    enum {
        OPT_SIZE = 256,
        OPT_COUNT,
        OPT_DURATION,
        OPT_TIMEOUT,
        OPT_IDLE,
        OPT_VERIFY,
        OPT_RATE,
        OPT_MAC,
        OPT_HELP,
    };
    static const struct option longopts[] = {
        {"size", required_argument, NULL, OPT_SIZE},
        {"count", required_argument, NULL, OPT_COUNT},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"idle", required_argument, NULL, OPT_IDLE},
        {"verify", no_argument, NULL, OPT_VERIFY},
        {"rate", required_argument, NULL, OPT_RATE},
        {"mac", required_argument, NULL, OPT_MAC},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    bool have_mac = false;
    int c;

    memset(o, 0, sizeof *o);
    o->size = 64;
    o->timeout = 10;
    o->idle_ms = 1000;

    if (argc < 2) {
        usage(stderr);
        exit(LSGEN_EXIT_ERROR);
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        exit(LSGEN_EXIT_OK);
    } else if (!strcmp(argv[1], "send")) {
        o->sender = true;
    } else if (strcmp(argv[1], "recv")) {
        fprintf(stderr, "lsgen: unknown mode '%s' (send or recv)\n", argv[1]);
        usage_error();
    }

    /* Parse the options after the mode; getopt names itself argv[0]. */
    argv[1] = argv[0];
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SIZE:
            o->size =
                parse_u64("size", optarg, LSGEN_MIN_SIZE, LSGEN_MAX_SIZE);
            break;
        case OPT_COUNT:
            o->count = parse_u64("count", optarg, 1, UINT64_MAX);
            break;
        case OPT_DURATION:
            o->duration = parse_double("duration", optarg, 0.001, 1e7);
            break;
        case OPT_TIMEOUT:
            o->timeout = parse_double("timeout", optarg, 0.001, 1e7);
            break;
        case OPT_IDLE:
            o->idle_ms = parse_double("idle", optarg, 1, 1e10);
            break;
        case OPT_VERIFY:
            o->verify = true;
            break;
        case OPT_RATE:
            o->rate = parse_double("rate", optarg, 0.001, 1e10);
            break;
        case OPT_MAC:
            if (parse_mac(optarg, o->mac) || mac_is_multicast(o->mac)) {
                die("--mac: '%s' is not a unicast MAC XX:XX:XX:XX:XX:XX",
                    optarg);
            }
            have_mac = true;
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            exit(LSGEN_EXIT_OK);
        default:
            usage_error();
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "lsgen: exactly one URL expected\n");
        usage_error();
    }
    o->url = argv[optind];
    if (o->sender && !o->count && !o->duration) {
        o->duration = 5;
    }
    if (!have_mac) {
        random_bytes(o->mac, sizeof o->mac);
        o->mac[0] = (o->mac[0] & 0xfe) | 0x02;
    }
}

/* Fills the Ethernet header and as much of the lsgen header as fits in
 * 'size' bytes of 'frame'.  The fill pattern is not written. */
static void
frame_build(uint8_t *frame, size_t size, const uint8_t *dst,
            const uint8_t *src, enum lsgen_type type, uint16_t data_size,
            uint32_t run, uint64_t seq, uint64_t total)
{
    uint8_t hdr[LSGEN_HDR_END];
    size_t n = size < sizeof hdr ? size : sizeof hdr;

    memcpy(hdr, dst, 6);
    memcpy(hdr + 6, src, 6);
    put_be16(hdr + 12, LSGEN_ETHERTYPE);
    put_be32(hdr + LSGEN_OFS_MAGIC, LSGEN_MAGIC);
    hdr[LSGEN_OFS_TYPE] = type;
    hdr[LSGEN_OFS_VERSION] = LSGEN_VERSION;
    put_be16(hdr + LSGEN_OFS_SIZE, data_size);
    put_be32(hdr + LSGEN_OFS_RUN, run);
    put_be64(hdr + LSGEN_OFS_SEQ, seq);
    put_be64(hdr + LSGEN_OFS_TOTAL, total);
    memset(frame, 0, size);
    memcpy(frame, hdr, n);
}

/* Returns the lsgen message type of a frame that carries at least the
 * fixed part of a full header, or 0 if it is not an lsgen frame. */
static int
frame_type(const uint8_t *frame, size_t len)
{
    if (len < LSGEN_HDR_END || get_be16(frame + 12) != LSGEN_ETHERTYPE ||
        get_be32(frame + LSGEN_OFS_MAGIC) != LSGEN_MAGIC ||
        frame[LSGEN_OFS_VERSION] != LSGEN_VERSION) {
        return 0;
    }
    return frame[LSGEN_OFS_TYPE];
}

static VDECONN *
lsgen_open(const struct lsgen_opts *o)
{
    char descr[] = "lsgen";
    char *url = strdup(o->url);
    VDECONN *conn;

    if (!url) {
        die("out of memory");
    }
    conn = vde_open(url, descr, NULL);
    if (!conn) {
        die("vde_open %s: %s", o->url, strerror(errno));
    }
    free(url);
    lsgen_conn = conn;
    return conn;
}

static void
install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = lsgen_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* Waits up to 'timeout_ns' for input on the data fd; dies on errors.
 * Returns 0 if input is ready, ETIMEDOUT on timeout, EINTR on a signal,
 * EPIPE on EOF on the control fd (the switch closed the connection). */
static int
wait_input(VDECONN *conn, uint64_t timeout_ns)
{
    struct pollfd pfd[2];
    nfds_t n = 1;
    int ms = INT32_MAX;
    int ret;

    if (timeout_ns < (uint64_t) INT32_MAX * NS_PER_MS) {
        ms = (int) ((timeout_ns + NS_PER_MS - 1) / NS_PER_MS);
    }
    pfd[0].fd = vde_datafd(conn);
    pfd[0].events = POLLIN;
    pfd[1].fd = vde_ctlfd(conn);
    pfd[1].events = POLLIN;
    if (pfd[1].fd >= 0) {
        n = 2;
    }
    ret = poll(pfd, n, ms);
    if (ret < 0) {
        if (errno == EINTR) {
            return EINTR;
        }
        die("poll: %s", strerror(errno));
    }
    if (n == 2 && pfd[1].revents) {
        return EPIPE;
    }
    if (pfd[0].revents & (POLLERR | POLLNVAL)) {
        die("error on the data connection");
    }
    return pfd[0].revents & (POLLIN | POLLHUP) ? 0 : ETIMEDOUT;
}

static void
print_sender(uint64_t frames, unsigned int size, uint64_t first_ns,
             uint64_t last_ns)
{
    double secs = frames ? (last_ns - first_ns) / 1e9 : 0.0;
    double fps = 0.0;

    if (frames > 1 && secs > 0) {
        fps = (frames - 1) / secs;
    }
    printf("lsgen-send frames=%" PRIu64 " bytes=%" PRIu64
           " size=%u secs=%.3f fps=%.0f cpu=%.2f\n",
           frames, frames * size, size, secs, fps, cpu_seconds());
    fflush(stdout);
}

/* Returns true if a failed HELLO should just be retried: for ptp:// the
 * peer may not exist yet (the first opener cannot send until the second
 * one binds its socket). */
static bool
hello_error_is_transient(int error)
{
    return error == EINTR || error == EAGAIN || error == EWOULDBLOCK ||
           error == ENOBUFS || error == ECONNREFUSED || error == ENOENT ||
           error == ENOTCONN || error == EDESTADDRREQ;
}

/* Broadcasts HELLO until a READY for this run arrives; stores the
 * receiver's MAC in 'peer'. */
static void
sender_find_receiver(VDECONN *conn, const struct lsgen_opts *o, uint32_t run,
                     uint8_t *peer)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t hello[LSGEN_CTL_SIZE];
    uint8_t buf[LSGEN_RECV_BUF];
    uint64_t start = now_ns();
    uint64_t deadline = start + (uint64_t) (o->timeout * 1e9);
    uint64_t next_hello = start;

    frame_build(hello, sizeof hello, bcast, o->mac, LSGEN_HELLO, o->size, run,
                0, 0);
    for (;;) {
        uint64_t now = now_ns();
        ssize_t n;

        if (lsgen_stop) {
            die("interrupted before a receiver answered");
        }
        if (now >= deadline) {
            die("no receiver answered on %s within %g s", o->url, o->timeout);
        }
        if (now >= next_hello) {
            if (vde_send(conn, hello, sizeof hello, 0) < 0 &&
                !hello_error_is_transient(errno)) {
                die("send hello: %s", strerror(errno));
            }
            next_hello = now + LSGEN_HELLO_INTERVAL_NS;
            continue;
        }
        switch (wait_input(conn, next_hello - now)) {
        case 0:
            break;
        case EPIPE:
            die("the switch closed the connection");
        default:
            continue;
        }
        n = vde_recv(conn, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            die("recv: %s", strerror(errno));
        }
        if (frame_type(buf, n) == LSGEN_READY &&
            get_be32(buf + LSGEN_OFS_RUN) == run && !memcmp(buf, o->mac, 6) &&
            !mac_is_multicast(buf + 6)) {
            memcpy(peer, buf + 6, 6);
            return;
        }
    }
}

/* Sends END (with the total) until END_ACK arrives or the tries run out.
 * Errors are ignored: the receiver may already be gone. */
static void
sender_finish(VDECONN *conn, const struct lsgen_opts *o, uint32_t run,
              const uint8_t *peer, uint64_t total)
{
    uint8_t end[LSGEN_CTL_SIZE];
    uint8_t buf[LSGEN_RECV_BUF];
    int tries;

    frame_build(end, sizeof end, peer, o->mac, LSGEN_END, o->size, run, 0,
                total);
    for (tries = 0; tries < LSGEN_END_TRIES; tries++) {
        uint64_t deadline;

        vde_send(conn, end, sizeof end, 0);
        deadline = now_ns() + LSGEN_END_INTERVAL_NS;
        for (;;) {
            struct pollfd pfd = {.fd = vde_datafd(conn), .events = POLLIN};
            uint64_t now = now_ns();
            ssize_t n;

            if (now >= deadline) {
                break;
            }
            if (poll(&pfd, 1, (deadline - now + NS_PER_MS - 1) / NS_PER_MS) <=
                0) {
                continue;
            }
            if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
                return;
            }
            n = vde_recv(conn, buf, sizeof buf, 0);
            if (n > 0 && frame_type(buf, n) == LSGEN_END_ACK &&
                get_be32(buf + LSGEN_OFS_RUN) == run) {
                return;
            }
        }
    }
}

static int
run_sender(const struct lsgen_opts *o)
{
    VDECONN *conn = lsgen_open(o);
    struct timeval tv = {0, LSGEN_SNDTIMEO_MS * 1000};
    uint8_t *frame = malloc(o->size);
    uint8_t peer[6];
    uint32_t run;
    uint64_t seq, first = 0, last = 0, start, stall_since = 0;
    uint64_t end_at = UINT64_MAX;
    uint64_t stall_max = (uint64_t) (o->timeout * 1e9);
    size_t fill = o->size > LSGEN_HDR_END ? o->size - LSGEN_HDR_END : 0;
    size_t head = o->size < LSGEN_HDR_END ? o->size : LSGEN_HDR_END;
    uint8_t header[LSGEN_HDR_END];
    int error = 0;

    if (!frame) {
        die("out of memory");
    }
    random_bytes(&run, sizeof run);
    sender_find_receiver(conn, o, run, peer);

    /* A bounded send timeout keeps --duration and signals effective while
     * a blocking vde_send() waits for a congested switch. */
    setsockopt(vde_datafd(conn), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    frame_build(header, sizeof header, peer, o->mac, LSGEN_DATA, o->size, run,
                0, 0);
    memcpy(frame, header, head);

    start = now_ns();
    if (o->duration) {
        end_at = start + (uint64_t) (o->duration * 1e9);
    }
    for (seq = 0; !o->count || seq < o->count;) {
        uint64_t now = now_ns();

        if (lsgen_stop || now >= end_at) {
            break;
        }
        if (o->rate) {
            uint64_t due = start + (uint64_t) (seq * (1e9 / o->rate));

            if (due > now) {
                struct timespec ts = {due / NS_PER_SEC, due % NS_PER_SEC};

                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
                continue;
            }
        }
        if (head > LSGEN_OFS_SEQ) {
            uint8_t seqbuf[8];

            put_be64(seqbuf, seq);
            memcpy(frame + LSGEN_OFS_SEQ, seqbuf,
                   head - LSGEN_OFS_SEQ < 8 ? head - LSGEN_OFS_SEQ : 8);
        }
        if (fill) {
            memcpy(frame + LSGEN_HDR_END, pattern_for(seq), fill);
        }
        if (vde_send(conn, frame, o->size, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ||
                errno == ENOBUFS) {
                if (!stall_since) {
                    stall_since = now;
                } else if (now - stall_since > stall_max) {
                    die("send stalled for %g s", o->timeout);
                }
                continue;
            }
            error = errno;
            break;
        }
        stall_since = 0;
        last = now_ns();
        if (!seq) {
            first = last;
        }
        seq++;
    }
    if (!error) {
        sender_finish(conn, o, run, peer, seq);
    }
    print_sender(seq, o->size, first, last);
    lsgen_conn = NULL;
    vde_close(conn);
    free(frame);
    if (error) {
        fprintf(stderr, "lsgen: send: %s\n", strerror(error));
        return LSGEN_EXIT_ERROR;
    }
    return LSGEN_EXIT_OK;
}

struct lsgen_rx {
    bool locked; /* run, peer and size known (from HELLO) */
    uint32_t run;
    uint8_t peer[6];
    unsigned int size; /* DATA frame size announced by the sender */
    uint8_t prefix[LSGEN_OFS_SEQ]; /* constant first bytes of DATA frames */
    bool got_end;
    uint64_t total;
    uint64_t frames, bytes, reordered, corrupt, next_seq;
    uint64_t first_ns, last_ns, end_ns, activity_ns;
};

/* Returns true if DATA frame 'frame' of 'len' bytes matches what the
 * sender sent. */
static bool
rx_data_ok(const struct lsgen_rx *rx, const uint8_t *frame, size_t len,
           bool has_seq, uint64_t seq, bool verify)
{
    size_t size = rx->size;
    size_t cmp = size < LSGEN_OFS_SEQ ? size : LSGEN_OFS_SEQ;
    size_t i;

    if (len != size) {
        /* A switch may zero-pad short frames to the Ethernet minimum. */
        if (!(size < LSGEN_ETH_MIN_FRAME && len == LSGEN_ETH_MIN_FRAME)) {
            return false;
        }
        for (i = size; i < len; i++) {
            if (frame[i]) {
                return false;
            }
        }
    }
    if (memcmp(frame, rx->prefix, cmp)) {
        return false;
    }
    if (size >= LSGEN_HDR_END && get_be64(frame + LSGEN_OFS_TOTAL)) {
        return false;
    }
    if (verify && size > LSGEN_HDR_END && has_seq &&
        memcmp(frame + LSGEN_HDR_END, pattern_for(seq),
               size - LSGEN_HDR_END)) {
        return false;
    }
    return true;
}

static void
rx_reply(VDECONN *conn, const struct lsgen_opts *o, const struct lsgen_rx *rx,
         const uint8_t *dst, enum lsgen_type type)
{
    uint8_t reply[LSGEN_CTL_SIZE];

    frame_build(reply, sizeof reply, dst, o->mac, type, rx->size, rx->run, 0,
                0);
    /* Non-blocking: a lost reply is repeated by the sender. */
    vde_send(conn, reply, sizeof reply, 0);
}

static void
rx_frame(VDECONN *conn, const struct lsgen_opts *o, struct lsgen_rx *rx,
         const uint8_t *frame, size_t len, uint64_t now)
{
    bool from_peer;
    bool has_seq;
    uint64_t seq = 0;
    int type;

    if (len < LSGEN_ETH_LEN || get_be16(frame + 12) != LSGEN_ETHERTYPE) {
        return;
    }
    from_peer = rx->locked && !memcmp(frame + 6, rx->peer, 6);
    type = frame_type(frame, len);
    if (type == LSGEN_HELLO) {
        if (!rx->locked && !mac_is_multicast(frame + 6)) {
            rx->locked = true;
            rx->run = get_be32(frame + LSGEN_OFS_RUN);
            memcpy(rx->peer, frame + 6, 6);
            rx->size = get_be16(frame + LSGEN_OFS_SIZE);
            if (rx->size < LSGEN_MIN_SIZE || rx->size > LSGEN_MAX_SIZE) {
                rx->locked = false;
                return;
            }
            frame_build(rx->prefix, sizeof rx->prefix, o->mac, rx->peer,
                        LSGEN_DATA, rx->size, rx->run, 0, 0);
            from_peer = true;
        }
        if (from_peer && get_be32(frame + LSGEN_OFS_RUN) == rx->run) {
            rx->activity_ns = now;
            rx_reply(conn, o, rx, rx->peer, LSGEN_READY);
        }
        return;
    }
    if (!from_peer) {
        return;
    }
    if (type == LSGEN_END && get_be32(frame + LSGEN_OFS_RUN) == rx->run) {
        rx->activity_ns = now;
        if (!rx->got_end) {
            rx->got_end = true;
            rx->total = get_be64(frame + LSGEN_OFS_TOTAL);
            rx->end_ns = now;
        }
        rx_reply(conn, o, rx, rx->peer, LSGEN_END_ACK);
        return;
    }
    if (type && type != LSGEN_DATA) {
        return;
    }
    /* DATA, possibly shorter than the header: identify it by the bytes of
     * the header that are present. */
    if (len > LSGEN_OFS_TYPE && frame[LSGEN_OFS_TYPE] != LSGEN_DATA) {
        return;
    }
    if (len >= LSGEN_OFS_SEQ && get_be32(frame + LSGEN_OFS_RUN) != rx->run) {
        return;
    }
    has_seq = len >= LSGEN_OFS_SEQ + 8 && rx->size >= LSGEN_OFS_SEQ + 8;
    if (has_seq) {
        seq = get_be64(frame + LSGEN_OFS_SEQ);
        if (seq < rx->next_seq) {
            rx->reordered++;
        } else {
            rx->next_seq = seq + 1;
        }
    }
    if (!rx->frames) {
        rx->first_ns = now;
    }
    rx->frames++;
    rx->bytes += len;
    rx->last_ns = now;
    rx->activity_ns = now;
    if (!rx_data_ok(rx, frame, len, has_seq, seq, o->verify)) {
        rx->corrupt++;
    }
}

static int
print_receiver(const struct lsgen_opts *o, const struct lsgen_rx *rx)
{
    uint64_t expected = rx->got_end ? rx->total : rx->next_seq;
    uint64_t lost = expected > rx->frames ? expected - rx->frames : 0;
    double secs = rx->frames ? (rx->last_ns - rx->first_ns) / 1e9 : 0.0;
    double fps = 0.0, mbps = 0.0;

    if (rx->frames > 1 && secs > 0) {
        fps = (rx->frames - 1) / secs;
        mbps = rx->bytes * 8 / secs / 1e6;
    }
    printf("lsgen-recv frames=%" PRIu64 " bytes=%" PRIu64 " expected=%" PRIu64
           " lost=%" PRIu64 " reordered=%" PRIu64 " corrupt=%" PRIu64
           " secs=%.3f fps=%.0f mbps=%.1f cpu=%.2f end=%d\n",
           rx->frames, rx->bytes, expected, lost, rx->reordered, rx->corrupt,
           secs, fps, mbps, cpu_seconds(), rx->got_end ? 1 : 0);
    fflush(stdout);
    if (!rx->frames) {
        fprintf(stderr, "lsgen: no data frame received on %s\n", o->url);
        return LSGEN_EXIT_FAIL;
    }
    if (o->verify && rx->corrupt) {
        fprintf(stderr, "lsgen: %" PRIu64 " corrupt frame(s) received\n",
                rx->corrupt);
        return LSGEN_EXIT_FAIL;
    }
    return LSGEN_EXIT_OK;
}

static int
run_receiver(const struct lsgen_opts *o)
{
    VDECONN *conn = lsgen_open(o);
    uint8_t *buf = malloc(LSGEN_RECV_BUF);
    uint64_t start = now_ns();
    uint64_t idle_ns = (uint64_t) (o->idle_ms * NS_PER_MS);
    uint64_t timeout_ns = (uint64_t) (o->timeout * 1e9);
    struct lsgen_rx rx;
    int fd = vde_datafd(conn);
    bool closed = false;
    int flags, status;

    if (!buf) {
        die("out of memory");
    }
    memset(&rx, 0, sizeof rx);
    /* Non-blocking reads: one syscall per frame while frames flow, poll()
     * only when the queue is empty. */
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        die("fcntl on the data fd: %s", strerror(errno));
    }
    while (!lsgen_stop) {
        ssize_t n = vde_recv(conn, buf, LSGEN_RECV_BUF, 0);
        uint64_t now = now_ns();
        uint64_t until;

        if (n > 0) {
            rx_frame(conn, o, &rx, buf, n, now);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
            errno != EINTR) {
            die("recv: %s", strerror(errno));
        }
        if (n == 0) {
            continue;
        }
        if (rx.got_end) {
            until = rx.end_ns + LSGEN_GRACE_NS;
        } else if (rx.activity_ns) {
            until = rx.activity_ns + idle_ns;
        } else {
            until = start + timeout_ns;
        }
        if (now >= until) {
            break;
        }
        if (wait_input(conn, until - now) == EPIPE) {
            closed = true;
            break;
        }
    }
    status = print_receiver(o, &rx);
    if (closed) {
        fprintf(stderr, "lsgen: the switch closed the connection\n");
        status = LSGEN_EXIT_ERROR;
    }
    lsgen_conn = NULL;
    vde_close(conn);
    free(buf);
    return status;
}

/* Entry point: parses the mode and options, then runs the sender or the
 * receiver.  Returns the process exit status (0, 1 or 2, see the top of
 * this file). */
int
main(int argc, char *argv[])
{
    struct lsgen_opts opts;

    parse_args(argc, argv, &opts);
    pattern_init();
    install_signals();
    return opts.sender ? run_sender(&opts) : run_receiver(&opts);
}
