/* SPDX-License-Identifier: MIT */
/*
 * dmarc-gen: a deterministic generator of realistic DMARC aggregate reports
 * (RFC 7489 and RFC 9990 XML, plain, gzip or zip) for examples, tests and benchmarks.
 *
 * The same options and seed always give byte-identical files: all randomness
 * comes from splitmix64, gzip headers carry mtime 0, zip entries a fixed mtime
 * derived from the report period, and the time zone is forced to UTC.
 * Records are written as they are generated, so --big N never holds a report
 * in memory (zip output goes through a temporary file in that case).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>
#include <zlib.h>

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define MAX_DOMAINS 64
#define MAX_DOMAIN_LEN 253              /* longest DNS name */
#define OUT_BUF_SIZE (64 * 1024)        /* write buffer in front of every sink */
#define MAX_RECORDS_PER_REPORT 100000000ULL

/* ---------------------------------------------------------------- PRNG */

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and its finalizer is a bijection. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Uniform integer in [lo, hi] (hi - lo far below 2^64, so the modulo bias does not matter). */
static uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_next(r) % (hi - lo + 1);
}

/* Uniform double in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* ---------------------------------------------------------------- output sinks */

enum sink_kind { SINK_FILE, SINK_GZ, SINK_MEM };

/* A buffered writer over a FILE, a gzFile or a growing memory block; errors are sticky. */
struct out {
	enum sink_kind kind;
	FILE *fp;
	gzFile gz;
	char *mem;
	size_t memlen, memcap;
	char buf[OUT_BUF_SIZE];
	size_t len;
	int failed;
};

static void out_flush(struct out *o)
{
	if (o->failed || o->len == 0) {
		o->len = 0;
		return;
	}
	switch (o->kind) {
	case SINK_FILE:
		if (fwrite(o->buf, 1, o->len, o->fp) != o->len)
			o->failed = 1;
		break;
	case SINK_GZ:
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len)
			o->failed = 1;
		break;
	case SINK_MEM:
		if (o->memlen + o->len > o->memcap) {
			size_t cap = o->memcap ? o->memcap : OUT_BUF_SIZE;
			while (cap < o->memlen + o->len)
				cap *= 2;
			char *p = realloc(o->mem, cap);
			if (p == NULL) {
				o->failed = 1;
				break;
			}
			o->mem = p;
			o->memcap = cap;
		}
		memcpy(o->mem + o->memlen, o->buf, o->len);
		o->memlen += o->len;
		break;
	}
	o->len = 0;
}

