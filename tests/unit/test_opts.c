/* Unit tests for the command line (switch/opts.c). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "switch/opts.h"

#define MAX_ARGS 32

/* Parses the NULL-terminated argument list (program name first) into 'o'
 * and returns the result; 'err' receives the message. */
static int
parse_args(struct ls_opts *o, char *err, size_t err_size, ...)
{
    static char store[MAX_ARGS][256];
    char *argv[MAX_ARGS + 1];
    const char *a;
    va_list ap;
    int argc = 0;

    va_start(ap, err_size);
    while ((a = va_arg(ap, const char *)) != NULL) {
        assert_true(argc < MAX_ARGS);
        assert_true(strlen(a) < sizeof store[argc]);
        strcpy(store[argc], a);
        argv[argc] = store[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    err[0] = '\0';
    return ls_opts_parse(argc, argv, o, err, err_size);
}

#define PARSE(o, err, ...) parse_args(o, err, sizeof err, __VA_ARGS__, NULL)

static void
test_defaults(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch"), 0);
    assert_string_equal(err, "");
    assert_int_equal(o.cfg.numports, 32);
    assert_false(o.cfg.hub);
    assert_int_equal(o.cfg.hashsize, 128);
    assert_int_equal(o.mode, -1);
    assert_int_equal(o.dirmode, -1);
    assert_int_equal(o.mgmt_mode, 0600);
    assert_null(o.mgmt);
    assert_null(o.pidfile);
    assert_null(o.rcfile);
    assert_null(o.group);
    assert_false(o.daemon);
    assert_false(o.fstp);
    assert_false(o.mac_given);
    assert_false(o.help);
    assert_false(o.version);
    assert_false(o.nostdin);
    assert_string_equal(o.sock,
                        geteuid() == 0 ? "/var/run/vde.ctl" : "/tmp/vde.ctl");
}

static void
test_numports(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "-n", "0"), EINVAL);
    assert_string_equal(err, "The switch must have at least 1 port");

    assert_int_equal(PARSE(&o, err, "linkswitch", "-n", "4"), 0);
    assert_int_equal(o.cfg.numports, 4);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--numports", "0x10"), 0);
    assert_int_equal(o.cfg.numports, 16);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-numports=7"), 0);
    assert_int_equal(o.cfg.numports, 7);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-n", "-3"), EINVAL);
    assert_non_null(strstr(err, "-3"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-n", "x"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-n", "65536"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-n"), EINVAL);
    assert_true(strlen(err) > 0);
}

static void
test_sock_single_dash(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "-sock", "/tmp/sw1"), 0);
    assert_string_equal(o.sock, "/tmp/sw1");
    assert_int_equal(PARSE(&o, err, "linkswitch", "--sock", "/tmp/sw2"), 0);
    assert_string_equal(o.sock, "/tmp/sw2");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-s", "/tmp/sw3"), 0);
    assert_string_equal(o.sock, "/tmp/sw3");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-unix", "/tmp/sw4"), 0);
    assert_string_equal(o.sock, "/tmp/sw4");
    assert_int_equal(PARSE(&o, err, "linkswitch", "--vdesock=/tmp/sw5"), 0);
    assert_string_equal(o.sock, "/tmp/sw5");
}

static void
test_macaddr(void **state)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0xaa, 0xbb, 0xcc, 0x01};
    struct ls_opts o;
    char err[256];

    assert_int_equal(
        PARSE(&o, err, "linkswitch", "--macaddr", "02:00:aa:bb:cc:01"), 0);
    assert_true(o.mac_given);
    assert_memory_equal(o.cfg.mac, mac, 6);

    assert_int_equal(PARSE(&o, err, "linkswitch", "--macaddr", "02:00:zz"),
                     EINVAL);
    assert_string_equal(err, "Invalid MAC Addr 02:00:zz");
    assert_int_equal(
        PARSE(&o, err, "linkswitch", "--macaddr", "02:00:aa:bb:cc:01:02"),
        EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--macaddr", ""), EINVAL);
}

static void
test_unknown_option(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "--bogus"), EINVAL);
    assert_non_null(strstr(err, "--bogus"));
    assert_non_null(strstr(err, "unrecognized option"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-q"), EINVAL);
    assert_non_null(strstr(err, "q"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-x", "-bogus"), EINVAL);
    assert_non_null(strstr(err, "bogus"));
    /* A missing argument is an error too. */
    assert_int_equal(PARSE(&o, err, "linkswitch", "--sock"), EINVAL);
    assert_string_equal(err, "option '--sock' needs an argument");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-n"), EINVAL);
    assert_string_equal(err, "option '-n' needs an argument");
    /* A too small message buffer is not overrun. */
    {
        char small[8];

        memset(small, 'z', sizeof small);
        assert_int_equal(parse_args(&o, small, 4, "linkswitch",
                                    "--a-very-long-unknown-option", NULL),
                         EINVAL);
        assert_int_equal(strlen(small), 3);
        assert_int_equal(small[4], 'z');
    }
}

static void
test_stray_argument(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "stray"), EINVAL);
    assert_string_equal(err, "unexpected argument 'stray'");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-x", "foo", "-F"), EINVAL);
    assert_string_equal(err, "unexpected argument 'foo'");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-s", "/tmp/a", "--", "b"),
                     EINVAL);
    assert_string_equal(err, "unexpected argument 'b'");
}

