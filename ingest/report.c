/* SPDX-License-Identifier: MIT */
/* report.c: destructors and names for the plain report structs of report.h. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

void
dm_report_clear(struct dm_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->xml_version);
	free(r->xml_namespace);
	free(r->org_name);
	free(r->email);
	free(r->extra_contact_info);
	free(r->report_id);
	free(r->generator);
	for (i = 0; i < r->n_errors; i++)
		free(r->errors[i]);
	free(r->errors);
	free(r->domain);
	free(r->adkim);
	free(r->aspf);
	free(r->p);
	free(r->sp);
	free(r->np);
	free(r->fo);
	free(r->testing);
	free(r->discovery_method);
	memset(r, 0, sizeof *r);
}

void
dm_record_clear(struct dm_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	free(rec->disposition);
	free(rec->dkim_aligned);
	free(rec->spf_aligned);
	for (i = 0; i < rec->n_reasons; i++) {
		free(rec->reasons[i].type);
		free(rec->reasons[i].comment);
	}
	free(rec->reasons);
	free(rec->header_from);
	free(rec->envelope_from);
	free(rec->envelope_to);
	for (i = 0; i < rec->n_dkim; i++) {
		free(rec->dkim[i].domain);
		free(rec->dkim[i].selector);
		free(rec->dkim[i].result);
		free(rec->dkim[i].human_result);
	}
	free(rec->dkim);
	for (i = 0; i < rec->n_spf; i++) {
		free(rec->spf[i].domain);
		free(rec->spf[i].scope);
		free(rec->spf[i].result);
		free(rec->spf[i].human_result);
	}
	free(rec->spf);
	memset(rec, 0, sizeof *rec);
}

const char *
dm_schema_name(enum dm_schema s)
{
	switch (s) {
	case DM_SCHEMA_RFC7489:
		return "rfc7489";
	case DM_SCHEMA_DMARC2:
		return "dmarc-2.0";
	}
	return "unknown";
}

const char *
dm_domain_source_name(enum dm_domain_source s)
{
	switch (s) {
	case DM_DOMAIN_REPORT:
		return "report";
	case DM_DOMAIN_FILENAME:
		return "filename";
	case DM_DOMAIN_SUBJECT:
		return "subject";
	case DM_DOMAIN_HEADER_FROM:
		return "header_from";
	}
	return "unknown";
}
