/* SPDX-License-Identifier: MIT */
/*
 * checkdns.c: the check-dns judge (see checkdns.h): runs the checks and
 * sets DNS against the reports.
 *
 * A selector that signed with DKIM pass in the reports and has no key in
 * DNS now is an error: that mail will fail DKIM.  One with no pass in the
 * window is a warning (perhaps retired on purpose).  A source whose PTR
 * name belongs to a known service (the table below), whose mail failed SPF
 * for the domain itself, and whose SPF include is not in the tree gives a
 * hint naming the include: "probably", since the mail may also have been
 * forwarded, or sent by someone else through the same service.
 */
#include "checkdns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"

struct service_spf {
	const char *suffix;	/* of the PTR name, with its leading dot */
	const char *include;	/* what the service asks customers to add */
	const char *alt;	/* another include that covers it, or NULL */
};

/* The services' documented SPF includes, keyed like senders.c's table. */
static const struct service_spf services[] = {
	{ ".protection.outlook.com", "spf.protection.outlook.com", NULL },
	{ ".google.com", "_spf.google.com", NULL },
	{ ".googlemail.com", "_spf.google.com", NULL },
	{ ".mailjet.com", "spf.mailjet.com", NULL },
	{ ".sendgrid.net", "sendgrid.net", NULL },
	{ ".amazonses.com", "amazonses.com", NULL },
	{ ".mcsv.net", "servers.mcsv.net", NULL },
	{ ".rsgsv.net", "servers.mcsv.net", NULL },
	{ ".mandrillapp.com", "spf.mandrillapp.com", NULL },
	{ ".mailgun.net", "mailgun.org", NULL },
	{ ".sendinblue.com", "spf.brevo.com", "spf.sendinblue.com" },
	{ ".brevo.com", "spf.brevo.com", "spf.sendinblue.com" },
	{ ".mtasv.net", "spf.mtasv.net", NULL },
	{ ".sparkpostmail.com", "_spf.sparkpostmail.com", NULL },
	{ ".zendesk.com", "mail.zendesk.com", NULL },
	{ ".salesforce.com", "_spf.salesforce.com", NULL },
	{ ".zoho.com", "zoho.com", "zohomail.com" },
	{ ".zohomail.com", "zohomail.com", "zoho.com" },
};

const char *
checkdns_spf_include(const char *ptr, const char **alt)
{
	size_t i, n, best = 0, blen = 0;

	if (alt != NULL)
		*alt = NULL;
	if (ptr == NULL || *ptr == '\0')
		return NULL;
	n = strlen(ptr);
	if (n > 0 && ptr[n - 1] == '.')
		n--;
	for (i = 0; i < sizeof services / sizeof services[0]; i++) {
		size_t sl = strlen(services[i].suffix);

		/* ".x.com" matches "a.x.com" and "x.com" */
		if ((n > sl && strncasecmp(ptr + n - sl, services[i].suffix,
		    sl) == 0) || (n == sl - 1 && strncasecmp(ptr,
		    services[i].suffix + 1, n) == 0)) {
			if (sl > blen) {
				best = i;
				blen = sl;
			}
		}
	}
	if (blen == 0)
		return NULL;
	if (alt != NULL)
		*alt = services[best].alt;
	return services[best].include;
}

/* One hint per missing include, its sources added up. */
struct lack {
	const char *include;
	const char *sender;	/* of its busiest source */
	const char *ip;		/* its busiest source */
	size_t nips;
	int64_t messages;
};

