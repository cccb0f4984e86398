/* SPDX-License-Identifier: MIT */
/*
 * weekly_mail.c: the weekly mail as a whole RFC 5322 message for
 * `sendmail -t` (weekly.h), built with GMime: From, To, Subject with the
 * status, Date, Message-ID, MIME-Version, and a multipart/alternative of
 * the text (weekly_text.c) and the HTML (weekly_html.c), both UTF-8, each
 * in the transfer encoding GMime finds best for 7-bit transport.
 *
 * Defaults: To postmaster@ and From dmarc-report@ the first domain of the
 * report (RFC 2142: every mail domain has a postmaster).  The Message-ID
 * is <weekly.DAY.HASH@FROM-DOMAIN>, HASH from the bodies and, unless the
 * day is pinned (DMARC_NOW: golden tests), the time and the process.
 */
#include "weekly.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "sha256.h"

#define SUBJECT_NAMES 3		/* domains named in a subject */

/* Appends s to buf, cutting what does not fit, control bytes as '?'. */
static void
cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	for (; *s && n + 1 < len; s++)
		buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	buf[n] = '\0';
}

const char *
weekly_subject(const struct weekly *w, char *buf, size_t len)
{
	char num[64];
	size_t i, att = 0, named = 0;

	buf[0] = '\0';
	cat(buf, len, "DMARC weekly: ");
	if (w->n == 0) {
		cat(buf, len, "no reports");
		return buf;
	}
	for (i = 0; i < w->n; i++)
		att += w->d[i].nreasons > 0;
	if (w->n == 1) {
		cat(buf, len, w->d[0].name);
		cat(buf, len, att ? " needs attention" : " all good");
		return buf;
	}
	if (att == 0) {
		snprintf(num, sizeof num, "%zu domains all good", w->n);
		cat(buf, len, num);
		return buf;
	}
	for (i = 0; i < w->n; i++) {
		if (w->d[i].nreasons == 0)
			continue;
		if (named == SUBJECT_NAMES) {
			snprintf(num, sizeof num, " +%zu more", att - named);
			cat(buf, len, num);
			break;
		}
		cat(buf, len, named ? ", " : "");
		cat(buf, len, w->d[i].name);
		named++;
	}
	snprintf(num, sizeof num, " need%s attention (%zu of %zu domains)",
	    att == 1 ? "s" : "", att, w->n);
	cat(buf, len, num);
	return buf;
}

/* A body rendered into a malloc'd string; NULL when out of memory. */
static char *
render(const struct weekly *w, int html)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);

	if (m == NULL)
		return NULL;
	if (html)
		weekly_print_html(m, w);
	else
		weekly_print_text(m, w);
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static GMimeTextPart *
text_part(const char *subtype, const char *body)
{
	GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(st,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	/* the UTF-8 bytes as they are (g_mime_text_part_set_text would
	 * convert them to the "best" charset, Latin-1 for an é) */
	g_mime_part_set_content(GMIME_PART(p), dw);
	g_object_unref(dw);
	g_object_unref(st);
	g_mime_text_part_set_charset(p, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(p),
	    g_mime_part_get_best_content_encoding(GMIME_PART(p),
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return p;
}

/* An address list from text: each member a mailbox with an @; `one`
 * wants exactly one.  NULL when not. */
static InternetAddressList *
addresses(const char *s, int one)
{
	InternetAddressList *l = internet_address_list_parse(NULL, s);
	int i, n;

	if (l == NULL)
		return NULL;
	n = internet_address_list_length(l);
	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a) || (addr =
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)))
		    == NULL || strchr(addr, '@') == NULL)
			n = 0;
	}
	if (n == 0 || (one && n != 1)) {
		g_object_unref(l);
		return NULL;
	}
	return l;
}

