/* SPDX-License-Identifier: MIT */
/*
 * senders_out.h: the output of `dmarc-report senders` from the judged
 * structs of advise.h (advice.want_selectors set): per domain, a row per
 * sender, most messages first: its state, sources, messages, aligned share
 * per week (text: a sparkline with a legend; JSON: also per day), DKIM
 * selectors with their first and last day, SPF domains.  Text, CSV (one
 * row per sender) and JSON.  Builds no SQL, judges nothing, owns nothing.
 */
#ifndef DM_SENDERS_OUT_H
#define DM_SENDERS_OUT_H

#include <stdio.h>

#include "advise.h"

/* At most `top` senders per domain. */
void senders_print_text(FILE *f, const struct advice *a, size_t top);
void senders_print_csv(FILE *f, const struct advice *a, size_t top);
void senders_print_json(FILE *f, const struct advice *a, size_t top);

/* A sender's state in words: "fixed since 2025-09-08", "broken since
 * ...", "aligned since ... (settling)", else its class ("aligned"). */
const char *senders_state_text(const struct adv_sender *g, char *buf,
    size_t len);

#endif
