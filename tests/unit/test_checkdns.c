/* SPDX-License-Identifier: MIT */
/*
 * test_checkdns.c: the check-dns checkers without DNS: the SPF evaluator,
 * the DKIM key check and the DMARC placement check over a lookup function
 * that answers from a table, the services' SPF include table, and the
 * DNS reply reader on hand-made and mutated replies.  (The c-ares path and
 * the whole command: tests/e2e/test_check_dns.sh.)
 */
#include "check.h"
#include "checkdns.h"
#include "dkimkey.h"
#include "dmarcdns.h"
#include "spf.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct rr {
	const char *name;
	enum dnsq_type type;
	const char *value;	/* NULL: the name answers SERVFAIL */
};

static const struct rr *zone;
static size_t nzone;
static int asked;

/* NXDOMAIN for an unknown name, NODATA for a known name of another type. */
static int
table_lookup(void *arg, const char *name, enum dnsq_type type,
    struct dnsq_answer *out)
{
	size_t i;
	int exists = 0;

	(void)arg;
	asked++;
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	for (i = 0; i < nzone; i++) {
		if (strcmp(zone[i].name, name) != 0)
			continue;
		exists = 1;
		if (zone[i].value == NULL) {
			out->status = DNSQ_ERROR;
			snprintf(out->why, sizeof out->why, "SERVFAIL");
			return 0;
		}
		if (zone[i].type == type && dnsq_answer_add(out,
		    zone[i].value) != 0)
			return -1;
	}
	out->status = out->n > 0 ? DNSQ_OK : exists ? DNSQ_NODATA :
	    DNSQ_NXDOMAIN;
	return 0;
}

#define ZONE(z) do { zone = z; nzone = sizeof z / sizeof z[0]; } while (0)

/* 1 when a message of the list contains s. */
static int
has(const struct msglist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], s) != NULL)
			return 1;
	return 0;
}

