/* SPDX-License-Identifier: MIT */
/* tnef.c: the attachments of a TNEF stream (see tnef.h). */
#include "tnef.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A TNEF stream opens with its signature and a 16-bit key; an attribute
 * is a level byte, a 32-bit id, a 32-bit length, the data and a 16-bit
 * checksum, all little-endian. */
#define TNEF_HEAD 6
#define TNEF_ATTR_HEAD 9
#define TNEF_ATTR_TAIL 2

static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

int
tnef_open(struct tnef_reader *r, const unsigned char *p, size_t len)
{
	memset(r, 0, sizeof *r);
	r->p = p;
	r->len = len;
	if (len < TNEF_HEAD || le32(p) != TNEF_SIGNATURE) {
		snprintf(r->error, sizeof r->error, "not a TNEF stream (no "
		    "signature)");
		return -1;
	}
	r->pos = TNEF_HEAD;
	return 0;
}

int
tnef_next(struct tnef_reader *r, struct tnef_attachment *a)
{
	const unsigned char *d;
	uint32_t id, n;
	size_t at, k;

	memset(a, 0, sizeof *a);
	while (r->pos < r->len) {
		at = r->pos;
		if (r->len - at < TNEF_ATTR_HEAD) {
			snprintf(r->error, sizeof r->error, "TNEF stream cut "
			    "at byte %zu", at);
			return -1;
		}
		id = le32(r->p + at + 1);
		n = le32(r->p + at + 5);
		if (r->p[at] != TNEF_LVL_MESSAGE &&
		    r->p[at] != TNEF_LVL_ATTACHMENT) {
			snprintf(r->error, sizeof r->error, "bad TNEF attribute "
			    "level %u at byte %zu", r->p[at], at);
			return -1;
		}
		if (n > r->len - at - TNEF_ATTR_HEAD ||
		    r->len - at - TNEF_ATTR_HEAD - n < TNEF_ATTR_TAIL) {
			snprintf(r->error, sizeof r->error, "TNEF attribute at "
			    "byte %zu runs past the end", at);
			return -1;
		}
		d = r->p + at + TNEF_ATTR_HEAD;
		if (r->p[at] == TNEF_LVL_ATTACHMENT &&
		    id == TNEF_ATT_ATTACH_RENDDATA && r->started) {
			/* the next attachment: hand over this one first */
			r->started = 0;
			return 1;
		}
		r->pos = at + TNEF_ATTR_HEAD + n + TNEF_ATTR_TAIL;
		if (r->p[at] != TNEF_LVL_ATTACHMENT)
			continue;
		switch (id) {
		case TNEF_ATT_ATTACH_RENDDATA:
			r->started = 1;
			memset(a, 0, sizeof *a);
			break;
		case TNEF_ATT_ATTACH_TITLE:
			r->started = 1;
			/* 8-bit text, NUL-terminated (or not) */
			for (k = 0; k < n && k < sizeof a->name - 1 &&
			    d[k] != '\0'; k++)
				a->name[k] = (char)d[k];
			a->name[k] = '\0';
			break;
		case TNEF_ATT_ATTACH_DATA:
			r->started = 1;
			a->data = d;
			a->len = n;
			break;
		default:
			break;
		}
	}
	if (r->started) {
		r->started = 0;
		return 1;
	}
	return 0;
}
