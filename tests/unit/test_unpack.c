/* SPDX-License-Identifier: MIT */
/*
 * test_unpack.c: gzip and zlib streams (members, trailers, truncation,
 * corruption, bombs) and zip archives (members, skipped entries, odd names,
 * corrupt members, container limits), all made here at run time.
 */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZLIB_CONST
#include <zip.h>
#include <zlib.h>

#include "check.h"
#include "dm_limits.h"
#include "stream.h"
#include "unpack.h"

static const char xml[] = "<?xml version=\"1.0\"?>\n<feedback><version>1.0"
    "</version></feedback>\n";
#define XML_LEN (sizeof xml - 1)

static char tmpdir[] = "/tmp/test_unpack.XXXXXX";

/* A growable byte buffer. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
buf_u16(struct buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	buf_add(b, c, 2);
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	buf_u16(b, v & 0xffff);
	buf_u16(b, v >> 16);
}

/* Compresses with deflate: windowBits 15+16 gzip, 15 zlib, -15 raw. */
static void
deflate_to(struct buf *b, const void *data, size_t n, int wbits)
{
	unsigned char out[65536];
	z_stream z;
	int ret;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = data;
	z.avail_in = (uInt)n;
	do {
		z.next_out = out;
		z.avail_out = sizeof out;
		ret = deflate(&z, Z_FINISH);
		buf_add(b, out, sizeof out - z.avail_out);
	} while (ret == Z_OK);
	if (ret != Z_STREAM_END)
		abort();
	deflateEnd(&z);
}

/* Reads a whole stream (then closes it); returns 0 with the bytes, or -1
 * with the error copied into err. */
static int
drain(struct stream *s, struct buf *out, char *err, size_t errlen)
{
	unsigned char chunk[65536];
	ssize_t r;

	err[0] = '\0';
	while ((r = stream_read(s, chunk, sizeof chunk)) > 0)
		buf_add(out, chunk, (size_t)r);
	if (r < 0)
		snprintf(err, errlen, "%s", stream_error(s));
	stream_close(s);
	return r < 0 ? -1 : 0;
}

/* A source that hands out its bytes one at a time. */
struct trickle {
	const unsigned char *p;
	size_t len, pos;
};

static ssize_t
trickle_read(struct stream *s, void *buf, size_t n)
{
	struct trickle *t = s->impl;

	if (t->pos == t->len || n == 0)
		return 0;
	*(unsigned char *)buf = t->p[t->pos++];
	return 1;
}

static void
trickle_close(struct stream *s)
{
	free(s->impl);
}

static const struct stream_ops trickle_ops = { trickle_read, trickle_close };

static struct stream *
trickle(const void *p, size_t len)
{
	struct trickle *t = calloc(1, sizeof *t);

	t->p = p;
	t->len = len;
	return stream_new(&trickle_ops, t);
}

/* Inflates `in` with the given limits; returns what drain returns. */
static int
inflate_buf(const struct buf *in, int zlib_format, const struct dm_limits *l,
    struct buf *out, char *err, size_t errlen)
{
	struct stream *s = unpack_inflate(stream_from_mem(in->p, in->len),
	    zlib_format, l);

	out->len = 0;
	return drain(s, out, err, errlen);
}

