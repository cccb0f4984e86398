/* SPDX-License-Identifier: MIT */
/* unpack.c: capped decompression of gzip and zlib streams and zip members. */
#include "unpack.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ZLIB_CONST
#include <zip.h>
#include <zlib.h>

/* Compressed bytes read from the source at a time. */
#define UNPACK_CHUNK (64 * 1024)

/* The output caps shared by gzip, zlib and zip members: fails `s` when more
 * than xml_bytes came out, or the ratio to `in` compressed bytes is above
 * the limit once past ratio_floor. */
static int
check_output(struct stream *s, const struct dm_limits *l, uint64_t out,
    uint64_t in)
{
	if (out > l->xml_bytes)
		return stream_fail(s, "limit %s exceeded (more than %" PRIu64
		    " bytes decompressed)", DM_LIMIT_XML_BYTES, l->xml_bytes);
	if (out > l->ratio_floor && (in == 0 || in <= UINT64_MAX / l->ratio) &&
	    out > l->ratio * in)
		return stream_fail(s, "limit %s exceeded (decompressed %" PRIu64
		    " bytes from %" PRIu64 ": more than %" PRIu64 ":1)",
		    DM_LIMIT_RATIO, out, in, l->ratio);
	return 0;
}

/* How much to ask for so that the read crossing xml_bytes is the one that
 * sees it. */
static size_t
output_room(const struct dm_limits *l, uint64_t out, size_t n)
{
	if (out <= l->xml_bytes && l->xml_bytes - out < n)
		n = (size_t)(l->xml_bytes - out) + 1;
	return n;
}

/* gzip and zlib. */

struct inflate_impl {
	struct stream *src;
	z_stream z;
	unsigned char *in;
	uint64_t in_read;	/* compressed bytes read from src */
	uint64_t out;		/* bytes produced */
	struct dm_limits l;
	const char *fmt;	/* "gzip" or "zlib" */
	int gzip, src_eof, done;
};

/* Reads more compressed bytes, keeping any unread ones.  Returns 0, or -1
 * with the source's error copied. */
static int
inflate_fill(struct stream *s, struct inflate_impl *f)
{
	size_t have = f->z.avail_in;
	ssize_t r;

	if (have > 0 && f->z.next_in != f->in)
		memmove(f->in, f->z.next_in, have);
	f->z.next_in = f->in;
	r = stream_read(f->src, f->in + have, UNPACK_CHUNK - have);
	if (r < 0)
		return stream_fail(s, "%s", stream_error(f->src));
	if (r == 0)
		f->src_eof = 1;
	f->in_read += (uint64_t)r;
	f->z.avail_in = (uInt)(have + (size_t)r);
	return 0;
}

/* After the end of a gzip member: another member follows when the next
 * bytes are 1f 8b; anything else (Mimecast's CRLF) is ignored.  Returns 1
 * when a member follows, 0 at the end, -1 on a read error. */
static int
inflate_next_member(struct stream *s, struct inflate_impl *f)
{
	while (f->z.avail_in < 2 && !f->src_eof)
		if (inflate_fill(s, f) < 0)
			return -1;
	if (f->z.avail_in >= 2 && f->z.next_in[0] == 0x1f &&
	    f->z.next_in[1] == 0x8b) {
		if (inflateReset(&f->z) != Z_OK)
			return stream_fail(s, "corrupt gzip data: inflateReset");
		return 1;
	}
	return 0;
}

