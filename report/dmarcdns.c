/* SPDX-License-Identifier: MIT */
/*
 * dmarcdns.c: the DMARC record as published (see dmarcdns.h).  A TXT
 * record is a DMARC record when it begins with "v=DMARC1" (spaces around
 * '=' allowed, the case left to the linter), as receivers discard the
 * others (RFC 7489 6.6.3).  A TXT record that does not begin so but holds
 * "p=" or "rua=" beside it is a piece of a record split in two.
 */
#include "dmarcdns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "orgdomain.h"

struct ctx {
	dnsq_lookup_fn lookup;
	void *arg;
	struct dmarc_dns *d;
	int oom;
};

#define ERR(c, ...) do { if (msglist_add(&(c)->d->errors, __VA_ARGS__)) \
	(c)->oom = 1; } while (0)
#define WARN(c, ...) do { if (msglist_add(&(c)->d->warnings, __VA_ARGS__)) \
	(c)->oom = 1; } while (0)

static int
is_dmarc(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s != 'v' && *s != 'V')
		return 0;
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '=')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	return strncasecmp(s, "DMARC1", 6) == 0 && (s[6] == '\0' ||
	    s[6] == ';' || isspace((unsigned char)s[6]));
}

/* A TXT record that is not DMARC but carries its tags. */
static int
is_piece(const char *s)
{
	return !is_dmarc(s) && (strstr(s, "p=") != NULL ||
	    strstr(s, "rua=") != NULL || strstr(s, "ruf=") != NULL);
}

/* Asks for the TXT records at name; *ndmarc and the first DMARC record's
 * index are set.  -1 out of memory (or the lookup failed). */
static int
txt(struct ctx *c, const char *name, struct dnsq_answer *a, size_t *ndmarc,
    size_t *first)
{
	size_t i;

	if (c->lookup(c->arg, name, DNSQ_TXT, a) != 0) {
		c->oom = 1;
		return -1;
	}
	*ndmarc = 0;
	*first = 0;
	for (i = 0; i < a->n; i++)
		if (is_dmarc(a->rr[i]) && (*ndmarc)++ == 0)
			*first = i;
	if (a->status == DNSQ_TIMEOUT || a->status == DNSQ_ERROR) {
		c->d->dns_failed = 1;
		ERR(c, "%s: %s; receivers get a temporary error and may apply "
		    "no policy", name, dnsq_status_text(a, DNSQ_TXT));
	}
	return 0;
}

/* Takes the record at `name` when there is exactly one: 1 taken, 0 none,
 * 2 more than one (an error), -1 out of memory. */
static int
take(struct ctx *c, const char *name, int from_org)
{
	struct dnsq_answer a;
	size_t nd, first, i, pieces = 0;
	int rc = 0;

	if (txt(c, name, &a, &nd, &first) == -1)
		return -1;
	for (i = 0; i < a.n; i++)
		if (is_piece(a.rr[i]))
			pieces++;
	if (nd > 1) {
		ERR(c, "%s: %zu DMARC records: receivers ignore them all and "
		    "apply no policy (RFC 7489 6.6.3); delete all but one", name,
		    nd);
		rc = 2;	/* discovery ends here, without a fallback */
	}
	else if (nd == 1) {
		struct dmarc_dns *d = c->d;

		if (name != d->name)
			snprintf(d->name, sizeof d->name, "%s", name);
		d->found = 1;
		d->from_org = from_org;
		if ((d->record = strdup(a.rr[first])) == NULL)
			c->oom = 1;
		rc = 1;
		if (pieces > 0)
			ERR(c, "%s: the record is split over %zu TXT records; "
			    "receivers read only the one that begins with "
			    "v=DMARC1 and ignore the other's tags: publish one "
			    "TXT record (a long one may hold several strings)",
			    name, pieces + 1);
	} else if (pieces > 0 && !from_org)
		ERR(c, "%s: the record is split over %zu TXT records, none of "
		    "which begins with v=DMARC1, so receivers find no record: "
		    "publish it as one TXT record beginning with v=DMARC1",
		    name, pieces);
	dnsq_answer_free(&a);
	return c->oom ? -1 : rc;
}

/* A DMARC record at a place no receiver looks. */
static void
misplaced(struct ctx *c, const char *name, const char *domain,
    const char *why)
{
	struct dnsq_answer a;
	size_t nd, first;

	if (txt(c, name, &a, &nd, &first) == -1)
		return;
	if (nd > 0) {
		if (msglist_add(&c->d->misplaced, "%s", name) != 0)
			c->oom = 1;
		ERR(c, "a DMARC record is published at %s, where no receiver "
		    "looks: %s; publish it at _dmarc.%s", name, why, domain);
	}
	dnsq_answer_free(&a);
}

