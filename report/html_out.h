/* SPDX-License-Identifier: MIT */
/*
 * html_out.h: text made safe for HTML and XML (the weekly mail's HTML and
 * its inline SVG): & < > " ' as character references, control characters
 * and bytes that are not UTF-8 as U+FFFD.  Reporter names, domains and
 * sender names come from strangers: everything printed into markup goes
 * through here.  Owns nothing.
 */
#ifndef DM_HTML_OUT_H
#define DM_HTML_OUT_H

#include <stdio.h>

/* Writes s escaped (NULL writes nothing). */
void html_text(FILE *f, const char *s);

#endif
