/* SPDX-License-Identifier: MIT */
/*
 * imap.c: the IMAP client of imap.h, on libcurl.  libcurl logs in, selects
 * the mailbox named in a URL and fetches a message by UID; the rest are
 * commands of ours sent through CURLOPT_CUSTOMREQUEST, whose untagged
 * responses come back as body (CAPABILITY, SEARCH) and whose other lines
 * come to the header callback (the SELECT response, the server's words on
 * a refusal).  libcurl 7.88 fetches with BODY[], which would set \Seen:
 * so the mailbox, once libcurl has selected it, is opened again with
 * EXAMINE (read-only), where BODY[] changes nothing; a fetch that still
 * reports \Seen set (libcurl reconnected and selected it again) is undone
 * at once, and the mailbox examined again.  Just over 800 lines: the URL
 * checks, the error lines and the commands are one client's.
 */
#include "dm_array.h"
#include "imap.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bytes of command responses kept (capabilities, a SEARCH window, the
 * SELECT response); far above what a server sends. */
#define RESP_CAP (8 * 1024 * 1024)
/* UIDs searched per UID SEARCH: the one response line of a window stays
 * under 256 KiB (20,000 UIDs of 10 digits and a space), a quarter of
 * libcurl's line buffer as set below (it clips longer lines). */
#ifndef SEARCH_WINDOW
#define SEARCH_WINDOW 20000u
#endif
#define LINE_BUFFER (1024L * 1024L)
/* UIDs per MOVE, COPY, STORE or EXPUNGE command, to keep lines short. */
#define MOVE_BATCH 500

struct sink {
	struct dm_buf *b;
	int over;			/* the cap was passed */
};

struct imap {
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
	char err[1024];
	char *scheme, *host, *server, *user, *mailbox, *path, *url, *base;
	char *rawuser;			/* the user as the URL spells it */
	char *netrc_base;		/* base with the user, for ~/.netrc */
	char *quoted;			/* the mailbox as an IMAP quoted string */
	long timeout;
	int has_password, has_bearer;
	int can_move, uidplus;
	int examined;			/* the mailbox is open read-only */
	struct dm_buf hdr, resp;
	struct sink body;
};

int
imap_is_url(const char *arg)
{
	return strncasecmp(arg, "imap://", 7) == 0 ||
	    strncasecmp(arg, "imaps://", 8) == 0;
}

