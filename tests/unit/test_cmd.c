/* Unit tests for the console command parser and the command tables
 * (mgmt/cmd.c, mgmt/cmd_*.c) over a real switch. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/buf.h"
#include "mgmt/cmd.h"
#include "mgmt/console.h"
#include "switch/clock.h"
#include "switch/fdb.h"
#include "switch/switch.h"
#include "switch/vlan.h"

#define DATA "0000 DATA END WITH '.'\n"
#define OK "1000 Success\n"
#define E_INVAL "1022 Invalid argument\n"
#define E_NXIO "1006 No such device or address\n"
#define E_EXIST "1017 File exists\n"
#define E_ADDRINUSE "1098 Address already in use\n"

static struct ls_switch *sw;

static int
setup(void **state)
{
    struct ls_switch_config cfg;

    ls_switch_default_config(&cfg);
    assert_int_equal(ls_switch_create(&cfg, &sw), 0);
    ls_cmd_unregister_all();
    ls_cmds_switch_register();
    ls_cmds_port_register();
    ls_cmds_vlan_register();
    return 0;
}

static int
teardown(void **state)
{
    ls_cmd_unregister_all();
    ls_switch_destroy(sw);
    sw = NULL;
    return 0;
}

/* Runs 'line' and checks that the reply is exactly 'expect' and the result
 * 'rc'. */
static void
check_exec(const char *line, int rc, const char *expect)
{
    struct ls_buf reply = LS_BUF_INIT;
    int got = ls_cmd_exec(NULL, line, &reply, 0);

    if (strcmp(reply.data ? reply.data : "", expect) || got != rc) {
        fail_msg("'%s': got %d \"%s\", expected %d \"%s\"", line, got,
                 reply.data ? reply.data : "", rc, expect);
    }
    assert_int_equal(reply.len, strlen(expect));
    ls_buf_free(&reply);
}

/* Runs 'line' and returns its reply (to free). */
static char *
exec_reply(const char *line, int rc)
{
    struct ls_buf reply = LS_BUF_INIT;

    assert_int_equal(ls_cmd_exec(NULL, line, &reply, 0), rc);
    assert_non_null(reply.data);
    return reply.data;
}

static void
test_showinfo_exact(void **state)
{
    check_exec("port/showinfo", 0,
               DATA "Numports=32\nHUB=false\ncounters=true\n.\n" OK);
    /* Blanks and line ends around the command are ignored. */
    check_exec("  \tport/showinfo \r\n", 0,
               DATA "Numports=32\nHUB=false\ncounters=true\n.\n" OK);
    check_exec("port/sethub 1", 0, OK);
    check_exec("port/showinfo", 0,
               DATA "Numports=32\nHUB=true\ncounters=true\n.\n" OK);
    assert_true(sw->cfg.hub);
    check_exec("port/sethub 0", 0, OK);
    assert_false(sw->cfg.hub);
    check_exec("port/sethub 2", 0, OK); /* Any non-zero value. */
    assert_true(sw->cfg.hub);
    check_exec("port/sethub x", EINVAL, E_INVAL);
    check_exec("port/sethub", EINVAL, E_INVAL);
    assert_true(sw->cfg.hub);
}

static void
test_setnumports(void **state)
{
    check_exec("port/create 20", 0, OK);
    check_exec("port/setnumports 20", EADDRINUSE, E_ADDRINUSE);
    check_exec("port/setnumports 21", 0, OK);
    check_exec("port/showinfo", 0,
               DATA "Numports=21\nHUB=false\ncounters=true\n.\n" OK);
    check_exec("port/create 21", EINVAL, E_INVAL);
    check_exec("port/remove 20", 0, OK);
    check_exec("port/setnumports 1", 0, OK);
    assert_int_equal(sw->cfg.numports, 1);
    check_exec("port/setnumports 65535", 0, OK);
    assert_int_equal(sw->cfg.numports, 65535);
    check_exec("port/create 65534", 0, OK);
    check_exec("vlan/create 5", 0, OK);
    check_exec("vlan/addport 5 65534", 0, OK);
    assert_true(ls_vlan_is_tagged(sw->vlans, 5, 65534));
}

