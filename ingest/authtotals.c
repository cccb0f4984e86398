/* SPDX-License-Identifier: MIT */
/* authtotals.c: a report's records grouped by outcome in memory (see authtotals.h). */
#include "authtotals.h"

#include <stdlib.h>
#include <string.h>

#include "derived.h"

/* A group's key, in the arena: its nine fields, each ended by a NUL (no
 * field holds one: text is C strings, the lists are JSON). */
struct entry {
	size_t off;		/* into keys */
	uint32_t len, hash;
	int family;
	uint64_t records, messages;
};

struct authtotals {
	struct dm_buf keys;	/* the groups' keys, one after the other */
	struct dm_buf scratch;	/* the key being built */
	struct entry *e;	/* the groups, in the order they came */
	size_t n, cap, max, max_bytes;
	uint32_t *slot;		/* open addressing: index + 1 into e, 0 empty */
	size_t nslots;		/* a power of two, >= 2 * cap */
};

#define FIRST_CAP 64
/* One record's key may be this long (its fields are capped far below by
 * the parser's limits); the scratch buffer's cap. */
#define KEY_MAX ((size_t)64 << 20)

static uint32_t
hash_bytes(const unsigned char *k, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= k[i];
		h *= 16777619u;
	}
	return h;
}

struct authtotals *
authtotals_new(size_t max_groups, size_t max_bytes)
{
	struct authtotals *at;

	if (max_groups == 0 || max_groups > UINT32_MAX / 4 ||
	    (at = calloc(1, sizeof *at)) == NULL)
		return NULL;
	at->max = max_groups;
	at->max_bytes = max_bytes;
	dm_buf_init(&at->keys, max_bytes + KEY_MAX);
	dm_buf_init(&at->scratch, KEY_MAX);
	return at;
}

void
authtotals_free(struct authtotals *at)
{
	if (at == NULL)
		return;
	dm_buf_free(&at->keys);
	dm_buf_free(&at->scratch);
	free(at->e);
	free(at->slot);
	free(at);
}

void
authtotals_clear(struct authtotals *at)
{
	if (at->n > 0 && at->slot != NULL)
		memset(at->slot, 0, at->nslots * sizeof *at->slot);
	at->n = 0;
	dm_buf_reset(&at->keys);
}

size_t
authtotals_count(const struct authtotals *at)
{
	return at->n;
}

int
authtotals_json_string(struct dm_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p, *run;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	if (s == NULL)
		return dm_buf_add(b, "null", 4);
	if (dm_buf_add(b, "\"", 1) != 0)
		return -1;
	for (run = p = (const unsigned char *)s; ; p++) {
		unsigned char c = *p;
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* the bytes up to here, as they are */
		if (p > run && dm_buf_add(b, run, (size_t)(p - run)) != 0)
			return -1;
		run = p + 1;
		if (c == '\0')
			break;
		switch (c) {
		case '"': case '\\': esc[1] = (char)c; break;
		case '\b': esc[1] = 'b'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\f': esc[1] = 'f'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			elen = 6;
		}
		if (dm_buf_add(b, esc, elen) != 0)
			return -1;
	}
	return dm_buf_add(b, "\"", 1);
}

/* Appends a text field and its NUL ("" for NULL). */
static int
add_field(struct dm_buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	return dm_buf_add(b, s, strlen(s) + 1);
}

/* Appends "[" a "," b "," c "]" as SQLite's json_array(a, b, c). */
static int
add_triple(struct dm_buf *b, const char *x, const char *y, const char *z)
{
	return dm_buf_add(b, "[", 1) || authtotals_json_string(b, x) ||
	    dm_buf_add(b, ",", 1) || authtotals_json_string(b, y) ||
	    dm_buf_add(b, ",", 1) || authtotals_json_string(b, z) ||
	    dm_buf_add(b, "]", 1) ? -1 : 0;
}

