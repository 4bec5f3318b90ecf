/* Unit tests for ls_vde_req_parse(): the VDE attach request. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "plug/vde_req.h"

#define SUN_PATH_LEN 108

/* Offsets of the v3 layout (reference §1.3). */
#define V3_TYPE 8
#define V3_FAMILY 12
#define V3_PATH 14

/* Offsets of the v1 layout (reference §1.6). */
#define V1_MAC 8
#define V1_FAMILY 14
#define V1_PATH 16

static void
put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

static void
put_u16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

/* Builds a v3 request in 'buf' and returns its length. */
static size_t
build_v3(uint8_t *buf, uint32_t version, uint32_t type, uint16_t family,
         const char *path, const void *descr, size_t descr_len)
{
    memset(buf, 0, LS_VDE_REQ_V3_SIZE);
    put_u32(buf, LS_VDE_MAGIC);
    put_u32(buf + 4, version);
    put_u32(buf + V3_TYPE, type);
    put_u16(buf + V3_FAMILY, family);
    memcpy(buf + V3_PATH, path, strnlen(path, SUN_PATH_LEN));
    if (descr_len) {
        memcpy(buf + LS_VDE_REQ_V3_SIZE, descr, descr_len);
    }
    return LS_VDE_REQ_V3_SIZE + descr_len;
}

/* Builds a v1 request: magic, type, MAC, sockaddr_un, description. */
static size_t
build_v1(uint8_t *buf, uint32_t type, const char *path, const char *descr)
{
    static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    size_t dlen = descr ? strlen(descr) : 0;

    memset(buf, 0, LS_VDE_REQ_V1_SIZE);
    put_u32(buf, LS_VDE_MAGIC);
    put_u32(buf + 4, type);
    memcpy(buf + V1_MAC, mac, sizeof mac);
    put_u16(buf + V1_FAMILY, AF_UNIX);
    memcpy(buf + V1_PATH, path, strnlen(path, SUN_PATH_LEN));
    if (dlen) {
        memcpy(buf + LS_VDE_REQ_V1_SIZE, descr, dlen);
    }
    return LS_VDE_REQ_V1_SIZE + dlen;
}

/* Parses the request and checks that a failure comes
 * with a reason and that the strings are terminated. */
static int
parse(const uint8_t *buf, size_t len, struct ls_vde_req *req)
{
    char why[128];
    int error;

    memset(why, 0, sizeof why);
    memset(req, 0xa5, sizeof *req);
    error = ls_vde_req_parse(buf, len, req, why, sizeof why);
    if (error) {
        assert_true(strlen(why) > 0);
    }
    /* The result is always terminated. */
    assert_non_null(memchr(req->path, '\0', sizeof req->path));
    assert_non_null(memchr(req->descr, '\0', sizeof req->descr));
    return error;
}

/* The 149 bytes captured from `vde_plug /tmp/demo/sw1` (little-endian). */
static void
test_captured_vdeplug4(void **state)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const uint8_t head[] = {0xce, 0xfa, 0xed, 0xfe, 0x03, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};
    const char *path = "/tmp/demo/sw1/.07057-00000";
    const char *descr = "vdeplug: user=root pid=7057";
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len = 0;

    memset(buf, 0, sizeof buf);
    memcpy(buf, head, sizeof head);
    len = sizeof head;
    memcpy(buf + len, path, strlen(path));
    len += strlen(path) + 82;
    assert_int_equal(len, LS_VDE_REQ_V3_SIZE);
    memcpy(buf + len, descr, strlen(descr));
    len += strlen(descr);
    assert_int_equal(len, 149);

    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.version, 3);
    assert_int_equal(req.type, LS_VDE_NEW_CONTROL);
    assert_int_equal(req.port, 0);
    assert_string_equal(req.path, path);
    assert_string_equal(req.descr, descr);
#else
    skip();
#endif
}

static void
test_v3_no_descr(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len = build_v3(buf, 3, 0, AF_UNIX, "/x", NULL, 0);

    assert_int_equal(len, LS_VDE_REQ_V3_SIZE);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.version, 3);
    assert_int_equal(req.port, 0);
    assert_string_equal(req.path, "/x");
    assert_string_equal(req.descr, "");
}

static void
test_v3_new_port0(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len;

    len = build_v3(buf, 3, LS_VDE_NEW_PORT0, AF_UNIX, "/tmp/p0", "q", 1);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.type, LS_VDE_NEW_PORT0);
    assert_int_equal(req.port, 0);
    assert_string_equal(req.path, "/tmp/p0");
    assert_string_equal(req.descr, "q");

    /* The port bits are ignored for REQ_NEW_PORT0. */
    len = build_v3(buf, 3, (5u << 8) | LS_VDE_NEW_PORT0, AF_UNIX, "/tmp/p0",
                   NULL, 0);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.type, LS_VDE_NEW_PORT0);
    assert_int_equal(req.port, 0);
}