void
imap_global_init(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
imap_global_cleanup(void)
{
	curl_global_cleanup();
}

static int
fail(struct imap *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct imap *im, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(im->err, sizeof im->err, "%s: ", im->url ? im->url : "IMAP");
	if (n < 0 || (size_t)n >= sizeof im->err)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(im->err + n, sizeof im->err - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The mailbox name as an IMAP quoted string; NULL for a name we cannot
 * send as one (control or 8-bit characters, which need modified UTF-7). */
static char *
quote(const char *name)
{
	size_t i, o = 0, n = strlen(name);
	char *q;

	if ((q = malloc(2 * n + 3)) == NULL)
		return NULL;
	q[o++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c >= 0x7f) {
			free(q);
			return NULL;
		}
		if (c == '"' || c == '\\')
			q[o++] = '\\';
		q[o++] = (char)c;
	}
	q[o++] = '"';
	q[o] = '\0';
	return q;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t room = s->b->cap - s->b->len;

	if (size * n > room) {
		/* keep what fits, then stop the transfer */
		s->over = dm_buf_add(s->b, p, room) == 0;
		return 0;
	}
	if (dm_buf_add(s->b, p, size * n) != 0)
		return 0;	/* out of memory: stops the transfer */
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct imap *im = ctx;

	/* past the cap the lines are dropped; the transfer goes on */
	(void)(dm_buf_add(&im->hdr, p, size * n) == 0);
	return size * n;
}

static char *
url_part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *v = NULL, *copy;

	if (curl_url_get(u, what, &v, flags) != CURLUE_OK || v == NULL)
		return NULL;
	copy = strdup(v);
	curl_free(v);
	return copy;
}

/* Splits and checks the URL; 0, or -1 with the reason in err. */
static int
parse_url(struct imap *im, const char *url, char *err, size_t errlen,
    char **options)
{
	CURLU *u = curl_url();
	char *v = NULL, *port = NULL, *dec = NULL, *mb;
	size_t i, n;
	int rc = -1;

	*options = NULL;
	if (u == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "'%s' is not a valid IMAP URL "
		    "(imaps://USER@HOST[:PORT]/MAILBOX; an @ in USER is "
		    "written %%40)", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &v, 0) == CURLUE_OK) {
		curl_free(v);
		snprintf(err, errlen, "a password in the IMAP URL is refused (it "
		    "would show in ps and in cron mails): put it in "
		    "DMARC_IMAP_PASSWORD or ~/.netrc");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &v, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &v, 0) == CURLUE_OK) {
		curl_free(v);
		snprintf(err, errlen, "the IMAP URL '%s' must name a mailbox "
		    "only: no '?' or '#' part", url);
		goto out;
	}
	im->scheme = url_part(u, CURLUPART_SCHEME, 0);
	im->host = url_part(u, CURLUPART_HOST, 0);
	im->user = url_part(u, CURLUPART_USER, CURLU_URLDECODE);
	im->rawuser = url_part(u, CURLUPART_USER, 0);
	port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	im->path = url_part(u, CURLUPART_PATH, 0);
	dec = url_part(u, CURLUPART_PATH, CURLU_URLDECODE);
	*options = url_part(u, CURLUPART_OPTIONS, 0);
	if (im->scheme == NULL || im->host == NULL || port == NULL ||
	    im->path == NULL || dec == NULL) {
		snprintf(err, errlen, "'%s' is not a valid IMAP URL "
		    "(imaps://USER@HOST[:PORT]/MAILBOX)", url);
		goto out;
	}
	if (im->user == NULL || *im->user == '\0' || im->rawuser == NULL) {
		snprintf(err, errlen, "the IMAP URL '%s' needs the login name: "
		    "imaps://USER@HOST/MAILBOX", url);
		goto out;
	}
	if (strchr(im->path, ';') != NULL) {
		snprintf(err, errlen, "the IMAP URL '%s' must name a mailbox "
		    "only: no ';' parameters", url);
		goto out;
	}
	/* the mailbox: the decoded path without its slashes; INBOX if none */
	mb = dec;
	while (*mb == '/')
		mb++;
	n = strlen(mb);
	while (n > 0 && mb[n - 1] == '/')
		mb[--n] = '\0';
	if ((im->mailbox = strdup(n ? mb : "INBOX")) == NULL)
		goto nomem;
	if (n == 0) {
		free(im->path);
		if ((im->path = strdup("/INBOX")) == NULL)
			goto nomem;
	} else {
		n = strlen(im->path);
		while (n > 1 && im->path[n - 1] == '/')
			im->path[--n] = '\0';
	}
	if ((im->quoted = quote(im->mailbox)) == NULL) {
		snprintf(err, errlen, "mailbox name '%s': only ASCII names are "
		    "supported", im->mailbox);
		goto out;
	}
	for (i = 0; im->host[i]; i++)
		im->host[i] = (char)tolower((unsigned char)im->host[i]);
	n = strlen(im->host) + strlen(port) + 2;
	if ((im->server = malloc(n)) == NULL)
		goto nomem;
	snprintf(im->server, n, "%s:%s", im->host, port);
	/* the URL as named (no user), and the base the commands use */
	{
		char *given_port = url_part(u, CURLUPART_PORT, 0);
		size_t ul = strlen(im->scheme) + strlen(im->host) + strlen(port) +
		    strlen(im->path) + strlen(im->rawuser) + 8;

		im->url = malloc(ul);
		im->base = malloc(ul);
		if (im->url == NULL || im->base == NULL) {
			free(given_port);
			goto nomem;
		}
		snprintf(im->url, ul, "%s://%s%s%s%s", im->scheme, im->host,
		    given_port ? ":" : "", given_port ? given_port : "", im->path);
		snprintf(im->base, ul, "%s://%s:%s", im->scheme, im->host, port);
		im->netrc_base = malloc(ul);
		if (im->netrc_base == NULL) {
			free(given_port);
			goto nomem;
		}
		snprintf(im->netrc_base, ul, "%s://%s@%s:%s", im->scheme,
		    im->rawuser, im->host, port);
		free(given_port);
	}
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	free(port);
	free(dec);
	curl_url_cleanup(u);
	return rc;
}

