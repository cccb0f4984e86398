/* SPDX-License-Identifier: MIT */
/* fuzz_record.c: libFuzzer harness over the DMARC record linter; the input
 * up to its first NUL is the record, the rest (if any) the owner name;
 * read as a DNS answer (lint_record) and as pasted (lint_pasted). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lint_result r;
	char *s = malloc(size + 1), *nul;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nul = memchr(s, '\0', size);
	if (lint_record(s, nul != NULL ? nul + 1 : NULL, &r) == 0) {
		(void)lint_tag(&r, "p");
		lint_free(&r);
	}
	if (lint_pasted(s, nul != NULL ? nul + 1 : NULL, &r) == 0)
		lint_free(&r);
	free(s);
	return 0;
}
