/* SPDX-License-Identifier: MIT */
/* authtotals.c: a report's records grouped by outcome in memory (see authtotals.h). */
#include "authtotals.h"

#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "dm_array.h"
#include "slots.h"

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
	struct slots slots;	/* the groups by key */
};

/* One record's key may be this long (its fields are capped far below by
 * the parser's limits); the scratch buffer's cap. */
#define KEY_MAX ((size_t)64 << 20)

/* the entries' hashes, for slots.c */
#define HASHES(at) ((at)->e != NULL ? &(at)->e[0].hash : NULL)

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
	slots_free(&at->slots);
	free(at);
}

void
authtotals_clear(struct authtotals *at)
{
	if (at->n > 0)
		slots_clear(&at->slots);
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

/* slots_find: whether group i has the key being added */
struct lookup {
	const struct authtotals *at;
	const unsigned char *k;
	size_t len;
};

static int
same_key(const void *ctx, size_t i)
{
	const struct lookup *l = ctx;
	const struct entry *e = &l->at->e[i];

	return e->len == l->len &&
	    memcmp(l->at->keys.data + e->off, l->k, l->len) == 0;
}

int
authtotals_add(struct authtotals *at, const struct dm_record *rec)
{
	struct lookup l;
	struct entry *e;
	uint64_t c = rec->count < 0 ? 0 : (uint64_t)rec->count;
	uint32_t h;
	size_t i, where;

	if (build_key(&at->scratch, rec) != 0)
		return -1;
	l.at = at;
	l.k = at->scratch.data;
	l.len = at->scratch.len;
	h = slots_hash(l.k, l.len);
	i = slots_find(&at->slots, h, HASHES(at), sizeof *at->e, same_key,
	    &l, &where);
	if (i == 0) {
		if (at->n == at->max || (at->n > 0 &&
		    at->keys.len + l.len > at->max_bytes))
			return 1;
		if (dm_array_reserve(&at->e, &at->cap, at->n + 1, sizeof *at->e,
		    at->max) != 0 || slots_resize(&at->slots, at->cap,
		    HASHES(at), sizeof *at->e, at->n) != 0)
			return -1;
		if (dm_buf_add(&at->keys, l.k, l.len) != 0) {
			/* the buffer is gone: so are the groups */
			at->n = 0;
			slots_clear(&at->slots);
			dm_buf_reset(&at->keys);
			return -1;
		}
		(void)slots_find(&at->slots, h, HASHES(at), sizeof *at->e,
		    same_key, &l, &where);
		e = &at->e[at->n];
		e->off = at->keys.len - l.len;
		e->len = (uint32_t)l.len;
		e->hash = h;
		e->family = rec->ip_family;
		e->records = e->messages = 0;
		slots_put(&at->slots, where, at->n++);
	} else
		e = &at->e[i - 1];
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