static void
test_spf(void)
{
	static const struct rr z[] = {
		{ "a.test", DNSQ_TXT, "v=spf1 mx include:m.test "
		    "exists:%{i}.x.test exp=explain.a.test redirect=r.test "
		    "include:%{d}.y.test ~all" },
		{ "a.test", DNSQ_TXT, "something else" },
		{ "a.test", DNSQ_MX, "mx1.a.test" },
		{ "m.test", DNSQ_TXT, "v=spf1 mx -all" },
		{ "m.test", DNSQ_MX, "1.m.test" }, { "m.test", DNSQ_MX, "2" },
		{ "m.test", DNSQ_MX, "3" }, { "m.test", DNSQ_MX, "4" },
		{ "m.test", DNSQ_MX, "5" }, { "m.test", DNSQ_MX, "6" },
		{ "m.test", DNSQ_MX, "7" }, { "m.test", DNSQ_MX, "8" },
		{ "m.test", DNSQ_MX, "9" }, { "m.test", DNSQ_MX, "10" },
		{ "m.test", DNSQ_MX, "11" },
		{ "r.test", DNSQ_TXT, "v=spf1 -all" },
		{ "b.test", DNSQ_TXT, "v=spf1 include:none.test include:nospf.test "
		    "foo:bar ip6:2001:db8::/129 ip4:192.0.2.1/24 "
		    "redirect=x.test redirect=y.test" },
		{ "nospf.test", DNSQ_TXT, "hello" },
		{ "c.test", DNSQ_TXT, "V=SPF1 ip4:192.0.2.1 include:sf.test" },
		{ "sf.test", DNSQ_TXT, NULL },
		{ "d.test", DNSQ_TXT, "v=spf1x -all" },
		{ "e.test", DNSQ_TXT, "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 "
		    "ip4:192.0.2.3 ip4:192.0.2.4 ip4:192.0.2.5 ip4:192.0.2.6 "
		    "ip4:192.0.2.7 ip4:192.0.2.8 ip4:192.0.2.9 ip4:192.0.2.10 "
		    "ip4:192.0.2.11 ip4:192.0.2.12 ip4:192.0.2.13 ip4:192.0.2.14 "
		    "ip4:192.0.2.15 ip4:192.0.2.16 ip4:192.0.2.17 ip4:192.0.2.18 "
		    "ip4:192.0.2.19 ip4:192.0.2.20 ip4:192.0.2.21 ip4:192.0.2.22 "
		    "ip4:192.0.2.23 ip4:192.0.2.24 ip4:192.0.2.25 ip4:192.0.2.26 "
		    "ip4:192.0.2.27 ip4:192.0.2.28 ip4:192.0.2.29 ip4:192.0.2.30 "
		    "-all" },
		{ "self.test", DNSQ_TXT, "v=spf1 include:self.test -all" },
	};
	struct spf_result r;

	ZONE(z);
	/* a.test: mx, include, exists (macro: counted, not asked), redirect
	 * (ignored: the record has all), a macro include = 5 lookups; m.test's
	 * mx has 11 hosts; exp does not count */
	CHECK_INT(spf_check("a.test", table_lookup, NULL, &r), 0);
	CHECK_STR(r.record, z[0].value);
	CHECK_INT(r.lookups, 5);
	CHECK_INT(r.void_lookups, 0);
	CHECK_INT(r.nnodes, 2);
	CHECK_STR(r.nodes[1].domain, "m.test");
	CHECK_INT(r.nodes[1].lookups, 2);
	CHECK(has(&r.errors, "include:m.test: mx: m.test has 11 MX hosts"));
	CHECK(has(&r.warnings, "redirect=r.test is ignored"));
	CHECK(has(&r.warnings, "include:%{d}.y.test: a macro"));
	CHECK_INT(r.errors.n, 1);
	CHECK(spf_has_include(&r, "m.test"));
	CHECK(!spf_has_include(&r, "a.test"));
	spf_free(&r);

	/* b.test: an include of a name that does not exist (void, permerror),
	 * one without SPF (permerror, not void), an unknown term, a bad ip6
	 * prefix, redirect twice; no all at the top */
	CHECK_INT(spf_check("b.test", table_lookup, NULL, &r), 0);
	CHECK_INT(r.lookups, 3);
	CHECK_INT(r.void_lookups, 2);
	CHECK(has(&r.errors, "include:none.test: no SPF record at none.test: "
	    "permerror"));
	CHECK(has(&r.errors, "include:nospf.test: no SPF record"));
	CHECK(has(&r.errors, "unknown term 'foo:bar'"));
	CHECK(has(&r.errors, "'ip6:2001:db8::/129' is not a valid ip6"));
	CHECK(!has(&r.errors, "ip4:192.0.2.1/24"));
	CHECK(has(&r.errors, "redirect= appears twice"));
	CHECK(has(&r.errors, "redirect=y.test: no SPF record"));
	spf_free(&r);

	/* c.test: "V=SPF1" is SPF (case-insensitive); a SERVFAIL include is
	 * temperror; no all */
	CHECK_INT(spf_check("c.test", table_lookup, NULL, &r), 0);
	CHECK(r.dns_failed);
	CHECK(has(&r.errors, "include:sf.test: SERVFAIL; receivers get "
	    "temperror"));
	CHECK(has(&r.warnings, "does not end with an all term"));
	spf_free(&r);

	/* d.test: "v=spf1x" is not SPF; an unknown domain has none */
	CHECK_INT(spf_check("d.test", table_lookup, NULL, &r), 0);
	CHECK(r.record == NULL);
	CHECK(has(&r.errors, "no SPF record at d.test"));
	spf_free(&r);
	CHECK_INT(spf_check("nothing.test", table_lookup, NULL, &r), 0);
	CHECK(has(&r.errors, "no SPF record at nothing.test"));
	CHECK_INT(r.void_lookups, 0);	/* the domain's own lookup is not */
	spf_free(&r);

	/* e.test: over 450 bytes */
	CHECK_INT(spf_check("e.test", table_lookup, NULL, &r), 0);
	CHECK(has(&r.warnings, "e.test: the record is 452 bytes; over 450"));
	CHECK_INT(r.errors.n, 0);
	spf_free(&r);

	/* an include of itself: a loop, not followed */
	asked = 0;
	CHECK_INT(spf_check("self.test", table_lookup, NULL, &r), 0);
	CHECK(has(&r.errors, "include:self.test: a loop"));
	CHECK_INT(asked, 1);
	CHECK_INT(r.lookups, 1);
	spf_free(&r);
}

