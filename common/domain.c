/* SPDX-License-Identifier: MIT */
/* domain.c: domain names in their stored form (see domain.h). */
#include "domain.h"

#include <stdlib.h>
#include <string.h>

#include <idn2.h>

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

enum dm_domain_status
dm_domain_norm(const char *name, char **out, const char **why)
{
	const unsigned char *c;
	char *v, *a = NULL;
	size_t len = strlen(name);
	int ascii = 1, rc;

	*out = NULL;
	if (why != NULL)
		*why = NULL;
	for (c = (const unsigned char *)name; *c != '\0'; c++)
		if (*c >= 0x80)
			ascii = 0;
	if (len > 1 && name[len - 1] == '.')
		len--;
	if ((v = strndup(name, len)) == NULL)
		return DM_DNAME_NOMEM;
	ascii_lower(v);
	if (ascii) {
		*out = v;
		return DM_DNAME_OK;
	}
	/* UTS #46 non-transitional mapping (case folding, NFC), then
	 * IDNA2008: what browsers and mail software resolve */
	rc = idn2_to_ascii_8z(v, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc == IDN2_MALLOC) {
		free(v);
		return DM_DNAME_NOMEM;
	}
	if (rc != IDN2_OK) {
		if (why != NULL)
			*why = idn2_strerror(rc);
		*out = v;
		return DM_DNAME_INVALID;
	}
	free(v);
	/* libidn2 allocates with malloc: free() is right for it */
	*out = a;
	ascii_lower(a);
	return DM_DNAME_OK;
}
