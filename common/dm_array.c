/* SPDX-License-Identifier: MIT */
/* dm_array.c: a growable array's room, capped (see dm_array.h). */
#include "dm_array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
dm_array_reserve(void *arrp, size_t *cap, size_t need, size_t size,
    size_t max)
{
	void *old, *p;
	size_t c;

	if (need <= *cap)
		return 0;
	if (size == 0 || need > max || need > SIZE_MAX / size)
		return -1;
	c = *cap ? *cap : DM_ARRAY_FIRST;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (c > max)
		c = max;
	if (c > SIZE_MAX / size)
		c = need;
	/* the pointer read and written as bytes: arrp is a T ** */
	memcpy(&old, arrp, sizeof old);
	if ((p = realloc(old, c * size)) == NULL)
		return -1;
	memcpy(arrp, &p, sizeof p);
	*cap = c;
	return 0;
}
