/* SPDX-License-Identifier: MIT */
/*
 * dkimkey.h: checks a published DKIM key (RFC 6376 3.6.1) at
 * SELECTOR._domainkey.DOMAIN, CNAMEs followed: found or missing, revoked
 * (empty p=), the key type and the RSA key size read from the
 * SubjectPublicKeyInfo with libcrypto (under 1024 bits is an error, RFC
 * 8301; under 2048 a warning), t=y, sha1-only h=.  DNS comes through the
 * caller's lookup function.  A result owns its strings (dkim_key_free).
 */
#ifndef DM_DKIMKEY_H
#define DM_DKIMKEY_H

#include "dnsq.h"
#include "msglist.h"

#define DKIM_MIN_BITS 1024	/* RFC 8301 3.2: verifiers ignore shorter */
#define DKIM_GOOD_BITS 2048	/* RFC 8301 3.2: signers SHOULD use 2048 */

struct dkim_key {
	char selector[64];
	char name[DNSQ_NAME_LEN];	/* SELECTOR._domainkey.DOMAIN */
	char target[DNSQ_NAME_LEN];	/* where its CNAMEs led, or "" */
	int found;			/* a key record is published */
	int missing;			/* the name has no TXT record at all */
	int revoked;			/* p= is empty */
	int dns_failed;
	char type[16];			/* "rsa", "ed25519" */
	int bits;			/* RSA modulus bits; 0 when unknown */
	char *record;			/* the TXT record, or NULL */
	struct msglist errors;
	struct msglist warnings;
};

/* Looks the key up and checks it.  0, or -1 when out of memory or the
 * lookup failed (out is freed then). */
int dkim_key_check(const char *domain, const char *selector,
    dnsq_lookup_fn lookup, void *arg, struct dkim_key *out);

/* Checks one key record's text (no DNS) into out (name already set). */
int dkim_key_parse(const char *record, struct dkim_key *out);

void dkim_key_free(struct dkim_key *k);

#endif