struct imap *
imap_new(const struct imap_conf *c, char *err, size_t errlen)
{
	struct imap *im;
	char *options = NULL;
	CURL *h;

	if ((im = calloc(1, sizeof *im)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dm_buf_init(&im->hdr, 1024 * 1024);
	dm_buf_init(&im->resp, RESP_CAP);
	if (parse_url(im, c->url, err, errlen, &options) != 0)
		goto fail;
	if ((im->h = h = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	im->timeout = c->timeout > 0 ? c->timeout : 60;
	im->has_password = c->password != NULL;
	im->has_bearer = c->bearer != NULL;
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, im->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	if (c->bearer != NULL || c->password != NULL)
		curl_easy_setopt(h, CURLOPT_USERNAME, im->user);
	else {
		/* libcurl 7.88 looks in ~/.netrc only without CURLOPT_USERNAME:
		 * the user goes in the URLs instead */
		char *t = im->base;
		im->base = im->netrc_base;
		im->netrc_base = t;
	}
	if (c->bearer != NULL) {
		curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->bearer);
	} else {
		if (options != NULL)
			curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, options);
		if (c->password != NULL)
			curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
		else
			curl_easy_setopt(h, CURLOPT_NETRC,
			    (long)CURL_NETRC_OPTIONAL);
	}
	if (strcasecmp(im->scheme, "imap") == 0)
		curl_easy_setopt(h, CURLOPT_USE_SSL, c->require_starttls ?
		    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, im->timeout);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, im->timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, im->timeout);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, LINE_BUFFER);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, im);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &im->body);
	free(options);
	return im;
fail:
	free(options);
	imap_free(im);
	return NULL;
}

const char *imap_server(const struct imap *im) { return im->server; }
const char *imap_user(const struct imap *im) { return im->user; }
const char *imap_mailbox(const struct imap *im) { return im->mailbox; }
const char *imap_url(const struct imap *im) { return im->url; }
const char *imap_error(const struct imap *im) { return im->err; }

/* The server's words on the last tagged NO or BAD reply ("Mailbox doesn't
 * exist"), else on the last tagged reply, into buf; "" when none. */
static const char *
server_says(const struct imap *im, char *buf, size_t len)
{
	const char *h = im->hdr.data ? (const char *)im->hdr.data : "";
	const char *line = NULL, *refusal = NULL, *p, *e;
	size_t n;

	for (p = h; *p; p = e + (*e != '\0')) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (*p == '*' || *p == '+' || e == p)
			continue;
		line = p;
		if ((p = strchr(line, ' ')) != NULL && p < e &&
		    (strncasecmp(p, " NO ", 4) == 0 || strncasecmp(p, " BAD ", 5) == 0))
			refusal = line;
	}
	buf[0] = '\0';
	if (refusal != NULL)
		line = refusal;
	if (line == NULL)
		return buf;
	/* skip the tag and the status word */
	if ((p = strchr(line, ' ')) == NULL)
		return buf;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && *p != '\r' && *p != '\n')
		p++;
	while (*p == ' ')
		p++;
	for (e = p; *e && *e != '\r' && *e != '\n'; e++)
		;
	n = (size_t)(e - p) < len - 1 ? (size_t)(e - p) : len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* A failed transfer as one line: what we were doing, then why. */
static int
fail_curl(struct imap *im, CURLcode rc, const char *doing)
{
	char says[300];
	const char *why = im->errbuf[0] ? im->errbuf : curl_easy_strerror(rc);

	server_says(im, says, sizeof says);
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		if (*says)
			why = says;
		return fail(im, "%s: refused: %s%s", doing, why,
		    im->has_password || im->has_bearer ? "" : " (no password "
		    "given: set DMARC_IMAP_PASSWORD or DMARC_IMAP_BEARER, or "
		    "put it in ~/.netrc)");
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return fail(im, "cannot connect: %s", why);
	case CURLE_OPERATION_TIMEDOUT:
		return fail(im, "%s: timed out (%ld s): %s", doing, im->timeout,
		    why);
	case CURLE_USE_SSL_FAILED:
		return fail(im, "the server does not offer STARTTLS "
		    "(--imap-starttls requires it)");
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return fail(im, "TLS failure: %s", why);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return fail(im, "%s: connection lost (%s)", doing, why);
	case CURLE_QUOTE_ERROR:
		return fail(im, "%s: the server refused: %s", doing,
		    *says ? says : why);
	default:
		return fail(im, "%s: %s", doing, why);
	}
}

