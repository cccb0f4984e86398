/* SPDX-License-Identifier: MIT */
/*
 * spf.h: checks a domain's published SPF record as a receiver would read
 * it (RFC 7208), without a sending IP: exactly one v=spf1 record, its
 * terms, and every include and redirect followed, counting the DNS-querying
 * terms (limit 10, 4.6.4) and the void lookups (limit 2), finding loops,
 * +all, ?all, ptr and over-long records.  Pure: DNS comes through the
 * caller's lookup function.  A result owns its strings (spf_free).
 */
#ifndef DM_SPF_H
#define DM_SPF_H

#include <stddef.h>

#include "dnsq.h"
#include "msglist.h"

#define SPF_MAX_LOOKUPS 10	/* RFC 7208 4.6.4 */
#define SPF_MAX_VOID 2		/* RFC 7208 4.6.4 */
/* Records followed (the domain's, its includes and redirects): 10 lookups
 * allow 11 records; 64 shows how far past the limit a tree goes while a
 * hostile zone cannot make us walk forever. */
#define SPF_MAX_NODES 64
/* Include depth followed; a real tree is 3 or 4 deep. */
#define SPF_MAX_DEPTH 10
/* Over this, a record may not fit a 512-byte UDP reply (RFC 7208 3.4). */
#define SPF_LONG_RECORD 450

struct spf_node {
	char domain[DNSQ_NAME_LEN];
	const char *via;	/* "" for the domain, "include" or "redirect" */
	int depth;		/* 0 for the domain */
	char *record;		/* the v=spf1 record, NULL when none was read */
	int lookups;		/* DNS lookups: the include or redirect itself
				 * and the terms in its record and below; for
				 * the domain, the whole tree's */
	char *problem;		/* why it was not read or followed, or NULL */
};

struct spf_result {
	char *record;		/* the domain's own v=spf1 record, or NULL */
	int lookups;		/* DNS-querying terms in the whole tree */
	int void_lookups;
	int dns_failed;		/* a lookup had no usable answer */
	struct spf_node nodes[SPF_MAX_NODES];	/* depth first, in order */
	size_t nnodes;
	struct msglist errors;	/* receivers get permerror/temperror/pass-all */
	struct msglist warnings;
};

/* Checks the SPF record of `domain` (lowercase).  0, or -1 when out of
 * memory or when lookup failed (out is freed then). */
int spf_check(const char *domain, dnsq_lookup_fn lookup, void *arg,
    struct spf_result *out);

/* 1 when the tree includes `domain` (include or redirect) at any depth. */
int spf_has_include(const struct spf_result *r, const char *domain);

void spf_free(struct spf_result *r);

#endif