/* The authorization of external report hosts (RFC 7489 7.1). */
static void
external(struct ctx *c, const char *policy_domain)
{
	static const char *const tags[] = { "rua", "ruf" };
	struct dmarc_dns *d = c->d;
	size_t t, i;

	for (t = 0; t < 2; t++) {
		const char *v = lint_tag(&d->lint, tags[t]);
		char *copy, *save = NULL, *u;

		if (v == NULL || (copy = strdup(v)) == NULL)
			continue;
		for (u = strtok_r(copy, ",", &save); u != NULL && !c->oom;
		    u = strtok_r(NULL, ",", &save)) {
			char *at = strrchr(u, '@'), *e, host[DNSQ_NAME_LEN],
			    name[DNSQ_NAME_LEN * 2 + 32];
			struct dnsq_answer a;
			size_t nd, first, n;
			int seen = 0;

			if (at == NULL || strncasecmp(u + strspn(u, " \t"),
			    "mailto:", 7) != 0)
				continue;
			n = strcspn(at + 1, "!; \t");
			if (n == 0 || n >= sizeof host)
				continue;
			memcpy(host, at + 1, n);
			host[n] = '\0';
			for (e = host; *e; e++)
				*e = (char)tolower((unsigned char)*e);
			if (org_aligned(host, policy_domain))
				continue;
			for (i = 0; i < d->next; i++)
				seen |= strcmp(d->ext[i].host, host) == 0;
			if (seen || d->next == DMARC_MAX_EXTERNAL)
				continue;
			snprintf(name, sizeof name, "%s._report._dmarc.%s",
			    policy_domain, host);
			if (strlen(name) >= DNSQ_NAME_LEN - 1 ||
			    txt(c, name, &a, &nd, &first) == -1)
				continue;
			snprintf(d->ext[d->next].host, sizeof d->ext[0].host,
			    "%s", host);
			d->ext[d->next].authorized = nd > 0;
			d->next++;
			if (nd == 0 && a.status != DNSQ_TIMEOUT &&
			    a.status != DNSQ_ERROR)
				ERR(c, "%s=%s: %s has not authorized reports for %s "
				    "(no v=DMARC1 record at %s): receivers send it "
				    "none (RFC 7489 7.1); ask its owner to publish "
				    "one, or use an address under %s", tags[t],
				    u + strspn(u, " \t"), host, policy_domain, name,
				    policy_domain);
			dnsq_answer_free(&a);
		}
		free(copy);
	}
}

int
dmarc_dns_check(const char *domain, dnsq_lookup_fn lookup, void *arg,
    struct dmarc_dns *d)
{
	struct ctx c = { lookup, arg, d, 0 };
	char name[DNSQ_NAME_LEN * 2 + 16], org[DNSQ_NAME_LEN];
	const char *policy_domain = domain;
	size_t i;
	int rc;

	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "_dmarc.%s", domain);
	if ((rc = take(&c, d->name, 0)) == -1)
		goto fail;
	if (rc == 0 && !d->dns_failed) {
		/* no record: the usual mistakes, then the organizational
		 * domain */
		org_domain(domain, org, sizeof org);
		snprintf(name, sizeof name, "dmarc.%s", domain);
		misplaced(&c, name, domain, "the name must begin with an "
		    "underscore");
		snprintf(name, sizeof name, "_dmarc.%s.%s", domain, domain);
		misplaced(&c, name, domain, "the zone's name was typed twice "
		    "(where the DNS console adds the zone, the host is just "
		    "_dmarc)");
		misplaced(&c, domain, domain, "a DMARC record is never read at "
		    "the domain itself");
		if (c.oom)
			goto fail;
		if (strcmp(org, domain) != 0) {
			snprintf(name, sizeof name, "_dmarc.%s", org);
			if ((rc = take(&c, name, 1)) == -1)
				goto fail;
			if (rc == 1)
				policy_domain = org;
		}
		if (!d->found && !d->dns_failed && d->misplaced.n == 0)
			ERR(&c, "no DMARC record at _dmarc.%s: receivers apply no "
			    "policy and send no reports; publish \"v=DMARC1; "
			    "p=none; rua=mailto:dmarc-reports@%s\" there to start",
			    domain, domain);
	}
	if (d->record != NULL) {
		if (lint_record(d->record, d->name, &d->lint) != 0)
			goto fail;
		d->linted = 1;
		/* the linter's messages join ours; its note that an outside
		 * report host needs an authorization record is replaced by
		 * looking that record up */
		for (i = 0; i < d->lint.nerrors; i++)
			ERR(&c, "%s", d->lint.errors[i]);
		for (i = 0; i < d->lint.nwarnings; i++)
			if (strstr(d->lint.warnings[i], "._report._dmarc.") == NULL)
				WARN(&c, "%s", d->lint.warnings[i]);
		external(&c, policy_domain);
	}
	if (c.oom)
		goto fail;
	return 0;
fail:
	dmarc_dns_free(d);
	return -1;
}

void
dmarc_dns_free(struct dmarc_dns *d)
{
	free(d->record);
	d->record = NULL;
	if (d->linted)
		lint_free(&d->lint);
	d->linted = 0;
	msglist_free(&d->errors);
	msglist_free(&d->warnings);
	msglist_free(&d->misplaced);
}
