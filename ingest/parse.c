/* SPDX-License-Identifier: MIT */
/*
 * parse.c: streaming DMARC aggregate report parser over libxml2's SAX2 push
 * parser, with every SPEC.md E tolerance.  Bytes pass a small front end
 * (UTF-16 decoding, NUL check, junk before the first '<', encoding
 * declaration check, bare '<' and '&' in text) before libxml2 sees them;
 * SAX events drive a table of the report's elements keyed by (parent,
 * local name).  Over 800 lines because the front end and the SAX side
 * share the parser's state (the line numbers, the recovered errors); the
 * front end is the part to move out if it grows again.
 */
#include "parse.h"

#include "domain.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#define NS_DMARC1	"http://dmarc.org/dmarc-xml/0.1"
#define NS_DMARC2	"urn:ietf:params:xml:ns:dmarc-2.0"
#define HEAD_MAX	512		/* bytes held back to read the XML declaration */
#define MSG_MAX		512
#define SHOW_MAX	64		/* bytes of a bad value quoted in a message */
#define DATE_MIN	946684800	/* 2000-01-01T00:00:00Z */
#define DATE_SLACK	86400		/* how far in the future a date may be */
/* 13-digit dates are epoch milliseconds (E.15): 10^12 ms is 2001-09-09,
 * and 10^12 s is the year 31690, so no date in seconds is mistaken */
#define DATE_MS_MIN	INT64_C(1000000000000)
#define DATE_MS_MAX	INT64_C(9999999999999)
#define XML_CHUNK_MAX	(1 << 30)	/* xmlParseChunk takes an int size */
#define PEND_CAP	(64 * 1024)	/* bytes collected before libxml2 sees them */
#define HOLD_MAX	64		/* bytes after a '<' or '&' that tell what it is */

/* Element identities: an element is known by its parent and local name. */
enum el {
	E_OUTSIDE, E_FEEDBACK, E_VERSION,
	E_META, E_ORG, E_EMAIL, E_EXTRA, E_REPORT_ID, E_GENERATOR, E_ERROR,
	E_DATE, E_BEGIN, E_END,
	E_POLICY, E_P_DOMAIN, E_P_ADKIM, E_P_ASPF, E_P_P, E_P_SP, E_P_NP,
	E_P_PCT, E_P_FO, E_P_TESTING, E_P_DISCOVERY,
	E_RECORD, E_ROW, E_IP, E_COUNT, E_PE, E_DISP, E_PE_DKIM, E_PE_SPF,
	E_REASON, E_RS_TYPE, E_RS_COMMENT,
	E_IDENT, E_ENV_TO, E_ENV_FROM, E_HDR_FROM,
	E_AUTH, E_A_DKIM, E_AD_DOMAIN, E_AD_SELECTOR, E_AD_RESULT, E_AD_HUMAN,
	E_A_SPF, E_AS_DOMAIN, E_AS_SCOPE, E_AS_RESULT, E_AS_HUMAN
};

#define F_LEAF	1	/* collect the text */
#define F_LOWER	2	/* enum-like: lowercase it */
#define F_DOMAIN 4	/* a domain name: normalized (E.17) */

static const struct el_def {
	unsigned char parent, id, flags;
	const char *name;
} el_table[] = {
	{ E_FEEDBACK, E_VERSION, F_LEAF, "version" },
	{ E_FEEDBACK, E_META, 0, "report_metadata" },
	{ E_FEEDBACK, E_POLICY, 0, "policy_published" },
	{ E_FEEDBACK, E_RECORD, 0, "record" },
	{ E_META, E_ORG, F_LEAF, "org_name" },
	{ E_META, E_EMAIL, F_LEAF, "email" },
	{ E_META, E_EXTRA, F_LEAF, "extra_contact_info" },
	{ E_META, E_REPORT_ID, F_LEAF, "report_id" },
	{ E_META, E_GENERATOR, F_LEAF, "generator" },
	{ E_META, E_DATE, 0, "date_range" },
	{ E_META, E_DATE, 0, "data_range" },		/* KDDI (E.11) */
	{ E_META, E_ERROR, F_LEAF, "error" },
	{ E_DATE, E_BEGIN, F_LEAF, "begin" },
	{ E_DATE, E_END, F_LEAF, "end" },
	{ E_POLICY, E_P_DOMAIN, F_LEAF | F_DOMAIN, "domain" },
	{ E_POLICY, E_P_ADKIM, F_LEAF | F_LOWER, "adkim" },
	{ E_POLICY, E_P_ASPF, F_LEAF | F_LOWER, "aspf" },
	{ E_POLICY, E_P_P, F_LEAF | F_LOWER, "p" },
	{ E_POLICY, E_P_SP, F_LEAF | F_LOWER, "sp" },
	{ E_POLICY, E_P_NP, F_LEAF | F_LOWER, "np" },
	{ E_POLICY, E_P_PCT, F_LEAF, "pct" },
	{ E_POLICY, E_P_FO, F_LEAF, "fo" },
	{ E_POLICY, E_P_TESTING, F_LEAF | F_LOWER, "testing" },
	{ E_POLICY, E_P_DISCOVERY, F_LEAF | F_LOWER, "discovery_method" },
	{ E_RECORD, E_ROW, 0, "row" },
	{ E_RECORD, E_IDENT, 0, "identifiers" },
	{ E_RECORD, E_IDENT, 0, "identities" },		/* old drafts (E.11) */
	{ E_RECORD, E_AUTH, 0, "auth_results" },
	{ E_ROW, E_IP, F_LEAF, "source_ip" },
	{ E_ROW, E_COUNT, F_LEAF, "count" },
	{ E_ROW, E_PE, 0, "policy_evaluated" },
	{ E_PE, E_DISP, F_LEAF | F_LOWER, "disposition" },
	{ E_PE, E_PE_DKIM, F_LEAF | F_LOWER, "dkim" },
	{ E_PE, E_PE_SPF, F_LEAF | F_LOWER, "spf" },
	{ E_PE, E_REASON, 0, "reason" },
	{ E_REASON, E_RS_TYPE, F_LEAF | F_LOWER, "type" },
	{ E_REASON, E_RS_COMMENT, F_LEAF, "comment" },
	{ E_IDENT, E_ENV_TO, F_LEAF | F_DOMAIN, "envelope_to" },
	{ E_IDENT, E_ENV_FROM, F_LEAF | F_DOMAIN, "envelope_from" },
	{ E_IDENT, E_HDR_FROM, F_LEAF | F_DOMAIN, "header_from" },
	{ E_AUTH, E_A_DKIM, 0, "dkim" },
	{ E_AUTH, E_A_SPF, 0, "spf" },
	{ E_A_DKIM, E_AD_DOMAIN, F_LEAF | F_DOMAIN, "domain" },
	{ E_A_DKIM, E_AD_SELECTOR, F_LEAF, "selector" },
	{ E_A_DKIM, E_AD_RESULT, F_LEAF | F_LOWER, "result" },
	{ E_A_DKIM, E_AD_HUMAN, F_LEAF, "human_result" },
	{ E_A_SPF, E_AS_DOMAIN, F_LEAF | F_DOMAIN, "domain" },
	{ E_A_SPF, E_AS_SCOPE, F_LEAF | F_LOWER, "scope" },
	{ E_A_SPF, E_AS_RESULT, F_LEAF | F_LOWER, "result" },
	{ E_A_SPF, E_AS_HUMAN, F_LEAF, "human_result" },
};