enum report_status
weekly_mail(FILE *f, const struct weekly *w, const char *to,
    const char *from, int64_t now, int pinned, char *err, size_t errlen)
{
	enum report_status rs = RPT_ERROR;
	char *text = NULL, *html = NULL, subject[512], id[256], hex[65];
	char dflt_to[320], dflt_from[320], day[FMT_NUM], salt[64], boundary[80];
	InternetAddressList *lto = NULL, *lfrom = NULL;
	GMimeMessage *msg = NULL;
	GMimeMultipart *alt = NULL;
	GMimeTextPart *tp = NULL, *hp = NULL;
	GMimeStream *out = NULL;
	GDateTime *date = NULL;
	const char *at;
	struct sha256 *h = NULL;
	size_t k;

	if ((to == NULL || from == NULL) && w->n == 0) {
		snprintf(err, errlen, "--mail: no domain in the report to "
		    "address the mail to: give --to and --from");
		return RPT_USAGE;
	}
	if (to == NULL) {
		snprintf(dflt_to, sizeof dflt_to, "postmaster@%s", w->d[0].name);
		to = dflt_to;
	}
	if (from == NULL) {
		snprintf(dflt_from, sizeof dflt_from, "dmarc-report@%s",
		    w->d[0].name);
		from = dflt_from;
	}
	g_mime_init();
	if ((lto = addresses(to, 0)) == NULL) {
		snprintf(err, errlen, "--to '%s' is not a mail address (or a "
		    "comma-separated list of them)", to);
		rs = RPT_USAGE;
		goto out;
	}
	if ((lfrom = addresses(from, 1)) == NULL) {
		snprintf(err, errlen, "--from '%s' is not one mail address", from);
		rs = RPT_USAGE;
		goto out;
	}
	if ((text = render(w, 0)) == NULL || (html = render(w, 1)) == NULL ||
	    (h = sha256_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/* the Message-ID: the bodies, and the time unless pinned */
	sha256_update(h, text, strlen(text));
	sha256_update(h, html, strlen(html));
	if (!pinned) {
		snprintf(salt, sizeof salt, "%lld.%ld", (long long)now,
		    (long)getpid());
		sha256_update(h, salt, strlen(salt));
	}
	sha256_hex(h, hex);
	hex[24] = '\0';
	fmt_day(w->end, day, sizeof day);
	for (k = 0; day[k]; k++)	/* 2025-04-20 -> 20250420 */
		if (day[k] == '-')
			memmove(day + k, day + k + 1, strlen(day + k));
	at = strrchr(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(lfrom,
	    0))), '@');
	snprintf(id, sizeof id, "weekly.%s.%s%s", day, hex, at);

	msg = g_mime_message_new(TRUE);
	internet_address_list_append(g_mime_message_get_from(msg), lfrom);
	internet_address_list_append(g_mime_message_get_to(msg), lto);
	g_mime_message_set_subject(msg, weekly_subject(w, subject,
	    sizeof subject), "utf-8");
	date = g_date_time_new_from_unix_utc(now);
	g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, id);
	alt = g_mime_multipart_new_with_subtype("alternative");
	/* the boundary from the same hash: never in the bodies (GMime's
	 * encodings keep "=-" from starting a line), the same when pinned */
	snprintf(boundary, sizeof boundary, "=-weekly-%s", hex);
	g_mime_multipart_set_boundary(alt, boundary);
	tp = text_part("plain", text);
	hp = text_part("html", html);
	g_mime_multipart_add(alt, GMIME_OBJECT(tp));
	g_mime_multipart_add(alt, GMIME_OBJECT(hp));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));

	out = g_mime_stream_file_new(f);
	g_mime_stream_file_set_owner(GMIME_STREAM_FILE(out), FALSE);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, out) < 0 ||
	    g_mime_stream_flush(out) != 0) {
		snprintf(err, errlen, "cannot write the mail");
		goto out;
	}
	rs = RPT_OK;
out:
	if (out != NULL)
		g_object_unref(out);
	if (tp != NULL)
		g_object_unref(tp);
	if (hp != NULL)
		g_object_unref(hp);
	if (alt != NULL)
		g_object_unref(alt);
	if (msg != NULL)
		g_object_unref(msg);
	if (date != NULL)
		g_date_time_unref(date);
	if (lto != NULL)
		g_object_unref(lto);
	if (lfrom != NULL)
		g_object_unref(lfrom);
	sha256_free(h);
	free(text);
	free(html);
	g_mime_shutdown();
	return rs;
}
