/* Unit tests for VLAN membership (switch/vlan.c). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "switch/vlan.h"

static int
setup(void **state)
{
    struct ls_vlans *vl;

    assert_int_equal(ls_vlans_create(100, &vl), 0);
    assert_non_null(vl);
    *state = vl;
    return 0;
}

static int
teardown(void **state)
{
    ls_vlans_destroy(*state);
    return 0;
}

static void
test_initial(void **state)
{
    struct ls_vlans *vl = *state;

    assert_int_equal(ls_vlans_count(vl), 1);
    assert_true(ls_vlan_exists(vl, 0));
    assert_false(ls_vlan_exists(vl, 1));
    assert_false(ls_vlan_exists(vl, LS_VLAN_NONE));
    assert_false(ls_vlan_exists(vl, 4096));
    assert_false(ls_vlan_exists(vl, 100000));
    assert_false(ls_vlan_has_members(vl, 0));
    assert_false(ls_vlan_is_member(vl, 0, 0));
    assert_int_equal(ls_vlan_next(vl, -1), 0);
    assert_int_equal(ls_vlan_next(vl, 0), LS_VLAN_MAX + 1);
    ls_vlans_destroy(NULL);
}

static void
test_create_ranges(void **state)
{
    struct ls_vlans *vl = *state;
    unsigned int v, n;

    assert_int_equal(ls_vlan_create(vl, 0), EINVAL);
    assert_int_equal(ls_vlan_create(vl, 1), 0);
    assert_int_equal(ls_vlan_create(vl, 4093), 0);
    assert_int_equal(ls_vlan_create(vl, 4094), EINVAL);
    assert_int_equal(ls_vlan_create(vl, 4095), EINVAL);
    assert_int_equal(ls_vlan_create(vl, 4096), EINVAL);
    assert_int_equal(ls_vlan_create(vl, (unsigned int) -1), EINVAL);
    assert_int_equal(ls_vlan_create(vl, 1), EEXIST);
    assert_int_equal(ls_vlan_create(vl, 4093), EEXIST);
    assert_int_equal(ls_vlan_create(vl, 10), 0);
    assert_int_equal(ls_vlans_count(vl), 4);
    assert_true(ls_vlan_exists(vl, 1));
    assert_true(ls_vlan_exists(vl, 10));
    assert_true(ls_vlan_exists(vl, 4093));
    assert_false(ls_vlan_exists(vl, 4094));

    /* Iteration in order. */
    n = 0;
    for (v = ls_vlan_next(vl, -1); v <= LS_VLAN_MAX;
         v = ls_vlan_next(vl, (int) v)) {
        static const unsigned int expect[] = {0, 1, 10, 4093};

        assert_true(n < 4);
        assert_int_equal(v, expect[n]);
        n++;
    }
    assert_int_equal(n, 4);
}

static void
test_remove(void **state)
{
    struct ls_vlans *vl = *state;

    assert_int_equal(ls_vlan_remove(vl, 0), EINVAL);
    assert_int_equal(ls_vlan_remove(vl, 4095), EINVAL);
    assert_int_equal(ls_vlan_remove(vl, 4094), ENXIO);
    assert_int_equal(ls_vlan_remove(vl, 7), ENXIO);

    assert_int_equal(ls_vlan_create(vl, 7), 0);
    assert_int_equal(ls_vlan_set_member(vl, 7, 3, true, true), 0);
    assert_int_equal(ls_vlan_set_member(vl, 7, 99, true, false), 0);
    assert_true(ls_vlan_has_members(vl, 7));
    assert_int_equal(ls_vlan_remove(vl, 7), EADDRINUSE);
    assert_true(ls_vlan_exists(vl, 7));
    assert_int_equal(ls_vlan_set_member(vl, 7, 3, false, false), 0);
    assert_int_equal(ls_vlan_remove(vl, 7), EADDRINUSE);
    assert_int_equal(ls_vlan_set_member(vl, 7, 99, false, false), 0);
    assert_false(ls_vlan_has_members(vl, 7));
    assert_int_equal(ls_vlan_remove(vl, 7), 0);
    assert_false(ls_vlan_exists(vl, 7));
    assert_int_equal(ls_vlans_count(vl), 1);
    assert_int_equal(ls_vlan_remove(vl, 7), ENXIO);

    /* A removed VLAN comes back empty. */
    assert_int_equal(ls_vlan_create(vl, 7), 0);
    assert_false(ls_vlan_has_members(vl, 7));
    assert_false(ls_vlan_is_member(vl, 7, 3));
}

