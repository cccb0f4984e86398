/* SPDX-License-Identifier: MIT */
/* test_dm_array.c: dm_array_reserve grows by doubling, stops at its cap and at size_t's end, and leaves the array as it was when it refuses. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "dm_array.h"

int
main(void)
{
	int *v = NULL;
	size_t cap = 0, i;
	char **s = NULL;
	size_t scap = 0;

	/* nothing needed: nothing allocated */
	CHECK_INT(dm_array_reserve(&v, &cap, 0, sizeof *v, 100), 0);
	CHECK(v == NULL);
	CHECK_INT(cap, 0);
	/* the first allocation, then doubling; the contents kept */
	CHECK_INT(dm_array_reserve(&v, &cap, 1, sizeof *v, 100), 0);
	CHECK(v != NULL);
	CHECK_INT(cap, DM_ARRAY_FIRST);
	for (i = 0; i < 40; i++) {
		CHECK_INT(dm_array_reserve(&v, &cap, i + 1, sizeof *v, 100), 0);
		v[i] = (int)i * 3;
	}
	CHECK_INT(cap, 64);
	CHECK_INT(v[39], 117);
	CHECK_INT(v[0], 0);
	/* never past the cap: up to it, then refused and left as it was */
	CHECK_INT(dm_array_reserve(&v, &cap, 65, sizeof *v, 100), 0);
	CHECK_INT(cap, 100);
	CHECK_INT(dm_array_reserve(&v, &cap, 101, sizeof *v, 100), -1);
	CHECK_INT(cap, 100);
	CHECK_INT(v[39], 117);
	/* sizes that would wrap are refused */
	CHECK_INT(dm_array_reserve(&v, &cap, SIZE_MAX / 2, sizeof *v,
	    SIZE_MAX), -1);
	CHECK_INT(dm_array_reserve(&v, &cap, 2, 0, 100), 0);	/* room already */
	free(v);
	/* an array of pointers, as the callers pass them */
	CHECK_INT(dm_array_reserve(&s, &scap, 3, sizeof *s, 8), 0);
	s[2] = (char *)"x";
	CHECK_STR(s[2], "x");
	CHECK_INT(dm_array_reserve(&s, &scap, 9, sizeof *s, 8), -1);
	free(s);
	CHECK_DONE();
}
