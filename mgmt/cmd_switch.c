/* Console commands about the switch as a whole: ds, help, logout,
 * shutdown, showinfo, load, debug/ and hash/. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/cmd.h"
#include "mgmt/console.h"
#include "plug/vde.h"
#include "switch/clock.h"
#include "switch/event.h"
#include "switch/log.h"
#include "switch/switch.h"

static int
cmd_ds_showinfo(struct ls_cmd_ctx *ctx, const char *arg)
{
    ls_buf_printf(ctx->out, "ctl dir %s\n", ls_vde_dir());
    ls_buf_printf(ctx->out, "std mode 0%03o\n", ls_vde_mode());
    return 0;
}

static int
cmd_help(struct ls_cmd_ctx *ctx, const char *arg)
{
    ls_cmd_help(ctx->out, arg);
    return 0;
}

static int
cmd_logout(struct ls_cmd_ctx *ctx, const char *arg)
{
    return LS_CMD_LOGOUT;
}

static int
cmd_shutdown(struct ls_cmd_ctx *ctx, const char *arg)
{
    return LS_CMD_SHUTDOWN;
}

static int
cmd_showinfo(struct ls_cmd_ctx *ctx, const char *arg)
{
    const uint8_t *m = ls_sw->cfg.mac;
    const char *mgmt = ls_console_mgmt_path();

    ls_buf_printf(ctx->out, "%s\n%s\n\n", LS_BANNER_1, LS_BANNER_2);
    ls_buf_printf(ctx->out,
                  "pid %d MAC %02x:%02x:%02x:%02x:%02x:%02x uptime %d\n",
                  (int) getpid(), m[0], m[1], m[2], m[3], m[4], m[5],
                  (int) ((ls_clock_ms() - ls_sw->start_ms) / 1000));
    if (mgmt) {
        ls_buf_printf(ctx->out, "mgmt %s perm 0%03o\n", mgmt,
                      ls_console_mgmt_mode());
    }
    return 0;
}

static int
cmd_load(struct ls_cmd_ctx *ctx, const char *arg)
{
    int line_error;

    if (!*arg) {
        return EINVAL;
    }
    /* As in vde_switch, failing lines show their own result lines; the
     * load itself fails only if the file cannot be read. */
    return ls_console_run_file(arg, ctx->session, ctx->out, ctx->depth, false,
                               &line_error);
}

/* debug/: event subscriptions of this session. */
static int
cmd_debug_list(struct ls_cmd_ctx *ctx, const char *arg)
{
    int c, found = 0;

    ls_buf_printf(ctx->out, "%-22s %-3s %-6s %s\n", "CATEGORY", "TAG",
                  "STATUS", "HELP");
    ls_buf_printf(ctx->out, "%-22s %-3s %-6s %s\n", "------------", "---",
                  "------", "----");
    for (c = 0; c < LS_EV_N; c++) {
        const struct ls_event_info *e = ls_event_info(c);

        if (*arg && strncmp(e->path, arg, strlen(arg))) {
            continue;
        }
        found++;
        ls_buf_printf(ctx->out, "%-22s %03o %-6s %s\n", e->path, e->tag,
                      ls_session_subscribed(ctx->session, c) ? "ON" : "OFF",
                      e->help);
    }
    return found ? 0 : ENOENT;
}

static int
debug_set(struct ls_cmd_ctx *ctx, const char *arg, bool on)
{
    int c, matched = 0, changed = 0;

    if (!*arg) {
        return EINVAL;
    }
    for (c = 0; c < LS_EV_N; c++) {
        if (!strncmp(ls_event_info(c)->path, arg, strlen(arg))) {
            matched++;
            if (!ls_session_subscribe(ctx->session, c, on)) {
                changed++;
            }
        }
    }
    if (!matched) {
        return on ? EINVAL : ENOENT;
    }
    return changed ? 0 : (on ? EEXIST : ENOENT);
}

static int
cmd_debug_add(struct ls_cmd_ctx *ctx, const char *arg)
{
    return debug_set(ctx, arg, true);
}

static int
cmd_debug_del(struct ls_cmd_ctx *ctx, const char *arg)
{
    return debug_set(ctx, arg, false);
}

/* hash/: the MAC table. */
static int
cmd_hash_showinfo(struct ls_cmd_ctx *ctx, const char *arg)
{
    struct ls_fdb_params p;

    ls_fdb_get_params(ls_sw->fdb, &p);
    ls_buf_printf(ctx->out, "Hash size %u\n", p.hashsize);
    ls_buf_printf(ctx->out, "GC interval %u secs\n", ls_sw->cfg.gcint_s);
    ls_buf_printf(ctx->out, "GC expire %u secs\n",
                  (unsigned int) (p.expire_ms / 1000));
    ls_buf_printf(ctx->out, "Min persistence %u secs\n",
                  (unsigned int) (p.min_persist_ms / 1000));
    ls_buf_printf(ctx->out, "Entries %u max %u\n", ls_fdb_count(ls_sw->fdb),
                  p.max_entries);
    return 0;
}

static int
parse_one_uint(const char *arg, unsigned int max, unsigned int *v)
{
    char store[64], *argv[1];

    if (ls_args_split(arg, argv, 1, store, sizeof store) != 1) {
        return EINVAL;
    }
    return ls_parse_uint(argv[0], max, v);
}

