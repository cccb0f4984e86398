/* SPDX-License-Identifier: MIT */
/* cmd_reporters.c: the reporters command (being written). */
#include "report.h"

int
cmd_reporters(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "reporters: not implemented yet");
	return 2;
}
