/* SPDX-License-Identifier: MIT */
/* cmd_check_record.c: the check-record command (being written). */
#include "report.h"

int
cmd_check_record(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "check-record: not implemented yet");
	fprintf(stderr, "dmarc-report: %s\n", c->err);
	return 2;
}
