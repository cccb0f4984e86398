/* SPDX-License-Identifier: MIT */
/*
 * test_weekly.c: the weekly mail's pieces that need no database: the
 * staleness rule (stale.h) at its edges, the judge's pass-rate rule, HTML
 * escaping of hostile text, the Subject for one and several domains, and
 * the whole MIME message parsed back with GMime (multipart/alternative of
 * text/plain and text/html, UTF-8, Date, Message-ID, a hostile name that
 * stays text in the HTML part).
 */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"
#include "html_out.h"
#include "weekly.h"

static char *
escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	html_text(m, s);
	fclose(m);
	return buf;
}

static void
test_stale(void)
{
	struct stale s;
	char b[128];

	stale_judge(1, 100, 103, &s);		/* 3 days: reports are late */
	CHECK_INT(s.stale, 0);
	CHECK_INT(s.days, 3);
	CHECK_STR(stale_text(&s, b, sizeof b), "");
	stale_judge(1, 100, 104, &s);		/* 4 days: news */
	CHECK_INT(s.stale, 1);
	CHECK_STR(stale_text(&s, b, sizeof b),
	    "no reports since 1970-04-11 (4 days)");
	stale_judge(1, 100, 100, &s);
	CHECK_INT(s.stale, 0);
	stale_judge(0, 0, 100, &s);		/* nothing at all */
	CHECK_INT(s.stale, 1);
	CHECK_STR(stale_text(&s, b, sizeof b), "no reports at all");
}

static void
test_escape(void)
{
	char *s;

	s = escaped("<script>alert(\"x\")</script> & Co's");
	CHECK_STR(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
	    "&amp; Co&#39;s");
	free(s);
	/* controls, C1, a noncharacter and a byte that is not UTF-8 become
	 * U+FFFD; tab, newline and valid UTF-8 pass */
	s = escaped("a\x01" "b\x1b" "c\xc2\x85" "d\xef\xbf\xbf" "e\xff" "f\tg\n"
	    "h\xc3\xa9");
	CHECK_STR(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd"
	    "d\xef\xbf\xbd" "e\xef\xbf\xbd" "f\tg\nh\xc3\xa9");
	free(s);
}

/* A weekly of n domains (names[]), the first `att` needing attention. */
static void
make(struct weekly *w, const char *const *names, size_t n, size_t att)
{
	size_t i;

	memset(w, 0, sizeof *w);
	w->today = 20198 * (int64_t)UTC_DAY_SECONDS;	/* 2025-04-20 */
	w->end = w->today;
	w->start = w->end - WEEK_DAYS * UTC_DAY_SECONDS;
	w->chart_start = w->end - WEEKLY_CHART_DAYS * UTC_DAY_SECONDS;
	w->d = calloc(n ? n : 1, sizeof *w->d);
	w->n = n;
	for (i = 0; i < n; i++) {
		w->d[i].name = strdup(names[i]);
		w->d[i].week.messages = 100;
		w->d[i].week.pass = 90;
		w->d[i].days[WEEKLY_CHART_DAYS - 1].messages = 100;
		w->d[i].days[WEEKLY_CHART_DAYS - 1].pass = 90;
		w->d[i].has_newest = 1;
		w->d[i].newest_day = 20197;
		if (i < att)
			snprintf(w->d[i].reasons[w->d[i].nreasons++],
			    WEEKLY_REASON_LEN, "a reason");
	}
}

static void
test_subject(void)
{
	static const char *const names[] = { "a.example", "b.example",
		"c.example", "d.example", "e.example" };
	struct weekly w;
	char b[256];

	make(&w, names, 0, 0);
	CHECK_STR(weekly_subject(&w, b, sizeof b), "DMARC weekly: no reports");
	weekly_free(&w);
	make(&w, names, 1, 1);
	CHECK_STR(weekly_subject(&w, b, sizeof b),
	    "DMARC weekly: a.example needs attention");
	weekly_free(&w);
	make(&w, names, 1, 0);
	CHECK_STR(weekly_subject(&w, b, sizeof b),
	    "DMARC weekly: a.example all good");
	weekly_free(&w);
	make(&w, names, 3, 0);
	CHECK_STR(weekly_subject(&w, b, sizeof b),
	    "DMARC weekly: 3 domains all good");
	weekly_free(&w);
	make(&w, names, 3, 1);
	CHECK_STR(weekly_subject(&w, b, sizeof b),
	    "DMARC weekly: a.example needs attention (1 of 3 domains)");
	weekly_free(&w);
	make(&w, names, 5, 5);
	CHECK_STR(weekly_subject(&w, b, sizeof b), "DMARC weekly: a.example, "
	    "b.example, c.example +2 more need attention (5 of 5 domains)");
	weekly_free(&w);
}