enum in_state { IN_JUNK, IN_HEAD, IN_BODY };

#define U16_LE	1
#define U16_BE	2
#define U16_OUT	4096		/* UTF-8 bytes converted at a time */

struct parser {
	struct dm_limits lim;
	char *filename;
	char *subject;
	struct parse_callbacks cb;
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;

	int failed;
	int finished;
	char err[MSG_MAX];
	unsigned long xml_errors;	/* well-formedness errors libxml2 recovered */
	char xml_err[MSG_MAX];		/* the first of them */

	/* front end */
	int enc_known;			/* UTF-16 or not is decided */
	unsigned char enc_head[4];	/* the first bytes, to decide it */
	size_t enc_head_len;
	int utf16;			/* 0, or U16_LE / U16_BE */
	unsigned char u16_byte;		/* the first byte of a code unit */
	int u16_have;
	unsigned u16_hi;		/* a high surrogate waiting, or 0 */
	unsigned long long u16_bad;	/* code units replaced by U+FFFD */
	enum in_state in_state;
	unsigned char head[HEAD_MAX];
	size_t head_len;
	unsigned char hold[HOLD_MAX];	/* a '<' or '&' not decided yet, on */
	size_t hold_len;
	int sect;			/* M_COMMENT, M_CDATA, or 0 */
	int sect_match;			/* chars of its end matched */
	char *pend;			/* PEND_CAP bytes for xml_push */
	size_t pend_len;
	uint64_t in_off;

	/* position in the tree */
	size_t depth;			/* open elements, all of them */
	size_t skip_depth;		/* depth of a subtree being skipped, or 0 */
	unsigned char *stack;		/* enum el of each open element */
	size_t stack_cap;
	int in_feedback, feedback_seen, feedback_closed, policy_seen;
	const xmlChar *fb_ns;		/* libxml2's string, for a fast compare */
	char root_name[64];

	/* text of the current leaf */
	char *text;
	size_t text_len, text_cap;
	size_t collect_depth;		/* depth of the leaf, or 0 */
	unsigned char collect_id, collect_flags;
	/* non-blank text since the last tag outside a leaf: skipped
	 * elements and mixed content are held to field_bytes too */
	uint64_t other_text;

	struct dm_report rep;
	char *bad_begin, *bad_end;	/* non-numeric date text */
	char *first_header_from;

	struct dm_record rec;
	char *ip_raw, *count_raw;
	size_t open_records;
	uint64_t messages;		/* sum of the used records' counts */

	unsigned long long seen, used, skipped, warnings;
	unsigned long long bad_domains;	/* names kept as written (E.17) */
};

static void fail(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void fail_at(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void vfail(struct parser *p, int with_line, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
vfail(struct parser *p, int with_line, const char *fmt, va_list ap)
{
	int n = 0;

	if (p->failed)
		return;
	p->failed = 1;
	if (with_line && p->ctxt != NULL)
		n = snprintf(p->err, sizeof p->err, "line %d: ",
		    xmlSAX2GetLineNumber(p->ctxt));
	if (n < 0 || (size_t)n >= sizeof p->err)
		n = 0;
	vsnprintf(p->err + n, sizeof p->err - (size_t)n, fmt, ap);
	if (p->ctxt != NULL)
		xmlStopParser(p->ctxt);
}

/* Fails the document; the first failure is the one reported. */
static void
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, 0, fmt, ap);
	va_end(ap);
}

/* Same, prefixed with libxml2's current line (inside SAX callbacks). */
static void
fail_at(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, 1, fmt, ap);
	va_end(ap);
}

