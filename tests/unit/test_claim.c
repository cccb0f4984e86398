/* SPDX-License-Identifier: MIT */
/*
 * test_claim.c: what says "report" in a mail: Subjects in the RFC 7489
 * form as real senders vary it, report file names whatever their
 * extension, TLS reports, and the first bytes of a part.
 */
#include "check.h"
#include "claim.h"

static void
test_subject(void)
{
	CHECK_INT(claim_by_subject("Report Domain: example.com Submitter: "
	    "google.com Report-ID: <1234>"), 1);
	CHECK_INT(claim_by_subject("report domain: example.com"), 1);
	CHECK_INT(claim_by_subject("REPORT-DOMAIN:example.com"), 1);
	CHECK_INT(claim_by_subject("Report  Domain : example.com"), 1);
	CHECK_INT(claim_by_subject("Report domain: example.com\n Submitter: "
	    "Mail.Ru"), 1);
	CHECK_INT(claim_by_subject("Submitter: google.com Report ID: 1"), 1);
	CHECK_INT(claim_by_subject("Report-ID: 1"), 0);
	CHECK_INT(claim_by_subject("Submitter: someone"), 0);
	CHECK_INT(claim_by_subject("Re: weekly report, domain: x"), 0);
	CHECK_INT(claim_by_subject("Hello"), 0);
	CHECK_INT(claim_by_subject(""), 0);
	CHECK_INT(claim_by_subject(NULL), 0);
}

static void
test_name(void)
{
	const char *t = "application/octet-stream";

	CHECK_INT(claim_by_name(t, "google.com!example.com!1700000000!"
	    "1700086400.zip"), 1);
	CHECK_INT(claim_by_name(t, "google.com!example.com!1700000000!"
	    "1700086400"), 1);
	CHECK_INT(claim_by_name(t, "google.com!example.com!1700000000!"
	    "1700086400.bin"), 1);
	CHECK_INT(claim_by_name(t, "google.com!example.com!1700000000!"
	    "1700086400!123"), 1);
	CHECK_INT(claim_by_name(t, "REPORT.XML.GZ"), 1);
	CHECK_INT(claim_by_name(t, "a!b!c!d"), 0);
	CHECK_INT(claim_by_name(t, "!example.com!1!2"), 0);
	CHECK_INT(claim_by_name(t, "a!b!1"), 0);
	CHECK_INT(claim_by_name(t, "winmail.dat"), 0);
	CHECK_INT(claim_by_name(t, NULL), 0);
	CHECK_INT(claim_by_name("application/zip", NULL), 1);
	CHECK_INT(claim_tls("application/tlsrpt+gzip", NULL), 1);
	CHECK_INT(claim_tls(t, "x!y!1!2.json.gz"), 1);
	CHECK_INT(claim_tls(t, "x!y!1!2.xml.gz"), 0);
}

static void
test_bytes(void)
{
	static const char xml[] = "<?xml version=\"1.0\"?>\n<!-- c -->\n"
	    "<dmarc:feedback xmlns:dmarc=\"x\"><a/></dmarc:feedback>";

	CHECK_INT(claim_by_bytes((const unsigned char *)"\x1f\x8b\x08\0", 4,
	    0), 1);
	CHECK_INT(claim_by_bytes((const unsigned char *)"PK\3\4", 4, 1), 1);
	CHECK_INT(claim_by_bytes((const unsigned char *)xml, sizeof xml - 1,
	    0), 1);
	CHECK_INT(claim_by_bytes((const unsigned char *)xml, sizeof xml - 1,
	    1), 0);
	CHECK_INT(claim_by_bytes((const unsigned char *)"<html/>", 7, 0), 0);
}

int
main(void)
{
	test_subject();
	test_name();
	test_bytes();
	CHECK_DONE();
}