/* One transfer: url, a command of ours (NULL: libcurl's fetch), the body
 * into `into`.  The lines libcurl sees are in im->hdr after it. */
static CURLcode
perform(struct imap *im, const char *url, const char *command,
    struct dm_buf *into)
{
	dm_buf_reset(&im->hdr);
	dm_buf_reset(into);
	im->body.b = into;
	im->body.over = 0;
	im->errbuf[0] = '\0';
	curl_easy_setopt(im->h, CURLOPT_URL, url);
	curl_easy_setopt(im->h, CURLOPT_CUSTOMREQUEST, command);
	return curl_easy_perform(im->h);
}

/* A command on the mailbox (libcurl selects it first when it is not). */
static int
command(struct imap *im, const char *cmd, const char *doing)
{
	char url[4096];
	CURLcode rc;

	snprintf(url, sizeof url, "%s%s", im->base, im->path);
	if ((rc = perform(im, url, cmd, &im->resp)) != CURLE_OK)
		return fail_curl(im, rc, doing);
	return 0;
}

int
imap_connect(struct imap *im)
{
	char url[4096], *p;
	const char *caps;
	CURLcode rc;

	snprintf(url, sizeof url, "%s/", im->base);
	if ((rc = perform(im, url, "CAPABILITY", &im->resp)) != CURLE_OK) {
		char doing[600];
		snprintf(doing, sizeof doing, "cannot log in as %s", im->user);
		return fail_curl(im, rc, doing);
	}
	caps = im->resp.data ? (const char *)im->resp.data : "";
	/* the words of "* CAPABILITY ..." */
	for (p = strstr(caps, "CAPABILITY"); p != NULL && *p && *p != '\n';) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " \r\n");
		if (n == 4 && strncasecmp(p, "MOVE", 4) == 0)
			im->can_move = 1;
		if (n == 7 && strncasecmp(p, "UIDPLUS", 7) == 0)
			im->uidplus = 1;
		if (n == 0)
			break;
		p += n;
	}
	return 0;
}

/* "[NAME n]" in a response text: n, or 0 when absent. */
static uint32_t
response_code(const char *text, const char *name)
{
	const char *p = text;
	char *end;
	unsigned long v;
	size_t n = strlen(name);

	while ((p = strchr(p, '[')) != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ' ') {
			errno = 0;
			v = strtoul(p + n + 1, &end, 10);
			if (errno == 0 && end != p + n + 1 && *end == ']' &&
			    v <= UINT32_MAX)
				return (uint32_t)v;
		}
	}
	return 0;
}

/* Opens the mailbox read-only: libcurl SELECTs it (the first time), then
 * EXAMINE, whose response gives UIDVALIDITY and UIDNEXT. */
static int
examine(struct imap *im, uint32_t *uidvalidity, uint32_t *uidnext)
{
	char cmd[1200], doing[1200];
	const char *h;

	snprintf(cmd, sizeof cmd, "EXAMINE %s", im->quoted);
	snprintf(doing, sizeof doing, "cannot open mailbox '%s'", im->mailbox);
	im->examined = 0;
	if (command(im, cmd, doing) != 0)
		return -1;
	h = im->hdr.data ? (const char *)im->hdr.data : "";
	*uidvalidity = response_code(h, "UIDVALIDITY");
	*uidnext = response_code(h, "UIDNEXT");
	if (*uidvalidity == 0 && im->resp.data != NULL)
		*uidvalidity = response_code((const char *)im->resp.data,
		    "UIDVALIDITY");
	if (*uidnext == 0 && im->resp.data != NULL)
		*uidnext = response_code((const char *)im->resp.data, "UIDNEXT");
	if (*uidvalidity == 0)
		return fail(im, "the server sent no UIDVALIDITY for '%s'",
		    im->mailbox);
	im->examined = 1;
	return 0;
}

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Appends the numbers of the "* SEARCH" lines in im->resp to *uids. */
static int
add_search(struct imap *im, uint32_t **uids, size_t *n, size_t *cap)
{
	const char *p = im->resp.data ? (const char *)im->resp.data : "";
	unsigned long v;
	char *end;

	while ((p = strstr(p, "* SEARCH")) != NULL) {
		p += 8;
		for (;;) {
			while (*p == ' ')
				p++;
			if (!isdigit((unsigned char)*p))
				break;
			errno = 0;
			v = strtoul(p, &end, 10);
			if (errno || v == 0 || v > UINT32_MAX)
				return fail(im, "bad UID in a SEARCH response");
			p = end;
			/* UIDs are 32 bits: no mailbox holds more */
			if (dm_array_reserve(uids, cap, *n + 1, sizeof **uids,
			    (size_t)UINT32_MAX) != 0)
				return fail(im, "out of memory");
			(*uids)[(*n)++] = (uint32_t)v;
		}
	}
	return 0;
}

