/* SPDX-License-Identifier: MIT */
/* test_lint.c: the DMARC record linter: verdicts, exact messages, tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lint.h"

#define E_PCT9989 "tag pct: removed in RFC 9989, whose receivers ignore it " \
	"(t=y marks a policy in testing)"
#define E_NOV "tag v: missing; a DMARC record begins with v=DMARC1, or " \
	"receivers ignore it (RFC 7489 6.3)"
#define E_NOP "tag p: missing, and no valid rua; receivers ignore the " \
	"record (RFC 7489 6.6.3)"
#define W_NOP "tag p: missing; with a valid rua receivers act as if " \
	"p=none (RFC 7489 6.6.3)"

static const char *const none[] = { NULL };

/* Lints record (with owner) and checks the verdict and the exact lists
 * of errors and warnings (NULL-terminated); r is kept for more checks. */
static void
expect(int line, struct lint_result *r, const char *record, const char *owner,
    const char *const *errors, const char *const *warnings)
{
	size_t i;

	CHECK_INT(lint_record(record, owner, r), 0);
	for (i = 0; errors[i] != NULL && i < r->nerrors; i++)
		CHECK_STR(r->errors[i], errors[i]);
	for (; i < r->nerrors; i++)
		fprintf(stderr, "line %d: extra error: %s\n", line, r->errors[i]);
	for (; errors[i] != NULL; i++)
		fprintf(stderr, "line %d: missing error: %s\n", line, errors[i]);
	CHECK_INT(r->nerrors, i);
	CHECK_INT(r->valid, i == 0);
	for (i = 0; warnings[i] != NULL && i < r->nwarnings; i++)
		CHECK_STR(r->warnings[i], warnings[i]);
	for (; i < r->nwarnings; i++)
		fprintf(stderr, "line %d: extra warning: %s\n", line,
		    r->warnings[i]);
	for (; warnings[i] != NULL; i++)
		fprintf(stderr, "line %d: missing warning: %s\n", line,
		    warnings[i]);
	CHECK_INT(r->nwarnings, i);
}

/* expect() then lint_free() */
static void
lint_case(int line, const char *record, const char *owner,
    const char *const *errors, const char *const *warnings)
{
	struct lint_result r;

	expect(line, &r, record, owner, errors, warnings);
	lint_free(&r);
}

#define CASE(rec, owner, errs, warns) lint_case(__LINE__, rec, owner, errs, warns)
#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

