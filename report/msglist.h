/* SPDX-License-Identifier: MIT */
/*
 * msglist.h: a bounded list of one-line messages (errors, warnings, hints)
 * that the check-dns checkers collect.  The list owns its strings.
 */
#ifndef DM_MSGLIST_H
#define DM_MSGLIST_H

#include <stddef.h>

/* Messages kept per list; more are counted in `dropped`.  A hostile zone
 * can make any number of problems; a reader wants the first few dozen. */
#define MSGLIST_MAX 64

struct msglist {
	char *v[MSGLIST_MAX];
	size_t n;
	size_t dropped;
};

/* Appends a formatted message; -1 when out of memory. */
int msglist_add(struct msglist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void msglist_free(struct msglist *l);

#endif