static void
test_membership(void **state)
{
    struct ls_vlans *vl = *state;

    assert_int_equal(ls_vlan_create(vl, 10), 0);
    assert_int_equal(ls_vlan_set_member(vl, 0, 1, true, false), 0);
    assert_int_equal(ls_vlan_set_member(vl, 10, 1, true, true), 0);
    assert_int_equal(ls_vlan_set_member(vl, 10, 2, true, false), 0);
    assert_int_equal(ls_vlan_set_member(vl, 10, 64, true, true), 0);

    assert_true(ls_vlan_is_member(vl, 0, 1));
    assert_false(ls_vlan_is_tagged(vl, 0, 1));
    assert_true(ls_vlan_is_member(vl, 10, 1));
    assert_true(ls_vlan_is_tagged(vl, 10, 1));
    assert_true(ls_vlan_is_member(vl, 10, 2));
    assert_false(ls_vlan_is_tagged(vl, 10, 2));
    assert_true(ls_vlan_is_member(vl, 10, 64));
    assert_true(ls_vlan_is_tagged(vl, 10, 64));
    assert_false(ls_vlan_is_member(vl, 0, 2));
    assert_false(ls_vlan_is_member(vl, 10, 3));
    assert_false(ls_vlan_is_member(vl, 10, 63));
    assert_false(ls_vlan_is_member(vl, 10, 65));
    assert_false(ls_vlan_is_member(vl, 11, 1));
    assert_false(ls_vlan_is_tagged(vl, 11, 1));

    /* Tagged becomes untagged and back. */
    assert_int_equal(ls_vlan_set_member(vl, 10, 1, true, false), 0);
    assert_true(ls_vlan_is_member(vl, 10, 1));
    assert_false(ls_vlan_is_tagged(vl, 10, 1));
    assert_int_equal(ls_vlan_set_member(vl, 10, 1, true, true), 0);
    assert_true(ls_vlan_is_tagged(vl, 10, 1));
    /* Leaving clears the tagged bit too. */
    assert_int_equal(ls_vlan_set_member(vl, 10, 1, false, true), 0);
    assert_false(ls_vlan_is_member(vl, 10, 1));
    assert_false(ls_vlan_is_tagged(vl, 10, 1));
    assert_int_equal(ls_vlan_set_member(vl, 10, 1, true, false), 0);
    assert_false(ls_vlan_is_tagged(vl, 10, 1));

    /* Errors. */
    assert_int_equal(ls_vlan_set_member(vl, 10, 100, true, true), EINVAL);
    assert_int_equal(ls_vlan_set_member(vl, 10, 1000, true, true), EINVAL);
    assert_int_equal(ls_vlan_set_member(vl, 11, 1, true, true), ENXIO);
    assert_int_equal(ls_vlan_set_member(vl, 4095, 1, true, true), ENXIO);
    assert_int_equal(ls_vlan_set_member(vl, 5000, 1, true, true), ENXIO);
    assert_false(ls_vlan_is_member(vl, 10, 100));
    assert_false(ls_vlan_is_member(vl, 10, 5000));

    /* Dropping a port removes it from every VLAN, and only it. */
    ls_vlan_drop_port(vl, 1);
    assert_false(ls_vlan_is_member(vl, 0, 1));
    assert_false(ls_vlan_is_member(vl, 10, 1));
    assert_true(ls_vlan_is_member(vl, 10, 2));
    assert_true(ls_vlan_is_member(vl, 10, 64));
    ls_vlan_drop_port(vl, 100000); /* Out of range: ignored. */
    assert_true(ls_vlan_has_members(vl, 10));
}