static ssize_t
inflate_read(struct stream *s, void *buf, size_t n)
{
	struct inflate_impl *f = s->impl;
	size_t produced;
	int ret, more;

	if (f->done)
		return 0;
	n = output_room(&f->l, f->out, n);
	if (n > UINT_MAX)
		n = UINT_MAX;
	for (;;) {
		if (f->z.avail_in == 0 && !f->src_eof && inflate_fill(s, f) < 0)
			return -1;
		f->z.next_out = buf;
		f->z.avail_out = (uInt)n;
		ret = inflate(&f->z, Z_NO_FLUSH);
		produced = n - f->z.avail_out;
		switch (ret) {
		case Z_STREAM_END:
			more = f->gzip ? inflate_next_member(s, f) : 0;
			if (more < 0)
				return -1;
			if (more == 0)
				f->done = 1;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			if (produced == 0 && f->z.avail_in == 0 && f->src_eof)
				return stream_fail(s, "truncated %s data", f->fmt);
			break;
		case Z_NEED_DICT:
			return stream_fail(s, "corrupt %s data: needs a preset "
			    "dictionary", f->fmt);
		case Z_MEM_ERROR:
			return stream_fail(s, "out of memory");
		default:
			return stream_fail(s, "corrupt %s data: %s", f->fmt,
			    f->z.msg ? f->z.msg : "inflate failed");
		}
		if (produced > 0 || f->done)
			break;
	}
	f->out += produced;
	if (check_output(s, &f->l, f->out, f->in_read - f->z.avail_in) < 0)
		return -1;
	return (ssize_t)produced;
}

static void
inflate_close(struct stream *s)
{
	struct inflate_impl *f = s->impl;

	inflateEnd(&f->z);
	stream_close(f->src);
	free(f->in);
	free(f);
}

static const struct stream_ops inflate_ops = { inflate_read, inflate_close };

struct stream *
unpack_inflate(struct stream *src, int zlib_format, const struct dm_limits *l)
{
	struct inflate_impl *f = calloc(1, sizeof *f);
	struct stream *s = NULL;

	if (f == NULL || (f->in = malloc(UNPACK_CHUNK)) == NULL)
		goto fail;
	f->gzip = !zlib_format;
	f->fmt = zlib_format ? "zlib" : "gzip";
	f->l = *l;
	if (f->l.ratio == 0)
		f->l.ratio = 1;
	if (inflateInit2(&f->z, zlib_format ? 15 : 15 + 16) != Z_OK)
		goto fail;
	if ((s = stream_new(&inflate_ops, f)) == NULL) {
		inflateEnd(&f->z);
		goto fail;
	}
	f->src = src;
	return s;
fail:
	if (f != NULL)
		free(f->in);
	free(f);
	stream_close(src);
	return NULL;
}

/* zip. */

struct unpack_zip {
	zip_t *za;
	uint64_t nentries;
	uint64_t next;		/* next index unpack_zip_next looks at */
	uint64_t archive_bytes;
	struct dm_limits l;
};

static void
zip_code_error(int code, char *err, size_t errlen)
{
	zip_error_t ze;
	const char *hint = "";

	if (code == ZIP_ER_NOZIP)
		hint = " (no end of central directory: truncated or not a zip)";
	zip_error_init_with_code(&ze, code);
	snprintf(err, errlen, "cannot open zip archive: %s%s",
	    zip_error_strerror(&ze), hint);
	zip_error_fini(&ze);
}

/* Bytes of a zip archive at an offset: a file or a buffer. */
struct zip_bytes {
	FILE *f;
	const unsigned char *buf;
	uint64_t len;
};

static int
zip_bytes_at(const struct zip_bytes *zb, uint64_t off, unsigned char *out,
    size_t n)
{
	if (off > zb->len || n > zb->len - off)
		return -1;
	if (zb->buf != NULL) {
		memcpy(out, zb->buf + off, n);
		return 0;
	}
	if (off > (uint64_t)LONG_MAX || fseek(zb->f, (long)off, SEEK_SET) != 0)
		return -1;
	return fread(out, 1, n, zb->f) == n ? 0 : -1;
}

static uint64_t
le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/*
 * The entry count the end of central directory record declares (zip64 too),
 * read before libzip loads the whole central directory: 100,000 entries
 * take it tens of MiB.  Returns 0 when unknown (libzip then decides).
 */
