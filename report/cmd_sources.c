/* SPDX-License-Identifier: MIT */
/* cmd_sources.c: the sources command (being written). */
#include "report.h"

int
cmd_sources(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "sources: not implemented yet");
	return 2;
}
