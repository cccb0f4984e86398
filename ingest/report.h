/* SPDX-License-Identifier: MIT */
/*
 * report.h: the plain C structs that carry one aggregate report from parse
 * to store.  Neither libxml2 nor SQLite appears here.  Strings are
 * NUL-terminated UTF-8 owned by the struct that holds them; NULL means the
 * element was absent or empty (SPEC.md E.5).  Enum-like values are trimmed
 * and lowercased by the parser but otherwise kept raw (E.8).
 */
#ifndef DM_REPORT_H
#define DM_REPORT_H

#include <stddef.h>
#include <stdint.h>

enum dm_schema {
	DM_SCHEMA_RFC7489 = 0,	/* any feedback not in the 2.0 namespace */
	DM_SCHEMA_DMARC2 = 1	/* urn:ietf:params:xml:ns:dmarc-2.0, or version 2.0 */
};

/* Where the policy domain came from (SPEC.md E.12). */
enum dm_domain_source {
	DM_DOMAIN_REPORT = 0,	/* policy_published/domain */
	DM_DOMAIN_FILENAME,	/* receiver!domain!begin!end... of the input name */
	DM_DOMAIN_SUBJECT,	/* "Report Domain: x" of the mail subject */
	DM_DOMAIN_HEADER_FROM	/* the first record's header_from */
};

/* Report-level data: report_metadata and policy_published. */
struct dm_report {
	enum dm_schema schema;
	char *xml_version;		/* <version> as written */
	char *xml_namespace;		/* namespace URI of <feedback>, or NULL */

	char *org_name;
	char *email;
	char *extra_contact_info;
	char *report_id;
	char *generator;		/* 2.0 only */
	int64_t date_begin;		/* UTC epoch seconds */
	int64_t date_end;
	int has_begin, has_end;
	char **errors;			/* report_metadata/error, n_errors of them */
	size_t n_errors;

	/* policy_published, with the SPEC.md E.6 defaults applied */
	char *domain;
	enum dm_domain_source domain_source;
	char *adkim;			/* default "r" */
	char *aspf;			/* default "r" */
	char *p;
	char *sp;			/* default p */
	char *np;			/* default sp, else p */
	int64_t pct;			/* 7489 only */
	int has_pct;
	char *fo;			/* default "0" */
	char *testing;			/* default "n" */
	char *discovery_method;		/* 2.0 only */
};

struct dm_reason {
	char *type;
	char *comment;
};

struct dm_dkim {
	char *domain;
	char *selector;
	char *result;
	char *human_result;
};

struct dm_spf {
	char *domain;
	char *scope;			/* default "mfrom" */
	char *result;
	char *human_result;		/* 2.0 only */
};

/* One usable <record>: the parser hands over only records with a valid
 * source IP and count; skipped ones are reported as warnings. */
struct dm_record {
	uint64_t position;		/* 1-based position among the report's <record>s */
	char source_ip[48];		/* canonical inet_ntop text; IPv4-mapped IPv6 as IPv4 */
	int ip_family;			/* 4 or 6 */
	int64_t count;
	char *disposition;
	char *dkim_aligned;		/* policy_evaluated/dkim */
	char *spf_aligned;		/* policy_evaluated/spf */
	struct dm_reason *reasons;
	size_t n_reasons;
	char *header_from;
	char *envelope_from;
	char *envelope_to;
	struct dm_dkim *dkim;
	size_t n_dkim;
	struct dm_spf *spf;
	size_t n_spf;
};

/* Free the strings and arrays inside, not the struct itself; then zero it.
 * Safe on a zeroed struct. */
void dm_report_clear(struct dm_report *r);
void dm_record_clear(struct dm_record *rec);

/* "rfc7489" or "dmarc-2.0"; "report", "filename", "subject", "header_from". */
const char *dm_schema_name(enum dm_schema s);
const char *dm_domain_source_name(enum dm_domain_source s);

#endif