static void out_write(struct out *o, const char *s, size_t n)
{
	while (n > 0) {
		size_t room = sizeof o->buf - o->len;
		if (room == 0) {
			out_flush(o);
			room = sizeof o->buf;
		}
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static void out_str(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

/* Writes text with the five XML special characters escaped. */
static void out_esc(struct out *o, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if (rep) {
			out_write(o, run, (size_t)(s - run));
			out_str(o, rep);
			run = s + 1;
		}
	}
	out_write(o, run, (size_t)(s - run));
}

static void out_indent(struct out *o, int width, int depth)
{
	static const char spaces[] = "                                ";
	int n = width * depth;
	if (n > (int)sizeof spaces - 1)
		n = (int)sizeof spaces - 1;
	out_write(o, spaces, (size_t)n);
}

/* ---------------------------------------------------------------- reporters */

enum fmt { FMT_XML, FMT_GZ, FMT_ZIP, FMT_MIXED };
enum idstyle { ID_DECIMAL20, ID_HEX32, ID_EPOCH_MICRO };

/* How one receiver writes and packages its reports (as observed in real reports). */
struct reporter {
	const char *key;          /* option name */
	const char *receiver;     /* first part of the file name */
	const char *org_name;
	const char *email;
	const char *extra;        /* extra_contact_info or NULL */
	const char *xmldecl;
	const char *feedback_attrs; /* attributes on <feedback> in 7489 mode */
	int indent;
	int schema;               /* what it sends natively: 1 (RFC 7489) or 2 (RFC 9990) */
	enum fmt format;          /* what it sends natively */
	int version;              /* emits <version> in 7489 mode */
	int end_offset;           /* end - begin: 86399, or 86400 (Microsoft) */
	int has_sp, has_np, has_fo;
	int envelope_to, envelope_from;
	int dkim_result_first;    /* <result> before <selector> (Google) */
	int spf_scope;            /* emits <scope> in 7489 mode */
	enum idstyle idstyle;
	double daily;             /* chance it sends a report on a given day */
};

static const struct reporter REPORTERS[] = {
	{ "google", "google.com", "google.com", "noreply-dmarc-support@google.com",
	  "https://support.google.com/a/answer/2466580",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>", "", 2, 1, FMT_ZIP,
	  1, 86399, 1, 1, 0, 0, 0, 1, 0, ID_DECIMAL20, 1.0 },
	{ "microsoft", "enterprise.protection.outlook.com", "Enterprise Outlook",
	  "dmarcreport@microsoft.com", NULL, "<?xml version=\"1.0\"?>",
	  " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
	  " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"", 2, 1, FMT_GZ,
	  1, 86400, 1, 0, 1, 1, 1, 0, 1, ID_HEX32, 0.85 },
	{ "yahoo", "yahoo.com", "Yahoo", "dmarchelp@yahooinc.com", NULL,
	  "<?xml version=\"1.0\"?>", "", 2, 1, FMT_GZ,
	  0, 86399, 0, 0, 0, 0, 0, 0, 0, ID_EPOCH_MICRO, 0.55 },
	{ "gmx", "gmx.net", "GMX", "noreply-dmarc@sicher.gmx.net",
	  "https://postmaster.gmx.net/en/case?c=r2002",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "", 3, 2, FMT_GZ,
	  1, 86399, 1, 1, 0, 0, 1, 0, 1, ID_HEX32, 0.45 },
};
#define NREPORTERS ((int)(sizeof REPORTERS / sizeof REPORTERS[0]))

#define NS_DMARC2 "urn:ietf:params:xml:ns:dmarc-2.0"

/* ---------------------------------------------------------------- configuration */

enum policy { POL_NONE, POL_QUARANTINE, POL_REJECT };
static const char *const POLICY_NAMES[] = { "none", "quarantine", "reject" };

struct config {
	const char *outdir;
	const char *manifest;
	uint64_t reports;
	uint64_t records;
	uint64_t big;             /* 0: off */
	uint64_t seed;
	const char *domains[MAX_DOMAINS];
	int ndomains;
	int64_t start_day;        /* days since 1970-01-01 */
	enum fmt format;
	int schema;               /* 1, 2 or 0 = mixed (each reporter's own) */
	enum policy policy;
	int reporters[NREPORTERS];
	int nreporters;
	int to_stdout;
	int summary;
};

struct totals {
	uint64_t files, reports, records, messages;
};

/* One report to write: who, for which domain, which day. */
struct report {
	const struct reporter *rep;
	const char *domain;
	int domain_index;
	int64_t begin, end;
	uint64_t serial;          /* unique per run: makes report IDs unique */
	uint64_t nrecords;
	int schema;
	char id[64];
	struct rng rng;
};

/* ---------------------------------------------------------------- records */

enum sender { S_OWN4, S_OWN6, S_O365, S_ESP, S_FORWARDER, S_SPOOFER };

struct dkim_res {
	char domain[MAX_DOMAIN_LEN + 1];
	char selector[40];        /* "" = omitted (7489 only) */
	const char *result;
	const char *human;
};

struct spf_res {
	char domain[MAX_DOMAIN_LEN + 1];
	const char *result;
	const char *human;
};

struct reason {
	const char *type;
	const char *comment;
};

struct record {
	char ip[48];
	uint64_t count;
	const char *disposition, *pe_dkim, *pe_spf;
	struct reason reason[2];
	int nreason;
	const char *envelope_to;
	char envelope_from[MAX_DOMAIN_LEN + 1];
	char header_from[MAX_DOMAIN_LEN + 8];
	struct dkim_res dkim[2];
	int ndkim;
	struct spf_res spf;
};

static const char *const RCPT_DOMAINS[] = {
	"example.net", "example.org", "mail.example.net", "corp.example.org",
};

static const char *const SPOOF_SYLLABLES[] = {
	"ka", "lo", "mi", "ren", "tu", "vo", "sa", "dex", "bri", "no", "pel", "qua",
	"ri", "zen", "tor", "ma", "ul", "fi", "gor", "ne",
};

static const char *const SPOOF_TLDS[] = { "example", "test", "invalid" };

/* A made-up sender domain in the reserved TLDs, e.g. "kalomi-mail3.test". */
static void spoof_domain(struct rng *r, char *dst, size_t size)
{
	char label[32] = "";
	int n = (int)rng_range(r, 2, 4);
	for (int i = 0; i < n; i++)
		strcat(label, SPOOF_SYLLABLES[rng_range(r, 0, 19)]);
	if (rng_chance(r, 0.4))
		snprintf(dst, size, "%s-mail%u.%s", label, (unsigned)rng_range(r, 1, 9),
			 SPOOF_TLDS[rng_range(r, 0, 2)]);
	else
		snprintf(dst, size, "%s.%s", label, SPOOF_TLDS[rng_range(r, 0, 2)]);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* The first label of a domain ("example" for example.com), for made-up tenant names. */
static void first_label(char *dst, size_t size, const char *domain)
{
	size_t n = strcspn(domain, ".");
	if (n >= size)
		n = size - 1;
	memcpy(dst, domain, n);
	dst[n] = '\0';
}

static enum sender pick_sender(struct rng *r, uint64_t index, uint64_t nrecords)
{
	/* Every report starts with the domain's own server, as real ones mostly do. */
	if (index == 0)
		return S_OWN4;
	if (index == 1 && nrecords >= 4)
		return S_OWN6;
	double u = rng_unit(r);
	if (u < 0.04)
		return rng_chance(r, 0.5) ? S_OWN4 : S_OWN6;
	if (u < 0.30)
		return S_O365;
	if (u < 0.45)
		return S_ESP;
	if (u < 0.53)
		return S_FORWARDER;
	return S_SPOOFER;
}

/* Message count for a row: large for the own server and Office 365, 1-3 for spoofers. */
static uint64_t pick_count(struct rng *r, enum sender s, int weekend)
{
	uint64_t c;
	switch (s) {
	case S_OWN4: c = rng_range(r, 40, 420); break;
	case S_OWN6: c = rng_range(r, 10, 160); break;
	case S_O365:
		c = rng_chance(r, 0.3) ? rng_range(r, 60, 380) : rng_range(r, 1, 60);
		break;
	case S_ESP: c = rng_range(r, 5, 140); break;
	case S_FORWARDER: c = rng_range(r, 1, 12); break;
	default: return rng_range(r, 1, 3);
	}
	if (weekend)
		c = c * 2 / 5 + 1;
	return c;
}

static const char *fail_disposition(enum policy p)
{
	return POLICY_NAMES[p];
}

/* Fills *rec with one row as the given report's receiver would see it. */
static void make_record(struct report *rp, enum policy policy, uint64_t index,
			int weekend, struct record *rec)
{
	struct rng *r = &rp->rng;
	const char *dom = rp->domain;
	int v2 = rp->schema == 2;
	const char *pass_disp = (v2 && policy != POL_NONE) ? "pass" : "none";
	enum sender s = pick_sender(r, index, rp->nrecords);

	memset(rec, 0, sizeof *rec);
	rec->count = pick_count(r, s, weekend);
	copy_str(rec->header_from, sizeof rec->header_from, dom);
	rec->envelope_to = RCPT_DOMAINS[rng_range(r, 0, 3)];

	switch (s) {
	case S_OWN4:
	case S_OWN6:
		/* The domain's own mail server: SPF and DKIM pass, both aligned. */
		if (s == S_OWN4)
			snprintf(rec->ip, sizeof rec->ip, "192.0.2.25");
		else
			snprintf(rec->ip, sizeof rec->ip, "2001:db8:10::25");
		rec->disposition = pass_disp;
		rec->pe_dkim = rec->pe_spf = "pass";
		copy_str(rec->envelope_from, sizeof rec->envelope_from, dom);
		rec->ndkim = 1;
		copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, dom);
		copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector, "mail2024");
		rec->dkim[0].result = "pass";
		copy_str(rec->spf.domain, sizeof rec->spf.domain, dom);
		rec->spf.result = "pass";
		break;

	case S_O365: {
		/* Office 365 sending for the domain (SPF include, DKIM selector1/selector2). */
		int which = (int)rng_range(r, 0, 9);
		if (which < 4)
			snprintf(rec->ip, sizeof rec->ip, "40.107.%u.%u",
				 (unsigned)rng_range(r, 0, 255), (unsigned)rng_range(r, 1, 254));
		else if (which < 7)
			snprintf(rec->ip, sizeof rec->ip, "52.100.%u.%u",
				 (unsigned)rng_range(r, 0, 255), (unsigned)rng_range(r, 1, 254));
		else
			snprintf(rec->ip, sizeof rec->ip, "2a01:111:f400:%x::%x",
				 (unsigned)rng_range(r, 0x7c00, 0xfe7f), (unsigned)rng_range(r, 1, 0x3ff));
		copy_str(rec->envelope_from, sizeof rec->envelope_from, dom);
		copy_str(rec->spf.domain, sizeof rec->spf.domain, dom);
		rec->spf.result = "pass";
		rec->ndkim = 1;
		copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, dom);
		copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector,
			 rng_chance(r, 0.8) ? "selector1" : "selector2");
		rec->dkim[0].result = "pass";
		if (rng_chance(r, 0.25)) {
			/* The tenant's onmicrosoft.com signature next to the custom domain's. */
			char label[64];
			first_label(label, sizeof label, dom);
			rec->ndkim = 2;
			snprintf(rec->dkim[1].domain, sizeof rec->dkim[1].domain,
				 "%.60s.onmicrosoft.com", label);
			copy_str(rec->dkim[1].selector, sizeof rec->dkim[1].selector,
				 rec->dkim[0].selector);
			rec->dkim[1].result = "pass";
		}
		rec->pe_dkim = rec->pe_spf = "pass";
		if (rng_chance(r, 0.05)) {
			/* A transient DNS problem on the DKIM key: SPF still carries DMARC. */
			rec->dkim[0].result = "temperror";
			rec->dkim[0].human = "key query timed out";
			rec->pe_dkim = "fail";
		}
		rec->disposition = pass_disp;
		break;
	}

	case S_ESP:
		/* A bulk-mail provider (Mailjet-like): passes SPF and DKIM for its own
		 * domains only, so nothing is aligned and DMARC fails. */
		snprintf(rec->ip, sizeof rec->ip, "87.253.232.%u", (unsigned)rng_range(r, 1, 254));
		if (rng_chance(r, 0.4))
			snprintf(rec->header_from, sizeof rec->header_from, "news.%s", dom);
		copy_str(rec->envelope_from, sizeof rec->envelope_from, "bnc3.mailjet.com");
		copy_str(rec->spf.domain, sizeof rec->spf.domain, "bnc3.mailjet.com");
		rec->spf.result = "pass";
		rec->ndkim = 1;
		copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, "mailjet.com");
		copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector, "mailjet");
		rec->dkim[0].result = "pass";
		rec->pe_dkim = rec->pe_spf = "fail";
		rec->disposition = fail_disposition(policy);
		break;

	case S_FORWARDER:
		/* A forwarder or mailing list: SPF fails after the hop, the aligned
		 * DKIM signature usually survives. */
		snprintf(rec->ip, sizeof rec->ip, "209.85.220.%u", (unsigned)rng_range(r, 1, 254));
		copy_str(rec->envelope_from, sizeof rec->envelope_from, dom);
		copy_str(rec->spf.domain, sizeof rec->spf.domain, dom);
		rec->spf.result = rng_chance(r, 0.7) ? "fail" : "softfail";
		if (v2 && rng_chance(r, 0.3))
			rec->spf.human = "sender IP not permitted by SPF record";
		rec->ndkim = 1;
		copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, dom);
		copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector, "mail2024");
		rec->pe_spf = "fail";
		if (rng_chance(r, 0.8)) {
			rec->dkim[0].result = "pass";
			rec->pe_dkim = "pass";
			rec->disposition = pass_disp;
		} else {
			/* The list rewrote the body; the receiver overrides the policy. */
			rec->dkim[0].result = "fail";
			if (v2 && rng_chance(r, 0.6))
				rec->dkim[0].human = "body hash did not verify";
			rec->pe_dkim = "fail";
			rec->disposition = "none";
			rec->nreason = 1;
			if (v2) {
				rec->reason[0].type = "local_policy";
				rec->reason[0].comment = "arc=pass";
			} else if (rng_chance(r, 0.5)) {
				rec->reason[0].type = "forwarded";
				rec->reason[0].comment = rng_chance(r, 0.5) ? "arc=pass" : NULL;
			} else {
				rec->reason[0].type = "mailing_list";
				rec->reason[0].comment = "list-id <announce.lists.example.org> & arc=pass";
			}
		}
		break;

	case S_SPOOFER: {
		/* Someone else using the domain in From: nothing aligned passes. */
		if (rng_chance(r, 0.5))
			snprintf(rec->ip, sizeof rec->ip, "198.51.100.%u", (unsigned)rng_range(r, 1, 254));
		else
			snprintf(rec->ip, sizeof rec->ip, "203.0.113.%u", (unsigned)rng_range(r, 1, 254));
		double u = rng_unit(r);
		if (u < 0.3) {
			copy_str(rec->envelope_from, sizeof rec->envelope_from, dom);
			copy_str(rec->spf.domain, sizeof rec->spf.domain, dom);
			rec->spf.result = "fail";
		} else {
			spoof_domain(r, rec->envelope_from, sizeof rec->envelope_from);
			copy_str(rec->spf.domain, sizeof rec->spf.domain, rec->envelope_from);
			rec->spf.result = u < 0.65 ? "none" : (u < 0.85 ? "softfail" : "pass");
		}
		u = rng_unit(r);
		if (u < 0.2) {
			/* A forged signature claiming the domain. */
			rec->ndkim = 1;
			copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, dom);
			copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector,
				 (v2 || rng_chance(r, 0.7)) ? "selector1" : "");
			rec->dkim[0].result = "fail";
			if (v2)
				rec->dkim[0].human = "signature verification failed";
		} else if (u < 0.35) {
			rec->ndkim = 1;
			copy_str(rec->dkim[0].domain, sizeof rec->dkim[0].domain, rec->envelope_from);
			copy_str(rec->dkim[0].selector, sizeof rec->dkim[0].selector, "default");
			rec->dkim[0].result = rng_chance(r, 0.5) ? "pass" : "permerror";
		}
		rec->pe_dkim = rec->pe_spf = "fail";
		rec->disposition = fail_disposition(policy);
		break;
	}
	}
}

