/* SPDX-License-Identifier: MIT */
/* test_sniff.c: payload kinds from leading bytes, as a table. */
#define ZLIB_CONST
#include <zlib.h>

#include "check.h"
#include "sniff.h"

#define T(bytes, kind) { bytes, sizeof bytes - 1, kind }

static const struct {
	const char *bytes;
	size_t len;
	enum sniff_kind kind;
} cases[] = {
	T("", SNIFF_EMPTY),
	/* XML */
	T("<?xml version=\"1.0\"?><feedback/>", SNIFF_XML),
	T("<feedback>", SNIFF_XML),
	T("<", SNIFF_XML),
	T("\xef\xbb\xbf<?xml version=\"1.0\"?>", SNIFF_XML),
	T("\xef\xbb\xbf \r\n\t<feedback>", SNIFF_XML),
	T("\n\n   <?xml version=\"1.0\"?>", SNIFF_XML),
	T("Report follows\r\n<?xml version=\"1.0\"?>", SNIFF_XML),
	T("garbage line <feedback><version>", SNIFF_XML),
	T("\x01\x02<?xml version=\"1.0\"?>", SNIFF_OTHER),	/* binary junk */
	T("\xef\xbb\xbf \r\n\tjunk from a mailer\n<?xml version=\"1.0\"?>", SNIFF_XML),	/* BOM, then junk */
	/* UTF-16 (E.16): a BOM, or '<' and ASCII without one */
	T("\xfe\xff\x00<\x00?", SNIFF_XML),
	T("\xff\xfe<\x00?\x00x\x00m\x00l\x00", SNIFF_XML),
	T("\xff\xfe \x00\r\x00\n\x00<\x00" "f\x00", SNIFF_XML),
	T("\xfe\xff\x00\t\x00<\x00" "f", SNIFF_XML),
	T("<\x00?\x00x\x00m\x00l\x00", SNIFF_XML),
	T("\x00<\x00?\x00x\x00m\x00l", SNIFF_XML),
	T("\xff\xfe" "A\x00<\x00", SNIFF_OTHER),		/* BOM, then text */
	T("\xff\xfe\x00<", SNIFF_OTHER),		/* BOM LE, units BE */
	T("\xff\xfe", SNIFF_OTHER),
	T("<\x00\x00\x00", SNIFF_XML),			/* '<' then NULs: the parser refuses */
	T("<feeback", SNIFF_XML),
	/* gzip, zip */
	T("\x1f\x8b\x08\x00\x00\x00\x00\x00", SNIFF_GZIP),
	T("\x1f\x8b", SNIFF_GZIP),
	T("\x1f", SNIFF_OTHER),
	T("PK\3\4\x14\x00", SNIFF_ZIP),
	T("PK\5\6\0\0\0\0", SNIFF_ZIP),
	T("PK", SNIFF_OTHER),
	T("PK\1\2", SNIFF_OTHER),
	/* mbox */
	T("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\nReturn-Path: <>\n", SNIFF_MBOX),
	T("From a@b.c Mon Jan  1 00:00:00 2024\r\n", SNIFF_MBOX),
	T("From \n", SNIFF_OTHER),
	T("From someone without a newline", SNIFF_OTHER),
	/* message */
	T("Return-Path: <a@b.c>\nReceived: from x\n\tby y\nSubject: hi\n\nbody", SNIFF_MESSAGE),
	T("Delivered-To: a@b.c\r\nX-Spam: no\r\n\r\n", SNIFF_MESSAGE),
	T("X-Mailer: foo\nmime-version: 1.0\ncontent-type: text/plain\n\n", SNIFF_MESSAGE),
	T("From: a@b.c\nTo: d@e.f\nSubject: Report Domain: x\n", SNIFF_MESSAGE),
	T("Subject: cut at the end of what we se", SNIFF_MESSAGE),
	T("Note: this is just text\nwith a second line\n", SNIFF_OTHER),
	T("X-Foo: bar\nX-Baz: qux\n\n", SNIFF_OTHER),	/* no usual field */
	T("Subject : spaced\n", SNIFF_OTHER),
	T(" Subject: indented\n", SNIFF_OTHER),
	T("Subject: hi\nnot a header line\n", SNIFF_OTHER),
	/* other */
	T("hello", SNIFF_OTHER),
	T("hello world\n", SNIFF_OTHER),
	T("H4sIAAAAAAAAA+2WW2/aMBSA3/crIp5JQhJoy0q1bVK7TtrUaaq0lz0", SNIFF_OTHER),
	T("UEsDBBQAAAAIAFhZVVcAAAAAAAAAAAAAAAAJAAAAcmVwb3J0LnhtbA==", SNIFF_OTHER),
	T("eJzLSM3JyVcozy/KSQEAGgQEXQ==", SNIFF_OTHER),
	T("x^ is a perfectly valid zlib header but this is text", SNIFF_OTHER),
	T("\x78\x9c", SNIFF_OTHER),		/* too short to tell */
	T("\x00\x00\x00\x00", SNIFF_OTHER),
	T("{\"json\": true}", SNIFF_OTHER),
};

