/* SPDX-License-Identifier: MIT */
/*
 * rdns.h: reverse DNS for source IPs, behind a small interface so that
 * tests need no network: a c-ares backend (parallel queries, a per-lookup
 * timeout and a total budget, forward-confirmed: PTR, then A/AAAA back to
 * the IP) and a fixture backend (an "ip name [unconfirmed]" file).  The
 * resolver owns its state; results are written into the caller's array.
 */
#ifndef DM_RDNS_H
#define DM_RDNS_H

#include <stddef.h>

enum rdns_status {
	RDNS_OK,		/* a name (confirmed or not) */
	RDNS_NONAME,		/* NXDOMAIN or no PTR record */
	RDNS_TIMEOUT,		/* no answer within the timeout or the budget */
	RDNS_ERROR		/* anything else (server failure, bad reply) */
};

struct rdns_result {
	char ip[48];		/* in: canonical IP text */
	enum rdns_status status;
	char name[256];		/* the PTR name, lowercase, no trailing dot */
	int confirmed;		/* the name resolves back to the IP */
};

struct rdns;

/* c-ares with the system's resolv.conf, or `server` ("127.0.0.1:5353",
 * "[::1]:53"; NULL: the system's).  timeout_ms per lookup.  NULL with a
 * reason in err when c-ares cannot start. */
struct rdns *rdns_cares_new(const char *server, int timeout_ms, char *err,
    size_t errlen);

/* The fixture backend: lines "IP NAME" (confirmed) or "IP NAME unconfirmed"
 * or "IP -" (no name); '#' comments; IPs not listed are RDNS_NONAME. */
struct rdns *rdns_fixture_new(const char *path, char *err, size_t errlen);

/* Resolves out[0..n) (their ip set by the caller) in parallel; stops at
 * budget_ms in all, marking what is left RDNS_TIMEOUT.  The first wave
 * (min(n, 64) lookups) goes out alone; when none of it gets a reply (each
 * timed out, or the server's port refused it), the server is taken for
 * dead (rdns_silent), what is left is RDNS_TIMEOUT, and later calls look
 * nothing up.  0, or -1 when the resolver failed as a whole. */
int rdns_resolve(struct rdns *r, struct rdns_result *out, size_t n,
    int budget_ms);

/* The number of lookups that went unanswered when rdns_resolve took the
 * server for dead; 0 while it answers (always 0 for the fixture). */
size_t rdns_silent(const struct rdns *r);

void rdns_free(struct rdns *r);

#endif