/* ---------------------------------------------------------------- XML */

static void xel(struct out *o, int ind, int depth, const char *name, const char *value)
{
	out_indent(o, ind, depth);
	out_str(o, "<");
	out_str(o, name);
	out_str(o, ">");
	out_esc(o, value);
	out_str(o, "</");
	out_str(o, name);
	out_str(o, ">\n");
}

static void xel_u64(struct out *o, int ind, int depth, const char *name, uint64_t v)
{
	char num[24];
	snprintf(num, sizeof num, "%" PRIu64, v);
	xel(o, ind, depth, name, num);
}

static void xopen(struct out *o, int ind, int depth, const char *name)
{
	out_indent(o, ind, depth);
	out_str(o, "<");
	out_str(o, name);
	out_str(o, ">\n");
}

static void xclose(struct out *o, int ind, int depth, const char *name)
{
	out_indent(o, ind, depth);
	out_str(o, "</");
	out_str(o, name);
	out_str(o, ">\n");
}

static void write_head(struct out *o, const struct report *rp, enum policy policy)
{
	const struct reporter *R = rp->rep;
	int ind = R->indent, v2 = rp->schema == 2;
	const char *pol = POLICY_NAMES[policy];

	out_str(o, R->xmldecl);
	out_str(o, "\n<feedback");
	out_str(o, v2 ? " xmlns=\"" NS_DMARC2 "\"" : R->feedback_attrs);
	out_str(o, ">\n");
	if (v2 || R->version)
		xel(o, ind, 1, "version", "1.0");
	xopen(o, ind, 1, "report_metadata");
	xel(o, ind, 2, "org_name", R->org_name);
	xel(o, ind, 2, "email", R->email);
	if (R->extra)
		xel(o, ind, 2, "extra_contact_info", R->extra);
	xel(o, ind, 2, "report_id", rp->id);
	xopen(o, ind, 2, "date_range");
	xel_u64(o, ind, 3, "begin", (uint64_t)rp->begin);
	xel_u64(o, ind, 3, "end", (uint64_t)rp->end);
	xclose(o, ind, 2, "date_range");
	if (v2)
		xel(o, ind, 2, "generator", "mailreport 2.4.1");
	xclose(o, ind, 1, "report_metadata");

	xopen(o, ind, 1, "policy_published");
	xel(o, ind, 2, "domain", rp->domain);
	if (v2)
		xel(o, ind, 2, "discovery_method", "psl");
	xel(o, ind, 2, "adkim", "r");
	xel(o, ind, 2, "aspf", "r");
	xel(o, ind, 2, "p", pol);
	if (v2 || R->has_sp)
		xel(o, ind, 2, "sp", pol);
	if (v2) {
		xel(o, ind, 2, "np", pol);
		xel(o, ind, 2, "testing", "n");
	} else {
		xel(o, ind, 2, "pct", "100");
		if (R->has_np)
			xel(o, ind, 2, "np", pol);
		if (R->has_fo)
			xel(o, ind, 2, "fo", "0");
	}
	xclose(o, ind, 1, "policy_published");
}

