/* linkswitch: the daemon.  Parses the vde_switch command line, creates the
 * switch, its directory and consoles, and runs the event loop. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mgmt/cmd.h"
#include "mgmt/console.h"
#include "plug/attach.h"
#include "plug/url.h"
#include "plug/vde.h"
#include "switch/forward.h"
#include "switch/log.h"
#include "switch/loop.h"
#include "switch/opts.h"
#include "switch/switch.h"
#include "watch/link.h"

static struct ls_io signal_io;
static int signal_fd = -1;
static int exit_signal;
static char pidfile_path[PATH_MAX];

static void
signal_cb(struct ls_io *io, uint32_t events)
{
    struct signalfd_siginfo si;

    while (read(signal_fd, &si, sizeof si) == (ssize_t) sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            LS_INFO("SIGHUP ignored");
            continue;
        }
        LS_INFO("caught signal %d, cleaning up and exiting", si.ssi_signo);
        exit_signal = (int) si.ssi_signo;
        ls_loop_stop(0);
    }
}

static int
setup_signals(void)
{
    sigset_t set;

    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL)) {
        return errno;
    }
    signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) {
        return errno;
    }
    return ls_io_add(&signal_io, signal_fd, EPOLLIN, signal_cb);
}

static int
lookup_group(const char *name, gid_t *gid)
{
    struct group *gr;
    char *end;
    unsigned long v;

    *gid = (gid_t) -1;
    if (!name) {
        return 0;
    }
    gr = getgrnam(name);
    if (gr) {
        *gid = gr->gr_gid;
        return 0;
    }
    v = strtoul(name, &end, 10);
    if (*name && !*end) {
        *gid = (gid_t) v;
        return 0;
    }
    fprintf(stderr, "linkswitch: No such group '%s'\n", name);
    return ENOENT;
}

static int
write_pidfile(const char *path)
{
    char buf[32];
    int fd, n;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        LS_ERR("Error in pidfile creation: %s", strerror(errno));
        return errno;
    }
    n = snprintf(buf, sizeof buf, "%d\n", (int) getpid());
    if (write(fd, buf, (size_t) n) != n) {
        close(fd);
        return EIO;
    }
    close(fd);
    snprintf(pidfile_path, sizeof pidfile_path, "%s", path);
    return 0;
}

/* Makes 'path' absolute against the start directory, so that -d (which
 * changes to /) does not move relative paths. */
static const char *
absolute(const char *path, char *buf, size_t size)
{
    char cwd[PATH_MAX];

    if (!path || path[0] == '/' || !getcwd(cwd, sizeof cwd)) {
        return path;
    }
    if ((size_t) snprintf(buf, size, "%s/%s", cwd, path) >= size) {
        return path;
    }
    return buf;
}

static int
run_rcfile(const struct ls_opts *o)
{
    char path[PATH_MAX];
    const char *home = getenv("HOME");
    int error, line_error;

    if (o->rcfile) {
        snprintf(path, sizeof path, "%s", o->rcfile);
    } else {
        snprintf(path, sizeof path, "%s/.vde2/vde_switch.rc",
                 home ? home : "/");
        if (access(path, R_OK)) {
            snprintf(path, sizeof path, "/etc/vde2/vde_switch.rc");
            if (access(path, R_OK)) {
                return 0;
            }
        }
    }
    error = ls_console_run_file(path, NULL, NULL, 0, true, &line_error);
    if (error) {
        LS_ERR("rc file %s: %s", path, strerror(error));
        return error;
    }
    return line_error; /* Logged as PATH:LINE. */
}

/* Attaches the ports of -t and -a, in command-line order. */
static int
attach_ports(const struct ls_opts *o)
{
    char url[LS_URL_MAX + 8], err[512];
    unsigned int i, port;
    int error;

    for (i = 0; i < o->n_attach; i++) {
        const struct ls_opts_attach *a = &o->attach[i];

        snprintf(url, sizeof url, "%s%s", a->tap ? "tap://" : "", a->url);
        error = ls_plug_attach(ls_sw, a->port, url, &port, err, sizeof err);
        if (error) {
            if (a->tap) {
                LS_ERR("-t %s: %s", a->url, err);
            } else {
                LS_ERR("-a %u=%s: %s", a->port, a->url, err);
            }
            return error;
        }
    }
    return 0;
}

