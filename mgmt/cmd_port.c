/* Console commands of the port/ menu. */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/cmd.h"
#include "switch/switch.h"

static int
cmd_port_showinfo(struct ls_cmd_ctx *ctx, const char *arg)
{
    ls_buf_printf(ctx->out, "Numports=%u\n", ls_sw->cfg.numports);
    ls_buf_printf(ctx->out, "HUB=%s\n", ls_sw->cfg.hub ? "true" : "false");
    ls_buf_printf(ctx->out, "counters=true\n");
    return 0;
}

static int
cmd_port_setnumports(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int n;

    if (ls_args_uints(arg, 1, &n) || !n || n > 65535) {
        return EINVAL; /* The same bound as -n. */
    }
    return ls_port_set_numports(ls_sw, n);
}

static int
cmd_port_sethub(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;

    if (ls_args_uints(arg, 1, &v)) {
        return EINVAL;
    }
    ls_sw->cfg.hub = v != 0; /* Any non-zero value, as vde_switch. */
    return 0;
}

static int
cmd_port_setvlan(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v[2];

    if (ls_args_uints(arg, 2, v)) {
        return EINVAL;
    }
    return ls_port_set_vlan(ls_sw, v[0], v[1]);
}

static int
cmd_port_createauto(struct ls_cmd_ctx *ctx, const char *arg)
{
    struct ls_port *p;
    int error = ls_port_create_auto(ls_sw, &p);

    if (!error) {
        ls_buf_printf(ctx->out, "Port %04u\n", p->num);
    }
    return error;
}

static int
cmd_port_create(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int n;

    if (ls_args_uints(arg, 1, &n)) {
        return EINVAL;
    }
    return ls_port_create(ls_sw, n, true, NULL);
}

static int
cmd_port_remove(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int n;

    if (ls_args_uints(arg, 1, &n)) {
        return EINVAL;
    }
    return ls_port_remove(ls_sw, n);
}

/* Returns the allocated port named by 'num' (EINVAL out of range, ENXIO if
 * not allocated). */
static int
get_port(unsigned int num, struct ls_port **pp)
{
    if (num >= ls_sw->cfg.numports) {
        return EINVAL;
    }
    *pp = ls_sw->ports[num];
    return *pp ? 0 : ENXIO;
}

static int
cmd_port_allocatable(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v[2];
    struct ls_port *p;
    int error;

    if (ls_args_uints(arg, 2, v)) {
        return EINVAL;
    }
    error = get_port(v[0], &p);
    if (!error) {
        p->notinpool = !v[1]; /* Any non-zero value, as vde_switch. */
    }
    return error;
}

/* Parses a user or group for the ACL: a name, a number, or NONE/ANY. */
static int
parse_id(const char *s, bool group, int *id)
{
    unsigned int n;

    if (!strcmp(s, "NONE") || !strcmp(s, "ANY")) {
        *id = LS_ID_NONE;
        return 0;
    }
    if (!ls_parse_uint(s, INT32_MAX, &n)) {
        *id = (int) n;
        return 0;
    }
    if (group) {
        struct group *gr = getgrnam(s);

        if (gr) {
            *id = (int) gr->gr_gid;
            return 0;
        }
    } else {
        struct passwd *pw = getpwnam(s);

        if (pw) {
            *id = (int) pw->pw_uid;
            return 0;
        }
    }
    return EINVAL;
}

static int
set_acl(const char *arg, bool group)
{
    char store[256], *argv[2];
    struct ls_port *p;
    unsigned int num;
    int id, error;

    if (ls_args_split(arg, argv, 2, store, sizeof store) != 2 ||
        ls_parse_uint(argv[0], UINT32_MAX - 1, &num) ||
        parse_id(argv[1], group, &id)) {
        return EINVAL;
    }
    error = get_port(num, &p);
    if (!error) {
        if (group) {
            p->acl_group = id;
        } else {
            p->acl_user = id;
        }
    }
    return error;
}

