/* SPDX-License-Identifier: MIT */
/* daytotals.c: a report's records summed by key in memory (see daytotals.h). */
#include "daytotals.h"

#include <stdlib.h>
#include <string.h>

#include "derived.h"

struct entry {
	char key[DAYTOTALS_KEY_MAX];
	uint32_t hash;
	int family;
	struct daytotals_sums s;
};

struct daytotals {
	struct entry *e;	/* the keys, in the order they came */
	size_t n, cap, max;
	uint32_t *slot;		/* open addressing: index + 1 into e, 0 empty */
	size_t nslots;		/* a power of two, >= 2 * cap */
};

/* The first keys fit in this many entries (about 15 KiB); doubled as
 * needed up to max_keys. */
#define FIRST_CAP 128

static uint32_t
hash_key(const char *k, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)k[i];
		h *= 16777619u;
	}
	return h;
}

struct daytotals *
daytotals_new(size_t max_keys)
{
	struct daytotals *dt;

	if (max_keys == 0 || max_keys > UINT32_MAX / 4 ||
	    (dt = calloc(1, sizeof *dt)) == NULL)
		return NULL;
	dt->max = max_keys;
	return dt;
}

void
daytotals_free(struct daytotals *dt)
{
	if (dt == NULL)
		return;
	free(dt->e);
	free(dt->slot);
	free(dt);
}

void
daytotals_clear(struct daytotals *dt)
{
	if (dt->n > 0 && dt->slot != NULL)
		memset(dt->slot, 0, dt->nslots * sizeof *dt->slot);
	dt->n = 0;
}

size_t
daytotals_count(const struct daytotals *dt)
{
	return dt->n;
}

/* Room for one more key: the entries and the slots grown together. */
static int
grow(struct daytotals *dt)
{
	size_t cap = dt->cap ? dt->cap * 2 : FIRST_CAP, ns, i, j;
	struct entry *e;
	uint32_t *slot;

	if (cap > dt->max)
		cap = dt->max;
	for (ns = 1; ns < cap * 2; ns *= 2)
		;
	if ((e = realloc(dt->e, cap * sizeof *e)) == NULL)
		return -1;
	dt->e = e;
	if ((slot = calloc(ns, sizeof *slot)) == NULL)
		return -1;
	for (i = 0; i < dt->n; i++) {
		for (j = dt->e[i].hash & (ns - 1); slot[j] != 0; j = (j + 1) & (ns - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(dt->slot);
	dt->slot = slot;
	dt->nslots = ns;
	dt->cap = cap;
	return 0;
}

static int
is(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
}

int
daytotals_add(struct daytotals *dt, const char *key, int family,
    const struct dm_record *rec)
{
	size_t len = strnlen(key, DAYTOTALS_KEY_MAX - 1), j;
	uint32_t h = hash_key(key, len);
	uint64_t c = rec->count < 0 ? 0 : (uint64_t)rec->count;
	struct entry *e = NULL;

	if (dt->nslots > 0) {
		for (j = h & (dt->nslots - 1); dt->slot[j] != 0;
		    j = (j + 1) & (dt->nslots - 1)) {
			e = &dt->e[dt->slot[j] - 1];
			if (e->hash == h && strncmp(e->key, key, len) == 0 &&
			    e->key[len] == '\0')
				break;
			e = NULL;
		}
	}
	if (e == NULL) {
		if (dt->n == dt->max)
			return 1;
		if (dt->n == dt->cap && grow(dt) != 0)
			return -1;
		for (j = h & (dt->nslots - 1); dt->slot[j] != 0;
		    j = (j + 1) & (dt->nslots - 1))
			;
		e = &dt->e[dt->n];
		dt->slot[j] = (uint32_t)++dt->n;
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->hash = h;
		e->family = family;
		memset(&e->s, 0, sizeof e->s);
	}
	e->s.records++;
	e->s.messages += c;
	if (derived_dmarc_pass(rec->dkim_aligned, rec->spf_aligned))
		e->s.dmarc_pass += c;
	if (is(rec->spf_aligned, "pass"))
		e->s.spf_aligned_pass += c;
	if (is(rec->dkim_aligned, "pass"))
		e->s.dkim_aligned_pass += c;
	if (is(rec->disposition, "none"))
		e->s.disp_none += c;
	else if (is(rec->disposition, "quarantine"))
		e->s.disp_quarantine += c;
	else if (is(rec->disposition, "reject"))
		e->s.disp_reject += c;
	return 0;
}

int
daytotals_each(const struct daytotals *dt, int (*fn)(void *ctx,
    const char *key, int family, const struct daytotals_sums *s), void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < dt->n; i++)
		if ((rc = fn(ctx, dt->e[i].key, dt->e[i].family, &dt->e[i].s)) != 0)
			return rc;
	return 0;
}
