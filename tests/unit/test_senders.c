/* SPDX-License-Identifier: MIT */
/* test_senders.c: sender names: the built-in table, the user file (with
 * tests/data/senders/ fixtures), matching rules and exact error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "senders.h"

static void
test_builtin(void)
{
	char err[512] = "x";
	struct senders *s = senders_load(NULL, err, sizeof err);

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_STR(err, "");
	CHECK_STR(senders_name(s, "40.107.22.100",
	    "mail-db8eur05on2100.outbound.protection.outlook.com"),
	    "Microsoft 365");
	CHECK_STR(senders_name(s, NULL, "mail-am6eur05on2041.protection.outlook.com"),
	    "Microsoft 365");
	CHECK_STR(senders_name(s, NULL, "mail-oln040092066066.outlook.com"),
	    "Outlook.com");
	CHECK_STR(senders_name(s, "209.85.220.41", "mail-sor-f41.google.com"),
	    "Google");
	CHECK_STR(senders_name(s, NULL, "mail-ej1-f65.googlemail.com"), "Google");
	CHECK_STR(senders_name(s, NULL, "a8-30.smtp-out.amazonses.com"),
	    "Amazon SES (ESP)");
	CHECK_STR(senders_name(s, NULL, "e226-1.smtp-out.us-east-2.amazonses.com"),
	    "Amazon SES (ESP)");
	CHECK_STR(senders_name(s, NULL, "bnc3.mailjet.com"), "Mailjet (ESP)");
	CHECK_STR(senders_name(s, NULL, "o1.ptr1234.sendgrid.net"),
	    "SendGrid (ESP)");
	CHECK_STR(senders_name(s, NULL, "mail180-5.suw21.mcsv.net"),
	    "Mailchimp (ESP)");
	CHECK_STR(senders_name(s, NULL, "mail1.rsgsv.net"), "Mailchimp (ESP)");
	CHECK_STR(senders_name(s, NULL, "mail136-1.atl41.mandrillapp.com"),
	    "Mandrill (ESP)");
	CHECK_STR(senders_name(s, NULL, "smtp07-ia4-sp3.mta.salesforce.com"),
	    "Salesforce (ESP)");
	CHECK_STR(senders_name(s, NULL, "mta.s7.exacttarget.com"),
	    "Salesforce Marketing Cloud (ESP)");
	CHECK_STR(senders_name(s, NULL, "o1.hubspotemail.net"), "HubSpot (ESP)");
	CHECK_STR(senders_name(s, NULL, "mail.hubspot.com"), "HubSpot (ESP)");
	CHECK_STR(senders_name(s, NULL, "out1.zendesk.com"), "Zendesk (ESP)");
	CHECK_STR(senders_name(s, NULL, "m1.sendinblue.com"), "Brevo (ESP)");
	CHECK_STR(senders_name(s, NULL, "m1.brevo.com"), "Brevo (ESP)");
	CHECK_STR(senders_name(s, NULL, "mta201a-ord.mtasv.net"),
	    "Postmark (ESP)");
	CHECK_STR(senders_name(s, NULL, "mta-1.sparkpostmail.com"),
	    "SparkPost (ESP)");
	CHECK_STR(senders_name(s, NULL, "m42-1.mailgun.net"), "Mailgun (ESP)");
	CHECK_STR(senders_name(s, NULL, "sonic301-2.consmr.mail.ne1.yahoo.com"),
	    "Yahoo");
	CHECK_STR(senders_name(s, NULL, "sender4-op-o11.zoho.com"), "Zoho Mail");
	CHECK_STR(senders_name(s, NULL, "sender-of-o51.zohomail.com"),
	    "Zoho Mail");

	/* case-insensitive, one trailing dot ignored, the bare suffix name */
	CHECK_STR(senders_name(s, NULL, "BNC3.MailJet.COM"), "Mailjet (ESP)");
	CHECK_STR(senders_name(s, NULL, "bnc3.mailjet.com."), "Mailjet (ESP)");
	CHECK_STR(senders_name(s, NULL, "mailjet.com"), "Mailjet (ESP)");
	CHECK_STR(senders_name(s, NULL, "Mailjet.com."), "Mailjet (ESP)");
	/* not a suffix at a label boundary, or not at the end */
	CHECK_STR(senders_name(s, NULL, "notmailjet.com"), NULL);
	CHECK_STR(senders_name(s, NULL, "mailjet.com.evil"), NULL);
	CHECK_STR(senders_name(s, NULL, "x.mailjet.com.evil.example"), NULL);
	CHECK_STR(senders_name(s, NULL, "ailjet.com"), NULL);
	CHECK_STR(senders_name(s, NULL, ".com"), NULL);
	/* no match, no PTR, odd input */
	CHECK_STR(senders_name(s, "192.0.2.1", "mx.example.org"), NULL);
	CHECK_STR(senders_name(s, "192.0.2.1", NULL), NULL);
	CHECK_STR(senders_name(s, NULL, NULL), NULL);
	CHECK_STR(senders_name(s, "not an ip", ""), NULL);
	CHECK_STR(senders_name(s, NULL, "."), NULL);
	CHECK_STR(senders_name(NULL, "192.0.2.1", "bnc3.mailjet.com"), NULL);
	senders_free(s);
	senders_free(NULL);
}

