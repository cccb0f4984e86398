/* SPDX-License-Identifier: MIT */
/*
 * dmarcdns.h: finds the DMARC record a receiver would use for a domain
 * (_dmarc.DOMAIN, else _dmarc.ORGDOMAIN: RFC 7489 6.6.3), lints it
 * (lint.h), and when there is none at _dmarc.DOMAIN says which usual
 * mistake was made: the record at dmarc.DOMAIN, at _dmarc.DOMAIN.DOMAIN
 * (the zone name typed twice), at DOMAIN itself, or split over several TXT
 * records.  More than one DMARC record is an error.  For every rua/ruf host
 * outside the domain, the authorization record DOMAIN._report._dmarc.HOST
 * (RFC 7489 7.1) is looked up.  DNS comes through the caller's lookup
 * function.  A result owns its strings (dmarc_dns_free).
 */
#ifndef DM_DMARCDNS_H
#define DM_DMARCDNS_H

#include "dnsq.h"
#include "lint.h"
#include "msglist.h"

/* External report hosts checked; a record lists one or two. */
#define DMARC_MAX_EXTERNAL 8

struct dmarc_external {
	char host[DNSQ_NAME_LEN];
	int authorized;		/* DOMAIN._report._dmarc.HOST has v=DMARC1 */
};

struct dmarc_dns {
	char name[DNSQ_NAME_LEN];	/* where the record in force is, or
					 * _dmarc.DOMAIN when there is none */
	char *record;			/* the record in force, or NULL */
	int found;
	int from_org;			/* found at the organizational domain */
	int dns_failed;
	int linted;
	struct lint_result lint;	/* of record, when linted */
	struct msglist errors;
	struct msglist warnings;
	struct msglist misplaced;	/* "NAME: RECORD", one per wrong place */
	struct dmarc_external ext[DMARC_MAX_EXTERNAL];
	size_t next;
};

/* Checks `domain` (lowercase).  0, or -1 when out of memory or the lookup
 * failed (out is freed then). */
int dmarc_dns_check(const char *domain, dnsq_lookup_fn lookup, void *arg,
    struct dmarc_dns *out);

void dmarc_dns_free(struct dmarc_dns *d);

#endif
