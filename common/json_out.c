/* SPDX-License-Identifier: MIT */
/* json_out.c: JSON string escaping (see json_out.h). */
#include "json_out.h"

#include <stddef.h>

#include "fmt.h"

void
json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*s) {
		switch (*s) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		default: break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		if ((n = fmt_utf8_len(s)) == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	putc('"', f);
}
