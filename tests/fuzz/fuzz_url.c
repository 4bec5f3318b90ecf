/* libFuzzer harness: the port URL parser on arbitrary strings.
 *
 * Besides the sanitizers, checks what ls_url_parse() promises: EINVAL with
 * a message, or a URL whose canonical form (ls_url_format()) parses back
 * to the same thing. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plug/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_url: broken promise: %s\n", what);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[LS_URL_MAX + 64], err[256], canon[1024];
    struct ls_url u, v;
    int error;

    if (size >= sizeof s) {
        size = sizeof s - 1;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    error = ls_url_parse(s, &u, err, sizeof err);
    check(!error || error == EINVAL, "result");
    if (error) {
        check(err[0] != '\0', "message");
        return 0;
    }
    check(memchr(u.ifname, '\0', sizeof u.ifname) != NULL, "name end");
    check(!u.ifname[0] || ls_url_ifname_valid(u.ifname), "name valid");
    check(u.kind != LS_URL_HOST || u.by_mac || u.ifname[0], "host target");
    check(u.kind != LS_URL_TUN || u.n_addr4 || u.n_addr6, "tun address");
    check(u.n_addr4 <= LS_URL_MAX_ADDRS && u.n_addr6 <= LS_URL_MAX_ADDRS,
          "address count");
    ls_url_format(&u, canon, sizeof canon);
    check(!ls_url_parse(canon, &v, err, sizeof err), "canonical form parses");
    check(!memcmp(&u, &v, sizeof u), "canonical form is the same URL");
    return 0;
}
