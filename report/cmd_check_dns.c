/* SPDX-License-Identifier: MIT */
/*
 * cmd_check_dns.c: the check-dns command: reads what the reports say DNS
 * must serve (unless --no-reports or there is no database), names their
 * source IPs, asks DNS through dnsq, judges (checkdns.c) and renders.
 * Returns 0 when nothing is wrong, 1 when an error was found, 2 for a
 * usage error, 4 when DNS could not be asked at all.
 */
#include "report.h"
#include "clock.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkdns.h"
#include "dnsq.h"
#include "names.h"


/* Lowercases a host name in place, without a trailing dot; -1 when it is
 * not one (labels of 1 to 63 letters, digits, '-' or '_'). */
static int
host_name(char *s)
{
	size_t n = strlen(s), i, label = 0;

	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (n == 0 || n > 253)
		return -1;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			s[i] = ch = (char)(ch - 'A' + 'a');
		if (ch == '.') {
			if (label == 0)
				return -1;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_') || ++label > 63)
			return -1;
	}
	return 0;
}

/* PTR and sender names for the facts' IPs; a failure leaves them unnamed
 * (names are a help here, not the point). */
static void
name_sources(struct report_ctx *c, struct checkdns_facts *f)
{
	struct rdns_result *q;
	size_t n = f->nsel + f->nsrc, i, k = 0;

	if (n == 0 || (q = calloc(n, sizeof *q)) == NULL)
		return;
	for (i = 0; i < f->nsel; i++)
		snprintf(q[k++].ip, sizeof q[0].ip, "%s", f->sel[i].ip);
	for (i = 0; i < f->nsrc; i++)
		snprintf(q[k++].ip, sizeof q[0].ip, "%s", f->src[i].ip);
	if (names_ptr(c, q, n) != 0) {
		fprintf(stderr, "dmarc-report: check-dns: %s\n", c->err);
		c->err[0] = '\0';
	}
	for (i = 0, k = 0; i < f->nsel; i++, k++) {
		struct checkdns_selector *s = &f->sel[i];

		if (s->ip[0] == '\0')
			continue;
		if (q[k].status == RDNS_OK)
			snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
		s->sender = names_sender(c, s->ip, s->ptr[0] ? s->ptr : NULL);
	}
	for (i = 0; i < f->nsrc; i++, k++) {
		struct checkdns_source *s = &f->src[i];

		if (q[k].status == RDNS_OK)
			snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
		s->sender = names_sender(c, s->ip, s->ptr[0] ? s->ptr : NULL);
	}
	free(q);
}

enum report_status
cmd_check_dns(struct report_ctx *c)
{
	struct checkdns_facts facts;
	struct checkdns cd;
	struct dnsq *q = NULL;
	char domain[300], err[256];
	int64_t start = dm_now_ms(), budget;
	enum report_status rc;

	memset(&facts, 0, sizeof facts);
	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "check-dns: --format csv has no "
		    "meaning here; use text or json");
		return RPT_USAGE;
	}
	snprintf(domain, sizeof domain, "%s", c->dns_domain);
	if (strlen(c->dns_domain) >= sizeof domain || host_name(domain) != 0) {
		snprintf(c->err, sizeof c->err, "check-dns: '%.100s' is not a "
		    "domain name", c->dns_domain);
		return RPT_USAGE;
	}
	if (c->db != NULL && !c->no_reports) {
		if (checkdns_load(c, domain, &facts) != 0)
			return RPT_ERROR;
		name_sources(c, &facts);
	}
	budget = c->dns_budget_ms - (dm_now_ms() - start);
	if ((q = dnsq_new(c->dns_server, c->dns_timeout_ms,
	    budget > 1000 ? (int)budget : 1000, err, sizeof err)) == NULL) {
		checkdns_facts_free(&facts);
		snprintf(c->err, sizeof c->err, "check-dns: DNS could not be "
		    "asked: %s", err);
		/* a --dns-server c-ares cannot read is a usage error */
		return c->dns_server != NULL && strncmp(err, "DNS server", 10) ==
		    0 ? RPT_USAGE : RPT_NO_DNS;
	}
	if (checkdns_run(domain, &facts, dnsq_lookup, q, &cd) != 0) {
		dnsq_free(q);
		checkdns_facts_free(&facts);
		return report_oom(c);
	}
	if (dnsq_questions(q) > 0 && dnsq_replies(q) == 0) {
		snprintf(c->err, sizeof c->err, "check-dns: DNS could not be "
		    "asked: %s did not answer (see --dns-server, --dns-timeout)",
		    c->dns_server ? c->dns_server : "the system's resolver");
		rc = RPT_NO_DNS;
	} else {
		checkdns_render(c->out, &cd, facts.have ? &facts : NULL,
		    c->format);
		rc = cd.errors > 0 ? RPT_ATTENTION : RPT_OK;
	}
	checkdns_free(&cd);
	dnsq_free(q);
	checkdns_facts_free(&facts);
	return rc;
}
