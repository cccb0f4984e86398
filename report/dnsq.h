/* SPDX-License-Identifier: MIT */
/*
 * dnsq.h: forward DNS questions for check-dns (TXT, A, AAAA, MX, CNAME)
 * through c-ares, one at a time, within a per-lookup timeout and a budget
 * for the whole command; CNAME chains are followed.  No caching: check-dns
 * shows what is published now.  The resolver owns its c-ares channel; an
 * answer owns its strings (dnsq_answer_free).
 */
#ifndef DM_DNSQ_H
#define DM_DNSQ_H

#include <stddef.h>

/* Record types asked for (their DNS numbers). */
enum dnsq_type { DNSQ_A = 1, DNSQ_CNAME = 5, DNSQ_MX = 15, DNSQ_TXT = 16,
	DNSQ_AAAA = 28 };

enum dnsq_status {
	DNSQ_OK,		/* one record or more of the type */
	DNSQ_NODATA,		/* the name exists, no record of the type */
	DNSQ_NXDOMAIN,		/* no such name */
	DNSQ_TIMEOUT,		/* no answer within the timeout or the budget */
	DNSQ_ERROR		/* SERVFAIL, REFUSED, a bad reply, a CNAME loop */
};

/* Records kept from one answer; a real answer has a handful. */
#define DNSQ_MAX_RR 32
/* CNAMEs followed before a chain counts as a loop (RFC 1034 leaves it to
 * the resolver; 8 is what BIND allows within one answer, roughly). */
#define DNSQ_MAX_CNAME 8
/* A name in text, with its NUL. */
#define DNSQ_NAME_LEN 256

struct dnsq_answer {
	enum dnsq_status status;
	char name[DNSQ_NAME_LEN];	/* lowercase: the name asked, or the end
					 * of its CNAME chain */
	int via_cname;			/* a CNAME led to name */
	size_t n;
	/* TXT: one record, its character-strings joined (NUL bytes as '?');
	 * A/AAAA: the address as text; MX and CNAME: the host name. */
	char *rr[DNSQ_MAX_RR];
	char why[DNSQ_NAME_LEN + 64];			/* DNSQ_TIMEOUT/DNSQ_ERROR: the reason */
};

/* A lookup the checkers call: fills `out` (to be freed by the caller with
 * dnsq_answer_free) and returns 0, or -1 when out of memory.  The checkers
 * take one so that their tests need no DNS. */
typedef int (*dnsq_lookup_fn)(void *arg, const char *name, enum dnsq_type type,
    struct dnsq_answer *out);

struct dnsq;

/* c-ares with the system's resolv.conf, or `server` ("127.0.0.1:5353");
 * timeout_ms per lookup, budget_ms for every lookup of the resolver's life.
 * NULL with a reason in err when c-ares cannot start. */
struct dnsq *dnsq_new(const char *server, int timeout_ms, int budget_ms,
    char *err, size_t errlen);

/* Asks for `name` (absolute; a trailing dot is allowed); a dnsq_lookup_fn
 * over a struct dnsq.  Once two questions went unanswered and none was
 * ever answered, later questions fail at once with DNSQ_TIMEOUT: a dead
 * resolver costs two timeouts, not the budget. */
int dnsq_lookup(void *q, const char *name, enum dnsq_type type,
    struct dnsq_answer *out);

/* Replies received (any rcode): 0 after questions means DNS could not be
 * asked at all. */
size_t dnsq_replies(const struct dnsq *q);
size_t dnsq_questions(const struct dnsq *q);

void dnsq_free(struct dnsq *q);

/* Reads a reply m[0..len) to a question for `name` (lowercase, no trailing
 * dot) into out: the CNAME chain from name in the answer section, and the
 * records of `type` at its end.  Sets `next` (DNSQ_NAME_LEN bytes) to the
 * CNAME target when the reply stops there (a server that does not
 * recurse), else "".  0; -1 on a malformed reply (out->why set); -2 out of
 * memory.  Exposed for the tests: a reply is untrusted input. */
int dnsq_parse(const unsigned char *m, size_t len, const char *name,
    enum dnsq_type type, struct dnsq_answer *out, char *next);

/* Appends a copy of s to a->rr; -1 when out of memory (a full answer drops
 * the record and returns 0). */
int dnsq_answer_add(struct dnsq_answer *a, const char *s);
/* Frees the records and empties the answer (safe on a zeroed one). */
void dnsq_answer_free(struct dnsq_answer *a);
/* "no such name", "no TXT record", "timeout", ...: for messages. */
const char *dnsq_status_text(const struct dnsq_answer *a, enum dnsq_type type);

#endif
