/* SPDX-License-Identifier: MIT */
/*
 * senders.c: sender names for source IPs, from built-in tables of PTR
 * suffixes and of authentication domains, and a user file of CIDRs, PTR
 * suffixes and authentication domains.
 *
 * Names: "(ESP)" marks a third-party service that sends mail on the
 * domain's behalf (the fix for unaligned mail is DKIM set up in that
 * service); mailbox providers hosting the domain's own mail (Microsoft 365,
 * Google, Yahoo, Zoho Mail) carry no mark.  There are no built-in CIDRs:
 * providers' address ranges change, their PTR names do not.
 *
 * The user file, one entry per line:
 *   CIDR NAME      192.0.2.0/24, 2001:db8::/32; a bare address is a /32 or
 *                  /128; bits past the prefix are ignored (192.0.2.7/24 is
 *                  192.0.2.0/24)
 *   .SUFFIX NAME   a PTR suffix, starting with '.'
 *   @DOMAIN NAME   an authentication domain (a DKIM d= or SPF domain that
 *                  passed on the source's mail): the domain and its
 *                  subdomains ("@news.example.net")
 * NAME is the rest of the line, trimmed; '#' starts a comment anywhere
 * (so a name cannot contain '#'); blank lines are skipped.
 *
 * Matching: CIDRs first, the longest prefix winning; then PTR suffixes
 * (case-insensitive, one trailing dot of the PTR ignored), the longest
 * winning.  ".mailjet.com" matches "x.mailjet.com" and "mailjet.com"
 * itself, not "notmailjet.com" nor "mailjet.com.evil".  At equal length
 * a user entry beats a built-in one, and an earlier line a later one.
 * Authentication domains match the same way (the domain itself or a
 * subdomain, the longest entry winning), after the PTR: see senders.h for
 * the whole order.  A built-in domain entry and the PTR entry of the same
 * service carry the same name, so that a source named either way lands in
 * one sender.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dm_array.h"
#include "orgdomain.h"
#include "senders.h"

/* A line of the user file: entries are a CIDR or a DNS name and a short
 * label; anything longer is not a senders file. */
#define SENDERS_LINE_MAX 1024
/* A name is a column in tables; 128 bytes is several times any real one. */
#define SENDERS_NAME_MAX 128
/* A DNS name is at most 253 characters. */
#define SENDERS_SUFFIX_MAX 253
/* Entries of one kind (CIDRs, PTR suffixes, domains) in the user file: a
 * cap on its arrays, far past any real file (1M lines is up to a gigabyte). */
#define SENDERS_ENTRIES_MAX (1 << 20)

struct builtin {
	const char *suffix;
	const char *name;
};

static const struct builtin builtins[] = {
	{ ".protection.outlook.com", "Microsoft 365" },
	{ ".outbound.protection.outlook.com", "Microsoft 365" },
	{ ".outlook.com", "Outlook.com" },
	{ ".google.com", "Google" },
	{ ".googlemail.com", "Google" },
	{ ".amazonses.com", "Amazon SES (ESP)" },
	{ ".smtp-out.amazonses.com", "Amazon SES (ESP)" },
	{ ".mailjet.com", "Mailjet (ESP)" },
	{ ".sendgrid.net", "SendGrid (ESP)" },
	{ ".mcsv.net", "Mailchimp (ESP)" },
	{ ".rsgsv.net", "Mailchimp (ESP)" },
	{ ".mandrillapp.com", "Mandrill (ESP)" },
	{ ".salesforce.com", "Salesforce (ESP)" },
	{ ".exacttarget.com", "Salesforce Marketing Cloud (ESP)" },
	{ ".hubspotemail.net", "HubSpot (ESP)" },
	{ ".hubspot.com", "HubSpot (ESP)" },
	{ ".zendesk.com", "Zendesk (ESP)" },
	{ ".sendinblue.com", "Brevo (ESP)" },
	{ ".brevo.com", "Brevo (ESP)" },
	{ ".mtasv.net", "Postmark (ESP)" },
	{ ".sparkpostmail.com", "SparkPost (ESP)" },
	{ ".mailgun.net", "Mailgun (ESP)" },
	{ ".yahoo.com", "Yahoo" },
	{ ".zoho.com", "Zoho Mail" },
	{ ".zohomail.com", "Zoho Mail" },
};