/* base64 of the DER of a fresh RSA key: SubjectPublicKeyInfo, or PKCS#1
 * when pkcs1. */
static void
rsa_key(int bits, int pkcs1, char *out, size_t len)
{
	EVP_PKEY *pk = EVP_RSA_gen((unsigned)bits);
	unsigned char der[2048], *p = der;
	int n;

	out[0] = '\0';
	if (pk == NULL)
		return;
	n = pkcs1 ? i2d_PublicKey(pk, &p) : i2d_PUBKEY(pk, &p);
	if (n > 0 && (size_t)(n + 2) / 3 * 4 < len)
		EVP_EncodeBlock((unsigned char *)out, der, n);
	EVP_PKEY_free(pk);
}

static void
test_dkim(void)
{
	char key[2048], rec[2300];
	struct dkim_key k;

	memset(&k, 0, sizeof k);
	snprintf(k.name, sizeof k.name, "s._domainkey.x.test");
	snprintf(k.selector, sizeof k.selector, "s");

	rsa_key(1024, 0, key, sizeof key);
	CHECK(key[0] != '\0');
	/* a 1024-bit key, base64 wrapped by spaces, h=sha256 */
	snprintf(rec, sizeof rec, "v=DKIM1; h=sha256; k=rsa; p=%.40s %s", key,
	    key + 40);
	CHECK_INT(dkim_key_parse(rec, &k), 0);
	CHECK(k.found);
	CHECK_INT(k.bits, 1024);
	CHECK_STR(k.type, "rsa");
	CHECK_INT(k.errors.n, 0);
	CHECK(has(&k.warnings, "a 1024-bit RSA key; RFC 8301 asks for 2048"));
	dkim_key_free(&k);

	/* the same as PKCS#1, and h=sha1 only, t=s:y */
	rsa_key(2048, 1, key, sizeof key);
	snprintf(rec, sizeof rec, "v=DKIM1; t=s:y; h=sha1; p=%s", key);
	k.bits = 0;
	CHECK_INT(dkim_key_parse(rec, &k), 0);
	CHECK_INT(k.bits, 2048);
	CHECK(has(&k.warnings, "bare PKCS#1"));
	CHECK(has(&k.warnings, "t=y"));
	CHECK(has(&k.errors, "h=sha1 allows only sha1"));
	dkim_key_free(&k);

	/* ed25519: 32 bytes; not base64; no p=; v= not first */
	k.bits = 0;
	CHECK_INT(dkim_key_parse("v=DKIM1; k=ed25519; "
	    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &k), 0);
	CHECK_STR(k.type, "ed25519");
	CHECK_INT(k.errors.n + k.warnings.n, 0);
	dkim_key_free(&k);
	CHECK_INT(dkim_key_parse("k=ed25519; p=AAAA", &k), 0);
	CHECK(has(&k.errors, "an ed25519 key is 32 bytes"));
	dkim_key_free(&k);
	CHECK_INT(dkim_key_parse("p=@@@@", &k), 0);
	CHECK(has(&k.errors, "not valid base64"));
	dkim_key_free(&k);
	k.found = 0;
	CHECK_INT(dkim_key_parse("k=rsa; t=y", &k), 0);
	CHECK(!k.found);
	CHECK(has(&k.errors, "no p= tag"));
	dkim_key_free(&k);
	CHECK_INT(dkim_key_parse("k=rsa; v=DKIM1; p=", &k), 0);
	CHECK(has(&k.errors, "v=DKIM1 must be the first tag"));
	CHECK(k.revoked);
	dkim_key_free(&k);
}