static void
warn(struct parser *p, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	p->warnings++;
	if (p->cb.warning == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->cb.warning(p->cb.ctx, msg);
}

static void
oom(struct parser *p)
{
	fail(p, "out of memory");
}

/* Records a well-formedness error libxml2 (or the front end) recovered. */
static void
xml_error(struct parser *p, int line, const char *msg)
{
	size_t n = 0, i;

	if (p->xml_errors++ > 0)
		return;
	if (line > 0)
		n = (size_t)snprintf(p->xml_err, sizeof p->xml_err, "line %d: ",
		    line);
	if (n >= sizeof p->xml_err)
		n = 0;
	snprintf(p->xml_err + n, sizeof p->xml_err - n, "%s", msg);
	/* libxml2 messages end in a newline and may hold one inside */
	for (i = 0; p->xml_err[i] != '\0'; i++)
		if (p->xml_err[i] == '\n' || p->xml_err[i] == '\r' ||
		    p->xml_err[i] == '\t')
			p->xml_err[i] = ' ';
	while (i > 0 && p->xml_err[i - 1] == ' ')
		p->xml_err[--i] = '\0';
}

/* ---- values ---- */

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * A copy of s[0..n) that is valid UTF-8: libxml2 hands over the raw bytes of
 * a document that claims UTF-8 but is not (E.2), so each invalid byte is
 * read as Latin-1.
 */
static char *
dup_utf8(const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i, k, extra = 0;
	char *out, *o;

	for (i = 0; i < n; i += k)
		if ((k = utf8_seq(s + i, n - i)) == 0)
			extra++, k = 1;
	if ((out = malloc(n + extra + 1)) == NULL)
		return NULL;
	if (extra == 0) {
		memcpy(out, s, n);
		out[n] = '\0';
		return out;
	}
	for (o = out, i = 0; i < n; i += k) {
		if ((k = utf8_seq(s + i, n - i)) == 0) {
			*o++ = (char)(0xc0 | (s[i] >> 6));
			*o++ = (char)(0x80 | (s[i] & 0x3f));
			k = 1;
		} else {
			memcpy(o, s + i, k);
			o += k;
		}
	}
	*o = '\0';
	return out;
}

/* The current leaf's text, trimmed (and lowercased when asked), or NULL
 * when empty; NULL with p->failed set when out of memory. */
static char *
take_value(struct parser *p, int lower)
{
	/* no text yet: p->text is NULL, and NULL + 0 is undefined in C */
	const char *s = p->text, *e = s != NULL ? s + p->text_len : s;
	char *v, *c;

	while (s < e && is_space((unsigned char)*s))
		s++;
	while (e > s && is_space((unsigned char)e[-1]))
		e--;
	if (s == e)
		return NULL;
	if ((v = dup_utf8(s, (size_t)(e - s))) == NULL) {
		oom(p);
		return NULL;
	}
	if (lower)
		for (c = v; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	return v;
}

/*
 * Bounded integer parsing (E.7): surrounding whitespace, an optional sign,
 * leading zeros; with allow_frac a decimal part, which is truncated.
 * Returns 0, or -1 on junk or overflow.
 */
static int
parse_i64(const char *s, int allow_frac, int64_t *out)
{
	uint64_t v = 0;
	int neg = 0, digits = 0;

	if (s == NULL)
		return -1;
	while (is_space((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (digits == 0)
		return -1;
	if (allow_frac && *s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	while (is_space((unsigned char)*s))
		s++;
	if (*s != '\0')
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Keeps the first value of an element that occurs twice. */
static void
set_str(char **dst, char *v)
{
	if (*dst == NULL)
		*dst = v;
	else
		free(v);
}

/* "2", "2.0", "02.00": version 2 of the format. */
static int
is_version2(const char *v)
{
	int64_t n;
	const char *dot;
	char buf[32];
	size_t len;

	if (v == NULL)
		return 0;
	dot = strchr(v, '.');
	len = dot != NULL ? (size_t)(dot - v) : strlen(v);
	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (parse_i64(buf, 0, &n) != 0 || n != 2)
		return 0;
	if (dot != NULL)
		for (dot++; *dot != '\0'; dot++)
			if (*dot != '0')
				return 0;
	return 1;
}

/* ---- records ---- */

/* Grows one of the record's (or report's) repeated arrays by one zeroed
 * element; enforces DM_LIMIT_REPEATS. */
static void *
grow(struct parser *p, void *arr, size_t *n, size_t size, const char *what)
{
	void *na;

	if (*n >= p->lim.repeats) {
		fail_at(p, "limit %s exceeded (more than %llu <%s> in %s)",
		    DM_LIMIT_REPEATS, (unsigned long long)p->lim.repeats, what,
		    strcmp(what, "error") == 0 ? "the report" : "one record");
		return NULL;
	}
	if (*n + 1 > SIZE_MAX / size) {
		oom(p);
		return NULL;
	}
	if ((na = realloc(arr, (*n + 1) * size)) == NULL) {
		oom(p);
		return NULL;
	}
	memset((char *)na + *n * size, 0, size);
	(*n)++;
	return na;
}

static void
record_start(struct parser *p)
{
	p->seen++;
	if (p->seen > p->lim.records) {
		fail_at(p, "limit %s exceeded (more than %llu <record> elements)",
		    DM_LIMIT_RECORDS, (unsigned long long)p->lim.records);
		return;
	}
	dm_record_clear(&p->rec);
	free(p->ip_raw);
	free(p->count_raw);
	p->ip_raw = p->count_raw = NULL;
	p->rec.position = p->seen;
	p->open_records++;
}

/* Canonical text of an address (E.9); IPv4-mapped IPv6 becomes IPv4. */
static int
normalize_ip(const char *s, char *out, size_t outlen, int *family)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		*family = 4;
		return inet_ntop(AF_INET, &a4, out, (socklen_t)outlen) ? 0 : -1;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, a6.s6_addr + 12, 4);
		*family = 4;
		return inet_ntop(AF_INET, &a4, out, (socklen_t)outlen) ? 0 : -1;
	}
	*family = 6;
	return inet_ntop(AF_INET6, &a6, out, (socklen_t)outlen) ? 0 : -1;
}

static void
record_end(struct parser *p)
{
	struct dm_record *r = &p->rec;
	size_t i;

	if (p->open_records > 0)
		p->open_records--;
	if (normalize_ip(p->ip_raw, r->source_ip, sizeof r->source_ip,
	    &r->ip_family) != 0) {
		p->skipped++;
		warn(p, "record %llu: invalid source_ip '%.*s' (skipped)",
		    (unsigned long long)r->position, SHOW_MAX,
		    p->ip_raw ? p->ip_raw : "");
		goto out;
	}
	if (parse_i64(p->count_raw, 0, &r->count) != 0 || r->count < 0) {
		p->skipped++;
		warn(p, "record %llu: invalid count '%.*s' (skipped)",
		    (unsigned long long)r->position, SHOW_MAX,
		    p->count_raw ? p->count_raw : "");
		goto out;
	}
	/* the report's message total must fit the store's 64-bit integers:
	 * a record that would make it wrap is as unusable as a bad count */
	if ((uint64_t)r->count > (uint64_t)INT64_MAX - p->messages) {
		p->skipped++;
		warn(p, "record %llu: count %lld makes the report's message "
		    "total overflow 64 bits (skipped)",
		    (unsigned long long)r->position, (long long)r->count);
		goto out;
	}
	p->messages += (uint64_t)r->count;
	for (i = 0; i < r->n_spf; i++)
		if (r->spf[i].scope == NULL &&
		    (r->spf[i].scope = strdup("mfrom")) == NULL) {
			oom(p);
			goto out;
		}
	if (p->first_header_from == NULL && r->header_from != NULL &&
	    (p->first_header_from = strdup(r->header_from)) == NULL) {
		oom(p);
		goto out;
	}
	p->used++;
	if (p->cb.record != NULL &&
	    p->cb.record(p->cb.ctx, &p->rep, r) != 0)
		fail(p, "stopped by caller");
out:
	dm_record_clear(r);
	free(p->ip_raw);
	free(p->count_raw);
	p->ip_raw = p->count_raw = NULL;
}

/*
 * A domain name in its stored form (E.17), in place of v.  One that is no
 * valid internationalized name is kept as written (lowercased): the first
 * is warned about, the others counted for parse_finish.
 */
static char *
domain_value(struct parser *p, char *v, const char *what)
{
	const char *why;
	char *n;

	if (v == NULL)
		return NULL;
	switch (dm_domain_norm(v, &n, &why)) {
	case DM_DNAME_OK:
		break;
	case DM_DNAME_INVALID:
		if (p->bad_domains++ == 0) {
			if (p->collect_id == E_P_DOMAIN)
				warn(p, "policy domain '%.*s' is not a valid "
				    "domain name (%s): kept as written",
				    SHOW_MAX, v, why);
			else
				warn(p, "record %llu: %s '%.*s' is not a valid "
				    "domain name (%s): kept as written",
				    (unsigned long long)p->rec.position, what,
				    SHOW_MAX, v, why);
		}
		break;
	case DM_DNAME_NOMEM:
	default:
		oom(p);
		break;
	}
	free(v);
	return n;
}

/* ---- SAX callbacks ---- */

static void
leaf_end(struct parser *p)
{
	struct dm_report *rp = &p->rep;
	struct dm_record *r = &p->rec;
	char *v = take_value(p, p->collect_flags & F_LOWER);
	char **dst = NULL;
	void *na;

	if (p->failed) {
		free(v);
		return;
	}
	if (p->collect_flags & F_DOMAIN) {
		const struct el_def *d;
		const char *what = "domain";

		for (d = el_table; d < el_table + sizeof el_table /
		    sizeof el_table[0]; d++)
			if (d->id == p->collect_id) {
				what = d->name;
				break;
			}
		if (p->collect_id == E_AD_DOMAIN)
			what = "DKIM domain";
		else if (p->collect_id == E_AS_DOMAIN)
			what = "SPF domain";
		v = domain_value(p, v, what);
		if (p->failed)
			return;
	}
	switch ((enum el)p->collect_id) {
	case E_VERSION:
		dst = &rp->xml_version;
		if (is_version2(v))
			rp->schema = DM_SCHEMA_DMARC2;
		break;
	case E_ORG: dst = &rp->org_name; break;
	case E_EMAIL: dst = &rp->email; break;
	case E_EXTRA: dst = &rp->extra_contact_info; break;
	case E_REPORT_ID: dst = &rp->report_id; break;
	case E_GENERATOR: dst = &rp->generator; break;
	case E_ERROR:
		if (v == NULL)
			break;
		na = grow(p, rp->errors, &rp->n_errors, sizeof *rp->errors,
		    "error");
		if (na == NULL)
			break;
		rp->errors = na;
		rp->errors[rp->n_errors - 1] = v;
		return;
	case E_BEGIN:
	case E_END: {
		int64_t *t = p->collect_id == E_BEGIN ? &rp->date_begin :
		    &rp->date_end;
		int *has = p->collect_id == E_BEGIN ? &rp->has_begin :
		    &rp->has_end;
		char **bad = p->collect_id == E_BEGIN ? &p->bad_begin :
		    &p->bad_end;

		if (*has || *bad != NULL)
			break;
		if (parse_i64(v, 1, t) == 0) {
			*has = 1;
			if (*t >= DATE_MS_MIN && *t <= DATE_MS_MAX) {
				warn(p, "date_range %s %lld is in milliseconds, "
				    "read as %lld seconds", p->collect_id ==
				    E_BEGIN ? "begin" : "end", (long long)*t,
				    (long long)(*t / 1000));
				*t /= 1000;
			}
		} else if (v != NULL) {
			*bad = v;
			return;
		}
		break;
	}
	case E_P_DOMAIN: dst = &rp->domain; break;
	case E_P_ADKIM: dst = &rp->adkim; break;
	case E_P_ASPF: dst = &rp->aspf; break;
	case E_P_P: dst = &rp->p; break;
	case E_P_SP: dst = &rp->sp; break;
	case E_P_NP: dst = &rp->np; break;
	case E_P_FO: dst = &rp->fo; break;
	case E_P_TESTING: dst = &rp->testing; break;
	case E_P_DISCOVERY: dst = &rp->discovery_method; break;
	case E_P_PCT:
		if (v == NULL || rp->has_pct)
			break;
		if (parse_i64(v, 0, &rp->pct) == 0)
			rp->has_pct = 1;
		else
			warn(p, "invalid pct '%.*s' (ignored)", SHOW_MAX, v);
		break;
	case E_IP: dst = &p->ip_raw; break;
	case E_COUNT: dst = &p->count_raw; break;
	case E_DISP: dst = &r->disposition; break;
	case E_PE_DKIM: dst = &r->dkim_aligned; break;
	case E_PE_SPF: dst = &r->spf_aligned; break;
	case E_RS_TYPE: dst = &r->reasons[r->n_reasons - 1].type; break;
	case E_RS_COMMENT: dst = &r->reasons[r->n_reasons - 1].comment; break;
	case E_ENV_TO: dst = &r->envelope_to; break;
	case E_ENV_FROM: dst = &r->envelope_from; break;
	case E_HDR_FROM: dst = &r->header_from; break;
	case E_AD_DOMAIN: dst = &r->dkim[r->n_dkim - 1].domain; break;
	case E_AD_SELECTOR: dst = &r->dkim[r->n_dkim - 1].selector; break;
	case E_AD_RESULT: dst = &r->dkim[r->n_dkim - 1].result; break;
	case E_AD_HUMAN: dst = &r->dkim[r->n_dkim - 1].human_result; break;
	case E_AS_DOMAIN: dst = &r->spf[r->n_spf - 1].domain; break;
	case E_AS_SCOPE: dst = &r->spf[r->n_spf - 1].scope; break;
	case E_AS_RESULT: dst = &r->spf[r->n_spf - 1].result; break;
	case E_AS_HUMAN: dst = &r->spf[r->n_spf - 1].human_result; break;
	default:
		break;
	}
	if (dst != NULL && v != NULL)
		set_str(dst, v);
	else
		free(v);
}

/* Returns 0 to enter the container, -1 to skip its subtree. */
static int
container_start(struct parser *p, enum el id)
{
	struct dm_record *r = &p->rec;
	void *na;

	switch (id) {
	case E_POLICY:
		if (p->policy_seen) {
			warn(p, "second <policy_published> ignored");
			return -1;
		}
		p->policy_seen = 1;
		break;
	case E_RECORD:
		record_start(p);
		break;
	case E_REASON:
		if ((na = grow(p, r->reasons, &r->n_reasons, sizeof *r->reasons,
		    "reason")) != NULL)
			r->reasons = na;
		break;
	case E_A_DKIM:
		if ((na = grow(p, r->dkim, &r->n_dkim, sizeof *r->dkim,
		    "dkim")) != NULL)
			r->dkim = na;
		break;
	case E_A_SPF:
		if ((na = grow(p, r->spf, &r->n_spf, sizeof *r->spf,
		    "spf")) != NULL)
			r->spf = na;
		break;
	default:
		break;
	}
	return 0;
}

static int
push_el(struct parser *p, enum el id)
{
	if (p->depth > p->stack_cap) {
		size_t ncap = p->stack_cap ? p->stack_cap * 2 : 16;
		unsigned char *ns;

		while (ncap < p->depth)
			ncap *= 2;
		if ((ns = realloc(p->stack, ncap)) == NULL) {
			oom(p);
			return -1;
		}
		p->stack = ns;
		p->stack_cap = ncap;
	}
	p->stack[p->depth - 1] = (unsigned char)id;
	return 0;
}

static int
ns_ok(const struct parser *p, const xmlChar *uri)
{
	const char *u = (const char *)uri;

	if (uri == NULL || uri == p->fb_ns)
		return 1;
	if (p->rep.xml_namespace != NULL && strcmp(u, p->rep.xml_namespace) == 0)
		return 1;
	return strcmp(u, NS_DMARC2) == 0 || strcmp(u, NS_DMARC1) == 0;
}

/*
 * libxml2 2.9 drops predefined entity references (&amp;, &lt;) once it has
 * seen a well-formedness error, even in recover mode (xmlParseReference
 * returns early when !wellFormed).  The error is recorded already, so the
 * flag is raised again to keep the salvaged text whole.
 */
static void
keep_entities(struct parser *p)
{
	if (p->xml_errors != 0 && p->ctxt->wellFormed == 0)
		p->ctxt->wellFormed = 1;
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	struct parser *p = ctx;
	const char *local = (const char *)localname;
	const struct el_def *d;
	unsigned char parent;
	size_t i;

	(void)prefix, (void)nb_namespaces, (void)namespaces;
	(void)nb_attributes, (void)nb_defaulted, (void)attributes;
	p->other_text = 0;
	if (p->failed)
		return;
	keep_entities(p);
	if (p->depth >= p->lim.xml_depth) {
		fail_at(p, "limit %s exceeded (elements nested deeper than %llu)",
		    DM_LIMIT_XML_DEPTH, (unsigned long long)p->lim.xml_depth);
		return;
	}
	p->depth++;
	if (p->skip_depth != 0)
		return;
	if (!p->in_feedback) {
		if (!p->feedback_seen && strcmp(local, "feedback") == 0) {
			p->feedback_seen = p->in_feedback = 1;
			p->fb_ns = uri;
			if (uri != NULL) {
				if ((p->rep.xml_namespace =
				    strdup((const char *)uri)) == NULL) {
					oom(p);
					return;
				}
				if (strcmp(p->rep.xml_namespace, NS_DMARC2) == 0)
					p->rep.schema = DM_SCHEMA_DMARC2;
			}
			push_el(p, E_FEEDBACK);
			return;
		}
		if (p->root_name[0] == '\0')
			snprintf(p->root_name, sizeof p->root_name, "%s", local);
		push_el(p, E_OUTSIDE);
		return;
	}
	parent = p->stack[p->depth - 2];
	d = NULL;
	if (ns_ok(p, uri))
		for (i = 0; i < sizeof el_table / sizeof el_table[0]; i++)
			if (el_table[i].parent == parent &&
			    strcmp(el_table[i].name, local) == 0) {
				d = &el_table[i];
				break;
			}
	/* foreign namespaces, <extension> and unknown elements: skip all */
	if (d == NULL) {
		p->skip_depth = p->depth;
		return;
	}
	if (d->flags & F_LEAF) {
		p->collect_depth = p->depth;
		p->collect_id = d->id;
		p->collect_flags = d->flags;
		p->text_len = 0;
	} else if (container_start(p, (enum el)d->id) != 0) {
		p->skip_depth = p->depth;
		return;
	}
	push_el(p, (enum el)d->id);
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parser *p = ctx;

	(void)localname, (void)prefix, (void)uri;
	p->other_text = 0;
	if (p->failed || p->depth == 0)
		return;
	keep_entities(p);
	if (p->skip_depth != 0) {
		if (p->depth == p->skip_depth)
			p->skip_depth = 0;
		p->depth--;
		return;
	}
	if (p->collect_depth == p->depth) {
		p->collect_depth = 0;
		leaf_end(p);
	} else if (p->stack[p->depth - 1] == E_RECORD) {
		record_end(p);
	} else if (p->stack[p->depth - 1] == E_FEEDBACK) {
		p->in_feedback = 0;
		p->feedback_closed = 1;
	}
	p->depth--;
}

/* Only XML whitespace in s[0..n). */
static int
blank(const xmlChar *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	struct parser *p = ctx;
	size_t n = (size_t)len, need;
	char *nt;

	if (p->xml_errors != 0)
		keep_entities(p);
	if (p->failed || len <= 0)
		return;
	if (p->collect_depth != p->depth || p->collect_depth == 0) {
		if (!blank(s, n))
			p->other_text += n;
		if (p->other_text > p->lim.field_bytes)
			fail_at(p, "limit %s exceeded (more than %llu bytes of "
			    "text in one element)", DM_LIMIT_FIELD_BYTES,
			    (unsigned long long)p->lim.field_bytes);
		return;
	}
	if ((uint64_t)n > p->lim.field_bytes - p->text_len) {
		fail_at(p, "limit %s exceeded (more than %llu bytes of text in "
		    "one element)", DM_LIMIT_FIELD_BYTES,
		    (unsigned long long)p->lim.field_bytes);
		return;
	}
	need = p->text_len + n + 1;
	if (need > p->text_cap) {
		size_t ncap = p->text_cap ? p->text_cap : 256;

		while (ncap < need)
			ncap *= 2;
		if ((nt = realloc(p->text, ncap)) == NULL) {
			oom(p);
			return;
		}
		p->text = nt;
		p->text_cap = ncap;
	}
	memcpy(p->text + p->text_len, s, n);
	p->text_len += n;
}

static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
    const xmlChar *system_id)
{
	(void)name, (void)external_id, (void)system_id;
	fail_at(ctx, "DTD not allowed (document type declarations are "
	    "refused)");
}

static void
sax_error(void *ctx, xmlErrorPtr e)
{
	struct parser *p = ctx;

	if (e == NULL || e->level < XML_ERR_ERROR || p->failed)
		return;
	xml_error(p, e->line, e->message ? e->message : "unknown error");
}

/* ---- front end ---- */

static void
parse_chunk(struct parser *p, const char *s, size_t len)
{
	size_t n;

	while (len > 0 && !p->failed) {
		n = len > XML_CHUNK_MAX ? XML_CHUNK_MAX : len;
		xmlParseChunk(p->ctxt, s, (int)n, 0);
		s += n;
		len -= n;
	}
}

/* 1 + the index of the last '>' in s[0..len), or 0. */
static size_t
last_gt(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] != '>')
		len--;
	return len;
}

/* Hands libxml2 the pending bytes: all of them, or up to the last '>'. */
static void
flush_pend(struct parser *p, int all)
{
	size_t cut = all ? p->pend_len : last_gt(p->pend, p->pend_len);

	if (cut == 0)
		cut = p->pend_len;
	parse_chunk(p, p->pend, cut);
	memmove(p->pend, p->pend + cut, p->pend_len - cut);
	p->pend_len -= cut;
}

/*
 * Feeds libxml2 in pieces that end just after a '>'.  Its push parser
 * fails ("detected an error in element content") when an invalid UTF-8 byte
 * is among the last bytes it has been given, so tiny pushes are collected
 * and a chunk boundary never falls inside text.
 */
static void
xml_push(struct parser *p, const void *buf, size_t len)
{
	const char *s = buf;
	size_t n, cut;

	while (len > 0 && !p->failed) {
		if (p->pend_len == 0 && len >= PEND_CAP) {
			if ((cut = last_gt(s, len)) == 0)
				cut = len;
			parse_chunk(p, s, cut);
			s += cut;
			len -= cut;
			continue;
		}
		n = PEND_CAP - p->pend_len;
		if (n > len)
			n = len;
		memcpy(p->pend + p->pend_len, s, n);
		p->pend_len += n;
		s += n;
		len -= n;
		if (p->pend_len == PEND_CAP)
			flush_pend(p, 0);
	}
}

/* What a '<' or '&' in the input is. */
enum mark {
	M_NEED,		/* more bytes are needed to tell */
	M_MARKUP,	/* a tag, an end tag, a PI, a reference: as written */
	M_COMMENT,	/* "<!--": as written, up to "-->" */
	M_CDATA,	/* "<![CDATA[": as written, up to "]]>" */
	M_BARE		/* a bare '<' or '&' in text: fed as a reference */
};

static int
name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static int
name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/*
 * Tells markup from a bare '<' or '&' (E.13) by the bytes that follow it,
 * s[0] being the '<' or '&' and n the bytes seen.  A '<' starts a tag only
 * when a name follows and then a blank, '>' or '/' ("<noreply@x.org>" and
 * "<example.com</header_from>" are text); a '&' is a reference only when
 * a name or a character number and ';' follow ("AT&T" is text).  Looks at
 * HOLD_MAX bytes at most, so that the answer never depends on how the
 * input was chunked; past them, or at the end of the input (final), a '<'
 * is left to libxml2 and a '&' is text.
 */
static enum mark
classify(const unsigned char *s, size_t n, int final)
{
	static const char comment[] = "<!--", cdata[] = "<![CDATA[";
	size_t i = 1, m = n < HOLD_MAX ? n : HOLD_MAX;
	int more = !final && n < HOLD_MAX;

	if (s[0] == '<') {
		if (m < 2)
			return more ? M_NEED : M_MARKUP;
		if (s[1] == '/' || s[1] == '?')
			return M_MARKUP;
		if (s[1] == '!') {
			if (m >= 4 && memcmp(s, comment, 4) == 0)
				return M_COMMENT;
			if (m >= 9 && memcmp(s, cdata, 9) == 0)
				return M_CDATA;
			if (more && (memcmp(s, comment, m < 4 ? m : 4) == 0 ||
			    memcmp(s, cdata, m < 9 ? m : 9) == 0))
				return M_NEED;
			return M_MARKUP;
		}
		if (!name_start(s[1]))
			return M_BARE;
		for (i = 2; i < m && name_char(s[i]); i++)
			;
		if (i == m)
			return more ? M_NEED : M_MARKUP;
		return is_space(s[i]) || s[i] == '>' || s[i] == '/' ?
		    M_MARKUP : M_BARE;
	}
	if (m < 2)
		return more ? M_NEED : M_BARE;
	if (s[1] == '#') {
		int hex = m > 2 && s[2] == 'x';
		size_t d;

		for (i = hex ? 3 : 2, d = i; i < m; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (hex &&
			    ((s[i] >= 'a' && s[i] <= 'f') ||
			    (s[i] >= 'A' && s[i] <= 'F')))))
				break;
		if (i == m)
			return more ? M_NEED : M_BARE;
		return s[i] == ';' && i > d ? M_MARKUP : M_BARE;
	}
	if (!name_start(s[1]))
		return M_BARE;
	for (i = 2; i < m && name_char(s[i]); i++)
		;
	if (i == m)
		return more ? M_NEED : M_BARE;
	return s[i] == ';' ? M_MARKUP : M_BARE;
}

