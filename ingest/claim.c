/* SPDX-License-Identifier: MIT */
/* claim.c: what in a mail says "DMARC aggregate report" (see claim.h). */
#include "claim.h"

#include <string.h>
#include <strings.h>

#include "sniff.h"

/* "<feedback" anywhere this far in also makes XML a report. */
#define CLAIM_XML_FEEDBACK_BYTES 4096

int
claim_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The RFC 7489 file name form, whatever its extension:
 * receiver!policy-domain!begin!end (begin and end in digits). */
static int
report_name(const char *name)
{
	const char *p = name;
	size_t digits;
	int bang;

	for (bang = 0; bang < 2; bang++) {
		if ((p = strchr(p, '!')) == NULL || p == name)
			return 0;
		p++;
	}
	for (bang = 0; bang < 2; bang++) {
		for (digits = 0; *p >= '0' && *p <= '9'; p++)
			digits++;
		if (digits == 0 || (bang == 0 && *p++ != '!'))
			return 0;
	}
	return *p == '\0' || *p == '.' || *p == '!' || *p == '_' ||
	    *p == '-';
}

int
claim_by_name(const char *type, const char *name)
{
	static const char *const suffixes[] = {
		".xml", ".gz", ".gzip", ".zip", ".zlib",
	};
	static const char *const types[] = {
		"application/gzip", "application/x-gzip", "application/zip",
		"application/x-zip-compressed", "application/xml", "text/xml",
	};
	size_t i;

	for (i = 0; name != NULL && i < sizeof suffixes / sizeof *suffixes; i++)
		if (claim_has_suffix(name, suffixes[i]))
			return 1;
	if (name != NULL && report_name(name))
		return 1;
	for (i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

int
claim_tls(const char *type, const char *name)
{
	if (strcmp(type, "application/tlsrpt+gzip") == 0 ||
	    strcmp(type, "application/tlsrpt+json") == 0)
		return 1;
	return name != NULL && (claim_has_suffix(name, ".json") ||
	    claim_has_suffix(name, ".json.gz"));
}

static const unsigned char *
find_bytes(const unsigned char *b, size_t len, const char *lit)
{
	size_t i, n = strlen(lit);

	for (i = 0; i + n <= len; i++)
		if (b[i] == (unsigned char)lit[0] && memcmp(b + i, lit, n) == 0)
			return b + i;
	return NULL;
}

static int
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == ':' || c >= 0x80;
}

/*
 * XML whose first element is <feedback> (any prefix), after the XML
 * declaration, comments, processing instructions and a DOCTYPE; or with
 * "<feedback" in its first 4 KiB.
 */
static int
is_feedback_xml(const unsigned char *b, size_t len)
{
	const unsigned char *p, *end;
	size_t i = 0, j, k, brackets;

	if (len > CLAIM_SAMPLE_BYTES)
		len = CLAIM_SAMPLE_BYTES;
	if (len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (;;) {
		while (i < len && is_xml_space(b[i]))
			i++;
		if (i >= len || b[i] != '<')
			break;
		if (i + 1 < len && b[i + 1] == '?') {
			if ((p = find_bytes(b + i, len - i, "?>")) == NULL)
				break;
			i = (size_t)(p - b) + 2;
		} else if (len - i >= 4 && memcmp(b + i, "<!--", 4) == 0) {
			if ((p = find_bytes(b + i + 4, len - i - 4, "-->")) ==
			    NULL)
				break;
			i = (size_t)(p - b) + 3;
		} else if (len - i >= 9 && strncasecmp((const char *)b + i,
		    "<!DOCTYPE", 9) == 0) {
			for (j = i + 9, brackets = 0; j < len; j++) {
				if (b[j] == '[')
					brackets++;
				else if (b[j] == ']' && brackets > 0)
					brackets--;
				else if (b[j] == '>' && brackets == 0)
					break;
			}
			if (j >= len)
				break;
			i = j + 1;
		} else {
			for (j = k = i + 1; j < len && is_name_char(b[j]); j++)
				if (b[j] == ':')
					k = j + 1;
			if (j - k == 8 && memcmp(b + k, "feedback", 8) == 0 &&
			    (j == len || is_xml_space(b[j]) || b[j] == '>' ||
			    b[j] == '/'))
				return 1;
			break;
		}
	}
	end = b + (len < CLAIM_XML_FEEDBACK_BYTES ? len : CLAIM_XML_FEEDBACK_BYTES);
	return find_bytes(b, (size_t)(end - b), "<feedback") != NULL;
}

int
claim_by_bytes(const unsigned char *b, size_t len, int body)
{
	enum sniff_kind kind = sniff_kind(b, len);

	return kind == SNIFF_GZIP || kind == SNIFF_ZIP ||
	    (!body && kind == SNIFF_XML && is_feedback_xml(b, len));
}

/* Compared lowercase, with '-', '_' and runs of white space as one
 * space ("Report-ID", "Report ID", "Report_Domain"). */
int
claim_by_subject(const char *subject)
{
	char norm[1024];
	size_t i, o = 0;
	int sp = 0, keys;

	if (subject == NULL)
		return 0;
	for (i = 0; subject[i] != '\0' && o < sizeof norm - 1; i++) {
		unsigned char c = (unsigned char)subject[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '_' || c == '-') {
			sp = 1;	/* "Report-ID", "Report ID", "Report_Domain" */
			continue;
		}
		if (sp && o > 0)
			norm[o++] = ' ';
		sp = 0;
		if (o < sizeof norm - 1)
			norm[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	norm[o] = '\0';
	if (strstr(norm, "report domain:") != NULL ||
	    strstr(norm, "report domain :") != NULL)
		return 1;
	keys = (strstr(norm, "submitter:") != NULL) +
	    (strstr(norm, "report id:") != NULL);
	return keys == 2;
}

