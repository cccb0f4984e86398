/* SPDX-License-Identifier: MIT */
/* cares_io.c: the shared c-ares socket table and poll step (see cares_io.h). */
#include "cares_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int users;		/* cares_io_library_up calls not yet downed */

int
cares_io_library_up(void)
{
	int rc;

	if (users == 0 && (rc = ares_library_init(ARES_LIB_INIT_ALL)) !=
	    ARES_SUCCESS)
		return rc;
	users++;
	return 0;
}

void
cares_io_library_down(void)
{
	if (users > 0 && --users == 0)
		ares_library_cleanup();
}

int
cares_io_channel(ares_channel *channel, struct cares_io *io,
    const char *server, int timeout_ms, int edns_size, char *err,
    size_t errlen)
{
	struct ares_options opt;
	char lookups[] = "b";
	int rc, mask;

	if ((rc = cares_io_library_up()) != 0) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	memset(&opt, 0, sizeof opt);
	opt.timeout = timeout_ms;
	opt.tries = 1;
	opt.ndomains = 0;
	opt.domains = NULL;
	opt.lookups = lookups;
	opt.sock_state_cb = cares_io_sock_state;
	opt.sock_state_cb_data = io;
	mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS |
	    ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB;
	if (edns_size > 0) {
		/* NOCHECKRESP: SERVFAIL and REFUSED reach us as such (c-ares
		 * 1.18 would otherwise report them as ECONNREFUSED after
		 * trying the next server) */
		opt.flags = ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP;
		opt.ednspsz = edns_size;
		mask |= ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ;
	}
	if ((rc = ares_init_options(channel, &opt, mask)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		cares_io_library_down();
		return -1;
	}
	if (server != NULL &&
	    (rc = ares_set_servers_ports_csv(*channel, server)) != ARES_SUCCESS) {
		snprintf(err, errlen, "DNS server \"%s\": %s", server,
		    ares_strerror(rc));
		ares_destroy(*channel);
		cares_io_library_down();
		return -1;
	}
	return 0;
}

void
cares_io_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct cares_io *io = data;
	size_t i;

	for (i = 0; i < io->nsocks; i++)
		if (io->socks[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < io->nsocks)
			io->socks[i] = io->socks[--io->nsocks];
		return;
	}
	if (i == io->nsocks) {
		if (io->nsocks == CARES_IO_MAX_SOCKS) {
			io->overflow = 1;
			return;
		}
		io->nsocks++;
	}
	io->socks[i].fd = fd;
	io->socks[i].events = (short)((readable ? POLLIN : 0) |
	    (writable ? POLLOUT : 0));
	io->socks[i].revents = 0;
}

int
cares_io_step(ares_channel channel, struct cares_io *io, int64_t left_ms)
{
	struct pollfd fds[CARES_IO_MAX_SOCKS];
	struct timeval maxtv, tv, *tvp;
	size_t i, nfds;
	int ms, rc;

	if (left_ms >= 0) {
		maxtv.tv_sec = (time_t)(left_ms / 1000);
		maxtv.tv_usec = (suseconds_t)(left_ms % 1000) * 1000;
		tvp = ares_timeout(channel, &maxtv, &tv);
	} else
		tvp = ares_timeout(channel, NULL, &tv);
	ms = tvp == NULL ? 1000 : (int)(tvp->tv_sec * 1000 +
	    (tvp->tv_usec + 999) / 1000);
	nfds = io->nsocks;
	memcpy(fds, io->socks, nfds * sizeof fds[0]);
	rc = poll(fds, (nfds_t)nfds, ms);
	if (rc == -1 && errno != EINTR)
		return -1;
	if (rc <= 0) {
		ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return 0;
	}
	for (i = 0; i < nfds; i++) {
		short ev = fds[i].revents;

		if (ev == 0)
			continue;
		ares_process_fd(channel,
		    ev & (POLLIN | POLLERR | POLLHUP | POLLNVAL) ?
		    fds[i].fd : ARES_SOCKET_BAD,
		    ev & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD);
	}
	return 0;
}
