/* SPDX-License-Identifier: MIT */
/*
 * ipdb.h: the country and autonomous system of a source IP from an MMDB
 * file (IPinfo Lite, MaxMind GeoLite2 Country or ASN, DB-IP), read with
 * libmaxminddb.  Each schema's keys are tried: IPinfo Lite's country_code,
 * asn ("AS15169"), as_name, as_domain; MaxMind's country.iso_code,
 * autonomous_system_number, autonomous_system_organization.  The handle
 * owns the mapped file; results are copied into the caller's struct.
 */
#ifndef DM_IPDB_H
#define DM_IPDB_H

#include <stddef.h>
#include <stdint.h>

struct ipdb;

struct ipdb_info {
	char country[8];	/* ISO 3166 code, "" when unknown */
	int64_t asn;		/* -1 when unknown */
	char as_name[128];	/* "" when unknown (cut at 127 bytes) */
	char as_domain[128];	/* lowercase, "" when unknown */
};

/* NULL with "FILE: reason" in err when the file is not an MMDB. */
struct ipdb *ipdb_open(const char *path, char *err, size_t errlen);

/* What the database knows of `ip` (canonical text); all unknown when it
 * is not in the database.  0, or -1 when the database is corrupt (the
 * reason in err). */
int ipdb_lookup(struct ipdb *db, const char *ip, struct ipdb_info *out,
    char *err, size_t errlen);

void ipdb_close(struct ipdb *db);

#endif
