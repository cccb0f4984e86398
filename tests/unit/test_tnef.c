/* SPDX-License-Identifier: MIT */
/*
 * test_tnef.c: the attachments of TNEF streams built here: titles and
 * bytes in order, message attributes passed by, and streams that are cut,
 * lie about a length or carry a bad level refused with the byte offset.
 */
#include <stdint.h>

#include "check.h"
#include "tnef.h"

static unsigned char buf[4096];
static size_t len;

static void
put(unsigned level, uint32_t id, const void *data, size_t n)
{
	const unsigned char *d = data;
	unsigned sum = 0;
	size_t k;

	buf[len++] = (unsigned char)level;
	for (k = 0; k < 4; k++)
		buf[len++] = (unsigned char)(id >> (8 * k));
	for (k = 0; k < 4; k++)
		buf[len++] = (unsigned char)(n >> (8 * k));
	memcpy(buf + len, d, n);
	len += n;
	for (k = 0; k < n; k++)
		sum += d[k];
	buf[len++] = (unsigned char)sum;
	buf[len++] = (unsigned char)(sum >> 8);
}

static void
start(void)
{
	static const unsigned char sig[] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };

	memcpy(buf, sig, sizeof sig);
	len = sizeof sig;
	put(TNEF_LVL_MESSAGE, 0x00089006u, "\0\0\1\0", 4);
}

static void
test_two(void)
{
	static const unsigned char rend[14] = { 1 };
	struct tnef_reader r;
	struct tnef_attachment a;

	start();
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_RENDDATA, rend, sizeof rend);
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_TITLE, "a.xml.gz", 9);
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_DATA, "\x1f\x8b\x08", 3);
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_RENDDATA, rend, sizeof rend);
	/* a title without its NUL; the data before it */
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_DATA, "PK", 2);
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_TITLE, "b.zip", 5);
	put(TNEF_LVL_MESSAGE, 0x0001800Cu, "body", 4);
	CHECK_INT(tnef_open(&r, buf, len), 0);
	CHECK_INT(tnef_next(&r, &a), 1);
	CHECK_STR(a.name, "a.xml.gz");
	CHECK_INT(a.len, 3);
	CHECK(a.data != NULL && memcmp(a.data, "\x1f\x8b\x08", 3) == 0);
	CHECK_INT(tnef_next(&r, &a), 1);
	CHECK_STR(a.name, "b.zip");
	CHECK_INT(a.len, 2);
	CHECK_INT(tnef_next(&r, &a), 0);
	CHECK_INT(tnef_next(&r, &a), 0);

	/* no attachment at all */
	start();
	CHECK_INT(tnef_open(&r, buf, len), 0);
	CHECK_INT(tnef_next(&r, &a), 0);
}

static void
test_broken(void)
{
	struct tnef_reader r;
	struct tnef_attachment a;
	size_t full;

	CHECK_INT(tnef_open(&r, (const unsigned char *)"PK\3\4xx", 6), -1);
	CHECK_STR(r.error, "not a TNEF stream (no signature)");
	CHECK_INT(tnef_open(&r, buf, 3), -1);

	start();
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_TITLE, "a.xml", 6);
	put(TNEF_LVL_ATTACHMENT, TNEF_ATT_ATTACH_DATA, "<feedback/>", 11);
	full = len;
	/* cut inside the data: the length runs past the end */
	CHECK_INT(tnef_open(&r, buf, full - 5), 0);
	CHECK_INT(tnef_next(&r, &a), -1);
	CHECK_STR(r.error, "TNEF attribute at byte 38 runs past the end");
	/* cut inside an attribute head */
	CHECK_INT(tnef_open(&r, buf, 40), 0);
	CHECK_INT(tnef_next(&r, &a), -1);
	CHECK_STR(r.error, "TNEF stream cut at byte 38");
	/* a length of 4 GB */
	buf[38 + 5] = buf[38 + 6] = buf[38 + 7] = buf[38 + 8] = 0xff;
	CHECK_INT(tnef_open(&r, buf, full), 0);
	CHECK_INT(tnef_next(&r, &a), -1);
	CHECK_STR(r.error, "TNEF attribute at byte 38 runs past the end");
	/* a bad level */
	buf[38] = 7;
	CHECK_INT(tnef_open(&r, buf, full), 0);
	CHECK_INT(tnef_next(&r, &a), -1);
	CHECK_STR(r.error, "bad TNEF attribute level 7 at byte 38");
}

int
main(void)
{
	test_two();
	test_broken();
	CHECK_DONE();
}