static void write_record(struct out *o, const struct report *rp, const struct record *rec)
{
	const struct reporter *R = rp->rep;
	int ind = R->indent, v2 = rp->schema == 2;

	xopen(o, ind, 1, "record");
	xopen(o, ind, 2, "row");
	xel(o, ind, 3, "source_ip", rec->ip);
	xel_u64(o, ind, 3, "count", rec->count);
	xopen(o, ind, 3, "policy_evaluated");
	xel(o, ind, 4, "disposition", rec->disposition);
	xel(o, ind, 4, "dkim", rec->pe_dkim);
	xel(o, ind, 4, "spf", rec->pe_spf);
	for (int i = 0; i < rec->nreason; i++) {
		xopen(o, ind, 4, "reason");
		xel(o, ind, 5, "type", rec->reason[i].type);
		if (rec->reason[i].comment)
			xel(o, ind, 5, "comment", rec->reason[i].comment);
		xclose(o, ind, 4, "reason");
	}
	xclose(o, ind, 3, "policy_evaluated");
	xclose(o, ind, 2, "row");

	xopen(o, ind, 2, "identifiers");
	if (R->envelope_to && !v2)
		xel(o, ind, 3, "envelope_to", rec->envelope_to);
	if (R->envelope_from || v2)
		xel(o, ind, 3, "envelope_from", rec->envelope_from);
	xel(o, ind, 3, "header_from", rec->header_from);
	xclose(o, ind, 2, "identifiers");

	xopen(o, ind, 2, "auth_results");
	for (int i = 0; i < rec->ndkim; i++) {
		const struct dkim_res *d = &rec->dkim[i];
		xopen(o, ind, 3, "dkim");
		xel(o, ind, 4, "domain", d->domain);
		if (R->dkim_result_first)
			xel(o, ind, 4, "result", d->result);
		if (d->selector[0] || v2)
			xel(o, ind, 4, "selector", d->selector[0] ? d->selector : "default");
		if (!R->dkim_result_first)
			xel(o, ind, 4, "result", d->result);
		if (v2 && d->human)
			xel(o, ind, 4, "human_result", d->human);
		xclose(o, ind, 3, "dkim");
	}
	xopen(o, ind, 3, "spf");
	xel(o, ind, 4, "domain", rec->spf.domain);
	if (R->spf_scope && !v2)
		xel(o, ind, 4, "scope", "mfrom");
	xel(o, ind, 4, "result", rec->spf.result);
	if (v2 && rec->spf.human)
		xel(o, ind, 4, "human_result", rec->spf.human);
	xclose(o, ind, 3, "spf");
	xclose(o, ind, 2, "auth_results");
	xclose(o, ind, 1, "record");
}

/* Streams a whole report into o; adds its record and message counts to *t. */
static void write_report(struct out *o, struct report *rp, enum policy policy, struct totals *t)
{
	int64_t day = rp->begin / 86400;
	int dow = (int)((day + 4) % 7);            /* 1970-01-01 was a Thursday; 0 = Sunday */
	int weekend = dow == 0 || dow == 6;
	struct record rec;

	write_head(o, rp, policy);
	for (uint64_t i = 0; i < rp->nrecords; i++) {
		make_record(rp, policy, i, weekend, &rec);
		write_record(o, rp, &rec);
		t->messages += rec.count;
	}
	out_str(o, "</feedback>\n");
	t->records += rp->nrecords;
	t->reports++;
}

/* ---------------------------------------------------------------- reports and files */

static void make_report_id(struct report *rp, uint64_t seed)
{
	/* mix64 is a bijection, so distinct serials give distinct 64-bit keys. */
	uint64_t k = mix64(seed ^ mix64(rp->serial * 4 + 1));
	uint64_t k2 = mix64(k ^ 0x5bd1e995ULL);
	switch (rp->rep->idstyle) {
	case ID_DECIMAL20:
		/* 20 digits: a random high part; the low six digits are a bijection of the serial. */
		snprintf(rp->id, sizeof rp->id, "%" PRIu64,
			 (uint64_t)(10000000000000000000ULL + (k % 7000000000000ULL) * 1000000ULL
				    + (rp->serial % 1000000ULL * 384773ULL + 271828ULL) % 1000000ULL));
		break;
	case ID_HEX32:
		snprintf(rp->id, sizeof rp->id, "%016" PRIx64 "%016" PRIx64, k, k2);
		break;
	case ID_EPOCH_MICRO:
		/* Generation time (a few hours after the period) and microseconds. */
		snprintf(rp->id, sizeof rp->id, "%" PRId64 ".%06u",
			 rp->end + 3600 + (int64_t)rp->domain_index * 13 + (int64_t)(k % 13),
			 (unsigned)(k2 % 1000000));
		break;
	}
}

