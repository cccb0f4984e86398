/* SPDX-License-Identifier: MIT */
/* test_imap.c: the capped buffer (common/dm_buf.h) and what imap_new
 * makes of a URL, without a server (test_imap.sh has the server). */
#include <stdint.h>

#include "check.h"
#include "dm_buf.h"
#include "imap.h"

static void
test_buf(void)
{
	struct dm_buf b;

	dm_buf_init(&b, 10);
	CHECK(dm_buf_add(&b, "01234", 5) == 0);
	CHECK(dm_buf_add(&b, "", 0) == 0);
	CHECK(dm_buf_add(&b, "56789", 5) == 0);
	CHECK_INT(b.len, 10);
	CHECK_STR((const char *)b.data, "0123456789");	/* NUL after the bytes */
	CHECK(b.alloc <= 11);				/* never more than cap + 1 */
	/* one byte past the cap: freed and failed, and stays failed */
	CHECK(dm_buf_add(&b, "x", 1) == -1);
	CHECK_INT(b.state, DM_BUF_OVER);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK(dm_buf_add(&b, "y", 1) == -1);
	dm_buf_reset(&b);
	CHECK_INT(b.state, DM_BUF_OK);
	CHECK(dm_buf_add(&b, "abc", 3) == 0);
	dm_buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR((const char *)b.data, "");
	dm_buf_free(&b);
	CHECK(b.data == NULL);
	CHECK_INT(b.cap, 10);
	/* a cap of SIZE_MAX does not wrap */
	dm_buf_init(&b, SIZE_MAX);
	CHECK(dm_buf_add(&b, "abc", 3) == 0);
	CHECK(dm_buf_add(&b, "abc", SIZE_MAX) == -1);
	CHECK_INT(b.state, DM_BUF_OVER);
	dm_buf_free(&b);
}

/* imap_new on url: NULL (err gets why) or the handle. */
static struct imap *
open_url(const char *url, char *err, size_t len)
{
	struct imap_conf c;

	memset(&c, 0, sizeof c);
	c.url = url;
	c.password = "secret";
	c.timeout = 60;
	err[0] = '\0';
	return imap_new(&c, err, len);
}

static void
test_url(void)
{
	struct imap *im;
	char err[1024];

	CHECK(imap_is_url("imaps://u@h/INBOX"));
	CHECK(imap_is_url("IMAP://u@h/INBOX"));
	CHECK(!imap_is_url("imapx://u@h/INBOX"));
	CHECK(!imap_is_url("/home/u/Maildir"));

	im = open_url("imaps://dmarc@Mail.Example.COM/INBOX", err, sizeof err);
	CHECK(im != NULL);
	if (im != NULL) {
		CHECK_STR(imap_server(im), "mail.example.com:993");
		CHECK_STR(imap_user(im), "dmarc");
		CHECK_STR(imap_mailbox(im), "INBOX");
		CHECK_STR(imap_url(im), "imaps://mail.example.com/INBOX");
		CHECK_STR(imap_error(im), "");
	}
	imap_free(im);
	/* the port as given; the user and a folder name decoded; no mailbox
	 * is INBOX */
	im = open_url("imap://rua%40example.com@127.0.0.1:1143/DMARC%20Reports/",
	    err, sizeof err);
	CHECK(im != NULL);
	if (im != NULL) {
		CHECK_STR(imap_server(im), "127.0.0.1:1143");
		CHECK_STR(imap_user(im), "rua@example.com");
		CHECK_STR(imap_mailbox(im), "DMARC Reports");
		CHECK_STR(imap_url(im), "imap://127.0.0.1:1143/DMARC%20Reports");
	}
	imap_free(im);
	im = open_url("imaps://u@h", err, sizeof err);
	CHECK(im != NULL);
	if (im != NULL) {
		CHECK_STR(imap_mailbox(im), "INBOX");
		CHECK_STR(imap_url(im), "imaps://h/INBOX");
	}
	imap_free(im);

	/* refused, with the reason */
	CHECK(open_url("imaps://u:pw@h/INBOX", err, sizeof err) == NULL);
	CHECK(strstr(err, "password in the IMAP URL is refused") != NULL);
	CHECK(strstr(err, "pw") == NULL);
	CHECK(open_url("imaps://h/INBOX", err, sizeof err) == NULL);
	CHECK(strstr(err, "needs the login name") != NULL);
	CHECK(open_url("imaps://u@h/INBOX?UNSEEN", err, sizeof err) == NULL);
	CHECK(strstr(err, "mailbox only") != NULL);
	CHECK(open_url("imaps://u@h/INBOX;UID=3", err, sizeof err) == NULL);
	CHECK(strstr(err, "no ';' parameters") != NULL);
	CHECK(open_url("imaps://u@h/Ber%C3%AFchte", err, sizeof err) == NULL);
	CHECK(strstr(err, "only ASCII") != NULL);
	CHECK(open_url("imaps://u@h/a%0Ab", err, sizeof err) == NULL);
	CHECK(open_url("imaps://u@[/INBOX", err, sizeof err) == NULL);
	CHECK(strstr(err, "not a valid IMAP URL") != NULL);
}

int
main(void)
{
	imap_global_init();
	test_buf();
	test_url();
	CHECK_DONE();
}