/* load: a file that never ends or cannot be opened fails the load; a
 * failing line inside a readable file only shows its own result line. */
static void
test_load(void **state)
{
    char path[] = "/tmp/ls-test-load.XXXXXX";
    int fd = mkstemp(path);
    char *r;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "vlan/create 4094\nport/showinfo\n", 30), 30);
    close(fd);
    check_exec("load /dev/zero", EINVAL, "1022 Invalid argument\n");
    check_exec("load /nonexistent/rc", ENOENT,
               "1002 No such file or directory\n");
    r = exec_reply(path, ENOSYS); /* Not a command itself. */
    free(r);
    {
        char line[64];

        snprintf(line, sizeof line, "load %s", path);
        r = exec_reply(line, 0);
        assert_non_null(strstr(r, "1022 Invalid argument\n"));
        assert_non_null(strstr(r, "Numports="));
        assert_non_null(strstr(r, "\n1000 Success\n"));
        free(r);
    }
    unlink(path);
}

static void
test_unknown_command(void **state)
{
    check_exec("foo", ENOSYS, "1038 Function not implemented\n");
    check_exec("port/bogus 1", ENOSYS, "1038 Function not implemented\n");
    /* Menus are not commands. */
    check_exec("port", ENOSYS, "1038 Function not implemented\n");
    check_exec("vlan", ENOSYS, "1038 Function not implemented\n");
    check_exec("PORT/SHOWINFO", ENOSYS, "1038 Function not implemented\n");
    assert_null(ls_cmd_lookup("port"));
    assert_null(ls_cmd_lookup(""));
}

static void
test_port_print_fresh(void **state)
{
    check_exec("port/print", 0, DATA ".\n" OK);
    check_exec("port/allprint", 0, DATA ".\n" OK);
    check_exec("port/print 1", ENXIO, DATA ".\n" E_NXIO);
    check_exec("port/print 32", EINVAL, DATA ".\n" E_INVAL);
}

/* The DROPS line of port/print for 'p': one counter per cause (the first
 * six are vde_switch's causes plus ours; later ones are appended). */
static void
drops_line(char *buf, size_t size, const struct ls_port *p)
{
    size_t n = (size_t) snprintf(buf, size, " DROPS:");
    int d;

    for (d = 0; d < LS_DROP_N; d++) {
        n += (size_t) snprintf(buf + n, size - n, " %s %llu", ls_drop_name(d),
                               (unsigned long long) p->stats.drops[d]);
    }
    snprintf(buf + n, size - n, "\n");
}

static void
test_port_allprint_exact(void **state)
{
    char drops[256], expect[1024];

    check_exec("port/create 5", 0, OK);
    drops_line(drops, sizeof drops, sw->ports[5]);
    {
        static const char head[] =
            " DROPS: runt 0 giant 0 link 0 vlan 0 queue 0 error 0";

        assert_true(!strncmp(drops, head, strlen(head)));
    }
    snprintf(expect, sizeof expect,
             DATA "Port 0005 untagged_vlan=0000 INACTIVE - NOT Unnamed "
                  "Allocatable\n"
                  " Current User: NONE Access Control: (User: NONE - "
                  "Group: NONE)\n"
                  " IN:  pkts          0          bytes"
                  "                    0\n"
                  " OUT: pkts          0          bytes"
                  "                    0\n"
                  " LINK: up (admin up, carrier up)\n"
                  "%s.\n" OK,
             drops);
    check_exec("port/allprint 5", 0, expect);
    /* Inactive: not in port/print. */
    check_exec("port/print", 0, DATA ".\n" OK);
    check_exec("port/print 5", ENXIO, DATA ".\n" E_NXIO);
    check_exec("port/allocatable 5 1", 0, OK);
    check_exec("port/setlink 5 down", 0, OK);
    sw->ports[5]->stats.in_pkts = 7;
    sw->ports[5]->stats.drops[LS_DROP_VLAN] = 3;
    drops_line(drops, sizeof drops, sw->ports[5]);
    assert_non_null(strstr(drops, " vlan 3 "));
    snprintf(expect, sizeof expect,
             DATA "Port 0005 untagged_vlan=0000 INACTIVE - Unnamed "
                  "Allocatable\n"
                  " Current User: NONE Access Control: (User: NONE - "
                  "Group: NONE)\n"
                  " IN:  pkts          7          bytes"
                  "                    0\n"
                  " OUT: pkts          0          bytes"
                  "                    0\n"
                  " LINK: down (admin down, carrier up)\n"
                  "%s.\n" OK,
             drops);
    check_exec("port/allprint 5", 0, expect);
    check_exec("port/resetcounter 5", 0, OK);
    check_exec("port/resetcounter 9", 0, OK); /* Nothing to reset. */
    check_exec("port/resetcounter 32", EINVAL, E_INVAL);
    assert_int_equal(sw->ports[5]->stats.in_pkts, 0);
    assert_int_equal(sw->ports[5]->stats.drops[LS_DROP_VLAN], 0);
}

