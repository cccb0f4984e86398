/* SPDX-License-Identifier: MIT */
/* test_parse.c: unit tests of the aggregate report parser (ingest/parse.c). */
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_limits.h"
#include "parse.h"
#include "report.h"

#define MAX_RECS 16

/* One parse: a deep copy of the records handed over, the warnings, the
 * result.  The report stays owned by the parser until run_done(). */
struct run {
	struct parser *p;
	const struct dm_report *r;
	int rc;
	struct dm_record recs[MAX_RECS];
	size_t n;
	char warn[8192];
	int nwarn;
	int stop_at;		/* record callback fails at this position */
	struct parse_stats st;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
on_record(void *ctx, const struct dm_report *so_far, const struct dm_record *rec)
{
	struct run *x = ctx;
	struct dm_record *c;
	size_t i;

	(void)so_far;
	if (x->stop_at != 0 && (int)rec->position == x->stop_at) {
		parse_set_error(x->p, "store refused the record");
		return -1;
	}
	if (x->n >= MAX_RECS)
		return 0;
	c = &x->recs[x->n++];
	memset(c, 0, sizeof *c);
	c->position = rec->position;
	memcpy(c->source_ip, rec->source_ip, sizeof c->source_ip);
	c->ip_family = rec->ip_family;
	c->count = rec->count;
	c->disposition = dup_or_null(rec->disposition);
	c->dkim_aligned = dup_or_null(rec->dkim_aligned);
	c->spf_aligned = dup_or_null(rec->spf_aligned);
	c->header_from = dup_or_null(rec->header_from);
	c->envelope_from = dup_or_null(rec->envelope_from);
	c->envelope_to = dup_or_null(rec->envelope_to);
	c->n_reasons = rec->n_reasons;
	c->reasons = calloc(rec->n_reasons + 1, sizeof *c->reasons);
	for (i = 0; i < rec->n_reasons; i++) {
		c->reasons[i].type = dup_or_null(rec->reasons[i].type);
		c->reasons[i].comment = dup_or_null(rec->reasons[i].comment);
	}
	c->n_dkim = rec->n_dkim;
	c->dkim = calloc(rec->n_dkim + 1, sizeof *c->dkim);
	for (i = 0; i < rec->n_dkim; i++) {
		c->dkim[i].domain = dup_or_null(rec->dkim[i].domain);
		c->dkim[i].selector = dup_or_null(rec->dkim[i].selector);
		c->dkim[i].result = dup_or_null(rec->dkim[i].result);
		c->dkim[i].human_result = dup_or_null(rec->dkim[i].human_result);
	}
	c->n_spf = rec->n_spf;
	c->spf = calloc(rec->n_spf + 1, sizeof *c->spf);
	for (i = 0; i < rec->n_spf; i++) {
		c->spf[i].domain = dup_or_null(rec->spf[i].domain);
		c->spf[i].scope = dup_or_null(rec->spf[i].scope);
		c->spf[i].result = dup_or_null(rec->spf[i].result);
		c->spf[i].human_result = dup_or_null(rec->spf[i].human_result);
	}
	return 0;
}

static void
on_warning(void *ctx, const char *msg)
{
	struct run *x = ctx;
	size_t len = strlen(x->warn);

	CHECK(strchr(msg, '\n') == NULL);
	x->nwarn++;
	snprintf(x->warn + len, sizeof x->warn - len, "%s\n", msg);
}

/* Parses buf in chunks of `step` bytes (0: one push). */
static void
run_buf(struct run *x, const void *buf, size_t len, size_t step,
    const struct dm_limits *lim, const char *filename, const char *subject)
{
	struct parse_callbacks cb = { x, on_record, on_warning };
	struct dm_limits def;
	const char *s = buf;
	size_t off, n;
	int stop_at = x->stop_at;

	memset(x, 0, sizeof *x);
	x->stop_at = stop_at;
	if (lim == NULL) {
		dm_limits_default(&def);
		lim = &def;
	}
	x->p = parse_new(lim, filename, subject, &cb);
	CHECK(x->p != NULL);
	if (step == 0)
		step = len > 0 ? len : 1;
	for (off = 0; off < len && x->rc == 0; off += n) {
		n = len - off < step ? len - off : step;
		x->rc = parse_push(x->p, s + off, n);
	}
	if (x->rc == 0)
		x->rc = parse_finish(x->p, &x->r);
	parse_stats(x->p, &x->st);
	CHECK(x->rc == 0 ? x->r != NULL : x->r == NULL);
	CHECK(x->rc == 0 ? parse_error(x->p)[0] == '\0' :
	    parse_error(x->p)[0] != '\0');
	CHECK(strchr(parse_error(x->p), '\n') == NULL);
}

static char *
slurp(const char *name, size_t *len)
{
	FILE *f = fopen(check_data(name), "rb");
	char *buf = NULL;
	long sz;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", check_data(name));
		exit(1);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)sz + 1)) == NULL ||
	    fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		fprintf(stderr, "cannot read %s\n", check_data(name));
		exit(1);
	}
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

static void
run_file(struct run *x, const char *name, size_t step,
    const struct dm_limits *lim, const char *filename, const char *subject)
{
	size_t len;
	char *buf = slurp(name, &len);

	run_buf(x, buf, len, step, lim, filename, subject);
	free(buf);
}

