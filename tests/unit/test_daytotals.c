/* SPDX-License-Identifier: MIT */
/* test_daytotals.c: daytotals.c sums records by key, in order, up to its key limit. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "daytotals.h"

struct seen {
	size_t n;
	char keys[8][DAYTOTALS_KEY_MAX];
	int family[8];
	struct daytotals_sums s[8];
};

static int
collect(void *ctx, const char *key, int family, const struct daytotals_sums *s)
{
	struct seen *sn = ctx;

	if (sn->n == 8)
		return 7;
	snprintf(sn->keys[sn->n], DAYTOTALS_KEY_MAX, "%s", key);
	sn->family[sn->n] = family;
	sn->s[sn->n++] = *s;
	return 0;
}

static struct dm_record
rec(const char *ip, int64_t count, const char *disp, const char *dkim,
    const char *spf)
{
	struct dm_record r;

	memset(&r, 0, sizeof r);
	snprintf(r.source_ip, sizeof r.source_ip, "%s", ip);
	r.ip_family = strchr(ip, ':') ? 6 : 4;
	r.count = count;
	r.disposition = (char *)disp;
	r.dkim_aligned = (char *)dkim;
	r.spf_aligned = (char *)spf;
	return r;
}

int
main(void)
{
	struct daytotals *dt = daytotals_new(3);
	struct seen sn;
	struct dm_record r;
	char key[32];
	size_t i;

	CHECK(dt != NULL);
	if (dt == NULL)
		CHECK_DONE();
	/* worked out by hand: 192.0.2.1 has 5 + 7 messages, 5 DKIM-aligned
	 * and DMARC pass, 7 SPF-aligned and pass; disposition none 5,
	 * reject 7 */
	r = rec("192.0.2.1", 5, "none", "pass", "fail");
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);
	r = rec("2001:db8::1", 3, "quarantine", NULL, NULL);
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);
	r = rec("192.0.2.1", 7, "reject", "fail", "pass");
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);
	r = rec("192.0.2.10", 0, "other", "pass", "pass");
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);
	CHECK_INT(daytotals_count(dt), 3);
	/* a fourth key does not fit: nothing is added */
	r = rec("192.0.2.2", 1, "none", NULL, NULL);
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 1);
	CHECK_INT(daytotals_count(dt), 3);
	/* a known key still does */
	r = rec("2001:db8::1", 2, "none", "pass", NULL);
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);

	memset(&sn, 0, sizeof sn);
	CHECK_INT(daytotals_each(dt, collect, &sn), 0);
	CHECK_INT(sn.n, 3);
	CHECK_STR(sn.keys[0], "192.0.2.1");
	CHECK_INT(sn.family[0], 4);
	CHECK_INT(sn.s[0].records, 2);
	CHECK_INT(sn.s[0].messages, 12);
	CHECK_INT(sn.s[0].dmarc_pass, 12);
	CHECK_INT(sn.s[0].dkim_aligned_pass, 5);
	CHECK_INT(sn.s[0].spf_aligned_pass, 7);
	CHECK_INT(sn.s[0].disp_none, 5);
	CHECK_INT(sn.s[0].disp_quarantine, 0);
	CHECK_INT(sn.s[0].disp_reject, 7);
	CHECK_STR(sn.keys[1], "2001:db8::1");
	CHECK_INT(sn.family[1], 6);
	CHECK_INT(sn.s[1].records, 2);
	CHECK_INT(sn.s[1].messages, 5);
	CHECK_INT(sn.s[1].dmarc_pass, 2);
	CHECK_INT(sn.s[1].dkim_aligned_pass, 2);
	CHECK_INT(sn.s[1].spf_aligned_pass, 0);
	CHECK_INT(sn.s[1].disp_none, 2);
	CHECK_INT(sn.s[1].disp_quarantine, 3);
	CHECK_STR(sn.keys[2], "192.0.2.10");
	CHECK_INT(sn.s[2].records, 1);
	CHECK_INT(sn.s[2].messages, 0);
	CHECK_INT(sn.s[2].disp_none + sn.s[2].disp_quarantine +
	    sn.s[2].disp_reject, 0);

	/* cleared: the keys are gone, the room is there again */
	daytotals_clear(dt);
	CHECK_INT(daytotals_count(dt), 0);
	r = rec("192.0.2.2", 1, "none", NULL, NULL);
	CHECK_INT(daytotals_add(dt, r.source_ip, r.ip_family, &r), 0);
	memset(&sn, 0, sizeof sn);
	CHECK_INT(daytotals_each(dt, collect, &sn), 0);
	CHECK_INT(sn.n, 1);
	CHECK_INT(sn.s[0].messages, 1);
	daytotals_free(dt);

	/* growing past the first allocation, then the limit */
	dt = daytotals_new(1000);
	CHECK(dt != NULL);
	for (i = 0; dt != NULL && i < 1000; i++) {
		snprintf(key, sizeof key, "10.0.%zu.%zu", i / 256, i % 256);
		r = rec(key, (int64_t)i, "none", NULL, NULL);
		CHECK_INT(daytotals_add(dt, key, 4, &r), 0);
		r = rec(key, 1, "none", NULL, NULL);
		CHECK_INT(daytotals_add(dt, key, 4, &r), 0);
	}
	if (dt != NULL) {
		r = rec("10.9.9.9", 1, "none", NULL, NULL);
		CHECK_INT(daytotals_add(dt, r.source_ip, 4, &r), 1);
		memset(&sn, 0, sizeof sn);
		/* the callback's non-zero return stops and is returned */
		CHECK_INT(daytotals_each(dt, collect, &sn), 7);
		CHECK_STR(sn.keys[7], "10.0.0.7");
		CHECK_INT(sn.s[7].messages, 8);
		CHECK_INT(sn.s[7].records, 2);
	}
	daytotals_free(dt);
	daytotals_free(NULL);
	CHECK(daytotals_new(0) == NULL);
	CHECK_DONE();
}
