#include "plug/vde.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "plug/plug.h"
#include "plug/vde_req.h"
#include "switch/log.h"
#include "switch/sockfile.h"
#include "switch/switch.h"

/* A connection on the ctl socket: first waiting for its request, then,
 * once attached, watched for EOF (the client went away). */
struct vde_conn {
    struct ls_io ctl_io;
    struct ls_timer timeout; /* Request must come quickly. */
    int ctl_fd;
    int data_fd;
    struct ls_endpoint *ep; /* NULL until attached. */
    bool warned;            /* Logged unexpected control bytes. */
    char path[sizeof((struct sockaddr_un *) 0)->sun_path];
};

static struct {
    struct ls_vde_opts opts;
    char dir[PATH_MAX];
    char ctl_path[PATH_MAX];
    struct ls_io listen_io;
    int listen_fd;
    ino_t ctl_ino;
    bool open;
} vde;

#define VDE_REQUEST_TIMEOUT_MS 5000

static const struct ls_plug_ops vde_ops;

/* Computes the socket and directory modes from the -m and --dirmode
 * options (-1 when not given), as vde_switch does. */
void
ls_vde_modes(int mode, int dirmode, mode_t *modep, mode_t *dirmodep)
{
    if (mode < 0 && dirmode < 0) {
        *modep = 0600;
        *dirmodep = 02700;
    } else if (dirmode < 0) {
        mode_t d = 02000;
        int shift;

        for (shift = 0; shift <= 6; shift += 3) {
            if ((mode >> shift) & 7) {
                d |= (mode_t) (((mode >> shift) & 7) | 1) << shift;
            }
        }
        *modep = (mode_t) mode;
        *dirmodep = d;
    } else if (mode < 0) {
        *modep = (mode_t) dirmode & 0666;
        *dirmodep = (mode_t) dirmode;
    } else {
        *modep = (mode_t) mode;
        *dirmodep = (mode_t) dirmode;
    }
}

/* Returns the absolute switch directory. */
const char *
ls_vde_dir(void)
{
    return vde.dir;
}

/* Returns the mode of the ctl and data sockets. */
mode_t
ls_vde_mode(void)
{
    return vde.opts.mode;
}

/* Stores 'path' in 'sa'.  Returns 0, or ENAMETOOLONG if it does not fit. */
static int
set_sun_path(struct sockaddr_un *sa, const char *path)
{
    size_t len = strlen(path);

    if (len >= sizeof sa->sun_path) {
        return ENAMETOOLONG;
    }
    memcpy(sa->sun_path, path, len + 1);
    return 0;
}

static void
conn_free(struct vde_conn *c)
{
    ls_timer_cancel(&c->timeout);
    ls_io_del(&c->ctl_io);
    if (c->ctl_fd >= 0) {
        close(c->ctl_fd);
    }
    if (c->data_fd >= 0) {
        close(c->data_fd);
    }
    if (c->path[0]) {
        unlink(c->path);
    }
    ls_loop_free_later(c);
}

static void
conn_reject(struct vde_conn *c, const char *why)
{
    LS_WARN("attach request on fd %d refused: %s", c->ctl_fd, why);
    conn_free(c);
}

/* Socket buffers of a data socket: room for a few hundred frames in
 * flight each way, bounded so that many idle clients cannot pin much
 * kernel memory. */
static void
set_bufsize(int fd)
{
    int size = 1024 * 1024;

    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size)) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
}

/* Binds the data socket and sets its owner and mode (vde_switch's rules).
 * Returns 0 or an errno value. */
static int
conn_bind_data(struct vde_conn *c, unsigned int port, int uid, bool port0)
{
    char path[sizeof c->path];
    uid_t owner = (uid_t) -1;
    gid_t group = vde.opts.group;
    mode_t mode = vde.opts.mode;
    int n, error;

    n = snprintf(path, sizeof path, "%s/%03u.%d", vde.dir, port, c->data_fd);
    if (n < 0 || (size_t) n >= sizeof path) {
        return ENAMETOOLONG;
    }
    if (port0) {
        mode = vde.opts.mgmt_mode;
        group = vde.opts.mgmt_group;
    } else if (geteuid() == 0 && uid >= 0) {
        mode &= 0700;
        owner = (uid_t) uid;
    }
    error = ls_sockfile_bind(c->data_fd, path, mode, owner, group);
    if (!error) {
        memcpy(c->path, path, sizeof c->path);
    }
    return error;
}

