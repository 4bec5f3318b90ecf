/* Unit tests for linkctl's reply parsers and JSON output
 * (mgmt/linkctl_json.c). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/linkctl.h"

/* Output of one call, as a string (freed by the caller). */
struct capture {
    char *buf;
    size_t size;
    FILE *f;
};

static void
capture_start(struct capture *c)
{
    c->buf = NULL;
    c->size = 0;
    c->f = open_memstream(&c->buf, &c->size);
    assert_non_null(c->f);
}

static char *
capture_end(struct capture *c)
{
    fclose(c->f);
    return c->buf;
}

static void
check_string(const char *in, const char *want)
{
    struct capture c;
    char *got;

    capture_start(&c);
    lc_json_string(c.f, in);
    got = capture_end(&c);
    assert_string_equal(got, want);
    free(got);
}

/* Builds a reply from 'lines' (NULL-terminated), runs lc_json_reply() for
 * 'cmd' and compares with 'want' (without the final newline). */
static void
check_reply(const char *cmd, const char *const *lines, int code,
            const char *text, const char *want)
{
    struct lc_reply r;
    struct capture c;
    char *got;
    size_t n;

    lc_reply_init(&r);
    for (; lines && *lines; lines++) {
        lc_reply_add_line(&r, *lines);
    }
    lc_reply_set_result(&r, code, text);
    capture_start(&c);
    lc_json_reply(c.f, cmd, &r);
    got = capture_end(&c);
    n = strlen(got);
    assert_true(n > 0 && got[n - 1] == '\n');
    got[n - 1] = '\0';
    assert_string_equal(got, want);
    free(got);
    lc_reply_free(&r);
}

static void
test_string_escapes(void **state)
{
    check_string("plain", "\"plain\"");
    check_string("", "\"\"");
    check_string("a\"b\\c", "\"a\\\"b\\\\c\"");
    check_string("t\tn\nr\r", "\"t\\tn\\nr\\r\"");
    check_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
}