static void
test_gzip(void)
{
	struct dm_limits l;
	struct buf gz = { 0 }, two = { 0 }, out = { 0 };
	char err[256];

	dm_limits_default(&l);
	deflate_to(&gz, xml, XML_LEN, 15 + 16);

	/* plain */
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);
	CHECK(out.len == XML_LEN && memcmp(out.p, xml, XML_LEN) == 0);

	/* multi-member, also fed a byte at a time */
	buf_add(&two, gz.p, gz.len);
	deflate_to(&two, "<more/>", 7, 15 + 16);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN + 7);
	CHECK(out.len == XML_LEN + 7 && memcmp(out.p + XML_LEN, "<more/>", 7) == 0);
	out.len = 0;
	CHECK_INT(drain(unpack_inflate(trickle(two.p, two.len), 0, &l), &out,
	    err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN + 7);

	/* Mimecast's CRLF after the stream, and other junk: ignored */
	two.len = 0;
	buf_add(&two, gz.p, gz.len);
	buf_add(&two, "\r\n", 2);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);
	out.len = 0;
	CHECK_INT(drain(unpack_inflate(trickle(two.p, two.len), 0, &l), &out,
	    err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);
	buf_add(&two, "some junk\0\1\2", 12);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);
	two.len = gz.len;
	buf_add(&two, "\x1f", 1);	/* half a magic at the very end */
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);

	/* truncated, anywhere */
	two.len = 0;
	buf_add(&two, gz.p, gz.len - 4);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "truncated gzip data");
	two.len = 5;
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "truncated gzip data");
	two.len = 0;
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "truncated gzip data");

	/* a second member cut short */
	two.len = 0;
	buf_add(&two, gz.p, gz.len);
	buf_add(&two, gz.p, gz.len / 2);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "truncated gzip data");

	/* corrupt: a bad CRC, then bad deflate data */
	two.len = 0;
	buf_add(&two, gz.p, gz.len);
	two.p[gz.len - 6] ^= 0x55;
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "corrupt gzip data: incorrect data check");
	memcpy(two.p, gz.p, gz.len);
	memset(two.p + 10, 0xff, 6);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK(strncmp(err, "corrupt gzip data: ", 19) == 0);

	/* not gzip at all */
	two.len = 0;
	buf_add(&two, xml, XML_LEN);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "corrupt gzip data: incorrect header check");

	/* gzip inside gzip: one layer per call */
	two.len = 0;
	deflate_to(&two, gz.p, gz.len, 15 + 16);
	CHECK_INT(inflate_buf(&two, 0, &l, &out, err, sizeof err), 0);
	CHECK(out.len == gz.len && memcmp(out.p, gz.p, gz.len) == 0);

	free(gz.p);
	free(two.p);
	free(out.p);
}

static void
test_zlib(void)
{
	struct dm_limits l;
	struct buf z = { 0 }, out = { 0 };
	char err[256];

	dm_limits_default(&l);
	deflate_to(&z, xml, XML_LEN, 15);
	CHECK_INT(inflate_buf(&z, 1, &l, &out, err, sizeof err), 0);
	CHECK(out.len == XML_LEN && memcmp(out.p, xml, XML_LEN) == 0);
	buf_add(&z, "\r\n", 2);		/* trailing bytes ignored */
	CHECK_INT(inflate_buf(&z, 1, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, XML_LEN);
	z.len -= 5;
	CHECK_INT(inflate_buf(&z, 1, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "truncated zlib data");
	z.len += 3;
	z.p[z.len - 1] ^= 1;		/* adler32 */
	CHECK_INT(inflate_buf(&z, 1, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "corrupt zlib data: incorrect data check");
	free(z.p);
	free(out.p);
}

/* Zeros: the cheapest bomb. */
static void
test_bombs(void)
{
	struct dm_limits l;
	struct buf gz = { 0 }, out = { 0 };
	size_t n = 24 * DM_MIB;
	unsigned char *zeros = calloc(1, n);
	char err[256];

	/* xml-bytes: 10 MiB out of a 1 MiB limit */
	dm_limits_default(&l);
	l.xml_bytes = DM_MIB;
	deflate_to(&gz, zeros, 10 * DM_MIB, 15 + 16);
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), -1);
	CHECK_STR(err, "limit xml-bytes exceeded (more than 1048576 bytes "
	    "decompressed)");
	CHECK_INT(out.len, DM_MIB);	/* nothing past the limit came out */

	/* under the ratio floor, 10 MiB of zeros are fine */
	dm_limits_default(&l);
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, 10 * DM_MIB);

	/* and so are 24 MiB (over 1000:1) with the default floor of 64 MiB */
	gz.len = 0;
	deflate_to(&gz, zeros, n, 15 + 16);
	CHECK(gz.len * 1000 < n);
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, n);

	/* past the floor, the ratio stops them */
	l.ratio_floor = 16 * DM_MIB;
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), -1);
	CHECK(strncmp(err, "limit ratio exceeded (decompressed ", 35) == 0);
	CHECK(strstr(err, ": more than 200:1)") != NULL);
	CHECK(out.len >= l.ratio_floor && out.len < n);

	/* a raised ratio lets it through */
	l.ratio = 100000;
	CHECK_INT(inflate_buf(&gz, 0, &l, &out, err, sizeof err), 0);
	CHECK_INT(out.len, n);

	free(zeros);
	free(gz.p);
	free(out.p);
}

