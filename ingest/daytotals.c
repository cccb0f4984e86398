/* SPDX-License-Identifier: MIT */
/* daytotals.c: a report's records summed by key in memory (see daytotals.h). */
#include "daytotals.h"

#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "dm_array.h"
#include "slots.h"

struct entry {
	char key[DAYTOTALS_KEY_MAX];
	uint32_t hash;
	int family;
	struct daytotals_sums s;
};

struct daytotals {
	struct entry *e;	/* the keys, in the order they came */
	size_t n, cap, max;
	struct slots slots;	/* the keys by name */
};

/* the entries' hashes, for slots.c */
#define HASHES(dt) ((dt)->e != NULL ? &(dt)->e[0].hash : NULL)

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
	slots_free(&dt->slots);
	free(dt);
}

void
daytotals_clear(struct daytotals *dt)
{
	if (dt->n > 0)
		slots_clear(&dt->slots);
	dt->n = 0;
}

size_t
daytotals_count(const struct daytotals *dt)
{
	return dt->n;
}

/* slots_find: whether key i is the one being added */
struct lookup {
	const struct daytotals *dt;
	const char *key;
	size_t len;
};

static int
same_key(const void *ctx, size_t i)
{
	const struct lookup *l = ctx;
	const char *k = l->dt->e[i].key;

	return strncmp(k, l->key, l->len) == 0 && k[l->len] == '\0';
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
	struct lookup l = { dt, key, strnlen(key, DAYTOTALS_KEY_MAX - 1) };
	uint32_t h = slots_hash(key, l.len);
	uint64_t c = rec->count < 0 ? 0 : (uint64_t)rec->count;
	struct entry *e;
	size_t i, where;

	i = slots_find(&dt->slots, h, HASHES(dt), sizeof *dt->e, same_key, &l,
	    &where);
	if (i == 0) {
		if (dt->n == dt->max)
			return 1;
		if (dm_array_reserve(&dt->e, &dt->cap, dt->n + 1, sizeof *dt->e,
		    dt->max) != 0 || slots_resize(&dt->slots, dt->cap,
		    HASHES(dt), sizeof *dt->e, dt->n) != 0)
			return -1;
		(void)slots_find(&dt->slots, h, HASHES(dt), sizeof *dt->e,
		    same_key, &l, &where);
		e = &dt->e[dt->n];
		memcpy(e->key, key, l.len);
		e->key[l.len] = '\0';
		e->hash = h;
		e->family = family;
		memset(&e->s, 0, sizeof e->s);
		slots_put(&dt->slots, where, dt->n++);
	} else
		e = &dt->e[i - 1];
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