/* The record's key into the scratch buffer.  0 or -1. */
static int
build_key(struct dm_buf *b, const struct dm_record *rec)
{
	int ov = 0;
	size_t i;

	dm_buf_reset(b);
	for (i = 0; i < rec->n_reasons && !ov; i++)
		ov = derived_override_reason(rec->reasons[i].type,
		    rec->reasons[i].comment);
	if (add_field(b, rec->source_ip) || add_field(b, rec->header_from) ||
	    add_field(b, rec->disposition) || add_field(b, rec->dkim_aligned) ||
	    add_field(b, rec->spf_aligned) || add_field(b, ov ? "1" : "0") ||
	    dm_buf_add(b, "[", 1))
		return -1;
	for (i = 0; i < rec->n_reasons; i++)
		if ((i > 0 && dm_buf_add(b, ",", 1)) ||
		    authtotals_json_string(b, rec->reasons[i].type))
			return -1;
	if (dm_buf_add(b, "]\0[", 3))
		return -1;
	for (i = 0; i < rec->n_spf; i++)
		if ((i > 0 && dm_buf_add(b, ",", 1)) ||
		    add_triple(b, rec->spf[i].domain, rec->spf[i].scope,
		    rec->spf[i].result))
			return -1;
	if (dm_buf_add(b, "]\0[", 3))
		return -1;
	for (i = 0; i < rec->n_dkim; i++)
		if ((i > 0 && dm_buf_add(b, ",", 1)) ||
		    add_triple(b, rec->dkim[i].domain, rec->dkim[i].selector,
		    rec->dkim[i].result))
			return -1;
	return dm_buf_add(b, "]", 2);	/* with its NUL */
}

/* Room for one more group: the entries and the slots grown together. */
static int
grow(struct authtotals *at)
{
	size_t cap = at->cap ? at->cap * 2 : FIRST_CAP, ns, i, j;
	struct entry *e;
	uint32_t *slot;

	if (cap > at->max)
		cap = at->max;
	for (ns = 1; ns < cap * 2; ns *= 2)
		;
	if ((e = realloc(at->e, cap * sizeof *e)) == NULL)
		return -1;
	at->e = e;
	if ((slot = calloc(ns, sizeof *slot)) == NULL)
		return -1;
	for (i = 0; i < at->n; i++) {
		for (j = at->e[i].hash & (ns - 1); slot[j] != 0;
		    j = (j + 1) & (ns - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(at->slot);
	at->slot = slot;
	at->nslots = ns;
	at->cap = cap;
	return 0;
}

int
authtotals_add(struct authtotals *at, const struct dm_record *rec)
{
	const unsigned char *k;
	struct entry *e = NULL;
	uint64_t c = rec->count < 0 ? 0 : (uint64_t)rec->count;
	uint32_t h;
	size_t len, j;

	if (build_key(&at->scratch, rec) != 0)
		return -1;
	k = at->scratch.data;
	len = at->scratch.len;
	h = hash_bytes(k, len);
	if (at->nslots > 0) {
		for (j = h & (at->nslots - 1); at->slot[j] != 0;
		    j = (j + 1) & (at->nslots - 1)) {
			e = &at->e[at->slot[j] - 1];
			if (e->hash == h && e->len == len &&
			    memcmp(at->keys.data + e->off, k, len) == 0)
				break;
			e = NULL;
		}
	}
	if (e == NULL) {
		if (at->n == at->max || (at->n > 0 &&
		    at->keys.len + len > at->max_bytes))
			return 1;
		if (at->n == at->cap && grow(at) != 0)
			return -1;
		if (dm_buf_add(&at->keys, k, len) != 0) {
			/* the buffer is gone: so are the groups */
			at->n = 0;
			memset(at->slot, 0, at->nslots * sizeof *at->slot);
			dm_buf_reset(&at->keys);
			return -1;
		}
		for (j = h & (at->nslots - 1); at->slot[j] != 0;
		    j = (j + 1) & (at->nslots - 1))
			;
		e = &at->e[at->n];
		at->slot[j] = (uint32_t)++at->n;
		e->off = at->keys.len - len;
		e->len = (uint32_t)len;
		e->hash = h;
		e->family = rec->ip_family;
		e->records = e->messages = 0;
	}
	e->records++;
	e->messages += c;
	return 0;
}

int
authtotals_each(const struct authtotals *at,
    int (*fn)(void *ctx, const struct authtotals_group *g), void *ctx)
{
	struct authtotals_group g;
	const char *f[9];
	size_t i, k;
	int rc;

	for (i = 0; i < at->n; i++) {
		const char *p = (const char *)at->keys.data + at->e[i].off;

		for (k = 0; k < 9; k++) {
			f[k] = p;
			p += strlen(p) + 1;
		}
		g.source_ip = f[0];
		g.ip_family = at->e[i].family;
		g.header_from = f[1];
		g.disposition = f[2];
		g.dkim_aligned = f[3];
		g.spf_aligned = f[4];
		g.overridden = f[5][0] == '1';
		g.reasons = f[6];
		g.spf = f[7];
		g.dkim = f[8];
		g.records = at->e[i].records;
		g.messages = at->e[i].messages;
		if ((rc = fn(ctx, &g)) != 0)
			return rc;
	}
	return 0;
}