static void
test_v3_port_in_high_bits(void **state)
{
    static const uint32_t ports[] = {1, 7, 255, 256, 65535, 0xffffff};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t i, len;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* QEMU port=7: type bytes 00 07 00 00. */
    len = build_v3(buf, 3, 0, AF_UNIX, "/q", NULL, 0);
    buf[V3_TYPE + 1] = 0x07;
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.type, LS_VDE_NEW_CONTROL);
    assert_int_equal(req.port, 7);
#endif
    for (i = 0; i < sizeof ports / sizeof *ports; i++) {
        len = build_v3(buf, 3, ports[i] << 8, AF_UNIX, "/q", NULL, 0);
        assert_int_equal(parse(buf, len, &req), 0);
        assert_int_equal(req.type, LS_VDE_NEW_CONTROL);
        assert_int_equal(req.port, ports[i]);
    }
}

static void
test_v1_legacy(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len;

    /* Version word 0: REQ_NEW_CONTROL. */
    len = build_v1(buf, 0, "/tmp/old.sock", "legacy client");
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.version, 1);
    assert_int_equal(req.type, LS_VDE_NEW_CONTROL);
    assert_int_equal(req.port, 0);
    assert_string_equal(req.path, "/tmp/old.sock");
    assert_string_equal(req.descr, "legacy client");

    /* Version word 1: REQ_NEW_PORT0. */
    len = build_v1(buf, 1, "/tmp/old.sock", NULL);
    assert_int_equal(len, LS_VDE_REQ_V1_SIZE);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(req.version, 1);
    assert_int_equal(req.type, LS_VDE_NEW_PORT0);
    assert_string_equal(req.descr, "");

    /* A v1 request with a port in the high bits is not a v1 request. */
    len = build_v1(buf, 3u << 8, "/tmp/old.sock", NULL);
    assert_int_equal(parse(buf, len, &req), EPROTO);

    /* Short v1 request. */
    len = build_v1(buf, 0, "/tmp/old.sock", NULL);
    assert_int_equal(parse(buf, len - 1, &req), EINVAL);

    /* Malformed socket address in a v1 request. */
    len = build_v1(buf, 0, "", NULL);
    assert_int_equal(parse(buf, len, &req), EINVAL);
    len = build_v1(buf, 0, "/tmp/old.sock", NULL);
    put_u16(buf + V1_FAMILY, AF_INET);
    assert_int_equal(parse(buf, len, &req), EINVAL);
}

static void
test_short_buffers(void **state)
{
    static const size_t lens[] = {0, 1, 4, 7, 8, 9, 12, 14, 100, 121};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t i;

    build_v3(buf, 3, 0, AF_UNIX, "/tmp/s", NULL, 0);
    for (i = 0; i < sizeof lens / sizeof *lens; i++) {
        assert_int_equal(parse(buf, lens[i], &req), EINVAL);
    }
    assert_int_equal(parse(buf, LS_VDE_REQ_V3_SIZE, &req), 0);

    /* A NULL buffer of length 0 must not be read. */
    assert_int_equal(parse(NULL, 0, &req), EINVAL);
}

static void
test_bad_magic(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len = build_v3(buf, 3, 0, AF_UNIX, "/tmp/s", NULL, 0);
    uint32_t m;

    put_u32(buf, 0xcefaedfe); /* Byte-swapped. */
    assert_int_equal(parse(buf, len, &req), EPROTO);
    put_u32(buf, 0);
    assert_int_equal(parse(buf, len, &req), EPROTO);
    m = LS_VDE_MAGIC ^ 1;
    put_u32(buf, m);
    assert_int_equal(parse(buf, len, &req), EPROTO);
    /* Bad magic in just 8 bytes: not ours, whatever follows. */
    assert_int_equal(parse(buf, 8, &req), EPROTO);
}

static void
test_bad_version(void **state)
{
    static const uint32_t versions[] = {2, 4, 5, 0x100, 0xffffffff};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t i, len;

    for (i = 0; i < sizeof versions / sizeof *versions; i++) {
        len = build_v3(buf, versions[i], 0, AF_UNIX, "/tmp/s", NULL, 0);
        assert_int_equal(parse(buf, len, &req), EPROTO);
    }
}