static uint64_t
zip_declared_entries(const struct zip_bytes *zb)
{
	unsigned char tail[22 + 65535], z64[56];
	uint64_t off, n, rec;
	size_t tlen, i;

	tlen = zb->len < sizeof tail ? (size_t)zb->len : sizeof tail;
	off = zb->len - tlen;
	if (tlen < 22 || zip_bytes_at(zb, off, tail, tlen) != 0)
		return 0;
	for (i = tlen - 22 + 1; i-- > 0;)
		if (memcmp(tail + i, "PK\005\006", 4) == 0)
			break;
	if (i == (size_t)-1)
		return 0;
	n = le(tail + i + 10, 2);
	if (n != 0xffff)
		return n;
	/* zip64: the locator just before, pointing at the zip64 record */
	if (off + i < 20 ||
	    zip_bytes_at(zb, off + i - 20, z64, 20) != 0 ||
	    memcmp(z64, "PK\006\007", 4) != 0)
		return n;
	rec = le(z64 + 8, 8);
	if (zip_bytes_at(zb, rec, z64, sizeof z64) != 0 ||
	    memcmp(z64, "PK\006\006", 4) != 0)
		return n;
	return le(z64 + 32, 8);
}

static int
zip_too_many(const struct zip_bytes *zb, const struct dm_limits *l, char *err,
    size_t errlen)
{
	uint64_t n = zip_declared_entries(zb);

	if (n <= l->zip_entries)
		return 0;
	snprintf(err, errlen, "limit %s exceeded (%" PRIu64 " entries, at most %"
	    PRIu64 ")", DM_LIMIT_ZIP_ENTRIES, n, l->zip_entries);
	return 1;
}