static void
test_dkim_lookup(void)
{
	static const struct rr z[] = {
		{ "two._domainkey.x.test", DNSQ_TXT, "v=DKIM1; p=" },
		{ "two._domainkey.x.test", DNSQ_TXT, "v=DKIM1; p=" },
		{ "other._domainkey.x.test", DNSQ_TXT, "site-verification=1" },
		{ "other._domainkey.x.test", DNSQ_TXT, "more" },
		{ "sf._domainkey.x.test", DNSQ_TXT, NULL },
	};
	struct dkim_key k;

	ZONE(z);
	CHECK_INT(dkim_key_check("x.test", "two", table_lookup, NULL, &k), 0);
	CHECK(has(&k.errors, "2 key records"));
	dkim_key_free(&k);
	CHECK_INT(dkim_key_check("x.test", "other", table_lookup, NULL, &k), 0);
	CHECK(k.missing);
	CHECK(!k.found);
	dkim_key_free(&k);
	CHECK_INT(dkim_key_check("x.test", "gone", table_lookup, NULL, &k), 0);
	CHECK(k.missing);
	CHECK_INT(k.errors.n, 0);	/* the judge decides with the reports */
	dkim_key_free(&k);
	CHECK_INT(dkim_key_check("x.test", "sf", table_lookup, NULL, &k), 0);
	CHECK(k.dns_failed);
	CHECK(!k.missing);
	CHECK(has(&k.errors, "SERVFAIL"));
	dkim_key_free(&k);
}

static void
test_dmarc(void)
{
	static const struct rr z[] = {
		/* only pieces, none beginning with v=DMARC1 */
		{ "_dmarc.a.test", DNSQ_TXT, "p=none;" },
		{ "_dmarc.a.test", DNSQ_TXT, "rua=mailto:d@a.test" },
		/* spaces around '=', a lint error (bad p), an outside rua
		 * authorized by a wildcard-like record, one not */
		{ "_dmarc.b.test", DNSQ_TXT, " v = DMARC1; p=block; "
		    "rua=mailto:x@r.example,mailto:y@b.test,mailto:z@q.example!10m" },
		{ "b.test._report._dmarc.r.example", DNSQ_TXT, "v=DMARC1;" },
		/* a subdomain: the org domain's record, and a misplaced one */
		{ "_dmarc.c.test", DNSQ_TXT, "v=DMARC1; p=reject" },
		{ "dmarc.sub.c.test", DNSQ_TXT, "v=DMARC1; p=none" },
	};
	struct dmarc_dns d;

	ZONE(z);
	CHECK_INT(dmarc_dns_check("a.test", table_lookup, NULL, &d), 0);
	CHECK(!d.found);
	CHECK(has(&d.errors, "split over 2 TXT records, none of which begins "
	    "with v=DMARC1"));
	dmarc_dns_free(&d);

	CHECK_INT(dmarc_dns_check("b.test", table_lookup, NULL, &d), 0);
	CHECK(d.found);
	CHECK(d.linted);
	CHECK(has(&d.errors, "tag p: 'block'"));
	CHECK_INT(d.next, 2);
	CHECK_STR(d.ext[0].host, "r.example");
	CHECK(d.ext[0].authorized);
	CHECK_STR(d.ext[1].host, "q.example");
	CHECK(!d.ext[1].authorized);
	CHECK(has(&d.errors, "q.example has not authorized reports for b.test "
	    "(no v=DMARC1 record at b.test._report._dmarc.q.example)"));
	CHECK(!has(&d.warnings, "._report._dmarc."));
	dmarc_dns_free(&d);

	CHECK_INT(dmarc_dns_check("sub.c.test", table_lookup, NULL, &d), 0);
	CHECK(d.found);
	CHECK(d.from_org);
	CHECK_STR(d.name, "_dmarc.c.test");
	CHECK_STR(d.record, "v=DMARC1; p=reject");
	CHECK_INT(d.misplaced.n, 1);
	CHECK_STR(d.misplaced.v[0], "dmarc.sub.c.test");
	dmarc_dns_free(&d);
}