/* The authentication domains of known services (their DKIM d= and SPF
 * domains), with the leading '.' of a suffix: ".mailjet.com" matches
 * "mailjet.com" and "bnc3.mailjet.com".  The names are those of the PTR
 * table above. */
static const struct builtin builtin_domains[] = {
	{ ".protection.outlook.com", "Microsoft 365" },
	{ ".onmicrosoft.com", "Microsoft 365" },
	{ ".outlook.com", "Outlook.com" },
	{ ".hotmail.com", "Outlook.com" },
	{ ".google.com", "Google" },
	{ ".googlemail.com", "Google" },
	{ ".gappssmtp.com", "Google" },
	{ ".amazonses.com", "Amazon SES (ESP)" },
	{ ".mailjet.com", "Mailjet (ESP)" },
	{ ".sendgrid.net", "SendGrid (ESP)" },
	{ ".sendgrid.com", "SendGrid (ESP)" },
	{ ".mcsv.net", "Mailchimp (ESP)" },
	{ ".rsgsv.net", "Mailchimp (ESP)" },
	{ ".mailchimpapp.net", "Mailchimp (ESP)" },
	{ ".mandrillapp.com", "Mandrill (ESP)" },
	{ ".salesforce.com", "Salesforce (ESP)" },
	{ ".exacttarget.com", "Salesforce Marketing Cloud (ESP)" },
	{ ".hubspotemail.net", "HubSpot (ESP)" },
	{ ".hubspot.com", "HubSpot (ESP)" },
	{ ".zendesk.com", "Zendesk (ESP)" },
	{ ".sendinblue.com", "Brevo (ESP)" },
	{ ".brevo.com", "Brevo (ESP)" },
	{ ".postmarkapp.com", "Postmark (ESP)" },
	{ ".mtasv.net", "Postmark (ESP)" },
	{ ".sparkpostmail.com", "SparkPost (ESP)" },
	{ ".mailgun.org", "Mailgun (ESP)" },
	{ ".mailgun.net", "Mailgun (ESP)" },
	{ ".yahoo.com", "Yahoo" },
	{ ".zoho.com", "Zoho Mail" },
	{ ".zohomail.com", "Zoho Mail" },
};

struct cidr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char net[16];		/* masked to the prefix */
	int prefix;
	char *name;
};

struct suffix {
	char *suffix;			/* lowercase, with the leading '.' */
	size_t len;
	char *name;
};

struct senders {
	struct cidr *cidrs;
	size_t ncidrs, capcidrs;
	struct suffix *suffixes;
	size_t nsuffixes, capsuffixes;
	struct suffix *domains;		/* @DOMAIN lines, stored as ".domain" */
	size_t ndomains, capdomains;
};

static void
senders_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
senders_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Keeps the first `prefix` bits of the address of `len` bytes. */
static void
mask_bits(unsigned char *a, size_t len, int prefix)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int keep = prefix - (int)i * 8;

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

/* 1 when the first `prefix` bits of a and b agree. */
static int
match_bits(const unsigned char *a, const unsigned char *b, int prefix)
{
	int full = prefix / 8, rest = prefix % 8;
	unsigned char m;

	if (full > 0 && memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (unsigned char)(0xff << (8 - rest));
	return (a[full] & m) == (b[full] & m);
}

/* Parses "ADDR[/LEN]" into c (without its name); -1 with the reason. */
static int
parse_cidr(char *tok, struct cidr *c, char *why, size_t whylen)
{
	char *slash = strchr(tok, '/');
	int max;
	size_t alen;

	if (slash != NULL)
		*slash = '\0';
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, tok, c->net) == 1) {
		c->family = AF_INET;
		max = 32;
		alen = 4;
	} else if (inet_pton(AF_INET6, tok, c->net) == 1) {
		c->family = AF_INET6;
		max = 128;
		alen = 16;
	} else {
		snprintf(why, whylen, "bad address \"%s\"", tok);
		return -1;
	}
	c->prefix = max;
	if (slash != NULL) {
		const char *p = slash + 1;
		int v = 0;

		if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
		    strlen(p) > 3) {
			snprintf(why, whylen, "bad prefix length \"/%s\"", p);
			return -1;
		}
		for (; *p != '\0'; p++)
			v = v * 10 + (*p - '0');
		if (v > max) {
			snprintf(why, whylen,
			    "prefix length %d out of range (0..%d)", v, max);
			return -1;
		}
		c->prefix = v;
	}
	mask_bits(c->net, alen, c->prefix);
	return 0;
}

