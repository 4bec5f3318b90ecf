#ifndef LS_URL_H
#define LS_URL_H 1

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Port URLs of host-side backends, in the style of vdeplug4:
 *
 *   tap://NAME                      a tap (created, or a persistent one)
 *   tun://NAME?addr=A.B.C.D/P&addr6=X::Y/P[&mac=MAC]
 *                                   an L3 tun bridged into the segment
 *   host://IFNAME[?immediate=0|1&promisc=0|1]
 *   host://mac=AA:BB:CC:DD:EE:FF[?...]
 *                                   a host NIC through libpcap
 *
 * Options follow '?' and are separated by '&'; addr and addr6 may be
 * repeated.  The parser is pure (no system calls), so it is unit-tested. */

enum ls_url_kind {
    LS_URL_TAP,
    LS_URL_TUN,
    LS_URL_HOST,
};

#define LS_URL_MAX_ADDRS 4
#define LS_URL_MAX 512 /* Longest URL accepted, '\0' excluded. */

struct ls_url_addr4 {
    struct in_addr addr;
    unsigned int plen; /* 0..32 */
};

struct ls_url_addr6 {
    struct in6_addr addr;
    unsigned int plen; /* 0..128 */
};

struct ls_url {
    enum ls_url_kind kind;
    char ifname[IF_NAMESIZE]; /* Empty: host://mac=, or tap:// whose name
                               * the kernel chooses. */
    bool by_mac;              /* host://mac=: bind the NIC with 'mac'. */
    uint8_t mac[6];

    /* host:// */
    bool immediate; /* libpcap immediate mode (default on). */
    bool promisc;   /* Promiscuous mode (default on). */

    /* tun:// */
    bool has_own_mac; /* mac= given: the port's own MAC. */
    uint8_t own_mac[6];
    unsigned int n_addr4, n_addr6;
    struct ls_url_addr4 addr4[LS_URL_MAX_ADDRS];
    struct ls_url_addr6 addr6[LS_URL_MAX_ADDRS];
};

int ls_url_parse(const char *, struct ls_url *, char *err, size_t err_size);
void ls_url_format(const struct ls_url *, char *buf, size_t size);
const char *ls_url_scheme(enum ls_url_kind);
bool ls_url_ifname_valid(const char *);

#endif
