/* SPDX-License-Identifier: MIT */
/*
 * html_out.c: HTML and XML escaping of untrusted text (html_out.h).
 */
#include "html_out.h"

#include "fmt.h"

void
html_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL)
		return;
	while (*p) {
		switch (*p) {
		case '&': fputs("&amp;", f); p++; continue;
		case '<': fputs("&lt;", f); p++; continue;
		case '>': fputs("&gt;", f); p++; continue;
		case '"': fputs("&quot;", f); p++; continue;
		case '\'': fputs("&#39;", f); p++; continue;
		default: break;
		}
		n = fmt_utf8_len(p);
		/* C0 controls but tab and newline, DEL, C1 controls (U+0080 to
		 * U+009F, 0xc2 0x80-0x9f), U+FFFE and U+FFFF, invalid bytes: not
		 * allowed in XML 1.0 or not meant to be seen */
		if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n') ||
		    *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
		    (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) {
			fputs("\xef\xbf\xbd", f);
			p += n ? n : 1;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
}
