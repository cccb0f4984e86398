/* SPDX-License-Identifier: MIT */
/*
 * check.h: the few macros the unit tests use.  A failed CHECK prints the
 * file, line and expression and counts a failure; CHECK_DONE() ends main
 * with the ctest exit status.  Tests read fixtures under DM_TEST_DATA.
 */
#ifndef DM_CHECK_H
#define DM_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_STR(a, b) do { const char *ca_ = (a), *cb_ = (b); check_count++; \
	if (ca_ == NULL || cb_ == NULL ? ca_ != cb_ : strcmp(ca_, cb_) != 0) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", __FILE__, \
	    __LINE__, #a, ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long ca_ = (long long)(a), cb_ = (long long)(b); check_count++; \
	if (ca_ != cb_) { check_failures++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %lld, expected %lld\n", \
	    __FILE__, __LINE__, #a, ca_, cb_); } } while (0)
#define CHECK_DONE() do { fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures); \
	return check_failures ? 1 : (check_count ? 0 : 1); } while (0)

/* Path of a fixture: $DM_TEST_DATA/name (static buffer). */
static inline const char *check_data(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("DM_TEST_DATA");
	snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/data", name);
	return buf;
}

#endif
