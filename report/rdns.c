/* SPDX-License-Identifier: MIT */
/*
 * rdns.c: reverse DNS for source IPs: a c-ares backend (PTR, then A/AAAA
 * back to the IP, many IPs in flight, a per-lookup timeout and a total
 * budget) and a fixture backend that reads "ip name [unconfirmed]" lines.
 *
 * The c-ares backend consults DNS only (not /etc/hosts) and treats every
 * forward name as absolute (no resolv.conf search domains).  One IP costs
 * at most two lookups, so up to twice the per-lookup timeout (per server).
 * A PTR name outside the host name alphabet (letters, digits, '-', '_',
 * '.') or longer than RDNS_NAME_MAX is a bad reply (RDNS_ERROR).
 *
 * A server that does not answer at all must not cost the whole budget:
 * a call sends its first wave of PTR lookups (up to RDNS_WINDOW) and no
 * more until one gets a reply; when they all end without one (a timeout,
 * or a refused connection), the server is taken for dead for the rest of
 * the resolver's life (the run), and every later lookup ends RDNS_TIMEOUT
 * at once.  Any reply, even SERVFAIL or REFUSED, shows a live server.
 */
#include "rdns.h"
#include "cares_io.h"
#include "clock.h"
#include "dm_array.h"

#include <arpa/inet.h>
#include <ares.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Longest name kept: the size of rdns_result.name less the NUL.  A DNS
 * name in text is at most 253 characters, so only a fixture hits this. */
#define RDNS_NAME_MAX (sizeof(((struct rdns_result *)0)->name) - 1)

/* IPs in flight at once.  Each costs a query id and a little memory in
 * c-ares; 64 keeps a burst polite to the resolver yet resolves a weekly
 * report's few hundred sources in a couple of round trips. */
#define RDNS_WINDOW 64


/* Longest fixture line; a longer one is a bad line. */
#define RDNS_FIXTURE_LINE 1024

/* Fixture entries (the cap of its array); a fixture is a test file, not a
 * database. */
#define RDNS_FIXTURE_MAX 1000000

/* The per-lookup timeout's bounds (ms). */
#define RDNS_TIMEOUT_MIN 10
#define RDNS_TIMEOUT_MAX 60000

struct fixture_entry {
	int family;
	unsigned char addr[16];
	enum rdns_status status;
	int confirmed;
	char name[RDNS_NAME_MAX + 1];
};

struct rdns {
	int is_fixture;
	/* c-ares */
	ares_channel channel;
	struct cares_io io;
	size_t silent;		/* unanswered lookups when taken for dead */
	/* fixture */
	struct fixture_entry *fx;
	size_t nfx;
};

/* One IP of a call to rdns_resolve, the argument of its callbacks. */
struct job {
	struct rdns_resolve_ctx *ctx;
	struct rdns_result *res;
	int family;
	unsigned char addr[16];
	int state;		/* JOB_* */
};

enum { JOB_IDLE, JOB_PTR, JOB_FORWARD, JOB_DONE };

struct rdns_resolve_ctx {
	struct rdns *r;
	size_t inflight;
	int stopping;		/* cancelling: start nothing new */
	size_t first_wave;	/* PTR lookups that decide whether the server lives */
	size_t started;		/* PTR lookups sent */
	size_t replied;		/* PTR lookups the server answered (any rcode) */
	size_t unanswered;	/* PTR lookups without a reply */
};