static void conn_ctl_cb(struct ls_io *, uint32_t);

/* Handles the attach request in 'buf'. */
static void
conn_request(struct vde_conn *c, const uint8_t *buf, size_t len)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    uint8_t reply[LS_VDE_REPLY_SIZE];
    struct ls_vde_req req;
    struct ls_port *port;
    struct stat st;
    char why[256];
    bool created;
    uint32_t want;
    int error;

    error = ls_vde_req_parse(buf, len, &req, why, sizeof why);
    if (error) {
        conn_reject(c, why);
        return;
    }
    if (access(req.path, R_OK | W_OK) || stat(req.path, &st)) {
        snprintf(why, sizeof why, "client socket %s: %s", req.path,
                 strerror(errno));
        conn_reject(c, why);
        return;
    }
    c->data_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->data_fd < 0) {
        snprintf(why, sizeof why, "socket: %s", strerror(errno));
        conn_reject(c, why);
        return;
    }
    set_bufsize(c->data_fd);
    set_sun_path(&sa, req.path); /* The parser checked its length. */
    if (connect(c->data_fd, (struct sockaddr *) &sa, sizeof sa)) {
        snprintf(why, sizeof why, "connect to client socket %s: %s", req.path,
                 strerror(errno));
        conn_reject(c, why);
        return;
    }
    want = (req.type == LS_VDE_NEW_PORT0 ? 0
            : req.port                   ? req.port
                                         : LS_PORT_ANY);
    error = ls_port_select(ls_sw, want, (int) st.st_uid, &port, &created);
    if (error) {
        if (want == LS_PORT_ANY) {
            snprintf(why, sizeof why, "no free port (%s)", strerror(error));
        } else {
            snprintf(why, sizeof why, "port %u: %s", want, strerror(error));
        }
        conn_reject(c, why);
        return;
    }
    error = conn_bind_data(c, port->num, (int) st.st_uid,
                           req.type == LS_VDE_NEW_PORT0);
    if (error) {
        snprintf(why, sizeof why, "data socket for port %u: %s", port->num,
                 strerror(error));
        goto refuse;
    }
    memset(reply, 0, sizeof reply);
    memcpy(reply, &sa.sun_family, sizeof sa.sun_family);
    memcpy(reply + 2, c->path, strlen(c->path));
    if (write(c->ctl_fd, reply, sizeof reply) != (ssize_t) sizeof reply) {
        snprintf(why, sizeof why, "reply: %s", strerror(errno));
        goto refuse;
    }
    error = ls_endpoint_attach(ls_sw, port, &vde_ops, c->data_fd, c->ctl_fd,
                               (int) st.st_uid, req.descr, c, &c->ep);
    if (error) {
        snprintf(why, sizeof why, "attach: %s", strerror(error));
        goto refuse;
    }
    ls_timer_cancel(&c->timeout);
    LS_INFO("port %u: endpoint %d attached (%s)", port->num, c->ctl_fd,
            req.descr);
    return;

refuse:
    if (created) {
        ls_port_remove(ls_sw, port->num); /* Made for this request only. */
    }
    conn_reject(c, why);
}