/* Checks a ".SUFFIX" (or an "@DOMAIN": what names it in messages) and
 * lowercases it in place past its first character; -1 with the reason. */
static int
check_suffix(char *tok, const char *what, char *why, size_t whylen)
{
	size_t i, n = strlen(tok);

	if (n < 2) {
		snprintf(why, whylen, "empty %s \"%s\"", what, tok);
		return -1;
	}
	if (n > SENDERS_SUFFIX_MAX) {
		snprintf(why, whylen, "%s longer than %d characters", what,
		    SENDERS_SUFFIX_MAX);
		return -1;
	}
	if (tok[0] == '@' && tok[1] == '.') {
		snprintf(why, whylen, "bad %s \"%s\"", what, tok);
		return -1;
	}
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c == '.' ? i + 1 == n || tok[i + 1] == '.' :
		    !(c == '-' || c == '_' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			snprintf(why, whylen, "bad %s \"%s\"", what, tok);
			return -1;
		}
		tok[i] = (char)to_lower(c);
	}
	return 0;
}

/* 1 when tok looks like an address rather than a name: a '/' or ':', or
 * only digits and dots. */
static int
looks_like_address(const char *tok)
{
	return strchr(tok, '/') != NULL || strchr(tok, ':') != NULL ||
	    strspn(tok, "0123456789.") == strlen(tok);
}

static int
add_cidr(struct senders *s, const struct cidr *c)
{
	if (dm_array_reserve(&s->cidrs, &s->capcidrs, s->ncidrs + 1,
	    sizeof *s->cidrs, SENDERS_ENTRIES_MAX) != 0)
		return -1;
	s->cidrs[s->ncidrs++] = *c;
	return 0;
}

static int
add_suffix(struct suffix **v, size_t *nv, size_t *capv, const struct suffix *x)
{
	if (dm_array_reserve(v, capv, *nv + 1, sizeof **v,
	    SENDERS_ENTRIES_MAX) != 0)
		return -1;
	(*v)[(*nv)++] = *x;
	return 0;
}

/* Parses one line (comment already cut, trimmed, not empty) into s;
 * -1 with the reason in why (or "out of memory"). */
static int
parse_line(struct senders *s, char *line, char *why, size_t whylen)
{
	char *tok = line, *name, *end;
	size_t i;

	for (end = line; *end != '\0' && !is_space((unsigned char)*end); end++)
		;
	name = end;
	if (*name != '\0')
		*name++ = '\0';
	while (is_space((unsigned char)*name))
		name++;
	if (*name == '\0') {
		snprintf(why, whylen, "missing name after \"%s\"", tok);
		return -1;
	}
	if (strlen(name) > SENDERS_NAME_MAX) {
		snprintf(why, whylen, "name longer than %d bytes",
		    SENDERS_NAME_MAX);
		return -1;
	}
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "control character in name");
			return -1;
		}
	}

	if (tok[0] == '.' || tok[0] == '@') {
		struct suffix x = { NULL, 0, NULL };
		int dom = tok[0] == '@';

		if (check_suffix(tok, dom ? "domain" : "PTR suffix", why,
		    whylen) == -1)
			return -1;
		tok[0] = '.';	/* "@example.net" is kept as ".example.net" */
		x.len = strlen(tok);
		if ((x.suffix = strdup(tok)) == NULL ||
		    (x.name = strdup(name)) == NULL ||
		    (dom ? add_suffix(&s->domains, &s->ndomains, &s->capdomains,
		    &x) : add_suffix(&s->suffixes, &s->nsuffixes,
		    &s->capsuffixes, &x)) == -1) {
			free(x.suffix);
			free(x.name);
			goto nomem;
		}
	} else if (looks_like_address(tok)) {
		struct cidr c;

		if (parse_cidr(tok, &c, why, whylen) == -1)
			return -1;
		if ((c.name = strdup(name)) == NULL || add_cidr(s, &c) == -1) {
			free(c.name);
			goto nomem;
		}
	} else {
		snprintf(why, whylen, "PTR suffix \"%s\" must start with '.' "
		    "(or '@' for an authentication domain)", tok);
		return -1;
	}
	return 0;
