/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c: one payload through sniff, unpack, parse and store (see
 * pipeline.h).  Over 800 lines: every kind of unit (file, standard input,
 * zip member, mail part, retried failure) shares run_unit and
 * record_failure, which stay static here.
 */
/* O_TMPFILE: the stdin spool file never has a name (see spool_open). */
#define _GNU_SOURCE
#include "dm_array.h"
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claim.h"
#include "mail.h"
#include "parse.h"
#include "sha256.h"
#include "sniff.h"
#include "store.h"
#include "stream.h"
#include "unpack.h"
#include "writer.h"

/* A batch commits after this many reports (and failures). */
#define BATCH_REPORTS 500
/* Read size for payload bytes. */
#define CHUNK (64 * 1024)

struct pipeline {
	struct store *st;
	struct writer *w;		/* runs the store on its own thread */
	const struct dm_limits *lim;
	struct pipeline_callbacks cb;
	struct pipeline_stats stats;
	int in_batch;
	unsigned batch_count;
	int hold_batch;			/* pipeline_message: one transaction */
	int fatal;
	char err[512];
	unsigned char *buf;		/* CHUNK bytes of read buffer */
	/* the failure being retried, and the failures its payload made */
	struct {
		int active;
		int64_t id;
		int self;		/* it failed again as a whole */
		int64_t first_other;	/* failures with another id */
		unsigned others, others_unkept;
		char *name;		/* pipeline_retry's input_name */
	} retry;
};

/* What a payload is and how to read its bytes again to record a failure. */
enum unit_kind { U_FILE, U_MEM, U_MEMBER };

struct unit {
	enum unit_kind kind;
	const char *path;			/* U_FILE */
	int has_range;				/* U_FILE: only [range_off, +range_len) */
	uint64_t range_off, range_len;
	const unsigned char *mem;		/* U_MEM */
	size_t memlen;
	struct unpack_zip *zip;			/* U_MEMBER */
	const struct unpack_zip_member *member;
	const char *filename;			/* hint for a missing policy domain */
	struct store_provenance prov;		/* prov.input_name names the unit */
	unsigned failures;			/* payloads of this unit that failed */
	char *why;				/* OUT_NOT_REPORT: what it is (U_MEMBER) */
	size_t whylen;
};

/* The outcome of processing a payload's bytes.  OUT_NOT_REPORT: a zip
 * member that is no report at all (a PDF, an image, a signature), left to
 * the archive to judge. */
enum outcome { OUT_DONE, OUT_FAILED, OUT_FATAL, OUT_NOT_REPORT };