static void
test_einval(void **state)
{
    static const char *const lines[] = {
        "port/setvlan 1",
        "port/setvlan x y",
        "port/setvlan 1 2 3",
        "port/setvlan -1 0",
        "port/setvlan 1 0x10",
        "port/setvlan 32 0",
        "port/setvlan 1 4096",
        "port/setvlan 99999999999999999999 0",
        "vlan/create 4094",
        "vlan/create 4095",
        "vlan/create 0",
        "vlan/create",
        "vlan/create ten",
        "port/setlink 1 sideways",
        "port/setlink 1",
        "port/setlink x up",
        "port/setnumports 0",
        "port/setnumports",
        "port/setnumports 65536",
        "port/setnumports 4294967294",
        "port/create 32",
        "port/create",
        "port/remove 32",
        "port/allocatable 1",
        "port/epclose 1",
        "hash/setsize 0",
        "hash/setsize 16777217",
        "hash/find 00:11:22:33:44",
        "hash/find 00:11:22:33:44:55 4096",
        "hash/setexpire x",
        "vlan/addport 4095 1",
        "vlan/addport 1 32",
        "load",
    };
    size_t i;

    for (i = 0; i < sizeof lines / sizeof *lines; i++) {
        struct ls_buf reply = LS_BUF_INIT;
        size_t n;

        assert_int_equal(ls_cmd_exec(NULL, lines[i], &reply, 0), EINVAL);
        n = strlen(E_INVAL);
        if (reply.len < n || strcmp(reply.data + reply.len - n, E_INVAL)) {
            fail_msg("'%s': got \"%s\"", lines[i], reply.data);
        }
        ls_buf_free(&reply);
    }
    /* Nothing was changed. */
    assert_int_equal(sw->cfg.numports, 32);
    assert_int_equal(ls_vlans_count(sw->vlans), 1);
}

static void
test_enxio(void **state)
{
    check_exec("port/remove 3", ENXIO, E_NXIO);
    check_exec("port/setvlan 3 0", ENXIO, E_NXIO);
    check_exec("port/setlink 3 up", ENXIO, E_NXIO);
    check_exec("port/create 3", 0, OK);
    check_exec("port/setvlan 3 10", ENXIO, E_NXIO); /* No VLAN 10. */
    check_exec("vlan/addport 10 3", ENXIO, E_NXIO);
    check_exec("vlan/remove 10", ENXIO, E_NXIO);
    check_exec("port/epclose 3 1", ENXIO, E_NXIO);
    check_exec("port/setuser 4 0", ENXIO, E_NXIO);
    check_exec("vlan/print 10", ENXIO, DATA ".\n" E_NXIO);
    check_exec("port/remove 3", 0, OK);
    check_exec("port/remove 3", ENXIO, E_NXIO);
}

