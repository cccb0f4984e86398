/* SPDX-License-Identifier: MIT */
/*
 * domain.h: the one form a domain name is stored and compared in (SPEC.md
 * E.17): ASCII lowercase, without a trailing dot, internationalized labels
 * as A-labels (IDNA2008 with the UTS #46 mapping, through libidn2), so that
 * "ATTACK.DK." and "attack.dk" are one domain, and "Bücher.example" is
 * "xn--bcher-kva.example".  Owns nothing; the caller frees what it gets.
 */
#ifndef DM_DOMAIN_H
#define DM_DOMAIN_H

/* What dm_domain_norm made of a name. */
enum dm_domain_status {
	DM_DNAME_OK = 0,	/* normalized */
	DM_DNAME_INVALID = 1,	/* not a valid internationalized name: kept
				   as written, ASCII-lowercased, without the
				   trailing dot (*why says what is wrong) */
	DM_DNAME_NOMEM = -1
};

/*
 * Normalizes `name` into a malloc'd string (*out).  An ASCII name is only
 * lowercased and loses one trailing dot ("." stays "."); a name with other
 * characters goes through libidn2.  *why (may be NULL) is set to a static
 * reason for DM_DNAME_INVALID.  Idempotent: a normalized name comes back
 * unchanged.
 */
enum dm_domain_status dm_domain_norm(const char *name, char **out,
    const char **why) __attribute__((warn_unused_result));

#endif