/* A bare '<' or '&', fed as a character reference, and noted as a
 * well-formedness error, so that the rules of E.13 apply. */
static void
feed_bare(struct parser *p, unsigned char c)
{
	int line = xmlSAX2GetLineNumber(p->ctxt);
	char msg[64];
	size_t i;

	/* libxml2's line, plus the lines still waiting in pend */
	for (i = 0; i < p->pend_len; i++)
		if (p->pend[i] == '\n')
			line++;
	if (p->xml_errors == 0) {
		snprintf(msg, sizeof msg, "bare '%c' in text (read as '&#%d;')",
		    c, c);
		xml_error(p, line, msg);
	} else
		p->xml_errors++;
	xml_push(p, c == '<' ? "&#60;" : "&#38;", 5);
}

/*
 * The input past the XML declaration, with bare '<' and '&' made
 * references.  A '<' or '&' whose meaning the chunk does not show yet is
 * held back (hold[]) with what follows it; `final` decides it at the end.
 */
static void
feed_run(struct parser *p, const unsigned char *s, size_t len, int final)
{
	const unsigned char *end = s + len, *seg = s, *q = s;
	const unsigned char *lt = NULL, *amp = NULL;	/* the next ones */
	enum mark m;

	while (q < end && !p->failed) {
		if (p->sect != 0) {
			/* inside a comment or CDATA: up to "-->" or "]]>" */
			unsigned char t = p->sect == M_COMMENT ? '-' : ']';

			for (; q < end; q++) {
				if (*q == '>' && p->sect_match == 2) {
					p->sect = 0;
					q++;
					break;
				}
				p->sect_match = *q == t ? (p->sect_match < 2 ?
				    p->sect_match + 1 : 2) : 0;
			}
			continue;
		}
		if (lt == NULL || lt < q)
			if ((lt = memchr(q, '<', (size_t)(end - q))) == NULL)
				lt = end;
		if (amp == NULL || amp < q)
			if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
				amp = end;
		if ((q = lt < amp ? lt : amp) == end)
			break;
		m = classify(q, (size_t)(end - q), final);
		switch (m) {
		case M_NEED:
			xml_push(p, seg, (size_t)(q - seg));
			memcpy(p->hold, q, (size_t)(end - q));
			p->hold_len = (size_t)(end - q);
			return;
		case M_BARE:
			xml_push(p, seg, (size_t)(q - seg));
			feed_bare(p, *q);
			seg = ++q;
			break;
		case M_COMMENT:
		case M_CDATA:
			p->sect = m;
			p->sect_match = 0;
			q += m == M_COMMENT ? 4 : 9;
			break;
		case M_MARKUP:
			q++;
			break;
		}
	}
	if (seg < end && !p->failed)
		xml_push(p, seg, (size_t)(end - seg));
}