static void
test_many_options(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "-x", "-F", "-d", "-p",
                           "/tmp/ls.pid", "-f", "/tmp/ls.rc", "-M",
                           "/tmp/ls.mgmt", "--mgmtmode", "660", "--hashsize",
                           "0x100"),
                     0);
    assert_string_equal(err, "");
    assert_true(o.cfg.hub);
    assert_true(o.fstp);
    assert_true(o.daemon);
    assert_string_equal(o.pidfile, "/tmp/ls.pid");
    assert_string_equal(o.rcfile, "/tmp/ls.rc");
    assert_string_equal(o.mgmt, "/tmp/ls.mgmt");
    assert_int_equal(o.mgmt_mode, 0660);
    assert_int_equal(o.cfg.hashsize, 256);
    /* Untouched by these options. */
    assert_int_equal(o.cfg.numports, 32);
    assert_int_equal(o.mode, -1);

    /* Long forms, modes and groups. */
    assert_int_equal(PARSE(&o, err, "linkswitch", "--hub", "--daemon",
                           "--mode", "0666", "--dirmode", "2775", "-g", "kvm",
                           "--mgmtgroup", "adm", "--nostdin"),
                     0);
    assert_true(o.cfg.hub);
    assert_true(o.daemon);
    assert_int_equal(o.mode, 0666);
    assert_int_equal(o.dirmode, 02775);
    assert_string_equal(o.group, "kvm");
    assert_string_equal(o.mgmt_group, "adm");
    assert_true(o.nostdin);

    /* A fresh parse starts from the defaults again. */
    assert_int_equal(PARSE(&o, err, "linkswitch"), 0);
    assert_false(o.cfg.hub);
    assert_false(o.daemon);
    assert_int_equal(o.mode, -1);
    assert_int_equal(o.cfg.hashsize, 128);
}

static void
test_bad_values(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "--mgmtmode", "9"), EINVAL);
    assert_non_null(strstr(err, "--mgmtmode"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-m", "abc"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-m", "17777"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--hashsize", "0"), EINVAL);
    assert_non_null(strstr(err, "hash size"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "--hashsize", "-1"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--macmax", "0"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--expire", "0"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--queue", "0"), EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--priority", "x"), EINVAL);

    assert_int_equal(PARSE(&o, err, "linkswitch", "--macmax", "100",
                           "--expire", "30", "--queue", "64", "--priority",
                           "0x12345"),
                     0);
    assert_int_equal(o.cfg.fdb_max, 100);
    assert_int_equal(o.cfg.expire_s, 30);
    assert_int_equal(o.cfg.queue_frames, 64);
    assert_int_equal(o.priority, 0x2345);
}

static void
test_help_version(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "-h"), 0);
    assert_true(o.help);
    assert_int_equal(PARSE(&o, err, "linkswitch", "--version"), 0);
    assert_true(o.version);
    assert_false(o.help);
    /* -t NAME: a tap on the next free port; a bad name is a clear error. */
    assert_int_equal(PARSE(&o, err, "linkswitch", "-t", "tap0"), 0);
    assert_int_equal(o.n_attach, 1);
    assert_true(o.attach[0].tap);
    assert_string_equal(o.attach[0].url, "tap0");
    assert_int_equal(PARSE(&o, err, "linkswitch", "-t", "a/b"), EINVAL);
    assert_non_null(strstr(err, "a/b"));
}

static void
test_attach(void **state)
{
    struct ls_opts o;
    char err[256];

    assert_int_equal(PARSE(&o, err, "linkswitch", "-a", "3=tap://tap0", "-t",
                           "tap1", "--attach",
                           "4=tun://tun0?addr=10.0.0.1/24"),
                     0);
    assert_int_equal(o.n_attach, 3);
    assert_int_equal(o.attach[0].port, 3);
    assert_string_equal(o.attach[0].url, "tap://tap0");
    assert_false(o.attach[0].tap);
    assert_true(o.attach[1].tap);
    assert_int_equal(o.attach[2].port, 4);

    /* Errors name the argument, and the URL's problem. */
    assert_int_equal(PARSE(&o, err, "linkswitch", "-a", "tap://tap0"), EINVAL);
    assert_non_null(strstr(err, "N=URL"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-a", "x=tap://tap0"),
                     EINVAL);
    assert_int_equal(PARSE(&o, err, "linkswitch", "-a", "2=vde:///tmp/sw"),
                     EINVAL);
    assert_non_null(strstr(err, "unknown URL scheme"));
    assert_int_equal(PARSE(&o, err, "linkswitch", "-a", "2=tun://t0"), EINVAL);
    assert_non_null(strstr(err, "addr="));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_numports),
        cmocka_unit_test(test_sock_single_dash),
        cmocka_unit_test(test_macaddr),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_attach),
        cmocka_unit_test(test_stray_argument),
        cmocka_unit_test(test_many_options),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_help_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
