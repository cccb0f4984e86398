/* SPDX-License-Identifier: MIT */
/*
 * senders.h: names for source IPs: a built-in table of well-known senders
 * by PTR suffix (Microsoft 365, Google, Amazon SES, Mailjet, SendGrid, ...),
 * a built-in table of their authentication domains (the DKIM d= and SPF
 * domains they sign and bounce with: mailjet.com, sendgrid.net, ...), and a
 * user file that overrides both (--senders FILE or $DMARC_SENDERS): one
 * entry per line, a CIDR ("192.0.2.0/24", "2001:db8::/32"), a PTR suffix
 * starting with a dot (".mailjet.com") or an authentication domain starting
 * with '@' ("@news.example.net"), whitespace, then the name (the rest of the
 * line); '#' starts a comment.  The table owns its entries.
 */
#ifndef DM_SENDERS_H
#define DM_SENDERS_H

#include <stddef.h>

struct senders;

enum sender_evidence {
	SENDER_UNKNOWN = 0,	/* nothing names it */
	SENDER_USER,		/* the user's senders file (CIDR, PTR suffix or @domain) */
	SENDER_PTR,		/* the built-in PTR-suffix table (needs a PTR name) */
	SENDER_SERVICE,		/* a known service's authentication domain (built-in table) */
	SENDER_AUTH_DOMAIN	/* an unknown authentication domain: named by its organizational domain */
};

struct sender_id {
	const char *name;	/* points into the table or into the caller's buf; NULL when unknown */
	enum sender_evidence how;
	int esp;		/* a service that sends on the customer's behalf ("(ESP)" in the name today) */
	const char *auth_domain;	/* the authentication domain that named it (SERVICE/AUTH_DOMAIN, or USER by an @domain line), else NULL */
};

/* A buffer this long holds any name senders_identify computes (an
 * organizational domain: at most 253 characters). */
#define SENDERS_BUF_MIN 256

/* The built-in table, plus the user file `path` when not NULL (its entries
 * win).  NULL with "FILE:LINE: reason" in err on a bad line. */
struct senders *senders_load(const char *path, char *err, size_t errlen);

/* The sender's name for an IP (canonical text) and its PTR name (may be
 * NULL): a CIDR match first (the longest prefix), then the longest PTR
 * suffix; NULL when unknown.  (No authentication domains: see
 * senders_identify.) */
const char *senders_name(const struct senders *s, const char *ip,
    const char *ptr);

/*
 * Names a source, in this order: the user's file (CIDR, then PTR suffix,
 * then @domain lines against auth[]), the built-in PTR table (when ptr is
 * not NULL), then the authentication domains auth[0..n) (DKIM d= and SPF
 * domains seen on its mail, most messages first; callers pass the domains
 * that authenticated, result pass): a known service's domain wins over an
 * unknown one; an unknown one is named by its organizational domain
 * (common/orgdomain.h, libpsl).  Domains under policy_domain's
 * organizational domain are ignored (they say nothing about who sends;
 * policy_domain may be NULL), and so are strings that are not host names.
 * Among several domains that match, the first in auth[] wins.  buf holds a
 * computed name (SENDERS_BUF_MIN bytes are enough; a smaller or NULL buf
 * just leaves an unknown domain unnamed).  s may be NULL (the built-in
 * tables alone).  Never fails.
 */
void senders_identify(const struct senders *s, const char *ip, const char *ptr,
    const char *policy_domain, const char *const *auth, size_t n,
    struct sender_id *out, char *buf, size_t buflen);

void senders_free(struct senders *s);

#endif
