/* SPDX-License-Identifier: MIT */
/*
 * cares_io.h: the one c-ares event loop of dmarc-report, shared by rdns.c
 * (PTR lookups) and dnsq.c (forward questions): the c-ares library's
 * reference count, the table of sockets c-ares asks us to watch, and one
 * poll step bounded by a deadline.  The callers own their channels and
 * decide when to stop; this module owns only the sockets and the waiting.
 */
#ifndef DM_CARES_IO_H
#define DM_CARES_IO_H

#include <ares.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/* Sockets c-ares may hold open at once (one UDP, one TCP per server). */
#define CARES_IO_MAX_SOCKS 64

struct cares_io {
	struct pollfd socks[CARES_IO_MAX_SOCKS];
	size_t nsocks;
	int overflow;		/* c-ares wanted more sockets than we hold */
};

/* ares_library_init on the first user, ares_library_cleanup after the
 * last; 0, or an ares status (the library could not start). */
int cares_io_library_up(void);
void cares_io_library_down(void);

/* A channel as both resolvers want it: DNS only (no /etc/hosts), no
 * search domains, one try per server, timeout_ms per question, its sockets
 * in io, the servers of `server` (c-ares CSV; NULL: resolv.conf).  edns_size
 * > 0 adds EDNS0 of that size and ARES_FLAG_NOCHECKRESP.  Takes a library
 * reference (cares_io_library_down after ares_destroy).  0, or -1 with err. */
int cares_io_channel(ares_channel *channel, struct cares_io *io,
    const char *server, int timeout_ms, int edns_size, char *err,
    size_t errlen);

/* The ARES_OPT_SOCK_STATE_CB callback; its data is a struct cares_io. */
void cares_io_sock_state(void *data, ares_socket_t fd, int readable,
    int writable);

/* Waits for the channel's sockets at most until c-ares's own timeout or
 * left_ms (negative: no bound of ours), then lets c-ares process what is
 * ready (or its timeouts).  0, or -1 when poll failed. */
int cares_io_step(ares_channel channel, struct cares_io *io, int64_t left_ms);

#endif