static void
feed(struct parser *p, const unsigned char *s, size_t len, int final)
{
	unsigned char tmp[HOLD_MAX];
	size_t n;

	while (p->hold_len > 0 && !p->failed && (len > 0 || final)) {
		n = HOLD_MAX - p->hold_len;
		if (n > len)
			n = len;
		if (n > 0) {	/* s may be NULL with len 0 (a final push) */
			memcpy(p->hold + p->hold_len, s, n);
			s += n;
			len -= n;
		}
		p->hold_len += n;
		if (classify(p->hold, p->hold_len, final && len == 0) == M_NEED)
			return;		/* all of s is held */
		/* decided: the held bytes go through again, then the rest */
		n = p->hold_len;
		memcpy(tmp, p->hold, n);
		p->hold_len = 0;
		feed_run(p, tmp, n, final && len == 0);
	}
	if (len > 0 && !p->failed)
		feed_run(p, s, len, final);
}

/* The XML declaration is complete in head[], or never will be. */
static int
head_complete(const struct parser *p)
{
	size_t i, n = p->head_len < 5 ? p->head_len : 5;

	if (memcmp(p->head, "<?xml", n) != 0 || p->head_len == HEAD_MAX)
		return 1;
	for (i = 1; i < p->head_len; i++)
		if (p->head[i - 1] == '?' && p->head[i] == '>')
			return 1;
	return 0;
}

