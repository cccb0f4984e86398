/* SPDX-License-Identifier: MIT */
/* fuzz_mail.c: libFuzzer harness over the mail splitter (message and mbox). */
#include <stdint.h>

#include "mail.h"
#include "sniff.h"

static int on_part(void *ctx, const struct mail_message *m, const struct mail_part *p)
{ (void)ctx, (void)m, (void)p; return 0; }
static int on_done(void *ctx, const struct mail_message *m, unsigned r, unsigned o, const char *e)
{ (void)ctx, (void)m, (void)r, (void)o, (void)e; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct dm_limits l;
	struct mail_callbacks cb = { NULL, on_part, on_done };
	char err[256];

	if (!init++)
		mail_global_init();
	dm_limits_default(&l);
	l.message_bytes = 1 << 20;
	(void)mail_scan_mem(data, size, sniff_kind(data, size) == SNIFF_MBOX, &l,
	    &cb, err, sizeof err);
	return 0;
}
