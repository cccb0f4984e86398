/* SPDX-License-Identifier: MIT */
/*
 * advise_render.h: the output of `dmarc-report advise` from the judged
 * structs of advise.h: text (advise_text.c) and JSON (advise_json.c).
 * Renderers build no SQL and judge nothing; they own nothing.
 */
#ifndef DM_ADVISE_RENDER_H
#define DM_ADVISE_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "advise.h"

void advise_print_text(FILE *f, const struct advice *a);
void advise_print_json(FILE *f, const struct advice *a);

/* The one-line verdict of a domain ("example.com: READY for p=..."). */
void advise_verdict_line(const struct advice *a, const struct adv_domain *d,
    char *line, size_t len);

/* Prints `text` after `lead`, wrapped at REPORT_WIDTH with `indent`. */
void advise_wrap(FILE *f, const char *lead, const char *text, size_t indent);

#endif
