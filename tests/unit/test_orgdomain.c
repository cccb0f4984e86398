/* SPDX-License-Identifier: MIT */
/* test_orgdomain.c: organizational domains and relaxed alignment. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "orgdomain.h"

static void
expect_org(const char *domain, const char *want)
{
	char buf[256];
	const char *got = org_domain(domain, buf, sizeof buf);

	CHECK(got == buf);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  org_domain(\"%s\")\n", domain ? domain : "(null)");
	CHECK_STR(got, want);
}

static void
test_org_domain(void)
{
	char small[8];

	expect_org("example.com", "example.com");
	expect_org("mail.example.com", "example.com");
	expect_org("a.b.example.co.uk", "example.co.uk");
	expect_org("example.co.uk", "example.co.uk");
	expect_org("bnc3.mailjet.com", "mailjet.com");
	/* a public suffix itself: the name, lowercased */
	expect_org("co.uk", "co.uk");
	expect_org("com", "com");
	expect_org("CO.UK", "co.uk");
	/* uppercase */
	expect_org("Mail.EXAMPLE.Com", "example.com");
	expect_org("A.B.Example.CO.UK", "example.co.uk");
	/* one trailing dot is stripped */
	expect_org("mail.example.com.", "example.com");
	expect_org("example.co.uk.", "example.co.uk");
	expect_org("com.", "com");
	/* invalid names come back lowercased */
	expect_org(".Example.com", ".example.com");
	expect_org("A..B", "a..b");
	/* punycode IDN */
	expect_org("mail.xn--bcher-kva.example", "xn--bcher-kva.example");
	/* empty and NULL */
	expect_org("", "");
	expect_org(".", "");
	expect_org(NULL, "");
	/* does not fit: "" rather than a truncated name */
	CHECK_STR(org_domain("mail.example.com", small, sizeof small), "");
	CHECK_STR(org_domain("example.com", NULL, 0), "");
	CHECK_STR(org_domain("example.com", small, 0), "");
}

static void
test_aligned(void)
{
	CHECK_INT(org_aligned("example.com", "example.com"), 1);
	CHECK_INT(org_aligned("mail.example.com", "example.com"), 1);
	CHECK_INT(org_aligned("mailjet.com", "bnc3.mailjet.com"), 1);
	CHECK_INT(org_aligned("bnc3.mailjet.com", "mailjet.com"), 1);
	CHECK_INT(org_aligned("a.example.co.uk", "b.example.co.uk"), 1);
	CHECK_INT(org_aligned("EXAMPLE.com", "news.Example.COM"), 1);
	CHECK_INT(org_aligned("example.com.", "mail.example.com"), 1);
	CHECK_INT(org_aligned("example.com", "example.net"), 0);
	CHECK_INT(org_aligned("example.com", "mailjet.com"), 0);
	CHECK_INT(org_aligned("example.co.uk", "other.co.uk"), 0);
	CHECK_INT(org_aligned("example.co.uk", "co.uk"), 0);
	CHECK_INT(org_aligned("co.uk", "co.uk"), 1);
	CHECK_INT(org_aligned("", ""), 0);
	CHECK_INT(org_aligned("example.com", ""), 0);
	CHECK_INT(org_aligned("", "example.com"), 0);
	CHECK_INT(org_aligned(NULL, "example.com"), 0);
	CHECK_INT(org_aligned("example.com", NULL), 0);
	CHECK_INT(org_aligned(NULL, NULL), 0);
	CHECK_INT(org_aligned(".", "."), 0);
}

int
main(void)
{
	test_org_domain();
	test_aligned();
	CHECK_DONE();
}