static void
conn_ctl_cb(struct ls_io *io, uint32_t events)
{
    struct vde_conn *c =
        (struct vde_conn *) ((char *) io - offsetof(struct vde_conn, ctl_io));
    uint8_t buf[LS_VDE_REQ_MAX];
    ssize_t n;

    n = read(c->ctl_fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (!c->ep) {
        if (n <= 0) {
            conn_free(c); /* Closed before asking anything. */
        } else {
            conn_request(c, buf, (size_t) n);
        }
        return;
    }
    if (n <= 0) {
        ls_endpoint_detach(ls_sw, c->ep); /* Calls vde_close(). */
    } else {
        /* Nothing is defined after the reply; vde_switch would parse this
         * as a new request.  Ignore it and keep the endpoint. */
        if (!c->warned) {
            LS_WARN("port %u endpoint %d: unexpected bytes on the control "
                    "connection ignored (said once)",
                    c->ep->port->num, c->ctl_fd);
            c->warned = true;
        }
    }
}

static void
conn_timeout_cb(struct ls_timer *t)
{
    struct vde_conn *c =
        (struct vde_conn *) ((char *) t - offsetof(struct vde_conn, timeout));

    conn_reject(c, "no request within 5 s");
}

static void
listen_cb(struct ls_io *io, uint32_t events)
{
    for (;;) {
        int fd =
            accept4(vde.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct vde_conn *c;

        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                LS_WARN("accept on %s: %m", vde.ctl_path);
            }
            return;
        }
        c = calloc(1, sizeof *c);
        if (!c) {
            LS_ERR("out of memory accepting a client");
            close(fd);
            return;
        }
        c->ctl_fd = fd;
        c->data_fd = -1;
        if (ls_io_add(&c->ctl_io, fd, EPOLLIN, conn_ctl_cb)) {
            close(fd);
            free(c);
            return;
        }
        ls_timer_arm(&c->timeout, VDE_REQUEST_TIMEOUT_MS, conn_timeout_cb);
    }
}

