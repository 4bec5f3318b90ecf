/* libFuzzer harness: the console command parser.  Every line of the input
 * (at most MAX_LINES) is run with ls_cmd_exec(), with all command tables
 * registered at start, in linkswitch's order.  Commands that would stop the
 * process, read files or create host interfaces ('shutdown', 'load',
 * 'port/attach', 'port/detach') are skipped.
 *
 * The switch is created once at start.  By default it is then created
 * afresh for every input, so that each input is a self-contained console
 * session: a crash reproduces from its one artifact, and the state (ports,
 * VLANs, table sizes) cannot pile up and slow every later input down.  With
 * FUZZ_CMD_PERSIST=1 in the environment the one switch is kept for the
 * whole run instead, as in one endless console session.
 *
 * Besides the sanitizers, checks the shape of every reply: the console
 * protocol depends on it. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/buf.h"
#include "mgmt/cmd.h"
#include "switch/log.h"
#include "switch/switch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DATA_HEAD "0000 DATA END WITH '.'\n"
#define MAX_LINES 16

static struct ls_switch *sw;
static bool persist;

static void
check(bool cond, const char *what, const char *line, const struct ls_buf *r)
{
    if (!cond) {
        fprintf(stderr,
                "fuzz_cmd: bad reply (%s)\n--- line\n%s\n--- reply\n%.*s\n",
                what, line, (int) r->len, r->data ? r->data : "");
        abort();
    }
}

static void
switch_new(void)
{
    struct ls_switch_config cfg;

    ls_switch_default_config(&cfg);
    cfg.fdb_max = 256; /* Initialising the default 16384 entries would
                        * take most of the time of every input. */
    if (ls_switch_create(&cfg, &sw)) {
        abort();
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *p = getenv("FUZZ_CMD_PERSIST");

    persist = p && *p == '1';
    setenv("LINKSWITCH_LOG", "err", 1);
    ls_log_open("fuzz_cmd", false);
    switch_new();
    ls_cmds_switch_register();
    ls_cmds_port_register();
    ls_cmds_attach_register();
    ls_cmds_vlan_register();
    return 0;
}

/* Returns true for lines that would end the process, read files or make
 * host interfaces. */
static bool
skipped(const char *line)
{
    const struct ls_cmd *c;

    while (*line == ' ' || *line == '\t') {
        line++;
    }
    c = ls_cmd_lookup(line);
    return c && (!strcmp(c->path, "shutdown") || !strcmp(c->path, "load") ||
                 !strcmp(c->path, "port/attach") ||
                 !strcmp(c->path, "port/detach"));
}

/* Checks that 'r' is a well-formed reply to 'line' that returned 'rc'. */
static void
check_reply(const char *line, int rc, const struct ls_buf *r)
{
    const char *p, *end, *last;

    if (rc == LS_CMD_LOGOUT || rc == LS_CMD_SHUTDOWN) {
        check(r->len == 0, "logout with output", line, r);
        return;
    }
    if (r->len == 0) {
        check(rc == 0, "no result line", line, r);
        return;
    }
    check(r->data[r->len - 1] == '\n', "unterminated", line, r);
    check(strlen(r->data) == r->len, "NUL in reply", line, r);

    /* The last line is the result: "1000 Success" or "1NNN error". */
    for (last = r->data + r->len - 1; last > r->data && last[-1] != '\n';
         last--) {
        continue;
    }
    check(last[0] == '1' && last[1] >= '0' && last[1] <= '9' &&
              last[2] >= '0' && last[2] <= '9' && last[3] >= '0' &&
              last[3] <= '9' && last[4] == ' ',
          "result line", line, r);
    check((rc == 0) == !strncmp(last, "1000 ", 5), "result code", line, r);

    /* A data block ends with a lone '.', and nothing before it is one. */
    if (!strncmp(r->data, DATA_HEAD, strlen(DATA_HEAD))) {
        p = r->data + strlen(DATA_HEAD);
        for (;;) {
            end = strchr(p, '\n');
            check(end != NULL, "data block not ended", line, r);
            if (end - p == 1 && p[0] == '.') {
                break;
            }
            check(end < last, "data block runs into the result", line, r);
            p = end + 1;
        }
        check(end + 1 == last, "text after the data block", line, r);
    } else {
        check(last == r->data, "text without a data block", line, r);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[2048];
    size_t i = 0;
    int lines = 0;

    if (!persist) {
        ls_switch_destroy(sw);
        switch_new();
    }
    while (i < size && lines++ < MAX_LINES) {
        struct ls_buf reply = LS_BUF_INIT;
        size_t n = 0;
        int rc;

        while (i < size && data[i] != '\n' && n < sizeof line - 1) {
            line[n++] = (char) data[i++];
        }
        if (i < size && data[i] == '\n') {
            i++;
        }
        line[n] = '\0';
        if (skipped(line)) {
            continue;
        }
        rc = ls_cmd_exec(NULL, line, &reply, 0);
        check_reply(line, rc, &reply);
        ls_buf_free(&reply);
    }
    return 0;
}