static void
test_includes(void)
{
	const char *alt;

	CHECK_STR(checkdns_spf_include("o1.bnc3.mailjet.com", &alt),
	    "spf.mailjet.com");
	CHECK(alt == NULL);
	CHECK_STR(checkdns_spf_include("MAIL-AM6.outbound.protection."
	    "outlook.com.", NULL), "spf.protection.outlook.com");
	CHECK_STR(checkdns_spf_include("mail-sor-f41.google.com", NULL),
	    "_spf.google.com");
	CHECK_STR(checkdns_spf_include("a1-2.smtp-out.amazonses.com", NULL),
	    "amazonses.com");
	CHECK_STR(checkdns_spf_include("mail.sendinblue.com", &alt),
	    "spf.brevo.com");
	CHECK_STR(alt, "spf.sendinblue.com");
	CHECK_STR(checkdns_spf_include("mailjet.com", NULL), "spf.mailjet.com");
	CHECK(checkdns_spf_include("notmailjet.com", NULL) == NULL);
	CHECK(checkdns_spf_include("mailjet.com.evil.example", NULL) == NULL);
	CHECK(checkdns_spf_include("", NULL) == NULL);
	CHECK(checkdns_spf_include(NULL, NULL) == NULL);
}

/* ---- DNS replies ---- */

struct msg {
	unsigned char b[1024];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n <= sizeof m->b) {
		memcpy(m->b + m->n, p, n);
		m->n += n;
	}
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, b, 2);
}

static void
put_name(struct msg *m, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");
		unsigned char c = (unsigned char)l;

		put(m, &c, 1);
		put(m, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	put(m, "", 1);
}

/* A reply header and the question for name/type; ancount answers follow. */
static void
start(struct msg *m, const char *name, unsigned type, unsigned ancount)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* An answer: owner NULL is a pointer to the question's name. */
static void
rr(struct msg *m, const char *owner, unsigned type, const void *rd,
    size_t rdlen)
{
	if (owner == NULL)
		put16(m, 0xc00c);
	else
		put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, (unsigned)rdlen);
	put(m, rd, rdlen);
}

