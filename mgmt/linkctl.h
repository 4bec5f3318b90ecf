#ifndef LS_LINKCTL_H
#define LS_LINKCTL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* linkctl, the command-line client of the management console: the reply of
 * one console command as the client sees it, and its JSON rendering. */

/* One reply: the data-block lines (and any other text the command printed,
 * e.g. the lines of 'load'), then the result line. */
struct lc_reply {
    char **lines;
    size_t n_lines;
    size_t cap;
    bool have_result; /* A "1NNN" line (or the end of session) was seen. */
    int code;         /* errno value of the result: 0 for "1000 Success". */
    char *text;       /* Result text: "Success", "Invalid argument"... */
};

void lc_reply_init(struct lc_reply *);
void lc_reply_free(struct lc_reply *);
int lc_reply_add_line(struct lc_reply *, const char *line);
int lc_reply_set_result(struct lc_reply *, int code, const char *text);

/* JSON output. */
void lc_json_string(FILE *, const char *);
const char *lc_json_command(const char *cmdline);
void lc_json_reply(FILE *, const char *cmdline, const struct lc_reply *);
int lc_json_event(FILE *, const char *line);

/* Event lines ("3NNN category text"). */
bool lc_is_event_line(const char *line);
int lc_parse_event(const char *line, char tag[4], char *category,
                   size_t cat_size, const char **text);

#endif
