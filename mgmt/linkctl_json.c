/* linkctl: replies of console commands, and their JSON rendering.  One
 * parser per text format of vde_switch/linkswitch; each reads the data
 * lines of a reply and writes one JSON value.  Lines a parser does not
 * recognise are skipped, so that a newer switch with extra lines still
 * gives valid output. */

#include "mgmt/linkctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        fputs("linkctl: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *
xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);

    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Initialises an empty reply. */
void
lc_reply_init(struct lc_reply *r)
{
    memset(r, 0, sizeof *r);
}

/* Frees the contents of a reply and empties it. */
void
lc_reply_free(struct lc_reply *r)
{
    size_t i;

    for (i = 0; i < r->n_lines; i++) {
        free(r->lines[i]);
    }
    free(r->lines);
    free(r->text);
    lc_reply_init(r);
}

/* Appends a copy of 'line' to the output lines of 'r'.  Returns 0. */
int
lc_reply_add_line(struct lc_reply *r, const char *line)
{
    if (r->n_lines == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->lines = xrealloc(r->lines, r->cap * sizeof *r->lines);
    }
    r->lines[r->n_lines++] = xstrndup(line, strlen(line));
    return 0;
}

/* Sets the result of 'r': errno value 'code' (0 for success) and its
 * text.  Returns 0. */
int
lc_reply_set_result(struct lc_reply *r, int code, const char *text)
{
    free(r->text);
    r->text = xstrndup(text, strlen(text));
    r->code = code;
    r->have_result = true;
    return 0;
}

/* Length of the valid UTF-8 sequence at 's' (1..4), or 0 if the bytes there
 * are not valid UTF-8. */
static size_t
utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n, i;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

/* Writes 's' as a JSON string: quotes, escapes for '"', '\\' and control
 * characters, and U+FFFD for each byte that is not part of valid UTF-8. */
