/* SPDX-License-Identifier: MIT */
/*
 * names.h: what dmarc-report calls a source IP: its reverse DNS name (from
 * the dns_cache table, else resolved within the time budget and cached:
 * the only write dmarc-report makes, skipped on a read-only database) and
 * its sender name (senders.h).  Only definite answers are cached (a name,
 * or no name); a timeout or a server failure never is, and a server that
 * answers nothing stops the run's lookups (rdns.h).  Owns the resolver and
 * the cache handle it opens; a command asks for the IPs it shows, all at
 * once.
 */
#ifndef DM_NAMES_H
#define DM_NAMES_H

#include <stddef.h>

#include "rdns.h"
#include "report.h"
#include "senders.h"

/* The PTR names of out[0..n) (ip set by the caller): from the cache while
 * younger than the TTL; the rest resolved (unless --no-dns) in parallel
 * within the budget and cached.  An IP left without a name has status
 * other than RDNS_OK.  0, or 2 with c->err set. */
int names_ptr(struct report_ctx *c, struct rdns_result *out, size_t n);

/* The sender's name for an IP and its PTR name (NULL when unknown). */
const char *names_sender(const struct report_ctx *c, const char *ip,
    const char *ptr);

/* senders_identify (senders.h) with the command's senders table: the name
 * of a source from its IP, its PTR name ("" or NULL: none) and the
 * authentication domains that passed on its mail, most messages first. */
void names_identify(const struct report_ctx *c, const char *ip,
    const char *ptr, const char *policy_domain, const char *const *auth,
    size_t n, struct sender_id *out, char *buf, size_t buflen);

/* 1 with a one-line warning in buf when the DNS server answered nothing
 * and the run's lookups stopped (main prints it); else 0. */
int names_warning(const struct report_ctx *c, char *buf, size_t len);

/* Frees what names_* opened (at the end of main). */
void names_close(struct report_ctx *c);

#endif
