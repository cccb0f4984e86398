/* SPDX-License-Identifier: MIT */
/*
 * json_out.h: writes JSON string literals (RFC 8259 escaping: quotes,
 * backslash, control characters as \uXXXX; UTF-8 passed through, invalid
 * bytes replaced by U+FFFD) to a stdio stream.  Owns nothing.
 */
#ifndef DM_JSON_OUT_H
#define DM_JSON_OUT_H

#include <stdio.h>

/* Writes "s" with its quotes; NULL is written as null. */
void json_string(FILE *f, const char *s);

#endif
