/* SPDX-License-Identifier: MIT */
/*
 * clock.h: the monotonic clock in milliseconds, for timeouts and budgets
 * (DNS lookups, export's name resolution).  Owns nothing.
 */
#ifndef DM_CLOCK_H
#define DM_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
dm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
