/* SPDX-License-Identifier: MIT */
/*
 * senders.h: names for source IPs: a built-in table of well-known senders
 * by PTR suffix (Microsoft 365, Google, Amazon SES, Mailjet, SendGrid, ...)
 * and a user file that overrides it (--senders FILE or $DMARC_SENDERS): one
 * entry per line, a CIDR ("192.0.2.0/24", "2001:db8::/32") or a PTR suffix
 * starting with a dot (".mailjet.com"), whitespace, then the name (the rest
 * of the line); '#' starts a comment.  The table owns its entries.
 */
#ifndef DM_SENDERS_H
#define DM_SENDERS_H

#include <stddef.h>

struct senders;

/* The built-in table, plus the user file `path` when not NULL (its entries
 * win).  NULL with "FILE:LINE: reason" in err on a bad line. */
struct senders *senders_load(const char *path, char *err, size_t errlen);

/* The sender's name for an IP (canonical text) and its PTR name (may be
 * NULL): a CIDR match first (the longest prefix), then the longest PTR
 * suffix; NULL when unknown. */
const char *senders_name(const struct senders *s, const char *ip,
    const char *ptr);

void senders_free(struct senders *s);

#endif