static void
test_user(void)
{
	char err[512] = "x";
	struct senders *s = senders_load(check_data("senders/good.conf"), err,
	    sizeof err);

	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_STR(err, "");
	/* IPv4: the longest prefix wins, whatever the line order */
	CHECK_STR(senders_name(s, "192.0.2.1", NULL), "Office network");
	CHECK_STR(senders_name(s, "192.0.2.127", NULL), "Office network");
	CHECK_STR(senders_name(s, "192.0.2.128", NULL), "Office mail relay");
	CHECK_STR(senders_name(s, "192.0.2.255", NULL), "Office mail relay");
	CHECK_STR(senders_name(s, "192.0.2.130", NULL), "The CRM box");
	CHECK_STR(senders_name(s, "203.0.113.9", NULL), "Single host");
	CHECK_STR(senders_name(s, "203.0.113.10", NULL), "Anywhere (v4)");
	/* bits past the prefix are ignored: 198.51.100.77/16 */
	CHECK_STR(senders_name(s, "198.51.5.5", NULL), "Datacenter B");
	CHECK_STR(senders_name(s, "198.52.0.1", NULL), "Anywhere (v4)");
	/* IPv6, and the families do not mix */
	CHECK_STR(senders_name(s, "2001:db8:ffff::1", NULL), "Lab v6");
	CHECK_STR(senders_name(s, "2001:db8:1::1", NULL), "Lab v6 mail");
	CHECK_STR(senders_name(s, "2001:db8:1::25", NULL), "Lab v6 MX");
	CHECK_STR(senders_name(s, "2001:db8:1:0:0:0:0:26", NULL), "Lab v6 mail");
	CHECK_STR(senders_name(s, "2001:db9::1", NULL), NULL);
	CHECK_STR(senders_name(s, "::1", NULL), NULL);
	/* a CIDR match beats any PTR suffix */
	CHECK_STR(senders_name(s, "192.0.2.5", "bnc3.mailjet.com"),
	    "Office network");
	/* no CIDR match: the PTR decides */
	CHECK_STR(senders_name(s, "2001:db9::1", "bnc3.mailjet.com"),
	    "Mailjet bounce");
	/* the user's suffix overrides the built-in one of the same length */
	CHECK_STR(senders_name(s, NULL, "bnc1.mailjet.com"),
	    "Mailjet (our account)");
	CHECK_STR(senders_name(s, NULL, "mailjet.com"), "Mailjet (our account)");
	/* the longest suffix wins, the user's file lowercased */
	CHECK_STR(senders_name(s, NULL, "x.bnc3.mailjet.com"), "Mailjet bounce");
	CHECK_STR(senders_name(s, NULL, "BNC3.MAILJET.COM"), "Mailjet bounce");
	CHECK_STR(senders_name(s, NULL, "www.example.com"), "Our own servers");
	CHECK_STR(senders_name(s, NULL, "mx1.mail.example.com"),
	    "Our own servers (mail)");
	/* at equal length the earlier line wins */
	CHECK_STR(senders_name(s, NULL, "o1.sendgrid.net"),
	    "SendGrid, first line");
	/* a longer built-in suffix still beats a shorter user suffix */
	CHECK_STR(senders_name(s, NULL, "a.outbound.protection.outlook.com"),
	    "Microsoft 365");
	/* built-ins the file does not mention stay */
	CHECK_STR(senders_name(s, NULL, "mail-sor-f41.google.com"), "Google");
	/* comments, blank lines and a CRLF line */
	CHECK_STR(senders_name(s, NULL, "a.crlf.example"), "CRLF line");
	CHECK_STR(senders_name(s, "198.18.0.1", "nothing.example.org"),
	    "Anywhere (v4)");
	senders_free(s);
}

