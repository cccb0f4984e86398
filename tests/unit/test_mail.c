/* SPDX-License-Identifier: MIT */
/*
 * test_mail.c: report attachments found in mail fixtures (tests/data/mail):
 * names in every header form, nesting, single-part payloads, transfer
 * encodings, TLS and failure reports, mbox offsets with ">From " quoting and
 * CRLF, the message-bytes and input-bytes limits, memory equal to file.
 */
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>

#include "check.h"
#include "dm_limits.h"
#include "mail.h"

#define MAX_PARTS 16
#define MAX_MSGS 8

/* The bytes of the fixtures' report (see plain_gzip.eml). */
static const char report_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<feedback>\n"
    "  <report_metadata>\n"
    "    <org_name>receiver.example</org_name>\n"
    "    <email>noreply@receiver.example</email>\n"
    "    <report_id>fixture-1</report_id>\n"
    "    <date_range><begin>1700000000</begin><end>1700086399</end>"
    "</date_range>\n"
    "  </report_metadata>\n"
    "  <policy_published><domain>example.com</domain><p>none</p>"
    "</policy_published>\n"
    "  <record>\n"
    "    <row><source_ip>192.0.2.1</source_ip><count>3</count>\n"
    "      <policy_evaluated><disposition>none</disposition><dkim>pass"
    "</dkim><spf>pass</spf></policy_evaluated>\n"
    "    </row>\n"
    "    <identifiers><header_from>example.com</header_from></identifiers>\n"
    "    <auth_results><spf><domain>example.com</domain><result>pass"
    "</result></spf></auth_results>\n"
    "  </record>\n"
    "</feedback>\n";

/* The XML attachment of several.mbox's second message, unquoted. */
static const char quoted_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!-- a comment with a line that mbox quotes\n"
    "From the reporter\n"
    ">From kept once\n"
    "-->\n"
    "<feedback><report_metadata><org_name>r</org_name></report_metadata>"
    "</feedback>\n";

#define GZ_LEN 368	/* the gzip payload of the fixtures */
#define ZIP_LEN 544	/* the zip payload */
#define FN "receiver.example!example.com!1700000000!1700086399.xml.gz"

struct part_rec {
	char name[256];
	char type[80];
	unsigned index;
	int claims;
	size_t len;
	unsigned char *data;
	char mid[128];		/* the message's, seen from report_part */
};

struct msg_rec {
	char mid[128], date[128], from[128], subject[256], error[256];
	int64_t offset;
	uint64_t index, size;
	unsigned reports, other;
};

struct rec {
	struct part_rec parts[MAX_PARTS];
	struct msg_rec msgs[MAX_MSGS];
	int nparts, nmsgs;
	int stop_at_part;	/* report_part returns -1 at this part (1-based) */
	char log[16384];	/* every callback, for memory vs file */
};

static void
cp(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "(null)");
}