/* The encoding named by the XML declaration in head[], or "" (E.2). */
static void
head_encoding(const struct parser *p, char *out, size_t outlen)
{
	const unsigned char *h = p->head, *e;
	size_t i, n = 0;
	unsigned char q;

	out[0] = '\0';
	if (p->head_len < 5 || memcmp(h, "<?xml", 5) != 0)
		return;
	for (e = h; e + 1 < h + p->head_len && !(e[0] == '?' && e[1] == '>'); e++)
		;
	for (i = 5; i + 8 <= (size_t)(e - h); i++)
		if (memcmp(h + i, "encoding", 8) == 0)
			break;
	if (i + 8 > (size_t)(e - h))
		return;
	for (i += 8; h + i < e && is_space(h[i]); i++)
		;
	if (h + i >= e || h[i++] != '=')
		return;
	for (; h + i < e && is_space(h[i]); i++)
		;
	if (h + i >= e || (h[i] != '"' && h[i] != '\''))
		return;
	q = h[i++];
	for (; h + i < e && h[i] != q && n + 1 < outlen; i++)
		out[n++] = (char)h[i];
	out[n] = '\0';
}

/* Creates libxml2's parser and hands it the held-back head. */
static void
head_flush(struct parser *p)
{
	int opts = XML_PARSE_NONET | XML_PARSE_RECOVER;
	xmlCharEncodingHandlerPtr h;
	char enc[64];

	head_encoding(p, enc, sizeof enc);
	if (p->utf16)		/* decoded already: libxml2 reads UTF-8 */
		opts |= XML_PARSE_IGNORE_ENC;
	else if (enc[0] != '\0') {
		if ((h = xmlFindCharEncodingHandler(enc)) == NULL) {
			warn(p, "unsupported encoding '%s' declared, read as "
			    "UTF-8", enc);
			opts |= XML_PARSE_IGNORE_ENC;
		} else
			xmlCharEncCloseFunc(h);
	}
	p->ctxt = xmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL);
	if (p->ctxt == NULL || (p->pend = malloc(PEND_CAP)) == NULL) {
		oom(p);
		return;
	}
	xmlCtxtUseOptions(p->ctxt, opts);
	p->in_state = IN_BODY;
	feed(p, p->head, p->head_len, 0);
}