/* A hand-written zip, to get what zip tools will not write: empty names,
 * "../" names, data descriptors, bad CRCs, odd methods and flags. */
struct zent {
	const char *name;
	const void *data;
	size_t len;
	int method;		/* 0 stored, 8 deflated, other: as given */
	unsigned flags;		/* bit 0 encrypted, bit 3 data descriptor */
	int bad_crc;
	int bad_data;		/* deflated bytes replaced by garbage */
};

static void
zip_write(struct buf *b, const struct zent *e, size_t n)
{
	struct buf cd = { 0 }, body;
	uint32_t *offs = calloc(n, sizeof *offs), *crcs = calloc(n, sizeof *crcs);
	size_t *csz = calloc(n, sizeof *csz), i, nlen, cdoff;
	uint32_t crc;

	for (i = 0; i < n; i++) {
		memset(&body, 0, sizeof body);
		if (e[i].method == 8 && !e[i].bad_data)
			deflate_to(&body, e[i].data, e[i].len, -15);
		else if (e[i].bad_data)
			buf_add(&body, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
		else
			buf_add(&body, e[i].data, e[i].len);
		crc = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
		if (e[i].bad_crc)
			crc ^= 0xdeadbeef;
		crcs[i] = crc;
		csz[i] = body.len;
		offs[i] = (uint32_t)b->len;
		nlen = strlen(e[i].name);
		buf_u32(b, 0x04034b50);
		buf_u16(b, 20);
		buf_u16(b, e[i].flags);
		buf_u16(b, (unsigned)e[i].method);
		buf_u16(b, 0);
		buf_u16(b, 0x5821);
		if (e[i].flags & 8) {
			buf_u32(b, 0);
			buf_u32(b, 0);
			buf_u32(b, 0);
		} else {
			buf_u32(b, crc);
			buf_u32(b, (uint32_t)body.len);
			buf_u32(b, (uint32_t)e[i].len);
		}
		buf_u16(b, (unsigned)nlen);
		buf_u16(b, 0);
		buf_add(b, e[i].name, nlen);
		buf_add(b, body.p, body.len);
		if (e[i].flags & 8) {
			buf_u32(b, 0x08074b50);
			buf_u32(b, crc);
			buf_u32(b, (uint32_t)body.len);
			buf_u32(b, (uint32_t)e[i].len);
		}
		free(body.p);
	}
	for (i = 0; i < n; i++) {
		nlen = strlen(e[i].name);
		buf_u32(&cd, 0x02014b50);
		buf_u16(&cd, 20);
		buf_u16(&cd, 20);
		buf_u16(&cd, e[i].flags);
		buf_u16(&cd, (unsigned)e[i].method);
		buf_u16(&cd, 0);
		buf_u16(&cd, 0x5821);
		buf_u32(&cd, crcs[i]);
		buf_u32(&cd, (uint32_t)csz[i]);
		buf_u32(&cd, (uint32_t)e[i].len);
		buf_u16(&cd, (unsigned)nlen);
		buf_u16(&cd, 0);
		buf_u16(&cd, 0);
		buf_u16(&cd, 0);
		buf_u16(&cd, 0);
		buf_u32(&cd, 0);
		buf_u32(&cd, offs[i]);
		buf_add(&cd, e[i].name, nlen);
	}
	cdoff = b->len;
	buf_add(b, cd.p, cd.len);
	buf_u32(b, 0x06054b50);
	buf_u16(b, 0);
	buf_u16(b, 0);
	buf_u16(b, (unsigned)n);
	buf_u16(b, (unsigned)n);
	buf_u32(b, (uint32_t)cd.len);
	buf_u32(b, (uint32_t)cdoff);
	buf_u16(b, 0);
	free(cd.p);
	free(offs);
	free(crcs);
	free(csz);
}

/* Opens from memory (a malloc'd copy of b). */
static struct unpack_zip *
zip_mem(const struct buf *b, const struct dm_limits *l, char *err, size_t errlen)
{
	unsigned char *copy = malloc(b->len ? b->len : 1);

	if (b->len)
		memcpy(copy, b->p, b->len);
	return unpack_zip_open_mem(copy, b->len, l, err, errlen);
}

/* Every member the archive offers, as "name=content" or "name!error"
 * lines. */
static void
zip_list(struct unpack_zip *z, struct buf *res)
{
	struct unpack_zip_member m;
	struct buf out = { 0 };
	struct stream *s;
	char err[512];

	while (unpack_zip_next(z, &m) == 1) {
		buf_add(res, m.name, strlen(m.name));
		s = unpack_zip_member_stream(z, &m, err, sizeof err);
		out.len = 0;
		if (s != NULL && drain(s, &out, err, sizeof err) == 0) {
			buf_add(res, "=", 1);
			buf_add(res, out.p, out.len);
		} else {
			buf_add(res, "!", 1);
			buf_add(res, err, strlen(err));
		}
		buf_add(res, "\n", 1);
	}
	buf_add(res, "", 1);
	free(out.p);
}

static void
test_zip_odd(void)
{
	struct dm_limits l;
	struct buf b = { 0 }, res = { 0 };
	struct unpack_zip *z;
	char err[256];
	const struct zent ents[] = {
		{ "", "<a/>", 4, 8, 8, 0, 0 },		/* streaming, unnamed */
		{ "dir/", "", 0, 0, 0, 0, 0 },
		{ "dir/b.xml", "<b/>", 4, 8, 8, 0, 0 },
		{ "__MACOSX/dir/._b.xml", "junk", 4, 0, 0, 0, 0 },
		{ "x/__MACOSX/y.xml", "junk", 4, 0, 0, 0, 0 },
		{ "._c.xml", "junk", 4, 0, 0, 0, 0 },
		{ "../evil.xml", "<e/>", 4, 0, 0, 0, 0 },
		{ "/etc/evil.xml", "<e/>", 4, 0, 0, 0, 0 },
		{ "a/../../evil.xml", "<e/>", 4, 0, 0, 0, 0 },
		{ "a\\..\\evil.xml", "<e/>", 4, 0, 0, 0, 0 },
		{ "..", "<e/>", 4, 0, 0, 0, 0 },
		{ "a..b.xml", "<ok/>", 5, 0, 0, 0, 0 },
		{ "crc.xml", "<c/>", 4, 0, 0, 1, 0 },
		{ "deflate.xml", "<d/>", 4, 8, 0, 0, 1 },
		{ "enc.xml", "<x/>", 4, 0, 1, 0, 0 },
		{ "method.xml", "<m/>", 4, 97, 0, 0, 0 },
		{ "last.xml", "<last/>", 7, 8, 0, 0, 0 },
	};

	dm_limits_default(&l);
	zip_write(&b, ents, sizeof ents / sizeof ents[0]);
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z == NULL) {
		fprintf(stderr, "open: %s\n", err);
		free(b.p);
		return;
	}
	{
		struct unpack_zip_member m;
		unsigned char *bytes;
		size_t len;

		m.index = 12;	/* crc.xml */
		snprintf(m.name, sizeof m.name, "crc.xml");
		CHECK_INT(unpack_zip_member_bytes(z, &m, 100, &bytes, &len), -1);
		CHECK(bytes == NULL);
		m.index = 6;	/* ../evil.xml */
		CHECK_INT(unpack_zip_member_bytes(z, &m, 100, &bytes, &len), -1);
		m.index = 16;	/* last.xml */
		CHECK_INT(unpack_zip_member_bytes(z, &m, 100, &bytes, &len), 0);
		CHECK(len == 7 && memcmp(bytes, "<last/>", 7) == 0);
		free(bytes);
	}
	zip_list(z, &res);
	CHECK_STR((char *)res.p,
	    "(unnamed member 1)=<a/>\n"
	    "dir/b.xml=<b/>\n"
	    "../evil.xml!unsafe member name '../evil.xml'\n"
	    "/etc/evil.xml!unsafe member name '/etc/evil.xml'\n"
	    "a/../../evil.xml!unsafe member name 'a/../../evil.xml'\n"
	    "a\\..\\evil.xml!unsafe member name 'a\\..\\evil.xml'\n"
	    "..!unsafe member name '..'\n"
	    "a..b.xml=<ok/>\n"
	    "crc.xml!corrupt zip member 'crc.xml': CRC error\n"
	    "deflate.xml!corrupt zip member 'deflate.xml': Zlib error: data error\n"
	    "enc.xml!zip member 'enc.xml' is encrypted\n"
	    "method.xml!cannot open zip member 'method.xml': Compression method not supported\n"
	    "last.xml=<last/>\n");
	unpack_zip_close(z);
	free(b.p);
	free(res.p);
}

