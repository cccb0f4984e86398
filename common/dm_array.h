/* SPDX-License-Identifier: MIT */
/*
 * dm_array.h: room in a growable array, with a hard cap: the one way the
 * tools grow an array of structs or pointers (a byte buffer is a dm_buf,
 * dm_buf.h).  The caller keeps the array, its count and its capacity; this
 * only reallocates, doubling from a first size, never past `max` elements
 * nor past what size_t can count, so that no hostile input can make an
 * array grow without end and no size computation can wrap.
 */
#ifndef DM_ARRAY_H
#define DM_ARRAY_H

#include <stddef.h>

/* Capacity of the first allocation, in elements. */
#define DM_ARRAY_FIRST 16

/*
 * Makes room for at least `need` elements of `size` bytes in the array
 * whose address is at `arrp` (a T ** passed as void *: &v) with capacity
 * *cap: 0 (*arrp and *cap updated when it grew; new elements are not
 * zeroed), or -1 when need > max or no memory (the array is left as it
 * was, still owned by the caller).
 */
int dm_array_reserve(void *arrp, size_t *cap, size_t need, size_t size,
    size_t max) __attribute__((warn_unused_result));

#endif