static void report_init(struct report *rp, const struct config *c, int reporter,
			int domain_index, int64_t day, uint64_t serial, uint64_t nrecords_fixed)
{
	memset(rp, 0, sizeof *rp);
	rp->rep = &REPORTERS[reporter];
	rp->domain = c->domains[domain_index];
	rp->domain_index = domain_index;
	rp->begin = (c->start_day + day) * 86400;
	rp->end = rp->begin + rp->rep->end_offset;
	rp->serial = serial;
	rp->schema = c->schema ? c->schema : rp->rep->schema;
	rp->rng.s = mix64(c->seed ^ mix64(serial * 4 + 2));
	if (nrecords_fixed)
		rp->nrecords = nrecords_fixed;
	else {
		double f = 0.5 + rng_unit(&rp->rng);        /* 0.5x .. 1.5x the average */
		rp->nrecords = (uint64_t)((double)c->records * f + 0.5);
		if (rp->nrecords == 0)
			rp->nrecords = 1;
	}
	make_report_id(rp, c->seed);
}

static enum fmt report_format(const struct config *c, const struct report *rp)
{
	return c->format == FMT_MIXED ? rp->rep->format : c->format;
}

/* The receiver!domain!begin!end stem of the file names. */
static void report_stem(const struct report *rp, char *dst, size_t size)
{
	snprintf(dst, size, "%s!%s!%" PRId64 "!%" PRId64, rp->rep->receiver, rp->domain,
		 rp->begin, rp->end);
}

static int write_zip(const char *path, const char *entry, struct out *o, time_t mtime,
		     char *err, size_t errsize)
{
	int zerr = 0, rc = -1;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	zip_source_t *src = NULL;
	if (za == NULL) {
		snprintf(err, errsize, "cannot create %s (libzip error %d)", path, zerr);
		return -1;
	}
	if (o->kind == SINK_MEM) {
		src = zip_source_buffer(za, o->mem, o->memlen, 1);
		if (src)
			o->mem = NULL;              /* now owned by libzip */
	} else {
		if (fflush(o->fp) != 0 || fseek(o->fp, 0, SEEK_SET) != 0) {
			snprintf(err, errsize, "temporary file: %s", strerror(errno));
			goto out;
		}
		src = zip_source_filep(za, o->fp, 0, -1);
		if (src)
			o->fp = NULL;               /* now owned by libzip */
	}
	if (src == NULL) {
		snprintf(err, errsize, "%s: %s", path, zip_strerror(za));
		goto out;
	}
	zip_int64_t idx = zip_file_add(za, entry, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		snprintf(err, errsize, "%s: %s", path, zip_strerror(za));
		goto out;
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0
	    || zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0) != 0) {
		snprintf(err, errsize, "%s: %s", path, zip_strerror(za));
		goto out;
	}
	if (zip_close(za) != 0) {
		snprintf(err, errsize, "%s: %s", path, zip_strerror(za));
		goto out;
	}
	za = NULL;
	rc = 0;
out:
	if (za)
		zip_discard(za);
	return rc;
}

