/* SPDX-License-Identifier: MIT */
/*
 * orgdomain.c: organizational domains through libpsl's built-in Public
 * Suffix List (ICANN and private sections, as psl_registrable_domain()
 * applies them); never loads a file or touches the network.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "orgdomain.h"

/* Copies domain into buf in ASCII lowercase, without one trailing dot;
 * -1 when it does not fit (buf is then ""). */
static int
org_lower(const char *domain, char *buf, size_t len)
{
	size_t n = strlen(domain), i;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n >= len) {
		buf[0] = '\0';
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)domain[i];

		buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	buf[n] = '\0';
	return 0;
}

/*
 * A NULL domain, or one too long for buf, gives "".  libpsl's answer
 * points into the string it was given (here buf), so it is moved to the
 * front.  Names in reports are ASCII (IDNs as punycode), so ASCII
 * lowercasing is all libpsl needs.
 */
const char *
org_domain(const char *domain, char *buf, size_t len)
{
	const psl_ctx_t *psl;
	const char *reg;

	if (buf == NULL || len == 0)
		return "";
	buf[0] = '\0';
	if (domain == NULL || org_lower(domain, buf, len) == -1)
		return buf;
	if ((psl = psl_builtin()) == NULL || buf[0] == '\0')
		return buf;
	reg = psl_registrable_domain(psl, buf);
	if (reg != NULL && reg != buf)
		memmove(buf, reg, strlen(reg) + 1);
	return buf;
}

/* The longest DNS name is 253 characters; a trailing dot and NUL fit. */
#define ORG_NAME_MAX 256

int
org_aligned(const char *a, const char *b)
{
	char oa[ORG_NAME_MAX], ob[ORG_NAME_MAX];

	if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
		return 0;
	org_domain(a, oa, sizeof oa);
	org_domain(b, ob, sizeof ob);
	if (oa[0] == '\0' || ob[0] == '\0')
		return 0;
	return strcasecmp(oa, ob) == 0;
}
