/* SPDX-License-Identifier: MIT */
/* msglist.c: a bounded list of one-line messages (see msglist.h). */
#include "msglist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int
msglist_add(struct msglist *l, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *s;

	if (l->n == MSGLIST_MAX) {
		l->dropped++;
		return 0;
	}
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (s = malloc((size_t)len + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	l->v[l->n++] = s;
	return 0;
}

void
msglist_free(struct msglist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	l->dropped = 0;
}
