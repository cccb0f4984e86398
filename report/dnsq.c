/* SPDX-License-Identifier: MIT */
/*
 * dnsq.c: forward DNS questions through c-ares (see dnsq.h), one in flight
 * at a time, with the reply read here: the answer section's CNAME chain
 * from the name asked, and the records of the type asked at its end.  A
 * TXT record's character-strings are joined (RFC 7208 3.3, RFC 6376
 * 3.6.2.2), so a record longer than 255 bytes reads as one.
 *
 * Like rdns.c: DNS only (no /etc/hosts), no search domains, one try per
 * server, EDNS0 so that a 2048-bit DKIM key fits in UDP.  A server that
 * fails (SERVFAIL, REFUSED) is not replaced by the next one: the answer is
 * what the user must see.  A server that
 * answers only the CNAME (no recursion) is asked again for its target.
 */
#include "dnsq.h"
#include "cares_io.h"
#include "clock.h"

#include <arpa/inet.h>
#include <ares.h>
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-lookup timeout bounds (ms), as rdns.c. */
#define DNSQ_TIMEOUT_MIN 10
#define DNSQ_TIMEOUT_MAX 60000
/* EDNS0 payload size: the DNS flag day 2020 value. */
#define DNSQ_EDNS_SIZE 1232
/* Questions without an answer, before any reply, after which the server
 * counts as dead and later questions fail at once: a dead resolver costs
 * two timeouts, not the budget, while one slow name is not taken for a
 * dead server. */
#define DNSQ_DEAD_AFTER 2
/* Compression pointers followed in one name before it is a bad reply. */
#define DNSQ_MAX_PTRS 32

struct dnsq {
	ares_channel channel;
	struct cares_io io;
	int64_t deadline;		/* of the budget (monotonic ms) */
	size_t questions, replies;
	int silent;			/* questions unanswered, no reply yet */
	int dead;			/* DNSQ_DEAD_AFTER of them: stop asking */
};

/* One question's state, the argument of its callback. */
struct pending {
	int done;
	int status;			/* ares status */
	unsigned char *abuf;
	int alen;
};

struct dnsq *
dnsq_new(const char *server, int timeout_ms, int budget_ms, char *err,
    size_t errlen)
{
	struct dnsq *q;

	if (timeout_ms < DNSQ_TIMEOUT_MIN)
		timeout_ms = DNSQ_TIMEOUT_MIN;
	if (timeout_ms > DNSQ_TIMEOUT_MAX)
		timeout_ms = DNSQ_TIMEOUT_MAX;
	if ((q = calloc(1, sizeof *q)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cares_io_channel(&q->channel, &q->io, server, timeout_ms,
	    DNSQ_EDNS_SIZE, err, errlen) != 0) {
		free(q);
		return NULL;
	}
	q->deadline = dm_now_ms() + (budget_ms > 0 ? budget_ms : 0);
	return q;
}

void
dnsq_free(struct dnsq *q)
{
	if (q == NULL)
		return;
	ares_destroy(q->channel);
	cares_io_library_down();
	free(q);
}

size_t
dnsq_replies(const struct dnsq *q)
{
	return q->replies;
}

size_t
dnsq_questions(const struct dnsq *q)
{
	return q->questions;
}

/* ---- answers ---- */

int
dnsq_answer_add(struct dnsq_answer *a, const char *s)
{
	if (a->n == DNSQ_MAX_RR)
		return 0;
	if ((a->rr[a->n] = strdup(s)) == NULL)
		return -1;
	a->n++;
	return 0;
}

void
dnsq_answer_free(struct dnsq_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->rr[i]);
	a->n = 0;
}