/* senders_identify on s with the policy domain example.com: the name, its
 * evidence, the ESP flag and the domain that named it, as one string
 * "name|how|esp|auth" ("-" for NULL). */
static const char *
ident(const struct senders *s, const char *ip, const char *ptr,
    const char *const *auth, size_t n)
{
	static char res[600];
	char buf[SENDERS_BUF_MIN];
	struct sender_id id;

	memset(&id, 0xa5, sizeof id);	/* every field must be written */
	senders_identify(s, ip, ptr, "example.com", auth, n, &id, buf,
	    sizeof buf);
	snprintf(res, sizeof res, "%s|%d|%d|%s", id.name ? id.name : "-",
	    (int)id.how, id.esp, id.auth_domain ? id.auth_domain : "-");
	return res;
}

static void
test_identify(void)
{
	struct senders *b = senders_load(NULL, NULL, 0);
	struct senders *u = senders_load(check_data("senders/domains.conf"),
	    NULL, 0);
	const char *mj[] = { "bnc3.mailjet.com", "mailjet.com" };
	const char *mixed[] = { "spammer.example.co.uk", "mailjet.com" };
	const char *own[] = { "example.com", "mail.Example.COM.",
	    "bounce.news.spam.example.net" };
	const char *odd[] = { "", "(none)", "no_dot", "a..b.example", ".x.example",
	    "bad domain.example", "mail.crm-mail.example.net" };
	const char *svc[] = { "pm.mtasv.net", "company.onmicrosoft.com",
	    "em123.mailchimpapp.net", "mandrillapp.com", "mailgun.org",
	    "sparkpostmail.com", "sendinblue.com", "brevo.com",
	    "hubspotemail.net", "exacttarget.com", "zendesk.com",
	    "postmarkapp.com", "eur.protection.outlook.com", "google.com",
	    "googlemail.com", "amazonses.com", "sendgrid.net", "mcsv.net" };
	const char *svcname[] = { "Postmark (ESP)", "Microsoft 365",
	    "Mailchimp (ESP)", "Mandrill (ESP)", "Mailgun (ESP)",
	    "SparkPost (ESP)", "Brevo (ESP)", "Brevo (ESP)", "HubSpot (ESP)",
	    "Salesforce Marketing Cloud (ESP)", "Zendesk (ESP)",
	    "Postmark (ESP)", "Microsoft 365", "Google", "Google",
	    "Amazon SES (ESP)", "SendGrid (ESP)", "Mailchimp (ESP)" };
	char want[300], buf[SENDERS_BUF_MIN];
	struct sender_id id;
	size_t i;

	CHECK(b != NULL && u != NULL);
	if (b == NULL || u == NULL)
		goto out;
	/* nothing at all */
	CHECK_STR(ident(b, "192.0.2.1", NULL, NULL, 0), "-|0|0|-");
	/* a built-in service by its domain, without a PTR (--no-dns) */
	CHECK_STR(ident(b, "87.253.232.71", NULL, mj, 2),
	    "Mailjet (ESP)|3|1|bnc3.mailjet.com");
	/* the same service by PTR gives the same name, evidence PTR */
	CHECK_STR(ident(b, "87.253.232.71", "mta71.bnc3.mailjet.com", NULL, 0),
	    "Mailjet (ESP)|2|1|-");
	/* the PTR table comes before the domains */
	CHECK_STR(ident(b, NULL, "mail-sor-f41.google.com", mj, 2),
	    "Google|2|0|-");
	/* a PTR outside the tables: the domains decide */
	CHECK_STR(ident(b, NULL, "mx.unknown.example", mj, 2),
	    "Mailjet (ESP)|3|1|bnc3.mailjet.com");
	/* a known service wins over an unknown domain with more messages */
	CHECK_STR(ident(b, NULL, NULL, mixed, 2),
	    "Mailjet (ESP)|3|1|mailjet.com");
	/* an unknown domain alone: its organizational domain, no ESP */
	CHECK_STR(ident(b, NULL, NULL, mixed, 1),
	    "example.co.uk|4|0|spammer.example.co.uk");
	/* the policy domain's own domains are ignored, in any case */
	CHECK_STR(ident(b, NULL, NULL, own, 2), "-|0|0|-");
	CHECK_STR(ident(b, NULL, NULL, own, 3),
	    "example.net|4|0|bounce.news.spam.example.net");
	/* strings that are not host names are skipped */
	CHECK_STR(ident(b, NULL, NULL, odd, 6), "-|0|0|-");
	CHECK_STR(ident(b, NULL, NULL, odd, 7),
	    "example.net|4|0|mail.crm-mail.example.net");
	/* the built-in domain table, one service after another */
	for (i = 0; i < sizeof svc / sizeof svc[0]; i++) {
		snprintf(want, sizeof want, "%s|3|%d|%s", svcname[i],
		    strstr(svcname[i], "(ESP)") != NULL, svc[i]);
		CHECK_STR(ident(b, NULL, NULL, &svc[i], 1), want);
	}
	/* at a label boundary only */
	{
		const char *no[] = { "notmailjet.com", "mailjet.com.evil.example" };

		CHECK_STR(ident(b, NULL, NULL, no, 1), "notmailjet.com|4|0|notmailjet.com");
		CHECK_STR(ident(b, NULL, NULL, no + 1, 1),
		    "evil.example|4|0|mailjet.com.evil.example");
	}

	/* the user's file: CIDR, then PTR suffix, then @domain lines */
	CHECK_STR(ident(u, "192.0.2.7", "x.ptr.example.net", mj, 2),
	    "Office network|1|0|-");
	CHECK_STR(ident(u, "198.51.100.1", "x.ptr.example.net", mj, 2),
	    "A PTR suffix|1|0|-");
	/* an @domain line beats the built-in domain and PTR tables */
	CHECK_STR(ident(u, NULL, "mta71.bnc3.mailjet.com", mj, 2),
	    "Mailjet, our account|1|0|bnc3.mailjet.com");
	{
		const char *crm[] = { "spammer.example.co.uk", "sendgrid.net",
		    "bounce.crm-mail.example.net" };
		const char *news[] = { "x.bounces.news.example.org",
		    "news.example.org" };

		CHECK_STR(ident(u, NULL, "o1.sendgrid.net", crm, 3),
		    "Our CRM|1|0|bounce.crm-mail.example.net");
		/* the longest entry wins; the file's domains lowercased */
		CHECK_STR(ident(u, NULL, NULL, news, 2),
		    "Newsletter bounces|1|0|x.bounces.news.example.org");
		CHECK_STR(ident(u, NULL, NULL, news + 1, 1),
		    "Newsletters|1|0|news.example.org");
	}
	/* the built-ins the file does not mention stay */
	CHECK_STR(ident(u, NULL, NULL, &svc[0], 1),
	    "Postmark (ESP)|3|1|pm.mtasv.net");
	/* @domain lines are not PTR suffixes, nor CIDRs */
	CHECK_STR(senders_name(u, NULL, "mx.crm-mail.example.net"), NULL);

	/* no table: the built-ins; no buffer: unknown domains stay unnamed */
	senders_identify(NULL, NULL, NULL, NULL, mj, 1, &id, buf, sizeof buf);
	CHECK_STR(id.name, "Mailjet (ESP)");
	senders_identify(b, NULL, NULL, NULL, mixed, 1, &id, NULL, 0);
	CHECK_STR(id.name, NULL);
	CHECK_INT(id.how, SENDER_UNKNOWN);
	senders_identify(b, NULL, NULL, NULL, mixed, 1, &id, buf, 16);
	CHECK_STR(id.name, NULL);
	/* no policy domain: nothing ignored */
	senders_identify(b, NULL, "", NULL, own, 1, &id, buf, sizeof buf);
	CHECK_STR(id.name, "example.com");
	CHECK_INT(id.how, SENDER_AUTH_DOMAIN);
out:
	senders_free(b);
	senders_free(u);
}