void
lc_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *) s;

    putc('"', f);
    while (*p) {
        unsigned char c = *p;

        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc(c, f);
            p++;
        } else if (c == '\n') {
            fputs("\\n", f);
            p++;
        } else if (c == '\r') {
            fputs("\\r", f);
            p++;
        } else if (c == '\t') {
            fputs("\\t", f);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            putc(c, f);
            p++;
        } else {
            size_t n = utf8_len(p);

            if (n) {
                fwrite(p, 1, n, f);
                p += n;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    putc('"', f);
}

static void
json_strn(FILE *f, const char *s, size_t n)
{
    char *copy = xstrndup(s, n);

    lc_json_string(f, copy);
    free(copy);
}

/* "NONE" (no user/group) becomes null. */
static void
json_id(FILE *f, const char *s)
{
    if (!strcmp(s, "NONE")) {
        fputs("null", f);
    } else {
        lc_json_string(f, s);
    }
}

static bool
starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* Removes trailing blanks in place. */
static void
rtrim(char *s)
{
    size_t n = strlen(s);

    while (n && isspace((unsigned char) s[n - 1])) {
        s[--n] = '\0';
    }
}

/* ------------------------------------------------- port/print, allprint */

struct port_ep {
    long id;
    char *module;
    char *descr;
};

struct port_info {
    unsigned int num;
    unsigned int vlan;
    bool active;
    bool allocatable;
    char *cur_user, *acl_user, *acl_group;
    unsigned long long in_pkts, in_bytes, out_pkts, out_bytes;
    struct port_ep *eps;
    size_t n_eps;
    char *link, *admin, *carrier; /* NULL if no LINK line. */
    char *drops;                  /* Text after "DROPS:", or NULL. */
};

static void
port_info_free(struct port_info *p)
{
    size_t i;

    for (i = 0; i < p->n_eps; i++) {
        free(p->eps[i].module);
        free(p->eps[i].descr);
    }
    free(p->eps);
    free(p->cur_user);
    free(p->acl_user);
    free(p->acl_group);
    free(p->link);
    free(p->admin);
    free(p->carrier);
    free(p->drops);
    memset(p, 0, sizeof *p);
}

/* Copies the text between 'from' (in 's') and the next 'to' (or the end
 * of 's' if 'to' is NULL).  Returns NULL if 'from' or 'to' is missing. */
static char *
between(const char *s, const char *from, const char *to)
{
    const char *a = strstr(s, from), *b;

    if (!a) {
        return NULL;
    }
    a += strlen(from);
    b = to ? strstr(a, to) : a + strlen(a);
    return b ? xstrndup(a, (size_t) (b - a)) : NULL;
}

/* Parses one line of a port block into 'p'. */
static void
port_line(struct port_info *p, const char *line)
{
    unsigned long long a, b;

    if (starts_with(line, " Current User: ")) {
        free(p->cur_user);
        free(p->acl_user);
        free(p->acl_group);
        p->cur_user = between(line, " Current User: ", " Access Control:");
        p->acl_user = between(line, "(User: ", " - Group: ");
        p->acl_group = between(line, " - Group: ", NULL);
        if (p->acl_group) {
            size_t n = strlen(p->acl_group);

            if (n && p->acl_group[n - 1] == ')') {
                p->acl_group[n - 1] = '\0';
            }
        }
    } else if (sscanf(line, " IN: pkts %llu bytes %llu", &a, &b) == 2) {
        p->in_pkts = a;
        p->in_bytes = b;
    } else if (sscanf(line, " OUT: pkts %llu bytes %llu", &a, &b) == 2) {
        p->out_pkts = a;
        p->out_bytes = b;
    } else if (starts_with(line, "  -- endpoint ID ")) {
        const char *s = line + strlen("  -- endpoint ID ");
        const char *m = strstr(s, " module ");
        const char *colon = m ? strstr(m, ": ") : NULL;
        struct port_ep *ep;

        if (!colon) {
            return;
        }
        p->eps = xrealloc(p->eps, (p->n_eps + 1) * sizeof *p->eps);
        ep = &p->eps[p->n_eps++];
        ep->id = strtol(s, NULL, 10);
        m += strlen(" module ");
        ep->module = xstrndup(m, (size_t) (colon - m));
        rtrim(ep->module);
        ep->descr = xstrndup(colon + 2, strlen(colon + 2));
    } else if (starts_with(line, " LINK: ")) {
        char l[16], ad[16], ca[16];

        if (sscanf(line, " LINK: %15s (admin %15[^,], carrier %15[^)])", l, ad,
                   ca) == 3) {
            free(p->link);
            free(p->admin);
            free(p->carrier);
            p->link = xstrndup(l, strlen(l));
            p->admin = xstrndup(ad, strlen(ad));
            p->carrier = xstrndup(ca, strlen(ca));
        }
    } else if (starts_with(line, " DROPS:")) {
        free(p->drops);
        p->drops = xstrndup(line + 7, strlen(line + 7));
    }
}

static void
json_drops(FILE *f, const char *text)
{
    char *copy = xstrndup(text, strlen(text)), *save = NULL, *name, *num;
    bool first = true;

    putc('{', f);
    for (name = strtok_r(copy, " ", &save); name;
         name = strtok_r(NULL, " ", &save)) {
        num = strtok_r(NULL, " ", &save);
        if (!num) {
            break;
        }
        if (!first) {
            putc(',', f);
        }
        first = false;
        lc_json_string(f, name);
        fprintf(f, ":%llu", strtoull(num, NULL, 10));
    }
    putc('}', f);
    free(copy);
}

static void
port_json(FILE *f, const struct port_info *p)
{
    size_t i;

    fprintf(f, "{\"num\":%u,\"untagged_vlan\":%u,\"active\":%s", p->num,
            p->vlan, p->active ? "true" : "false");
    fprintf(f, ",\"allocatable\":%s", p->allocatable ? "true" : "false");
    fputs(",\"current_user\":", f);
    json_id(f, p->cur_user ? p->cur_user : "NONE");
    fputs(",\"acl\":{\"user\":", f);
    json_id(f, p->acl_user ? p->acl_user : "NONE");
    fputs(",\"group\":", f);
    json_id(f, p->acl_group ? p->acl_group : "NONE");
    fprintf(f, "},\"in\":{\"pkts\":%llu,\"bytes\":%llu}", p->in_pkts,
            p->in_bytes);
    fprintf(f, ",\"out\":{\"pkts\":%llu,\"bytes\":%llu}", p->out_pkts,
            p->out_bytes);
    fputs(",\"endpoints\":[", f);
    for (i = 0; i < p->n_eps; i++) {
        fprintf(f, "%s{\"id\":%ld,\"module\":", i ? "," : "", p->eps[i].id);
        lc_json_string(f, p->eps[i].module);
        fputs(",\"descr\":", f);
        lc_json_string(f, p->eps[i].descr);
        putc('}', f);
    }
    putc(']', f);
    if (p->link) {
        fputs(",\"link\":{\"state\":", f);
        lc_json_string(f, p->link);
        fputs(",\"admin\":", f);
        lc_json_string(f, p->admin);
        fputs(",\"carrier\":", f);
        lc_json_string(f, p->carrier);
        putc('}', f);
    }
    if (p->drops) {
        fputs(",\"drops\":", f);
        json_drops(f, p->drops);
    }
    putc('}', f);
}

static void
json_ports(FILE *f, const struct lc_reply *r)
{
    struct port_info p;
    bool in_port = false, first = true;
    size_t i;

    memset(&p, 0, sizeof p);
    putc('[', f);
    for (i = 0; i <= r->n_lines; i++) {
        const char *line = i < r->n_lines ? r->lines[i] : NULL;
        unsigned int num, vlan;
        int off = 0;

        if (line &&
            sscanf(line, "Port %u untagged_vlan=%u %n", &num, &vlan, &off) ==
                2 &&
            off) {
            if (in_port) {
                fputs(first ? "" : ",", f);
                port_json(f, &p);
                first = false;
                port_info_free(&p);
            }
            in_port = true;
            p.num = num;
            p.vlan = vlan;
            p.active = starts_with(line + off, "ACTIVE");
            p.allocatable = !strstr(line + off, "- NOT ");
        } else if (line && in_port) {
            port_line(&p, line);
        } else if (!line && in_port) {
            fputs(first ? "" : ",", f);
            port_json(f, &p);
            port_info_free(&p);
        }
    }
    putc(']', f);
}

/* ------------------------------------------------- vlan/print, allprint */

static void
json_vlans(FILE *f, const struct lc_reply *r)
{
    bool in_vlan = false, first_port = true;
    size_t i;

    putc('[', f);
    for (i = 0; i < r->n_lines; i++) {
        const char *line = r->lines[i];
        unsigned int v, port;
        int tagged, active;
        char status[32];

        if (sscanf(line, "VLAN %u", &v) == 1) {
            fprintf(f, "%s{\"vlan\":%u,\"ports\":[", in_vlan ? "]}," : "", v);
            in_vlan = true;
            first_port = true;
        } else if (in_vlan &&
                   sscanf(line, " -- Port %u tagged=%d active=%d status=%31s",
                          &port, &tagged, &active, status) == 4) {
            fprintf(f, "%s{\"port\":%u,\"tagged\":%s,\"active\":%s,",
                    first_port ? "" : ",", port, tagged ? "true" : "false",
                    active ? "true" : "false");
            fputs("\"status\":", f);
            lc_json_string(f, status);
            putc('}', f);
            first_port = false;
        }
    }
    fputs(in_vlan ? "]}]" : "]", f);
}

/* ------------------------------------------------- hash/print, hash/find */

static bool
hash_entry_json(FILE *f, const char *line, bool comma)
{
    unsigned int bucket, vlan, port;
    unsigned long long age;
    char mac[18];

    if (sscanf(line, "Hash: %u Addr: %17s VLAN %u to port: %u age %llu secs",
               &bucket, mac, &vlan, &port, &age) != 5) {
        return false;
    }
    fprintf(f, "%s{\"bucket\":%u,\"mac\":", comma ? "," : "", bucket);
    lc_json_string(f, mac);
    fprintf(f, ",\"vlan\":%u,\"port\":%u,\"age\":%llu}", vlan, port, age);
    return true;
}

static void
json_hash_print(FILE *f, const struct lc_reply *r)
{
    bool comma = false;
    size_t i;

    putc('[', f);
    for (i = 0; i < r->n_lines; i++) {
        if (hash_entry_json(f, r->lines[i], comma)) {
            comma = true;
        }
    }
    putc(']', f);
}

static void
json_hash_find(FILE *f, const struct lc_reply *r)
{
    size_t i;

    for (i = 0; i < r->n_lines; i++) {
        if (hash_entry_json(f, r->lines[i], false)) {
            return;
        }
    }
    fputs("null", f);
}

/* ------------------------------------------------------------ showinfo */

static void
json_showinfo(FILE *f, const struct lc_reply *r)
{
    const char *version = NULL, *mgmt = NULL;
    bool banner_first = true;
    size_t i;

    fputs("{\"banner\":[", f);
    for (i = 0; i < r->n_lines && r->lines[i][0]; i++) {
        fputs(banner_first ? "" : ",", f);
        lc_json_string(f, r->lines[i]);
        banner_first = false;
        if (!version && starts_with(r->lines[i], "VDE switch V.")) {
            version = r->lines[i] + strlen("VDE switch V.");
        }
    }
    putc(']', f);
    if (version) {
        fputs(",\"version\":", f);
        json_strn(f, version, strcspn(version, " "));
        version = strstr(version, "(linkswitch ");
        if (version) {
            version += strlen("(linkswitch ");
            fputs(",\"linkswitch\":", f);
            json_strn(f, version, strcspn(version, ")"));
        }
    }
    for (; i < r->n_lines; i++) {
        const char *line = r->lines[i];
        long long pid, uptime;
        char mac[18];

        if (sscanf(line, "pid %lld MAC %17s uptime %lld", &pid, mac,
                   &uptime) == 3) {
            fprintf(f, ",\"pid\":%lld,\"mac\":", pid);
            lc_json_string(f, mac);
            fprintf(f, ",\"uptime\":%lld", uptime);
        } else if (starts_with(line, "mgmt ") && strstr(line, " perm ")) {
            mgmt = line;
        }
    }
    if (mgmt) {
        const char *perm = mgmt + strlen(mgmt);

        while (perm > mgmt && !starts_with(perm, " perm ")) {
            perm--;
        }
        fputs(",\"mgmt\":", f);
        json_strn(f, mgmt + 5, (size_t) (perm - (mgmt + 5)));
        fputs(",\"mgmt_perm\":", f);
        lc_json_string(f, perm + strlen(" perm "));
    } else {
        fputs(",\"mgmt\":null,\"mgmt_perm\":null", f);
    }
    putc('}', f);
}

/* Returns true if 's' is a decimal number without sign or leading zeros
 * (so that it can be copied into JSON as it is). */
static bool
is_number(const char *s)
{
    if (!isdigit((unsigned char) *s) || (s[0] == '0' && s[1])) {
        return false;
    }
    return strspn(s, "0123456789") == strlen(s);
}

/* port/showinfo: "Key=value" lines; keys lower-cased, true/false and
 * numbers typed. */
static void
json_keyvalue(FILE *f, const struct lc_reply *r)
{
    bool first = true;
    size_t i;

    putc('{', f);
    for (i = 0; i < r->n_lines; i++) {
        const char *line = r->lines[i], *eq = strchr(line, '=');
        char *key, *k;
        const char *v;

        if (!eq || eq == line) {
            continue;
        }
        key = xstrndup(line, (size_t) (eq - line));
        for (k = key; *k; k++) {
            *k = (char) tolower((unsigned char) *k);
        }
        fputs(first ? "" : ",", f);
        first = false;
        lc_json_string(f, key);
        putc(':', f);
        free(key);
        v = eq + 1;
        if (!strcmp(v, "true") || !strcmp(v, "false")) {
            fputs(v, f);
        } else if (is_number(v)) {
            fputs(v, f);
        } else {
            lc_json_string(f, v);
        }
    }
    putc('}', f);
}

static void
json_hash_showinfo(FILE *f, const struct lc_reply *r)
{
    static const struct {
        const char *fmt;
        const char *key;
    } fields[] = {
        {"Hash size %llu", "hash_size"},
        {"GC interval %llu secs", "gc_interval"},
        {"GC expire %llu secs", "gc_expire"},
        {"Min persistence %llu secs", "min_persistence"},
    };
    bool first = true;
    size_t i, j;

    putc('{', f);
    for (i = 0; i < r->n_lines; i++) {
        unsigned long long v, max;

        for (j = 0; j < sizeof fields / sizeof *fields; j++) {
            if (sscanf(r->lines[i], fields[j].fmt, &v) == 1) {
                fprintf(f, "%s\"%s\":%llu", first ? "" : ",", fields[j].key,
                        v);
                first = false;
                break;
            }
        }
        if (sscanf(r->lines[i], "Entries %llu max %llu", &v, &max) == 2) {
            fprintf(f, "%s\"entries\":%llu,\"max_entries\":%llu",
                    first ? "" : ",", v, max);
            first = false;
        }
    }
    putc('}', f);
}

static void
json_ds_showinfo(FILE *f, const struct lc_reply *r)
{
    bool first = true;
    size_t i;

    putc('{', f);
    for (i = 0; i < r->n_lines; i++) {
        const char *line = r->lines[i];

        if (starts_with(line, "ctl dir ")) {
            fputs(first ? "\"ctl_dir\":" : ",\"ctl_dir\":", f);
            lc_json_string(f, line + strlen("ctl dir "));
            first = false;
        } else if (starts_with(line, "std mode ")) {
            fputs(first ? "\"std_mode\":" : ",\"std_mode\":", f);
            lc_json_string(f, line + strlen("std mode "));
            first = false;
        }
    }
    putc('}', f);
}

/* ------------------------------------------------------------ dispatch */

static const struct {
    const char *path;
    void (*fn)(FILE *, const struct lc_reply *);
} json_cmds[] = {
    {"ds/showinfo", json_ds_showinfo},
    {"showinfo", json_showinfo},
    {"hash/showinfo", json_hash_showinfo},
    {"hash/print", json_hash_print},
    {"hash/find", json_hash_find},
    {"port/showinfo", json_keyvalue},
    {"port/print", json_ports},
    {"port/allprint", json_ports},
    {"vlan/print", json_vlans},
    {"vlan/allprint", json_vlans},
};

/* Returns the print command whose JSON format applies to 'cmdline'
 * (matched like the switch does: the command path is a prefix of the line,
 * after leading blanks), or NULL if the command has no JSON format of its
 * own. */
const char *
lc_json_command(const char *cmdline)
{
    size_t i;

    cmdline += strspn(cmdline, " \t");
    for (i = 0; i < sizeof json_cmds / sizeof *json_cmds; i++) {
        if (starts_with(cmdline, json_cmds[i].path)) {
            return json_cmds[i].path;
        }
    }
    return NULL;
}

static void
json_lines(FILE *f, const struct lc_reply *r)
{
    size_t i;

    fputs(",\"output\":[", f);
    for (i = 0; i < r->n_lines; i++) {
        fputs(i ? "," : "", f);
        lc_json_string(f, r->lines[i]);
    }
    putc(']', f);
}

/* Writes the reply 'r' to command 'cmdline' as one line of JSON: the
 * command's own format if it has one and succeeded, else
 * {"result":"ok"} or {"result":"error","errno":N,"error":TEXT}, with
 * "output":[lines] when the command printed anything. */
void
lc_json_reply(FILE *f, const char *cmdline, const struct lc_reply *r)
{
    const char *path = lc_json_command(cmdline);
    size_t i;

    if (r->code) {
        fprintf(f, "{\"result\":\"error\",\"errno\":%d,\"error\":", r->code);
        lc_json_string(f, r->text ? r->text : "");
        if (r->n_lines) {
            json_lines(f, r);
        }
        fputs("}\n", f);
        return;
    }
    for (i = 0; path && i < sizeof json_cmds / sizeof *json_cmds; i++) {
        if (!strcmp(path, json_cmds[i].path)) {
            json_cmds[i].fn(f, r);
            putc('\n', f);
            return;
        }
    }
    fputs("{\"result\":\"ok\"", f);
    if (r->n_lines) {
        json_lines(f, r);
    }
    fputs("}\n", f);
}

/* Returns true if 'line' is an asynchronous event line: '3', three digits,
 * a space. */
bool
lc_is_event_line(const char *line)
{
    return line[0] == '3' && isdigit((unsigned char) line[1]) &&
           isdigit((unsigned char) line[2]) &&
           isdigit((unsigned char) line[3]) && line[4] == ' ';
}

/* Splits the event line 'line' into its tag (three octal digits, as
 * shown), category and text.  Returns 0, or EINVAL if 'line' is not an
 * event line. */
int
lc_parse_event(const char *line, char tag[4], char *category, size_t cat_size,
               const char **text)
{
    const char *cat, *sp;
    size_t n;

    if (!lc_is_event_line(line) || !cat_size) {
        return EINVAL;
    }
    memcpy(tag, line + 1, 3);
    tag[3] = '\0';
    cat = line + 5;
    sp = strchr(cat, ' ');
    n = sp ? (size_t) (sp - cat) : strlen(cat);
    if (n >= cat_size) {
        n = cat_size - 1;
    }
    memcpy(category, cat, n);
    category[n] = '\0';
    *text = sp ? sp + 1 : cat + strlen(cat);
    return 0;
}

/* Writes the event line 'line' as {"tag":"031","category":...,"text":...}
 * and a newline.  Returns 0, or EINVAL if it is not an event line. */
int
lc_json_event(FILE *f, const char *line)
{
    char tag[4], cat[128];
    const char *text;

    if (lc_parse_event(line, tag, cat, sizeof cat, &text)) {
        return EINVAL;
    }
    fprintf(f, "{\"tag\":\"%s\",\"category\":", tag);
    lc_json_string(f, cat);
    fputs(",\"text\":", f);
    lc_json_string(f, text);
    fputs("}\n", f);
    return 0;
}
