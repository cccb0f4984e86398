/* SPDX-License-Identifier: MIT */
/* cmd_summary.c: the summary command (being written). */
#include "report.h"

int
cmd_summary(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "summary: not implemented yet");
	return 2;
}