static void
test_parse(void)
{
	struct dnsq_answer a;
	struct msg m, cn;
	char next[DNSQ_NAME_LEN];
	unsigned char rd[64];
	unsigned seed = 1;
	int i, rc;

	/* TXT of two strings, one with a NUL byte: joined, NUL as '?' */
	start(&m, "a.test", DNSQ_TXT, 1);
	rr(&m, NULL, DNSQ_TXT, "\002ab\003c\0d", 7);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next), 0);
	CHECK_INT(a.status, DNSQ_OK);
	CHECK_INT(a.n, 1);
	CHECK_STR(a.rr[0], "abc?d");
	CHECK_STR(next, "");
	dnsq_answer_free(&a);

	/* a CNAME chain (upper case in the reply), then the TXT */
	cn.n = 0;
	put_name(&cn, "B.test");
	start(&m, "a.test", DNSQ_TXT, 2);
	rr(&m, NULL, DNSQ_CNAME, cn.b, cn.n);
	rr(&m, "b.TEST", DNSQ_TXT, "\001x", 2);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next), 0);
	CHECK_INT(a.status, DNSQ_OK);
	CHECK_STR(a.name, "b.test");
	CHECK(a.via_cname);
	CHECK_STR(a.rr[0], "x");
	dnsq_answer_free(&a);

	/* the CNAME alone: its target is to be asked */
	start(&m, "a.test", DNSQ_TXT, 1);
	rr(&m, NULL, DNSQ_CNAME, cn.b, cn.n);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next), 0);
	CHECK_INT(a.status, DNSQ_NODATA);
	CHECK_STR(next, "b.test");
	dnsq_answer_free(&a);

	/* a CNAME loop inside the reply */
	start(&m, "a.test", DNSQ_TXT, 2);
	rr(&m, NULL, DNSQ_CNAME, cn.b, cn.n);
	rr(&m, "b.test", DNSQ_CNAME, "\001a\004test\0", 8);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next), 0);
	CHECK_INT(a.status, DNSQ_ERROR);
	CHECK(strstr(a.why, "CNAMEs from a.test") != NULL);
	dnsq_answer_free(&a);

	/* MX: the host compressed to the question's name; A and AAAA */
	start(&m, "a.test", DNSQ_MX, 1);
	rr(&m, NULL, DNSQ_MX, "\0\012\300\014", 4);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_MX, &a, next), 0);
	CHECK_STR(a.rr[0], "a.test");
	dnsq_answer_free(&a);
	start(&m, "a.test", DNSQ_A, 1);
	rr(&m, NULL, DNSQ_A, "\300\000\002\001", 4);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_A, &a, next), 0);
	CHECK_STR(a.rr[0], "192.0.2.1");
	dnsq_answer_free(&a);

	/* malformed: an A of 3 bytes, rdata past the end, a name pointing at
	 * itself, a short header */
	start(&m, "a.test", DNSQ_A, 1);
	rr(&m, NULL, DNSQ_A, "\300\000\002", 3);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_A, &a, next), -1);
	dnsq_answer_free(&a);
	start(&m, "a.test", DNSQ_TXT, 1);
	rr(&m, NULL, DNSQ_TXT, "\005abc", 4);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n - 1, "a.test", DNSQ_TXT, &a, next), -1);
	dnsq_answer_free(&a);
	m.n = 0;
	put16(&m, 0);
	put16(&m, 0x8180);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0xc00c);	/* the question's name is a pointer to itself */
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next), -1);
	CHECK_INT(dnsq_parse(m.b, 11, "a.test", DNSQ_TXT, &a, next), -1);

	/* mutated replies: any result, no crash, no leak (ASan) */
	start(&cn, "a.test", DNSQ_TXT, 3);
	rr(&cn, NULL, DNSQ_CNAME, "\001b\300\014", 4);
	rr(&cn, "b.a.test", DNSQ_TXT, "\003abc\002de", 7);
	memset(rd, 'k', sizeof rd);
	rd[0] = 60;
	rr(&cn, "b.a.test", DNSQ_TXT, rd, 61);
	memset(&a, 0, sizeof a);
	CHECK_INT(dnsq_parse(cn.b, cn.n, "a.test", DNSQ_TXT, &a, next), 0);
	CHECK_INT(a.n, 2);
	CHECK_STR(a.rr[0], "abcde");
	dnsq_answer_free(&a);
	for (i = 0; i < 20000; i++) {
		int k, flips = 1 + i % 4;

		m = cn;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			m.b[(seed >> 8) % m.n] = (unsigned char)(seed >> 20);
		}
		if (i % 7 == 0)
			m.n = (seed >> 4) % m.n;
		memset(&a, 0, sizeof a);
		rc = dnsq_parse(m.b, m.n, "a.test", DNSQ_TXT, &a, next);
		CHECK(rc == 0 || rc == -1);
		CHECK(a.n <= DNSQ_MAX_RR);
		dnsq_answer_free(&a);
	}
}

int
main(void)
{
	test_spf();
	test_dkim();
	test_dkim_lookup();
	test_dmarc();
	test_includes();
	test_parse();
	CHECK_DONE();
}
