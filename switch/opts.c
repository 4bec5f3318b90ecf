#include "switch/opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/cmd.h"
#include "plug/url.h"

enum {
    OPT_MACADDR = 0x100,
    OPT_PRIORITY,
    OPT_HASHSIZE,
    OPT_DIRMODE,
    OPT_MGMTMODE,
    OPT_MGMTGROUP,
    OPT_NOSTDIN,
    OPT_MACMAX,
    OPT_EXPIRE,
    OPT_QUEUE,
};

static const struct option long_opts[] = {
    {"sock", required_argument, NULL, 's'},
    {"vdesock", required_argument, NULL, 's'},
    {"unix", required_argument, NULL, 's'},
    {"mgmt", required_argument, NULL, 'M'},
    {"mgmtmode", required_argument, NULL, OPT_MGMTMODE},
    {"mgmtgroup", required_argument, NULL, OPT_MGMTGROUP},
    {"mode", required_argument, NULL, 'm'},
    {"mod", required_argument, NULL, 'm'},
    {"dirmode", required_argument, NULL, OPT_DIRMODE},
    {"group", required_argument, NULL, 'g'},
    {"numports", required_argument, NULL, 'n'},
    {"hub", no_argument, NULL, 'x'},
    {"fstp", no_argument, NULL, 'F'},
    {"daemon", no_argument, NULL, 'd'},
    {"pidfile", required_argument, NULL, 'p'},
    {"rcfile", required_argument, NULL, 'f'},
    {"macaddr", required_argument, NULL, OPT_MACADDR},
    {"priority", required_argument, NULL, OPT_PRIORITY},
    {"hashsize", required_argument, NULL, OPT_HASHSIZE},
    {"debugclients", required_argument, NULL, 'D'},
    {"nostdin", no_argument, NULL, OPT_NOSTDIN},
    {"macmax", required_argument, NULL, OPT_MACMAX},
    {"expire", required_argument, NULL, OPT_EXPIRE},
    {"queue", required_argument, NULL, OPT_QUEUE},
    {"tap", required_argument, NULL, 't'},
    {"attach", required_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

/* Prints the usage text on stdout. */
void
ls_opts_usage(const char *prog)
{
    printf("Usage: %s [OPTIONS]\n"
           "A VDE-compatible virtual Ethernet switch.\n\n"
           "  -s, --sock DIR          switch directory (default "
           "/var/run/vde.ctl as root,\n"
           "                          /tmp/vde.ctl otherwise)\n"
           "  -M, --mgmt PATH         management socket\n"
           "      --mgmtmode MODE     management socket mode (octal, "
           "default 0600)\n"
           "      --mgmtgroup GROUP   management socket group\n"
           "  -m, --mode MODE         ctl and data socket mode (octal)\n"
           "      --dirmode MODE      switch directory mode (octal)\n"
           "  -g, --group GROUP       group of the directory and sockets\n"
           "  -n, --numports N        number of ports (default 32)\n"
           "  -x, --hub               hub mode\n"
           "  -F, --fstp              fast spanning tree (not supported: "
           "ignored)\n"
           "  -d, --daemon            run in the background, log to syslog\n"
           "  -p, --pidfile FILE      write the pid to FILE\n"
           "  -f, --rcfile FILE       run the console commands in FILE at "
           "start\n"
           "      --macaddr MAC       the switch's MAC address\n"
           "      --priority N        spanning tree priority (accepted)\n"
           "      --hashsize N        MAC table buckets (default 128)\n"
           "      --macmax N          MAC table entries (default 16384)\n"
           "      --expire SECONDS    MAC ageing time (default 300)\n"
           "      --queue FRAMES      per-endpoint egress queue (default "
           "512)\n"
           "      --nostdin           no console on stdin without -d\n"
           "  -t, --tap NAME          attach tap NAME (created if needed) "
           "to the next\n"
           "                          free port (repeatable)\n"
           "  -a, --attach N=URL      attach URL to port N (repeatable): "
           "tap://NAME,\n"
           "                          tun://NAME?addr=A.B.C.D/P, "
           "host://IFNAME,\n"
           "                          host://mac=AA:BB:CC:DD:EE:FF\n"
           "  -h, --help              this help\n"
           "  -v, --version           version\n",
           prog);
}

static int
parse_octal(const char *s, int *v)
{
    char *end;
    long x;

    errno = 0;
    x = strtol(s, &end, 8);
    if (errno || *end || !*s || x < 0 || x > 07777) {
        return EINVAL;
    }
    *v = (int) x;
    return 0;
}

static int
parse_num(const char *s, unsigned long min, unsigned long max, unsigned int *v)
{
    unsigned long x;
    char *end;

    errno = 0;
    x = strtoul(s, &end, 0); /* vde_switch's %i: hex and octal too. */
    if (errno || *end || !*s || *s == '-' || x < min || x > max) {
        return EINVAL;
    }
    *v = (unsigned int) x;
    return 0;
}

/* Records "-t NAME" ('tap') or "-a N=URL", checking the URL now so that a
 * typo is reported before anything starts. */
static int
add_attach(struct ls_opts *o, bool tap, const char *arg, char *err,
           size_t err_size)
{
    struct ls_opts_attach *a;
    char msg[256];
    struct ls_url u;
    unsigned long port;
    char *end;

    if (o->n_attach >= LS_OPTS_MAX_ATTACH) {
        snprintf(err, err_size, "too many -a/-t options (at most %d)",
                 LS_OPTS_MAX_ATTACH);
        return EINVAL;
    }
    a = &o->attach[o->n_attach];
    if (tap) {
        if (!ls_url_ifname_valid(arg)) {
            snprintf(err, err_size, "-t %s: invalid interface name", arg);
            return EINVAL;
        }
        a->port = LS_PORT_ANY;
        a->url = arg;
        a->tap = true;
        o->n_attach++;
        return 0;
    }
    errno = 0;
    port = strtoul(arg, &end, 10);
    if (!isdigit((unsigned char) arg[0]) || errno || *end != '=' ||
        port >= LS_PORT_ANY) {
        snprintf(err, err_size,
                 "invalid -a '%s' (expected N=URL, e.g. -a 3=tap://tap0)",
                 arg);
        return EINVAL;
    }
    if (ls_url_parse(end + 1, &u, msg, sizeof msg)) {
        snprintf(err, err_size, "-a %s: %s", arg, msg);
        return EINVAL;
    }
    a->port = (uint32_t) port;
    a->url = end + 1;
    a->tap = false;
    o->n_attach++;
    return 0;
}

/* Parses the command line into '*o' (defaults first).  Returns 0, or
 * EINVAL with a message in 'err'. */
int
ls_opts_parse(int argc, char *argv[], struct ls_opts *o, char *err,
              size_t err_size)
{
    int c;

    memset(o, 0, sizeof *o);
    ls_switch_default_config(&o->cfg);
    o->mode = -1;
    o->dirmode = -1;
    o->mgmt_mode = 0600;
    o->priority = 0x8000;
    o->sock = geteuid() == 0 ? "/var/run/vde.ctl" : "/tmp/vde.ctl";
    optind = 0; /* glibc: full reset, so no state of an earlier parse (a
                 * pointer into its argv) survives. */
    opterr = 0;
    while ((c = getopt_long_only(argc, argv, ":s:M:m:g:n:xFdp:f:D:hvt:a:",
                                 long_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->sock = optarg;
            break;
        case 'M':
            o->mgmt = optarg;
            break;
        case OPT_MGMTMODE:
            if (parse_octal(optarg, &o->mgmt_mode)) {
                snprintf(err, err_size, "invalid --mgmtmode '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_MGMTGROUP:
            o->mgmt_group = optarg;
            break;
        case 'm':
            if (parse_octal(optarg, &o->mode)) {
                snprintf(err, err_size, "invalid mode '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_DIRMODE:
            if (parse_octal(optarg, &o->dirmode)) {
                snprintf(err, err_size, "invalid --dirmode '%s'", optarg);
                return EINVAL;
            }
            break;
        case 'g':
            o->group = optarg;
            break;
        case 'n':
            if (parse_num(optarg, 0, 65535, &o->cfg.numports)) {
                snprintf(err, err_size, "invalid number of ports '%s'",
                         optarg);
                return EINVAL;
            }
            if (!o->cfg.numports) {
                snprintf(err, err_size,
                         "The switch must have at least 1 port");
                return EINVAL;
            }
            break;
        case 'x':
            o->cfg.hub = true;
            break;
        case 'F':
            o->fstp = true;
            break;
        case 'd':
            o->daemon = true;
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case 'f':
            o->rcfile = optarg;
            break;
        case 'D':
            break; /* --debugclients: accepted and ignored, as in stock. */
        case OPT_MACADDR:
            if (ls_parse_mac(optarg, o->cfg.mac)) {
                snprintf(err, err_size, "Invalid MAC Addr %s", optarg);
                return EINVAL;
            }
            o->mac_given = true;
            break;
        case OPT_PRIORITY:
            if (parse_num(optarg, 0, UINT32_MAX, &o->priority)) {
                snprintf(err, err_size, "invalid priority '%s'", optarg);
                return EINVAL;
            }
            o->priority &= 0xffff;
            break;
        case OPT_HASHSIZE:
            if (parse_num(optarg, 1, 1u << 24, &o->cfg.hashsize)) {
                snprintf(err, err_size, "invalid hash size '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_MACMAX:
            if (parse_num(optarg, 1, 1u << 24, &o->cfg.fdb_max)) {
                snprintf(err, err_size, "invalid --macmax '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_EXPIRE:
            if (parse_num(optarg, 1, 10 * 86400, &o->cfg.expire_s)) {
                snprintf(err, err_size, "invalid --expire '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_QUEUE:
            if (parse_num(optarg, 1, 1u << 20, &o->cfg.queue_frames)) {
                snprintf(err, err_size, "invalid --queue '%s'", optarg);
                return EINVAL;
            }
            break;
        case OPT_NOSTDIN:
            o->nostdin = true;
            break;
        case 't':
        case 'a':
            if (add_attach(o, c == 't', optarg, err, err_size)) {
                return EINVAL;
            }
            break;
        case 'h':
            o->help = true;
            return 0;
        case 'v':
            o->version = true;
            return 0;
        case ':':
            snprintf(err, err_size, "option '%s' needs an argument",
                     argv[optind - 1]);
            return EINVAL;
        default:
            if (optopt && optopt < 0x100) {
                snprintf(err, err_size, "unrecognized option '-%c'", optopt);
            } else {
                snprintf(err, err_size, "unrecognized option '%s'",
                         argv[optind - 1]);
            }
            return EINVAL;
        }
    }
    if (optind < argc) {
        snprintf(err, err_size, "unexpected argument '%s'", argv[optind]);
        return EINVAL;
    }
    return 0;
}
