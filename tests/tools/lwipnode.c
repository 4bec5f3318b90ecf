/*
 * lwipnode: a user-level IPv4 host on a VDE switch, built on liblwipv6.
 *
 * Creates an lwipv6 stack with one VDE interface (liblwipv6 opens it through
 * libvdeplug, see lwip_add_vdeif), gives it an address and then either
 * serves (answers pings, optionally echoes TCP) for a while or runs one TCP
 * exchange against an echo server and verifies the data.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <lwipv6.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LWN_CHUNK 1024
#define LWN_MAX_VNL 4096

struct lwn_opts {
    const char *switchdir;
    long port; /* -1 = any port */
    struct in_addr addr;
    unsigned int prefix;
    long serve_s;   /* -1 = not serving */
    long echo_port; /* -1 = no echo server */
    struct sockaddr_in tcp_peer;
    bool tcp;
    long bytes;
    long timeout_s;
};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: lwipnode --addr A.B.C.D/P [--port N] SWITCHDIR\n"
            "           (--serve SECONDS [--echo TCPPORT] |\n"
            "            --tcp A.B.C.D:PORT [--bytes N] [--timeout S])\n"
            "Attach an lwipv6 stack to the VDE switch SWITCHDIR (port N or\n"
            "any) with address A.B.C.D/P, bring it up, then:\n"
            "  --serve S    stay up S seconds answering pings; with --echo\n"
            "               also run a TCP echo server on TCPPORT\n"
            "  --tcp A:P    connect to A:P, send N bytes (default 16384) in\n"
            "               1 KiB chunks, read each chunk back and compare\n"
            "  --timeout S  give up the TCP exchange after S s (default 10)\n"
            "Prints one result line; exit 0 on success, 1 on failure.\n");
}

/* Set by SIGTERM/SIGINT: serve mode stops early and exits cleanly. */
static volatile sig_atomic_t lwn_stop;

static void
lwn_on_stop(int sig)
{
    lwn_stop = 1;
}

static void
lwn_on_alarm(int sig)
{
    static const char msg[] = "tcp fail: timeout\n";

    if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
        _exit(1);
    }
    _exit(1);
}

static int
lwn_parse_long(const char *s, long min, long max, long *out)
{
    char *end;

    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < min || v > max) {
        return EINVAL;
    }
    *out = v;
    return 0;
}

/* Parses "A.B.C.D/P". */
static int
lwn_parse_cidr(const char *s, struct in_addr *addr, unsigned int *prefix)
{
    char buf[64];
    char *slash;
    long p;

    if (snprintf(buf, sizeof buf, "%s", s) >= (int) sizeof buf) {
        return EINVAL;
    }
    slash = strchr(buf, '/');
    if (!slash) {
        return EINVAL;
    }
    *slash = '\0';
    if (inet_pton(AF_INET, buf, addr) != 1 ||
        lwn_parse_long(slash + 1, 0, 32, &p)) {
        return EINVAL;
    }
    *prefix = (unsigned int) p;
    return 0;
}

/* Parses "A.B.C.D:PORT". */
static int
lwn_parse_hostport(const char *s, struct sockaddr_in *sin)
{
    char buf[64];
    char *colon;
    long port;

    if (snprintf(buf, sizeof buf, "%s", s) >= (int) sizeof buf) {
        return EINVAL;
    }
    colon = strrchr(buf, ':');
    if (!colon) {
        return EINVAL;
    }
    *colon = '\0';
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1 ||
        lwn_parse_long(colon + 1, 1, 65535, &port)) {
        return EINVAL;
    }
    sin->sin_port = htons((uint16_t) port);
    return 0;
}

