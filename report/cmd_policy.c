/* SPDX-License-Identifier: MIT */
/* cmd_policy.c: the policy command (being written). */
#include "report.h"

int
cmd_policy(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "policy: not implemented yet");
	return 2;
}
