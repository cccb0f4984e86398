/* SPDX-License-Identifier: MIT */
/* fuzz_tnef.c: libFuzzer harness over the TNEF reader (winmail.dat). */
#include <stdint.h>

#include "tnef.h"

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tnef_reader r;
	struct tnef_attachment a;
	size_t i;

	if (tnef_open(&r, data, size) != 0)
		return 0;
	while (tnef_next(&r, &a) == 1)
		for (i = 0; i < a.len; i++)	/* every byte must be readable */
			sink += a.data[i];
	return 0;
}