/* Loading fixture `name` fails with "PATH:reason". */
static void
expect_error(const char *name, const char *reason)
{
	char err[512], want[4096 + 512];
	const char *path = check_data(name);
	struct senders *s;

	snprintf(want, sizeof want, "%s:%s", path, reason);
	s = senders_load(path, err, sizeof err);
	CHECK(s == NULL);
	CHECK_STR(err, want);
	senders_free(s);
}

/* Writes `len` bytes of data to a temporary file, whose path goes to
 * path; -1 on failure. */
static int
write_temp(char *path, size_t pathlen, const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *fp;
	int fd;

	snprintf(path, pathlen, "%s/test_senders.XXXXXX", dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	if (fwrite(data, 1, len, fp) != len) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

static void
test_errors(void)
{
	char err[512], path[4096], want[4096 + 512], line[2048];
	struct senders *s;

	expect_error("senders/bad_address.conf", "3: bad address \"300.0.0.1\"");
	expect_error("senders/bad_address6.conf",
	    "1: bad address \"2001:db8::zz\"");
	expect_error("senders/bad_prefix4.conf",
	    "2: prefix length 33 out of range (0..32)");
	expect_error("senders/bad_prefix6.conf",
	    "1: prefix length 129 out of range (0..128)");
	expect_error("senders/bad_prefix_text.conf",
	    "1: bad prefix length \"/x\"");
	expect_error("senders/bad_prefix_empty.conf",
	    "1: bad prefix length \"/\"");
	expect_error("senders/missing_name.conf",
	    "2: missing name after \"192.0.2.0/24\"");
	expect_error("senders/missing_name_suffix.conf",
	    "1: missing name after \".mailjet.com\"");
	expect_error("senders/no_dot.conf",
	    "1: PTR suffix \"mailjet.com\" must start with '.' (or '@' for an "
	    "authentication domain)");
	expect_error("senders/empty_domain.conf", "1: empty domain \"@\"");
	expect_error("senders/bad_domain.conf",
	    "2: bad domain \"@.example.net\"");
	expect_error("senders/bad_domain2.conf",
	    "1: bad domain \"@mail..example.net\"");
	expect_error("senders/empty_suffix.conf", "1: empty PTR suffix \".\"");
	expect_error("senders/bad_suffix.conf",
	    "1: bad PTR suffix \".mail..example.com\"");

	/* a file that cannot be opened */
	s = senders_load(check_data("senders/no-such-file"), err, sizeof err);
	CHECK(s == NULL);
	snprintf(want, sizeof want, "%s: No such file or directory",
	    check_data("senders/no-such-file"));
	CHECK_STR(err, want);

	/* a line over the limit */
	memset(line, 'a', sizeof line);
	memcpy(line, ".x ", 3);
	line[sizeof line - 1] = '\n';
	if (write_temp(path, sizeof path, line, sizeof line) == 0) {
		s = senders_load(path, err, sizeof err);
		CHECK(s == NULL);
		snprintf(want, sizeof want, "%s:1: line longer than 1024 bytes",
		    path);
		CHECK_STR(err, want);
		unlink(path);
	} else
		CHECK(!"write_temp");

	/* a name over the limit */
	memset(line, 'n', 200);
	memcpy(line, ".x ", 3);
	line[200] = '\n';
	if (write_temp(path, sizeof path, line, 201) == 0) {
		s = senders_load(path, err, sizeof err);
		CHECK(s == NULL);
		snprintf(want, sizeof want, "%s:1: name longer than 128 bytes",
		    path);
		CHECK_STR(err, want);
		unlink(path);
	} else
		CHECK(!"write_temp");

	/* a NUL byte */
	if (write_temp(path, sizeof path, "# ok\n.x A\0B\n", 12) == 0) {
		s = senders_load(path, err, sizeof err);
		CHECK(s == NULL);
		snprintf(want, sizeof want, "%s:2: NUL byte", path);
		CHECK_STR(err, want);
		unlink(path);
	} else
		CHECK(!"write_temp");

	/* an empty file is only the built-ins; err may be NULL */
	if (write_temp(path, sizeof path, "", 0) == 0) {
		s = senders_load(path, NULL, 0);
		CHECK(s != NULL);
		CHECK_STR(senders_name(s, NULL, "bnc3.mailjet.com"),
		    "Mailjet (ESP)");
		senders_free(s);
		unlink(path);
	} else
		CHECK(!"write_temp");
}

int
main(void)
{
	test_builtin();
	test_user();
	test_identify();
	test_errors();
	CHECK_DONE();
}