static void
logf_(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(struct rec *r, const char *fmt, ...)
{
	size_t used = strlen(r->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->log + used, sizeof r->log - used, fmt, ap);
	va_end(ap);
}

static int
on_part(void *ctx, const struct mail_message *m, const struct mail_part *p)
{
	struct rec *r = ctx;
	struct part_rec *pr;
	size_t i;
	unsigned sum = 0;

	for (i = 0; i < p->len; i++)
		sum = sum * 31 + p->data[i];
	logf_(r, "part %u %s %s %d %zu %08x\n", p->index,
	    p->name ? p->name : "-", p->content_type, p->claims_report, p->len,
	    sum);
	if (r->nparts < MAX_PARTS) {
		pr = &r->parts[r->nparts];
		cp(pr->name, sizeof pr->name, p->name);
		cp(pr->type, sizeof pr->type, p->content_type);
		cp(pr->mid, sizeof pr->mid, m->message_id);
		pr->index = p->index;
		pr->claims = p->claims_report;
		pr->len = p->len;
		pr->data = malloc(p->len + 1);
		if (pr->data == NULL)
			abort();
		memcpy(pr->data, p->data, p->len);
		pr->data[p->len] = '\0';
	}
	r->nparts++;
	return r->stop_at_part == r->nparts ? -1 : 0;
}

static int
on_done(void *ctx, const struct mail_message *m, unsigned reports,
    unsigned other, const char *error)
{
	struct rec *r = ctx;
	struct msg_rec *mr;

	logf_(r, "msg %llu %lld %llu %s|%s|%s|%s %u %u %s\n",
	    (unsigned long long)m->index, (long long)m->offset,
	    (unsigned long long)m->size, m->message_id ? m->message_id : "-",
	    m->date ? m->date : "-", m->from ? m->from : "-",
	    m->subject ? m->subject : "-", reports, other, error ? error : "-");
	if (r->nmsgs < MAX_MSGS) {
		mr = &r->msgs[r->nmsgs];
		cp(mr->mid, sizeof mr->mid, m->message_id);
		cp(mr->date, sizeof mr->date, m->date);
		cp(mr->from, sizeof mr->from, m->from);
		cp(mr->subject, sizeof mr->subject, m->subject);
		cp(mr->error, sizeof mr->error, error);
		mr->offset = m->offset;
		mr->index = m->index;
		mr->size = m->size;
		mr->reports = reports;
		mr->other = other;
	}
	r->nmsgs++;
	return 0;
}

static void
rec_free(struct rec *r)
{
	int i;

	for (i = 0; i < r->nparts && i < MAX_PARTS; i++)
		free(r->parts[i].data);
	memset(r, 0, sizeof *r);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		abort();
	if ((p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, fp) != (size_t)n)
		abort();
	fclose(fp);
	*len = (size_t)n;
	return p;
}

/*
 * Scans fixture `name` from the file into r, and again from memory, and
 * checks both saw the same.  Returns the file scan's result.
 */
static int
scan(const char *name, int mbox, const struct dm_limits *l, struct rec *r)
{
	struct mail_callbacks cb = { r, on_part, on_done };
	struct rec *mem = calloc(1, sizeof *mem);
	char path[4096], err[256] = "", err2[256] = "";
	unsigned char *buf;
	size_t len;
	int rc, rc2;

	if (mem == NULL)
		abort();
	snprintf(path, sizeof path, "%s", check_data(name));
	rc = mail_scan_file(path, mbox, l, &cb, err, sizeof err);
	buf = slurp(path, &len);
	mem->stop_at_part = r->stop_at_part;
	cb.ctx = mem;
	rc2 = mail_scan_mem(buf, len, mbox, l, &cb, err2, sizeof err2);
	CHECK_INT(rc2, rc);
	CHECK_STR(err2, err);
	CHECK_STR(mem->log, r->log);
	if (strcmp(mem->log, r->log) != 0)
		fprintf(stderr, "%s: file:\n%smemory:\n%s", name, r->log,
		    mem->log);
	rec_free(mem);
	free(mem);
	free(buf);
	return rc;
}

static struct dm_limits limits;

static void
test_plain_gzip(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/plain_gzip.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.msgs[0].mid, "fixture-1@receiver.example");
	CHECK_STR(r.msgs[0].date, "Wed, 15 Nov 2023 00:00:00 +0000");
	CHECK_STR(r.msgs[0].from, "Réceiver Reports <noreply@receiver.example>");
	CHECK_STR(r.msgs[0].subject, "Report Domain: example.com Submitter: "
	    "receiver.example Report-ID: fixture-1");
	CHECK_STR(r.msgs[0].error, "(null)");
	CHECK_INT(r.msgs[0].offset, -1);
	CHECK_INT(r.msgs[0].index, 1);
	CHECK_INT(r.msgs[0].size, 1233);
	CHECK_INT(r.msgs[0].reports, 1);
	CHECK_INT(r.msgs[0].other, 0);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_STR(r.parts[0].type, "application/gzip");
	CHECK_STR(r.parts[0].mid, "fixture-1@receiver.example");
	CHECK_INT(r.parts[0].index, 2);
	CHECK_INT(r.parts[0].claims, 1);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK(memcmp(r.parts[0].data, "\x1f\x8b\x08", 3) == 0);
	rec_free(&r);
}

static void
test_ctype_name(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/ctype_name.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_STR(r.parts[0].type, "application/x-gzip");
	CHECK_INT(r.parts[0].index, 2);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_INT(r.msgs[0].reports, 1);
	rec_free(&r);
}

