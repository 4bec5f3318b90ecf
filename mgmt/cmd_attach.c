/* Console commands port/attach and port/detach: host-side ports. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/cmd.h"
#include "plug/attach.h"
#include "switch/log.h"
#include "switch/switch.h"

static int
cmd_port_attach(struct ls_cmd_ctx *ctx, const char *arg)
{
    char store[1024], *argv[2], err[512];
    unsigned int num, got;
    int error;

    if (ls_args_split(arg, argv, 2, store, sizeof store) != 2 ||
        ls_parse_uint(argv[0], UINT32_MAX - 1, &num)) {
        ls_buf_printf(ctx->out, "usage: port/attach N URL\n");
        return EINVAL;
    }
    error = ls_plug_attach(ls_sw, num, argv[1], &got, err, sizeof err);
    if (error) {
        LS_WARN("port/attach %u %s: %s", num, argv[1], err);
        ls_buf_printf(ctx->out, "%s\n", err);
        return error;
    }
    ls_buf_printf(ctx->out, "Port %04u: %s\n", got, argv[1]);
    return 0;
}

static int
cmd_port_detach(struct ls_cmd_ctx *ctx, const char *arg)
{
    char store[64], *argv[1], err[256];
    unsigned int num;
    int error;

    if (ls_args_split(arg, argv, 1, store, sizeof store) != 1 ||
        ls_parse_uint(argv[0], UINT32_MAX - 1, &num)) {
        return EINVAL;
    }
    error = ls_plug_detach(ls_sw, num, err, sizeof err);
    if (error) {
        LS_WARN("port/detach %u: %s", num, err);
    }
    return error;
}

static const struct ls_cmd attach_cmds[] = {
    {"port/attach", "N URL",
     "attach tap://NAME, tun://NAME?addr=A/P or host://IF|mac=M to port N",
     LS_CMD_DATA, cmd_port_attach},
    {"port/detach", "N", "close whatever is attached to port N", 0,
     cmd_port_detach},
};

/* Registers port/attach and port/detach. */
void
ls_cmds_attach_register(void)
{
    ls_cmd_register(attach_cmds, sizeof attach_cmds / sizeof *attach_cmds);
}