/* Marks ports 'ports' members of VLANs 0 (untagged) and 10 (tagged if the
 * port is odd). */
static void
add_members(struct ls_vlans *vl, const unsigned int *ports, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        assert_int_equal(ls_vlan_set_member(vl, 0, ports[i], true, false), 0);
        assert_int_equal(
            ls_vlan_set_member(vl, 10, ports[i], true, ports[i] % 2), 0);
    }
}

static void
test_resize(void **state)
{
    static const unsigned int ports[] = {0, 5, 35, 63, 64, 65, 99};
    struct ls_vlans *vl = *state;
    size_t i;

    assert_int_equal(ls_vlan_create(vl, 10), 0);
    add_members(vl, ports, sizeof ports / sizeof *ports);

    /* Growing keeps everything. */
    assert_int_equal(ls_vlans_resize(vl, 300), 0);
    for (i = 0; i < sizeof ports / sizeof *ports; i++) {
        assert_true(ls_vlan_is_member(vl, 0, ports[i]));
        assert_true(ls_vlan_is_member(vl, 10, ports[i]));
        assert_int_equal(ls_vlan_is_tagged(vl, 10, ports[i]), ports[i] % 2);
    }
    assert_int_equal(ls_vlan_set_member(vl, 10, 299, true, true), 0);
    assert_int_equal(ls_vlan_set_member(vl, 10, 300, true, true), EINVAL);

    /* Shrinking to fewer words keeps memberships below the new size. */
    assert_int_equal(ls_vlans_resize(vl, 64), 0);
    for (i = 0; i < sizeof ports / sizeof *ports; i++) {
        bool kept = ports[i] < 64;

        assert_int_equal(ls_vlan_is_member(vl, 0, ports[i]), kept);
        assert_int_equal(ls_vlan_is_member(vl, 10, ports[i]), kept);
        assert_int_equal(ls_vlan_is_tagged(vl, 10, ports[i]),
                         kept && ports[i] % 2);
    }
    assert_int_equal(ls_vlan_set_member(vl, 10, 64, true, true), EINVAL);

    /* Shrinking within the same word drops the ports above too. */
    assert_int_equal(ls_vlans_resize(vl, 36), 0);
    assert_true(ls_vlan_is_member(vl, 10, 35));
    assert_true(ls_vlan_is_tagged(vl, 10, 35));
    assert_false(ls_vlan_is_member(vl, 10, 63));
    assert_int_equal(ls_vlans_resize(vl, 35), 0);
    assert_false(ls_vlan_is_member(vl, 10, 35));
    assert_true(ls_vlan_is_member(vl, 10, 5));

    /* Growing again does not bring dropped memberships back. */
    assert_int_equal(ls_vlans_resize(vl, 200), 0);
    for (i = 0; i < sizeof ports / sizeof *ports; i++) {
        bool kept = ports[i] < 35;

        assert_int_equal(ls_vlan_is_member(vl, 0, ports[i]), kept);
        assert_int_equal(ls_vlan_is_member(vl, 10, ports[i]), kept);
        assert_int_equal(ls_vlan_is_tagged(vl, 10, ports[i]),
                         kept && ports[i] % 2);
    }
    assert_false(ls_vlan_is_member(vl, 10, 299));
    assert_false(ls_vlan_is_member(vl, 10, 199));

    /* A VLAN created after a resize has bitmaps of the new size. */
    assert_int_equal(ls_vlan_create(vl, 20), 0);
    assert_int_equal(ls_vlan_set_member(vl, 20, 199, true, true), 0);
    assert_true(ls_vlan_is_tagged(vl, 20, 199));
    assert_int_equal(ls_vlans_resize(vl, 1), 0);
    assert_false(ls_vlan_has_members(vl, 20));
    assert_true(ls_vlan_is_member(vl, 10, 0));
    assert_int_equal(ls_vlan_remove(vl, 20), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_initial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_membership, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