static void
test_prefix_matching(void **state)
{
    const struct ls_cmd *c;

    c = ls_cmd_lookup("port/createauto");
    assert_non_null(c);
    assert_string_equal(c->path, "port/createauto");
    c = ls_cmd_lookup("port/create 5");
    assert_non_null(c);
    assert_string_equal(c->path, "port/create");
    c = ls_cmd_lookup("port/print");
    assert_string_equal(c->path, "port/print");
    c = ls_cmd_lookup("showinfo");
    assert_string_equal(c->path, "showinfo");
    c = ls_cmd_lookup("port/showinfo");
    assert_string_equal(c->path, "port/showinfo");

    check_exec("port/createauto", 0, DATA "Port 0001\n.\n" OK);
    check_exec("port/create 5", 0, OK);
    check_exec("port/create 5", EEXIST, E_EXIST);
    check_exec("port/createauto", 0, DATA "Port 0002\n.\n" OK);
    assert_non_null(sw->ports[1]);
    assert_non_null(sw->ports[2]);
    assert_non_null(sw->ports[5]);
    assert_true(sw->ports[1]->notinpool);
    assert_true(sw->ports[5]->notinpool);
    assert_null(sw->ports[3]);
}

static void
test_empty_and_comments(void **state)
{
    static const char *const lines[] = {
        "",
        "\n",
        "\r\n",
        "   ",
        " \t \n",
        "#",
        "# port/create 1",
        "   # vlan/create 5",
        "#shutdown",
    };
    size_t i;

    for (i = 0; i < sizeof lines / sizeof *lines; i++) {
        check_exec(lines[i], 0, "");
    }
    assert_null(sw->ports[1]);
    assert_int_equal(ls_vlans_count(sw->vlans), 1);
    /* Only the first line counts. */
    check_exec("port/create 1\nport/create 2", 0, OK);
    assert_non_null(sw->ports[1]);
    assert_null(sw->ports[2]);
}

static void
test_logout_shutdown_session(void **state)
{
    check_exec("logout", LS_CMD_LOGOUT, "");
    check_exec("shutdown", LS_CMD_SHUTDOWN, "");
    /* Commands that need a session fail from rc files. */
    check_exec("debug/add hash", EBADF, "1009 Bad file descriptor\n");
    check_exec("debug/list", EBADF, DATA ".\n1009 Bad file descriptor\n");
}

static void
test_help(void **state)
{
    char *r = exec_reply("help", 0);

    assert_true(!strncmp(r, DATA "COMMAND PATH", strlen(DATA) + 12));
    assert_non_null(strstr(r, "\nport/showinfo "));
    assert_non_null(strstr(r, "\nvlan/create "));
    assert_non_null(strstr(r, "\nhash/find "));
    assert_non_null(strstr(r, "\n.\n" OK));
    free(r);

    r = exec_reply("help vlan", 0);
    assert_non_null(strstr(r, "\nvlan/create "));
    assert_null(strstr(r, "port/"));
    free(r);
}