static void
test_string_utf8(void **state)
{
    /* Valid sequences pass unchanged. */
    check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                 "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* Invalid bytes become U+FFFD, one per byte. */
    check_string("a\xff"
                 "b",
                 "\"a\\ufffdb\"");
    check_string("\xc0\x80", "\"\\ufffd\\ufffd\"");            /* Overlong. */
    check_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* Surrogate. */
    check_string("\xe2\x82", "\"\\ufffd\\ufffd\"");            /* Truncated. */
    check_string("\xf5\x80\x80\x80",
                 "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF. */
}

static void
test_command_lookup(void **state)
{
    assert_string_equal(lc_json_command("port/print"), "port/print");
    assert_string_equal(lc_json_command("port/print 3"), "port/print");
    assert_string_equal(lc_json_command("  port/allprint"), "port/allprint");
    assert_string_equal(lc_json_command("showinfoXYZ"), "showinfo");
    assert_string_equal(lc_json_command("port/showinfo"), "port/showinfo");
    assert_string_equal(lc_json_command("hash/find 1:2:3:4:5:6"), "hash/find");
    assert_null(lc_json_command("port/setlink 1 down"));
    assert_null(lc_json_command("help"));
}

static void
test_ports(void **state)
{
    static const char *const lines[] = {
        "Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable",
        " Current User: root Access Control: (User: NONE - Group: NONE)",
        " IN:  pkts          5          bytes                  300",
        " OUT: pkts          7          bytes                  420",
        "  -- endpoint ID 0009 module unix prog   : say \"hi\" \\ there",
        "  -- endpoint ID 0007 module tuntap      : tap0",
        " LINK: down (admin down, carrier up)",
        " DROPS: runt 1 giant 0 link 4 vlan 0 queue 0 error 0",
        "Port 0005 untagged_vlan=4095 INACTIVE - NOT Unnamed Allocatable",
        " Current User: NONE Access Control: (User: 1234 - Group: staff)",
        " IN:  pkts          0          bytes                    0",
        " OUT: pkts          0          bytes                    0",
        NULL,
    };

    check_reply("port/allprint", lines, 0, "Success",
                "[{\"num\":1,\"untagged_vlan\":0,\"active\":true,"
                "\"allocatable\":true,\"current_user\":\"root\","
                "\"acl\":{\"user\":null,\"group\":null},"
                "\"in\":{\"pkts\":5,\"bytes\":300},"
                "\"out\":{\"pkts\":7,\"bytes\":420},"
                "\"endpoints\":[{\"id\":9,\"module\":\"unix prog\","
                "\"descr\":\"say \\\"hi\\\" \\\\ there\"},"
                "{\"id\":7,\"module\":\"tuntap\",\"descr\":\"tap0\"}],"
                "\"link\":{\"state\":\"down\",\"admin\":\"down\","
                "\"carrier\":\"up\"},"
                "\"drops\":{\"runt\":1,\"giant\":0,\"link\":4,\"vlan\":0,"
                "\"queue\":0,\"error\":0}},"
                "{\"num\":5,\"untagged_vlan\":4095,\"active\":false,"
                "\"allocatable\":false,\"current_user\":null,"
                "\"acl\":{\"user\":\"1234\",\"group\":\"staff\"},"
                "\"in\":{\"pkts\":0,\"bytes\":0},"
                "\"out\":{\"pkts\":0,\"bytes\":0},\"endpoints\":[]}]");
    check_reply("port/print", NULL, 0, "Success", "[]");
}

static void
test_vlans(void **state)
{
    static const char *const lines[] = {
        "VLAN 0000",
        " -- Port 0001 tagged=0 active=1 status=Forwarding",
        " -- Port 0002 tagged=0 active=0 status=Learning",
        "VLAN 0010",
        "VLAN 0020",
        " -- Port 0001 tagged=1 active=1 status=Discarding",
        NULL,
    };

    check_reply("vlan/allprint", lines, 0, "Success",
                "[{\"vlan\":0,\"ports\":["
                "{\"port\":1,\"tagged\":false,\"active\":true,"
                "\"status\":\"Forwarding\"},"
                "{\"port\":2,\"tagged\":false,\"active\":false,"
                "\"status\":\"Learning\"}]},"
                "{\"vlan\":10,\"ports\":[]},"
                "{\"vlan\":20,\"ports\":[{\"port\":1,\"tagged\":true,"
                "\"active\":true,\"status\":\"Discarding\"}]}]");
    check_reply("vlan/print", NULL, 0, "Success", "[]");
}

static void
test_hash(void **state)
{
    static const char *const lines[] = {
        "Hash: 0009 Addr: 02:00:00:00:00:0a VLAN 0000 to port: 003  age 1 "
        "secs",
        "Hash: 0120 Addr: 52:54:00:12:34:56 VLAN 0010 to port: 012  age 42 "
        "secs",
        NULL,
    };

    check_reply("hash/print", lines, 0, "Success",
                "[{\"bucket\":9,\"mac\":\"02:00:00:00:00:0a\",\"vlan\":0,"
                "\"port\":3,\"age\":1},"
                "{\"bucket\":120,\"mac\":\"52:54:00:12:34:56\",\"vlan\":10,"
                "\"port\":12,\"age\":42}]");
    check_reply("hash/find 02:00:00:00:00:0a", lines, 0, "Success",
                "{\"bucket\":9,\"mac\":\"02:00:00:00:00:0a\",\"vlan\":0,"
                "\"port\":3,\"age\":1}");
    check_reply("hash/print", NULL, 0, "Success", "[]");
}

static void
test_showinfos(void **state)
{
    static const char *const info[] = {
        "VDE switch V.2.3.2 (linkswitch 0.1.0)",
        "(C) someone",
        "",
        "pid 42 MAC 00:ff:01:02:03:04 uptime 7",
        "mgmt /tmp/a dir/x perm x.mgmt perm 0600",
        NULL,
    };
    static const char *const stock_info[] = {
        "VDE switch V.2.3.2",
        "(C) Virtual Square Team",
        "",
        "pid 1 MAC 00:ff:01:02:03:04 uptime 0",
        NULL,
    };
    static const char *const port[] = {
        "Numports=32", "HUB=false", "counters=true", "Name=x y", NULL,
    };
    static const char *const hash[] = {
        "Hash size 128",          "GC interval 2 secs",  "GC expire 300 secs",
        "Min persistence 3 secs", "Entries 5 max 16384", NULL,
    };
    static const char *const ds[] = {
        "ctl dir /run/vde.ctl",
        "std mode 0600",
        NULL,
    };

    check_reply("showinfo", info, 0, "Success",
                "{\"banner\":[\"VDE switch V.2.3.2 (linkswitch 0.1.0)\","
                "\"(C) someone\"],\"version\":\"2.3.2\","
                "\"linkswitch\":\"0.1.0\",\"pid\":42,"
                "\"mac\":\"00:ff:01:02:03:04\",\"uptime\":7,"
                "\"mgmt\":\"/tmp/a dir/x perm x.mgmt\","
                "\"mgmt_perm\":\"0600\"}");
    check_reply("showinfo", stock_info, 0, "Success",
                "{\"banner\":[\"VDE switch V.2.3.2\","
                "\"(C) Virtual Square Team\"],\"version\":\"2.3.2\","
                "\"pid\":1,\"mac\":\"00:ff:01:02:03:04\",\"uptime\":0,"
                "\"mgmt\":null,\"mgmt_perm\":null}");
    check_reply("port/showinfo", port, 0, "Success",
                "{\"numports\":32,\"hub\":false,\"counters\":true,"
                "\"name\":\"x y\"}");
    check_reply("hash/showinfo", hash, 0, "Success",
                "{\"hash_size\":128,\"gc_interval\":2,\"gc_expire\":300,"
                "\"min_persistence\":3,\"entries\":5,\"max_entries\":16384}");
    check_reply("ds/showinfo", ds, 0, "Success",
                "{\"ctl_dir\":\"/run/vde.ctl\",\"std_mode\":\"0600\"}");
}

static void
test_results(void **state)
{
    static const char *const out[] = {"Port 0004", NULL};

    check_reply("vlan/create 10", NULL, 0, "Success", "{\"result\":\"ok\"}");
    check_reply("port/createauto", out, 0, "Success",
                "{\"result\":\"ok\",\"output\":[\"Port 0004\"]}");
    check_reply("port/print 5", NULL, ENXIO, "No such device or address",
                "{\"result\":\"error\",\"errno\":6,"
                "\"error\":\"No such device or address\"}");
    check_reply("load /x", out, ENOENT, "No such file or directory",
                "{\"result\":\"error\",\"errno\":2,"
                "\"error\":\"No such file or directory\","
                "\"output\":[\"Port 0004\"]}");
}

static void
test_events(void **state)
{
    struct capture c;
    const char *text;
    char tag[4], cat[32];
    char *got;

    assert_true(lc_is_event_line("3031 port/ep/+ Port 01 FD  6"));
    assert_false(lc_is_event_line("1000 Success"));
    assert_false(lc_is_event_line("303 x"));
    assert_false(lc_is_event_line("30311"));
    assert_int_equal(lc_parse_event("3023 port/descr Port 01 FD  6 -> \"x\"",
                                    tag, cat, sizeof cat, &text),
                     0);
    assert_string_equal(tag, "023");
    assert_string_equal(cat, "port/descr");
    assert_string_equal(text, "Port 01 FD  6 -> \"x\"");
    assert_int_equal(
        lc_parse_event("3022 port/-", tag, cat, sizeof cat, &text), 0);
    assert_string_equal(cat, "port/-");
    assert_string_equal(text, "");
    assert_int_equal(
        lc_parse_event("1000 Success", tag, cat, sizeof cat, &text), EINVAL);

    capture_start(&c);
    assert_int_equal(lc_json_event(c.f, "3023 port/descr Port 01 FD  6 -> "
                                        "\"vdeplug: a\\b\""),
                     0);
    got = capture_end(&c);
    assert_string_equal(got, "{\"tag\":\"023\",\"category\":\"port/descr\","
                             "\"text\":\"Port 01 FD  6 -> \\\"vdeplug: "
                             "a\\\\b\\\"\"}\n");
    free(got);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_string_utf8),
        cmocka_unit_test(test_command_lookup),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_vlans),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_showinfos),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_events),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