static int
spf_hints(struct checkdns *cd, const struct checkdns_facts *f)
{
	struct lack lacks[sizeof services / sizeof services[0]];
	size_t nl = 0, i, j;
	char num[FMT_NUM];

	for (i = 0; i < f->nsrc; i++) {
		const struct checkdns_source *s = &f->src[i];
		const char *alt, *inc = checkdns_spf_include(s->ptr, &alt);

		if (inc == NULL || spf_has_include(&cd->spf, inc) ||
		    (alt != NULL && spf_has_include(&cd->spf, alt)))
			continue;
		for (j = 0; j < nl; j++)
			if (strcmp(lacks[j].include, inc) == 0)
				break;
		if (j == nl) {
			/* sources come busiest first */
			lacks[nl].include = inc;
			lacks[nl].sender = s->sender;
			lacks[nl].ip = s->ip;
			lacks[nl].nips = 0;
			lacks[nl].messages = 0;
			nl++;
		}
		lacks[j].nips++;
		lacks[j].messages += s->messages;
	}
	for (j = 0; j < nl; j++) {
		char more[48] = "";

		if (lacks[j].nips > 1)
			snprintf(more, sizeof more, " and %zu other IP%s",
			    lacks[j].nips - 1, lacks[j].nips > 2 ? "s" : "");
		if (msglist_add(&cd->hints, "%s (%s%s) sent %s messages that "
		    "failed SPF for %s; its include is not in the SPF record: if "
		    "you send through it, add include:%s", lacks[j].sender ?
		    lacks[j].sender : "a known service", lacks[j].ip, more,
		    fmt_int(lacks[j].messages, num, sizeof num), cd->domain,
		    lacks[j].include) != 0)
			return -1;
	}
	return 0;
}

/* The reports' word on one selector's key. */
static int
dkim_against_reports(struct dkim_key *k,
    const struct checkdns_selector *s)
{
	char day[FMT_NUM], num[FMT_NUM], who[400];

	if (s->sender != NULL)
		snprintf(who, sizeof who, "%s mail", s->sender);
	else if (s->ip[0] != '\0')
		snprintf(who, sizeof who, "mail from %s", s->ip);
	else
		snprintf(who, sizeof who, "its mail");
	if (!k->missing)
		return 0;
	if (s->passed > 0) {
		return msglist_add(&k->errors, "the key behind %s was removed: %s "
		    "will fail DKIM (%s messages passed with it, the last on "
		    "%s); publish the key again at %s", k->selector, who,
		    fmt_int(s->passed, num, sizeof num),
		    fmt_day(s->last_pass, day, sizeof day), k->name);
	}
	return msglist_add(&k->warnings, "%s: no key, and no signature with "
	    "selector %s passed in the reports' window: if it was retired, "
	    "ignore this", k->name, k->selector);
}

int
checkdns_run(const char *domain, const struct checkdns_facts *f,
    dnsq_lookup_fn lookup, void *arg, struct checkdns *cd)
{
	size_t i;

	memset(cd, 0, sizeof *cd);
	snprintf(cd->domain, sizeof cd->domain, "%s", domain);
	if (dmarc_dns_check(domain, lookup, arg, &cd->dmarc) != 0)
		goto fail;
	if (spf_check(domain, lookup, arg, &cd->spf) != 0)
		goto fail;
	for (i = 0; f != NULL && i < f->nsel; i++) {
		struct dkim_key *k = &cd->dkim[cd->ndkim];

		if (dkim_key_check(domain, f->sel[i].selector, lookup, arg,
		    k) != 0)
			goto fail;
		cd->ndkim++;
		if (dkim_against_reports(k, &f->sel[i]) != 0)
			goto fail;
	}
	/* with a tree not read whole, "not in the tree" would be a guess */
	if (f != NULL && f->have && !cd->spf.dns_failed && spf_hints(cd, f) != 0)
		goto fail;
	cd->errors = (int)(cd->dmarc.errors.n + cd->spf.errors.n);
	for (i = 0; i < cd->ndkim; i++)
		cd->errors += (int)cd->dkim[i].errors.n;
	return 0;
fail:
	checkdns_free(cd);
	return -1;
}

void
checkdns_free(struct checkdns *cd)
{
	size_t i;

	dmarc_dns_free(&cd->dmarc);
	spf_free(&cd->spf);
	for (i = 0; i < cd->ndkim; i++)
		dkim_key_free(&cd->dkim[i]);
	cd->ndkim = 0;
	msglist_free(&cd->hints);
}
