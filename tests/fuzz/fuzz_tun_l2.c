/* libFuzzer harness: the L2 face of tun ports (plug/tun_l2.c) on arbitrary
 * frames from the switch and packets from the tun.
 *
 * The input is a sequence of records: one control byte (bit 0: direction,
 * bits 1-7: milliseconds to advance the clock), a length byte, and that
 * many bytes.  One state lives across the records of an input, so that
 * learning, held packets and the queue interact.  Besides the sanitizers,
 * checks that queued frames are sane Ethernet frames from the port and
 * that the queue stays bounded. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plug/plug.h"
#include "plug/tun_l2.h"
#include "plug/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_tun_l2: broken promise: %s\n", what);
        abort();
    }
}

static const uint8_t port_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static uint8_t frame[LS_FRAME_MAX + 1];
static uint8_t out[LS_FRAME_MAX + 1];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ls_tun_l2 l2;
    static struct ls_url url;
    uint64_t now = 0;
    size_t off;

    if (!url.n_addr4) {
        char err[128];

        check(!ls_url_parse("tun://t?addr=10.0.0.1/24&addr=192.0.2.1&"
                            "addr6=fd00::1/64&addr6=fe80::1/64",
                            &url, err, sizeof err),
              "url");
    }
    ls_tun_l2_init(&l2, port_mac, &url);
    while (size >= 2) {
        uint8_t ctl = data[0];
        size_t len = data[1];

        data += 2;
        size -= 2;
        if (len > size) {
            len = size;
        }
        now += ctl >> 1;
        if (ctl & 1) {
            size_t flen = len < LS_TUN_PEEK ? len : LS_TUN_PEEK;
            enum ls_tun_rx r;

            r = ls_tun_l2_from_switch(&l2, data, flen, len, now, &off);
            check(r != LS_TUN_TO_TUN || (off == 14 && off <= len), "offset");
        } else {
            memcpy(frame + 14, data, len);
            if (ls_tun_l2_from_tun(&l2, frame, len, now) == LS_TUN_SEND) {
                check(!memcmp(frame + 6, port_mac, 6), "source MAC");
            }
        }
        data += len;
        size -= len;
        check(l2.out_count <= LS_TUN_OUT, "queue bound");
        while (ls_tun_l2_pending(&l2)) {
            size_t n = ls_tun_l2_pop(&l2, out, sizeof out);

            check(n >= 14, "queued frame length");
            check(!memcmp(out + 6, port_mac, 6), "queued frame source");
        }
    }
    ls_tun_l2_fini(&l2);
    return 0;
}