/* ---- API ---- */

static void
silent(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

void
parse_global_init(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, silent);
	xmlThrDefSetGenericErrorFunc(NULL, silent);
}

struct parser *
parse_new(const struct dm_limits *limits, const char *filename,
    const char *subject, const struct parse_callbacks *cb)
{
	struct parser *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	if (limits != NULL)
		p->lim = *limits;
	else
		dm_limits_default(&p->lim);
	if (cb != NULL)
		p->cb = *cb;
	if ((filename != NULL && (p->filename = strdup(filename)) == NULL) ||
	    (subject != NULL && (p->subject = strdup(subject)) == NULL))
		goto fail;
	p->sax.initialized = XML_SAX2_MAGIC;
	p->sax.startElementNs = sax_start;
	p->sax.endElementNs = sax_end;
	p->sax.characters = sax_text;
	p->sax.cdataBlock = sax_text;
	p->sax.internalSubset = sax_internal_subset;
	p->sax.serror = sax_error;
	return p;
fail:
	parse_free(p);
	return NULL;
}

/* The bytes of an ASCII-compatible document (UTF-8, Latin-1, ...) through
 * the front end: NUL check, junk, the XML declaration, bare '<' and '&'. */
static int
push8(struct parser *p, const unsigned char *s, size_t len)
{
	const unsigned char *z;
	size_t n;

	if (p->failed || len == 0)
		return p->failed ? -1 : 0;
	if ((z = memchr(s, '\0', len)) != NULL) {
		fail(p, "NUL byte in XML at offset %llu",
		    (unsigned long long)(p->in_off + (uint64_t)(z - s)));
		return -1;
	}
	p->in_off += len;
	if (p->in_state == IN_JUNK) {
		/* BOM, whitespace, anything before the first '<' (E.2) */
		if ((z = memchr(s, '<', len)) == NULL)
			return 0;
		len -= (size_t)(z - s);
		s = z;
		p->in_state = IN_HEAD;
	}
	if (p->in_state == IN_HEAD) {
		n = HEAD_MAX - p->head_len;
		if (n > len)
			n = len;
		memcpy(p->head + p->head_len, s, n);
		p->head_len += n;
		s += n;
		len -= n;
		if (!head_complete(p))
			return 0;
		head_flush(p);
	}
	if (len > 0 && !p->failed)
		feed(p, s, len, 0);
	return p->failed ? -1 : 0;
}

static size_t
put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A UTF-16 document (E.16), decoded to UTF-8 before the front end, so that
 * every tolerance applies to it as to any other; libxml2 is then told to
 * ignore the declared encoding.  Lone surrogates become U+FFFD.  Code units
 * may be split across pushes anywhere.
 */
static int
push16(struct parser *p, const unsigned char *s, size_t len)
{
	unsigned char out[U16_OUT + 8];
	size_t o = 0, i;
	unsigned u;

	for (i = 0; i < len && !p->failed; i++) {
		if (!p->u16_have) {
			p->u16_byte = s[i];
			p->u16_have = 1;
			continue;
		}
		p->u16_have = 0;
		u = p->utf16 == U16_LE ? (unsigned)s[i] << 8 | p->u16_byte :
		    (unsigned)p->u16_byte << 8 | s[i];
		if (p->u16_hi != 0) {
			if (u >= 0xdc00 && u <= 0xdfff) {
				o += put_utf8(out + o, 0x10000 +
				    ((p->u16_hi - 0xd800) << 10) + (u - 0xdc00));
				p->u16_hi = 0;
				goto next;
			}
			p->u16_hi = 0;
			p->u16_bad++;
			o += put_utf8(out + o, 0xfffd);
		}
		if (u >= 0xd800 && u <= 0xdbff)
			p->u16_hi = u;
		else if (u >= 0xdc00 && u <= 0xdfff) {
			p->u16_bad++;
			o += put_utf8(out + o, 0xfffd);
		} else
			o += put_utf8(out + o, u);
next:
		if (o >= U16_OUT) {
			(void)push8(p, out, o);
			o = 0;
		}
	}
	if (o > 0)
		(void)push8(p, out, o);
	return p->failed ? -1 : 0;
}

/* The end of a UTF-16 document: what is left of a code unit or a pair. */
static void
end16(struct parser *p)
{
	unsigned char out[4];

	if (p->u16_have || p->u16_hi != 0) {
		p->u16_bad++;
		p->u16_have = 0;
		p->u16_hi = 0;
		(void)push8(p, out, put_utf8(out, 0xfffd));
	}
	if (p->u16_bad > 0)
		warn(p, "invalid UTF-16: %llu code unit%s replaced with U+FFFD",
		    p->u16_bad, p->u16_bad == 1 ? "" : "s");
}

/*
 * UTF-16 or not, from the first four bytes: a byte order mark, or "<?" or
 * "<f" (any ASCII after '<') in UTF-16 without one.  Then the held bytes
 * (without the mark) go through.
 */
static int
decide_encoding(struct parser *p)
{
	const unsigned char *h = p->enc_head;
	size_t n = p->enc_head_len, skip = 0;

	p->enc_known = 1;
	if (n >= 2 && h[0] == 0xff && h[1] == 0xfe)
		p->utf16 = U16_LE, skip = 2;
	else if (n >= 2 && h[0] == 0xfe && h[1] == 0xff)
		p->utf16 = U16_BE, skip = 2;
	else if (n == 4 && h[0] == '<' && h[1] == 0 && h[2] != 0 &&
	    h[2] < 0x80 && h[3] == 0)
		p->utf16 = U16_LE;
	else if (n == 4 && h[0] == 0 && h[1] == '<' && h[2] == 0 &&
	    h[3] != 0 && h[3] < 0x80)
		p->utf16 = U16_BE;
	if (p->utf16)
		return push16(p, h + skip, n - skip);
	return push8(p, h, n);
}

int
parse_push(struct parser *p, const void *buf, size_t len)
{
	const unsigned char *s = buf;
	size_t n;

	if (p->failed || p->finished)
		return p->failed ? -1 : 0;
	if (len == 0)
		return 0;
	if (!p->enc_known) {
		n = sizeof p->enc_head - p->enc_head_len;
		if (n > len)
			n = len;
		memcpy(p->enc_head + p->enc_head_len, s, n);
		p->enc_head_len += n;
		s += n;
		len -= n;
		if (p->enc_head_len < sizeof p->enc_head)
			return 0;
		if (decide_encoding(p) != 0)
			return -1;
	}
	return p->utf16 ? push16(p, s, len) : push8(p, s, len);
}

/* The policy domain from a receiver!domain!begin!end... name, or NULL. */
static char *
domain_from_filename(const char *name)
{
	const char *b, *f[4], *e;
	size_t i;

	if (name == NULL)
		return NULL;
	b = strrchr(name, '/');
	b = b != NULL ? b + 1 : name;
	f[0] = b;
	for (i = 1; i < 4; i++) {
		if ((e = strchr(f[i - 1], '!')) == NULL)
			return NULL;
		f[i] = e + 1;
	}
	if (f[2] - f[1] < 2 || f[2][0] < '0' || f[2][0] > '9' ||
	    f[3][0] < '0' || f[3][0] > '9')
		return NULL;
	return strndup(f[1], (size_t)(f[2] - f[1] - 1));
}

