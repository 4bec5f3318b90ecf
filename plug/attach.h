#ifndef LS_ATTACH_H
#define LS_ATTACH_H 1

#include <stddef.h>
#include <stdint.h>

/* Attaching port URLs (tap://, tun://, host://) to ports: the console's
 * port/attach and port/detach, and the command line's -a and -t. */

struct ls_switch;

int ls_plug_attach(struct ls_switch *, uint32_t port, const char *url,
                   unsigned int *portp, char *err, size_t err_size);
int ls_plug_detach(struct ls_switch *, unsigned int port, char *err,
                   size_t err_size);

#endif
