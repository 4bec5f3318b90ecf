#include "mgmt/cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_MAX = 256 };

static const struct ls_cmd *cmds[CMD_MAX];
static size_t n_cmds;

/* Appends the 'n' commands of 'table' to the command table; they are
 * matched and listed after those registered before.  Returns 0 or
 * ENOSPC. */
int
ls_cmd_register(const struct ls_cmd *table, size_t n)
{
    size_t i;

    if (n_cmds + n > CMD_MAX) {
        return ENOSPC;
    }
    for (i = 0; i < n; i++) {
        cmds[n_cmds++] = &table[i];
    }
    return 0;
}

/* Empties the command table. */
void
ls_cmd_unregister_all(void)
{
    n_cmds = 0;
}

/* Returns the number of registered entries (menus included). */
size_t
ls_cmd_count(void)
{
    return n_cmds;
}

/* Returns registered entry 'i'. */
const struct ls_cmd *
ls_cmd_at(size_t i)
{
    return i < n_cmds ? cmds[i] : NULL;
}

/* Returns the first command whose path is a prefix of 'line', or NULL. */
const struct ls_cmd *
ls_cmd_lookup(const char *line)
{
    size_t i;

    for (i = 0; i < n_cmds; i++) {
        const struct ls_cmd *c = cmds[i];

        if (!(c->flags & LS_CMD_MENU) &&
            !strncmp(line, c->path, strlen(c->path))) {
            return c;
        }
    }
    return NULL;
}

/* Prints the help table, limited to paths that start with 'prefix' if it is
 * not empty. */
void
ls_cmd_help(struct ls_buf *out, const char *prefix)
{
    size_t i;

    ls_buf_printf(out, "%-18s %-15s %s\n", "COMMAND PATH", "SYNTAX", "HELP");
    ls_buf_printf(out, "%-18s %-15s %s\n", "------------", "--------------",
                  "------------");
    for (i = 0; i < n_cmds; i++) {
        const struct ls_cmd *c = cmds[i];

        if (prefix && *prefix && strncmp(c->path, prefix, strlen(prefix))) {
            continue;
        }
        if (c->flags & LS_CMD_MENU) {
            ls_buf_printf(out, "%-18s %-15s %s\n", c->path,
                          "============", c->help);
        } else {
            ls_buf_printf(out, "%-18s %-15s %s\n", c->path, c->syntax,
                          c->help);
        }
    }
}

/* Runs the console command 'line' for 'session' (NULL for rc files) and
 * appends the reply bytes to 'reply': the data block if the command prints
 * one, then the result line.  Empty lines and '#' comments produce
 * nothing.  Returns 0, LS_CMD_LOGOUT or LS_CMD_SHUTDOWN (then 'reply'
 * holds only the data block, if any), or the command's errno value (the
 * result line says it too). */
int
ls_cmd_exec(struct ls_session *session, const char *line, struct ls_buf *reply,
            int depth)
{
    struct ls_buf out = LS_BUF_INIT;
    struct ls_cmd_ctx ctx = {&out, session, depth};
    const struct ls_cmd *c;
    char cmdline[1024];
    const char *arg;
    size_t len;
    int rc;

    while (*line == ' ' || *line == '\t') {
        line++;
    }
    len = strcspn(line, "\r\n");
    if (len >= sizeof cmdline) {
        len = sizeof cmdline - 1;
    }
    memcpy(cmdline, line, len);
    cmdline[len] = '\0';
    while (len && isspace((unsigned char) cmdline[len - 1])) {
        cmdline[--len] = '\0';
    }
    if (!len || cmdline[0] == '#') {
        return 0;
    }
    c = ls_cmd_lookup(cmdline);
    if (!c) {
        ls_buf_printf(reply, "1%03d %s\n", ENOSYS, strerror(ENOSYS));
        return ENOSYS;
    }
    arg = cmdline + strlen(c->path);
    while (*arg == ' ' || *arg == '\t') {
        arg++;
    }
    if ((c->flags & LS_CMD_SESSION) && !session) {
        rc = EBADF;
    } else {
        rc = c->fn(&ctx, arg);
    }
    if (c->flags & LS_CMD_DATA) {
        ls_buf_printf(reply, "0000 DATA END WITH '.'\n");
        if (out.len) {
            ls_buf_append(reply, out.data, out.len);
        }
        ls_buf_printf(reply, ".\n");
    } else if (out.len) {
        /* Commands without a data block may still print (e.g. 'load'). */
        ls_buf_append(reply, out.data, out.len);
    }
    ls_buf_free(&out);
    if (rc == LS_CMD_LOGOUT || rc == LS_CMD_SHUTDOWN) {
        return rc;
    }
    if (rc) {
        ls_buf_printf(reply, "1%03d %s\n", rc, strerror(rc));
    } else {
        ls_buf_printf(reply, "1000 Success\n");
    }
    return rc;
}

/* Splits 'arg' on blanks into at most 'max' words, copied into 'store'.
 * Returns the number of words, or -1 if there are more than 'max'. */
int
ls_args_split(const char *arg, char **argv, int max, char *store,
              size_t store_size)
{
    int n = 0;
    char *save = NULL, *w;

    snprintf(store, store_size, "%s", arg ? arg : "");
    for (w = strtok_r(store, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        if (n == max) {
            return -1;
        }
        argv[n++] = w;
    }
    return n;
}

/* Parses exactly 'n' (at most 4) decimal numbers from 'arg' into 'v'.
 * Returns 0 or EINVAL. */
int
ls_args_uints(const char *arg, int n, unsigned int *v)
{
    char store[128], *argv[4];
    int i;

    if (n > 4 || ls_args_split(arg, argv, 4, store, sizeof store) != n) {
        return EINVAL;
    }
    for (i = 0; i < n; i++) {
        if (ls_parse_uint(argv[i], UINT32_MAX - 1, &v[i])) {
            return EINVAL;
        }
    }
    return 0;
}

/* Parses a decimal number no greater than 'max'.  Returns 0 or EINVAL. */
int
ls_parse_uint(const char *s, unsigned int max, unsigned int *v)
{
    unsigned long x;
    char *end;

    if (!s || !isdigit((unsigned char) *s)) {
        return EINVAL;
    }
    errno = 0;
    x = strtoul(s, &end, 10);
    if (errno || *end || x > max) {
        return EINVAL;
    }
    *v = (unsigned int) x;
    return 0;
}

/* Parses a MAC written as six hex bytes separated by ':' or '.'.  Returns
 * 0 or EINVAL. */
int
ls_parse_mac(const char *s, unsigned char mac[6])
{
    int i;

    for (i = 0; i < 6; i++) {
        char *end;
        unsigned long b;

        if (!isxdigit((unsigned char) *s)) {
            return EINVAL;
        }
        b = strtoul(s, &end, 16);
        if (b > 0xff || end - s > 2) {
            return EINVAL;
        }
        mac[i] = (unsigned char) b;
        s = end;
        if (i < 5) {
            if (*s != ':' && *s != '.') {
                return EINVAL;
            }
            s++;
        }
    }
    return *s ? EINVAL : 0;
}
