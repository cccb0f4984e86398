/* SPDX-License-Identifier: MIT */
/* cmd_weekly.c: the weekly command (being written). */
#include "report.h"

int
cmd_weekly(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "weekly: not implemented yet");
	return 2;
}