static int
cmd_port_setuser(struct ls_cmd_ctx *ctx, const char *arg)
{
    return set_acl(arg, false);
}

static int
cmd_port_setgroup(struct ls_cmd_ctx *ctx, const char *arg)
{
    return set_acl(arg, true);
}

static int
cmd_port_epclose(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v[2];
    struct ls_endpoint *ep;
    struct ls_port *p;
    int error;

    if (ls_args_uints(arg, 2, v)) {
        return EINVAL;
    }
    error = get_port(v[0], &p);
    if (error) {
        return error == EINVAL ? EINVAL : ENXIO;
    }
    ep = ls_endpoint_find(p, (int) v[1]);
    if (!ep) {
        return ENXIO;
    }
    ls_endpoint_detach(ls_sw, ep);
    return 0;
}

static int
cmd_port_resetcounter(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int n, i;
    struct ls_port *p;
    int error;

    if (!*arg) {
        for (i = 0; i < ls_sw->cfg.numports; i++) {
            if (ls_sw->ports[i]) {
                ls_port_reset_counters(ls_sw->ports[i]);
            }
        }
        return 0;
    }
    if (ls_args_uints(arg, 1, &n)) {
        return EINVAL;
    }
    error = get_port(n, &p);
    if (!error) {
        ls_port_reset_counters(p);
    }
    /* A port that does not exist has nothing to reset: vde_switch says
     * success. */
    return error == ENXIO ? 0 : error;
}

static void
format_id(char *buf, size_t size, int id, bool group)
{
    if (id == LS_ID_NONE) {
        snprintf(buf, size, "NONE");
    } else if (group) {
        struct group *gr = getgrgid((gid_t) id);

        snprintf(buf, size, "%s", gr ? gr->gr_name : "");
        if (!gr) {
            snprintf(buf, size, "%d", id);
        }
    } else {
        struct passwd *pw = getpwuid((uid_t) id);

        if (pw) {
            snprintf(buf, size, "%s", pw->pw_name);
        } else {
            snprintf(buf, size, "%d", id);
        }
    }
}

/* Prints port 'p' in vde_switch's format, then linkswitch's own lines
 * (link state, drops) so that stock parsers keep working. */
static void
print_port(struct ls_buf *out, const struct ls_port *p)
{
    const struct ls_endpoint *ep;
    char cur[64], user[64], group[64];
    int d;

    format_id(cur, sizeof cur, p->cur_user, false);
    format_id(user, sizeof user, p->acl_user, false);
    format_id(group, sizeof group, p->acl_group, true);
    ls_buf_printf(out,
                  "Port %04u untagged_vlan=%04u %sACTIVE - %sUnnamed "
                  "Allocatable\n",
                  p->num, p->vlan, p->n_eps ? "" : "IN",
                  p->notinpool ? "NOT " : "");
    ls_buf_printf(out,
                  " Current User: %s Access Control: (User: %s - "
                  "Group: %s)\n",
                  cur, user, group);
    ls_buf_printf(out, " IN:  pkts %10llu          bytes %20llu\n",
                  (unsigned long long) p->stats.in_pkts,
                  (unsigned long long) p->stats.in_bytes);
    ls_buf_printf(out, " OUT: pkts %10llu          bytes %20llu\n",
                  (unsigned long long) p->stats.out_pkts,
                  (unsigned long long) p->stats.out_bytes);
    for (ep = p->eps; ep; ep = ep->next) {
        ls_buf_printf(out, "  -- endpoint ID %04d module %-12s: %s\n", ep->id,
                      ep->ops->module,
                      ep->descr[0] ? ep->descr : "no endpoint description");
    }
    ls_buf_printf(out, " LINK: %s (admin %s, carrier %s)\n",
                  ls_port_link_up(p) ? "up" : "down",
                  p->admin_up ? "up" : "down", p->carrier_up ? "up" : "down");
    ls_buf_printf(out, " DROPS:");
    for (d = 0; d < LS_DROP_N; d++) {
        ls_buf_printf(out, " %s %llu", ls_drop_name(d),
                      (unsigned long long) p->stats.drops[d]);
    }
    ls_buf_printf(out, "\n");
}

