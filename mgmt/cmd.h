#ifndef LS_CMD_H
#define LS_CMD_H 1

#include <stdbool.h>
#include <stddef.h>

#include "mgmt/buf.h"

/* The console command table, in vde_switch's shape: commands are found by
 * the first path (in registration order) that is a prefix of the input,
 * print an optional data block and answer "1000 Success" or "1NNN
 * <strerror>". */

struct ls_session;

/* What a command handler gets. */
struct ls_cmd_ctx {
    struct ls_buf *out;         /* Data lines of the reply. */
    struct ls_session *session; /* NULL when run from an rc file. */
    int depth;                  /* 'load' nesting. */
};

enum {
    LS_CMD_MENU = 1 << 0,    /* Menu header in 'help', not a command. */
    LS_CMD_DATA = 1 << 1,    /* Prints a "0000 DATA END WITH '.'" block. */
    LS_CMD_SESSION = 1 << 2, /* Needs a session (EBADF from rc files). */
};

/* Special results of ls_cmd_exec(). */
#define LS_CMD_LOGOUT (-1)
#define LS_CMD_SHUTDOWN (-2)

struct ls_cmd {
    const char *path;
    const char *syntax;
    const char *help;
    unsigned int flags;
    int (*fn)(struct ls_cmd_ctx *, const char *arg);
};

int ls_cmd_register(const struct ls_cmd *, size_t n);
void ls_cmd_unregister_all(void);
const struct ls_cmd *ls_cmd_lookup(const char *line);
int ls_cmd_exec(struct ls_session *, const char *line, struct ls_buf *reply,
                int depth);
void ls_cmd_help(struct ls_buf *, const char *prefix);
size_t ls_cmd_count(void);
const struct ls_cmd *ls_cmd_at(size_t i);

/* Argument parsing shared by every command. */
int ls_args_split(const char *arg, char **argv, int max, char *store,
                  size_t store_size);
int ls_args_uints(const char *arg, int n, unsigned int *v);
int ls_parse_uint(const char *, unsigned int max, unsigned int *);
int ls_parse_mac(const char *, unsigned char mac[6]);

/* Registration of the command groups, in 'help' order. */
void ls_cmds_switch_register(void);
void ls_cmds_port_register(void);
void ls_cmds_attach_register(void);
void ls_cmds_vlan_register(void);

#endif