static void
run_done(struct run *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		dm_record_clear(&x->recs[i]);
	parse_free(x->p);
	x->p = NULL;
}

static int
has(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) != NULL)
		return 1;
	fprintf(stderr, "  '%s' not found in '%s'\n", needle, haystack);
	return 0;
}

/* ---- both schemas ---- */

static void
test_rfc7489_full(void)
{
	struct run x = { .p = NULL };
	const struct dm_report *r;
	const struct dm_record *a, *b;

	run_file(&x, "parse/rfc7489_full.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	r = x.r;
	CHECK_INT(r->schema, DM_SCHEMA_RFC7489);
	CHECK_STR(r->xml_version, "1.0");
	CHECK_STR(r->xml_namespace, NULL);
	CHECK_STR(r->org_name, "Receiver Example Inc.");
	CHECK_STR(r->email, "dmarc-reports@receiver.example");
	CHECK_STR(r->extra_contact_info, "https://receiver.example/dmarc");
	CHECK_STR(r->report_id, "12345678901234567890");
	CHECK_STR(r->generator, NULL);
	CHECK_INT(r->has_begin, 1);
	CHECK_INT(r->has_end, 1);
	CHECK_INT(r->date_begin, 1700000000);
	CHECK_INT(r->date_end, 1700086399);
	CHECK_INT(r->n_errors, 2);
	CHECK_STR(r->errors[0], "first problem");
	CHECK_STR(r->errors[1], "second problem");
	CHECK_STR(r->domain, "example.com");
	CHECK_INT(r->domain_source, DM_DOMAIN_REPORT);
	CHECK_STR(r->adkim, "s");
	CHECK_STR(r->aspf, "s");
	CHECK_STR(r->p, "reject");
	CHECK_STR(r->sp, "quarantine");
	CHECK_STR(r->np, "quarantine");
	CHECK_INT(r->has_pct, 1);
	CHECK_INT(r->pct, 50);
	CHECK_STR(r->fo, "1:d");
	CHECK_STR(r->testing, "n");
	CHECK_STR(r->discovery_method, NULL);
	CHECK_INT(x.n, 2);
	CHECK_INT(x.st.records_seen, 2);
	CHECK_INT(x.st.records_used, 2);
	CHECK_INT(x.st.records_skipped, 0);
	CHECK_INT(x.nwarn, 0);
	a = &x.recs[0];
	CHECK_INT(a->position, 1);
	CHECK_STR(a->source_ip, "192.0.2.1");
	CHECK_INT(a->ip_family, 4);
	CHECK_INT(a->count, 12);
	CHECK_STR(a->disposition, "quarantine");
	CHECK_STR(a->dkim_aligned, "fail");
	CHECK_STR(a->spf_aligned, "pass");
	CHECK_INT(a->n_reasons, 1);
	CHECK_STR(a->reasons[0].type, "forwarded");
	CHECK_STR(a->reasons[0].comment, "known forwarder");
	CHECK_STR(a->envelope_to, "rcpt.example");
	CHECK_STR(a->envelope_from, "bounce.example.com");
	CHECK_STR(a->header_from, "example.com");
	CHECK_INT(a->n_dkim, 1);
	CHECK_STR(a->dkim[0].domain, "example.com");
	CHECK_STR(a->dkim[0].selector, "s2023");
	CHECK_STR(a->dkim[0].result, "fail");
	CHECK_STR(a->dkim[0].human_result, "body hash mismatch");
	CHECK_INT(a->n_spf, 1);
	CHECK_STR(a->spf[0].domain, "bounce.example.com");
	CHECK_STR(a->spf[0].scope, "mfrom");
	CHECK_STR(a->spf[0].result, "pass");
	CHECK_STR(a->spf[0].human_result, NULL);
	b = &x.recs[1];
	CHECK_INT(b->position, 2);
	CHECK_STR(b->source_ip, "2001:db8::25");
	CHECK_INT(b->ip_family, 6);
	CHECK_INT(b->count, 3);
	CHECK_INT(b->n_reasons, 0);
	CHECK_STR(b->envelope_to, NULL);
	CHECK_STR(b->spf[0].scope, "helo");
	CHECK_STR(b->spf[0].result, "softfail");
	run_done(&x);
}

static void
test_dmarc2_full(void)
{
	struct run x = { .p = NULL };
	const struct dm_report *r;
	const struct dm_record *a;

	run_file(&x, "parse/dmarc2_full.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	r = x.r;
	CHECK_INT(r->schema, DM_SCHEMA_DMARC2);
	CHECK_STR(dm_schema_name(r->schema), "dmarc-2.0");
	CHECK_STR(r->xml_namespace, "urn:ietf:params:xml:ns:dmarc-2.0");
	CHECK_STR(r->xml_version, NULL);
	CHECK_STR(r->org_name, "Receiver Two");
	CHECK_STR(r->report_id, "<r-42@two.example>");
	CHECK_STR(r->generator, "TwoMTA 3.1");
	CHECK_INT(r->n_errors, 1);
	CHECK_STR(r->errors[0], "one error only");
	CHECK_STR(r->domain, "example.org");
	CHECK_STR(r->p, "quarantine");
	CHECK_STR(r->sp, "reject");
	CHECK_STR(r->np, "reject");
	CHECK_STR(r->adkim, "r");
	CHECK_STR(r->aspf, "s");
	CHECK_STR(r->testing, "y");
	CHECK_STR(r->discovery_method, "treewalk");
	CHECK_INT(r->has_pct, 0);
	CHECK_STR(r->fo, "0");
	/* the <x:record> inside <extension> is not a record */
	CHECK_INT(x.st.records_seen, 1);
	CHECK_INT(x.n, 1);
	a = &x.recs[0];
	CHECK_STR(a->source_ip, "198.51.100.7");
	CHECK_INT(a->count, 5);
	CHECK_STR(a->disposition, "pass");
	CHECK_STR(a->dkim_aligned, "pass");
	CHECK_STR(a->spf_aligned, "fail");
	CHECK_INT(a->n_reasons, 1);
	CHECK_STR(a->reasons[0].type, "policy_test_mode");
	CHECK_STR(a->reasons[0].comment, "t=y");
	CHECK_STR(a->envelope_from, NULL);
	CHECK_STR(a->header_from, "example.org");
	CHECK_INT(a->n_dkim, 1);
	CHECK_STR(a->dkim[0].selector, "k1");
	CHECK_INT(a->n_spf, 1);
	CHECK_STR(a->spf[0].domain, "mail.example.org");
	CHECK_STR(a->spf[0].scope, "mfrom");
	CHECK_STR(a->spf[0].result, "policy");
	CHECK_STR(a->spf[0].human_result, "ip not allowed");
	CHECK_INT(x.nwarn, 0);
	run_done(&x);
}

/* ---- E.1 namespaces and versions ---- */

static void
test_namespaces_versions(void)
{
	static const struct {
		const char *version;
		enum dm_schema schema;
	} v[] = {
		{ "", DM_SCHEMA_RFC7489 },
		{ "<version>1</version>", DM_SCHEMA_RFC7489 },
		{ "<version>1.0</version>", DM_SCHEMA_RFC7489 },
		{ "<version>2</version>", DM_SCHEMA_DMARC2 },
		{ "<version>2.0</version>", DM_SCHEMA_DMARC2 },
		{ "<version>2.5</version>", DM_SCHEMA_RFC7489 },
	};
	char doc[1024];
	struct run x = { .p = NULL };
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		snprintf(doc, sizeof doc, "<feedback>%s<report_metadata>"
		    "<report_id>v</report_id><date_range><begin>1700000000"
		    "</begin><end>1700086399</end></date_range>"
		    "</report_metadata><policy_published><domain>v.example"
		    "</domain></policy_published></feedback>", v[i].version);
		run_buf(&x, doc, strlen(doc), 0, NULL, NULL, NULL);
		CHECK_INT(x.rc, 0);
		CHECK_INT(x.r->schema, v[i].schema);
		CHECK_STR(x.r->domain, "v.example");
		run_done(&x);
	}

	run_file(&x, "parse/version2_nons.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->schema, DM_SCHEMA_DMARC2);
	CHECK_STR(x.r->xml_version, "2.0");
	CHECK_STR(x.r->np, "reject");
	CHECK_STR(x.r->sp, "none");
	CHECK(has(x.warn, "report has no usable records"));
	run_done(&x);

	run_file(&x, "parse/ns01_prefixed.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->schema, DM_SCHEMA_RFC7489);
	CHECK_STR(x.r->xml_namespace, "http://dmarc.org/dmarc-xml/0.1");
	CHECK_STR(x.r->report_id, "old-1");
	CHECK_STR(x.r->domain, "ns.example");
	CHECK_INT(x.n, 1);
	CHECK_STR(x.recs[0].source_ip, "203.0.113.9");
	CHECK_INT(x.recs[0].count, 2);
	CHECK_STR(x.recs[0].spf[0].scope, "mfrom");
	run_done(&x);
}

/* ---- E.2 prefix, encodings ---- */

static void
test_bom_junk(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/bom_junk.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Bom");
	CHECK_INT(x.n, 1);
	CHECK_INT(x.nwarn, 0);
	run_done(&x);
	run_file(&x, "parse/bom_junk.xml", 1, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Bom");
	CHECK_INT(x.n, 1);
	run_done(&x);
}

static void
test_encodings(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/windows1252.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Caf\xc3\xa9 \xe2\x82\xac Ltd");
	CHECK_INT(x.nwarn, 0);
	CHECK_INT(x.n, 1);
	run_done(&x);

	/* invalid UTF-8 and a control character: recovered, stored as UTF-8 */
	run_file(&x, "parse/invalid_utf8.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Caf\xc3\xa9 \xc3\xa9");
	CHECK_INT(x.n, 1);
	CHECK_STR(x.recs[0].dkim[0].selector, "ab");
	CHECK_INT(x.nwarn, 1);
	CHECK(has(x.warn, "XML not well-formed, recovered: line 3: Input is "
	    "not proper UTF-8"));
	run_done(&x);
	run_file(&x, "parse/invalid_utf8.xml", 1, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Caf\xc3\xa9 \xc3\xa9");
	CHECK_INT(x.n, 1);
	run_done(&x);

	run_file(&x, "parse/bogus_encoding.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Bogus");
	CHECK_INT(x.n, 1);
	CHECK(has(x.warn, "unsupported encoding 'x-no-such-charset'"));
	run_done(&x);
}

/* UTF-8 text as UTF-16 (be: big-endian), with a BOM when bom is set;
 * `lone` puts a lone high surrogate before the first '>'.  Returns the
 * length; *out is malloc'd. */
static size_t
to_utf16(const char *in, size_t len, int be, int bom, int lone,
    unsigned char **out)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *o = malloc(len * 4 + 8);
	size_t i = 0, n = 0;
	unsigned u[2], cp, k, j;

#define UNIT(x) do { o[n + (be ? 0 : 1)] = (unsigned char)((x) >> 8); \
	o[n + (be ? 1 : 0)] = (unsigned char)((x) & 0xff); n += 2; } while (0)
	if (bom)
		UNIT(0xfeffu);
	while (i < len) {
		if (s[i] < 0x80)
			cp = s[i++];
		else if (s[i] < 0xe0)
			cp = (s[i] & 0x1fu) << 6 | (s[i + 1] & 0x3fu), i += 2;
		else if (s[i] < 0xf0)
			cp = (s[i] & 0x0fu) << 12 | (s[i + 1] & 0x3fu) << 6 |
			    (s[i + 2] & 0x3fu), i += 3;
		else
			cp = (s[i] & 0x07u) << 18 | (s[i + 1] & 0x3fu) << 12 |
			    (s[i + 2] & 0x3fu) << 6 | (s[i + 3] & 0x3fu), i += 4;
		if (lone && cp == '>') {
			UNIT(0xd800u);
			lone = 0;
		}
		k = 1;
		u[0] = cp;
		if (cp >= 0x10000) {
			u[0] = 0xd800 + ((cp - 0x10000) >> 10);
			u[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			k = 2;
		}
		for (j = 0; j < k; j++)
			UNIT(u[j]);
	}
#undef UNIT
	*out = o;
	return n;
}

/* E.16: UTF-16 with or without a BOM, either byte order, any chunking. */
static void
test_utf16(void)
{
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
	    "<feedback><report_metadata><org_name>Caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80</org_name><report_id>u16</report_id><date_range>"
	    "<begin>1700000000</begin><end>1700086399</end></date_range>"
	    "</report_metadata><policy_published><domain>example.net</domain>"
	    "<p>none</p></policy_published><record><row><source_ip>192.0.2.1"
	    "</source_ip><count>4</count><policy_evaluated><disposition>none"
	    "</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>"
	    "</row><identifiers><header_from>example.net</header_from>"
	    "</identifiers></record></feedback>\n";
	struct run x = { .p = NULL };
	unsigned char *u;
	size_t n, step;
	int be, bom;

	for (be = 0; be <= 1; be++)
		for (bom = 0; bom <= 1; bom++)
			for (step = 0; step <= 3; step += 3) {
				n = to_utf16(doc, sizeof doc - 1, be, bom, 0, &u);
				run_buf(&x, u, n, step, NULL, NULL, NULL);
				CHECK_INT(x.rc, 0);
				CHECK_STR(x.rc == 0 ? x.r->org_name : "",
				    "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
				CHECK_INT(x.n, 1);
				CHECK_INT(x.n ? x.recs[0].count : 0, 4);
				CHECK_INT(x.nwarn, 0);
				run_done(&x);
				free(u);
			}

	/* a lone surrogate: U+FFFD, with a warning */
	n = to_utf16(doc, sizeof doc - 1, 0, 1, 1, &u);
	run_buf(&x, u, n, 1, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK(has(x.warn, "invalid UTF-16: 1 code unit replaced with U+FFFD"));
	run_done(&x);
	/* a document cut inside a code unit */
	run_buf(&x, u, n - 1, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK(has(x.warn, "invalid UTF-16: 2 code units replaced with U+FFFD"));
	run_done(&x);
	free(u);

	/* U+0000 in UTF-16 is a NUL like any other */
	u = malloc(8);
	memcpy(u, "\xff\xfe<\0a\0\0\0", 8);
	run_buf(&x, u, 8, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "NUL byte in XML"));
	run_done(&x);
	free(u);
}

/* E.17: every domain lowercase, without the trailing dot, as A-labels;
 * invalid names kept as written, with one warning and a count. */
static void
test_domains(void)
{
	struct run x = { .p = NULL };
	static const char *const subj = "Report Domain: B\xc3\x9c" "CHER.Example. "
	    "Submitter: x Report-ID: 1";

	run_file(&x, "parse/domains.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->domain, "attack.dk");
	CHECK_INT(x.n, 2);
	CHECK_STR(x.recs[0].header_from, "attack.dk");
	CHECK_STR(x.recs[0].envelope_from, "bounce.attack.dk");
	CHECK_STR(x.recs[0].envelope_to, "rcpt.example");
	CHECK_STR(x.recs[0].dkim[0].domain, "attack.dk");
	CHECK_STR(x.recs[0].dkim[0].selector, "S1");	/* not a domain */
	CHECK_STR(x.recs[0].spf[0].domain, "bounce.attack.dk");
	CHECK_STR(x.recs[1].header_from, "xn--bcher-kva.example");
	CHECK_STR(x.recs[1].envelope_from, "xn--bcher-kva.example");
	CHECK_STR(x.recs[1].dkim[0].domain, "\xf0\x9f\x98\x80.example");
	CHECK_STR(x.recs[1].spf[0].domain, "\xe2\x98\x83-\xe2\x8c\x98.example");
	CHECK_INT(x.nwarn, 2);
	CHECK(has(x.warn, "record 2: DKIM domain '\xf0\x9f\x98\x80.Example' is "
	    "not a valid domain name (string contains a disallowed "
	    "character): kept as written"));
	CHECK(has(x.warn, "2 domain names in all are not valid names and were "
	    "kept as written"));
	run_done(&x);

	/* a derived policy domain too */
	run_file(&x, "parse/no_domain.xml", 0, NULL, NULL, subj);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->domain, "xn--bcher-kva.example");
	run_done(&x);
}

/* ---- E.3, E.4, E.11 order, repeats, aliases ---- */

static void
test_any_order(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/any_order.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Shuffled");
	CHECK_STR(x.r->report_id, "order-1");
	CHECK_INT(x.r->date_begin, 1700000000);
	CHECK_INT(x.r->date_end, 1700086399);
	CHECK_STR(x.r->domain, "example.net");
	CHECK_INT(x.n, 1);
	CHECK_STR(x.recs[0].source_ip, "192.0.2.77");
	CHECK_INT(x.recs[0].count, 7);
	CHECK_STR(x.recs[0].disposition, "none");
	CHECK_STR(x.recs[0].dkim_aligned, "fail");
	CHECK_STR(x.recs[0].spf_aligned, "pass");
	CHECK_INT(x.recs[0].n_dkim, 0);
	CHECK_INT(x.recs[0].n_spf, 1);
	CHECK_STR(x.recs[0].spf[0].domain, "example.net");
	CHECK_STR(x.recs[0].spf[0].result, "pass");
	run_done(&x);
}

static void
test_repeats_aliases(void)
{
	struct run x = { .p = NULL };
	const struct dm_record *a;

	run_file(&x, "parse/repeats.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->has_begin, 1);		/* data_range */
	CHECK_INT(x.r->date_begin, 1700000000);
	CHECK_INT(x.r->n_errors, 3);
	CHECK_STR(x.r->errors[2], "e3");
	CHECK_STR(x.r->domain, "first.example");	/* first policy wins */
	CHECK_STR(x.r->p, "reject");
	CHECK(has(x.warn, "second <policy_published> ignored"));
	CHECK_INT(x.n, 1);
	a = &x.recs[0];
	CHECK_INT(a->n_reasons, 3);
	CHECK_STR(a->reasons[0].type, "forwarded");
	CHECK_STR(a->reasons[0].comment, NULL);
	CHECK_STR(a->reasons[1].type, "mailing_list");
	CHECK_STR(a->reasons[1].comment, "list");
	CHECK_STR(a->reasons[2].type, "local_policy");
	CHECK_STR(a->envelope_from, "list.example");	/* identities */
	CHECK_STR(a->header_from, "first.example");
	CHECK_INT(a->n_dkim, 2);
	CHECK_STR(a->dkim[1].domain, "list.example");
	CHECK_STR(a->dkim[1].result, "fail");
	CHECK_INT(a->n_spf, 3);
	CHECK_STR(a->spf[1].scope, "helo");
	CHECK_STR(a->spf[2].scope, "mfrom");
	CHECK_STR(a->spf[2].result, "fail");
	run_done(&x);
}

/* ---- E.5, E.6 empty elements, invalid rows, defaults ---- */

static void
test_empty_and_invalid(void)
{
	struct run x = { .p = NULL };
	const struct dm_record *a;

	run_file(&x, "parse/empty_and_invalid.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, NULL);
	CHECK_STR(x.r->email, NULL);
	CHECK_STR(x.r->fo, "0");
	CHECK_INT(x.st.records_seen, 8);
	CHECK_INT(x.st.records_used, 2);
	CHECK_INT(x.st.records_skipped, 6);
	CHECK_INT(x.n, 2);
	a = &x.recs[0];
	CHECK_INT(a->position, 1);
	CHECK_INT(a->n_reasons, 1);
	CHECK_STR(a->reasons[0].type, NULL);
	CHECK_STR(a->reasons[0].comment, NULL);
	CHECK_STR(a->envelope_from, NULL);
	CHECK_STR(a->spf[0].domain, NULL);
	CHECK_STR(a->spf[0].result, "pass");
	CHECK_INT(x.recs[1].position, 8);
	CHECK_STR(x.recs[1].source_ip, "192.0.2.8");
	CHECK(has(x.warn, "record 2: invalid source_ip '' (skipped)"));
	CHECK(has(x.warn, "record 3: invalid source_ip '999.1.1.1' (skipped)"));
	CHECK(has(x.warn, "record 4: invalid count '-5' (skipped)"));
	CHECK(has(x.warn, "record 5: invalid count 'many' (skipped)"));
	CHECK(has(x.warn, "record 6: invalid count '' (skipped)"));
	CHECK(has(x.warn, "record 7: invalid count '99999999999999999999' "
	    "(skipped)"));
	CHECK_INT(x.nwarn, 6);
	run_done(&x);
}

static void
test_defaults(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/defaults.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->adkim, "r");
	CHECK_STR(x.r->aspf, "r");
	CHECK_STR(x.r->p, "quarantine");
	CHECK_STR(x.r->sp, "quarantine");
	CHECK_STR(x.r->np, "quarantine");
	CHECK_STR(x.r->fo, "0");
	CHECK_STR(x.r->testing, "n");
	CHECK_INT(x.r->has_pct, 0);
	CHECK_INT(x.n, 1);
	CHECK_STR(x.recs[0].disposition, NULL);
	CHECK_INT(x.recs[0].n_spf, 1);
	CHECK_STR(x.recs[0].spf[0].scope, "mfrom");
	run_done(&x);
}

/* ---- E.7, E.8, E.9 numbers, enums, addresses ---- */

static void
test_numbers_enums_ips(void)
{
	struct run x = { .p = NULL };
	const struct dm_record *a;

	run_file(&x, "parse/numbers_enums_ips.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->date_begin, 1700000000);
	CHECK_INT(x.r->date_end, 1700086399);
	CHECK_STR(x.r->domain, "example.net");
	CHECK_STR(x.r->adkim, "r");
	CHECK_STR(x.r->aspf, "s");
	CHECK_STR(x.r->p, "reject");
	CHECK_STR(x.r->sp, "none");
	CHECK_STR(x.r->np, "none");
	CHECK_INT(x.r->pct, 100);
	CHECK_STR(x.r->fo, "1:D");
	CHECK_INT(x.n, 3);
	a = &x.recs[0];
	CHECK_STR(a->source_ip, "2001:db8::1");
	CHECK_INT(a->ip_family, 6);
	CHECK_INT(a->count, 9000000000LL);
	CHECK_STR(a->disposition, "quarantine");
	CHECK_STR(a->dkim_aligned, "pass");
	CHECK_STR(a->spf_aligned, "fail");
	CHECK_STR(a->reasons[0].type, "trusted_forwarder");
	CHECK_STR(a->reasons[0].comment, "Keep Case");
	CHECK_STR(a->header_from, "example.net");	/* E.17 */
	CHECK_STR(a->dkim[0].result, "temperror");
	CHECK_STR(a->spf[0].scope, "mfrom");
	CHECK_STR(a->spf[0].result, "hardfail");	/* out of spec, kept */
	CHECK_STR(x.recs[1].source_ip, "192.0.2.44");
	CHECK_INT(x.recs[1].ip_family, 4);
	CHECK_INT(x.recs[1].count, 7);
	CHECK_STR(x.recs[2].source_ip, "2001:db8::ff00:42:8329");
	CHECK_INT(x.recs[2].count, 0);
	CHECK_INT(x.nwarn, 0);
	run_done(&x);
}

/* ---- E.12 missing policy domain ---- */

static void
test_missing_domain(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/no_domain.xml", 0, NULL,
	    "/tmp/in/receiver.example!Derived.Example!1700000000!1700086399"
	    "!abc.xml.gz", "Report Domain: other.example Submitter: r");
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->domain, "derived.example");
	CHECK_INT(x.r->domain_source, DM_DOMAIN_FILENAME);
	CHECK(has(x.warn, "policy domain missing, derived from filename: "
	    "derived.example"));
	run_done(&x);

	run_file(&x, "parse/no_domain.xml", 0, NULL, "report.xml",
	    "Fwd: REPORT DOMAIN:  Subj.Example Submitter: r Report-ID: 1");
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->domain, "subj.example");
	CHECK_INT(x.r->domain_source, DM_DOMAIN_SUBJECT);
	CHECK(has(x.warn, "derived from subject: subj.example"));
	run_done(&x);

	run_file(&x, "parse/no_domain.xml", 0, NULL, "a!!1!2.xml", "hello");
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->domain, "from.example");
	CHECK_INT(x.r->domain_source, DM_DOMAIN_HEADER_FROM);
	CHECK_STR(dm_domain_source_name(x.r->domain_source), "header_from");
	CHECK(has(x.warn, "derived from header_from: from.example"));
	CHECK_INT(x.n, 2);
	run_done(&x);
}

/* ---- E.13 recovery ---- */

static void
test_recovery(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/xs_schema.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "Stray");
	CHECK_STR(x.r->domain, "example.net");
	CHECK_INT(x.n, 1);
	CHECK_INT(x.nwarn, 1);
	CHECK(has(x.warn, "XML not well-formed, recovered: line "));
	run_done(&x);

	run_file(&x, "parse/bare_lt.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "A < B");
	CHECK_INT(x.n, 1);
	CHECK_INT(x.recs[0].count, 4);
	CHECK_STR(x.recs[0].reasons[0].comment, "size<10 & 1<2 & more");
	CHECK_INT(x.nwarn, 1);
	CHECK(has(x.warn, "XML not well-formed, recovered: line 3: bare '<'"));
	run_done(&x);
	run_file(&x, "parse/bare_lt.xml", 1, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "A < B");
	CHECK_STR(x.recs[0].reasons[0].comment, "size<10 & 1<2 & more");
	run_done(&x);

	/* real shapes: <email><noreply@...></email>, a stray '<' around a
	 * header_from, a bare '&'; comments and CDATA as written; whatever
	 * the chunking */
	{
		size_t steps[] = { 0, 1, 7 }, i;

		for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			run_file(&x, "parse/bare_markup.xml", steps[i], NULL,
			    NULL, NULL);
			CHECK_INT(x.rc, 0);
			if (x.rc != 0) {
				run_done(&x);
				continue;
			}
			CHECK_STR(x.r->org_name, "AT&T Mail & Co");
			CHECK_STR(x.r->email, "<noreply@mail.example>");
			CHECK_INT(x.n, 4);
			CHECK_STR(x.recs[0].header_from, "<example.net");
			CHECK_STR(x.recs[1].header_from, "example.net<");
			CHECK_STR(x.recs[2].header_from,
			    "sales <sales@example.net>");
			CHECK_INT(x.recs[2].n_spf, 1);
			CHECK_STR(x.recs[3].reasons[0].comment,
			    "a < b & c &amp; d & <e> <");
			CHECK(has(x.warn, "XML not well-formed, recovered: line "
			    "3: bare '&' in text (read as '&#38;')"));
			run_done(&x);
		}
	}

	run_file(&x, "parse/truncated.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "not well-formed XML: line "));
	CHECK(has(parse_error(x.p), "document ends before </feedback>"));
	CHECK_INT(x.st.records_seen, 2);
	CHECK_INT(x.st.records_used, 1);
	run_done(&x);

	run_file(&x, "parse/mismatch.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "not well-formed XML: line 5: Opening and "
	    "ending tag mismatch: report_metadata line 3 and feedback"));
	run_done(&x);

	/* an undeclared entity is reported, never expanded */
	run_file(&x, "parse/undeclared_entity.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_STR(x.r->org_name, "AB");
	CHECK(has(x.warn, "Entity 'xxe' not defined"));
	run_done(&x);
}

static void
test_nul(void)
{
	static const char doc[] = "<feedback><report_metadata><org_name>a\0b"
	    "</org_name></report_metadata></feedback>";
	struct run x = { .p = NULL };

	run_buf(&x, doc, sizeof doc - 1, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "NUL byte in XML at offset 38");
	run_done(&x);
	run_buf(&x, doc, sizeof doc - 1, 1, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "NUL byte in XML at offset 38");
	/* sticky */
	CHECK_INT(parse_push(x.p, "<a/>", 4), -1);
	run_done(&x);
}

/* ---- failures ---- */

static void
test_not_reports(void)
{
	struct run x = { .p = NULL };

	run_buf(&x, "hello, this is not XML\n", 23, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "not XML: no '<' in 23 bytes");
	run_done(&x);
	run_buf(&x, "", 0, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "not XML: empty document");
	run_done(&x);
	run_file(&x, "parse/not_feedback.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "not a DMARC report: root element <html>");
	run_done(&x);
	run_buf(&x, "<?xml version=\"1.0\"?>", 21, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "not well-formed XML: line 1: "));
	run_done(&x);
	run_file(&x, "parse/no_report_id.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "no <report_id> in <report_metadata>");
	run_done(&x);
	run_file(&x, "parse/bad_begin.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "invalid date_range begin 'yesterday'");
	run_done(&x);
}

static void
test_odd_dates(void)
{
	struct run x = { .p = NULL };

	run_file(&x, "parse/odd_dates.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->date_begin, 302918399);
	CHECK(has(x.warn, "date_range end 302832000 is before begin 302918399"));
	CHECK(has(x.warn, "is before the year 2000"));
	CHECK(has(x.warn, "report has no usable records"));
	CHECK_INT(x.nwarn, 3);
	run_done(&x);

	/* 13 digits are milliseconds (E.15): read as seconds, with a warning */
	run_file(&x, "parse/millis.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, 0);
	CHECK_INT(x.r->date_begin, 1748822400);
	CHECK_INT(x.r->date_end, 1748908799);
	CHECK(has(x.warn, "date_range begin 1748822400000 is in milliseconds, "
	    "read as 1748822400 seconds"));
	CHECK(has(x.warn, "date_range end 1748908799999 is in milliseconds, "
	    "read as 1748908799 seconds"));
	CHECK_INT(x.nwarn, 2);
	CHECK_INT(x.n, 1);
	run_done(&x);
}

static void
test_dtd_entities(void)
{
	static const char *const files[] = {
		"parse/dtd.xml", "parse/billion_laughs.xml", "parse/xxe_file.xml",
		"parse/xxe_http.xml",
	};
	struct run x = { .p = NULL };
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		run_file(&x, files[i], 0, NULL, NULL, NULL);
		CHECK_INT(x.rc, -1);
		CHECK(has(parse_error(x.p), "line 2: DTD not allowed (document "
		    "type declarations are refused)"));
		CHECK_INT(x.st.records_seen, 0);
		run_done(&x);
		run_file(&x, files[i], 1, NULL, NULL, NULL);
		CHECK_INT(x.rc, -1);
		CHECK(has(parse_error(x.p), "DTD not allowed"));
		run_done(&x);
	}
}

/* ---- limits ---- */

static void
test_depth(void)
{
	size_t n = 10000, i, len = 0;
	char *doc = malloc(n * 7 + 64);
	struct run x = { .p = NULL };

	len += (size_t)sprintf(doc, "<feedback>");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(doc + len, "<a>");
	run_buf(&x, doc, len, 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "line 1: limit xml-depth exceeded (elements "
	    "nested deeper than 64)");
	CHECK(has(parse_error(x.p), DM_LIMIT_XML_DEPTH));
	run_done(&x);
	free(doc);
}

static void
test_limits(void)
{
	struct dm_limits lim;
	struct run x = { .p = NULL };

	dm_limits_default(&lim);
	lim.field_bytes = 16;
	run_file(&x, "parse/rfc7489_full.xml", 0, &lim, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "line 5: limit field-bytes exceeded (more "
	    "than 16 bytes of text in one element)");
	run_done(&x);

	dm_limits_default(&lim);
	lim.records = 1;
	run_file(&x, "parse/rfc7489_full.xml", 0, &lim, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "limit " DM_LIMIT_RECORDS " exceeded (more "
	    "than 1 <record> elements)"));
	CHECK_INT(x.n, 1);
	run_done(&x);

	dm_limits_default(&lim);
	lim.repeats = 2;
	run_file(&x, "parse/repeats.xml", 0, &lim, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK(has(parse_error(x.p), "limit " DM_LIMIT_REPEATS " exceeded (more "
	    "than 2 <error> in the report)"));
	run_done(&x);
}

/* ---- callbacks and chunking ---- */

static void
test_callback_stop(void)
{
	struct run x = { .p = NULL };

	memset(&x, 0, sizeof x);
	x.stop_at = 2;
	run_file(&x, "parse/rfc7489_full.xml", 0, NULL, NULL, NULL);
	CHECK_INT(x.rc, -1);
	CHECK_STR(parse_error(x.p), "store refused the record");
	CHECK_INT(x.n, 1);
	run_done(&x);
}

/* The records, report and warnings of one push equal those of 1-byte
 * pushes. */
static void
test_chunking(void)
{
	static const char *const files[] = {
		"parse/rfc7489_full.xml", "parse/dmarc2_full.xml",
		"parse/empty_and_invalid.xml", "parse/xs_schema.xml",
		"parse/numbers_enums_ips.xml", "parse/windows1252.xml",
	};
	struct run a, b;
	size_t i, k;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		run_file(&a, files[i], 0, NULL, NULL, NULL);
		run_file(&b, files[i], 1, NULL, NULL, NULL);
		CHECK_INT(a.rc, 0);
		CHECK_INT(b.rc, 0);
		CHECK_INT(a.n, b.n);
		CHECK(a.n > 0);
		CHECK_STR(a.warn, b.warn);
		if (a.rc == 0 && b.rc == 0) {
			CHECK_STR(a.r->report_id, b.r->report_id);
			CHECK_STR(a.r->org_name, b.r->org_name);
			CHECK_STR(a.r->domain, b.r->domain);
			CHECK_INT(a.r->date_begin, b.r->date_begin);
		}
		for (k = 0; k < a.n && k < b.n; k++) {
			CHECK_STR(a.recs[k].source_ip, b.recs[k].source_ip);
			CHECK_INT(a.recs[k].count, b.recs[k].count);
			CHECK_STR(a.recs[k].header_from, b.recs[k].header_from);
			CHECK_INT(a.recs[k].n_spf, b.recs[k].n_spf);
			CHECK_INT(a.recs[k].n_dkim, b.recs[k].n_dkim);
		}
		run_done(&a);
		run_done(&b);
	}
}

static void
test_names(void)
{
	struct dm_report r;
	struct dm_record rec;

	CHECK_STR(dm_schema_name(DM_SCHEMA_RFC7489), "rfc7489");
	CHECK_STR(dm_domain_source_name(DM_DOMAIN_REPORT), "report");
	CHECK_STR(dm_domain_source_name(DM_DOMAIN_FILENAME), "filename");
	CHECK_STR(dm_domain_source_name(DM_DOMAIN_SUBJECT), "subject");
	memset(&r, 0, sizeof r);
	memset(&rec, 0, sizeof rec);
	r.org_name = strdup("x");
	rec.count = 5;
	dm_report_clear(&r);
	dm_record_clear(&rec);
	CHECK_STR(r.org_name, NULL);
	CHECK_INT(rec.count, 0);
}

int
main(void)
{
	parse_global_init();
	test_rfc7489_full();
	test_dmarc2_full();
	test_namespaces_versions();
	test_bom_junk();
	test_encodings();
	test_utf16();
	test_domains();
	test_any_order();
	test_repeats_aliases();
	test_empty_and_invalid();
	test_defaults();
	test_numbers_enums_ips();
	test_missing_domain();
	test_recovery();
	test_nul();
	test_not_reports();
	test_odd_dates();
	test_dtd_entities();
	test_depth();
	test_limits();
	test_callback_stop();
	test_chunking();
	test_names();
	CHECK_DONE();
}