static void
test_encoded_names(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/encoded_names.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 2);
	CHECK_STR(r.parts[0].name, "rapport-é.xml.gz");		/* RFC 2047 */
	CHECK_INT(r.parts[0].index, 2);
	CHECK_STR(r.parts[1].name, "résumé!example.com.xml.gz");	/* RFC 2231 */
	CHECK_STR(r.parts[1].type, "application/octet-stream");
	CHECK_INT(r.parts[1].index, 3);
	CHECK_INT(r.parts[1].claims, 1);
	CHECK_INT(r.parts[1].len, GZ_LEN);
	CHECK_INT(r.msgs[0].reports, 2);
	CHECK_STR(r.msgs[0].date, "(null)");
	rec_free(&r);
}

static void
test_folded(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/folded.eml", 0, &limits, &r), 0);
	CHECK_STR(r.msgs[0].mid, "fixture-4@receiver.example");
	CHECK_STR(r.msgs[0].subject, "Report Domain: example.com Submitter: "
	    "receiver.example Report-ID: <fixture-4>");
	CHECK_STR(r.msgs[0].from, "\"Reports, Receiver\" <reports@receiver.example>");
	CHECK_STR(r.msgs[0].date, "Wed, 15 Nov 2023 00:00:00 +0000");
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_INT(r.parts[0].index, 1);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	rec_free(&r);
}

static void
test_google_rfc822(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/google_rfc822.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_STR(r.msgs[0].mid, "outer-1@example.com");
	CHECK_INT(r.msgs[0].reports, 1);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name,
	    "google.com!example.com!1700000000!1700086399.zip");
	CHECK_STR(r.parts[0].type, "application/zip");
	CHECK_INT(r.parts[0].index, 3);	/* outer text, inner text, zip */
	CHECK_INT(r.parts[0].len, ZIP_LEN);
	CHECK(memcmp(r.parts[0].data, "PK\3\4", 4) == 0);
	rec_free(&r);
}

static void
test_mimecast(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/mimecast.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, "(null)");
	CHECK_STR(r.parts[0].type, "application/gzip");
	CHECK_INT(r.parts[0].index, 1);
	CHECK_INT(r.parts[0].claims, 1);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_STR(r.msgs[0].mid, "mimecast-1@mimecast.example");
	rec_free(&r);

	CHECK_INT(scan("mail/mimecast_text.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].type, "text/plain");
	CHECK_INT(r.parts[0].claims, 0);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_INT(r.msgs[0].reports, 1);
	rec_free(&r);
}

static void
test_qp_xml(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/qp_xml.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, "report.xml");
	CHECK_STR(r.parts[0].type, "text/xml");
	CHECK_INT(r.parts[0].index, 2);
	CHECK_INT(r.parts[0].len, sizeof report_xml - 1);
	CHECK_STR((const char *)r.parts[0].data, report_xml);
	rec_free(&r);
}

static void
test_zip_as_gzip(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/zip_as_gzip.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].type, "application/gzip");
	CHECK_STR(r.parts[0].name, "report.xml.gz");
	CHECK_INT(r.parts[0].len, ZIP_LEN);
	CHECK(memcmp(r.parts[0].data, "PK\3\4", 4) == 0);
	rec_free(&r);
}

static void
test_html_text(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/html_text.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_STR(r.parts[0].type, "application/octet-stream");
	CHECK_INT(r.parts[0].index, 3);
	CHECK_INT(r.parts[0].claims, 1);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_INT(r.msgs[0].reports, 1);
	rec_free(&r);
}

static void
test_no_report(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/no_report.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_INT(r.msgs[0].reports, 0);
	CHECK_INT(r.msgs[0].other, 0);
	CHECK_STR(r.msgs[0].error, "(null)");
	CHECK_STR(r.msgs[0].subject, "Hello");
	rec_free(&r);
}