/* The domain after "Report Domain:" in a subject, or NULL. */
static char *
domain_from_subject(const char *subj)
{
	static const char key[] = "report domain:";
	const char *s, *e;

	if (subj == NULL)
		return NULL;
	for (s = subj; *s != '\0'; s++)
		if (strncasecmp(s, key, sizeof key - 1) == 0)
			break;
	if (*s == '\0')
		return NULL;
	for (s += sizeof key - 1; is_space((unsigned char)*s); s++)
		;
	for (e = s; *e != '\0' && !is_space((unsigned char)*e); e++)
		;
	return e > s ? strndup(s, (size_t)(e - s)) : NULL;
}

static int
dup_default(char **dst, const char *v)
{
	if (*dst != NULL || v == NULL)
		return 0;
	return (*dst = strdup(v)) == NULL ? -1 : 0;
}

/* The report-level checks of a document that was read to its end. */
static const char *
check_report(struct parser *p, char *why, size_t whylen)
{
	struct dm_report *r = &p->rep;
	char *d;

	if (r->report_id == NULL)
		return "no <report_id> in <report_metadata>";
	if (p->bad_begin != NULL) {
		snprintf(why, whylen, "invalid date_range begin '%.*s'",
		    SHOW_MAX, p->bad_begin);
		return why;
	}
	if (p->bad_end != NULL) {
		snprintf(why, whylen, "invalid date_range end '%.*s'",
		    SHOW_MAX, p->bad_end);
		return why;
	}
	if (!r->has_begin)
		return "no date_range <begin> in <report_metadata>";
	if (!r->has_end)
		return "no date_range <end> in <report_metadata>";
	if (r->domain != NULL)
		return NULL;
	if ((d = domain_from_filename(p->filename)) != NULL)
		r->domain_source = DM_DOMAIN_FILENAME;
	else if ((d = domain_from_subject(p->subject)) != NULL)
		r->domain_source = DM_DOMAIN_SUBJECT;
	else if (p->first_header_from != NULL &&
	    (d = strdup(p->first_header_from)) != NULL)
		r->domain_source = DM_DOMAIN_HEADER_FROM;
	if (d == NULL)
		return "no policy domain: <policy_published><domain> missing, "
		    "and none in the file name, subject or records";
	p->collect_id = E_P_DOMAIN;
	if ((r->domain = domain_value(p, d, "domain")) == NULL)
		return "out of memory";
	return NULL;
}

int
parse_finish(struct parser *p, const struct dm_report **out)
{
	struct dm_report *r = &p->rep;
	const char *why;
	char whybuf[MSG_MAX];
	int64_t now = (int64_t)time(NULL);

	*out = NULL;
	if (p->failed)
		return -1;
	if (p->finished) {
		*out = r;
		return 0;
	}
	if (!p->enc_known && p->enc_head_len > 0 && decide_encoding(p) != 0)
		return -1;
	if (p->utf16)
		end16(p);
	if (p->failed)
		return -1;
	if (p->in_state == IN_JUNK) {
		if (p->in_off == 0)
			fail(p, "not XML: empty document");
		else
			fail(p, "not XML: no '<' in %llu bytes",
			    (unsigned long long)p->in_off);
		return -1;
	}
	if (p->in_state == IN_HEAD)
		head_flush(p);
	if (p->hold_len > 0 && !p->failed)
		feed(p, NULL, 0, 1);
	if (!p->failed)
		flush_pend(p, 1);
	if (!p->failed)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	if (p->failed)
		return -1;

	if (!p->feedback_seen) {
		if (p->root_name[0] != '\0')
			fail(p, "not a DMARC report: root element <%s>",
			    p->root_name);
		else if (p->xml_errors > 0)
			fail(p, "not well-formed XML: %s", p->xml_err);
		else
			fail(p, "not a DMARC report: no <feedback> element");
		return -1;
	}
	if (!p->feedback_closed || p->open_records > 0) {
		if (p->xml_errors > 0)
			fail(p, "not well-formed XML: %s (document ends before "
			    "</feedback>)", p->xml_err);
		else
			fail(p, "truncated document: no </feedback>");
		return -1;
	}
	if ((why = check_report(p, whybuf, sizeof whybuf)) != NULL) {
		if (p->xml_errors > 0)
			fail(p, "not well-formed XML: %s; recovered report "
			    "unusable: %s", p->xml_err, why);
		else
			fail(p, "%s", why);
		return -1;
	}
	if (p->failed)
		return -1;
	if (p->xml_errors > 0)
		warn(p, "XML not well-formed, recovered: %s", p->xml_err);
	if (r->domain_source != DM_DOMAIN_REPORT)
		warn(p, "policy domain missing, derived from %s: %s",
		    dm_domain_source_name(r->domain_source), r->domain);

	/* E.6 defaults */
	if (dup_default(&r->adkim, "r") || dup_default(&r->aspf, "r") ||
	    dup_default(&r->sp, r->p) || dup_default(&r->np, r->sp) ||
	    dup_default(&r->fo, "0") || dup_default(&r->testing, "n")) {
		oom(p);
		return -1;
	}

	if (r->date_end < r->date_begin)
		warn(p, "date_range end %lld is before begin %lld",
		    (long long)r->date_end, (long long)r->date_begin);
	if (r->date_begin < DATE_MIN || r->date_end < DATE_MIN)
		warn(p, "date_range %lld-%lld is before the year 2000",
		    (long long)r->date_begin, (long long)r->date_end);
	if (r->date_begin > now + DATE_SLACK || r->date_end > now + DATE_SLACK)
		warn(p, "date_range %lld-%lld is in the future",
		    (long long)r->date_begin, (long long)r->date_end);
	if (p->used == 0)
		warn(p, "report has no usable records");
	if (p->bad_domains > 1)
		warn(p, "%llu domain names in all are not valid names and were "
		    "kept as written", p->bad_domains);
	p->finished = 1;
	*out = r;
	return 0;
}

const char *
parse_error(const struct parser *p)
{
	return p->failed ? p->err : "";
}

void
parse_set_error(struct parser *p, const char *msg)
{
	fail(p, "%s", msg != NULL ? msg : "stopped by caller");
}

void
parse_stats(const struct parser *p, struct parse_stats *st)
{
	st->records_seen = p->seen;
	st->records_used = p->used;
	st->records_skipped = p->skipped;
	st->warnings = p->warnings;
}

void
parse_free(struct parser *p)
{
	if (p == NULL)
		return;
	if (p->ctxt != NULL)
		xmlFreeParserCtxt(p->ctxt);
	dm_report_clear(&p->rep);
	dm_record_clear(&p->rec);
	free(p->filename);
	free(p->subject);
	free(p->stack);
	free(p->pend);
	free(p->text);
	free(p->bad_begin);
	free(p->bad_end);
	free(p->first_header_from);
	free(p->ip_raw);
	free(p->count_raw);
	free(p);
}
