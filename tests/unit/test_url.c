/* Unit tests for ls_url_parse() and ls_url_format(): host-side port
 * URLs. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "plug/url.h"

static const uint8_t mac1[6] = {0xaa, 0xbb, 0xcc, 0x0d, 0x0e, 0x0f};

/* Parses 's', which must fail, and checks that the message names
 * 'needle'. */
static void
expect_error(const char *s, const char *needle)
{
    struct ls_url u;
    char err[256];

    assert_int_equal(ls_url_parse(s, &u, err, sizeof err), EINVAL);
    if (!strstr(err, needle)) {
        fail_msg("'%s': message '%s' does not mention '%s'", s, err, needle);
    }
}

static void
test_tap(void **state)
{
    struct ls_url u;
    char err[256], buf[256];

    assert_int_equal(ls_url_parse("tap://tap0", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, LS_URL_TAP);
    assert_string_equal(u.ifname, "tap0");
    assert_false(u.by_mac);
    ls_url_format(&u, buf, sizeof buf);
    assert_string_equal(buf, "tap://tap0");

    /* Empty name: the kernel chooses. */
    assert_int_equal(ls_url_parse("tap://", &u, err, sizeof err), 0);
    assert_string_equal(u.ifname, "");

    /* 15 characters fit, 16 do not. */
    assert_int_equal(
        ls_url_parse("tap://abcdefghijklmno", &u, err, sizeof err), 0);
    expect_error("tap://abcdefghijklmnop", "too long");
    expect_error("tap://a/b", "invalid interface name");
    expect_error("tap://a b", "invalid interface name");
    expect_error("tap://..", "invalid interface name");
    expect_error("tap://tap0?immediate=0", "unknown option 'immediate'");
}

static void
test_host(void **state)
{
    struct ls_url u;
    char err[256], buf[256];

    assert_int_equal(ls_url_parse("host://eth0", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, LS_URL_HOST);
    assert_string_equal(u.ifname, "eth0");
    assert_true(u.immediate);
    assert_true(u.promisc);

    assert_int_equal(ls_url_parse("host://eth0?immediate=0&promisc=off", &u,
                                  err, sizeof err),
                     0);
    assert_false(u.immediate);
    assert_false(u.promisc);
    ls_url_format(&u, buf, sizeof buf);
    assert_string_equal(buf, "host://eth0?immediate=0&promisc=0");

    assert_int_equal(
        ls_url_parse("host://mac=AA:bb:cc:0d:0e:0f", &u, err, sizeof err), 0);
    assert_true(u.by_mac);
    assert_memory_equal(u.mac, mac1, 6);
    assert_string_equal(u.ifname, "");
    ls_url_format(&u, buf, sizeof buf);
    assert_string_equal(buf, "host://mac=aa:bb:cc:0d:0e:0f");
    assert_int_equal(ls_url_parse("host://mac=aa-bb-cc-0d-0e-0f?promisc=1", &u,
                                  err, sizeof err),
                     0);
    assert_memory_equal(u.mac, mac1, 6);

    expect_error("host://", "needs an interface");
    expect_error("host://mac=aa:bb:cc:dd:ee", "not a unicast MAC");
    expect_error("host://mac=aa:bb:cc:dd:ee:fg", "not a unicast MAC");
    expect_error("host://mac=aa:bb:cc:dd:ee:ff:00", "not a unicast MAC");
    expect_error("host://mac=01:00:5e:00:00:01", "not a unicast MAC");
    expect_error("host://eth0?immediate=2", "bad value '2' for immediate");
    expect_error("host://eth0?promisc", "KEY=VALUE");
    expect_error("host://eth0?=1", "KEY=VALUE");
    expect_error("host://eth0?addr=10.0.0.1/24", "unknown option 'addr'");
}

static void
test_tun(void **state)
{
    static const uint8_t own[6] = {0x02, 0, 0, 0, 0, 0x42};
    struct ls_url u;
    char err[256], buf[256];
    struct in_addr a4;
    struct in6_addr a6;

    assert_int_equal(ls_url_parse("tun://tun0?addr=10.0.0.1/24&addr6=fd00::1/"
                                  "64&addr=192.0.2.7&mac=02:00:00:00:00:42",
                                  &u, err, sizeof err),
                     0);
    assert_int_equal(u.kind, LS_URL_TUN);
    assert_string_equal(u.ifname, "tun0");
    assert_int_equal(u.n_addr4, 2);
    inet_pton(AF_INET, "10.0.0.1", &a4);
    assert_memory_equal(&u.addr4[0].addr, &a4, 4);
    assert_int_equal(u.addr4[0].plen, 24);
    inet_pton(AF_INET, "192.0.2.7", &a4);
    assert_memory_equal(&u.addr4[1].addr, &a4, 4);
    assert_int_equal(u.addr4[1].plen, 32); /* No /P: a host address. */
    assert_int_equal(u.n_addr6, 1);
    inet_pton(AF_INET6, "fd00::1", &a6);
    assert_memory_equal(&u.addr6[0].addr, &a6, 16);
    assert_int_equal(u.addr6[0].plen, 64);
    assert_true(u.has_own_mac);
    assert_memory_equal(u.own_mac, own, 6);
    ls_url_format(&u, buf, sizeof buf);
    assert_string_equal(buf, "tun://tun0?addr=10.0.0.1/24&addr=192.0.2.7/32&"
                             "addr6=fd00::1/64&mac=02:00:00:00:00:42");

    /* The formatted URL parses back to the same thing. */
    {
        struct ls_url v;

        assert_int_equal(ls_url_parse(buf, &v, err, sizeof err), 0);
        assert_memory_equal(&u, &v, sizeof u);
    }

    expect_error("tun://tun0", "needs the tun side's address");
    expect_error("tun://tun0?addr=10.0.0.256/24", "not an IPv4 address");
    expect_error("tun://tun0?addr=10.0.0.1/33", "not an IPv4 address");
    expect_error("tun://tun0?addr=10.0.0.1/", "not an IPv4 address");
    expect_error("tun://tun0?addr=10.0.0.1/2x", "not an IPv4 address");
    expect_error("tun://tun0?addr6=fd00::1/129", "not an IPv6 address");
    expect_error("tun://tun0?addr6=10.0.0.1", "not an IPv6 address");
    expect_error("tun://tun0?addr=1.1.1.1&addr=1.1.1.2&addr=1.1.1.3&"
                 "addr=1.1.1.4&addr=1.1.1.5",
                 "too many addr=");
    expect_error("tun://tun0?addr=10.0.0.1&mac=ff:ff:ff:ff:ff:ff",
                 "not a unicast MAC");
    expect_error("tun://tun0?addr=10.0.0.1&promisc=1",
                 "unknown option 'promisc'");
}

static void
test_bad_urls(void **state)
{
    char long_url[LS_URL_MAX + 10];

    expect_error("eth0", "not a port URL");
    expect_error("", "not a port URL");
    expect_error("vde:///tmp/sw", "unknown URL scheme 'vde'");
    expect_error("TAP://tap0", "unknown URL scheme 'TAP'");
    expect_error("://x", "unknown URL scheme ''");
    memset(long_url, 'a', sizeof long_url - 1);
    memcpy(long_url, "tap://", 6);
    long_url[sizeof long_url - 1] = '\0';
    expect_error(long_url, "too long");
}

static void
test_ifname_valid(void **state)
{
    assert_true(ls_url_ifname_valid("eth0"));
    assert_true(ls_url_ifname_valid("veth-a.10"));
    assert_false(ls_url_ifname_valid(""));
    assert_false(ls_url_ifname_valid("."));
    assert_false(ls_url_ifname_valid("a:1"));
    assert_false(ls_url_ifname_valid("a\tb"));
    assert_false(ls_url_ifname_valid("0123456789abcdef"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap),          cmocka_unit_test(test_host),
        cmocka_unit_test(test_tun),          cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_ifname_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
