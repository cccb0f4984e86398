/* SPDX-License-Identifier: MIT */
/*
 * spf.c: the SPF record check (see spf.h).  The tree is walked depth
 * first as a receiver evaluates it when no term matches: every include,
 * then the redirect.  Counted as DNS lookups (RFC 7208 4.6.4): include, a,
 * mx, ptr, exists and redirect; exp is not.  A void lookup is an a, mx,
 * exists, include or redirect whose name has no record of the type asked
 * (NOERROR with none, or NXDOMAIN).  A domain-spec with a macro ("%{i}")
 * cannot be expanded without a message: it is counted, not followed.
 */
#include "spf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct walk {
	dnsq_lookup_fn lookup;
	void *arg;
	struct spf_result *r;
	const char *path[SPF_MAX_DEPTH + 2];	/* domains being evaluated */
	int failed;				/* out of memory */
	int truncated;				/* SPF_MAX_NODES reached */
};

#define ERR(w, ...) do { if (msglist_add(&(w)->r->errors, __VA_ARGS__)) \
	(w)->failed = 1; } while (0)
#define WARN(w, ...) do { if (msglist_add(&(w)->r->warnings, __VA_ARGS__)) \
	(w)->failed = 1; } while (0)

/* "include:x.example" or "the domain x.example": how a message names a
 * record. */
static void
where(const struct spf_node *n, char *buf, size_t len)
{
	if (n->depth == 0)
		snprintf(buf, len, "%s", n->domain);
	else
		snprintf(buf, len, "%s%s%s", n->via,
		    strcmp(n->via, "include") == 0 ? ":" : "=", n->domain);
}

/* 1 when s (a TXT record) is an SPF record: "v=spf1" then a space or the
 * end (RFC 7208 4.5), case-insensitively. */
static int
is_spf(const char *s)
{
	return strncasecmp(s, "v=spf1", 6) == 0 && (s[6] == ' ' ||
	    s[6] == '\0');
}

static int
lookup(struct walk *w, const char *name, enum dnsq_type type,
    struct dnsq_answer *a)
{
	if (w->lookup(w->arg, name, type, a) != 0) {
		w->failed = 1;
		return -1;
	}
	if (a->status == DNSQ_TIMEOUT || a->status == DNSQ_ERROR)
		w->r->dns_failed = 1;
	return 0;
}

/* Queries for a, mx and exists: counts a void lookup; more than 10 MX
 * names is a permerror (RFC 7208 4.6.4). */
static void
probe(struct walk *w, const char *at, const char *term, const char *name,
    enum dnsq_type type)
{
	struct dnsq_answer a;
	int is_void;

	if (lookup(w, name, type, &a) == -1)
		return;
	is_void = a.status == DNSQ_NODATA || a.status == DNSQ_NXDOMAIN;
	if (is_void && type == DNSQ_A) {
		/* "a" matches either family: void only when both are empty */
		dnsq_answer_free(&a);
		if (lookup(w, name, DNSQ_AAAA, &a) == -1)
			return;
		is_void = a.status == DNSQ_NODATA || a.status == DNSQ_NXDOMAIN;
	}
	if (is_void) {
		w->r->void_lookups++;
		WARN(w, "%s: %s: %s has %s: a void lookup (at most %d are "
		    "allowed, RFC 7208 4.6.4)", at, term, name, type == DNSQ_MX ?
		    "no MX record" : "no address", SPF_MAX_VOID);
	} else if (a.status == DNSQ_TIMEOUT || a.status == DNSQ_ERROR)
		ERR(w, "%s: %s: %s: %s; receivers get temperror", at, term, name,
		    dnsq_status_text(&a, type));
	else if (type == DNSQ_MX && a.n > 10)
		ERR(w, "%s: %s: %s has %zu MX hosts; over 10 is a permerror "
		    "(RFC 7208 4.6.4)", at, term, name, a.n);
	dnsq_answer_free(&a);
}

