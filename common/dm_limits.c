/* SPDX-License-Identifier: MIT */
/* dm_limits.c: the default input ceilings and their "name=value" setter. */
#include "dm_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

void
dm_limits_default(struct dm_limits *l)
{
	l->input_bytes = DM_DEF_INPUT_BYTES;
	l->xml_bytes = DM_DEF_XML_BYTES;
	l->ratio = DM_DEF_RATIO;
	l->ratio_floor = DM_DEF_RATIO_FLOOR;
	l->zip_entries = DM_DEF_ZIP_ENTRIES;
	l->nesting = DM_DEF_NESTING;
	l->xml_depth = DM_DEF_XML_DEPTH;
	l->field_bytes = DM_DEF_FIELD_BYTES;
	l->records = DM_DEF_RECORDS;
	l->repeats = DM_DEF_REPEATS;
	l->keep_failed_bytes = DM_DEF_KEEP_FAILED_BYTES;
	l->message_bytes = DM_DEF_MESSAGE_BYTES;
}

int
dm_limits_set(struct dm_limits *l, const char *assignment, char *err,
    unsigned long errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} table[] = {
		{ DM_LIMIT_INPUT_BYTES, offsetof(struct dm_limits, input_bytes) },
		{ DM_LIMIT_XML_BYTES, offsetof(struct dm_limits, xml_bytes) },
		{ DM_LIMIT_RATIO, offsetof(struct dm_limits, ratio) },
		{ DM_LIMIT_RATIO_FLOOR, offsetof(struct dm_limits, ratio_floor) },
		{ DM_LIMIT_ZIP_ENTRIES, offsetof(struct dm_limits, zip_entries) },
		{ DM_LIMIT_NESTING, offsetof(struct dm_limits, nesting) },
		{ DM_LIMIT_XML_DEPTH, offsetof(struct dm_limits, xml_depth) },
		{ DM_LIMIT_FIELD_BYTES, offsetof(struct dm_limits, field_bytes) },
		{ DM_LIMIT_RECORDS, offsetof(struct dm_limits, records) },
		{ DM_LIMIT_REPEATS, offsetof(struct dm_limits, repeats) },
		{ DM_LIMIT_KEEP_FAILED, offsetof(struct dm_limits, keep_failed_bytes) },
		{ DM_LIMIT_MESSAGE_BYTES, offsetof(struct dm_limits, message_bytes) },
	};
	const char *eq = strchr(assignment, '=');
	char *end;
	unsigned long long v, mult = 1;
	size_t i, nlen;

	if (eq == NULL) {
		snprintf(err, errlen, "--limit wants NAME=VALUE, got '%s'", assignment);
		return -1;
	}
	nlen = (size_t)(eq - assignment);
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].name) == nlen &&
		    strncmp(table[i].name, assignment, nlen) == 0)
			break;
	if (i == sizeof table / sizeof table[0]) {
		snprintf(err, errlen, "unknown limit '%.*s'", (int)nlen, assignment);
		return -1;
	}
	errno = 0;
	if (eq[1] < '0' || eq[1] > '9')
		goto bad;
	v = strtoull(eq + 1, &end, 10);
	if (errno != 0)
		goto bad;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1024ULL * 1024 * 1024, end++;
	if (*end != '\0' || v == 0 || v > UINT64_MAX / mult)
		goto bad;
	*(uint64_t *)(void *)((char *)l + table[i].off) = v * mult;
	return 0;
bad:
	snprintf(err, errlen, "limit %.*s: '%s' is not a positive number",
	    (int)nlen, assignment, eq + 1);
	return -1;
}