/* The judge: a fall of 5 points needs attention, 4.9 does not; stale. */
static void
test_judge(void)
{
	static const char *const names[] = { "a.example" };
	struct weekly w;

	make(&w, names, 1, 0);
	w.d[0].prev.messages = 1000;
	w.d[0].prev.pass = 950;		/* 95.0% -> 90.0%: -5.0 pt */
	CHECK_INT(weekly_judge(&w), RPT_ATTENTION);
	CHECK_STR(w.d[0].reasons[0], "DMARC pass rate fell from 95.0% to 90.0%");
	w.d[0].prev.pass = 949;		/* 94.9% -> 90.0%: -4.9 pt */
	w.d[0].nreasons = 0;
	CHECK_INT(weekly_judge(&w), RPT_OK);
	CHECK_INT(w.d[0].nreasons, 0);
	w.d[0].newest_day = 20194;	/* 4 days before 2025-04-20 */
	CHECK_INT(weekly_judge(&w), RPT_ATTENTION);
	CHECK_STR(w.d[0].reasons[0], "no reports since 2025-04-16 (4 days)");
	weekly_free(&w);
}

static const char *
part_text(GMimeObject *o, char **keep)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *ba;

	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*keep = g_strndup((const char *)ba->data, ba->len);
	g_object_unref(mem);
	return *keep;
}

static void
test_mail(void)
{
	static const char *const names[] = { "b\xc3\xa9.example" };
	struct weekly w;
	char *buf = NULL, err[256] = "", *text = NULL, *html = NULL, *to;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *msg;
	GMimeObject *top;
	GDateTime *date;

	make(&w, names, 1, 1);
	w.d[0].silents = calloc(1, sizeof *w.d[0].silents);
	w.d[0].nsilents = 1;
	snprintf(w.d[0].silents[0].name, sizeof w.d[0].silents[0].name,
	    "<b>Evil</b> & Co");
	CHECK_INT(weekly_mail(m, &w, NULL, NULL, w.today, 1, err, sizeof err),
	    RPT_OK);
	fclose(m);
	CHECK_STR(err, "");

	s = g_mime_stream_mem_new_with_buffer(buf, len);
	p = g_mime_parser_new_with_stream(s);
	msg = g_mime_parser_construct_message(p, NULL);
	CHECK(msg != NULL);
	if (msg == NULL)
		goto out;
	CHECK_STR(g_mime_message_get_subject(msg),
	    "DMARC weekly: b\xc3\xa9.example needs attention");
	to = internet_address_list_to_string(g_mime_message_get_to(msg), NULL,
	    FALSE);
	CHECK_STR(to, "postmaster@xn--b-bga.example");	/* IDNA for SMTP */
	g_free(to);
	CHECK(strncmp(g_mime_message_get_message_id(msg), "weekly.20250420.",
	    16) == 0);
	date = g_mime_message_get_date(msg);
	CHECK(date != NULL && g_date_time_to_unix(date) == w.today);
	top = g_mime_message_get_mime_part(msg);
	CHECK(GMIME_IS_MULTIPART(top));
	if (!GMIME_IS_MULTIPART(top))
		goto out;
	CHECK_STR(g_mime_content_type_get_media_subtype(
	    g_mime_object_get_content_type(top)), "alternative");
	CHECK_INT(g_mime_multipart_get_count(GMIME_MULTIPART(top)), 2);
	if (g_mime_multipart_get_count(GMIME_MULTIPART(top)) == 2) {
		GMimeObject *t = g_mime_multipart_get_part(GMIME_MULTIPART(top), 0);
		GMimeObject *h = g_mime_multipart_get_part(GMIME_MULTIPART(top), 1);

		CHECK(g_mime_content_type_is_type(
		    g_mime_object_get_content_type(t), "text", "plain"));
		CHECK(g_mime_content_type_is_type(
		    g_mime_object_get_content_type(h), "text", "html"));
		CHECK_STR(g_mime_object_get_content_type_parameter(t, "charset"),
		    "utf-8");
		CHECK_STR(g_mime_object_get_content_type_parameter(h, "charset"),
		    "utf-8");
		CHECK(strstr(part_text(t, &text), "b\xc3\xa9.example: ATTENTION "
		    "a reason") != NULL);
		CHECK(strstr(part_text(h, &html), "&lt;b&gt;Evil&lt;/b&gt; &amp; "
		    "Co") != NULL);
		CHECK(strstr(html, "<b>Evil") == NULL);
		CHECK(strstr(html, "<svg ") != NULL);
	}
out:
	g_free(text);
	g_free(html);
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(p);
	g_object_unref(s);
	weekly_free(&w);
	free(buf);

	/* a --to that is no address: a usage error that says so */
	make(&w, names, 1, 0);
	m = open_memstream(&buf, &len);
	CHECK_INT(weekly_mail(m, &w, "nobody", NULL, w.today, 1, err,
	    sizeof err), RPT_USAGE);
	fclose(m);
	CHECK_STR(err, "--to 'nobody' is not a mail address (or a "
	    "comma-separated list of them)");
	weekly_free(&w);
	free(buf);
}

int
main(void)
{
	/* weekly_mail's own init and shutdown nest inside this one */
	g_mime_init();
	test_stale();
	test_escape();
	test_subject();
	test_judge();
	test_mail();
	g_mime_shutdown();
	CHECK_DONE();
}
