/* SPDX-License-Identifier: MIT */
/* cares_io.c: the shared c-ares socket table and poll step (see cares_io.h). */
#include "cares_io.h"

#include <errno.h>
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
