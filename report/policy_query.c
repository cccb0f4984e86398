/* SPDX-License-Identifier: MIT */
/* policy_query.c: a published policy read, compared, described (see
 * policy_query.h). */
#include "policy_query.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "json_out.h"

enum { TAG_P, TAG_SP, TAG_NP, TAG_PCT, TAG_ADKIM, TAG_ASPF, TAG_TESTING,
	NTAGS };

static const char *const tag_names[NTAGS] = { "p", "sp", "np", "pct",
	"adkim", "aspf", "testing" };

/* Tag i as text: pct formatted into buf, "" when left out. */
static const char *
tag_value(const struct policy *pol, int i, char *buf, size_t len)
{
	switch (i) {
	case TAG_P: return pol->p;
	case TAG_SP: return pol->sp;
	case TAG_NP: return pol->np;
	case TAG_PCT:
		if (!pol->has_pct)
			return "";
		snprintf(buf, len, "%" PRId64, pol->pct);
		return buf;
	case TAG_ADKIM: return pol->adkim;
	case TAG_ASPF: return pol->aspf;
	default: return pol->testing;
	}
}

static void
copy_tag(char *dst, const unsigned char *src)
{
	snprintf(dst, POLICY_TAG_LEN, "%s", src ? (const char *)src : "");
}

void
policy_read(struct policy *pol, sqlite3_stmt *st, int first)
{
	copy_tag(pol->p, sqlite3_column_text(st, first));
	copy_tag(pol->sp, sqlite3_column_text(st, first + 1));
	copy_tag(pol->np, sqlite3_column_text(st, first + 2));
	pol->has_pct = sqlite3_column_type(st, first + 3) != SQLITE_NULL;
	pol->pct = sqlite3_column_int64(st, first + 3);
	copy_tag(pol->adkim, sqlite3_column_text(st, first + 4));
	copy_tag(pol->aspf, sqlite3_column_text(st, first + 5));
	copy_tag(pol->testing, sqlite3_column_text(st, first + 6));
}

int
policy_same(const struct policy *a, const struct policy *b)
{
	return strcmp(a->p, b->p) == 0 && strcmp(a->sp, b->sp) == 0 &&
	    strcmp(a->np, b->np) == 0 && strcmp(a->adkim, b->adkim) == 0 &&
	    strcmp(a->aspf, b->aspf) == 0 &&
	    strcmp(a->testing, b->testing) == 0 &&
	    (!a->has_pct || !b->has_pct || a->pct == b->pct);
}

void
policy_merge(struct policy *into, const struct policy *from)
{
	if (!into->has_pct && from->has_pct) {
		into->has_pct = 1;
		into->pct = from->pct;
	}
}

int
policy_strength(const char *p)
{
	if (strcmp(p, "none") == 0)
		return 0;
	if (strcmp(p, "quarantine") == 0)
		return 1;
	if (strcmp(p, "reject") == 0)
		return 2;
	return -1;
}

/* Appends to the string in buf, cut at len. */
static void
add(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

const char *
policy_text(const struct policy *pol, char *buf, size_t len)
{
	snprintf(buf, len, "p=%s", pol->p[0] ? pol->p : "?");
	if (strcmp(pol->sp, pol->p) != 0)
		add(buf, len, " sp=%s", pol->sp[0] ? pol->sp : "?");
	if (strcmp(pol->np, pol->sp) != 0)
		add(buf, len, " np=%s", pol->np[0] ? pol->np : "?");
	if (pol->has_pct && pol->pct != 100)
		add(buf, len, " pct=%" PRId64, pol->pct);
	if (strcmp(pol->adkim, "r") != 0)
		add(buf, len, " adkim=%s", pol->adkim[0] ? pol->adkim : "?");
	if (strcmp(pol->aspf, "r") != 0)
		add(buf, len, " aspf=%s", pol->aspf[0] ? pol->aspf : "?");
	if (strcmp(pol->testing, "n") != 0 && pol->testing[0])
		add(buf, len, " t=%s", pol->testing);
	return buf;
}

const char *
policy_brief(const struct policy *pol, char *buf, size_t len)
{
	const char *sp = pol->sp[0] ? pol->sp : pol->p;

	snprintf(buf, len, "p=%s", pol->p[0] ? pol->p : "?");
	if (pol->sp[0] && (!pol->p[0] || strcmp(pol->sp, pol->p) != 0))
		add(buf, len, " sp=%s", pol->sp);
	if (pol->np[0] && (!sp[0] || strcmp(pol->np, sp) != 0))
		add(buf, len, " np=%s", pol->np);
	if (pol->has_pct && pol->pct != 100)
		add(buf, len, " pct=%" PRId64, pol->pct);
	if (strcmp(pol->testing, "y") == 0)
		add(buf, len, " testing");
	return buf;
}

const char *
policy_diff(const struct policy *a, const struct policy *b, char *buf,
    size_t len)
{
	char na[32], nb[32], pa[32], pb[32];
	const char *va, *vb;
	int i;

	buf[0] = '\0';
	for (i = 0; i < NTAGS; i++) {
		va = tag_value(a, i, na, sizeof na);
		vb = tag_value(b, i, nb, sizeof nb);
		if (strcmp(va, vb) == 0 || (i == TAG_PCT && (!va[0] || !vb[0])))
			continue;
		if ((i == TAG_SP || i == TAG_NP) &&
		    strcmp(va, tag_value(a, i - 1, pa, sizeof pa)) == 0 &&
		    strcmp(vb, tag_value(b, i - 1, pb, sizeof pb)) == 0)
			continue;
		add(buf, len, "%s%s %s -> %s", buf[0] ? ", " : "", tag_names[i],
		    va[0] ? va : "-", vb[0] ? vb : "-");
	}
	return buf;
}

void
policy_json_members(FILE *f, const struct policy *pol)
{
	char b[32];
	const char *v;
	int i;

	for (i = 0; i < NTAGS; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", tag_names[i]);
		v = tag_value(pol, i, b, sizeof b);
		if (i == TAG_PCT && v[0])
			fputs(v, f);	/* a number */
		else
			json_string(f, v[0] ? v : NULL);
	}
}