static void
test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum sniff_kind k = sniff_kind((const unsigned char *)cases[i].bytes,
		    cases[i].len);
		if (k != cases[i].kind)
			fprintf(stderr, "case %zu (%.20s): got %s, want %s\n", i,
			    cases[i].bytes, sniff_kind_name(k),
			    sniff_kind_name(cases[i].kind));
		CHECK_INT(k, cases[i].kind);
	}
}

/* Real zlib streams, every level, are zlib; the same bytes with a broken
 * header or a preset dictionary flag are not. */
static void
test_zlib(void)
{
	static const char xml[] = "<?xml version=\"1.0\"?><feedback><version>1.0"
	    "</version><report_metadata><org_name>x</org_name></report_metadata>"
	    "</feedback>";
	unsigned char out[512];
	uLongf olen;
	int level;

	for (level = 0; level <= 9; level++) {
		olen = sizeof out;
		CHECK(compress2(out, &olen, (const Bytef *)xml, sizeof xml - 1,
		    level) == Z_OK);
		CHECK_INT(sniff_kind(out, olen), SNIFF_ZLIB);
	}
	out[1] ^= 1;		/* FCHECK wrong */
	CHECK_INT(sniff_kind(out, olen), SNIFF_OTHER);
	out[1] ^= 1;
	out[4] ^= 0xff;		/* corrupt deflate data */
	out[5] ^= 0xff;
	out[6] ^= 0xff;
	CHECK_INT(sniff_kind(out, olen), SNIFF_OTHER);
	/* a 0x78-less header (CINFO 2, window 1 KiB) */
	{
		z_stream z;
		memset(&z, 0, sizeof z);
		CHECK(deflateInit2(&z, 9, Z_DEFLATED, 10, 8, Z_DEFAULT_STRATEGY) == Z_OK);
		z.next_in = (const Bytef *)xml;
		z.avail_in = sizeof xml - 1;
		z.next_out = out;
		z.avail_out = sizeof out;
		CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
		CHECK(out[0] != 0x78);
		CHECK_INT(sniff_kind(out, z.total_out), SNIFF_ZLIB);
		deflateEnd(&z);
	}
}

/* A long junk prefix still finds "<?xml" inside the first SNIFF_BYTES. */
static void
test_junk(void)
{
	unsigned char buf[SNIFF_BYTES];

	memset(buf, 'a', sizeof buf);
	memcpy(buf + SNIFF_BYTES - 6, "<?xml ", 6);
	CHECK_INT(sniff_kind(buf, sizeof buf), SNIFF_XML);
	buf[10] = 0x80;
	CHECK_INT(sniff_kind(buf, sizeof buf), SNIFF_OTHER);
}

static void
test_names(void)
{
	CHECK_STR(sniff_kind_name(SNIFF_EMPTY), "empty");
	CHECK_STR(sniff_kind_name(SNIFF_XML), "xml");
	CHECK_STR(sniff_kind_name(SNIFF_GZIP), "gzip");
	CHECK_STR(sniff_kind_name(SNIFF_ZLIB), "zlib");
	CHECK_STR(sniff_kind_name(SNIFF_ZIP), "zip");
	CHECK_STR(sniff_kind_name(SNIFF_MBOX), "mbox");
	CHECK_STR(sniff_kind_name(SNIFF_MESSAGE), "message");
	CHECK_STR(sniff_kind_name(SNIFF_OTHER), "other");
}

int
main(void)
{
	test_table();
	test_zlib();
	test_junk();
	test_names();
	CHECK_DONE();
}
