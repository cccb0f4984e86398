/* SPDX-License-Identifier: MIT */
/*
 * slots.h: the hash index of an accumulator's entries (daytotals.c,
 * authtotals.c): open addressing with linear probing over a power-of-two
 * table of entry numbers, kept at most half full.  The accumulator owns
 * its entries (an array it grows with dm_array) and their hashes; this
 * owns only the table.  FNV-1a is the hash.  No SQLite here.
 */
#ifndef DM_SLOTS_H
#define DM_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct slots {
	uint32_t *v;	/* entry number + 1, 0: empty */
	size_t n;	/* a power of two; 0 before the first slots_resize */
};

/* FNV-1a of len bytes. */
uint32_t slots_hash(const void *p, size_t len);

/*
 * The entry of hash h for which same(ctx, i) is true: its number + 1, or
 * 0 when there is none (then *where, if not NULL, is the empty slot where
 * it goes: slots_put).  same() is asked only about entries of hash h.
 */
size_t slots_find(const struct slots *s, uint32_t h, const uint32_t *hashes,
    size_t stride, int (*same)(const void *ctx, size_t i), const void *ctx,
    size_t *where);

/* Entry number i into the empty slot `where` found by slots_find. */
void slots_put(struct slots *s, size_t where, size_t i);

/*
 * A table for up to `entries` entries (2 * entries slots or more), the n
 * entries there are re-entered: entry i's hash is the uint32_t at byte
 * i * stride of `hashes`.  0, or -1 when out of memory (the old table
 * stays).
 */
int slots_resize(struct slots *s, size_t entries, const uint32_t *hashes,
    size_t stride, size_t n);

/* Empties the table (keeps its size); frees it. */
void slots_clear(struct slots *s);
void slots_free(struct slots *s);

#endif