static int
port_print(struct ls_cmd_ctx *ctx, const char *arg, bool all)
{
    unsigned int n, i;
    struct ls_port *p;

    if (*arg) {
        if (ls_args_uints(arg, 1, &n) || n >= ls_sw->cfg.numports) {
            return EINVAL;
        }
        p = ls_sw->ports[n];
        if (!p || (!all && !p->n_eps)) {
            return ENXIO;
        }
        print_port(ctx->out, p);
        return 0;
    }
    for (i = 0; i < ls_sw->cfg.numports; i++) {
        p = ls_sw->ports[i];
        if (p && (all || p->n_eps)) {
            print_port(ctx->out, p);
        }
    }
    return 0;
}

static int
cmd_port_print(struct ls_cmd_ctx *ctx, const char *arg)
{
    return port_print(ctx, arg, false);
}

static int
cmd_port_allprint(struct ls_cmd_ctx *ctx, const char *arg)
{
    return port_print(ctx, arg, true);
}

static int
cmd_port_setlink(struct ls_cmd_ctx *ctx, const char *arg)
{
    char store[64], *argv[2];
    unsigned int num;
    bool up;

    if (ls_args_split(arg, argv, 2, store, sizeof store) != 2 ||
        ls_parse_uint(argv[0], UINT32_MAX - 1, &num)) {
        return EINVAL;
    }
    if (!strcmp(argv[1], "up") || !strcmp(argv[1], "1")) {
        up = true;
    } else if (!strcmp(argv[1], "down") || !strcmp(argv[1], "0")) {
        up = false;
    } else {
        return EINVAL;
    }
    return ls_port_set_admin(ls_sw, num, up);
}

static const struct ls_cmd port_cmds[] = {
    {"port", "", "PORT STATUS MENU", LS_CMD_MENU, NULL},
    {"port/showinfo", "", "show port info", LS_CMD_DATA, cmd_port_showinfo},
    {"port/setnumports", "N", "set the number of ports", 0,
     cmd_port_setnumports},
    {"port/sethub", "0/1", "1=HUB 0=switch", 0, cmd_port_sethub},
    {"port/setvlan", "N VLAN", "set port VLAN (untagged)", 0,
     cmd_port_setvlan},
    {"port/createauto", "",
     "create a port with an automatically allocated id "
     "(inactive|notallocatable)",
     LS_CMD_DATA, cmd_port_createauto},
    {"port/create", "N", "create the port N (inactive|notallocatable)", 0,
     cmd_port_create},
    {"port/remove", "N", "remove the port N", 0, cmd_port_remove},
    {"port/allocatable", "N 0/1",
     "Is the port allocatable as unnamed? 1=Y 0=N", 0, cmd_port_allocatable},
    {"port/setuser", "N user", "access control: set user", 0,
     cmd_port_setuser},
    {"port/setgroup", "N user", "access control: set group", 0,
     cmd_port_setgroup},
    {"port/epclose", "N ID", "remove the endpoint port N/id ID", 0,
     cmd_port_epclose},
    {"port/resetcounter", "[N]", "reset the port (N) counters", 0,
     cmd_port_resetcounter},
    {"port/print", "[N]", "print the port/endpoint table", LS_CMD_DATA,
     cmd_port_print},
    {"port/allprint", "[N]",
     "print the port/endpoint table (including inactive port)", LS_CMD_DATA,
     cmd_port_allprint},
    {"port/setlink", "N up|down",
     "connect (up) or disconnect (down) the port's cable", 0,
     cmd_port_setlink},
};

/* Registers the port/ menu. */
void
ls_cmds_port_register(void)
{
    ls_cmd_register(port_cmds, sizeof port_cmds / sizeof *port_cmds);
}