const char *
dnsq_status_text(const struct dnsq_answer *a, enum dnsq_type type)
{
	switch (a->status) {
	case DNSQ_OK:
		return "found";
	case DNSQ_NODATA:
		switch (type) {
		case DNSQ_TXT: return "no TXT record";
		case DNSQ_A: return "no A record";
		case DNSQ_AAAA: return "no AAAA record";
		case DNSQ_MX: return "no MX record";
		default: return "no record of that type";
		}
	case DNSQ_NXDOMAIN:
		return "no such name (NXDOMAIN)";
	case DNSQ_TIMEOUT:
	case DNSQ_ERROR:
		return a->why[0] ? a->why : "no usable answer";
	}
	return "?";
}

/* ---- the reply ---- */

/* Reads the (possibly compressed) name at *off into dst, lowercase without
 * the trailing dot, and moves *off past it; -1 on a bad name. */
static int
read_name(const unsigned char *m, size_t len, size_t *off, char *dst)
{
	size_t p = *off, o = 0, end = 0;
	int jumped = 0, ptrs = 0;

	for (;;) {
		unsigned l;

		if (p >= len)
			return -1;
		l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++ptrs > DNSQ_MAX_PTRS)
				return -1;
			if (!jumped)
				end = p + 2;
			jumped = 1;
			p = (size_t)(l & 0x3f) << 8 | m[p + 1];
			continue;
		}
		if (l & 0xc0)
			return -1;
		p++;
		if (l == 0)
			break;
		if (p + l > len || o + l + 2 > DNSQ_NAME_LEN)
			return -1;
		if (o > 0)
			dst[o++] = '.';
		for (; l > 0; l--, p++) {
			unsigned char ch = m[p];

			if (ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			/* a name with a dot or NUL inside a label is not one we
			 * can write back: keep it readable and distinct */
			dst[o++] = ch == '.' || ch == '\0' ? '?' : (char)ch;
		}
	}
	dst[o] = '\0';
	*off = jumped ? end : p;
	return 0;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The TXT rdata's character-strings joined into a new string. */
static char *
join_txt(const unsigned char *rd, size_t rdlen)
{
	char *s = malloc(rdlen + 1);
	size_t p = 0, o = 0;

	if (s == NULL)
		return NULL;
	while (p < rdlen) {
		size_t l = rd[p++];

		if (p + l > rdlen)
			l = rdlen - p;	/* a short last string: what is there */
		for (; l > 0; l--, p++)
			s[o++] = rd[p] == '\0' ? '?' : (char)rd[p];
	}
	s[o] = '\0';
	return s;
}

struct rr_view {
	char owner[DNSQ_NAME_LEN];
	unsigned type;
	size_t rdoff, rdlen;
};

int
dnsq_parse(const unsigned char *m, size_t len, const char *name,
    enum dnsq_type type, struct dnsq_answer *out, char *next)
{
	struct rr_view *rrs = NULL;
	size_t off = 12, qd, an, i, nrr = 0;
	char cur[DNSQ_NAME_LEN], tmp[DNSQ_NAME_LEN];
	int hops = 0, rc = -1, moved = 1;

	next[0] = '\0';
	if (len < 12) {
		snprintf(out->why, sizeof out->why, "a reply shorter than a DNS "
		    "header");
		return -1;
	}
	qd = get16(m + 4);
	an = get16(m + 6);
	for (i = 0; i < qd; i++) {
		if (read_name(m, len, &off, tmp) == -1 || off + 4 > len)
			goto bad;
		off += 4;
	}
	if (an > 0 && (rrs = calloc(an, sizeof *rrs)) == NULL)
		return -2;
	for (i = 0; i < an; i++) {
		struct rr_view *v = &rrs[nrr];

		if (read_name(m, len, &off, v->owner) == -1 || off + 10 > len)
			goto bad;
		v->type = get16(m + off);
		v->rdlen = get16(m + off + 8);
		v->rdoff = off + 10;
		if (v->rdoff + v->rdlen > len)
			goto bad;
		off = v->rdoff + v->rdlen;
		if (get16(m + off - v->rdlen - 8) == C_IN)
			nrr++;
	}