static void
diag(struct pipeline *p, enum pipeline_level lv, const char *input,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
diag(struct pipeline *p, enum pipeline_level lv, const char *input,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lv == PIPE_WARNING)
		p->stats.warnings++;
	if (p->cb.diag == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->cb.diag(p->cb.ctx, lv, input, msg);
}

static int
fatal(struct pipeline *p, const char *msg)
{
	if (!p->fatal)
		snprintf(p->err, sizeof p->err, "%s", msg);
	p->fatal = 1;
	return -1;
}

struct pipeline *
pipeline_new(struct store *st, const struct dm_limits *l,
    const struct pipeline_callbacks *cb)
{
	struct pipeline *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	if ((p->buf = malloc(CHUNK)) == NULL) {
		free(p);
		return NULL;
	}
	p->st = st;
	p->lim = l;
	if (cb != NULL)
		p->cb = *cb;
	if ((p->w = writer_new(st)) == NULL) {
		free(p->buf);
		free(p);
		return NULL;
	}
	return p;
}

static int
batch_open(struct pipeline *p)
{
	if (p->in_batch)
		return 0;
	if (writer_begin(p->w) != 0)
		return fatal(p, writer_error(p->w));
	p->in_batch = 1;
	p->batch_count = 0;
	return 0;
}

/* Queues the commit of the open batch. */
static int
batch_close(struct pipeline *p)
{
	if (!p->in_batch)
		return 0;
	p->in_batch = 0;
	if (writer_commit(p->w) != 0)
		return fatal(p, writer_error(p->w));
	return 0;
}

int
pipeline_flush(struct pipeline *p)
{
	if (batch_close(p) != 0)
		return -1;
	if (writer_sync(p->w) != 0)
		return fatal(p, writer_error(p->w));
	return 0;
}

static int
batch_tick(struct pipeline *p)
{
	if (++p->batch_count >= BATCH_REPORTS && !p->hold_batch)
		return batch_close(p);
	return 0;
}

/* --- one XML document --------------------------------------------------- */

struct parse_ctx {
	struct pipeline *p;
	struct unit *u;
	struct parser *parser;
	int records;		/* handed to the writer so far */
};

static int
on_record(void *ctx, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	struct parse_ctx *pc = ctx;

	if (writer_record(pc->p->w, pc->records++ == 0 ? so_far : NULL,
	    rec) != 0) {
		fatal(pc->p, writer_error(pc->p->w));
		parse_set_error(pc->parser, writer_error(pc->p->w));
		return -1;
	}
	return 0;
}

static void
on_warning(void *ctx, const char *msg)
{
	struct parse_ctx *pc = ctx;

	diag(pc->p, PIPE_WARNING, pc->u->prov.input_name, "%s", msg);
}

static enum outcome
parse_stream(struct pipeline *p, struct unit *u, struct stream *s,
    char *reason, size_t rlen)
{
	struct parse_callbacks cbs = { NULL, on_record, on_warning };
	struct parse_ctx pc = { p, u, NULL, 0 };
	const struct dm_report *rep;
	struct parse_stats ps;
	struct sha256 *sha = NULL;
	char hex[65];
	enum outcome out = OUT_FAILED;
	ssize_t n;

	cbs.ctx = &pc;
	if (batch_open(p) != 0)
		return OUT_FATAL;
	if (writer_report_start(p->w, &u->prov) != 0) {
		fatal(p, writer_error(p->w));
		return OUT_FATAL;
	}
	if ((pc.parser = parse_new(p->lim, u->filename, u->prov.message_subject,
	    &cbs)) == NULL || (sha = sha256_new()) == NULL) {
		snprintf(reason, rlen, "out of memory");
		goto out;
	}
	for (;;) {
		n = stream_read(s, p->buf, CHUNK);
		if (n < 0) {
			snprintf(reason, rlen, "%s", stream_error(s));
			goto out;
		}
		if (n == 0)
			break;
		sha256_update(sha, p->buf, (size_t)n);
		if (parse_push(pc.parser, p->buf, (size_t)n) != 0) {
			if (p->fatal)
				goto out;
			snprintf(reason, rlen, "%s", parse_error(pc.parser));
			goto out;
		}
	}
	if (parse_finish(pc.parser, &rep) != 0) {
		if (!p->fatal)
			snprintf(reason, rlen, "%s", parse_error(pc.parser));
		goto out;
	}
	sha256_hex(sha, hex);
	parse_stats(pc.parser, &ps);
	if (writer_report_end(p->w, rep, hex, ps.records_skipped) != 0) {
		fatal(p, writer_error(p->w));
		goto out;
	}
	out = batch_tick(p) == 0 ? OUT_DONE : OUT_FATAL;
out:
	if (out != OUT_DONE && writer_report_abort(p->w) != 0)
		fatal(p, writer_error(p->w));
	if (p->fatal)
		out = OUT_FATAL;
	sha256_free(sha);
	parse_free(pc.parser);
	return out;
}

/* --- sniffing and unpacking ---------------------------------------------- */

static enum outcome run_unit(struct pipeline *p, struct unit *u);
static enum outcome record_failure(struct pipeline *p, struct unit *u,
    const char *reason);

/* A printable preview of the first bytes, for "not a report" messages. */
static void
preview(const unsigned char *b, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < 16 && o + 5 < outlen; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			out[o++] = (char)b[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", b[i]);
	}
	out[o] = '\0';
}

/* A zip member that is no report, held until the archive is judged. */
struct skipped {
	char *name;
	char *why;
};

static void
skipped_free(struct skipped *sk, size_t n)
{
	while (n-- > 0) {
		free(sk[n].name);
		free(sk[n].why);
	}
	free(sk);
}

/*
 * Every member is a payload of its own.  Members that are no report at all
 * (a PDF, an image, a signature beside the report: content of no report
 * kind, under a name that is not a report's) are skipped with a warning
 * when some member is a report, stored or failed; an archive that holds
 * nothing but them fails as a whole, with `reason` naming them.
 */
static enum outcome
process_zip(struct pipeline *p, struct unit *u, struct unpack_zip *z,
    char *reason, size_t rlen)
{
	struct unpack_zip_member m;
	struct unit mu;
	struct skipped *sk = NULL;
	char name[1200], why[256];
	size_t nsk_used = 0, nsk_cap = 0, i, off;
	unsigned reports = 0;
	enum outcome o;

	snprintf(reason, rlen, "zip archive holds no report");
	while (unpack_zip_next(z, &m) == 1) {
		snprintf(name, sizeof name, "%s:%s", u->prov.input_name, m.name);
		memset(&mu, 0, sizeof mu);
		mu.kind = U_MEMBER;
		mu.zip = z;
		mu.member = &m;
		mu.filename = m.name;
		mu.prov = u->prov;
		mu.prov.input_name = name;
		/* a member named like a report file (claim.h) is judged as a
		 * report whatever it holds: a damaged one is recorded, never
		 * skipped */
		if (!claim_by_name("", m.name)) {
			mu.why = why;
			mu.whylen = sizeof why;
		}
		o = run_unit(p, &mu);
		if (o == OUT_FATAL) {
			skipped_free(sk, nsk_used);
			return o;
		}
		u->failures += mu.failures;
		if (o != OUT_NOT_REPORT) {
			reports++;
			continue;
		}
		/* at most zip-entries of them (the unpacker stops there) */
		if (dm_array_reserve(&sk, &nsk_cap, nsk_used + 1, sizeof *sk,
		    p->lim->zip_entries < (1u << 30) ?
		    (size_t)p->lim->zip_entries + 1 : (size_t)1 << 30) != 0) {
			skipped_free(sk, nsk_used);
			fatal(p, "out of memory");
			return OUT_FATAL;
		}
		sk[nsk_used].name = strdup(m.name);
		sk[nsk_used].why = strdup(why);
		nsk_used++;
		if (sk[nsk_used - 1].name == NULL || sk[nsk_used - 1].why == NULL) {
			skipped_free(sk, nsk_used);
			fatal(p, "out of memory");
			return OUT_FATAL;
		}
	}
	for (i = 0; i < nsk_used && reports > 0; i++) {
		snprintf(name, sizeof name, "%s:%s", u->prov.input_name,
		    sk[i].name);
		diag(p, PIPE_WARNING, name, "not a report, skipped (%s)",
		    sk[i].why);
	}
	if (reports == 0 && nsk_used > 0) {
		off = (size_t)snprintf(reason, rlen, "zip archive holds no "
		    "report: ");
		for (i = 0; i < nsk_used && off < rlen; i++)
			off += (size_t)snprintf(reason + off, rlen - off, "%s%s "
			    "(%s)", i > 0 ? ", " : "", sk[i].name, sk[i].why);
	}
	skipped_free(sk, nsk_used);
	return reports == 0 ? OUT_FAILED : OUT_DONE;
}

/* Reads a stream of unknown kind: sniff, then parse or unpack. `layers`
 * counts the compression layers around it.  Consumes (closes) s. */
static enum outcome process_kind(struct pipeline *p, struct unit *u,
    struct stream *s, unsigned layers, char *reason, size_t rlen);

static enum outcome
process_stream(struct pipeline *p, struct unit *u, struct stream *s,
    unsigned layers, char *reason, size_t rlen)
{
	unsigned char head[SNIFF_BYTES];
	struct stream *inner;
	enum sniff_kind kind;
	ssize_t n;

	if ((n = stream_peek(s, head, sizeof head)) < 0) {
		snprintf(reason, rlen, "%s", stream_error(s));
		stream_close(s);
		return OUT_FAILED;
	}
	kind = sniff_kind(head, (size_t)n);
	if (kind == SNIFF_GZIP || kind == SNIFF_ZLIB) {
		if (layers >= p->lim->nesting) {
			snprintf(reason, rlen, "limit " DM_LIMIT_NESTING
			    " exceeded (more than %llu compression layers)",
			    (unsigned long long)p->lim->nesting);
			stream_close(s);
			return OUT_FAILED;
		}
		/* the inflate stream owns s from here */
		if ((inner = unpack_inflate(s, kind == SNIFF_ZLIB, p->lim)) == NULL) {
			snprintf(reason, rlen, "out of memory");
			return OUT_FAILED;
		}
		return process_stream(p, u, inner, layers + 1, reason, rlen);
	}
	{
		enum outcome o = process_kind(p, u, s, layers, reason, rlen);
		stream_close(s);
		return o;
	}
}

/* --- mail -------------------------------------------------------------------- */

struct mail_ctx {
	struct pipeline *p;
	struct unit *u;
	int mbox;
	int fatal;
};

/* "path:part" for a message file, "path@offset:part" for an mbox. */
static void
part_name(const struct mail_ctx *mc, const struct mail_message *m,
    const char *part, unsigned index, char *buf, size_t len)
{
	int n;

	if (mc->mbox)
		n = snprintf(buf, len, "%s@%lld", mc->u->prov.input_name,
		    (long long)m->offset);
	else
		n = snprintf(buf, len, "%s", mc->u->prov.input_name);
	if (n < 0 || (size_t)n >= len)
		return;
	if (part != NULL)
		snprintf(buf + n, len - (size_t)n, ":%s", part);
	else if (index > 0)
		snprintf(buf + n, len - (size_t)n, ":part %u", index);
}

/* The message's provenance on top of the unit's. */
static void
message_prov(const struct mail_ctx *mc, const struct mail_message *m,
    const char *name, struct store_provenance *pv)
{
	*pv = mc->u->prov;
	pv->input_name = name;
	pv->message_id = m->message_id;
	pv->message_date = m->date;
	pv->message_from = m->from;
	pv->message_subject = m->subject;
	if (mc->mbox) {
		pv->mbox_path = mc->u->prov.input_name;
		pv->mbox_offset = m->offset;
	}
}

static int
on_mail_part(void *ctx, const struct mail_message *m, const struct mail_part *part)
{
	struct mail_ctx *mc = ctx;
	char name[1500];
	struct unit pu;

	part_name(mc, m, part->name, part->index, name, sizeof name);
	memset(&pu, 0, sizeof pu);
	pu.kind = U_MEM;
	pu.mem = part->data;
	pu.memlen = part->len;
	pu.filename = part->name;
	message_prov(mc, m, name, &pu.prov);
	if (run_unit(mc->p, &pu) == OUT_FATAL) {
		mc->fatal = 1;
		return -1;
	}
	mc->u->failures += pu.failures;
	return 0;
}

static int
on_mail_done(void *ctx, const struct mail_message *m, unsigned reports,
    unsigned other, const char *error)
{
	struct mail_ctx *mc = ctx;
	struct pipeline *p = mc->p;
	char name[1500];
	struct unit mu;

	p->stats.messages_scanned++;
	p->stats.other_reports += other;
	if (error == NULL) {
		if (reports == 0 && other == 0)
			p->stats.messages_without_report++;
		return 0;
	}
	/* the message itself failed: record it, with its own bytes */
	part_name(mc, m, NULL, 0, name, sizeof name);
	mu = *mc->u;
	message_prov(mc, m, name, &mu.prov);
	mu.failures = 0;
	if (mc->mbox && mu.kind == U_FILE) {
		mu.has_range = 1;
		mu.range_off = (uint64_t)m->offset;
		mu.range_len = m->size;
	} else if (mc->mbox && mu.kind == U_MEM && (uint64_t)m->offset < mu.memlen) {
		mu.mem += m->offset;
		mu.memlen = m->size < mu.memlen - (uint64_t)m->offset ? m->size :
		    mu.memlen - (uint64_t)m->offset;
	}
	if (record_failure(p, &mu, error) == OUT_FATAL) {
		mc->fatal = 1;
		return -1;
	}
	mc->u->failures += mu.failures;
	return 0;
}

static enum outcome
process_mail(struct pipeline *p, struct unit *u, int mbox, char *reason,
    size_t rlen)
{
	struct mail_ctx mc = { p, u, mbox, 0 };
	struct mail_callbacks cb = { &mc, on_mail_part, on_mail_done };
	int rc;

	if (u->kind == U_FILE)
		rc = mail_scan_file(u->path, mbox, p->lim, &cb, reason, rlen);
	else
		rc = mail_scan_mem(u->mem, u->memlen, mbox, p->lim, &cb, reason,
		    rlen);
	if (mc.fatal || p->fatal)
		return OUT_FATAL;
	return rc == 0 ? OUT_DONE : OUT_FAILED;
}

/* The payload kinds that end the unpacking: XML, zip, mail, and the failures. */
static enum outcome
process_kind(struct pipeline *p, struct unit *u, struct stream *s,
    unsigned layers, char *reason, size_t rlen)
{
	unsigned char head[SNIFF_BYTES];
	char pv[80], zerr[512];
	struct unpack_zip *z;
	enum sniff_kind kind;
	enum outcome o;
	ssize_t n;

	n = stream_peek(s, head, sizeof head);
	kind = sniff_kind(head, n > 0 ? (size_t)n : 0);
	switch (kind) {
	case SNIFF_XML:
		return parse_stream(p, u, s, reason, rlen);
	case SNIFF_ZIP:
		if (layers > 0 || u->kind == U_MEMBER) {
			snprintf(reason, rlen, "zip archive inside %s refused",
			    u->kind == U_MEMBER ? "a zip archive" : "compressed data");
			return OUT_FAILED;
		}
		if (u->kind == U_FILE) {
			struct stat zs;

			if (stat(u->path, &zs) == 0 &&
			    (uint64_t)zs.st_size > p->lim->input_bytes) {
				snprintf(reason, rlen, "limit " DM_LIMIT_INPUT_BYTES
				    " exceeded (%llu bytes, at most %llu)",
				    (unsigned long long)zs.st_size,
				    (unsigned long long)p->lim->input_bytes);
				return OUT_FAILED;
			}
			z = unpack_zip_open_path(u->path, p->lim, zerr, sizeof zerr);
		} else {
			unsigned char *copy = malloc(u->memlen ? u->memlen : 1);
			if (copy == NULL) {
				snprintf(reason, rlen, "out of memory");
				return OUT_FAILED;
			}
			memcpy(copy, u->mem, u->memlen);
			z = unpack_zip_open_mem(copy, u->memlen, p->lim, zerr,
			    sizeof zerr);
		}
		if (z == NULL) {
			snprintf(reason, rlen, "%s", zerr);
			return OUT_FAILED;
		}
		o = process_zip(p, u, z, reason, rlen);
		unpack_zip_close(z);
		return o;
	case SNIFF_EMPTY:
		if (u->kind == U_MEMBER && layers == 0 && u->why != NULL) {
			snprintf(u->why, u->whylen, "empty");
			return OUT_NOT_REPORT;
		}
		snprintf(reason, rlen, layers ? "empty data inside compressed payload"
		    : "empty payload");
		return OUT_FAILED;
	case SNIFF_MBOX:
	case SNIFF_MESSAGE:
		if (layers > 0 || u->kind == U_MEMBER) {
			snprintf(reason, rlen, "mail inside %s refused",
			    u->kind == U_MEMBER ? "a zip archive" : "compressed data");
			return OUT_FAILED;
		}
		return process_mail(p, u, kind == SNIFF_MBOX, reason, rlen);
	case SNIFF_GZIP:	/* unpacked by process_stream, never here */
	case SNIFF_ZLIB:
	case SNIFF_OTHER:
	default:
		preview(head, (size_t)n, pv, sizeof pv);
		if (u->kind == U_MEMBER && layers == 0 && u->why != NULL) {
			/* a document beside the report: the archive decides */
			snprintf(u->why, u->whylen, "content starting with "
			    "\"%s\"", pv);
			return OUT_NOT_REPORT;
		}
		snprintf(reason, rlen, "not a DMARC report: %s content starting "
		    "with \"%s\"", layers ? "decompressed" : "unrecognized", pv);
		return OUT_FAILED;
	}
}

/* --- recording failures --------------------------------------------------- */

/* Reads the unit's bytes again: the hash over all of them, and the first
 * keep-failed-bytes of them for the database. */
static int
unit_bytes(struct pipeline *p, struct unit *u, unsigned char **out,
    size_t *len, uint64_t *size, char sha[65])
{
	struct sha256 *g = sha256_new();
	uint64_t keep = p->lim->keep_failed_bytes, total = 0;
	unsigned char *b = NULL;
	size_t blen = 0, bcap = 0;
	int fd = -1, rc = -1, keep_none = 0;
	ssize_t n;

	*out = NULL;
	*len = 0;
	if (g == NULL)
		return -1;
	switch (u->kind) {
	case U_MEM:
		sha256_update(g, u->mem, u->memlen);
		total = u->memlen;
		if (u->memlen <= keep && (b = malloc(u->memlen ? u->memlen : 1)) != NULL) {
			memcpy(b, u->mem, u->memlen);
			blen = u->memlen;
		}
		break;
	case U_MEMBER:
		if (u->member->size > keep) {
			/* too large to keep: hash it as it streams, keep nothing */
			char zerr[256];
			struct stream *ms = unpack_zip_member_stream(u->zip,
			    u->member, zerr, sizeof zerr);
			if (ms != NULL) {
				while ((n = stream_read(ms, p->buf, CHUNK)) > 0) {
					sha256_update(g, p->buf, (size_t)n);
					total += (uint64_t)n;
				}
				stream_close(ms);
				if (total > 0)
					break;
			}
		}
		if (unpack_zip_member_bytes(u->zip, u->member, keep + 1, &b,
		    &blen) != 0) {
			/* unreadable member: identify it by name and size */
			char id[700];
			snprintf(id, sizeof id, "zip-member:%s:%s:%llu",
			    u->prov.input_name, u->member->name,
			    (unsigned long long)u->member->size);
			sha256_update(g, id, strlen(id));
			total = u->member->size;
			b = NULL;
			blen = 0;
			break;
		}
		sha256_update(g, b, blen);
		total = blen > keep ? u->member->size : blen;
		if (blen > keep) {
			free(b);
			b = NULL;
			blen = 0;
		}
		break;
	case U_FILE:
		if ((fd = open(u->path, O_RDONLY | O_CLOEXEC)) < 0)
			goto out;
		if (u->has_range && lseek(fd, (off_t)u->range_off, SEEK_SET) < 0)
			goto out;
		{
			/* too large to keep: only hash it, never buffer it */
			struct stat fs;
			uint64_t fsize = u->has_range ? u->range_len :
			    fstat(fd, &fs) == 0 ? (uint64_t)fs.st_size : 0;
			if (fsize > keep)
				keep_none = 1;
		}
		while ((n = read(fd, p->buf, u->has_range &&
		    u->range_len - total < CHUNK ? (size_t)(u->range_len - total) :
		    CHUNK)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			sha256_update(g, p->buf, (size_t)n);
			total += (uint64_t)n;
			if (!keep_none && (b != NULL || total == (uint64_t)n)) {
				if (total > keep) {
					free(b);
					b = NULL;
					blen = 0;
					continue;
				}
				if (blen + (size_t)n > bcap) {
					size_t nc = bcap ? bcap * 2 : 1 << 16;
					unsigned char *nb;
					while (nc < blen + (size_t)n)
						nc *= 2;
					if ((nb = realloc(b, nc)) == NULL)
						goto out;
					b = nb;
					bcap = nc;
				}
				memcpy(b + blen, p->buf, (size_t)n);
				blen += (size_t)n;
			}
		}
		if (total == 0 && (b = malloc(1)) == NULL)	/* an empty file is kept as empty */
			goto out;
		break;
	}
	sha256_hex(g, sha);
	*out = b;
	*len = blen;
	*size = total;
	b = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(b);
	sha256_free(g);
	return rc;
}

/* store_failure on the writer's thread (writer_call). */
struct failure_call {
	const struct store_provenance *prov;
	const char *reason;
	const unsigned char *bytes;
	size_t len;
	uint64_t size;
	const char *sha;
	int before;
	int64_t id;
};

static int
call_failure(struct store *st, void *arg)
{
	struct failure_call *a = arg;

	a->id = store_failure(st, a->prov, a->reason, a->bytes, a->len,
	    a->size, a->sha, &a->before);
	return a->id < 0 ? -1 : 0;
}

static enum outcome
record_failure(struct pipeline *p, struct unit *u, const char *reason)
{
	struct failure_call fc;
	unsigned char *bytes = NULL;
	size_t len = 0;
	uint64_t size = 0;
	char sha[65];
	int64_t id;
	int kept;

	if (unit_bytes(p, u, &bytes, &len, &size, sha) != 0) {
		/* cannot even reread it: identify it by name */
		sha256_hex_of(u->prov.input_name, strlen(u->prov.input_name), sha);
	}
	fc = (struct failure_call){ &u->prov, reason, bytes, len, size, sha,
	    0, -1 };
	if (batch_open(p) != 0 || writer_call(p->w, call_failure, &fc) != 0) {
		free(bytes);
		fatal(p, writer_error(p->w));
		return OUT_FATAL;
	}
	kept = bytes != NULL;
	free(bytes);
	id = fc.id;
	u->failures++;
	if (p->retry.active && id == p->retry.id) {
		p->retry.self = 1;
	} else if (p->retry.active) {
		if (p->retry.others++ == 0)
			p->retry.first_other = id;
		if (!kept)
			p->retry.others_unkept++;
	}
	if (fc.before) {
		p->stats.failed_before++;
		diag(p, PIPE_NOTE, u->prov.input_name,
		    "%s (failed before: failure #%lld)", reason, (long long)id);
	} else {
		p->stats.failed++;
		diag(p, PIPE_ERROR, u->prov.input_name, "%s (failure #%lld)",
		    reason, (long long)id);
	}
	return batch_tick(p) == 0 ? OUT_DONE : OUT_FATAL;
}

/* --- units ------------------------------------------------------------------ */

static enum outcome
run_unit(struct pipeline *p, struct unit *u)
{
	char reason[1024] = "";
	struct stream *s = NULL;
	enum outcome o;
	int fd;

	switch (u->kind) {
	case U_FILE:
		if ((fd = open(u->path, O_RDONLY | O_CLOEXEC)) < 0) {
			diag(p, PIPE_ERROR, u->prov.input_name, "cannot open: %s",
			    strerror(errno));
			p->stats.failed++;
			return OUT_DONE;
		}
		/* input-bytes is checked as the bytes are read (a mailbox is
		 * exempt: message-bytes caps each of its messages) */
		s = stream_from_fd(fd, 1);
		break;
	case U_MEM:
		s = stream_from_mem(u->mem, u->memlen);
		break;
	case U_MEMBER:
		s = unpack_zip_member_stream(u->zip, u->member, reason,
		    sizeof reason);
		if (s == NULL)
			return record_failure(p, u, reason);
		break;
	}
	if (s == NULL) {
		fatal(p, "out of memory");
		return OUT_FATAL;
	}
	if (u->kind != U_MEMBER)
		stream_set_cap(s, p->lim->input_bytes, DM_LIMIT_INPUT_BYTES);
	o = process_stream(p, u, s, 0, reason, sizeof reason);
	if (o == OUT_FAILED)
		return record_failure(p, u, reason);
	return o;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
pipeline_file(struct pipeline *p, const char *path, const char *name)
{
	struct unit u;

	if (p->fatal)
		return -1;
	memset(&u, 0, sizeof u);
	u.kind = U_FILE;
	u.path = path;
	u.filename = base_name(path);
	u.prov.input_name = name ? name : path;
	u.prov.mbox_offset = -1;
	return run_unit(p, &u) == OUT_FATAL ? -1 : 0;
}

/*
 * Unlinks the spool file at once, so that no copy of standard input is left
 * behind even when the run is killed, and names it by /proc/self/fd from
 * then on (the file lives as long as fd is open).  Returns 0 when done, -1
 * (nothing changed) where /proc does not show the file.
 */
static int
spool_unlink_early(int fd, char *path, size_t len)
{
	char fdpath[64];
	struct stat a, b;

	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	if (fstat(fd, &a) != 0 || stat(fdpath, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino || unlink(path) != 0)
		return -1;
	snprintf(path, len, "%s", fdpath);
	return 0;
}

/*
 * Opens the file that standard input is spooled to, in `dir`.  Where the
 * file system has O_TMPFILE the file never has a name, so a SIGKILL at any
 * moment leaves nothing behind; elsewhere it is made by mkstemp and
 * unlinked at once (a kill between the two leaves it).  path gets the name
 * to open it by; *unlinked says whether it is already gone.  -1 on error.
 */
static int
spool_open(const char *dir, char *path, size_t len, int *unlinked)
{
	int fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0) {
		snprintf(path, len, "/proc/self/fd/%d", fd);
		*unlinked = 1;
		return fd;
	}
#endif
	snprintf(path, len, "%s/dmarc-ingest-stdin-XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		return -1;
	*unlinked = spool_unlink_early(fd, path, len) == 0;
	return fd;
}

int
pipeline_stdin(struct pipeline *p)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[4096], reason[256];
	uint64_t total = 0;
	struct unit u;
	int fd, rc = 0, over = 0, unlinked;
	ssize_t n, w;

	if (p->fatal)
		return -1;
	if ((fd = spool_open(tmpdir && *tmpdir ? tmpdir : "/tmp", path,
	    sizeof path, &unlinked)) < 0) {
		snprintf(reason, sizeof reason, "cannot spool standard input: %s",
		    strerror(errno));
		return fatal(p, reason);
	}
	for (;;) {
		n = read(STDIN_FILENO, p->buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (total + (uint64_t)n > p->lim->input_bytes + 1) {
			n = (ssize_t)(p->lim->input_bytes + 1 - total);
			over = 1;
		}
		for (w = 0; w < n;) {
			ssize_t k = write(fd, p->buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				snprintf(reason, sizeof reason,
				    "cannot spool standard input: %s", strerror(errno));
				close(fd);
				if (!unlinked)
					unlink(path);
				return fatal(p, reason);
			}
			w += k;
		}
		total += (uint64_t)n;
		if (over)
			break;
	}
	memset(&u, 0, sizeof u);
	u.kind = U_FILE;
	u.path = path;
	u.filename = NULL;
	u.prov.input_name = "-";
	u.prov.mbox_offset = -1;
	if (over) {
		snprintf(reason, sizeof reason, "limit " DM_LIMIT_INPUT_BYTES
		    " exceeded (more than %llu bytes on standard input)",
		    (unsigned long long)p->lim->input_bytes);
		if (record_failure(p, &u, reason) == OUT_FATAL)
			rc = -1;
	} else if (run_unit(p, &u) == OUT_FATAL) {
		rc = -1;
	}
	close(fd);
	if (!unlinked)
		unlink(path);
	return rc;
}

int
pipeline_mem(struct pipeline *p, const unsigned char *buf, size_t len,
    const struct store_provenance *prov, int *ok)
{
	struct unit u;
	enum outcome o;

	if (p->fatal)
		return -1;
	memset(&u, 0, sizeof u);
	u.kind = U_MEM;
	u.mem = buf;
	u.memlen = len;
	u.prov = *prov;
	u.filename = base_name(prov->input_name);
	o = run_unit(p, &u);
	if (ok != NULL)
		*ok = o == OUT_DONE && u.failures == 0;
	return o == OUT_FATAL ? -1 : 0;
}

/* The store calls of pipeline_retry, on the writer's thread. */
struct retry_call {
	int64_t id;
	struct store_kept *kept;	/* load */
	const char *reason;		/* settle: NULL to resolve */
	int resolved;
};

static int
call_load(struct store *st, void *arg)
{
	struct retry_call *a = arg;

	return store_failure_load(st, a->id, a->kept);
}

static int
call_settle(struct store *st, void *arg)
{
	struct retry_call *a = arg;

	if (a->reason == NULL)
		return store_failure_resolve(st, a->id);
	return store_failure_retried(st, a->id, a->reason, a->resolved);
}

int
pipeline_retry(struct pipeline *p, int64_t id, struct pipeline_retry *r)
{
	struct retry_call rc = { id, NULL, NULL, 0 };
	struct store_kept kept;
	char reason[256];
	struct unit u;
	enum outcome o;
	int st;

	memset(r, 0, sizeof *r);
	r->outcome = PIPE_RETRY_GONE;
	r->input_name = "";
	free(p->retry.name);
	p->retry.name = NULL;
	if (p->fatal)
		return -1;
	rc.kept = &kept;
	memset(&kept, 0, sizeof kept);
	if ((st = writer_call(p->w, call_load, &rc)) < 0) {
		store_kept_free(&kept);
		return fatal(p, writer_error(p->w));
	}
	if (st == STORE_KEPT_GONE) {
		store_kept_free(&kept);
		return 0;
	}
	if ((p->retry.name = strdup(kept.prov.input_name)) == NULL) {
		store_kept_free(&kept);
		return fatal(p, "out of memory");
	}
	r->input_name = p->retry.name;
	r->outcome = PIPE_RETRY_FAILED;
	if (st == STORE_KEPT_NONE || st == STORE_KEPT_DAMAGED) {
		diag(p, PIPE_ERROR, r->input_name, st == STORE_KEPT_NONE ?
		    "payload was too large to keep (failure #%lld): run "
		    "dmarc-ingest on the original input again" :
		    "kept payload of failure #%lld is damaged", (long long)id);
		store_kept_free(&kept);
		return 0;
	}

	memset(&u, 0, sizeof u);
	u.kind = U_MEM;
	u.mem = kept.payload;
	u.memlen = kept.len;
	u.prov = kept.prov;
	u.filename = base_name(kept.prov.input_name);
	p->retry.active = 1;
	p->retry.id = id;
	p->retry.self = 0;
	p->retry.first_other = 0;
	p->retry.others = p->retry.others_unkept = 0;
	o = run_unit(p, &u);
	p->retry.active = 0;
	store_kept_free(&kept);
	if (o == OUT_FATAL)
		return -1;
	r->rest = p->retry.first_other;
	r->rest_count = p->retry.others;
	if (p->retry.self) {
		/* store_failure updated it: attempts, last seen, reason */
		r->outcome = PIPE_RETRY_FAILED;
	} else if (p->retry.others == 0) {
		r->outcome = PIPE_RETRY_STORED;
	} else if (p->retry.others_unkept == 0) {
		r->outcome = PIPE_RETRY_SPLIT;
		snprintf(reason, sizeof reason, "stored in part on retry; "
		    "the rest is failure #%lld%s", (long long)r->rest,
		    r->rest_count > 1 ? " and others" : "");
		rc.reason = reason;
		rc.resolved = 1;
	} else {
		r->outcome = PIPE_RETRY_PARTLY;
		snprintf(reason, sizeof reason, "stored in part on retry; the "
		    "rest (failure #%lld%s) was too large to keep, so this "
		    "payload stays", (long long)r->rest,
		    r->rest_count > 1 ? " and others" : "");
		rc.reason = reason;
	}
	if (r->outcome != PIPE_RETRY_FAILED && (batch_open(p) != 0 ||
	    writer_call(p->w, call_settle, &rc) != 0))
		return fatal(p, writer_error(p->w));
	return pipeline_flush(p);
}

/* --- a message read from a mailbox ----------------------------------------- */

struct seal_call {
	int (*seal)(struct store *st, void *arg, enum pipeline_msg_outcome o);
	void *arg;
	enum pipeline_msg_outcome o;
};

static int
call_seal(struct store *st, void *arg)
{
	struct seal_call *a = arg;

	return a->seal(st, a->arg, a->o);
}

int
pipeline_message(struct pipeline *p, const unsigned char *buf, size_t len,
    const struct store_provenance *prov,
    int (*seal)(struct store *st, void *arg, enum pipeline_msg_outcome o),
    void *arg, enum pipeline_msg_outcome *o)
{
	struct seal_call sc = { seal, arg, PIPE_MSG_NO_REPORT };
	struct writer_stats w0, w1;
	struct unit u;
	enum outcome out;

	/* what came before is committed: the message's transaction is its own,
	 * and the writer's counts are exact */
	if (p->fatal || pipeline_flush(p) != 0)
		return -1;
	writer_get_stats(p->w, &w0);
	memset(&u, 0, sizeof u);
	u.kind = U_MEM;
	u.mem = buf;
	u.memlen = len;
	u.prov = *prov;
	u.filename = NULL;
	p->hold_batch = 1;
	out = run_unit(p, &u);
	p->hold_batch = 0;
	if (out == OUT_FATAL)
		return -1;
	if (writer_sync(p->w) != 0)
		return fatal(p, writer_error(p->w));
	writer_get_stats(p->w, &w1);
	if (u.failures > 0)
		sc.o = PIPE_MSG_FAILED;
	else if (w1.reports_new > w0.reports_new)
		sc.o = PIPE_MSG_STORED;
	else if (w1.reports_duplicate > w0.reports_duplicate)
		sc.o = PIPE_MSG_DUPLICATE;
	if (batch_open(p) != 0)
		return -1;
	if (writer_call(p->w, call_seal, &sc) != 0)
		return fatal(p, writer_error(p->w));
	if (pipeline_flush(p) != 0)
		return -1;
	*o = sc.o;
	return 0;
}

int
pipeline_store_call(struct pipeline *p, int (*fn)(struct store *st,
    void *arg), void *arg)
{
	int rc;

	if (p->fatal)
		return -1;
	if ((rc = writer_call(p->w, fn, arg)) < 0)
		return fatal(p, writer_error(p->w));
	return rc;
}

void
pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *s)
{
	struct writer_stats ws;

	writer_get_stats(p->w, &ws);
	*s = p->stats;
	s->reports_new = ws.reports_new;
	s->reports_duplicate = ws.reports_duplicate;
	s->records_new = ws.records_new;
	s->messages_new = ws.messages_new;
	s->records_skipped = ws.records_skipped;
}

const char *
pipeline_error(const struct pipeline *p)
{
	return p->err;
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	if (p->in_batch && !p->fatal && pipeline_flush(p) != 0)
		p->fatal = 1;
	writer_free(p->w);
	free(p->retry.name);
	free(p->buf);
	free(p);
}