int
imap_list(struct imap *im, uint32_t *uidvalidity, uint32_t **uids, size_t *n)
{
	uint32_t uidnext = 0, lo, hi;
	size_t cap = 0, i, k;
	char cmd[128];

	*uids = NULL;
	*n = 0;
	if (examine(im, uidvalidity, &uidnext) != 0)
		return -1;
	/* in windows of UIDs, so that no response line grows too long for
	 * libcurl; the last window is open-ended ("lo:*") */
	for (lo = 1;; lo = hi + 1) {
		if (uidnext > 1 && (uint64_t)lo + SEARCH_WINDOW < uidnext) {
			hi = lo + SEARCH_WINDOW - 1;
			snprintf(cmd, sizeof cmd, "UID SEARCH UID %u:%u UNDELETED",
			    lo, hi);
		} else {
			hi = 0;
			snprintf(cmd, sizeof cmd, "UID SEARCH UID %u:* UNDELETED",
			    lo);
		}
		if (command(im, cmd, "cannot list the messages") != 0 ||
		    add_search(im, uids, n, &cap) != 0) {
			free(*uids);
			*uids = NULL;
			*n = 0;
			return -1;
		}
		if (hi == 0)
			break;
	}
	/* "lo:*" also matches the highest UID when it is below lo: keep each
	 * once, ascending */
	if (*n > 1)
		qsort(*uids, *n, sizeof **uids, cmp_uid);
	for (i = k = 0; i < *n; i++)
		if (k == 0 || (*uids)[k - 1] != (*uids)[i])
			(*uids)[k++] = (*uids)[i];
	*n = k;
	return 0;
}

/* Whether the "* n FETCH (... FLAGS (...\Seen...) ..." line of the last
 * fetch says the fetch set \Seen (servers report flags a FETCH changed). */
static int
fetch_set_seen(const struct imap *im)
{
	const char *h = im->hdr.data ? (const char *)im->hdr.data : "";
	const char *p = strstr(h, " FETCH ("), *f, *e;

	if (p == NULL || (f = strstr(p, "FLAGS (")) == NULL)
		return 0;
	e = strchr(f, ')');
	p = strstr(f, "\\Seen");
	return p != NULL && (e == NULL || p < e);
}

enum imap_fetch_result
imap_fetch(struct imap *im, uint32_t uidvalidity, uint32_t uid,
    struct dm_buf *out)
{
	char url[4096], cmd[128], doing[128];
	uint32_t v, next;
	CURLcode rc;
	long conns = 0;
	int over;

	snprintf(doing, sizeof doing, "cannot fetch message UID %u", uid);
	if (!im->examined && examine(im, &v, &next) != 0)
		return IMAP_FETCH_ERROR;
	snprintf(url, sizeof url, "%s%s/;UIDVALIDITY=%u/;UID=%u", im->base,
	    im->path, uidvalidity, uid);
	rc = perform(im, url, NULL, out);
	over = im->body.over;	/* before the commands below reset it */
	(void)curl_easy_getinfo(im->h, CURLINFO_NUM_CONNECTS, &conns);
	if (conns > 0 || fetch_set_seen(im)) {
		/* libcurl connected again and selected the mailbox read-write:
		 * the fetch may have set \Seen; undo that, examine again */
		int seen = fetch_set_seen(im);
		im->examined = 0;
		if (seen) {
			snprintf(cmd, sizeof cmd, "UID STORE %u -FLAGS.SILENT "
			    "(\\Seen)", uid);
			if (command(im, cmd, "cannot keep \\Seen unset") != 0)
				return IMAP_FETCH_ERROR;
		}
	}
	if (rc == CURLE_OK)
		return IMAP_FETCH_OK;
	if (rc == CURLE_WRITE_ERROR && over)
		return IMAP_FETCH_OVER;
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND &&
	    strstr(im->errbuf, "UIDVALIDITY") == NULL)
		return IMAP_FETCH_GONE;
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND)
		fail(im, "the mailbox changed its UIDVALIDITY during the run "
		    "(it was rebuilt): run again to read it anew");
	else
		fail_curl(im, rc, doing);
	return IMAP_FETCH_ERROR;
}