static void
random_mac(uint8_t mac[6])
{
    if (getrandom(mac + 2, 4, 0) != 4) {
        unsigned int r = (unsigned int) getpid() * 2654435761u;

        memcpy(mac + 2, &r, 4);
    }
    mac[0] = 0x00;
    mac[1] = 0xff;
}

int
main(int argc, char *argv[])
{
    char mgmt_abs[PATH_MAX], pid_abs[PATH_MAX], rc_abs[PATH_MAX];
    struct ls_console_opts copts;
    struct ls_vde_opts vopts;
    struct ls_switch *sw;
    struct ls_opts o;
    sigset_t set;
    char err[256];
    int error, status;

    error = ls_opts_parse(argc, argv, &o, err, sizeof err);
    if (error) {
        fprintf(stderr, "linkswitch: %s\n", err);
        fprintf(stderr, "Try 'linkswitch --help'.\n");
        return 1;
    }
    if (o.help) {
        ls_opts_usage("linkswitch");
        return 1;
    }
    if (o.version) {
        printf("linkswitch %s (VDE switch compatible, V.2.3.2)\n", LS_VERSION);
        return 0;
    }
    ls_log_open("linkswitch", false);
    if (o.fstp) {
        LS_WARN("-F/--fstp: spanning tree is not supported; ignored");
    }
    if (!o.mac_given) {
        random_mac(o.cfg.mac);
    }
    memset(&vopts, 0, sizeof vopts);
    vopts.dir = o.sock;
    ls_vde_modes(o.mode, o.dirmode, &vopts.mode, &vopts.dirmode);
    vopts.mgmt_mode = (mode_t) o.mgmt_mode;
    if (lookup_group(o.group, &vopts.group) ||
        lookup_group(o.mgmt_group, &vopts.mgmt_group)) {
        return 1;
    }
    o.mgmt = absolute(o.mgmt, mgmt_abs, sizeof mgmt_abs);
    o.pidfile = absolute(o.pidfile, pid_abs, sizeof pid_abs);
    o.rcfile = absolute(o.rcfile, rc_abs, sizeof rc_abs);

    error = ls_loop_init();
    ls_loop_set_work(ls_forward_run);
    if (!error) {
        error = setup_signals();
    }
    if (!error) {
        error = ls_switch_create(&o.cfg, &sw);
    }
    if (error) {
        fprintf(stderr, "linkswitch: %s\n", strerror(error));
        return 1;
    }
    /* The order is the order of 'help' and of prefix matching: vde_switch's
     * menus first, as it lists them, with linkswitch's port commands in the
     * port menu.  Menus of later features (link/, seesaw/, nat/) register
     * after vlan/. */
    ls_cmds_switch_register();
    ls_cmds_port_register();
    ls_cmds_attach_register();
    ls_cmds_vlan_register();

    error = ls_vde_open(&vopts);
    if (error) {
        return error == EADDRINUSE ? 255 : 1;
    }
    if (attach_ports(&o)) {
        ls_switch_close_all(sw);
        ls_link_watch_stop();
        ls_vde_close();
        return 1;
    }
    if (o.daemon) {
        if (daemon(0, 0)) {
            LS_ERR("daemon: %m");
            ls_vde_close();
            return 1;
        }
        ls_log_open("linkswitch", true);
    }
    status = 0;
    if (o.pidfile && write_pidfile(o.pidfile)) {
        status = 1;
    }
    copts.mgmt_path = o.mgmt;
    copts.mgmt_mode = (mode_t) o.mgmt_mode;
    copts.mgmt_group = vopts.mgmt_group;
    copts.use_stdin = !o.daemon && !o.nostdin;
    if (!status && ls_console_init(&copts)) {
        status = 1;
    }
    if (!status && run_rcfile(&o)) {
        status = 1;
    }
    if (!status) {
        status = ls_loop_run();
    }
    ls_switch_close_all(sw);
    ls_link_watch_stop();
    ls_vde_close();
    ls_console_fini();
    if (pidfile_path[0]) {
        unlink(pidfile_path);
    }
    ls_switch_destroy(sw);
    ls_loop_fini();
    if (exit_signal == SIGINT) {
        /* Like vde_switch: clean up, then die of the signal. */
        signal(SIGINT, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(SIGINT);
    }
    return status;
}