	snprintf(cur, sizeof cur, "%s", name);
	/* the CNAME chain from the name asked (unless CNAMEs were asked for) */
	while (type != DNSQ_CNAME && moved) {
		moved = 0;
		for (i = 0; i < nrr; i++) {
			size_t p = rrs[i].rdoff;

			if (rrs[i].type != T_CNAME || strcmp(rrs[i].owner, cur) != 0)
				continue;
			if (++hops > DNSQ_MAX_CNAME) {
				snprintf(out->why, sizeof out->why, "more than %d "
				    "CNAMEs from %s (a loop?)", DNSQ_MAX_CNAME,
				    name);
				out->status = DNSQ_ERROR;
				rc = 0;
				goto done;
			}
			if (read_name(m, len, &p, cur) == -1)
				goto bad;
			out->via_cname = 1;
			moved = 1;
			break;
		}
	}
	snprintf(out->name, sizeof out->name, "%s", cur);
	for (i = 0; i < nrr; i++) {
		const unsigned char *rd = m + rrs[i].rdoff;
		size_t p = rrs[i].rdoff;
		char text[DNSQ_NAME_LEN + 8], *s;

		if (rrs[i].type != (unsigned)type || strcmp(rrs[i].owner, cur) != 0)
			continue;
		switch (type) {
		case DNSQ_TXT:
			if ((s = join_txt(rd, rrs[i].rdlen)) == NULL) {
				rc = -2;
				goto done;
			}
			if (out->n < DNSQ_MAX_RR)
				out->rr[out->n++] = s;
			else
				free(s);
			continue;
		case DNSQ_A:
		case DNSQ_AAAA:
			if (rrs[i].rdlen != (type == DNSQ_A ? 4u : 16u) ||
			    inet_ntop(type == DNSQ_A ? AF_INET : AF_INET6, rd,
			    text, sizeof text) == NULL)
				goto bad;
			break;
		case DNSQ_MX:
			if (rrs[i].rdlen < 3)
				goto bad;
			p += 2;
			/* FALLTHROUGH */
		case DNSQ_CNAME:
			if (read_name(m, len, &p, text) == -1)
				goto bad;
			break;
		}
		if (dnsq_answer_add(out, text) == -1) {
			rc = -2;
			goto done;
		}
	}
	out->status = out->n > 0 ? DNSQ_OK : DNSQ_NODATA;
	if (out->n == 0 && out->via_cname)
		snprintf(next, DNSQ_NAME_LEN, "%s", cur);
	rc = 0;
	goto done;
bad:
	snprintf(out->why, sizeof out->why, "a malformed reply for %s", name);
	rc = -1;
done:
	free(rrs);
	return rc;
}

/* ---- asking ---- */

static void
query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct pending *p = arg;

	(void)timeouts;
	p->done = 1;
	p->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0 &&
	    (p->abuf = malloc((size_t)alen)) != NULL) {
		memcpy(p->abuf, abuf, (size_t)alen);
		p->alen = alen;
	}
}

/* Runs the c-ares loop until p is done or the budget is spent. */
static void
wait_for(struct dnsq *q, struct pending *p)
{
	while (!p->done) {
		int64_t left = q->deadline - dm_now_ms();

		if (left <= 0 || q->io.overflow ||
		    cares_io_step(q->channel, &q->io, left) == -1)
			break;
	}
	if (!p->done) {
		ares_cancel(q->channel);	/* calls query_cb: ECANCELLED */
		p->status = ARES_ETIMEOUT;
		p->done = 1;
	}
}

/* One question; the status and records of `name` itself. */
static int
ask(struct dnsq *q, const char *name, enum dnsq_type type,
    struct dnsq_answer *out, char *next)
{
	struct pending p = { 0, 0, NULL, 0 };
	char fqdn[DNSQ_NAME_LEN + 1];
	int rc = 0;