/* libzip writes the ordinary archives. */
static void
make_zip(const char *path, const char *const *names, const char *const *data,
    size_t n)
{
	zip_t *za;
	zip_source_t *src;
	int code;
	size_t i;

	unlink(path);
	za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
	if (za == NULL)
		abort();
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (len > 0 && names[i][len - 1] == '/') {
			if (zip_dir_add(za, names[i], 0) < 0)
				abort();
			continue;
		}
		src = zip_source_buffer(za, data[i], strlen(data[i]), 0);
		if (src == NULL || zip_file_add(za, names[i], src, 0) < 0)
			abort();
	}
	if (zip_close(za) != 0)
		abort();
}

static void
read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	unsigned char chunk[4096];
	size_t n;

	b->len = 0;
	if (f == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

static void
test_zip_libzip(void)
{
	static const char *const names[] = { "report.xml" };
	static const char *const data[] = { "<feedback/>" };
	static const char *const names3[] = { "a/", "a/one.xml", "__MACOSX/",
	    "__MACOSX/a/._one.xml", "two.xml.gz", "z/" };
	static const char *const data3[] = { "", "<one/>", "", "mac", "two", "" };
	struct dm_limits l;
	struct unpack_zip *z;
	struct unpack_zip_member m;
	struct buf res = { 0 }, b = { 0 };
	char path[512], err[256];
	unsigned char *bytes;
	size_t len;

	dm_limits_default(&l);
	snprintf(path, sizeof path, "%s/one.zip", tmpdir);
	make_zip(path, names, data, 1);
	z = unpack_zip_open_path(path, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		zip_list(z, &res);
		CHECK_STR((char *)res.p, "report.xml=<feedback/>\n");
		unpack_zip_close(z);
	}

	/* several members, directories and __MACOSX skipped */
	make_zip(path, names3, data3, 6);
	z = unpack_zip_open_path(path, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		res.len = 0;
		zip_list(z, &res);
		CHECK_STR((char *)res.p, "a/one.xml=<one/>\ntwo.xml.gz=two\n");
		unpack_zip_close(z);
	}

	/* the same from memory; member bytes; the index and size */
	read_file(path, &b);
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		CHECK_INT(unpack_zip_next(z, &m), 1);
		CHECK_STR(m.name, "a/one.xml");
		CHECK_INT(m.index, 1);
		CHECK_INT(m.size, 6);
		CHECK_INT(unpack_zip_member_bytes(z, &m, 6, &bytes, &len), 0);
		CHECK(len == 6 && memcmp(bytes, "<one/>", 6) == 0);
		free(bytes);
		/* at most max bytes: a longer member is cut, not refused */
		CHECK_INT(unpack_zip_member_bytes(z, &m, 4, &bytes, &len), 0);
		CHECK(len == 4 && memcmp(bytes, "<one", 4) == 0);
		free(bytes);
		CHECK_INT(unpack_zip_member_bytes(z, &m, 0, &bytes, &len), 0);
		CHECK(bytes != NULL && len == 0);
		free(bytes);
		CHECK_INT(unpack_zip_next(z, &m), 1);
		CHECK_STR(m.name, "two.xml.gz");
		CHECK_INT(unpack_zip_next(z, &m), 0);
		CHECK_INT(unpack_zip_next(z, &m), 0);
		unpack_zip_close(z);
	}

	/* truncated: no central directory */
	b.len -= 30;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK_STR(err, "cannot open zip archive: Not a zip archive (no end of "
	    "central directory: truncated or not a zip)");
	snprintf(path, sizeof path, "%s/cut.zip", tmpdir);
	{
		FILE *f = fopen(path, "wb");
		fwrite(b.p, 1, b.len, f);
		fclose(f);
	}
	z = unpack_zip_open_path(path, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK(strncmp(err, "cannot open zip archive: Not a zip archive", 42) == 0);

	/* not there */
	snprintf(path, sizeof path, "%s/missing.zip", tmpdir);
	z = unpack_zip_open_path(path, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK_STR(err, "cannot open zip archive: No such file");

	/* libzip takes zero bytes for an empty archive */
	b.len = 0;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		CHECK_INT(unpack_zip_next(z, &m), 0);
		unpack_zip_close(z);
	}

	free(res.p);
	free(b.p);
}

static void
test_zip_limits(void)
{
	struct dm_limits l;
	struct buf b = { 0 }, res = { 0 };
	struct unpack_zip *z;
	char err[256];
	size_t n = 20 * DM_MIB, i, rn = 256 * 1024;
	unsigned char *zeros = calloc(1, n), *noise = malloc(rn);
	uint32_t x = 2463534242u;
	struct zent ents[6];

	memset(ents, 0, sizeof ents);
	for (i = 0; i < 5; i++) {
		ents[i].name = "m.xml";
		ents[i].data = "<m/>";
		ents[i].len = 4;
	}
	/* zip-entries */
	zip_write(&b, ents, 5);
	dm_limits_default(&l);
	l.zip_entries = 4;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK_STR(err, "limit zip-entries exceeded (5 entries, at most 4)");
	l.zip_entries = 5;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	unpack_zip_close(z);

	/* declared sizes */
	dm_limits_default(&l);
	l.xml_bytes = 19;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK_STR(err, "limit xml-bytes exceeded (declared 20 bytes)");
	l.xml_bytes = 20;
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	unpack_zip_close(z);

	/* declared ratio: 20 MiB of zeros in a few KiB, past a 16 MiB floor */
	dm_limits_default(&l);
	l.ratio_floor = 16 * DM_MIB;
	b.len = 0;
	ents[0].data = zeros;
	ents[0].len = n;
	ents[0].method = 8;
	zip_write(&b, ents, 1);
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z == NULL);
	CHECK(strncmp(err, "limit ratio exceeded (declared 20971520 bytes from ",
	    51) == 0);
	CHECK(strstr(err, ": more than 200:1)") != NULL);

	/* a member's own ratio: hidden from the archive's by a stored member
	 * of noise, caught while reading */
	for (i = 0; i < rn; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	ents[1].name = "noise.bin";
	ents[1].data = noise;
	ents[1].len = rn;
	b.len = 0;
	zip_write(&b, ents, 2);
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		zip_list(z, &res);
		CHECK(strncmp((char *)res.p, "m.xml!limit ratio exceeded "
		    "(decompressed ", 40) == 0);
		CHECK(strstr((char *)res.p, "\nnoise.bin=") != NULL);
		unpack_zip_close(z);
	}

	/* a declared size that lies: stopped once past it */
	dm_limits_default(&l);
	l.xml_bytes = DM_MIB;
	ents[0].len = 2 * DM_MIB;
	b.len = 0;
	zip_write(&b, ents, 1);
	/* patch both declared sizes down to 100 bytes */
	{
		size_t off;
		for (off = 0; off + 4 <= b.len; off++) {
			uint32_t v = (uint32_t)b.p[off] | (uint32_t)b.p[off + 1] << 8 |
			    (uint32_t)b.p[off + 2] << 16 | (uint32_t)b.p[off + 3] << 24;
			if (v == 0x04034b50)
				memcpy(b.p + off + 22, "\x64\0\0\0", 4);
			else if (v == 0x02014b50)
				memcpy(b.p + off + 24, "\x64\0\0\0", 4);
		}
	}
	z = zip_mem(&b, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		res.len = 0;
		zip_list(z, &res);
		CHECK_STR((char *)res.p, "m.xml!corrupt zip member 'm.xml': "
		    "more data than its declared 100 bytes\n");
		unpack_zip_close(z);
	}

	free(zeros);
	free(noise);
	free(b.p);
	free(res.p);
}

