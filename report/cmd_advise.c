/* SPDX-License-Identifier: MIT */
/* cmd_advise.c: the advise command (being written). */
#include "report.h"

int
cmd_advise(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "advise: not implemented yet");
	return 2;
}