static void set_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Parses an IP into family and bytes; -1 when it is not one. */
static int
parse_ip(const char *s, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

/* Copies a host name into dst lowercased, without a trailing dot; -1 when
 * it is empty, too long or has a character no host name has. */
static int
normalize_name(const char *src, char dst[RDNS_NAME_MAX + 1])
{
	size_t n = strlen(src), i;

	if (n > 0 && src[n - 1] == '.')
		n--;
	if (n == 0 || n > RDNS_NAME_MAX || src[0] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		char ch = src[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.'))
			return -1;
		if (ch == '.' && dst[i - 1] == '.')
			return -1;
		dst[i] = ch;
	}
	dst[n] = '\0';
	return 0;
}

/* ---- c-ares backend ---- */

struct rdns *
rdns_cares_new(const char *server, int timeout_ms, char *err, size_t errlen)
{
	struct rdns *r;

	if (timeout_ms < RDNS_TIMEOUT_MIN)
		timeout_ms = RDNS_TIMEOUT_MIN;
	if (timeout_ms > RDNS_TIMEOUT_MAX)
		timeout_ms = RDNS_TIMEOUT_MAX;
	if ((r = calloc(1, sizeof *r)) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (cares_io_channel(&r->channel, &r->io, server, timeout_ms, 0, err,
	    errlen) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

static enum rdns_status
map_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return RDNS_OK;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return RDNS_NONAME;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return RDNS_TIMEOUT;
	default:
		return RDNS_ERROR;
	}
}

static void
job_done(struct job *j, enum rdns_status st)
{
	j->res->status = st;
	j->state = JOB_DONE;
	j->ctx->inflight--;
}

static void
forward_cb(void *arg, int status, int timeouts, struct hostent *h)
{
	struct job *j = arg;
	size_t len = j->family == AF_INET ? 4 : 16;
	int i;

	(void)timeouts;
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		/* the name does not lead back: kept, unconfirmed */
		job_done(j, RDNS_OK);
		return;
	}
	if (status != ARES_SUCCESS || h == NULL) {
		/* confirmation unknown: the name is kept, the status says why */
		job_done(j, map_status(status == ARES_SUCCESS ? ARES_EBADRESP :
		    status));
		return;
	}
	if (h->h_addrtype == j->family && (size_t)h->h_length == len)
		for (i = 0; h->h_addr_list[i] != NULL; i++)
			if (memcmp(h->h_addr_list[i], j->addr, len) == 0) {
				j->res->confirmed = 1;
				break;
			}
	job_done(j, RDNS_OK);
}

/* The PTR owner name of an address: "4.3.2.1.in-addr.arpa" or the 32
 * nibbles of an IPv6 address under ip6.arpa. */
static void
reverse_name(int family, const unsigned char *a, char *dst, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (family == AF_INET) {
		snprintf(dst, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return;
	}
	for (i = 15; i >= 0 && o + 4 < len; i--) {
		dst[o++] = hex[a[i] & 0xf];
		dst[o++] = '.';
		dst[o++] = hex[a[i] >> 4];
		dst[o++] = '.';
	}
	snprintf(dst + o, len - o, "ip6.arpa");
}

/* Counts a PTR lookup's end toward the server's liveness: a timeout or a
 * refused connection is no reply; our own cancelling says nothing. */
static void
count_reply(struct rdns_resolve_ctx *ctx, int status)
{
	switch (status) {
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return;
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:
		ctx->unanswered++;
		return;
	default:
		ctx->replied++;
	}
}

/* The PTR answer.  ares_query rather than ares_gethostbyaddr, which turns
 * every failure (a timeout, SERVFAIL) into ARES_ENOTFOUND. */
static void
ptr_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct job *j = arg;
	struct hostent *h = NULL;
	char fqdn[RDNS_NAME_MAX + 2];
	int bad;

	(void)timeouts;
	count_reply(j->ctx, status);
	if (status != ARES_SUCCESS) {
		job_done(j, map_status(status));
		return;
	}
	status = ares_parse_ptr_reply(abuf, alen, j->addr,
	    j->family == AF_INET ? 4 : 16, j->family, &h);
	if (status != ARES_SUCCESS) {
		job_done(j, map_status(status));
		return;
	}
	bad = h == NULL || h->h_name == NULL ||
	    normalize_name(h->h_name, j->res->name) == -1;
	if (h != NULL)
		ares_free_hostent(h);
	if (bad) {
		j->res->name[0] = '\0';
		job_done(j, RDNS_ERROR);
		return;
	}
	if (j->ctx->stopping) {
		job_done(j, RDNS_TIMEOUT);
		return;
	}
	/* absolute: no search domains, and never a numeric "name" */
	snprintf(fqdn, sizeof fqdn, "%s.", j->res->name);
	j->state = JOB_FORWARD;
	ares_gethostbyname(j->ctx->r->channel, fqdn, j->family, forward_cb, j);
}

static void
job_start(struct job *j)
{
	char qname[80];

	reverse_name(j->family, j->addr, qname, sizeof qname);
	j->state = JOB_PTR;
	j->ctx->inflight++;
	ares_query(j->ctx->r->channel, qname, C_IN, T_PTR, ptr_cb, j);
}

static int
cares_resolve(struct rdns *r, struct rdns_result *out, size_t n,
    int budget_ms)
{
	struct rdns_resolve_ctx ctx = { r, 0, 0, 0, 0, 0, 0 };
	struct job *jobs;
	size_t next = 0, i;
	int64_t deadline = 0;
	int ret = 0;

	if ((jobs = calloc(n, sizeof *jobs)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		jobs[i].ctx = &ctx;
		jobs[i].res = &out[i];
		if (parse_ip(out[i].ip, &jobs[i].family, jobs[i].addr) == -1) {
			out[i].status = RDNS_ERROR;
			jobs[i].state = JOB_DONE;
		}
	}
	if (budget_ms >= 0)
		deadline = dm_now_ms() + budget_ms;
	r->io.overflow = 0;
	for (i = 0; i < n; i++)
		ctx.first_wave += jobs[i].state == JOB_IDLE;
	if (ctx.first_wave > RDNS_WINDOW)
		ctx.first_wave = RDNS_WINDOW;

	for (;;) {
		int64_t left = 0;

		if (budget_ms >= 0 && (left = deadline - dm_now_ms()) <= 0)
			break;
		if (ctx.replied == 0 && ctx.first_wave > 0 &&
		    ctx.unanswered >= ctx.first_wave) {
			r->silent = ctx.unanswered;
			break;
		}
		/* past the first wave only once the server has replied */
		while (ctx.inflight < RDNS_WINDOW && next < n &&
		    (ctx.replied > 0 || ctx.started < ctx.first_wave)) {
			if (jobs[next].state == JOB_IDLE) {
				job_start(&jobs[next]);
				ctx.started++;
			}
			next++;
		}
		if (ctx.inflight == 0 && (next == n || ctx.replied == 0))
			break;
		if (r->io.overflow) {
			ret = -1;
			break;
		}

		if (cares_io_step(r->channel, &r->io,
		    budget_ms >= 0 ? left : -1) == -1) {
			ret = -1;
			break;
		}
	}

	/* Out of budget (or failed): what is in flight ends ARES_ECANCELLED,
	 * i.e. RDNS_TIMEOUT; what never started is marked here. */
	ctx.stopping = 1;
	if (ctx.inflight > 0)
		ares_cancel(r->channel);
	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_IDLE)
			out[i].status = RDNS_TIMEOUT;
	free(jobs);
	return ret;
}

/* ---- fixture backend ---- */

static int
fx_cmp(const void *a, const void *b)
{
	const struct fixture_entry *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Parses one line (comment and newline stripped) into e; 0 for an entry,
 * 1 for a blank line, -1 (with why) for a bad line. */
static int
fx_parse_line(char *line, struct fixture_entry *e, const char **why)
{
	char *tok[4], *save = NULL, *t;
	int ntok = 0;

	for (t = strtok_r(line, " \t\r", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r", &save)) {
		if (ntok == 3) {
			*why = "too many fields";
			return -1;
		}
		tok[ntok++] = t;
	}
	if (ntok == 0)
		return 1;
	memset(e, 0, sizeof *e);
	if (parse_ip(tok[0], &e->family, e->addr) == -1) {
		*why = "not an IP address";
		return -1;
	}
	if (ntok == 1) {
		*why = "no name (\"-\" for none)";
		return -1;
	}
	if (strcmp(tok[1], "-") == 0) {
		if (ntok == 3) {
			*why = "\"-\" takes no flag";
			return -1;
		}
		e->status = RDNS_NONAME;
		return 0;
	}
	if (normalize_name(tok[1], e->name) == -1) {
		*why = "not a host name";
		return -1;
	}
	if (ntok == 3 && strcmp(tok[2], "unconfirmed") != 0) {
		*why = "the third field can only be \"unconfirmed\"";
		return -1;
	}
	e->status = RDNS_OK;
	e->confirmed = ntok == 2;
	return 0;
}

struct rdns *
rdns_fixture_new(const char *path, char *err, size_t errlen)
{
	struct rdns *r = NULL;
	FILE *fp = NULL;
	char line[RDNS_FIXTURE_LINE + 2], where[32];
	size_t cap = 0, lineno = 0, i;
	const char *why = NULL;

	if ((fp = fopen(path, "r")) == NULL) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		why = "out of memory";
		goto fail;
	}
	r->is_fixture = 1;
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t len = strlen(line);
		char *hash;
		int rc;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (len > RDNS_FIXTURE_LINE) {
			why = "line too long";
			goto fail;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (r->nfx == RDNS_FIXTURE_MAX) {
			why = "too many entries";
			goto fail;
		}
		if (dm_array_reserve(&r->fx, &cap, r->nfx + 1, sizeof *r->fx,
		    RDNS_FIXTURE_MAX) != 0) {
			why = "out of memory";
			goto fail;
		}
		if ((rc = fx_parse_line(line, &r->fx[r->nfx], &why)) == -1)
			goto fail;
		if (rc == 0)
			r->nfx++;
	}
	if (ferror(fp)) {
		why = strerror(errno);
		goto fail;
	}
	if (r->nfx > 1)	/* qsort wants a non-NULL base */
		qsort(r->fx, r->nfx, sizeof r->fx[0], fx_cmp);
	for (i = 1; i < r->nfx; i++)
		if (fx_cmp(&r->fx[i - 1], &r->fx[i]) == 0) {
			lineno = 0;
			why = "an IP address is listed twice";
			goto fail;
		}
	fclose(fp);
	return r;

fail:
	if (lineno > 0)
		snprintf(where, sizeof where, ":%zu", lineno);
	else
		where[0] = '\0';
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s: %s", path, where, why);
	fclose(fp);
	rdns_free(r);
	return NULL;
}

static int
fixture_resolve(struct rdns *r, struct rdns_result *out, size_t n)
{
	struct fixture_entry key;
	const struct fixture_entry *e;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&key, 0, sizeof key);
		if (parse_ip(out[i].ip, &key.family, key.addr) == -1) {
			out[i].status = RDNS_ERROR;
			continue;
		}
		e = r->nfx == 0 ? NULL : bsearch(&key, r->fx, r->nfx,
		    sizeof r->fx[0], fx_cmp);
		if (e == NULL || e->status != RDNS_OK) {
			out[i].status = RDNS_NONAME;
			continue;
		}
		out[i].status = RDNS_OK;
		out[i].confirmed = e->confirmed;
		memcpy(out[i].name, e->name, sizeof out[i].name);
	}
	return 0;
}

/* ---- both ---- */

int
rdns_resolve(struct rdns *r, struct rdns_result *out, size_t n, int budget_ms)
{
	size_t i;

	if (r == NULL || (out == NULL && n > 0))
		return -1;
	for (i = 0; i < n; i++) {
		out[i].status = RDNS_TIMEOUT;
		out[i].name[0] = '\0';
		out[i].confirmed = 0;
	}
	if (n == 0)
		return 0;
	if (r->is_fixture)
		return fixture_resolve(r, out, n);
	if (r->silent > 0)
		return 0;	/* a dead server: all RDNS_TIMEOUT */
	return cares_resolve(r, out, n, budget_ms);
}

size_t
rdns_silent(const struct rdns *r)
{
	return r != NULL ? r->silent : 0;
}

void
rdns_free(struct rdns *r)
{
	if (r == NULL)
		return;
	if (!r->is_fixture) {
		ares_destroy(r->channel);
		cares_io_library_down();
	}
	free(r->fx);
	free(r);
}