/* A domain-spec: "" (the current domain), or after ':' up to '/'. */
static void
domain_spec(const char *arg, const char *cur, char *out, size_t len)
{
	size_t n;

	if (arg == NULL || *arg == '\0' || *arg == '/') {
		snprintf(out, len, "%s", cur);
		return;
	}
	n = strcspn(arg, "/");
	if (n >= len)
		n = len - 1;
	memcpy(out, arg, n);
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

/* ip4:/ip6: with an optional prefix length. */
static int
valid_ip(const char *v, int family)
{
	char addr[64];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	unsigned char buf[16];
	char *end;
	long bits;

	if (n == 0 || n >= sizeof addr)
		return 0;
	memcpy(addr, v, n);
	addr[n] = '\0';
	if (inet_pton(family, addr, buf) != 1)
		return 0;
	if (slash == NULL)
		return 1;
	bits = strtol(slash + 1, &end, 10);
	return slash[1] >= '0' && slash[1] <= '9' && *end == '\0' &&
	    bits >= 0 && bits <= (family == AF_INET ? 32 : 128);
}

static void walk_domain(struct walk *w, const char *domain, const char *via,
    int depth);

/* Follows include:/redirect= `target` from the record at `depth`. */
static void
follow(struct walk *w, const char *term, const char *target, const char *via,
    int depth)
{
	int i;

	if (strchr(target, '%') != NULL) {
		WARN(w, "%s: a macro; its lookups depend on each message and "
		    "were not followed", term);
		return;
	}
	for (i = 0; i <= depth; i++)
		if (strcasecmp(w->path[i], target) == 0) {
			ERR(w, "%s: a loop: %s is already being evaluated; "
			    "receivers stop at the lookup limit with permerror",
			    term, target);
			return;
		}
	if (depth + 1 > SPF_MAX_DEPTH) {
		ERR(w, "%s: more than %d levels of includes; not followed",
		    term, SPF_MAX_DEPTH);
		return;
	}
	walk_domain(w, target, via, depth + 1);
}

/* The terms of one record. */
static void
walk_terms(struct walk *w, size_t node, const char *record, int depth)
{
	char *copy, *save = NULL, *t, redirect[DNSQ_NAME_LEN] = "", at[300];
	char cur[DNSQ_NAME_LEN], name[DNSQ_NAME_LEN];
	int seen_all = 0, nredirect = 0, nexp = 0;

	snprintf(cur, sizeof cur, "%s", w->r->nodes[node].domain);
	where(&w->r->nodes[node], at, sizeof at);
	if ((copy = strdup(record)) == NULL) {
		w->failed = 1;
		return;
	}
	for (t = strtok_r(copy + 6, " ", &save); t != NULL && !w->failed;
	    t = strtok_r(NULL, " ", &save)) {
		char q = '+';
		const char *m = t, *arg;
		size_t mlen;

		if (*m == '+' || *m == '-' || *m == '~' || *m == '?')
			q = *m++;
		mlen = strcspn(m, ":/=");
		arg = m[mlen] == ':' ? m + mlen + 1 : m + mlen;
		if (m[mlen] == '=' && q == '+' && t == m) {
			/* a modifier */
			if (strncasecmp(m, "redirect", mlen) == 0 && mlen == 8) {
				if (nredirect++ > 0)
					ERR(w, "%s: redirect= appears twice: "
					    "permerror (RFC 7208 6)", at);
				domain_spec(m + mlen + 1, cur, redirect,
				    sizeof redirect);
			} else if (strncasecmp(m, "exp", mlen) == 0 && mlen == 3 &&
			    nexp++ > 0)
				ERR(w, "%s: exp= appears twice: permerror "
				    "(RFC 7208 6)", at);
			continue;
		}
#define IS(s) (mlen == strlen(s) && strncasecmp(m, s, mlen) == 0)
		if (IS("all")) {
			seen_all = 1;
			if (q == '+')
				ERR(w, "%s: %sall lets every server on the "
				    "Internet pass SPF as this domain; end with "
				    "-all or ~all", at, t[0] == '+' ? "+" : "");
			else if (q == '?' && depth == 0)
				WARN(w, "%s: ?all (neutral) protects nothing: "
				    "receivers treat unlisted servers as if there "
				    "were no SPF; end with ~all or -all", at);
			continue;
		}
		if (IS("ip4") || IS("ip6")) {
			if (m[mlen] != ':' || !valid_ip(arg, IS("ip4") ?
			    AF_INET : AF_INET6))
				ERR(w, "%s: '%s' is not a valid %.3s: permerror "
				    "(RFC 7208 5.6)", at, t, m);
			continue;
		}
		if (!(IS("include") || IS("a") || IS("mx") || IS("ptr") ||
		    IS("exists"))) {
			ERR(w, "%s: unknown term '%s': permerror, SPF fails for "
			    "all mail (RFC 7208 4.6.1)", at, t);
			continue;
		}
		w->r->lookups++;
		w->r->nodes[node].lookups++;
		if ((IS("include") || IS("exists")) && (m[mlen] != ':' ||
		    *arg == '\0')) {
			ERR(w, "%s: '%s' has no domain: permerror "
			    "(RFC 7208 5.2)", at, t);
			continue;
		}
		domain_spec(m[mlen] == ':' ? arg : NULL, cur, name, sizeof name);
		if (IS("ptr")) {
			WARN(w, "%s: ptr is slow and unreliable, and receivers "
			    "may ignore it (RFC 7208 5.5); list the addresses "
			    "with ip4:/ip6: instead", at);
			continue;
		}
		if (IS("include")) {
			follow(w, t, name, "include", depth);
			continue;
		}
		if (strchr(name, '%') != NULL)
			continue;	/* a macro: counted, not queried */
		probe(w, at, t, name, IS("mx") ? DNSQ_MX : DNSQ_A);
#undef IS
	}
	free(copy);
	if (redirect[0] != '\0') {
		if (seen_all)
			WARN(w, "%s: redirect=%s is ignored because the record "
			    "has an all term (RFC 7208 6.1)", at, redirect);
		else {
			char term[DNSQ_NAME_LEN + 10];

			/* counted only when followed: with all it never is */
			w->r->lookups++;
			snprintf(term, sizeof term, "redirect=%s", redirect);
			follow(w, term, redirect, "redirect", depth);
		}
	} else if (!seen_all && depth == 0)
		WARN(w, "%s: the record does not end with an all term: mail from "
		    "servers not listed gets neutral, not fail; end with ~all "
		    "or -all", at);
}

static void
walk_domain(struct walk *w, const char *domain, const char *via, int depth)
{
	struct spf_result *r = w->r;
	struct spf_node *n;
	struct dnsq_answer a;
	size_t node, i, nspf = 0, which = 0;
	int before = r->lookups;
	char at[300];

	if (r->nnodes == SPF_MAX_NODES) {
		if (!w->truncated)
			ERR(w, "more than %d SPF records in the tree; the rest "
			    "was not followed", SPF_MAX_NODES);
		w->truncated = 1;
		return;
	}
	node = r->nnodes++;
	n = &r->nodes[node];
	snprintf(n->domain, sizeof n->domain, "%s", domain);
	n->via = via;
	n->depth = depth;
	w->path[depth] = n->domain;
	where(n, at, sizeof at);

	if (lookup(w, domain, DNSQ_TXT, &a) == -1)
		return;
	for (i = 0; i < a.n; i++)
		if (is_spf(a.rr[i]) && nspf++ == 0)
			which = i;
	if (a.status == DNSQ_TIMEOUT || a.status == DNSQ_ERROR) {
		n->problem = strdup(dnsq_status_text(&a, DNSQ_TXT));
		ERR(w, "%s: %s; receivers get temperror and may defer or "
		    "reject mail", at, dnsq_status_text(&a, DNSQ_TXT));
	} else if (nspf == 0) {
		if (a.status != DNSQ_OK && depth > 0)
			r->void_lookups++;
		n->problem = strdup("no SPF record");
		if (depth == 0)
			ERR(w, "no SPF record at %s: receivers cannot tell your "
			    "servers from forgers; publish one, e.g. \"v=spf1 "
			    "mx -all\"", domain);
		else
			ERR(w, "%s: no SPF record at %s: permerror, SPF fails "
			    "for all mail (RFC 7208 5.2)", at, domain);
	} else if (nspf > 1) {
		n->problem = strdup("more than one SPF record");
		ERR(w, "%s: %zu SPF records: permerror, SPF fails for all mail "
		    "(RFC 7208 4.5); merge them into one", at, nspf);
	} else {
		if ((n->record = strdup(a.rr[which])) == NULL)
			w->failed = 1;
		else if (strlen(n->record) > SPF_LONG_RECORD)
			WARN(w, "%s: the record is %zu bytes; over %d it may not "
			    "fit a UDP reply (RFC 7208 3.4)", at,
			    strlen(n->record), SPF_LONG_RECORD);
	}
	if (n->problem == NULL && n->record == NULL)
		w->failed = 1;	/* out of memory */
	dnsq_answer_free(&a);
	if (n->record != NULL)
		walk_terms(w, node, n->record, depth);
	/* the include or redirect itself was counted in its parent's terms */
	r->nodes[node].lookups = r->lookups - before + (depth > 0);
}

int
spf_check(const char *domain, dnsq_lookup_fn fn, void *arg,
    struct spf_result *out)
{
	struct walk w;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	w.lookup = fn;
	w.arg = arg;
	w.r = out;
	walk_domain(&w, domain, "", 0);
	if (!w.failed && out->nnodes > 0 && out->nodes[0].record != NULL &&
	    (out->record = strdup(out->nodes[0].record)) == NULL)
		w.failed = 1;
	if (!w.failed && out->lookups > SPF_MAX_LOOKUPS)
		ERR(&w, "%d DNS lookups (include, a, mx, ptr, exists, redirect), "
		    "over the limit of %d: receivers return permerror and SPF "
		    "fails for all mail (RFC 7208 4.6.4); drop unused includes "
		    "or replace some by their ip4:/ip6: ranges", out->lookups,
		    SPF_MAX_LOOKUPS);
	if (!w.failed && out->void_lookups > SPF_MAX_VOID)
		ERR(&w, "%d void lookups, over the limit of %d: permerror "
		    "(RFC 7208 4.6.4); remove the terms whose names do not "
		    "exist", out->void_lookups, SPF_MAX_VOID);
	if (w.failed) {
		spf_free(out);
		return -1;
	}
	return 0;
}

int
spf_has_include(const struct spf_result *r, const char *domain)
{
	size_t i;

	for (i = 1; i < r->nnodes; i++)
		if (strcasecmp(r->nodes[i].domain, domain) == 0)
			return 1;
	return 0;
}

void
spf_free(struct spf_result *r)
{
	size_t i;

	free(r->record);
	for (i = 0; i < r->nnodes; i++) {
		free(r->nodes[i].record);
		free(r->nodes[i].problem);
	}
	msglist_free(&r->errors);
	msglist_free(&r->warnings);
	memset(r, 0, sizeof *r);
}