/* The container checks; on failure discards the archive. */
static struct unpack_zip *
zip_checked(zip_t *za, uint64_t archive_bytes, const struct dm_limits *l,
    char *err, size_t errlen)
{
	struct unpack_zip *z;
	zip_int64_t n = zip_get_num_entries(za, 0);
	zip_stat_t st;
	uint64_t i, total = 0, ratio = l->ratio ? l->ratio : 1;

	if (n < 0) {
		snprintf(err, errlen, "cannot read zip archive: %s",
		    zip_strerror(za));
		goto fail;
	}
	if ((uint64_t)n > l->zip_entries) {
		snprintf(err, errlen, "limit %s exceeded (%" PRId64 " entries, "
		    "at most %" PRIu64 ")", DM_LIMIT_ZIP_ENTRIES, (int64_t)n,
		    l->zip_entries);
		goto fail;
	}
	for (i = 0; i < (uint64_t)n; i++) {
		if (zip_stat_index(za, i, 0, &st) != 0 ||
		    !(st.valid & ZIP_STAT_SIZE))
			continue;
		total = st.size > UINT64_MAX - total ? UINT64_MAX : total + st.size;
	}
	if (total > l->xml_bytes) {
		snprintf(err, errlen, "limit %s exceeded (declared %" PRIu64
		    " bytes)", DM_LIMIT_XML_BYTES, total);
		goto fail;
	}
	if (total > l->ratio_floor && archive_bytes <= UINT64_MAX / ratio &&
	    total > ratio * archive_bytes) {
		snprintf(err, errlen, "limit %s exceeded (declared %" PRIu64
		    " bytes from %" PRIu64 ": more than %" PRIu64 ":1)",
		    DM_LIMIT_RATIO, total, archive_bytes, ratio);
		goto fail;
	}
	if ((z = calloc(1, sizeof *z)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	z->za = za;
	z->nentries = (uint64_t)n;
	z->archive_bytes = archive_bytes;
	z->l = *l;
	z->l.ratio = ratio;
	return z;
fail:
	zip_discard(za);
	return NULL;
}

struct unpack_zip *
unpack_zip_open_path(const char *path, const struct dm_limits *l, char *err,
    size_t errlen)
{
	struct stat sb;
	struct zip_bytes zb = { NULL, NULL, 0 };
	zip_t *za;
	int code = 0, many = 0;

	if (stat(path, &sb) == 0 && (zb.f = fopen(path, "rb")) != NULL) {
		zb.len = (uint64_t)sb.st_size;
		many = zip_too_many(&zb, l, err, errlen);
		fclose(zb.f);
		if (many)
			return NULL;
	}
	if ((za = zip_open(path, ZIP_RDONLY, &code)) == NULL) {
		zip_code_error(code, err, errlen);
		return NULL;
	}
	if (stat(path, &sb) != 0)
		sb.st_size = 0;
	return zip_checked(za, (uint64_t)sb.st_size, l, err, errlen);
}

struct unpack_zip *
unpack_zip_open_mem(unsigned char *buf, size_t len, const struct dm_limits *l,
    char *err, size_t errlen)
{
	struct zip_bytes zb = { NULL, buf, len };
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	if (zip_too_many(&zb, l, err, errlen)) {
		free(buf);
		return NULL;
	}
	zip_error_init(&ze);
	if (len == 0) {		/* libzip would not keep (or free) it */
		free(buf);
		buf = NULL;
	}
	/* freep = 1: libzip frees buf with the source. */
	if ((src = zip_source_buffer_create(buf, len, 1, &ze)) == NULL) {
		free(buf);
		snprintf(err, errlen, "cannot open zip archive: %s",
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return NULL;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		zip_code_error(zip_error_code_zip(&ze), err, errlen);
		zip_error_fini(&ze);
		zip_source_free(src);	/* frees buf */
		return NULL;
	}
	zip_error_fini(&ze);
	return zip_checked(za, len, l, err, errlen);
}

/* Members that cannot hold a report: directories, macOS resource forks. */
static int
zip_skipped(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '/')
		return 1;
	if (strncmp(name, "__MACOSX/", 9) == 0 || strstr(name, "/__MACOSX/"))
		return 1;
	base = base ? base + 1 : name;
	return strncmp(base, "._", 2) == 0;
}

int
unpack_zip_next(struct unpack_zip *z, struct unpack_zip_member *m)
{
	zip_stat_t st;
	const char *name;
	uint64_t i;

	while ((i = z->next) < z->nentries) {
		z->next++;
		zip_stat_init(&st);
		if (zip_stat_index(z->za, i, 0, &st) == 0 &&
		    (st.valid & ZIP_STAT_NAME))
			name = st.name;
		else
			name = zip_get_name(z->za, i, 0);
		if (name == NULL)
			name = "";
		if (zip_skipped(name))
			continue;
		memset(m, 0, sizeof *m);
		m->index = i;
		if (name[0] == '\0')
			snprintf(m->name, sizeof m->name, "(unnamed member %" PRIu64
			    ")", i + 1);
		else
			snprintf(m->name, sizeof m->name, "%s", name);
		m->size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
		return 1;
	}
	return 0;
}

/* A name that would escape a directory if someone extracted it. */
static int
zip_unsafe_name(const char *name)
{
	const char *p = name, *q;
	size_t len;

	if (name[0] == '/' || name[0] == '\\' || strstr(name, "\\..") != NULL)
		return 1;
	for (;;) {
		q = p + strcspn(p, "/\\");
		len = (size_t)(q - p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (*q == '\0')
			return 0;
		p = q + 1;
	}
}

struct member_impl {
	zip_file_t *zf;
	uint64_t out;
	uint64_t comp_size;
	uint64_t size;		/* declared uncompressed size */
	int has_size;
	struct dm_limits l;
	char name[512];
};

static ssize_t
member_read(struct stream *s, void *buf, size_t n)
{
	struct member_impl *mi = s->impl;
	zip_int64_t r;

	n = output_room(&mi->l, mi->out, n);
	r = zip_fread(mi->zf, buf, n);
	if (r < 0)
		return stream_fail(s, "corrupt zip member '%s': %s", mi->name,
		    zip_file_strerror(mi->zf));
	mi->out += (uint64_t)r;
	/* libzip inflates past the size the directory declares: a member
	 * that lies about its size (a bomb that passed the declared-size
	 * checks) is corrupt */
	if (mi->has_size && mi->out > mi->size)
		return stream_fail(s, "corrupt zip member '%s': more data than "
		    "its declared %" PRIu64 " bytes", mi->name, mi->size);
	if (check_output(s, &mi->l, mi->out, mi->comp_size) < 0)
		return -1;
	return (ssize_t)r;
}

static void
member_close(struct stream *s)
{
	struct member_impl *mi = s->impl;

	zip_fclose(mi->zf);
	free(mi);
}

static const struct stream_ops member_ops = { member_read, member_close };

/* Opens a member for reading after the checks every read needs. */
static zip_file_t *
member_open(struct unpack_zip *z, const struct unpack_zip_member *m,
    zip_stat_t *st, char *err, size_t errlen)
{
	const char *name = zip_get_name(z->za, m->index, 0);
	zip_file_t *zf;

	if (name == NULL) {
		snprintf(err, errlen, "cannot read zip member '%s': %s", m->name,
		    zip_strerror(z->za));
		return NULL;
	}
	if (zip_unsafe_name(name)) {
		snprintf(err, errlen, "unsafe member name '%s'", m->name);
		return NULL;
	}
	zip_stat_init(st);
	if (zip_stat_index(z->za, m->index, 0, st) != 0) {
		snprintf(err, errlen, "cannot read zip member '%s': %s", m->name,
		    zip_strerror(z->za));
		return NULL;
	}
	if ((st->valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st->encryption_method != ZIP_EM_NONE) {
		snprintf(err, errlen, "zip member '%s' is encrypted", m->name);
		return NULL;
	}
	if ((zf = zip_fopen_index(z->za, m->index, 0)) == NULL) {
		snprintf(err, errlen, "cannot open zip member '%s': %s", m->name,
		    zip_strerror(z->za));
		return NULL;
	}
	return zf;
}

struct stream *
unpack_zip_member_stream(struct unpack_zip *z,
    const struct unpack_zip_member *m, char *err, size_t errlen)
{
	struct member_impl *mi;
	struct stream *s;
	zip_stat_t st;
	zip_file_t *zf;

	if ((zf = member_open(z, m, &st, err, errlen)) == NULL)
		return NULL;
	if ((mi = calloc(1, sizeof *mi)) == NULL ||
	    (s = stream_new(&member_ops, mi)) == NULL) {
		free(mi);
		zip_fclose(zf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mi->zf = zf;
	mi->l = z->l;
	mi->comp_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	mi->has_size = (st.valid & ZIP_STAT_SIZE) != 0;
	mi->size = mi->has_size ? st.size : 0;
	snprintf(mi->name, sizeof mi->name, "%s", m->name);
	return s;
}

/* Reads up to `max` bytes and stops there: a longer member is not an error
 * (the caller asks for one byte more than it keeps to tell). */
int
unpack_zip_member_bytes(struct unpack_zip *z,
    const struct unpack_zip_member *m, uint64_t max, unsigned char **out,
    size_t *len)
{
	struct stream *s;
	unsigned char *b = NULL, *nb;
	size_t used = 0, size = 0;
	char err[256];
	ssize_t r;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if (max > SIZE_MAX - 1)
		max = SIZE_MAX - 1;
	if ((s = unpack_zip_member_stream(z, m, err, sizeof err)) == NULL)
		return -1;
	for (;;) {
		if (used == size) {
			if (used == max)
				break;
			size = size == 0 ? UNPACK_CHUNK : size * 2;
			if (size > max)
				size = (size_t)max;
			if ((nb = realloc(b, size + 1)) == NULL)
				goto out;
			b = nb;
		}
		if ((r = stream_read(s, b + used, size - used)) < 0)
			goto out;
		if (r == 0)
			break;
		used += (size_t)r;
	}
	if (b == NULL && (b = malloc(1)) == NULL)
		goto out;
	b[used] = '\0';
	*out = b;
	*len = used;
	b = NULL;
	ret = 0;
out:
	free(b);
	stream_close(s);
	return ret;
}

void
unpack_zip_close(struct unpack_zip *z)
{
	if (z == NULL)
		return;
	zip_discard(z->za);
	free(z);
}