static void
test_other_reports(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/tlsrpt.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_INT(r.msgs[0].reports, 0);
	CHECK_INT(r.msgs[0].other, 1);
	CHECK_STR(r.msgs[0].error, "(null)");
	rec_free(&r);

	CHECK_INT(scan("mail/tlsrpt_part.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_INT(r.msgs[0].other, 1);
	rec_free(&r);

	/* Holds a gzip attachment too: still only a failure report. */
	CHECK_INT(scan("mail/failure.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_INT(r.msgs[0].reports, 0);
	CHECK_INT(r.msgs[0].other, 1);
	CHECK_STR(r.msgs[0].mid, "ruf-1@receiver.example");
	rec_free(&r);
}

static void
test_fake_gz(void)
{
	struct rec r = { 0 };

	CHECK_INT(scan("mail/fake_gz.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, "x.xml.gz");
	CHECK_STR(r.parts[0].type, "text/plain");
	CHECK_INT(r.parts[0].claims, 1);
	CHECK_STR((const char *)r.parts[0].data, "this is not gzip");
	CHECK_INT(r.msgs[0].reports, 1);
	rec_free(&r);
}

/* several.mbox and crlf.mbox hold the same three messages. */
static void
check_mbox(const struct rec *r, int crlf)
{
	CHECK_INT(r->nmsgs, 3);
	CHECK_INT(r->nparts, 2);
	CHECK_INT(r->msgs[0].index, 1);
	CHECK_INT(r->msgs[0].offset, 0);
	CHECK_INT(r->msgs[0].size, crlf ? 911 : 886);
	CHECK_STR(r->msgs[0].mid, "mbox-1@receiver.example");
	CHECK_INT(r->msgs[0].reports, 1);
	CHECK_INT(r->msgs[1].index, 2);
	CHECK_INT(r->msgs[1].offset, crlf ? 911 : 886);
	CHECK_INT(r->msgs[1].size, crlf ? 584 : 560);
	CHECK_STR(r->msgs[1].subject, "second, with quoted From lines");
	CHECK_INT(r->msgs[1].reports, 1);
	CHECK_INT(r->msgs[2].index, 3);
	CHECK_INT(r->msgs[2].offset, crlf ? 1495 : 1446);
	CHECK_INT(r->msgs[2].size, crlf ? 158 : 152);
	CHECK_STR(r->msgs[2].mid, "mbox-3@example.org");
	CHECK_INT(r->msgs[2].reports, 0);
	CHECK_STR(r->msgs[2].error, "(null)");

	CHECK_STR(r->parts[0].mid, "mbox-1@receiver.example");
	CHECK_INT(r->parts[0].len, GZ_LEN);
	CHECK_STR(r->parts[1].mid, "mbox-2@receiver.example");
	CHECK_STR(r->parts[1].name, "quoted.xml");
	CHECK_STR(r->parts[1].type, "application/xml");
	CHECK_INT(r->parts[1].index, 2);
}

static void
test_mbox(void)
{
	struct rec r = { 0 };
	struct dm_limits small = limits;
	char *lf;
	size_t i, j;

	CHECK_INT(scan("mail/several.mbox", 1, &limits, &r), 0);
	check_mbox(&r, 0);
	/* ">From " and ">>From " lines unquoted once. */
	CHECK_STR((const char *)r.parts[1].data, quoted_xml);
	rec_free(&r);

	CHECK_INT(scan("mail/crlf.mbox", 1, &limits, &r), 0);
	check_mbox(&r, 1);
	CHECK(r.nparts == 2 && memcmp(r.parts[0].data, "\x1f\x8b", 2) == 0);
	if (r.nparts == 2) {
		/* The same XML with CRLF line ends. */
		lf = (char *)r.parts[1].data;
		for (i = j = 0; lf[i] != '\0'; i++)
			if (lf[i] != '\r')
				lf[j++] = lf[i];
		lf[j] = '\0';
		CHECK_STR(lf, quoted_xml);
		CHECK_INT(r.parts[1].len, sizeof quoted_xml - 1 + 6);
	}
	rec_free(&r);

	/* The first message is over the limit; the others are still read. */
	small.message_bytes = 600;
	CHECK_INT(scan("mail/several.mbox", 1, &small, &r), 0);
	CHECK_INT(r.nmsgs, 3);
	CHECK_STR(r.msgs[0].error, "limit message-bytes exceeded (886 bytes, "
	    "at most 600)");
	CHECK_STR(r.msgs[0].mid, "mbox-1@receiver.example");
	CHECK_INT(r.msgs[0].reports, 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].mid, "mbox-2@receiver.example");
	CHECK_STR(r.msgs[1].error, "(null)");
	CHECK_INT(r.msgs[1].reports, 1);
	CHECK_INT(r.msgs[2].offset, 1446);
	rec_free(&r);

	/* A message file over the limit is not parsed at all. */
	small.message_bytes = 1000;
	CHECK_INT(scan("mail/plain_gzip.eml", 0, &small, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_STR(r.msgs[0].error, "limit message-bytes exceeded (1233 bytes, "
	    "at most 1000)");
	CHECK_INT(r.msgs[0].size, 1233);
	CHECK_STR(r.msgs[0].mid, "fixture-1@receiver.example");	/* still named */
	rec_free(&r);
}

/*
 * An mboxo export: body lines that start with "From " are not quoted.  A
 * "From now on" line after a blank line, and a whole postmark line quoted
 * in the body (followed by text, not headers), do not cut the message.
 */
static void
test_mboxo(void)
{
	static const char head[] =
	    "From noreply@receiver.example Wed Nov 15 00:00:00 2023\n"
	    "From: reports@receiver.example\n"
	    "Subject: Report Domain: example.com Submitter: receiver.example\n"
	    "Message-ID: <mboxo-1@receiver.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nHello.\n\n"
	    "From now on, reports come from a new address.\n\n"
	    "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
	    "was the first line of the bounce you sent.\n\n"
	    "--b\nContent-Type: text/xml; name=\"r.xml\"\n\n";
	static const char tail[] =
	    "--b--\n\n"
	    "From other@receiver.example Wed Nov 15 00:00:01 2023\n"
	    "Subject: second\nMessage-ID: <mboxo-2@receiver.example>\n\nx\n";
	struct rec r = { 0 };
	struct mail_callbacks cb = { &r, on_part, on_done };
	char err[256], *mb;
	size_t len;

	len = strlen(head) + strlen(report_xml) + strlen(tail);
	if ((mb = malloc(len + 1)) == NULL)
		abort();
	snprintf(mb, len + 1, "%s%s%s", head, report_xml, tail);
	CHECK_INT(mail_scan_mem((unsigned char *)mb, len, 1, &limits, &cb, err,
	    sizeof err), 0);
	CHECK_INT(r.nmsgs, 2);
	CHECK_STR(r.msgs[0].mid, "mboxo-1@receiver.example");
	CHECK_INT(r.msgs[0].reports, 1);
	CHECK_STR(r.msgs[0].error, "(null)");
	CHECK_INT(r.msgs[0].size, strlen(head) + strlen(report_xml) + 7);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, "r.xml");
	/* the line end before the boundary belongs to the boundary */
	CHECK_INT(r.parts[0].len, strlen(report_xml) - 1);
	CHECK(r.nparts == 1 && memcmp(r.parts[0].data, report_xml,
	    strlen(report_xml) - 1) == 0);
	CHECK_STR(r.msgs[1].mid, "mboxo-2@receiver.example");
	CHECK_STR(r.msgs[1].error, "(null)");
	rec_free(&r);
	free(mb);
}

/*
 * Mails that present themselves as reports but yield none fail; so do
 * mails whose content cannot be read.  Signed mail and TNEF are read.
 */
static void
test_report_looking(void)
{
	static const char cut[] =
	    "From noreply@receiver.example Wed Nov 15 00:00:00 2023\n"
	    "Subject: Report Domain: example.com Submitter: r.example "
	    "Report-ID: cut\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nA bounce you sent:\n\n"
	    "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
	    "Received: from somewhere\n\n--b\n"
	    "Content-Type: application/gzip; name=\"r.xml.gz\"\n\nxx\n--b--\n";
	static const char pgp[] =
	    "Subject: encrypted\nMIME-Version: 1.0\nContent-Type: "
	    "multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
	    "boundary=\"e\"\n\n--e\nContent-Type: application/pgp-encrypted"
	    "\n\nVersion: 1\n--e\nContent-Type: application/octet-stream\n\n"
	    "-----BEGIN PGP MESSAGE-----\nxx\n-----END PGP MESSAGE-----\n"
	    "--e--\n";
	static const char opaque[] =
	    "Subject: signed\nMIME-Version: 1.0\nContent-Type: "
	    "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\n"
	    "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCA\n";
	struct rec r = { 0 };
	struct mail_callbacks cb = { &r, on_part, on_done };
	char err[256];

	CHECK_INT(scan("mail/subject_only.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_STR(r.msgs[0].error, "no report file in a mail whose Subject "
	    "announces one");
	rec_free(&r);

	/* no announcing Subject: a message without report, as before */
	CHECK_INT(scan("mail/no_report.eml", 0, &limits, &r), 0);
	CHECK_STR(r.msgs[0].error, "(null)");
	rec_free(&r);

	CHECK_INT(scan("mail/smime_encrypted.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_STR(r.msgs[0].error, "encrypted S/MIME message: cannot read the "
	    "report without the key");
	rec_free(&r);

	CHECK_INT(mail_scan_mem((const unsigned char *)pgp, sizeof pgp - 1, 0,
	    &limits, &cb, err, sizeof err), 0);
	CHECK_STR(r.msgs[0].error, "encrypted PGP/MIME message: cannot read "
	    "the report without the key");
	rec_free(&r);
	CHECK_INT(mail_scan_mem((const unsigned char *)opaque,
	    sizeof opaque - 1, 0, &limits, &cb, err, sizeof err), 0);
	CHECK_STR(r.msgs[0].error, "opaque-signed S/MIME message: the report "
	    "inside the signature is not extracted");
	rec_free(&r);

	CHECK_INT(scan("mail/signed.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_STR(r.msgs[0].error, "(null)");
	rec_free(&r);

	/* the report inside a winmail.dat, under its TNEF title */
	CHECK_INT(scan("mail/tnef.eml", 0, &limits, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.parts[0].name, FN);
	CHECK_INT(r.parts[0].len, GZ_LEN);
	CHECK_INT(r.parts[0].claims, 1);
	CHECK(r.nparts == 1 && memcmp(r.parts[0].data, "\x1f\x8b", 2) == 0);
	CHECK_STR(r.msgs[0].error, "(null)");
	rec_free(&r);

	/* a quoted bounce with headers does cut the message: the first half
	 * announces a report and holds none, so it fails */
	CHECK_INT(mail_scan_mem((const unsigned char *)cut, sizeof cut - 1, 1,
	    &limits, &cb, err, sizeof err), 0);
	CHECK_INT(r.nmsgs, 2);
	CHECK_STR(r.msgs[0].error, "no report file in a mail whose Subject "
	    "announces one");
	rec_free(&r);
}

static void
test_input_limit(void)
{
	struct rec r = { 0 };
	struct dm_limits small = limits;

	small.input_bytes = GZ_LEN - 1;
	CHECK_INT(scan("mail/plain_gzip.eml", 0, &small, &r), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_STR(r.msgs[0].error, "limit input-bytes exceeded (part '" FN
	    "' decodes to more than 367 bytes)");
	rec_free(&r);

	CHECK_INT(scan("mail/mimecast.eml", 0, &small, &r), 0);
	CHECK_STR(r.msgs[0].error, "limit input-bytes exceeded (part 1, "
	    "application/gzip, decodes to more than 367 bytes)");
	rec_free(&r);

	small.input_bytes = GZ_LEN;		/* exactly at the limit */
	CHECK_INT(scan("mail/plain_gzip.eml", 0, &small, &r), 0);
	CHECK_INT(r.nparts, 1);
	CHECK_STR(r.msgs[0].error, "(null)");
	rec_free(&r);
}

/* Inputs made here: not mail, not an mbox, empty, too deep, a stop. */
static void
test_odd_inputs(void)
{
	static const unsigned char junk[] = { 0x00, 0xff, 0x1f, 0x8b, 0x00,
	    '\n', 0x00, 0x01 };
	struct rec r = { 0 };
	struct mail_callbacks cb = { &r, on_part, on_done };
	char err[256] = "", *deep;
	const char *mb;
	size_t used;
	int i;

	CHECK_INT(mail_scan_mem(junk, sizeof junk, 0, &limits, &cb, err,
	    sizeof err), 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_STR(r.msgs[0].error, "not a mail message");
	CHECK_INT(r.msgs[0].size, sizeof junk);
	rec_free(&r);

	CHECK_INT(mail_scan_mem((const unsigned char *)"", 0, 1, &limits, &cb,
	    err, sizeof err), 0);
	CHECK_INT(r.nmsgs, 0);

	CHECK_INT(mail_scan_mem((const unsigned char *)"Subject: x\n\nhi\n", 15,
	    1, &limits, &cb, err, sizeof err), -1);
	CHECK_STR(err, "not an mbox (no \"From \" line at the start)");
	CHECK_INT(r.nmsgs, 0);

	/* Blank lines before the first "From " line (which may be any "From "
	 * line); a postmark line at the end. */
	mb = "\n\nFrom a b\nSubject: one\n\nx\n\n"
	    "From c Fri Jul  8 12:08:34 2011\nSubject: two\n";
	CHECK_INT(mail_scan_mem((const unsigned char *)mb, strlen(mb), 1,
	    &limits, &cb, err, sizeof err), 0);
	CHECK_INT(r.nmsgs, 2);
	CHECK_INT(r.msgs[0].offset, 2);
	CHECK_INT(r.msgs[0].size, 26);
	CHECK_STR(r.msgs[0].subject, "one");
	CHECK_INT(r.msgs[1].offset, 28);
	CHECK_INT(r.msgs[1].size, 45);
	CHECK_STR(r.msgs[1].subject, "two");
	CHECK_STR(r.msgs[1].error, "(null)");
	rec_free(&r);
	/* a postmark and headers without a blank line before: not split,
	 * but the message fails (the mbox may join two messages there) */
	mb = "From a Fri Jul  8 12:08:34 2011\nSubject: one\n\nx\n"
	    "From c Fri Jul  8 12:08:34 2011\nSubject: two\n";
	CHECK_INT(mail_scan_mem((const unsigned char *)mb, strlen(mb), 1,
	    &limits, &cb, err, sizeof err), 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_STR(r.msgs[0].subject, "one");
	CHECK_STR(r.msgs[0].error, "the line at byte 48 starts like a message "
	    "(a \"From \" postmark, then headers) without a blank line before "
	    "it: not split there, two messages may be joined");
	rec_free(&r);
	/* "From c d" has no date: body of the first message */
	mb = "\n\nFrom a b\nSubject: one\n\nx\n\nFrom c d\nSubject: two\n";
	CHECK_INT(mail_scan_mem((const unsigned char *)mb, strlen(mb), 1,
	    &limits, &cb, err, sizeof err), 0);
	CHECK_INT(r.nmsgs, 1);
	CHECK_INT(r.msgs[0].size, 48);
	rec_free(&r);

	CHECK_INT(mail_scan_file(check_data("mail/nonexistent.eml"), 0,
	    &limits, &cb, err, sizeof err), -1);
	CHECK(strstr(err, "cannot open") != NULL);
	CHECK_INT(mail_scan_file(check_data("mail"), 0, &limits, &cb, err,
	    sizeof err), -1);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* 40 nested multiparts, a gzip at the bottom. */
	if ((deep = malloc(8192)) == NULL)
		abort();
	used = (size_t)snprintf(deep, 8192, "MIME-Version: 1.0\n");
	for (i = 0; i < 40; i++)
		used += (size_t)snprintf(deep + used, 8192 - used,
		    "Content-Type: multipart/mixed; boundary=\"d%d\"\n\n--d%d\n",
		    i, i);
	used += (size_t)snprintf(deep + used, 8192 - used,
	    "Content-Type: application/gzip\n\nxx\n");
	CHECK_INT(mail_scan_mem((unsigned char *)deep, used, 0, &limits, &cb,
	    err, sizeof err), 0);
	CHECK_INT(r.nparts, 0);
	CHECK_STR(r.msgs[0].error, "MIME parts nested more than 32 deep");
	free(deep);
	rec_free(&r);

	/* report_part stops the scan at the first part. */
	r.stop_at_part = 1;
	CHECK_INT(scan("mail/several.mbox", 1, &limits, &r), -1);
	CHECK_INT(r.nparts, 1);
	CHECK_INT(r.nmsgs, 0);
	rec_free(&r);
}

int
main(void)
{
	mail_global_init();
	mail_global_init();		/* harmless twice */
	dm_limits_default(&limits);

	test_plain_gzip();
	test_ctype_name();
	test_encoded_names();
	test_folded();
	test_google_rfc822();
	test_mimecast();
	test_qp_xml();
	test_zip_as_gzip();
	test_html_text();
	test_no_report();
	test_other_reports();
	test_fake_gz();
	test_mbox();
	test_mboxo();
	test_report_looking();
	test_input_limit();
	test_odd_inputs();

	CHECK_DONE();
}
