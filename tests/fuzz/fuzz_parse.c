/* SPDX-License-Identifier: MIT */
/* fuzz_parse.c: libFuzzer harness over the report parser, in two pushes. */
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

static int on_record(void *ctx, const struct dm_report *r, const struct dm_record *rec)
{ (void)ctx, (void)r, (void)rec; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct dm_limits l;
	struct parse_callbacks cb = { NULL, on_record, NULL };
	const struct dm_report *rep;
	struct parser *p;

	if (!init++)
		parse_global_init();
	dm_limits_default(&l);
	l.field_bytes = 4096;
	if ((p = parse_new(&l, "fuzz!example.com!1!2.xml", NULL, &cb)) == NULL)
		return 0;
	if (parse_push(p, data, size / 2) == 0 &&
	    parse_push(p, data + size / 2, size - size / 2) == 0)
		(void)parse_finish(p, &rep);
	parse_free(p);
	return 0;
}
