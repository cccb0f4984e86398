/* SPDX-License-Identifier: MIT */
/* fuzz_unpack.c: libFuzzer harness over sniff + unpack (gzip, zlib, zip). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sniff.h"
#include "unpack.h"

/* Reads a stream to its end (or error), then closes it. */
static void
drain(struct stream *s)
{
	unsigned char buf[4096];

	while (s != NULL && stream_read(s, buf, sizeof buf) > 0)
		;
	stream_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_limits l;
	struct unpack_zip *z;
	struct unpack_zip_member m;
	char err[256];
	unsigned char *copy;
	enum sniff_kind k = sniff_kind(data, size);

	dm_limits_default(&l);
	l.xml_bytes = 1 << 20;
	if (k == SNIFF_GZIP || k == SNIFF_ZLIB) {
		drain(unpack_inflate(stream_from_mem(data, size), k == SNIFF_ZLIB, &l));
	} else if (k == SNIFF_ZIP && (copy = malloc(size ? size : 1)) != NULL) {
		memcpy(copy, data, size);
		if ((z = unpack_zip_open_mem(copy, size, &l, err, sizeof err)) != NULL) {
			while (unpack_zip_next(z, &m) == 1)
				drain(unpack_zip_member_stream(z, &m, err, sizeof err));
			unpack_zip_close(z);
		}
	}
	return 0;
}
