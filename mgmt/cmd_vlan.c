/* Console commands of the vlan/ menu. */

#include <errno.h>
#include <stdio.h>

#include "mgmt/cmd.h"
#include "switch/switch.h"

static int
cmd_vlan_create(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;

    if (ls_args_uints(arg, 1, &v)) {
        return EINVAL;
    }
    return ls_vlan_create(ls_sw->vlans, v);
}

static int
cmd_vlan_remove(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v;
    int error;

    if (ls_args_uints(arg, 1, &v)) {
        return EINVAL;
    }
    error = ls_vlan_remove(ls_sw->vlans, v);
    if (!error) {
        ls_fdb_flush_vlan(ls_sw->fdb, (uint16_t) v);
    }
    return error;
}

static int
vlan_port_args(const char *arg, unsigned int *v, struct ls_port **pp)
{
    if (ls_args_uints(arg, 2, v) || v[0] > 4094 ||
        v[1] >= ls_sw->cfg.numports) {
        return EINVAL;
    }
    if (!ls_vlan_exists(ls_sw->vlans, v[0])) {
        return ENXIO;
    }
    *pp = ls_sw->ports[v[1]];
    return *pp ? 0 : ENXIO;
}

static int
cmd_vlan_addport(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v[2];
    struct ls_port *p;
    int error = vlan_port_args(arg, v, &p);

    if (error) {
        return error;
    }
    if (p->vlan == v[0] || ls_vlan_is_member(ls_sw->vlans, v[0], v[1])) {
        return 0; /* Already a member: a no-op, as in vde_switch. */
    }
    return ls_vlan_set_member(ls_sw->vlans, v[0], v[1], true, true);
}

static int
cmd_vlan_delport(struct ls_cmd_ctx *ctx, const char *arg)
{
    unsigned int v[2];
    struct ls_port *p;
    int error = vlan_port_args(arg, v, &p);

    if (error) {
        return error;
    }
    if (p->vlan == v[0]) {
        return EADDRINUSE;
    }
    if (!ls_vlan_is_member(ls_sw->vlans, v[0], v[1])) {
        return 0; /* Not a member: a no-op, as in vde_switch. */
    }
    ls_vlan_set_member(ls_sw->vlans, v[0], v[1], false, false);
    ls_fdb_flush_port(ls_sw->fdb, v[1]);
    return 0;
}

static void
print_vlan(struct ls_buf *out, unsigned int vlan, bool all)
{
    unsigned int i;

    ls_buf_printf(out, "VLAN %04u\n", vlan);
    for (i = 0; i < ls_sw->cfg.numports; i++) {
        struct ls_port *p = ls_sw->ports[i];
        bool active;

        if (!p || !ls_vlan_is_member(ls_sw->vlans, vlan, i)) {
            continue;
        }
        active = p->n_eps > 0;
        if (!active && !all) {
            continue;
        }
        ls_buf_printf(out, " -- Port %04u tagged=%d active=%d status=%s\n", i,
                      ls_vlan_is_tagged(ls_sw->vlans, vlan, i), active,
                      active && ls_port_link_up(p) ? "Forwarding"
                      : active                     ? "Discarding"
                                                   : "Learning");
    }
}

static int
vlan_print(struct ls_cmd_ctx *ctx, const char *arg, bool all)
{
    unsigned int v;

    if (*arg) {
        if (ls_args_uints(arg, 1, &v) || v > LS_VLAN_CREATE_MAX ||
            (all && v == 0)) {
            return EINVAL;
        }
        if (!ls_vlan_exists(ls_sw->vlans, v)) {
            return ENXIO;
        }
        print_vlan(ctx->out, v, all);
        return 0;
    }
    for (v = ls_vlan_next(ls_sw->vlans, -1); v <= LS_VLAN_MAX;
         v = ls_vlan_next(ls_sw->vlans, (int) v)) {
        print_vlan(ctx->out, v, all);
    }
    return 0;
}

static int
cmd_vlan_print(struct ls_cmd_ctx *ctx, const char *arg)
{
    return vlan_print(ctx, arg, false);
}

static int
cmd_vlan_allprint(struct ls_cmd_ctx *ctx, const char *arg)
{
    return vlan_print(ctx, arg, true);
}

static const struct ls_cmd vlan_cmds[] = {
    {"vlan", "", "VLAN MANAGEMENT MENU", LS_CMD_MENU, NULL},
    {"vlan/create", "N", "create the VLAN with tag N", 0, cmd_vlan_create},
    {"vlan/remove", "N", "remove the VLAN with tag N", 0, cmd_vlan_remove},
    {"vlan/addport", "N PORT", "add port to the vlan N (tagged)", 0,
     cmd_vlan_addport},
    {"vlan/delport", "N PORT", "delete port from the vlan N (tagged)", 0,
     cmd_vlan_delport},
    {"vlan/print", "[N]", "print the list of defined vlan", LS_CMD_DATA,
     cmd_vlan_print},
    {"vlan/allprint", "[N]",
     "print the list of defined vlan (including inactive port)", LS_CMD_DATA,
     cmd_vlan_allprint},
};

/* Registers the vlan/ menu. */
void
ls_cmds_vlan_register(void)
{
    ls_cmd_register(vlan_cmds, sizeof vlan_cmds / sizeof *vlan_cmds);
}