static void
test_vlan_commands(void **state)
{
    char *r;

    check_exec("vlan/create 10", 0, OK);
    check_exec("vlan/create 10", EEXIST, E_EXIST);
    check_exec("vlan/create 4093", 0, OK);
    check_exec("port/create 1", 0, OK);
    check_exec("port/create 2", 0, OK);
    check_exec("port/setvlan 1 10", 0, OK);
    assert_int_equal(sw->ports[1]->vlan, 10);
    /* Adding the port to its untagged VLAN is a no-op. */
    check_exec("vlan/addport 10 1", 0, OK);
    assert_false(ls_vlan_is_tagged(sw->vlans, 10, 1));
    check_exec("vlan/addport 10 2", 0, OK);
    check_exec("vlan/addport 10 2", 0, OK);
    assert_true(ls_vlan_is_tagged(sw->vlans, 10, 2));
    assert_true(ls_vlan_is_member(sw->vlans, 0, 2));
    check_exec("vlan/allprint 10", 0,
               DATA "VLAN 0010\n"
                    " -- Port 0001 tagged=0 active=0 status=Learning\n"
                    " -- Port 0002 tagged=1 active=0 status=Learning\n"
                    ".\n" OK);
    check_exec("vlan/print 10", 0, DATA "VLAN 0010\n.\n" OK);
    check_exec("vlan/remove 10", EADDRINUSE, E_ADDRINUSE);
    check_exec("vlan/delport 10 1", EADDRINUSE, E_ADDRINUSE);
    check_exec("vlan/delport 10 2", 0, OK);
    assert_false(ls_vlan_is_member(sw->vlans, 10, 2));
    check_exec("vlan/delport 10 2", 0, OK); /* Not a member: no-op. */
    check_exec("port/setvlan 1 0", 0, OK);
    check_exec("vlan/remove 10", 0, OK);
    assert_false(ls_vlan_exists(sw->vlans, 10));
    r = exec_reply("vlan/print", 0);
    assert_string_equal(r, DATA "VLAN 0000\nVLAN 4093\n.\n" OK);
    free(r);
}

static void
test_hash_commands(void **state)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    char *r;

    check_exec("hash/setsize 100", 0, OK);
    r = exec_reply("hash/showinfo", 0);
    assert_non_null(strstr(r, "Hash size 128\n"));
    assert_non_null(strstr(r, "Entries 0 max 16384\n"));
    free(r);
    check_exec("hash/setexpire 7", 0, OK);
    check_exec("hash/setminper 1", 0, OK);
    r = exec_reply("hash/showinfo", 0);
    assert_non_null(strstr(r, "GC expire 7 secs\n"));
    assert_non_null(strstr(r, "Min persistence 1 secs\n"));
    free(r);

    check_exec("hash/find 02:00:00:00:00:01", ENODEV,
               DATA ".\n1019 No such device\n");
    assert_int_equal(ls_fdb_learn(sw->fdb, mac, 0, 3, ls_clock_ms(), NULL),
                     LS_FDB_ADDED);
    r = exec_reply("hash/find 02:00:00:00:00:01", 0);
    assert_non_null(strstr(r, "Addr: 02:00:00:00:00:01 VLAN 0000 to port: "
                              "003  age 0 secs\n"));
    free(r);
    check_exec("hash/find 02:00:00:00:00:01 5", ENODEV,
               DATA ".\n1019 No such device\n");
    r = exec_reply("hash/print", 0);
    assert_non_null(strstr(r, "Addr: 02:00:00:00:00:01 VLAN 0000"));
    free(r);
}

static void
test_long_line(void **state)
{
    char line[3000];
    char *r;

    /* port/create 7, then far more blanks than a line holds, then junk:
     * the junk is cut off. */
    memset(line, ' ', sizeof line);
    memcpy(line, "port/create 7", 13);
    memcpy(line + sizeof line - 10, "junk junk", 9);
    line[sizeof line - 1] = '\0';
    r = exec_reply(line, 0);
    assert_string_equal(r, OK);
    free(r);
    assert_non_null(sw->ports[7]);
}

static void
test_register_overflow(void **state)
{
    static struct ls_cmd many[300];
    size_t before = ls_cmd_count();

    assert_true(before > 30);
    assert_int_equal(ls_cmd_register(many, 300), ENOSPC);
    assert_int_equal(ls_cmd_count(), before);
    assert_string_equal(ls_cmd_at(0)->path, "ds");
    assert_null(ls_cmd_at(before));
}

