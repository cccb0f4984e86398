/* SPDX-License-Identifier: MIT */
/* ipdb.c: country and AS of an IP from an MMDB file (see ipdb.h). */
#include "ipdb.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ipdb {
	MMDB_s mmdb;
	char path[256];
};

struct ipdb *
ipdb_open(const char *path, char *err, size_t errlen)
{
	struct ipdb *db;
	int rc;

	if ((db = calloc(1, sizeof *db)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb)) != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: cannot read the IP database: %s", path,
		    MMDB_strerror(rc));
		free(db);
		return NULL;
	}
	snprintf(db->path, sizeof db->path, "%s", path);
	return db;
}

/* A string value at the path into dst (cut to fit); 1 when found. */
static int
get_string(MMDB_entry_s *e, char *dst, size_t len, const char *const *path)
{
	MMDB_entry_data_s d;
	size_t n;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size == 0)
		return 0;
	n = d.data_size < len - 1 ? d.data_size : len - 1;
	memcpy(dst, d.utf8_string, n);
	dst[n] = '\0';
	return 1;
}

/* A whole number at the path (any unsigned width); 1 when found. */
static int
get_uint(MMDB_entry_s *e, int64_t *out, const char *const *path)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16: *out = d.uint16; return 1;
	case MMDB_DATA_TYPE_UINT32: *out = d.uint32; return 1;
	case MMDB_DATA_TYPE_UINT64:
		if (d.uint64 > INT64_MAX)
			return 0;
		*out = (int64_t)d.uint64;
		return 1;
	case MMDB_DATA_TYPE_INT32:
		if (d.int32 < 0)
			return 0;
		*out = d.int32;
		return 1;
	default: return 0;
	}
}

/* "AS15169" or "15169" as a number; -1 when it is neither. */
static int64_t
parse_asn(const char *s)
{
	int64_t v = 0;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 4294967295LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 4294967295LL ? v : -1;
}

int
ipdb_lookup(struct ipdb *db, const char *ip, struct ipdb_info *out,
    char *err, size_t errlen)
{
	static const char *const p_cc[] = { "country_code", NULL };
	static const char *const p_iso[] = { "country", "iso_code", NULL };
	static const char *const p_asn[] = { "asn", NULL };
	static const char *const p_mm_asn[] = { "autonomous_system_number", NULL };
	static const char *const p_as_name[] = { "as_name", NULL };
	static const char *const p_mm_org[] = { "autonomous_system_organization",
		NULL };
	static const char *const p_as_domain[] = { "as_domain", NULL };
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;
	char asn[32];
	int mmdb_err = MMDB_SUCCESS;
	char *p;

	memset(out, 0, sizeof *out);
	out->asn = -1;
	memset(&ss, 0, sizeof ss);
	/* a canonical IP: no getaddrinfo() per lookup */
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		return 0;
	res = MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &mmdb_err);
	if (mmdb_err != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", db->path, MMDB_strerror(mmdb_err));
		return -1;
	}
	if (!res.found_entry)
		return 0;
	if (!get_string(&res.entry, out->country, sizeof out->country, p_cc))
		(void)get_string(&res.entry, out->country, sizeof out->country,
		    p_iso);
	if (get_string(&res.entry, asn, sizeof asn, p_asn))
		out->asn = parse_asn(asn);
	else if (!get_uint(&res.entry, &out->asn, p_asn))
		out->asn = -1;
	if (out->asn < 0 && !get_uint(&res.entry, &out->asn, p_mm_asn))
		out->asn = -1;
	if (!get_string(&res.entry, out->as_name, sizeof out->as_name, p_as_name))
		(void)get_string(&res.entry, out->as_name, sizeof out->as_name,
		    p_mm_org);
	(void)get_string(&res.entry, out->as_domain, sizeof out->as_domain,
	    p_as_domain);
	for (p = out->as_domain; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return 0;
}

void
ipdb_close(struct ipdb *db)
{
	if (db == NULL)
		return;
	MMDB_close(&db->mmdb);
	free(db);
}