	next[0] = '\0';
	snprintf(out->name, sizeof out->name, "%s", name);
	if (q->dead || dm_now_ms() >= q->deadline) {
		out->status = DNSQ_TIMEOUT;
		snprintf(out->why, sizeof out->why, q->dead ? "the DNS server "
		    "did not answer" : "the DNS budget (--dns-budget) was spent");
		return 0;
	}
	q->questions++;
	snprintf(fqdn, sizeof fqdn, "%s.", name);
	ares_query(q->channel, fqdn, C_IN, (int)type, query_cb, &p);
	wait_for(q, &p);
	switch (p.status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ENOTIMP:
	case ARES_EFORMERR:
		q->replies++;
		break;
	default:
		break;
	}
	switch (p.status) {
	case ARES_SUCCESS:
		if (p.abuf == NULL) {
			rc = -2;
			break;
		}
		rc = dnsq_parse(p.abuf, (size_t)p.alen, name, type, out, next);
		if (rc == -1)
			out->status = DNSQ_ERROR;
		break;
	case ARES_ENODATA:
		out->status = DNSQ_NODATA;
		break;
	case ARES_ENOTFOUND:
		out->status = DNSQ_NXDOMAIN;
		break;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
		out->status = DNSQ_TIMEOUT;
		snprintf(out->why, sizeof out->why, "no answer from the DNS "
		    "server (timeout)");
		if (q->replies == 0 && ++q->silent >= DNSQ_DEAD_AFTER)
			q->dead = 1;
		break;
	case ARES_ECONNREFUSED:
		out->status = DNSQ_TIMEOUT;
		snprintf(out->why, sizeof out->why, "the DNS server refused "
		    "the connection");
		if (q->replies == 0 && ++q->silent >= DNSQ_DEAD_AFTER)
			q->dead = 1;
		break;
	case ARES_ESERVFAIL:
		out->status = DNSQ_ERROR;
		snprintf(out->why, sizeof out->why, "the DNS server failed "
		    "(SERVFAIL)");
		break;
	case ARES_EREFUSED:
		out->status = DNSQ_ERROR;
		snprintf(out->why, sizeof out->why, "the DNS server refused "
		    "the question (REFUSED)");
		break;
	default:
		out->status = DNSQ_ERROR;
		snprintf(out->why, sizeof out->why, "%s",
		    ares_strerror(p.status));
		break;
	}
	free(p.abuf);
	return rc == -2 ? -1 : 0;
}

int
dnsq_lookup(void *arg, const char *name, enum dnsq_type type,
    struct dnsq_answer *out)
{
	struct dnsq *q = arg;
	char cur[DNSQ_NAME_LEN], next[DNSQ_NAME_LEN];
	size_t n = strlen(name), i;
	int hops = 0, via = 0;

	memset(out, 0, sizeof *out);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n >= DNSQ_NAME_LEN - 1) {
		out->status = DNSQ_ERROR;
		snprintf(out->why, sizeof out->why, "not a domain name");
		return 0;
	}
	for (i = 0; i < n; i++)
		cur[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	cur[n] = '\0';
	snprintf(out->name, sizeof out->name, "%s", cur);
	for (;;) {
		if (ask(q, cur, type, out, next) == -1)
			return -1;
		via |= out->via_cname;
		if (next[0] == '\0')
			break;
		/* the server gave the CNAME only: ask for its target */
		if (++hops > DNSQ_MAX_CNAME) {
			dnsq_answer_free(out);
			out->status = DNSQ_ERROR;
			snprintf(out->why, sizeof out->why, "more than %d CNAMEs "
			    "from %s (a loop?)", DNSQ_MAX_CNAME, name);
			break;
		}
		snprintf(cur, sizeof cur, "%s", next);
		dnsq_answer_free(out);
		out->via_cname = 0;
	}
	out->via_cname = via;
	return 0;
}