int
main(void)
{
	struct lint_result r;
	char big[4096];
	size_t i;

	/* a valid RFC 7489 record: valid, pct warned about for 9989 */
	expect(__LINE__, &r, "v=DMARC1; p=none; pct=100; "
	    "rua=mailto:dmarc@example.com; sp=none; aspf=r",
	    "_dmarc.example.com", none, L(E_PCT9989));
	CHECK_INT(r.ntags, 6);
	CHECK_STR(r.tags[0].name, "v");
	CHECK_STR(r.tags[3].name, "rua");
	CHECK_STR(r.tags[3].value, "mailto:dmarc@example.com");
	CHECK_STR(lint_tag(&r, "p"), "none");
	CHECK_STR(lint_tag(&r, "aspf"), "r");
	CHECK_STR(lint_tag(&r, "pct"), "100");
	CHECK(lint_tag(&r, "np") == NULL);
	lint_free(&r);
	CHECK_INT(r.ntags, 0);
	lint_free(&r);	/* twice is harmless */

	/* a valid RFC 9989 record with np, t and psd: nothing to say */
	CASE("v=DMARC1; p=quarantine; sp=reject; np=reject; t=y; psd=n; "
	    "adkim=s; rua=mailto:dmarc@example.com", "_dmarc.example.com",
	    none, none);
	CASE("v=DMARC1;p=reject;t=n;psd=u", NULL, none, none);

	/* a DNS answer with quotes in it: they are part of the value (only
	 * lint_pasted reads zone-file strings) */
	CHECK_INT(lint_record("\"v=DMARC1; p=none\"", NULL, &r), 0);
	CHECK_INT(r.valid, 0);
	lint_free(&r);
	CHECK_INT(lint_pasted("\"v=DMARC1; p=none\"", NULL, &r), 0);
	CHECK_INT(r.valid, 1);
	CHECK_INT(r.nwarnings, 1);
	CHECK_STR(lint_tag(&r, "p"), "none");
	lint_free(&r);
	/* not zone-file strings: linted as written */
	CHECK_INT(lint_pasted("v=DMARC1; p=none; rua=mailto:\"a\"@example.com",
	    NULL, &r), 0);
	CHECK_INT(r.valid, 1);
	CHECK_INT(r.nwarnings, 0);
	lint_free(&r);
	CHECK_INT(lint_pasted(NULL, NULL, &r), 0);
	CHECK_INT(r.valid, 0);
	lint_free(&r);
	CHECK_INT(lint_pasted("\"\\\"", NULL, &r), 0);	/* "\" unterminated */
	CHECK_INT(r.valid, 0);
	lint_free(&r);

	/* p missing, with and without a valid rua */
	CASE("v=DMARC1; rua=mailto:dmarc@example.com", NULL, none, L(W_NOP));
	CASE("v=DMARC1; sp=reject", NULL, L(E_NOP), none);
	CASE("v=DMARC1; rua=dmarc@example.com", NULL,
	    L("tag rua: 'dmarc@example.com' is not a URI; write "
	    "mailto:dmarc@example.com (RFC 7489 6.2)", E_NOP), none);

	/* v: not first, wrong case, wrong value, missing, leading space */
	CASE("p=none; v=DMARC1", NULL,
	    L("tag v: not the first tag; receivers ignore a record that does "
	    "not begin with v=DMARC1 (RFC 7489 6.3)"), none);
	CASE("v=dmarc1; p=none", NULL,
	    L("tag v: 'dmarc1' must be exactly DMARC1 (the value is "
	    "case-sensitive); receivers ignore the record (RFC 7489 6.3)"),
	    none);
	CASE("v=DMARC2; p=none", NULL,
	    L("tag v: 'DMARC2' is not DMARC1; receivers ignore the record "
	    "(RFC 7489 6.3)"), none);
	CASE("p=none", NULL, L(E_NOV), none);
	CASE(" v=DMARC1; p=none", NULL,
	    L("tag v: whitespace before v=DMARC1; the record must begin with "
	    "it (RFC 7489 6.4)"), none);

	/* policy values */
	CASE("v=DMARC1; p=block", NULL,
	    L("tag p: 'block' is not none, quarantine or reject (RFC 7489 "
	    "6.3)"), none);
	CASE("v=DMARC1; p=REJECT; sp=Quarantine; np=None", NULL, none, none);
	CASE("v=DMARC1; p=none; sp=", NULL,
	    L("tag sp: '' is not none, quarantine or reject (RFC 7489 6.3)"),
	    none);
	CASE("v=DMARC1; p=none; np=drop", NULL,
	    L("tag np: 'drop' is not none, quarantine or reject (RFC 9989)"),
	    none);

	/* duplicates, also in another case; reported once; first kept */
	expect(__LINE__, &r, "v=DMARC1; p=none; P=reject; p=quarantine", NULL,
	    L("tag p: appears more than once; a tag list with a duplicate tag "
	    "is invalid (RFC 7489 6.3, RFC 6376 3.2)"), none);
	CHECK_STR(lint_tag(&r, "p"), "none");
	CHECK_INT(r.ntags, 2);
	lint_free(&r);

	/* pct */
	CASE("v=DMARC1; p=none; pct=150", NULL,
	    L("tag pct: 150 is outside 0-100 (RFC 7489 6.3)"), L(E_PCT9989));
	CASE("v=DMARC1; p=none; pct=-1", NULL,
	    L("tag pct: -1 is outside 0-100 (RFC 7489 6.3)"), L(E_PCT9989));
	CASE("v=DMARC1; p=none; pct=abc", NULL,
	    L("tag pct: 'abc' is not an integer in 0-100 (RFC 7489 6.3)"),
	    L(E_PCT9989));
	CASE("v=DMARC1; p=none; pct=99999999999999999999999", NULL,
	    L("tag pct: 99999999999999999999999 is outside 0-100 (RFC 7489 "
	    "6.3)"), L(E_PCT9989));
	CASE("v=DMARC1; p=none; pct=0", NULL, none, L(E_PCT9989));
	CASE("v=DMARC1; p=none; pct=", NULL,
	    L("tag pct: '' is not an integer in 0-100 (RFC 7489 6.3)"),
	    L(E_PCT9989));

	/* unknown tag, rf and ri */
	CASE("v=DMARC1; p=none; foo=bar", NULL, none,
	    L("tag foo: unknown; receivers ignore it (RFC 7489 6.3)"));
	CASE("v=DMARC1; p=none; rf=afrf; ri=86400", NULL, none,
	    L("tag rf: removed in RFC 9989, whose receivers ignore it",
	    "tag ri: removed in RFC 9989, whose receivers ignore it"));
	CASE("v=DMARC1; p=none; rf=iodef; ri=1d", NULL, none,
	    L("tag rf: 'iodef' is not afrf (RFC 7489 6.3)",
	    "tag rf: removed in RFC 9989, whose receivers ignore it",
	    "tag ri: '1d' is not a number of seconds (RFC 7489 6.3)",
	    "tag ri: removed in RFC 9989, whose receivers ignore it"));

	/* fo */
	CASE("v=DMARC1; p=none; fo=1", NULL, none,
	    L("tag fo: has no effect without ruf (RFC 7489 6.3)"));
	CASE("v=DMARC1; p=none; fo=0 : 1:D:s; ruf=mailto:f@example.com", NULL,
	    none, none);
	CASE("v=DMARC1; p=none; fo=1:x; ruf=mailto:f@example.com", NULL,
	    L("tag fo: 'x' is not 0, 1, d or s (a colon-separated list) "
	    "(RFC 7489 6.3)"), none);
	CASE("v=DMARC1; p=none; fo=1,d; ruf=mailto:f@example.com", NULL,
	    L("tag fo: '1,d' is not 0, 1, d or s (a colon-separated list) "
	    "(RFC 7489 6.3)"), none);

	/* adkim, aspf, t, psd */
	CASE("v=DMARC1; p=none; adkim=strict; aspf=R", NULL,
	    L("tag adkim: 'strict' is not r or s (RFC 7489 6.3)"), none);
	CASE("v=DMARC1; p=none; t=yes; psd=x", NULL,
	    L("tag t: 'yes' is not y or n (RFC 9989)",
	    "tag psd: 'x' is not y, n or u (RFC 9989)"), none);

	/* rua and ruf */
	CASE("v=DMARC1; p=none; rua=mailto:a@example.com,mailto:b@example.com,"
	    "mailto:c@example.com", NULL, none,
	    L("tag rua: 3 URIs; receivers need support only two, so later ones "
	    "may get no reports (RFC 7489 6.2)"));
	CASE("v=DMARC1; p=none; rua=mailto:a@example.com , "
	    "mailto:b@example.com", NULL, none, none);
	CASE("v=DMARC1; p=none; rua=mailto:a@example.com!10m", NULL, none,
	    L("tag rua: the size limit '!10m' on mailto:a@example.com is gone "
	    "in RFC 9989; leave it out"));
	CASE("v=DMARC1; p=none; rua=mailto:a@example.com mailto:b@example.com",
	    NULL, L("tag rua: 'mailto:a@example.com mailto:b@example.com' holds "
	    "whitespace; separate URIs with ',' (RFC 7489 6.4)"), none);
	CASE("v=DMARC1; p=none; rua=", NULL,
	    L("tag rua: empty; it wants URIs separated by ',', such as "
	    "mailto:dmarc@example.com (RFC 7489 6.3)"), none);
	CASE("v=DMARC1; p=none; rua=mailto:a@example.com,,", NULL,
	    L("tag rua: an empty URI between ',' (RFC 7489 6.4)",
	    "tag rua: an empty URI between ',' (RFC 7489 6.4)"), none);
	CASE("v=DMARC1; p=none; ruf=reports", NULL,
	    L("tag ruf: 'reports' is not a URI; a mailto: URI is expected "
	    "(RFC 7489 6.2)"), none);
	CASE("v=DMARC1; p=none; rua=https://example.com/dmarc", NULL, none,
	    L("tag rua: 'https://example.com/dmarc' is not a mailto: URI; "
	    "receivers need support only mailto: (RFC 7489 6.2)"));
	CASE("v=DMARC1; p=none; rua=mailto:nobody", NULL, none,
	    L("tag rua: 'mailto:nobody' has no address local@host (RFC 7489 "
	    "6.2)"));
	CASE("v=DMARC1; p=none; rua=mailto:", NULL,
	    L("tag rua: 'mailto:' is not a URI; a mailto: URI is expected "
	    "(RFC 7489 6.2)"), none);

	/* external report hosts: only with the owner name */
	CASE("v=DMARC1; p=none; rua=mailto:d@reports.example.net", NULL,
	    none, none);
	CASE("v=DMARC1; p=none; rua=mailto:d@Reports.Example.NET.?subject=x",
	    "_dmarc.example.com", none,
	    L("tag rua: reports.example.net is outside example.com: the TXT "
	    "record example.com._report._dmarc.reports.example.net (v=DMARC1) "
	    "must exist, or receivers send it no reports (RFC 7489 7.1)"));
	CASE("v=DMARC1; p=none; rua=mailto:d@mail.example.com; "
	    "ruf=mailto:f@example.com", "_DMARC.sub.Example.com.", none, none);
	CASE("v=DMARC1; p=none; rua=mailto:d@example.com", "_dmarc.a.b.example.com",
	    none, none);
	CASE("v=DMARC1; p=none; rua=mailto:d@dmarc.example.co.uk",
	    "_dmarc.shop.example.co.uk", none, none);
	CASE("v=DMARC1; p=none; rua=mailto:d@other.co.uk", "_dmarc.example.co.uk",
	    none, L("tag rua: other.co.uk is outside example.co.uk: the TXT "
	    "record example.co.uk._report._dmarc.other.co.uk (v=DMARC1) must "
	    "exist, or receivers send it no reports (RFC 7489 7.1)"));
	CASE("v=DMARC1; p=none; rua=mailto:d@notexample.com",
	    "_dmarc.example.com", none,
	    L("tag rua: notexample.com is outside example.com: the TXT record "
	    "example.com._report._dmarc.notexample.com (v=DMARC1) must exist, "
	    "or receivers send it no reports (RFC 7489 7.1)"));

	/* the owner name */
	CASE("v=DMARC1; p=none", "dmarc.example.com",
	    L("name: dmarc.example.com is not where receivers look; publish the "
	    "record at _dmarc.example.com (RFC 7489 6.1)"), none);
	CASE("v=DMARC1; p=none", "example.com",
	    L("name: example.com has no _dmarc label; publish the record at "
	    "_dmarc.example.com (RFC 7489 6.1)"), none);
	CASE("v=DMARC1; p=none", "_dmarc.",
	    L("name: '_dmarc.' names no domain; publish the record at "
	    "_dmarc.<domain> (RFC 7489 6.1)"), none);

	/* empty input, only v, whitespace, semicolons, uppercase names */
	CASE("", NULL, L(E_NOV, E_NOP), none);
	CASE(NULL, NULL, L(E_NOV, E_NOP), none);
	CASE("   ", NULL, L(E_NOV, E_NOP), none);
	CASE("v=DMARC1", NULL, L(E_NOP), none);
	CASE("v=DMARC1;", NULL, L(E_NOP), none);
	expect(__LINE__, &r, "v = DMARC1 ;\tp =  reject\t; rua =mailto:d@example.com"
	    " ; ", NULL, none, none);
	CHECK_STR(lint_tag(&r, "v"), "DMARC1");
	CHECK_STR(lint_tag(&r, "p"), "reject");
	CHECK_STR(lint_tag(&r, "rua"), "mailto:d@example.com");
	lint_free(&r);
	CASE("v=DMARC1;p=none;", NULL, none, none);
	CASE("v=DMARC1; p=none;;", NULL, none, none);
	CASE("v=DMARC1;; p=none", NULL, none,
	    L("record: an empty tag between two ';' (RFC 7489 6.4)"));
	expect(__LINE__, &r, "V=DMARC1; P=Reject", NULL, none,
	    L("tag V: write tag names in lowercase; DMARC takes its tag syntax "
	    "from DKIM, where names are case-sensitive (RFC 7489 6.3, RFC 6376 "
	    "3.2)",
	    "tag P: write tag names in lowercase; DMARC takes its tag syntax "
	    "from DKIM, where names are case-sensitive (RFC 7489 6.3, RFC 6376 "
	    "3.2)"));
	CHECK_STR(r.tags[1].name, "p");
	CHECK_STR(lint_tag(&r, "p"), "Reject");
	lint_free(&r);
	CASE("v=DMARC1; rua=mailto:d@example.com; p=none", NULL, none,
	    L("tag p: not right after v; RFC 7489's grammar puts it second "
	    "(RFC 7489 6.4)"));

	/* syntax: tag-spec without '=', a bad name */
	CASE("v=DMARC1; p=none; reject", NULL,
	    L("record: 'reject' is not tag=value; strict receivers ignore the "
	    "record (RFC 7489 6.4)"), none);
	CASE("v=DMARC1; p=none; 1x=y", NULL,
	    L("record: '1x' is not a tag name (a letter, then letters, digits "
	    "or '_'); strict receivers ignore the record (RFC 7489 6.4)"), none);
	CASE("DMARC1; p=none", NULL,
	    L("record: 'DMARC1' is not tag=value; strict receivers ignore the "
	    "record (RFC 7489 6.4)", E_NOV), none);

	/* a control byte in a value is shown as '?'; long values are cut */
	CASE("v=DMARC1; p=no\001ne", NULL,
	    L("tag p: 'no?ne' is not none, quarantine or reject (RFC 7489 "
	    "6.3)"), none);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "v=DMARC1; p=", 12);
	expect(__LINE__, &r, big, NULL, L("tag p: 'xxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not none, quarantine or "
	    "reject (RFC 7489 6.3)"), none);
	CHECK_INT(strlen(lint_tag(&r, "p")), sizeof big - 1 - 12);
	lint_free(&r);

	/* limits: more than LINT_MAX_TAGS tags, more than LINT_MAX_MSGS */
	{
		char rec[2048];
		size_t len;

		len = (size_t)snprintf(rec, sizeof rec, "v=DMARC1; p=none");
		for (i = 0; i < 40; i++)
			len += (size_t)snprintf(rec + len, sizeof rec - len,
			    "; x%zu=1", i);
		CHECK_INT(lint_record(rec, NULL, &r), 0);
		CHECK_INT(r.ntags, LINT_MAX_TAGS);
		CHECK(r.valid);
		CHECK_STR(r.warnings[r.nwarnings - 1],
		    "record: more than 32 tags; the rest are not read");
		lint_free(&r);

		len = (size_t)snprintf(rec, sizeof rec, "v=DMARC1; p=none; rua=");
		for (i = 0; i < 100; i++)
			len += (size_t)snprintf(rec + len, sizeof rec - len,
			    "%sbad", i ? "," : "");
		CHECK_INT(lint_record(rec, NULL, &r), 0);
		CHECK(!r.valid);
		CHECK_INT(r.nerrors, LINT_MAX_MSGS);
		CHECK_STR(r.errors[LINT_MAX_MSGS - 1], "record: more messages "
		    "than 63; the rest are not shown");
		lint_free(&r);
	}
	CHECK_DONE();
}