static int
cmd_hash_setsize(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;
    int error = parse_one_uint(arg, 1u << 24, &v);

    if (error || !v) {
        return EINVAL;
    }
    if (ls_fdb_round_pow2(v) != v) {
        LS_WARN("hash size %u rounded up to %u", v, ls_fdb_round_pow2(v));
    }
    error = ls_fdb_resize(ls_sw->fdb, v);
    if (!error) {
        ls_sw->cfg.hashsize = ls_fdb_round_pow2(v);
    }
    return error;
}

static int
cmd_hash_setgcint(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;
    int error = parse_one_uint(arg, 86400, &v);

    if (!error) {
        ls_sw->cfg.gcint_s = v;
    }
    return error;
}

static int
cmd_hash_setexpire(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;
    int error = parse_one_uint(arg, 10 * 86400, &v);

    if (!error) {
        ls_sw->cfg.expire_s = v;
        ls_fdb_set_expire(ls_sw->fdb, (uint64_t) v * 1000);
    }
    return error;
}

static int
cmd_hash_setminper(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;
    int error = parse_one_uint(arg, 86400, &v);

    if (!error) {
        ls_sw->cfg.minper_s = v;
        ls_fdb_set_min_persist(ls_sw->fdb, (uint64_t) v * 1000);
    }
    return error;
}

static void
print_entry(struct ls_buf *out, unsigned int bucket,
            const struct ls_fdb_entry *e, uint64_t now)
{
    ls_buf_printf(out,
                  "Hash: %04u Addr: %02x:%02x:%02x:%02x:%02x:%02x VLAN %04u "
                  "to port: %03u  age %llu secs\n",
                  bucket, e->mac[0], e->mac[1], e->mac[2], e->mac[3],
                  e->mac[4], e->mac[5], e->vlan, e->port,
                  (unsigned long long) ((now - e->seen_ms) / 1000));
}

struct hash_print_aux {
    struct ls_buf *out;
    uint64_t now;
};

static void
hash_print_one(void *aux_, unsigned int bucket, const struct ls_fdb_entry *e)
{
    struct hash_print_aux *aux = aux_;
    struct ls_fdb_params p;

    ls_fdb_get_params(ls_sw->fdb, &p);
    if (aux->now - e->seen_ms <= p.expire_ms) {
        print_entry(aux->out, bucket, e, aux->now);
    }
}

static int
cmd_hash_print(struct ls_cmd_ctx *ctx, const char *arg)
{
    struct hash_print_aux aux = {ctx->out, ls_clock_ms()};

    ls_fdb_foreach(ls_sw->fdb, hash_print_one, &aux);
    return 0;
}

static int
cmd_hash_find(struct ls_cmd_ctx *ctx, const char *arg)
{
    char store[128], *argv[2];
    const struct ls_fdb_entry *e;
    unsigned char mac[6];
    unsigned int vlan = 0;
    uint64_t now = ls_clock_ms();
    int n = ls_args_split(arg, argv, 2, store, sizeof store);

    if (n < 1 || ls_parse_mac(argv[0], mac) ||
        (n == 2 && ls_parse_uint(argv[1], LS_VLAN_MAX, &vlan))) {
        return EINVAL;
    }
    e = ls_fdb_find(ls_sw->fdb, mac, (uint16_t) vlan, now);
    if (!e) {
        return ENODEV;
    }
    print_entry(ctx->out, ls_fdb_bucket(ls_sw->fdb, mac, (uint16_t) vlan), e,
                now);
    return 0;
}

static const struct ls_cmd switch_cmds[] = {
    {"ds", "", "DATA SOCKET MENU", LS_CMD_MENU, NULL},
    {"ds/showinfo", "", "show ds info", LS_CMD_DATA, cmd_ds_showinfo},
    {"help", "[arg]", "Help (limited to arg when specified)", LS_CMD_DATA,
     cmd_help},
    {"logout", "", "logout from this mgmt terminal", 0, cmd_logout},
    {"shutdown", "", "shutdown of the switch", 0, cmd_shutdown},
    {"showinfo", "", "show switch version and info", LS_CMD_DATA,
     cmd_showinfo},
    {"load", "path", "load a configuration script", 0, cmd_load},
    {"debug", "", "DEBUG MENU", LS_CMD_MENU, NULL},
    {"debug/list", "", "list debug categories", LS_CMD_DATA | LS_CMD_SESSION,
     cmd_debug_list},
    {"debug/add", "dbgpath", "enable debug info for a given category",
     LS_CMD_SESSION, cmd_debug_add},
    {"debug/del", "dbgpath", "disable debug info for a given category",
     LS_CMD_SESSION, cmd_debug_del},
    {"hash", "", "HASH TABLE MENU", LS_CMD_MENU, NULL},
    {"hash/showinfo", "", "show hash info", LS_CMD_DATA, cmd_hash_showinfo},
    {"hash/setsize", "N", "change hash size", 0, cmd_hash_setsize},
    {"hash/setgcint", "N", "change garbage collector interval", 0,
     cmd_hash_setgcint},
    {"hash/setexpire", "N", "change hash entries expire time", 0,
     cmd_hash_setexpire},
    {"hash/setminper", "N", "minimum persistence time", 0, cmd_hash_setminper},
    {"hash/print", "", "print the hash table", LS_CMD_DATA, cmd_hash_print},
    {"hash/find", "MAC [VLAN]", "MAC lookup", LS_CMD_DATA, cmd_hash_find},
};

/* Registers ds/, help, logout, shutdown, showinfo, load, debug/, hash/. */
void
ls_cmds_switch_register(void)
{
    ls_cmd_register(switch_cmds, sizeof switch_cmds / sizeof *switch_cmds);
}
