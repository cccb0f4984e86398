/* SPDX-License-Identifier: MIT */
/* slots.c: an accumulator's hash index (see slots.h). */
#include "slots.h"

#include <stdlib.h>
#include <string.h>

/* the hash of entry i, from the caller's entries */
#define HASH_AT(hashes, stride, i) \
	(*(const uint32_t *)(const void *)((const unsigned char *)(hashes) + \
	    (i) * (stride)))

uint32_t
slots_hash(const void *p, size_t len)
{
	const unsigned char *k = p;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= k[i];
		h *= 16777619u;
	}
	return h;
}

size_t
slots_find(const struct slots *s, uint32_t h, const uint32_t *hashes,
    size_t stride, int (*same)(const void *ctx, size_t i), const void *ctx,
    size_t *where)
{
	size_t j, i;

	if (s->n == 0) {
		if (where != NULL)
			*where = 0;
		return 0;
	}
	for (j = h & (s->n - 1); s->v[j] != 0; j = (j + 1) & (s->n - 1)) {
		i = s->v[j] - 1;
		if (HASH_AT(hashes, stride, i) == h && same(ctx, i))
			return i + 1;
	}
	if (where != NULL)
		*where = j;
	return 0;
}

void
slots_put(struct slots *s, size_t where, size_t i)
{
	s->v[where] = (uint32_t)i + 1;
}

int
slots_resize(struct slots *s, size_t entries, const uint32_t *hashes,
    size_t stride, size_t n)
{
	uint32_t *v;
	size_t ns, i, j;

	for (ns = 1; ns < entries * 2; ns *= 2)
		;
	if (ns <= s->n)
		return 0;
	if ((v = calloc(ns, sizeof *v)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = HASH_AT(hashes, stride, i) & (ns - 1); v[j] != 0;
		    j = (j + 1) & (ns - 1))
			;
		v[j] = (uint32_t)i + 1;
	}
	free(s->v);
	s->v = v;
	s->n = ns;
	return 0;
}

void
slots_clear(struct slots *s)
{
	if (s->v != NULL)
		memset(s->v, 0, s->n * sizeof *s->v);
}

void
slots_free(struct slots *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
