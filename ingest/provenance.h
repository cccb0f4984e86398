/* SPDX-License-Identifier: MIT */
/*
 * provenance.h: where a payload came from (the input's name and, for mail,
 * the message that carried it), as a plain struct that the pipeline, the
 * writer and the store pass along.  The strings are borrowed: whoever
 * fills the struct keeps them alive while it is in use.
 */
#ifndef DM_PROVENANCE_H
#define DM_PROVENANCE_H

#include <stdint.h>

/* All but input_name may be NULL. */
struct store_provenance {
	const char *input_name;		/* path, "path:member", "-" */
	const char *message_id;
	const char *message_date;
	const char *message_from;
	const char *message_subject;
	const char *mbox_path;
	int64_t mbox_offset;		/* -1 when not from an mbox */
};

#endif
