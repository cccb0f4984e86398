/* SPDX-License-Identifier: MIT */
/*
 * checkdns.h: the check-dns command's data and judge.  The query part
 * reads from the reports what DNS must serve (the DKIM selectors that
 * signed for the domain, the sources whose mail failed SPF for it); the
 * judge, with no SQL and no printing, runs the DMARC, SPF and DKIM checks
 * through a lookup function and compares DNS with the reports: a selector
 * that passed and is gone, a known service that fails SPF and whose
 * include is missing.  A struct checkdns owns everything in it.
 */
#ifndef DM_CHECKDNS_H
#define DM_CHECKDNS_H

#include <stddef.h>
#include <stdint.h>

#include "dkimkey.h"
#include "dmarcdns.h"
#include "dnsq.h"
#include "msglist.h"
#include "report.h"
#include "spf.h"

/* Selectors checked: a domain signs with a few; reports from a hostile
 * receiver could name thousands, each a DNS question. */
#define CHECKDNS_MAX_SELECTORS 32
/* Sources failing SPF looked at, the busiest first. */
#define CHECKDNS_MAX_SOURCES 200
/* The reports' window without --since/--until/--last (days to today). */
#define CHECKDNS_DEFAULT_DAYS 30

/* A DKIM selector that signed for the domain, from the reports. */
struct checkdns_selector {
	char selector[64];	/* lowercase */
	int64_t messages;	/* signed with it, any result */
	int64_t passed;		/* of which DKIM passed */
	int64_t last_pass;	/* date_begin of the last report with a pass */
	char ip[48];		/* the source that passed with it most */
	char ptr[256];		/* its PTR name, or "" */
	const char *sender;	/* its sender name, or NULL */
};

/* A source whose mail failed SPF for the domain itself. */
struct checkdns_source {
	char ip[48];
	int64_t messages;	/* failing SPF for the domain */
	char ptr[256];
	const char *sender;
};

struct checkdns_facts {
	int have;		/* reports were read */
	int64_t since, until;	/* their window */
	struct checkdns_selector sel[CHECKDNS_MAX_SELECTORS];
	size_t nsel;
	struct checkdns_source *src;	/* malloc'd */
	size_t nsrc;
};

struct checkdns {
	char domain[DNSQ_NAME_LEN];
	struct dmarc_dns dmarc;
	struct spf_result spf;
	struct dkim_key dkim[CHECKDNS_MAX_SELECTORS];
	size_t ndkim;
	struct msglist hints;	/* DNS against the reports */
	int errors;		/* errors found anywhere */
};

/* Reads the facts for `domain` from the database in c (within c's window,
 * else the last CHECKDNS_DEFAULT_DAYS days).  0, or 2 with c->err set. */
int checkdns_load(struct report_ctx *c, const char *domain,
    struct checkdns_facts *f);
void checkdns_facts_free(struct checkdns_facts *f);

/* Checks `domain`: DMARC, SPF, the DKIM keys of the facts' selectors, and
 * the hints (facts may be NULL or empty).  0, or -1 out of memory. */
int checkdns_run(const char *domain, const struct checkdns_facts *f,
    dnsq_lookup_fn lookup, void *arg, struct checkdns *out);
void checkdns_free(struct checkdns *cd);

/* The SPF include a service's PTR name points to ("spf.mailjet.com"), or
 * NULL; alt, when not NULL, gets another include that also does. */
const char *checkdns_spf_include(const char *ptr, const char **alt);

/* Renders cd as text (one section per record) or JSON to f. */
void checkdns_render(FILE *f, const struct checkdns *cd,
    const struct checkdns_facts *facts, enum out_format format);

#endif