static void
test_args_split(void **state)
{
    char store[64], *argv[4];

    assert_int_equal(ls_args_split("a b  c", argv, 4, store, sizeof store), 3);
    assert_string_equal(argv[0], "a");
    assert_string_equal(argv[1], "b");
    assert_string_equal(argv[2], "c");
    assert_int_equal(ls_args_split(" \tx\t ", argv, 4, store, sizeof store),
                     1);
    assert_string_equal(argv[0], "x");
    assert_int_equal(ls_args_split("", argv, 4, store, sizeof store), 0);
    assert_int_equal(ls_args_split(NULL, argv, 4, store, sizeof store), 0);
    assert_int_equal(ls_args_split(" \t ", argv, 4, store, sizeof store), 0);
    assert_int_equal(ls_args_split("1 2 3 4", argv, 4, store, sizeof store),
                     4);
    assert_string_equal(argv[3], "4");
    assert_int_equal(ls_args_split("1 2 3 4 5", argv, 4, store, sizeof store),
                     -1);
    assert_int_equal(ls_args_split("1 2", argv, 0, store, sizeof store), -1);
    /* Words beyond the store are cut off, not overflowed. */
    memset(store, 'z', sizeof store);
    assert_int_equal(ls_args_split("abcdef gh", argv, 4, store, 4), 1);
    assert_string_equal(argv[0], "abc");
    assert_int_equal(store[4], 'z');
}

static void
test_parse_uint(void **state)
{
    unsigned int v;

    assert_int_equal(ls_parse_uint("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ls_parse_uint("10", 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(ls_parse_uint("007", 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(ls_parse_uint("4294967295", UINT32_MAX, &v), 0);
    assert_int_equal(v, UINT32_MAX);

    v = 12345;
    assert_int_equal(ls_parse_uint("11", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("4294967296", UINT32_MAX, &v), EINVAL);
    assert_int_equal(ls_parse_uint("99999999999999999999999", UINT32_MAX, &v),
                     EINVAL);
    assert_int_equal(ls_parse_uint("", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint(NULL, 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("-1", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("+1", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint(" 1", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("1 ", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("1x", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("0x1", 10, &v), EINVAL);
    assert_int_equal(ls_parse_uint("1.0", 10, &v), EINVAL);
    assert_int_equal(v, 12345);
}

static void
test_parse_mac(void **state)
{
    static const char *const bad[] = {
        "",
        "00:11:22:33:44",
        "00:11:22:33:44:",
        "00:11:22:33:44:55:",
        "00:11:22:33:44:55:66",
        "00:11:22:33:44:5g",
        "000:11:22:33:44:55",
        "100:11:22:33:44:55",
        "00-11-22-33-44-55",
        "00:11:22:33:44:55 ",
        " 00:11:22:33:44:55",
        "0x0:11:22:33:44:55",
        ":11:22:33:44:55",
        "00::22:33:44:55",
        "-1:11:22:33:44:55",
        "+1:11:22:33:44:55",
        "001122334455",
        "ffffffffffffffffffffffff:0:0:0:0:0",
    };
    unsigned char m[6];
    size_t i;

    assert_int_equal(ls_parse_mac("00:11:22:aa:BB:ff", m), 0);
    assert_memory_equal(
        m, ((unsigned char[]){0x00, 0x11, 0x22, 0xaa, 0xbb, 0xff}), 6);
    assert_int_equal(ls_parse_mac("0:1:2:3:4:5", m), 0);
    assert_memory_equal(m, ((unsigned char[]){0, 1, 2, 3, 4, 5}), 6);
    assert_int_equal(ls_parse_mac("02.00.0a.0b.0c.0d", m), 0);
    assert_memory_equal(m, ((unsigned char[]){2, 0, 0xa, 0xb, 0xc, 0xd}), 6);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(m, 0x77, sizeof m);
        if (ls_parse_mac(bad[i], m) != EINVAL) {
            fail_msg("'%s' accepted", bad[i]);
        }
    }
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_showinfo_exact),
        T(test_setnumports),
        T(test_unknown_command),
        T(test_port_print_fresh),
        T(test_port_allprint_exact),
        T(test_einval),
        T(test_enxio),
        T(test_prefix_matching),
        T(test_empty_and_comments),
        T(test_logout_shutdown_session),
        T(test_help),
        T(test_load),
        T(test_vlan_commands),
        T(test_hash_commands),
        T(test_long_line),
        T(test_register_overflow),
        cmocka_unit_test(test_args_split),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_parse_mac),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
