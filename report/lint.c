/* SPDX-License-Identifier: MIT */
/*
 * lint.c: checks a DMARC record (SPEC.md C) tag by tag, then as a whole:
 * errors where receivers under RFC 7489 or RFC 9989 would ignore the
 * record or read it otherwise than written, warnings for the rest.
 *
 * The tag list is split on ';' (whitespace allowed around names, '=' and
 * values; a trailing ';' is fine); a tag-spec without '=' or with a name
 * that is not ALPHA *(ALPHA / DIGIT / "_") makes the list invalid (error).
 * Tag names are read case-insensitively and kept in lowercase; values are
 * kept as written, trimmed.  An rua/ruf host is "outside" the policy
 * domain when their organizational domains (libpsl) differ.
 */
#include "lint.h"

#include "orgdomain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 60	/* a quoted value longer than this is cut ("...") */
#define SHOW_LEN (SHOW_MAX + 4)
#define MSG_LEN 512	/* a message is at most this long (values are cut) */

struct lint {
	struct lint_result *r;
	const char *domain;	/* the policy domain from the owner, or NULL */
	int oom;
};

static int
is_wsp(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static char
to_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Trims whitespace off both ends of [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_wsp(**s))
		(*s)++, (*n)--;
	while (*n > 0 && is_wsp((*s)[*n - 1]))
		(*n)--;
}

/* Case-insensitive: [s, s + n) equals the lowercase word w. */
static int
eq_ci(const char *s, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower(s[i]) != w[i])
			return 0;
	return 1;
}