static void
test_bad_type(void **state)
{
    static const uint32_t types[] = {2, 3, 0xff, (7u << 8) | 2, 0x80};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t i, len;

    for (i = 0; i < sizeof types / sizeof *types; i++) {
        len = build_v3(buf, 3, types[i], AF_UNIX, "/tmp/s", NULL, 0);
        assert_int_equal(parse(buf, len, &req), EPROTO);
    }
}

static void
test_bad_family(void **state)
{
    static const uint16_t families[] = {0, AF_INET, AF_INET6, 0x0100};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t i, len;

    for (i = 0; i < sizeof families / sizeof *families; i++) {
        len = build_v3(buf, 3, 0, families[i], "/tmp/s", NULL, 0);
        assert_int_equal(parse(buf, len, &req), EINVAL);
    }
}

static void
test_empty_path(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len = build_v3(buf, 3, 0, AF_UNIX, "", NULL, 0);

    assert_int_equal(parse(buf, len, &req), EINVAL);

    /* Bytes after a leading NUL do not make a path. */
    buf[V3_PATH + 1] = 'x';
    assert_int_equal(parse(buf, len, &req), EINVAL);
}

static void
test_path_lengths(void **state)
{
    char path[SUN_PATH_LEN + 1];
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len;

    /* 107 characters and a NUL: the longest path. */
    memset(path, 'a', sizeof path);
    path[0] = '/';
    path[SUN_PATH_LEN - 1] = '\0';
    len = build_v3(buf, 3, 0, AF_UNIX, path, "d", 1);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(strlen(req.path), SUN_PATH_LEN - 1);
    assert_string_equal(req.path, path);
    assert_string_equal(req.descr, "d");

    /* 108 characters, no NUL: the description would run into it. */
    memset(path, 'b', SUN_PATH_LEN);
    path[SUN_PATH_LEN] = '\0';
    len = build_v3(buf, 3, 0, AF_UNIX, path, "descr", 5);
    assert_int_equal(parse(buf, len, &req), EINVAL);
    len = build_v3(buf, 3, 0, AF_UNIX, path, NULL, 0);
    assert_int_equal(parse(buf, len, &req), EINVAL);
}

static void
test_descr_control_chars(void **state)
{
    static const uint8_t d[] = {'a', '\t', 'b',  0x01, 'c', 0x7f,
                                'd', 0x80, 0xff, '\n', 'e', '\r'};
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    size_t len = build_v3(buf, 3, 0, AF_UNIX, "/s", d, sizeof d);

    assert_int_equal(parse(buf, len, &req), 0);
    assert_string_equal(req.descr, "a?b?c?d???e?");

    /* An embedded NUL ends the description. */
    len = build_v3(buf, 3, 0, AF_UNIX, "/s", "ab\0cd", 5);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_string_equal(req.descr, "ab");
}

static void
test_descr_too_long(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    uint8_t d[LS_VDE_REQ_MAX - LS_VDE_REQ_V3_SIZE];
    struct ls_vde_req req;
    size_t i, len;

    for (i = 0; i < sizeof d; i++) {
        d[i] = (uint8_t) ('A' + i % 26);
    }
    len = build_v3(buf, 3, 0, AF_UNIX, "/s", d, sizeof d);
    assert_int_equal(len, LS_VDE_REQ_MAX);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(strlen(req.descr), LS_DESCR_MAX - 1);
    assert_memory_equal(req.descr, d, LS_DESCR_MAX - 1);

    /* Exactly one byte less than the buffer: kept whole. */
    len = build_v3(buf, 3, 0, AF_UNIX, "/s", d, LS_DESCR_MAX - 1);
    assert_int_equal(parse(buf, len, &req), 0);
    assert_int_equal(strlen(req.descr), LS_DESCR_MAX - 1);
}

static void
test_why_truncated(void **state)
{
    uint8_t buf[LS_VDE_REQ_MAX];
    struct ls_vde_req req;
    char why[8];
    size_t len = build_v3(buf, 7, 0, AF_UNIX, "/s", NULL, 0);

    memset(why, 'z', sizeof why);
    assert_int_equal(ls_vde_req_parse(buf, len, &req, why, 4), EPROTO);
    assert_int_equal(strlen(why), 3);
    assert_int_equal(why[4], 'z');
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_vdeplug4),
        cmocka_unit_test(test_v3_no_descr),
        cmocka_unit_test(test_v3_new_port0),
        cmocka_unit_test(test_v3_port_in_high_bits),
        cmocka_unit_test(test_v1_legacy),
        cmocka_unit_test(test_short_buffers),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_bad_family),
        cmocka_unit_test(test_empty_path),
        cmocka_unit_test(test_path_lengths),
        cmocka_unit_test(test_descr_control_chars),
        cmocka_unit_test(test_descr_too_long),
        cmocka_unit_test(test_why_truncated),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