static int
lwn_parse_args(int argc, char **argv, struct lwn_opts *o)
{
    static const struct option longopts[] = {
        {"addr", required_argument, NULL, 'a'},
        {"port", required_argument, NULL, 'p'},
        {"serve", required_argument, NULL, 's'},
        {"echo", required_argument, NULL, 'e'},
        {"tcp", required_argument, NULL, 't'},
        {"bytes", required_argument, NULL, 'b'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool have_addr = false;
    int c;

    memset(o, 0, sizeof *o);
    o->port = -1;
    o->serve_s = -1;
    o->echo_port = -1;
    o->bytes = 16384;
    o->timeout_s = 10;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int error = 0;

        switch (c) {
        case 'a':
            error = lwn_parse_cidr(optarg, &o->addr, &o->prefix);
            have_addr = true;
            break;
        case 'p':
            error = lwn_parse_long(optarg, 0, 0xffffff, &o->port);
            break;
        case 's':
            error = lwn_parse_long(optarg, 0, INT_MAX, &o->serve_s);
            break;
        case 'e':
            error = lwn_parse_long(optarg, 1, 65535, &o->echo_port);
            break;
        case 't':
            error = lwn_parse_hostport(optarg, &o->tcp_peer);
            o->tcp = true;
            break;
        case 'b':
            error = lwn_parse_long(optarg, 1, 1L << 30, &o->bytes);
            break;
        case 'T':
            error = lwn_parse_long(optarg, 1, INT_MAX, &o->timeout_s);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return EINVAL;
        }
        if (error) {
            fprintf(stderr, "lwipnode: bad argument '%s'\n", optarg);
            return EINVAL;
        }
    }
    if (optind != argc - 1 || !have_addr || o->tcp == (o->serve_s >= 0) ||
        (o->echo_port >= 0 && o->serve_s < 0)) {
        return EINVAL;
    }
    o->switchdir = argv[optind];
    return 0;
}

static long long
lwn_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Creates the stack and its VDE interface with the configured address, and
 * brings the interface up. */
static int
lwn_stack_up(const struct lwn_opts *o, struct stack **stackp)
{
    char vnl[LWN_MAX_VNL];
    struct ip_addr addr, mask;
    struct stack *stack;
    struct netif *nif;
    uint32_t m = o->prefix ? 0xffffffffu << (32 - o->prefix) : 0;

    if (o->port >= 0) {
        snprintf(vnl, sizeof vnl, "%s[%ld]", o->switchdir, o->port);
    } else {
        snprintf(vnl, sizeof vnl, "%s", o->switchdir);
    }
    stack = lwip_stack_new();
    if (!stack) {
        return errno ? errno : ENOMEM;
    }
    nif = lwip_vdeif_add(stack, vnl);
    if (!nif) {
        int error = errno ? errno : ENODEV;
        lwip_stack_free(stack);
        return error;
    }
    memset(&addr, 0, sizeof addr);
    addr.addr[2] = IP64_PREFIX;
    addr.addr[3] = o->addr.s_addr;
    memset(&mask, 0xff, sizeof mask);
    mask.addr[3] = htonl(m);
    if (lwip_add_addr(nif, &addr, &mask) < 0 || lwip_ifup(nif) < 0) {
        int error = errno ? errno : EINVAL;
        lwip_stack_free(stack);
        return error;
    }
    *stackp = stack;
    return 0;
}

/* Waits until 'fd' is readable, 'deadline' passes or a stop signal comes.
 * Returns 0 when readable, ETIMEDOUT (also when stopped), or an errno. */
static int
lwn_wait_readable(int fd, long long deadline)
{
    for (;;) {
        long long left = deadline - lwn_now_ms();
        struct timeval tv;
        fd_set rfds;

        if (left <= 0 || lwn_stop) {
            return ETIMEDOUT;
        }
        if (left > 200) {
            left = 200; /* notice lwn_stop soon */
        }
        tv.tv_sec = left / 1000;
        tv.tv_usec = (left % 1000) * 1000;
        FD_ZERO(&rfds);
        FD_SET(fd, &rfds);
        int n = lwip_select(fd + 1, &rfds, NULL, NULL, &tv);
        if (n > 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return errno;
        }
    }
}

/* Echoes one TCP connection until EOF or 'deadline'; adds the byte count. */
static void
lwn_echo_conn(int fd, long long deadline, unsigned long long *bytes)
{
    char buf[LWN_CHUNK];

    while (!lwn_wait_readable(fd, deadline)) {
        ssize_t n = lwip_read(fd, buf, sizeof buf);
        if (n <= 0) {
            return;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = lwip_write(fd, buf + off, (int) (n - off));
            if (w <= 0) {
                return;
            }
            off += w;
        }
        *bytes += (unsigned long long) n;
    }
}

/* Stays up for the serve time (or until SIGTERM/SIGINT), echoing TCP
 * connections if asked to. */
static int
lwn_serve(const struct lwn_opts *o, struct stack *stack)
{
    long long deadline = lwn_now_ms() + o->serve_s * 1000;
    unsigned long long bytes = 0;
    unsigned long conns = 0;
    struct sockaddr_in sin;
    int lfd;

    if (o->echo_port < 0) {
        while (lwn_now_ms() < deadline && !lwn_stop) {
            usleep(100 * 1000);
        }
        printf("served %s\n", lwn_stop ? "until stopped" : "full time");
        return 0;
    }

    lfd = lwip_msocket(stack, AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) {
        return errno;
    }
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t) o->echo_port);
    if (lwip_bind(lfd, (struct sockaddr *) &sin, sizeof sin) < 0 ||
        lwip_listen(lfd, 4) < 0) {
        int error = errno;
        lwip_close(lfd);
        return error;
    }
    while (!lwn_wait_readable(lfd, deadline)) {
        int fd = lwip_accept(lfd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        conns++;
        lwn_echo_conn(fd, deadline, &bytes);
        lwip_close(fd);
    }
    lwip_close(lfd);
    printf("served %s, echoed %llu bytes in %lu connections\n",
           lwn_stop ? "until stopped" : "full time", bytes, conns);
    return 0;
}