/* A zip written to a pipe (data descriptors, no seeking), as Info-ZIP's
 * `zip - -` and streaming writers make them; Python writes one if there. */
static void
test_zip_streamed(void)
{
	struct dm_limits l;
	struct unpack_zip *z;
	struct buf res = { 0 }, b = { 0 };
	char path[512], cmd[1024], err[256];

	dm_limits_default(&l);
	snprintf(path, sizeof path, "%s/streamed.zip", tmpdir);
	snprintf(cmd, sizeof cmd, "python3 -c 'import zipfile,sys\n"
	    "with zipfile.ZipFile(sys.stdout.buffer, \"w\", zipfile.ZIP_DEFLATED) as z:\n"
	    "  z.writestr(\"r.xml\", \"<feedback/>\")\n' 2>/dev/null | cat > %s",
	    path);
	if (system(cmd) != 0 || (read_file(path, &b), b.len == 0)) {
		fprintf(stderr, "no python3: streamed zip test skipped\n");
		free(b.p);
		return;
	}
	CHECK(b.len > 30 && (b.p[6] & 8));	/* a data descriptor */
	z = unpack_zip_open_path(path, &l, err, sizeof err);
	CHECK(z != NULL);
	if (z != NULL) {
		zip_list(z, &res);
		CHECK_STR((char *)res.p, "r.xml=<feedback/>\n");
		unpack_zip_close(z);
	}

	/* Info-ZIP from a pipe: Zip64 local sizes and a data descriptor */
	snprintf(cmd, sizeof cmd, "printf '<feedback/>' | zip -q - - 2>/dev/null "
	    "| cat > %s", path);
	b.len = 0;
	if (system(cmd) != 0 || (read_file(path, &b), b.len == 0)) {
		fprintf(stderr, "no zip: Info-ZIP streamed test skipped\n");
	} else if ((z = unpack_zip_open_path(path, &l, err, sizeof err)) != NULL) {
		res.len = 0;
		zip_list(z, &res);
		CHECK_STR((char *)res.p, "-=<feedback/>\n");
		unpack_zip_close(z);
	} else {
		CHECK_STR(err, "");
	}
	free(res.p);
	free(b.p);
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_gzip();
	test_zlib();
	test_bombs();
	test_zip_odd();
	test_zip_libzip();
	test_zip_limits();
	test_zip_streamed();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