/* Writes one report as a file in c->outdir (or to stdout when outdir is NULL). */
static int emit_report(const struct config *c, struct report *rp, struct totals *t, FILE *manifest)
{
	static struct out o;        /* static: the 64 KiB buffer stays off the stack */
	struct totals before = *t;
	enum fmt f = report_format(c, rp);
	char stem[512], name[600], path[4096], err[4700] = "";
	int rc = -1;

	memset(&o, 0, sizeof o);
	report_stem(rp, stem, sizeof stem);
	snprintf(name, sizeof name, "%s%s", stem,
		 f == FMT_ZIP ? ".zip" : f == FMT_GZ ? ".xml.gz" : ".xml");
	if (c->outdir) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", c->outdir, name) >= sizeof path) {
			fprintf(stderr, "dmarc-gen: output path too long\n");
			return -1;
		}
	} else {
		copy_str(name, sizeof name, "-");
		copy_str(path, sizeof path, "<stdout>");
	}

	switch (f) {
	case FMT_XML:
		o.kind = SINK_FILE;
		o.fp = c->outdir ? fopen(path, "wb") : stdout;
		break;
	case FMT_GZ:
		o.kind = SINK_GZ;
		if (c->outdir)
			o.gz = gzopen(path, "wb6");
		else {
			int fd = dup(STDOUT_FILENO);
			o.gz = fd < 0 ? NULL : gzdopen(fd, "wb6");
			if (o.gz == NULL && fd >= 0)
				close(fd);
		}
		if (o.gz)
			gzbuffer(o.gz, 128 * 1024);
		break;
	case FMT_ZIP:
	case FMT_MIXED:
		/* Small reports are built in memory; --big goes through a temporary file. */
		if (c->big) {
			o.kind = SINK_FILE;
			o.fp = tmpfile();
		} else
			o.kind = SINK_MEM;
		break;
	}
	if ((o.kind == SINK_FILE && o.fp == NULL) || (o.kind == SINK_GZ && o.gz == NULL)) {
		fprintf(stderr, "dmarc-gen: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}

	write_report(&o, rp, c->policy, t);
	out_flush(&o);

	if (f == FMT_ZIP) {
		char entry[600];
		snprintf(entry, sizeof entry, "%s.xml", stem);
		if (!o.failed && write_zip(path, entry, &o, (time_t)rp->end + 1, err, sizeof err) == 0)
			rc = 0;
		free(o.mem);
		if (o.fp)
			fclose(o.fp);
	} else if (f == FMT_GZ) {
		rc = (gzclose(o.gz) == Z_OK && !o.failed) ? 0 : -1;
	} else {
		if (c->outdir)
			rc = (fclose(o.fp) == 0 && !o.failed) ? 0 : -1;
		else
			rc = (fflush(o.fp) == 0 && !o.failed) ? 0 : -1;
	}
	if (rc != 0) {
		if (err[0])
			fprintf(stderr, "dmarc-gen: %s\n", err);
		else
			fprintf(stderr, "dmarc-gen: write error on %s\n", path);
		return -1;
	}
	t->files++;
	if (manifest)
		fprintf(manifest, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", name,
			t->reports - before.reports, t->records - before.records,
			t->messages - before.messages);
	return 0;
}

/* Writes the --reports N schedule: day after day, each reporter and domain with its daily chance. */
static int run_schedule(const struct config *c, struct totals *t, FILE *manifest)
{
	struct rng sched = { mix64(c->seed ^ 0x243f6a8885a308d3ULL) };
	uint64_t serial = 0;
	static struct report rp;

	for (int64_t day = 0; serial < c->reports; day++) {
		if (day > 200000) {
			fprintf(stderr, "dmarc-gen: date range too long\n");
			return -1;
		}
		for (int d = 0; d < c->ndomains && serial < c->reports; d++) {
			for (int i = 0; i < c->nreporters && serial < c->reports; i++) {
				int ri = c->reporters[i];
				double p = c->nreporters == 1 ? 1.0 : REPORTERS[ri].daily;
				if (!rng_chance(&sched, p))
					continue;
				report_init(&rp, c, ri, d, day, serial++, 0);
				if (emit_report(c, &rp, t, manifest) != 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- command line */

static void usage(FILE *f)
{
	fprintf(f,
"usage: dmarc-gen [options]\n"
"Generate realistic, deterministic DMARC aggregate reports.\n"
"\n"
"  -o, --out DIR          write report files into DIR (created if missing)\n"
"  -n, --reports N        number of reports (default 10)\n"
"  -r, --records N        average records per report, varied 0.5x-1.5x (default 37)\n"
"  -s, --seed S           PRNG seed (default 1); same options and seed => same bytes\n"
"  -d, --domain D         policy domain (default example.com); repeat for several\n"
"      --start YYYY-MM-DD first report day, UTC (default 2025-06-02)\n"
"  -f, --format F         gz | zip | xml | mixed (default mixed: what each reporter\n"
"                         sends: Google zip, Microsoft/Yahoo/GMX xml.gz)\n"
"      --schema S         1 (RFC 7489) | 2 (RFC 9990, dmarc-2.0 namespace) | mixed\n"
"                         (default mixed: GMX sends 2.0, the others 7489)\n"
"  -p, --policy P         published p= and sp=: none | quarantine | reject (default none)\n"
"      --reporter R       google | microsoft | yahoo | gmx; repeat to choose several\n"
"                         (default all four; --big and --stdout use the first, google)\n"
"      --big N            write ONE report of N records, streamed (to --out DIR or stdout)\n"
"      --stdout           write one report to stdout (format xml, or gz with --format gz)\n"
"  -m, --manifest FILE    write file<TAB>reports<TAB>records<TAB>messages per file\n"
"      --zlib-filter      compress stdin to stdout as raw zlib (RFC 1950), alone\n"
"      --wrap mbox|eml|tnef [--crlf] OUT FILE...\n"
"                         alone: wrap report files into mail as receivers send\n"
"                         them (base64 attachments): one mbox OUT, or OUT/NAME.eml;\n"
"                         tnef: OUT/NAME.eml with the file inside a winmail.dat\n"
"                         FILE '-' reads the names from stdin (mbox only)\n"
"      --summary          print the totals to stdout instead of stderr\n"
"  -h, --help             show this help\n"
"\n"
"File names follow receiver!domain!begin!end.{xml,xml.gz,zip}. The scenario: the\n"
"domain publishes v=DMARC1; p=none; sp=none; pct=100; aspf=r and is sent for by its\n"
"own server, Office 365, a non-aligned email service provider, a forwarder and spoofers.\n"
"Exit status: 0 success, 1 I/O error, 2 usage error.\n");
}

static int bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "dmarc-gen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'dmarc-gen --help' for more information.\n");
	return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int parse_date(const char *s, int64_t *day)
{
	int y, m, d, n = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] != '\0')
		return -1;
	if (y < 1971 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static int valid_domain(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_DOMAIN_LEN || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
		      || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

enum { OPT_START = 256, OPT_SCHEMA, OPT_BIG, OPT_STDOUT, OPT_SUMMARY, OPT_REPORTER };

static const struct option OPTIONS[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "reports", required_argument, NULL, 'n' },
	{ "records", required_argument, NULL, 'r' },
	{ "seed", required_argument, NULL, 's' },
	{ "domain", required_argument, NULL, 'd' },
	{ "start", required_argument, NULL, OPT_START },
	{ "format", required_argument, NULL, 'f' },
	{ "schema", required_argument, NULL, OPT_SCHEMA },
	{ "policy", required_argument, NULL, 'p' },
	{ "reporter", required_argument, NULL, OPT_REPORTER },
	{ "big", required_argument, NULL, OPT_BIG },
	{ "stdout", no_argument, NULL, OPT_STDOUT },
	{ "manifest", required_argument, NULL, 'm' },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --zlib-filter: compresses stdin to stdout as a raw RFC 1950 zlib stream,
 * the form some reporters (AOL, 2012) sent; the tests need one. */
static int zlib_filter(void)
{
	static unsigned char in[65536], out[65536];
	z_stream z;
	int flush, zrc;

	memset(&z, 0, sizeof z);
	if (deflateInit(&z, 6) != Z_OK)
		return EXIT_FAIL;
	do {
		size_t n = fread(in, 1, sizeof in, stdin);
		if (ferror(stdin)) {
			deflateEnd(&z);
			return EXIT_FAIL;
		}
		flush = feof(stdin) ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			zrc = deflate(&z, flush);
			if (zrc == Z_STREAM_ERROR) {
				deflateEnd(&z);
				return EXIT_FAIL;
			}
			if (fwrite(out, 1, sizeof out - z.avail_out, stdout) != sizeof out - z.avail_out) {
				deflateEnd(&z);
				return EXIT_FAIL;
			}
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
	deflateEnd(&z);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* --- --wrap: report files into mail, as receivers send them ------------------ */

static void b64_write(FILE *out, const unsigned char *b, size_t n, const char *eol)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)b[i] << 16;
		if (i + 1 < n) v |= (unsigned)b[i + 1] << 8;
		if (i + 2 < n) v |= b[i + 2];
		fputc(tab[(v >> 18) & 63], out);
		fputc(tab[(v >> 12) & 63], out);
		fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', out);
		fputc(i + 2 < n ? tab[v & 63] : '=', out);
		if ((col += 4) >= 76) {
			fputs(eol, out);
			col = 0;
		}
	}
	if (col)
		fputs(eol, out);
}

/* A TNEF attribute (MS-OXTNEF 2.1.3.1): level, id, length, data and the
 * 16-bit sum of the data bytes, little-endian, appended at *n of buf. */
static void tnef_attr(unsigned char *buf, size_t *n, unsigned level, unsigned long id,
    const void *data, size_t len)
{
	const unsigned char *d = data;
	unsigned sum = 0;
	size_t k;

	buf[(*n)++] = (unsigned char)level;
	for (k = 0; k < 4; k++)
		buf[(*n)++] = (unsigned char)(id >> (8 * k));
	for (k = 0; k < 4; k++)
		buf[(*n)++] = (unsigned char)(len >> (8 * k));
	memcpy(buf + *n, d, len);
	*n += len;
	for (k = 0; k < len; k++)
		sum += d[k];
	buf[(*n)++] = (unsigned char)sum;
	buf[(*n)++] = (unsigned char)(sum >> 8);
}

/* The winmail.dat Outlook sends: a TNEF stream with the file as its one
 * attachment (title, rendering data, bytes).  Returns a malloc'd buffer. */
static unsigned char *tnef_wrap(const char *name, const unsigned char *data, size_t len,
    size_t *outlen)
{
	static const unsigned char sig[] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };
	static const unsigned char version[] = { 0x00, 0x00, 0x01, 0x00 };
	static const char mclass[] = "IPM.Microsoft Mail.Note";
	unsigned char rend[14] = { 0x01, 0x00, 0xff, 0xff, 0xff, 0xff };
	unsigned char *buf;
	size_t n = 0;

	if ((buf = malloc(len + strlen(name) + 256)) == NULL)
		return NULL;
	memcpy(buf, sig, sizeof sig);
	n = sizeof sig;
	tnef_attr(buf, &n, 1, 0x00089006UL, version, sizeof version);	/* attTnefVersion */
	tnef_attr(buf, &n, 1, 0x00078008UL, mclass, sizeof mclass);	/* attMessageClass */
	tnef_attr(buf, &n, 2, 0x00069002UL, rend, sizeof rend);	/* attAttachRenddata */
	tnef_attr(buf, &n, 2, 0x00018010UL, name, strlen(name) + 1);	/* attAttachTitle */
	tnef_attr(buf, &n, 2, 0x0006800FUL, data, len);		/* attAttachData */
	*outlen = n;
	return buf;
}

/* One report file as a mail message (an mbox entry when mbox; the file
 * inside a TNEF winmail.dat when tnef). */
static int wrap_one(FILE *out, const char *path, unsigned serial, int mbox, const char *eol,
    int tnef)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char receiver[256] = "receiver.example", domain[256] = "example.com", date[64];
	unsigned char *buf = NULL;
	long long begin = 1700000000;
	size_t n = 0, cap = 0, k;
	const char *type;
	struct tm tm;
	time_t t;
	FILE *in;

	if ((in = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (nb == NULL) { free(buf); fclose(in); return -1; }
			buf = nb;
		}
		if ((k = fread(buf + n, 1, cap - n, in)) == 0)
			break;
		n += k;
	}
	fclose(in);
	sscanf(base, "%255[^!]!%255[^!]!%lld", receiver, domain, &begin);
	type = n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b ? "application/gzip" :
	    n >= 2 && buf[0] == 'P' && buf[1] == 'K' ? "application/zip" : "text/xml";
	t = (time_t)(begin + 86400 + 3600);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (mbox) {
		char fromdate[64];
		strftime(fromdate, sizeof fromdate, "%a %b %e %H:%M:%S %Y", &tm);
		fprintf(out, "From noreply-dmarc-support@%s %s%s", receiver, fromdate, eol);
	}
	fprintf(out, "Return-Path: <noreply-dmarc-support@%s>%s", receiver, eol);
	fprintf(out, "From: DMARC Reports <noreply-dmarc-support@%s>%s", receiver, eol);
	fprintf(out, "To: dmarc@%s%s", domain, eol);
	fprintf(out, "Subject: Report Domain: %s Submitter: %s%s Report-ID: <%u.%lld@%s>%s",
	    domain, receiver, eol, serial, begin, receiver, eol);
	fprintf(out, "Date: %s%s", date, eol);
	fprintf(out, "Message-ID: <%u.%lld.report@%s>%s", serial, begin, receiver, eol);
	fprintf(out, "MIME-Version: 1.0%s", eol);
	fprintf(out, "Content-Type: multipart/mixed; boundary=\"=_dmarc_%u\"%s%s", serial, eol, eol);
	fprintf(out, "This is a multi-part message in MIME format.%s%s", eol, eol);
	fprintf(out, "--=_dmarc_%u%sContent-Type: text/plain; charset=us-ascii%s%s", serial, eol, eol, eol);
	fprintf(out, "This is an aggregate report from %s.%s", receiver, eol);
	/* a body line an mbox must quote as ">From " */
	fprintf(out, "%sFrom the postmaster: do not reply.%s%s", mbox ? ">" : "", eol, eol);
	if (tnef) {
		size_t tlen;
		unsigned char *tb = tnef_wrap(base, buf, n, &tlen);

		if (tb == NULL) {
			free(buf);
			return -1;
		}
		fprintf(out, "--=_dmarc_%u%sContent-Type: application/ms-tnef; name=\"winmail.dat\"%s",
		    serial, eol, eol);
		fprintf(out, "Content-Transfer-Encoding: base64%s", eol);
		fprintf(out, "Content-Disposition: attachment; filename=\"winmail.dat\"%s%s", eol, eol);
		b64_write(out, tb, tlen, eol);
		free(tb);
	} else {
		fprintf(out, "--=_dmarc_%u%sContent-Type: %s; name=\"%s\"%s", serial, eol, type, base, eol);
		fprintf(out, "Content-Transfer-Encoding: base64%s", eol);
		fprintf(out, "Content-Disposition: attachment;%s filename=\"%s\"%s%s", eol, base, eol, eol);
		b64_write(out, buf, n, eol);
	}
	fprintf(out, "%s--=_dmarc_%u--%s", eol, serial, eol);
	if (mbox)
		fputs(eol, out);
	free(buf);
	return ferror(out) ? -1 : 0;
}

/* --wrap mbox|eml|tnef [--crlf] OUT FILE...: an mbox OUT holding one message
 * per file, or one OUT/NAME.eml per file (tnef: the file in a winmail.dat). */
static int wrap_main(int argc, char **argv)
{
	int mbox, tnef, i = 2, crlf = 0;
	const char *eol;
	FILE *out = NULL;

	if (argc < 4 || (strcmp(argv[2], "mbox") != 0 && strcmp(argv[2], "eml") != 0 &&
	    strcmp(argv[2], "tnef") != 0))
		return bad_usage("--wrap wants mbox|eml|tnef [--crlf] OUT FILE...", NULL);
	tnef = strcmp(argv[i], "tnef") == 0;
	mbox = strcmp(argv[i++], "mbox") == 0;
	if (strcmp(argv[i], "--crlf") == 0)
		crlf = 1, i++;
	eol = crlf ? "\r\n" : "\n";
	if (i + 1 >= argc)
		return bad_usage("--wrap wants OUT and at least one FILE", NULL);
	if (mbox && (out = fopen(argv[i], "wb")) == NULL) {
		fprintf(stderr, "dmarc-gen: cannot create %s: %s\n", argv[i], strerror(errno));
		return EXIT_FAIL;
	}
	if (i + 2 == argc && strcmp(argv[i + 1], "-") == 0) {
		/* the file names on stdin, one a line (for more than ARG_MAX) */
		char line[4096];
		unsigned serial = 0;

		if (!mbox)
			return bad_usage("--wrap eml|tnef takes no '-'", NULL);
		while (fgets(line, sizeof line, stdin) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] != '\0' && wrap_one(out, line, ++serial, 1, eol, 0) != 0) {
				fprintf(stderr, "dmarc-gen: cannot wrap %s\n", line);
				fclose(out);
				return EXIT_FAIL;
			}
		}
		return fclose(out) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	for (int k = i + 1; k < argc; k++) {
		if (!mbox) {
			char path[4096];
			const char *b = strrchr(argv[k], '/') ? strrchr(argv[k], '/') + 1 : argv[k];
			snprintf(path, sizeof path, "%s/%s.eml", argv[i], b);
			if ((out = fopen(path, "wb")) == NULL) {
				fprintf(stderr, "dmarc-gen: cannot create %s: %s\n", path, strerror(errno));
				return EXIT_FAIL;
			}
		}
		if (wrap_one(out, argv[k], (unsigned)(k - i), mbox, eol, tnef) != 0) {
			fprintf(stderr, "dmarc-gen: cannot wrap %s\n", argv[k]);
			fclose(out);
			return EXIT_FAIL;
		}
		if (!mbox && fclose(out) != 0)
			return EXIT_FAIL;
	}
	if (mbox && fclose(out) != 0)
		return EXIT_FAIL;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--zlib-filter") == 0)
		return zlib_filter();
	if (argc >= 2 && strcmp(argv[1], "--wrap") == 0)
		return wrap_main(argc, argv);
	struct config c;
	struct totals t = { 0, 0, 0, 0 };
	FILE *manifest = NULL;
	int ch, status = EXIT_FAIL;

	memset(&c, 0, sizeof c);
	c.reports = 10;
	c.records = 37;
	c.seed = 1;
	c.format = FMT_MIXED;
	c.policy = POL_NONE;
	(void)parse_date("2025-06-02", &c.start_day);

	/* libzip converts mtimes to DOS local time: pin the zone for identical bytes everywhere. */
	setenv("TZ", "UTC0", 1);
	tzset();

	while ((ch = getopt_long(argc, argv, "o:n:r:s:d:f:p:m:h", OPTIONS, NULL)) != -1) {
		switch (ch) {
		case 'o':
			c.outdir = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 1, 10000000, &c.reports) != 0)
				return bad_usage("--reports wants 1..10000000", optarg);
			break;
		case 'r':
			if (parse_u64(optarg, 1, 10000000, &c.records) != 0)
				return bad_usage("--records wants 1..10000000", optarg);
			break;
		case 's':
			if (parse_u64(optarg, 0, UINT64_MAX, &c.seed) != 0)
				return bad_usage("--seed wants an unsigned integer", optarg);
			break;
		case 'd':
			if (c.ndomains == MAX_DOMAINS)
				return bad_usage("too many --domain options", NULL);
			if (!valid_domain(optarg))
				return bad_usage("not a domain name", optarg);
			c.domains[c.ndomains++] = optarg;
			break;
		case OPT_START:
			if (parse_date(optarg, &c.start_day) != 0)
				return bad_usage("--start wants YYYY-MM-DD", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "gz") == 0) c.format = FMT_GZ;
			else if (strcmp(optarg, "zip") == 0) c.format = FMT_ZIP;
			else if (strcmp(optarg, "xml") == 0) c.format = FMT_XML;
			else if (strcmp(optarg, "mixed") == 0) c.format = FMT_MIXED;
			else return bad_usage("--format wants gz, zip, xml or mixed", optarg);
			break;
		case OPT_SCHEMA:
			if (strcmp(optarg, "1") == 0) c.schema = 1;
			else if (strcmp(optarg, "2") == 0) c.schema = 2;
			else if (strcmp(optarg, "mixed") == 0) c.schema = 0;
			else return bad_usage("--schema wants 1, 2 or mixed", optarg);
			break;
		case 'p':
			if (strcmp(optarg, "none") == 0) c.policy = POL_NONE;
			else if (strcmp(optarg, "quarantine") == 0) c.policy = POL_QUARANTINE;
			else if (strcmp(optarg, "reject") == 0) c.policy = POL_REJECT;
			else return bad_usage("--policy wants none, quarantine or reject", optarg);
			break;
		case OPT_REPORTER: {
			int found = -1;
			for (int i = 0; i < NREPORTERS; i++)
				if (strcmp(optarg, REPORTERS[i].key) == 0)
					found = i;
			if (found < 0)
				return bad_usage("--reporter wants google, microsoft, yahoo or gmx", optarg);
			for (int i = 0; i < c.nreporters; i++)
				if (c.reporters[i] == found)
					found = -1;
			if (found >= 0)
				c.reporters[c.nreporters++] = found;
			break;
		}
		case OPT_BIG:
			if (parse_u64(optarg, 1, MAX_RECORDS_PER_REPORT, &c.big) != 0)
				return bad_usage("--big wants 1..100000000 records", optarg);
			break;
		case OPT_STDOUT:
			c.to_stdout = 1;
			break;
		case 'm':
			c.manifest = optarg;
			break;
		case OPT_SUMMARY:
			c.summary = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return bad_usage("invalid option", NULL);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument", argv[optind]);
	if (c.ndomains == 0)
		c.domains[c.ndomains++] = "example.com";
	if (c.nreporters == 0)
		for (int i = 0; i < NREPORTERS; i++)
			c.reporters[c.nreporters++] = i;
	if (c.to_stdout && c.outdir)
		return bad_usage("--stdout and --out exclude each other", NULL);
	if (!c.outdir && !c.to_stdout && !c.big)
		return bad_usage("say where to write: --out DIR, --stdout or --big N", NULL);
	if (!c.outdir) {
		/* One report to stdout: a single stream, so no zip. */
		if (c.format == FMT_ZIP)
			return bad_usage("zip output needs --out DIR", NULL);
		if (c.format == FMT_MIXED)
			c.format = FMT_XML;
	}
	if (c.outdir && make_dirs(c.outdir) != 0) {
		fprintf(stderr, "dmarc-gen: cannot create %s: %s\n", c.outdir, strerror(errno));
		return EXIT_FAIL;
	}
	if (c.manifest) {
		manifest = fopen(c.manifest, "w");
		if (manifest == NULL) {
			fprintf(stderr, "dmarc-gen: cannot create %s: %s\n", c.manifest, strerror(errno));
			return EXIT_FAIL;
		}
	}

	if (c.big || c.to_stdout) {
		static struct report rp;
		report_init(&rp, &c, c.reporters[0], 0, 0, 0, c.big);
		if (emit_report(&c, &rp, &t, manifest) != 0)
			goto out;
	} else if (run_schedule(&c, &t, manifest) != 0) {
		goto out;
	}
	status = EXIT_OK;
out:
	if (manifest && fclose(manifest) != 0) {
		fprintf(stderr, "dmarc-gen: write error on %s\n", c.manifest);
		status = EXIT_FAIL;
	}
	if (status == EXIT_OK) {
		FILE *sf = (c.summary && c.outdir) ? stdout : stderr;
		fprintf(sf, "files %" PRIu64 " reports %" PRIu64 " records %" PRIu64
			" messages %" PRIu64 "\n", t.files, t.reports, t.records, t.messages);
	}
	return status;
}
