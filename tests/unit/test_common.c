/* SPDX-License-Identifier: MIT */
/* test_common.c: the shared helpers: limits parsing, SHA-256, JSON strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dm_limits.h"
#include "fmt.h"
#include "json_out.h"
#include "sha256.h"

/* json_string into a string (static buffer). */
static const char *
json(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");

	json_string(f, s);
	fclose(f);
	return buf;
}

int
main(void)
{
	struct dm_limits l;
	char err[256], hex[65];
	struct sha256 *h;

	/* limits: defaults, names, suffixes, bad values */
	dm_limits_default(&l);
	CHECK_INT(l.xml_bytes, 512ULL * 1024 * 1024);
	CHECK_INT(l.zip_entries, DM_DEF_ZIP_ENTRIES);
	CHECK(dm_limits_set(&l, "xml-bytes=4K", err, sizeof err) == 0);
	CHECK_INT(l.xml_bytes, 4096);
	CHECK(dm_limits_set(&l, "records=12", err, sizeof err) == 0);
	CHECK_INT(l.records, 12);
	CHECK(dm_limits_set(&l, "input-bytes=2G", err, sizeof err) == 0);
	CHECK_INT(l.input_bytes, 2ULL << 30);
	CHECK(dm_limits_set(&l, "keep-failed-bytes=1m", err, sizeof err) == 0);
	CHECK_INT(l.keep_failed_bytes, 1 << 20);
	CHECK(dm_limits_set(&l, "nosuch=1", err, sizeof err) == -1);
	CHECK(strstr(err, "unknown limit 'nosuch'") != NULL);
	CHECK(dm_limits_set(&l, "records", err, sizeof err) == -1);
	CHECK(dm_limits_set(&l, "records=0", err, sizeof err) == -1);
	CHECK(dm_limits_set(&l, "records=-1", err, sizeof err) == -1);
	CHECK(dm_limits_set(&l, "records=12X", err, sizeof err) == -1);
	CHECK(dm_limits_set(&l, "records=99999999999999999999", err, sizeof err) == -1);
	CHECK(dm_limits_set(&l, "xml-bytes=99999999999G", err, sizeof err) == -1);
	CHECK_INT(l.records, 12);	/* unchanged by the failures */

	/* SHA-256: the FIPS 180-2 test vectors, one-shot and in pieces */
	sha256_hex_of("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex_of("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	h = sha256_new();
	CHECK(h != NULL);
	sha256_update(h, "abcdbcdecdefdefgefghfghighijhijk", 32);
	sha256_update(h, "ijkljklmklmnlmnomnopnopq", 24);
	sha256_hex(h, hex);
	sha256_free(h);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

	/* JSON strings */
	CHECK_STR(json("plain"), "\"plain\"");
	CHECK_STR(json(NULL), "null");
	CHECK_STR(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(json("tab\tnl\n\x01"), "\"tab\\tnl\\n\\u0001\"");
	CHECK_STR(json("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
	CHECK_STR(json("bad \xff byte"), "\"bad \\ufffd byte\"");
	CHECK_STR(json("overlong \xc0\xaf"), "\"overlong \\ufffd\\ufffd\"");
	CHECK_STR(json("surrogate \xed\xa0\x80"), "\"surrogate \\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(json("esc \x1b[31m"), "\"esc \\u001b[31m\"");

	/* names escaped for one line of output */
	{
		char b[64];

		CHECK_STR(fmt_escape("plain/name.xml", FMT_ESC_NAME, b, sizeof b), "plain/name.xml");
		CHECK_STR(fmt_escape("a\nb\tc\rd", FMT_ESC_NAME, b, sizeof b), "a\\nb\\tc\\rd");
		CHECK_STR(fmt_escape("\x1b[31mred\x07\x7f", FMT_ESC_NAME, b, sizeof b), "\\x1b[31mred\\x07\\x7f");
		CHECK_STR(fmt_escape("back\\slash", FMT_ESC_NAME, b, sizeof b), "back\\\\slash");
		CHECK_STR(fmt_escape("back\\slash", FMT_ESC_TEXT, b, sizeof b), "back\\slash");
		CHECK_STR(fmt_escape("x\nq", FMT_ESC_TEXT, b, sizeof b), "x\\nq");
		/* UTF-8 passes; a C1 control (U+009B, CSI) and bytes that are
		 * not UTF-8 do not */
		CHECK_STR(fmt_escape("caf\xc3\xa9 \xe2\x82\xac", FMT_ESC_NAME, b, sizeof b), "caf\xc3\xa9 \xe2\x82\xac");
		CHECK_STR(fmt_escape("\xc2\x9b" "2J", FMT_ESC_NAME, b, sizeof b), "\\xc2\\x9b2J");
		CHECK_STR(fmt_escape("bad\xff\xc0\xaf", FMT_ESC_NAME, b, sizeof b), "bad\\xff\\xc0\\xaf");
		/* cut before what does not fit, never inside an escape */
		CHECK_STR(fmt_escape("abc\x1b", FMT_ESC_NAME, b, 7), "abc");
		CHECK_STR(fmt_escape("abc\x1b", FMT_ESC_NAME, b, 8), "abc\\x1b");
		CHECK_STR(fmt_escape("ab\xe2\x82\xac", FMT_ESC_NAME, b, 5), "ab");
		CHECK_STR(fmt_escape("", FMT_ESC_NAME, b, sizeof b), "");
	}
	CHECK_DONE();
}
