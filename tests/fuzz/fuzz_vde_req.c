/* libFuzzer harness: the VDE attach request parser on arbitrary bytes.
 *
 * Besides the sanitizers, checks what ls_vde_req_parse() promises: a known
 * result, a reason on failure, and on success a terminated non-empty path
 * and a terminated description of printable characters. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plug/vde_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_vde_req: broken promise: %s\n", what);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ls_vde_req req;
    char why[128], tiny[1];
    size_t i, n;
    int error;

    memset(why, 0, sizeof why);
    error = ls_vde_req_parse(data, size, &req, why, sizeof why);
    check(!error || error == EINVAL || error == EPROTO, "result");
    check(memchr(req.path, '\0', sizeof req.path) != NULL, "path end");
    check(memchr(req.descr, '\0', sizeof req.descr) != NULL, "descr end");
    if (error) {
        check(why[0] != '\0', "reason");
    } else {
        check(req.version == 1 || req.version == 3, "version");
        check(req.type == LS_VDE_NEW_CONTROL || req.type == LS_VDE_NEW_PORT0,
              "type");
        check(req.type != LS_VDE_NEW_PORT0 || req.port == 0, "port 0");
        check(size >=
                  (req.version == 1 ? LS_VDE_REQ_V1_SIZE : LS_VDE_REQ_V3_SIZE),
              "size");
        n = strlen(req.path);
        check(n > 0 && n < 108, "path length");
        n = strlen(req.descr);
        check(n < LS_DESCR_MAX, "descr length");
        for (i = 0; i < n; i++) {
            check(req.descr[i] >= 0x20 && req.descr[i] < 0x7f, "descr char");
        }
    }

    /* The same with no room for a reason: the same result. */
    tiny[0] = 'z';
    check(ls_vde_req_parse(data, size, &req, tiny, sizeof tiny) == error,
          "result with a small reason buffer");
    check(!error || tiny[0] == '\0', "small reason buffer terminated");
    return 0;
}