static uint8_t
lwn_pattern(long i)
{
    return (uint8_t) (i * 7 + i / 251);
}

/* Connects to the echo server and checks that every chunk comes back. */
static int
lwn_tcp_exchange(const struct lwn_opts *o, struct stack *stack)
{
    uint8_t out[LWN_CHUNK], in[LWN_CHUNK];
    long done = 0;
    int fd;

    fd = lwip_msocket(stack, AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        printf("tcp fail: socket: %s\n", strerror(errno));
        return EIO;
    }
    if (lwip_connect(fd, (struct sockaddr *) &o->tcp_peer,
                     sizeof o->tcp_peer) < 0) {
        printf("tcp fail: connect: %s\n", strerror(errno));
        lwip_close(fd);
        return EIO;
    }
    while (done < o->bytes) {
        int len =
            (int) (o->bytes - done < LWN_CHUNK ? o->bytes - done : LWN_CHUNK);
        for (int i = 0; i < len; i++) {
            out[i] = lwn_pattern(done + i);
        }
        for (int off = 0; off < len;) {
            ssize_t w = lwip_write(fd, out + off, len - off);
            if (w <= 0) {
                printf("tcp fail: write after %ld bytes: %s\n", done,
                       w ? strerror(errno) : "closed");
                lwip_close(fd);
                return EIO;
            }
            off += (int) w;
        }
        for (int off = 0; off < len;) {
            ssize_t r = lwip_read(fd, in + off, len - off);
            if (r <= 0) {
                printf("tcp fail: read after %ld bytes: %s\n", done + off,
                       r ? strerror(errno) : "eof");
                lwip_close(fd);
                return EIO;
            }
            off += (int) r;
        }
        if (memcmp(in, out, (size_t) len)) {
            printf("tcp fail: data mismatch in bytes %ld..%ld\n", done,
                   done + len - 1);
            lwip_close(fd);
            return EIO;
        }
        done += len;
    }
    lwip_close(fd);
    printf("tcp ok %ld bytes\n", done);
    return 0;
}

/* Runs the node as described by the command line.  Returns 0 on success,
 * 1 on failure, after printing one result line. */
int
main(int argc, char **argv)
{
    struct lwn_opts o;
    struct stack *stack;
    int error;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (lwn_parse_args(argc, argv, &o)) {
        usage(stderr);
        printf("error usage\n");
        return 1;
    }
    error = lwn_stack_up(&o, &stack);
    if (error) {
        printf("error attach %s: %s\n", o.switchdir, strerror(error));
        return 1;
    }
    if (o.tcp) {
        signal(SIGALRM, lwn_on_alarm);
        alarm((unsigned int) o.timeout_s);
        error = lwn_tcp_exchange(&o, stack);
        alarm(0);
    } else {
        struct sigaction sa = {.sa_handler = lwn_on_stop};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        error = lwn_serve(&o, stack);
        if (error) {
            printf("error serve: %s\n", strerror(error));
        }
    }
    lwip_stack_free(stack);
    return error ? 1 : 0;
}
