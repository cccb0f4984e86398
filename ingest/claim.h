/* SPDX-License-Identifier: MIT */
/*
 * claim.h: what in a mail says "DMARC aggregate report": a part's name or
 * MIME type, its first bytes, the message's Subject; and what says SMTP
 * TLS report instead.  Pure functions over strings and bytes: no GMime,
 * no I/O, no memory kept.
 */
#ifndef DM_CLAIM_H
#define DM_CLAIM_H

#include <stddef.h>

/* The bytes of a part that claim_by_bytes needs to decide (the first
 * element of XML is looked for this far in). */
#define CLAIM_SAMPLE_BYTES (64 * 1024)

/* s ends in suffix, in any case. */
int claim_has_suffix(const char *s, const char *suffix);

/* Its name (a report extension, or the RFC 7489 form receiver!domain!
 * begin!end whatever its extension) or its type ("type/subtype",
 * lowercase) says report.  name may be NULL. */
int claim_by_name(const char *type, const char *name);

/* An SMTP TLS report (RFC 8460) by its type or name (NULL or not). */
int claim_tls(const char *type, const char *name);

/* Its first bytes are gzip, zip, or XML whose first element is
 * <feedback> (never XML when body: a message's own text). */
int claim_by_bytes(const unsigned char *b, size_t len, int body);

/* A Subject (NULL or not) in the form of RFC 7489 7.2.1.1, "Report
 * Domain: D Submitter: S Report-ID: I", in any case and spacing; senders
 * vary, so "Report Domain:" alone, or Submitter: and Report-ID:, is
 * enough. */
int claim_by_subject(const char *subject);

#endif