/* "a:b,c,..." of up to MOVE_BATCH of uids[*i...], advancing *i. */
static void
uid_set(const uint32_t *uids, size_t n, size_t *i, char *buf, size_t len)
{
	size_t o = 0, taken = 0, j;

	buf[0] = '\0';
	while (*i < n && taken < MOVE_BATCH && o + 24 < len) {
		j = *i;
		while (j + 1 < n && uids[j + 1] == uids[j] + 1 &&
		    taken + (j + 1 - *i) < MOVE_BATCH)
			j++;
		if (j > *i)
			o += (size_t)snprintf(buf + o, len - o, "%s%u:%u",
			    o ? "," : "", uids[*i], uids[j]);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%u",
			    o ? "," : "", uids[*i]);
		taken += j + 1 - *i;
		*i = j + 1;
	}
}

/* Runs cmd; when the server says the folder is missing ([TRYCREATE]),
 * creates it and runs cmd again. */
static int
to_folder(struct imap *im, const char *cmd, const char *qfolder,
    const char *doing)
{
	char create[1200];

	if (command(im, cmd, doing) == 0)
		return 0;
	if (im->hdr.data == NULL ||
	    strstr((const char *)im->hdr.data, "[TRYCREATE]") == NULL)
		return -1;
	snprintf(create, sizeof create, "CREATE %s", qfolder);
	if (command(im, create, "cannot create the folder") != 0)
		return -1;
	return command(im, cmd, doing);
}

int
imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *folder)
{
	char set[MOVE_BATCH * 24 + 64], cmd[sizeof set + 1200], doing[1200];
	char *qf;
	size_t i = 0;
	int rc = -1;

	if (n == 0)
		return 0;
	if (!im->can_move && !im->uidplus)
		return fail(im, "the server has neither MOVE nor UIDPLUS, so "
		    "the messages read cannot be moved alone: leave out "
		    "--imap-move");
	if ((qf = quote(folder)) == NULL)
		return fail(im, "folder name '%s': only ASCII names are "
		    "supported", folder);
	snprintf(doing, sizeof doing, "cannot move messages to '%s'", folder);
	/* read-write again: the mailbox is examined (read-only) */
	snprintf(cmd, sizeof cmd, "SELECT %s", im->quoted);
	im->examined = 0;
	if (command(im, cmd, "cannot open the mailbox to move messages") != 0)
		goto out;
	while (i < n) {
		uid_set(uids, n, &i, set, sizeof set);
		if (im->can_move) {
			snprintf(cmd, sizeof cmd, "UID MOVE %s %s", set, qf);
			if (to_folder(im, cmd, qf, doing) != 0)
				goto out;
			continue;
		}
		snprintf(cmd, sizeof cmd, "UID COPY %s %s", set, qf);
		if (to_folder(im, cmd, qf, doing) != 0)
			goto out;
		snprintf(cmd, sizeof cmd, "UID STORE %s +FLAGS.SILENT (\\Deleted)",
		    set);
		if (command(im, cmd, doing) != 0)
			goto out;
		snprintf(cmd, sizeof cmd, "UID EXPUNGE %s", set);
		if (command(im, cmd, doing) != 0)
			goto out;
	}
	rc = 0;
out:
	free(qf);
	return rc;
}

void
imap_free(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->h != NULL)
		curl_easy_cleanup(im->h);
	dm_buf_free(&im->hdr);
	dm_buf_free(&im->resp);
	free(im->scheme);
	free(im->host);
	free(im->server);
	free(im->user);
	free(im->mailbox);
	free(im->path);
	free(im->url);
	free(im->base);
	free(im->netrc_base);
	free(im->rawuser);
	free(im->quoted);
	free(im);
}