/* [s, s + n) for a message: control bytes as '?', cut at SHOW_MAX. */
static const char *
show(const char *s, size_t n, char buf[SHOW_LEN])
{
	size_t i, k = n > SHOW_MAX ? SHOW_MAX : n;

	for (i = 0; i < k; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (k < n)
		memcpy(buf + k, "...", 3), k += 3;
	buf[k] = '\0';
	return buf;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void vadd(struct lint *, char **, size_t *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

static void
vadd(struct lint *l, char **list, size_t *n, const char *fmt, va_list ap)
{
	char buf[MSG_LEN];

	if (*n >= LINT_MAX_MSGS)
		return;
	if (*n == LINT_MAX_MSGS - 1)
		snprintf(buf, sizeof buf, "record: more messages than %d; the "
		    "rest are not shown", LINT_MAX_MSGS - 1);
	else
		vsnprintf(buf, sizeof buf, fmt, ap);
	if ((list[*n] = dup_n(buf, strlen(buf))) == NULL)
		l->oom = 1;
	else
		(*n)++;
}

static void lint_error(struct lint *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void lint_warn(struct lint *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
lint_error(struct lint *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(l, l->r->errors, &l->r->nerrors, fmt, ap);
	va_end(ap);
}

static void
lint_warn(struct lint *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(l, l->r->warnings, &l->r->nwarnings, fmt, ap);
	va_end(ap);
}

/* [v, v + n) is one of a fixed set of lowercase words (case-insensitive). */
static int
one_of_n(const char *v, size_t n, const char *const *words)
{
	for (; *words != NULL; words++)
		if (eq_ci(v, n, *words))
			return 1;
	return 0;
}

static int
one_of(const char *v, const char *const *words)
{
	return one_of_n(v, strlen(v), words);
}

static const char *const policies[] = { "none", "quarantine", "reject", NULL };
static const char *const modes[] = { "r", "s", NULL };
static const char *const yes_no[] = { "y", "n", NULL };
static const char *const yes_no_u[] = { "y", "n", "u", NULL };

/* A colon-separated list, each item (trimmed) one of words; the first
 * bad item in *bad, *badn. */
static int
colon_list(const char *v, const char *const *words, const char **bad,
    size_t *badn)
{
	const char *p = v, *end;
	size_t n;
	int ok;
	const char *const *w;

	for (;;) {
		end = strchr(p, ':');
		n = end ? (size_t)(end - p) : strlen(p);
		*bad = p, *badn = n;
		trim(bad, badn);
		for (ok = 0, w = words; *w != NULL && !ok; w++)
			ok = eq_ci(*bad, *badn, *w);
		if (!ok)
			return 0;
		if (end == NULL)
			return 1;
		p = end + 1;
	}
}

/* An unsigned decimal (no sign) up to max; 1 when it is one. */
static int
uint_max(const char *v, unsigned long long max, unsigned long long *out)
{
	unsigned long long x = 0;

	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++) {
		if (!is_digit(*v))
			return 0;
		x = x * 10 + (unsigned long long)(*v - '0');
		if (x > max)
			x = max + 1;	/* saturate: any longer number is too big */
	}
	*out = x;
	return x <= max;
}

static void
check_pct(struct lint *l, const char *v)
{
	char b[SHOW_LEN];
	unsigned long long x;
	const char *d = v + (*v == '-');

	if (!uint_max(v, 100, &x)) {
		if (*d != '\0' && d[strspn(d, "0123456789")] == '\0')
			lint_error(l, "tag pct: %s is outside 0-100 (RFC 7489 "
			    "6.3)", show(v, strlen(v), b));
		else
			lint_error(l, "tag pct: '%s' is not an integer in 0-100 "
			    "(RFC 7489 6.3)", show(v, strlen(v), b));
	}
	lint_warn(l, "tag pct: removed in RFC 9989, whose receivers ignore it "
	    "(t=y marks a policy in testing)");
}

/* pct=0 with p (or sp) quarantine or reject: under RFC 7489 the policy
 * then applies to no mail (the next lower one does, 6.6.4); RFC 9989
 * receivers ignore pct and apply it to all. */
static void
check_pct_zero(struct lint *l, const struct lint_result *r)
{
	static const char *const tags[] = { "p", "sp" };
	const char *pct = lint_tag(r, "pct"), *v;
	unsigned long long x;
	size_t i;

	if (pct == NULL || !uint_max(pct, 100, &x) || x != 0)
		return;
	for (i = 0; i < 2; i++) {
		if ((v = lint_tag(r, tags[i])) == NULL)
			continue;
		if (eq_ci(v, strlen(v), "quarantine"))
			lint_warn(l, "tag pct: 0 with %s=quarantine applies the "
			    "policy to no mail under RFC 7489 (receivers treat it "
			    "all as none, 6.6.4) and to all mail under RFC 9989 "
			    "(receivers ignore pct); publish %s=none for no effect",
			    tags[i], tags[i]);
		else if (eq_ci(v, strlen(v), "reject"))
			lint_warn(l, "tag pct: 0 with %s=reject rejects no mail "
			    "under RFC 7489 (receivers quarantine it all instead, "
			    "6.6.4) and all mail under RFC 9989 (receivers ignore "
			    "pct); publish %s=quarantine to quarantine", tags[i],
			    tags[i]);
	}
}

/* The host of mailto:local@host[?query] as lowercase without a final dot;
 * 0 when the address has no local part or host. */
static int
mailto_host(const char *addr, size_t n, char *host, size_t len)
{
	const char *q = memchr(addr, '?', n), *at = NULL;
	size_t i, hn;

	if (q != NULL)
		n = (size_t)(q - addr);
	for (i = 0; i < n; i++)
		if (addr[i] == '@')
			at = addr + i;
	if (at == NULL || at == addr || at + 1 == addr + n)
		return 0;
	hn = (size_t)(addr + n - at - 1);
	if (hn > 0 && at[hn] == '.')
		hn--;
	if (hn == 0 || hn >= len)
		return 0;
	for (i = 0; i < hn; i++)
		host[i] = to_lower(at[1 + i]);
	host[hn] = '\0';
	return 1;
}

/* One URI of rua/ruf (trimmed, not empty): returns 1 when it is a
 * syntactically valid URI. */
static int
check_uri(struct lint *l, const char *tag, const char *u, size_t n)
{
	char b[SHOW_LEN], b2[SHOW_LEN], b3[SHOW_LEN], host[256];
	size_t i, sn;
	const char *bang;

	for (i = 0; i < n; i++)
		if (is_wsp(u[i])) {
			lint_error(l, "tag %s: '%s' holds whitespace; separate "
			    "URIs with ',' (RFC 7489 6.4)", tag, show(u, n, b));
			return 0;
		}
	/* a size limit: "!" 1*DIGIT [k/m/g/t] at the end, after a URI */
	for (bang = NULL, i = n; i > 1; i--)
		if (u[i - 1] == '!') {
			bang = u + i - 1;
			break;
		}
	if (bang != NULL) {
		const char *s = bang + 1, *e = u + n;

		if (s < e && strchr("kmgtKMGT", e[-1]) != NULL)
			e--;
		for (sn = 0; s + sn < e && is_digit(s[sn]); sn++)
			;
		if (sn > 0 && s + sn == e) {
			lint_warn(l, "tag %s: the size limit '%s' on %s is gone "
			    "in RFC 9989; leave it out", tag,
			    show(bang, (size_t)(u + n - bang), b),
			    show(u, (size_t)(bang - u), b2));
			n = (size_t)(bang - u);
		}
	}
	/* scheme ":" something */
	for (i = 0; i < n && (i == 0 ? is_alpha(u[i]) : is_alpha(u[i]) ||
	    is_digit(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'); i++)
		;
	if (i == 0 || i >= n - 1 || u[i] != ':') {
		if (memchr(u, '@', n) != NULL && i < n && u[i] != ':')
			lint_error(l, "tag %s: '%s' is not a URI; write "
			    "mailto:%s (RFC 7489 6.2)", tag, show(u, n, b),
			    show(u, n, b2));
		else
			lint_error(l, "tag %s: '%s' is not a URI; a mailto: "
			    "URI is expected (RFC 7489 6.2)", tag, show(u, n, b));
		return 0;
	}
	if (!eq_ci(u, i, "mailto")) {
		lint_warn(l, "tag %s: '%s' is not a mailto: URI; receivers need "
		    "support only mailto: (RFC 7489 6.2)", tag, show(u, n, b));
		return 1;
	}
	if (!mailto_host(u + i + 1, n - i - 1, host, sizeof host)) {
		lint_warn(l, "tag %s: '%s' has no address local@host (RFC 7489 "
		    "6.2)", tag, show(u, n, b));
		return 1;
	}
	if (l->domain != NULL && !org_aligned(host, l->domain))
		lint_warn(l, "tag %s: %s is outside %s: the TXT record "
		    "%s._report._dmarc.%s (v=DMARC1) must exist, or receivers "
		    "send it no reports (RFC 7489 7.1)", tag,
		    show(host, strlen(host), b),
		    show(l->domain, strlen(l->domain), b2), b2,
		    show(host, strlen(host), b3));
	return 1;
}

/* rua or ruf: comma-separated URIs; returns how many are valid. */
static size_t
check_uris(struct lint *l, const char *tag, const char *v)
{
	const char *p = v, *end, *s;
	size_t n, count = 0, valid = 0;

	if (*v == '\0') {
		lint_error(l, "tag %s: empty; it wants URIs separated by ',', "
		    "such as mailto:dmarc@example.com (RFC 7489 6.3)", tag);
		return 0;
	}
	for (;;) {
		end = strchr(p, ',');
		s = p;
		n = end ? (size_t)(end - p) : strlen(p);
		trim(&s, &n);
		if (n == 0)
			lint_error(l, "tag %s: an empty URI between ',' (RFC 7489 "
			    "6.4)", tag);
		else {
			count++;
			valid += (size_t)check_uri(l, tag, s, n);
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (count > 2)
		lint_warn(l, "tag %s: %zu URIs; receivers need support only two, "
		    "so later ones may get no reports (RFC 7489 6.2)", tag, count);
	return valid;
}

/* The value checks of one tag (name in lowercase, value trimmed). */
static void
check_tag(struct lint *l, const char *name, const char *v, size_t *rua_valid)
{
	char b[SHOW_LEN];
	const char *bad;
	size_t badn;
	unsigned long long x;
	static const char *const fo_words[] = { "0", "1", "d", "s", NULL };
	static const char *const rf_words[] = { "afrf", NULL };

	if (strcmp(name, "v") == 0) {
		if (strcmp(v, "DMARC1") == 0)
			;
		else if (eq_ci(v, strlen(v), "dmarc1"))
			lint_error(l, "tag v: '%s' must be exactly DMARC1 (the "
			    "value is case-sensitive); receivers ignore the "
			    "record (RFC 7489 6.3)", show(v, strlen(v), b));
		else
			lint_error(l, "tag v: '%s' is not DMARC1; receivers "
			    "ignore the record (RFC 7489 6.3)",
			    show(v, strlen(v), b));
	} else if (strcmp(name, "p") == 0 || strcmp(name, "sp") == 0 ||
	    strcmp(name, "np") == 0) {
		if (!one_of(v, policies))
			lint_error(l, "tag %s: '%s' is not none, quarantine or "
			    "reject (%s)", name, show(v, strlen(v), b),
			    name[0] == 'n' ? "RFC 9989" : "RFC 7489 6.3");
	} else if (strcmp(name, "adkim") == 0 || strcmp(name, "aspf") == 0) {
		if (!one_of(v, modes))
			lint_error(l, "tag %s: '%s' is not r or s (RFC 7489 6.3)",
			    name, show(v, strlen(v), b));
	} else if (strcmp(name, "t") == 0) {
		if (!one_of(v, yes_no))
			lint_error(l, "tag t: '%s' is not y or n (RFC 9989)",
			    show(v, strlen(v), b));
	} else if (strcmp(name, "psd") == 0) {
		if (!one_of(v, yes_no_u))
			lint_error(l, "tag psd: '%s' is not y, n or u (RFC 9989)",
			    show(v, strlen(v), b));
	} else if (strcmp(name, "fo") == 0) {
		if (!colon_list(v, fo_words, &bad, &badn))
			lint_error(l, "tag fo: '%s' is not 0, 1, d or s (a "
			    "colon-separated list) (RFC 7489 6.3)",
			    show(bad, badn, b));
	} else if (strcmp(name, "pct") == 0) {
		check_pct(l, v);
	} else if (strcmp(name, "rua") == 0) {
		*rua_valid = check_uris(l, name, v);
	} else if (strcmp(name, "ruf") == 0) {
		(void)check_uris(l, name, v);
	} else if (strcmp(name, "rf") == 0) {
		if (!colon_list(v, rf_words, &bad, &badn))
			lint_warn(l, "tag rf: '%s' is not afrf (RFC 7489 6.3)",
			    show(bad, badn, b));
		lint_warn(l, "tag rf: removed in RFC 9989, whose receivers "
		    "ignore it");
	} else if (strcmp(name, "ri") == 0) {
		if (!uint_max(v, 4294967295ULL, &x))
			lint_warn(l, "tag ri: '%s' is not a number of seconds "
			    "(RFC 7489 6.3)", show(v, strlen(v), b));
		lint_warn(l, "tag ri: removed in RFC 9989, whose receivers "
		    "ignore it");
	} else {
		lint_warn(l, "tag %s: unknown; receivers ignore it (RFC 7489 "
		    "6.3)", show(name, strlen(name), b));
	}
}

/* The owner name: _dmarc.<domain>.  Sets l->domain (lowercase, owned by
 * *domain) to the policy domain it names or was meant to name. */
static void
check_owner(struct lint *l, const char *owner, char **domain)
{
	char b[SHOW_LEN], b2[SHOW_LEN];
	size_t n = strlen(owner), i;
	char *lc;

	while (n > 0 && owner[n - 1] == '.')
		n--;
	if ((lc = dup_n(owner, n)) == NULL) {
		l->oom = 1;
		return;
	}
	for (i = 0; i < n; i++)
		lc[i] = to_lower(lc[i]);
	*domain = lc;
	if (n == 0 || strcmp(lc, "_dmarc") == 0) {
		lint_error(l, "name: '%s' names no domain; publish the record at "
		    "_dmarc.<domain> (RFC 7489 6.1)", show(owner, strlen(owner),
		    b));
		return;
	}
	if (strncmp(lc, "_dmarc.", 7) == 0) {
		l->domain = lc + 7;
		return;
	}
	if (strncmp(lc, "dmarc.", 6) == 0 && lc[6] != '\0') {
		l->domain = lc + 6;
		lint_error(l, "name: %s is not where receivers look; publish the "
		    "record at _dmarc.%s (RFC 7489 6.1)", show(lc, n, b),
		    show(l->domain, strlen(l->domain), b2));
		return;
	}
	l->domain = lc;
	lint_error(l, "name: %s has no _dmarc label; publish the record at "
	    "_dmarc.%s (RFC 7489 6.1)", show(lc, n, b), show(lc, n, b2));
}

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_alpha(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* The typographic quotes a word processor or web page puts in place of
 * '"' and '\'': receivers read them as part of a value. */
static const struct {
	const char *utf8, *name;
} typo_quotes[] = {
	{ "\xe2\x80\x9c", "\xe2\x80\x9c (U+201C)" },
	{ "\xe2\x80\x9d", "\xe2\x80\x9d (U+201D)" },
	{ "\xe2\x80\x98", "\xe2\x80\x98 (U+2018)" },
	{ "\xe2\x80\x99", "\xe2\x80\x99 (U+2019)" },
	{ "\xe2\x80\x9e", "\xe2\x80\x9e (U+201E)" },
};

/* The first typographic quote in [s, s + n), or NULL. */
static const char *
typo_quote(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i + 3 <= n; i++)
		for (k = 0; k < sizeof typo_quotes / sizeof typo_quotes[0]; k++)
			if (memcmp(s + i, typo_quotes[k].utf8, 3) == 0)
				return typo_quotes[k].name;
	return NULL;
}

/* s without its typographic quotes (malloc'd), or NULL. */
static char *
strip_typo(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i + 3 <= n && typo_quote(s + i, 3) != NULL) {
			i += 2;
			continue;
		}
		d[o++] = s[i];
	}
	d[o] = '\0';
	return d;
}

/* One tag-spec [s, s + n) holding typographic quotes: an error naming
 * them and the tag (the name before '=' when it is one). */
static void
check_typo(struct lint *l, const char *s, size_t n)
{
	char b[SHOW_LEN], b2[SHOW_LEN], names[128] = "";
	const char *eq, *nm;
	size_t nn, i, k, found = 0;
	int seen[sizeof typo_quotes / sizeof typo_quotes[0]] = { 0 };

	for (i = 0; i + 3 <= n; i++)
		for (k = 0; k < sizeof typo_quotes / sizeof typo_quotes[0]; k++)
			if (!seen[k] && memcmp(s + i, typo_quotes[k].utf8, 3) == 0) {
				seen[k] = 1;
				if (found++)
					strcat(names, " and ");
				strcat(names, typo_quotes[k].name);
			}
	if (found == 0)
		return;
	eq = memchr(s, '=', n);
	nm = s, nn = eq ? (size_t)(eq - s) : 0;
	trim(&nm, &nn);
	if (eq != NULL && valid_name(nm, nn) && typo_quote(nm, nn) == NULL)
		lint_error(l, "tag %s: '%s' holds the typographic quote%s %s; "
		    "receivers read %s as part of the value: type the record "
		    "again with plain quotes, or none", show(nm, nn, b2),
		    show(s, n, b), found > 1 ? "s" : "", names,
		    found > 1 ? "them" : "it");
	else
		lint_error(l, "record: '%s' holds the typographic quote%s %s; "
		    "receivers read %s as part of the record: type the record "
		    "again with plain quotes, or none", show(s, n, b),
		    found > 1 ? "s" : "", names, found > 1 ? "them" : "it");
}

int
lint_record(const char *record, const char *owner, struct lint_result *out)
{
	struct lint l;
	char b[SHOW_LEN], *domain = NULL, *clean = NULL;
	const char *p, *end, *s, *eq, *nm, *val;
	size_t n, nn, vn, i, k, part = 0, v_at = (size_t)-1, p_at = (size_t)-1;
	size_t nonempty = 0, rua_valid = 0;
	int dup_seen[LINT_MAX_TAGS] = { 0 }, has_ruf = 0, has_fo = 0;
	int empty_warned = 0;

	memset(out, 0, sizeof *out);
	memset(&l, 0, sizeof l);
	l.r = out;
	if (record == NULL)
		record = "";
	if (owner != NULL)
		check_owner(&l, owner, &domain);
	/* typographic quotes: an error for each tag-spec holding one, then
	 * the record is read without them, so that one stray quote does not
	 * bury its error under those it causes */
	if (typo_quote(record, strlen(record)) != NULL) {
		for (p = record; ; p = end + 1) {
			end = strchr(p, ';');
			s = p;
			n = end ? (size_t)(end - p) : strlen(p);
			trim(&s, &n);
			check_typo(&l, s, n);
			if (end == NULL)
				break;
		}
		if ((clean = strip_typo(record)) == NULL)
			l.oom = 1;
		else
			record = clean;
	}

	p = record;
	if (is_wsp(*p) && p[strspn(p, " \t\r\n")] != '\0')
		lint_error(&l, "tag v: whitespace before v=DMARC1; the record "
		    "must begin with it (RFC 7489 6.4)");
	for (; !l.oom; p = end + 1, part++) {
		end = strchr(p, ';');
		s = p;
		n = end ? (size_t)(end - p) : strlen(p);
		trim(&s, &n);
		if (n == 0) {
			/* a trailing ';' (or nothing at all) is fine */
			if (end != NULL && end[1 + strspn(end + 1, " \t\r\n")] !=
			    '\0' && !empty_warned) {
				empty_warned = 1;
				lint_warn(&l, "record: an empty tag between two "
				    "';' (RFC 7489 6.4)");
			}
			if (end == NULL)
				break;
			continue;
		}
		if ((eq = memchr(s, '=', n)) == NULL) {
			lint_error(&l, "record: '%s' is not tag=value; strict "
			    "receivers ignore the record (RFC 7489 6.4)",
			    show(s, n, b));
			nonempty++;
			if (end == NULL)
				break;
			continue;
		}
		nm = s, nn = (size_t)(eq - s);
		val = eq + 1, vn = (size_t)(s + n - val);
		trim(&nm, &nn);
		trim(&val, &vn);
		if (!valid_name(nm, nn)) {
			lint_error(&l, "record: '%s' is not a tag name (a letter, "
			    "then letters, digits or '_'); strict receivers "
			    "ignore the record (RFC 7489 6.4)", show(nm, nn, b));
			nonempty++;
			if (end == NULL)
				break;
			continue;
		}
		for (i = 0; i < out->ntags; i++)
			if (eq_ci(nm, nn, out->tags[i].name))
				break;
		if (i < out->ntags) {
			if (!dup_seen[i]) {
				dup_seen[i] = 1;
				lint_error(&l, "tag %s: appears more than once; a "
				    "tag list with a duplicate tag is invalid "
				    "(RFC 7489 6.3, RFC 6376 3.2)",
				    out->tags[i].name);
			}
			nonempty++;
			if (end == NULL)
				break;
			continue;
		}
		if (out->ntags == LINT_MAX_TAGS) {
			lint_warn(&l, "record: more than %d tags; the rest are "
			    "not read", LINT_MAX_TAGS);
			break;
		}
		if ((out->tags[i].name = dup_n(nm, nn)) == NULL ||
		    (out->tags[i].value = dup_n(val, vn)) == NULL) {
			l.oom = 1;
			free(out->tags[i].name);
			out->tags[i].name = NULL;
			break;
		}
		out->ntags++;
		for (k = 0; k < nn; k++)
			out->tags[i].name[k] = to_lower(nm[k]);
		if (strncmp(nm, out->tags[i].name, nn) != 0)
			lint_warn(&l, "tag %s: write tag names in lowercase; "
			    "DMARC takes its tag syntax from DKIM, where names "
			    "are case-sensitive (RFC 7489 6.3, RFC 6376 3.2)",
			    show(nm, nn, b));
		if (strcmp(out->tags[i].name, "v") == 0) {
			v_at = part;
			if (part != 0)
				lint_error(&l, "tag v: not the first tag; "
				    "receivers ignore a record that does not "
				    "begin with v=DMARC1 (RFC 7489 6.3)");
		} else if (strcmp(out->tags[i].name, "p") == 0)
			p_at = nonempty;
		else if (strcmp(out->tags[i].name, "ruf") == 0)
			has_ruf = 1;
		else if (strcmp(out->tags[i].name, "fo") == 0)
			has_fo = 1;
		check_tag(&l, out->tags[i].name, out->tags[i].value,
		    &rua_valid);
		nonempty++;
		if (end == NULL)
			break;
	}

	if (!l.oom) {
		if (v_at == (size_t)-1)
			lint_error(&l, "tag v: missing; a DMARC record begins "
			    "with v=DMARC1, or receivers ignore it (RFC 7489 "
			    "6.3)");
		if (p_at == (size_t)-1 && rua_valid > 0)
			lint_warn(&l, "tag p: missing; with a valid rua "
			    "receivers act as if p=none (RFC 7489 6.6.3)");
		else if (p_at == (size_t)-1)
			lint_error(&l, "tag p: missing, and no valid rua; "
			    "receivers ignore the record (RFC 7489 6.6.3)");
		else if (p_at != 1 && v_at == 0)
			lint_warn(&l, "tag p: not right after v; RFC 7489's "
			    "grammar puts it second (RFC 7489 6.4)");
		if (has_fo && !has_ruf)
			lint_warn(&l, "tag fo: has no effect without ruf "
			    "(RFC 7489 6.3)");
		check_pct_zero(&l, out);
	}
	free(domain);
	free(clean);
	out->valid = out->nerrors == 0;
	if (l.oom) {
		lint_free(out);
		return -1;
	}
	return 0;
}

const char *
lint_tag(const struct lint_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i].name, name) == 0)
			return r->tags[i].value;
	return NULL;
}

void
lint_free(struct lint_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntags; i++) {
		free(r->tags[i].name);
		free(r->tags[i].value);
	}
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	memset(r, 0, sizeof *r);
}