static int
vde_recv_batch(struct ls_endpoint *ep, struct ls_rxframe *frames,
               unsigned int max, unsigned int *n)
{
    struct vde_conn *c = ep->priv;
    struct mmsghdr msgs[LS_BATCH];
    struct iovec iov[LS_BATCH];
    unsigned int i;
    int r;

    *n = 0;
    if (max > LS_BATCH) {
        max = LS_BATCH;
    }
    for (i = 0; i < max; i++) {
        iov[i].iov_base = frames[i].data;
        iov[i].iov_len = LS_FRAME_MAX + 1;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    r = recvmmsg(c->data_fd, msgs, max, MSG_DONTWAIT, NULL);
    if (r < 0) {
        /* ECONNREFUSED: the client's socket is gone; its control
         * connection tells when to close. */
        return (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED)
                   ? 0
                   : errno;
    }
    for (i = 0; i < (unsigned int) r; i++) {
        frames[i].len = msgs[i].msg_len;
        frames[i].flags =
            (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? LS_RX_TRUNCATED : 0;
    }
    *n = (unsigned int) r;
    if ((unsigned int) r < max) {
        ep->rx_empty = true; /* MSG_DONTWAIT: nothing more was queued. */
    }
    return 0;
}

static int
vde_send_batch(struct ls_endpoint *ep, const struct ls_txframe *tx,
               unsigned int n, unsigned int *sent)
{
    struct vde_conn *c = ep->priv;
    struct mmsghdr msgs[LS_BATCH];
    unsigned int i, done = 0;

    for (i = 0; i < n; i++) {
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = (struct iovec *) tx[i].iov;
        msgs[i].msg_hdr.msg_iovlen = tx[i].iovcnt;
    }
    while (done < n) {
        int r = sendmmsg(c->data_fd, msgs + done, n - done,
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            *sent = done;
            return errno == EWOULDBLOCK ? EAGAIN : errno;
        }
        done += (unsigned int) r;
    }
    *sent = done;
    return 0;
}

static void
vde_close(struct ls_endpoint *ep)
{
    struct vde_conn *c = ep->priv;

    LS_INFO("port %u: endpoint %d closed", ep->port->num, c->ctl_fd);
    c->ep = NULL;
    conn_free(c);
}

static const struct ls_plug_ops vde_ops = {
    .module = "unix prog",
    .recv_batch = vde_recv_batch,
    .send_batch = vde_send_batch,
    .close = vde_close,
    .set_carrier = NULL,
};

/* Returns 0 if nothing answers on 'path' (removing a stale socket file),
 * EADDRINUSE if a live switch does. */
static int
check_stale(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, error = 0;

    if (set_sun_path(&sa, path)) {
        return ENAMETOOLONG;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    if (!connect(fd, (struct sockaddr *) &sa, sizeof sa)) {
        error = EADDRINUSE;
    } else if (errno == ECONNREFUSED) {
        unlink(path);
    }
    close(fd);
    return error;
}

/* Gives the switch directory its group and mode through an fd, so that a
 * symlink put in its place is never followed. */
static void
set_dir_perms(const char *dir, const struct ls_vde_opts *opts)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        LS_WARN("%s: %m", dir);
        return;
    }
    if (opts->group != (gid_t) -1 && fchown(fd, (uid_t) -1, opts->group)) {
        LS_WARN("chown %s: %m", dir);
    }
    if (fchmod(fd, opts->dirmode)) {
        LS_WARN("chmod %s: %m", dir);
    }
    close(fd);
}

/* Creates the switch directory and its ctl socket as 'opts' say, and
 * starts accepting clients.  Returns 0 or an errno value (logged). */
int
ls_vde_open(const struct ls_vde_opts *opts)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int error;

    vde.opts = *opts;
    vde.listen_fd = -1;
    if (mkdir(opts->dir, 0777) && errno != EEXIST) {
        error = errno;
        LS_ERR("could not create the switch directory %s: %s", opts->dir,
               strerror(error));
        return error;
    }
    if (!realpath(opts->dir, vde.dir)) {
        error = errno;
        LS_ERR("%s: %s", opts->dir, strerror(error));
        return error;
    }
    set_dir_perms(vde.dir, opts);
    if (strlen(vde.dir) + sizeof "/1234.12345" > sizeof sa.sun_path) {
        LS_ERR("switch directory path %s is too long for a socket", vde.dir);
        return ENAMETOOLONG;
    }
    if ((size_t) snprintf(vde.ctl_path, sizeof vde.ctl_path, "%s/ctl",
                          vde.dir) >= sizeof vde.ctl_path) {
        return ENAMETOOLONG;
    }
    set_sun_path(&sa, vde.ctl_path); /* Length checked above. */
    error = check_stale(vde.ctl_path);
    if (error) {
        LS_ERR("Could not bind to socket '%s': %s", vde.ctl_path,
               strerror(error));
        return error;
    }
    vde.listen_fd =
        socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    error = vde.listen_fd < 0
                ? errno
                : ls_sockfile_bind(vde.listen_fd, vde.ctl_path, opts->mode,
                                   (uid_t) -1, opts->group);
    if (!error && listen(vde.listen_fd, 128)) {
        error = errno;
    }
    if (error) {
        LS_ERR("Could not bind to socket '%s': %s", vde.ctl_path,
               strerror(error));
        if (vde.listen_fd >= 0) {
            close(vde.listen_fd);
        }
        return error;
    }
    if (!stat(vde.ctl_path, &st)) {
        vde.ctl_ino = st.st_ino;
    }
    error = ls_io_add(&vde.listen_io, vde.listen_fd, EPOLLIN, listen_cb);
    if (error) {
        return error;
    }
    vde.open = true;
    return 0;
}

/* Stops accepting clients and removes the ctl socket and the directory,
 * unless another switch took the ctl path over meanwhile.  Endpoints must
 * be closed first (ls_switch_close_all()). */
void
ls_vde_close(void)
{
    struct stat st;

    if (!vde.open) {
        return;
    }
    ls_io_del(&vde.listen_io);
    close(vde.listen_fd);
    vde.open = false;
    if (stat(vde.ctl_path, &st) || st.st_ino != vde.ctl_ino) {
        LS_WARN("%s is not ours any more: not removing it", vde.ctl_path);
        return;
    }
    unlink(vde.ctl_path);
    if (rmdir(vde.dir)) {
        LS_WARN("could not remove the switch directory %s: %m", vde.dir);
    }
}