nomem:
	snprintf(why, whylen, "out of memory");
	return -1;
}

static int
load_file(struct senders *s, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char *line = NULL, why[512];
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		senders_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (errno = 0, (n = getline(&line, &cap, fp)) != -1) {
		char *p, *hash, *e;

		lineno++;
		if ((size_t)n > SENDERS_LINE_MAX) {
			senders_err(err, errlen, "%s:%lu: line longer than %d "
			    "bytes", path, lineno, SENDERS_LINE_MAX);
			goto out;
		}
		if (strlen(line) != (size_t)n) {
			senders_err(err, errlen, "%s:%lu: NUL byte", path,
			    lineno);
			goto out;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (p = line; is_space((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && is_space((unsigned char)e[-1]);)
			*--e = '\0';
		if (*p == '\0')
			continue;
		if (parse_line(s, p, why, sizeof why) == -1) {
			senders_err(err, errlen, "%s:%lu: %s", path, lineno,
			    why);
			goto out;
		}
	}
	if (ferror(fp)) {
		senders_err(err, errlen, "%s: %s", path,
		    strerror(errno ? errno : EIO));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(fp);
	return rc;
}

struct senders *
senders_load(const char *path, char *err, size_t errlen)
{
	struct senders *s;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((s = calloc(1, sizeof *s)) == NULL) {
		senders_err(err, errlen, "out of memory");
		return NULL;
	}
	if (path != NULL && load_file(s, path, err, errlen) == -1) {
		senders_free(s);
		return NULL;
	}
	return s;
}

/* 1 when ptr (its own length n, lowercase or not) ends with the suffix
 * (lowercase, leading '.') or is the suffix without its dot. */
static int
suffix_match(const char *ptr, size_t n, const char *suffix, size_t slen)
{
	if (n + 1 == slen)
		return strncasecmp(ptr, suffix + 1, n) == 0;
	if (n > slen)
		return strncasecmp(ptr + n - slen, suffix, slen) == 0;
	return 0;
}

/* The longest CIDR of the user file that holds ip; NULL when none. */
static const char *
cidr_name(const struct senders *s, const char *ip)
{
	unsigned char addr[16];
	const char *best = NULL;
	size_t i;
	int family = 0, bestprefix = -1;

	if (s == NULL || ip == NULL)
		return NULL;
	if (inet_pton(AF_INET, ip, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		family = AF_INET6;
	else
		return NULL;
	for (i = 0; i < s->ncidrs; i++) {
		const struct cidr *c = &s->cidrs[i];

		if (c->family == family && c->prefix > bestprefix &&
		    match_bits(addr, c->net, c->prefix)) {
			best = c->name;
			bestprefix = c->prefix;
		}
	}
	return best;
}

/* The length of name without one trailing dot; 0 for NULL or "". */
static size_t
name_len(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0')
		return 0;
	n = strlen(name);
	return name[n - 1] == '.' ? n - 1 : n;
}

/* The longest suffix match of name (its length n) among user[0..nuser)
 * and then builtin[0..nbuiltin) (a user entry winning at equal length);
 * *user says which.  NULL when none. */
static const char *
suffix_name(const char *name, size_t n, const struct suffix *user,
    size_t nuser, const struct builtin *bt, size_t nbt, int *is_user)
{
	const char *best = NULL;
	size_t i, bestlen = 0;

	*is_user = 0;
	if (n == 0)
		return NULL;
	for (i = 0; i < nuser; i++) {
		const struct suffix *x = &user[i];

		if (x->len > bestlen && suffix_match(name, n, x->suffix, x->len)) {
			best = x->name;
			bestlen = x->len;
			*is_user = 1;
		}
	}
	for (i = 0; i < nbt; i++) {
		size_t len = strlen(bt[i].suffix);

		if (len > bestlen && suffix_match(name, n, bt[i].suffix, len)) {
			best = bt[i].name;
			bestlen = len;
			*is_user = 0;
		}
	}
	return best;
}

const char *
senders_name(const struct senders *s, const char *ip, const char *ptr)
{
	const char *best;
	int user;

	if (s == NULL)
		return NULL;
	if ((best = cidr_name(s, ip)) != NULL)
		return best;
	return suffix_name(ptr, name_len(ptr), s->suffixes, s->nsuffixes,
	    builtins, sizeof builtins / sizeof builtins[0], &user);
}

/* 1 when d looks like a host name with at least two labels: letters,
 * digits, '-', '_', non-empty labels, one trailing dot allowed, at most
 * SENDERS_SUFFIX_MAX characters.  Reports carry what the reporter read in
 * the mail, so anything else is not a name to show. */
static int
host_name_ok(const char *d)
{
	size_t i, n = name_len(d);
	int dots = 0;

	if (n == 0 || n > SENDERS_SUFFIX_MAX || d[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (i + 1 == n || d[i + 1] == '.')
				return 0;
			dots++;
		} else if (!(c == '-' || c == '_' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return dots > 0;
}

static void
set_id(struct sender_id *out, const char *name, enum sender_evidence how,
    const char *auth_domain)
{
	out->name = name;
	out->how = how;
	out->esp = strstr(name, "(ESP)") != NULL;
	out->auth_domain = auth_domain;
}

/*
 * Three passes over auth[] (the user's @domain lines, the built-in domain
 * table, the organizational domain), each taking the first usable domain:
 * a known name anywhere in the list beats an unknown domain with more
 * messages.
 */
void
senders_identify(const struct senders *s, const char *ip, const char *ptr,
    const char *policy_domain, const char *const *auth, size_t n,
    struct sender_id *out, char *buf, size_t buflen)
{
	const struct suffix *udom = s != NULL ? s->domains : NULL;
	const struct suffix *usuf = s != NULL ? s->suffixes : NULL;
	size_t nudom = s != NULL ? s->ndomains : 0;
	size_t nusuf = s != NULL ? s->nsuffixes : 0;
	const char *name, *ptrname;
	size_t i;
	int pass, user;

	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	if (ptr != NULL && ptr[0] == '\0')
		ptr = NULL;
	if (auth == NULL)
		n = 0;

	/* the user's CIDRs, then the PTR suffixes as senders_name matches
	 * them (the longest of the user's and the built-in ones) */
	if ((name = cidr_name(s, ip)) != NULL) {
		set_id(out, name, SENDER_USER, NULL);
		return;
	}
	ptrname = ptr == NULL ? NULL : suffix_name(ptr, name_len(ptr), usuf,
	    nusuf, builtins, sizeof builtins / sizeof builtins[0], &user);
	if (ptrname != NULL && user) {
		set_id(out, ptrname, SENDER_USER, NULL);
		return;
	}
	/* the user's @domain lines come before the built-in PTR table: the
	 * file overrides the built-in tables, with DNS or without */
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1 && ptrname != NULL) {
			set_id(out, ptrname, SENDER_PTR, NULL);
			return;
		}
		for (i = 0; i < n; i++) {
			const char *d = auth[i];

			if (d == NULL || !host_name_ok(d) ||
			    (policy_domain != NULL && org_aligned(d, policy_domain)))
				continue;
			if (pass == 0)
				name = suffix_name(d, name_len(d), udom, nudom,
				    NULL, 0, &user);
			else if (pass == 1)
				name = suffix_name(d, name_len(d), NULL, 0,
				    builtin_domains, sizeof builtin_domains /
				    sizeof builtin_domains[0], &user);
			else if (buf != NULL && buflen >= SENDERS_BUF_MIN &&
			    org_domain(d, buf, buflen)[0] != '\0')
				name = buf;
			else
				name = NULL;
			if (name != NULL) {
				set_id(out, name, pass == 0 ? SENDER_USER :
				    pass == 1 ? SENDER_SERVICE : SENDER_AUTH_DOMAIN, d);
				return;
			}
		}
	}
}

void
senders_free(struct senders *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncidrs; i++)
		free(s->cidrs[i].name);
	for (i = 0; i < s->nsuffixes; i++) {
		free(s->suffixes[i].suffix);
		free(s->suffixes[i].name);
	}
	for (i = 0; i < s->ndomains; i++) {
		free(s->domains[i].suffix);
		free(s->domains[i].name);
	}
	free(s->cidrs);
	free(s->suffixes);
	free(s->domains);
	free(s);
}
