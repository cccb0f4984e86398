/* SPDX-License-Identifier: MIT */
/* imap_ingest.c: an IMAP mailbox into the database, exactly once (see
 * imap_ingest.h). */
#include "dm_array.h"
#include "imap_ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm_buf.h"
#include "imap.h"
#include "pipeline.h"
#include "store_imap.h"

/* A message of the mailbox and what became of it (-1: not read yet). */
struct msg {
	uint32_t uid;
	int outcome;
};

/* The rows of imap_seen for the mailbox, read on the writer's thread. */
struct seen_call {
	const struct store_imap_box *box;
	struct msg *v;
	size_t n, cap;
	int oom;
};

static int
on_seen_row(void *ctx, uint32_t uid, enum store_imap_outcome o)
{
	struct seen_call *c = ctx;

	/* one per UID seen in this mailbox: at most IMAP's 2^32 */
	if (dm_array_reserve(&c->v, &c->cap, c->n + 1, sizeof *c->v,
	    (size_t)UINT32_MAX) != 0) {
		c->oom = 1;
		return 1;
	}
	c->v[c->n].uid = uid;
	c->v[c->n].outcome = (int)o;
	c->n++;
	return 0;
}

static int
call_seen(struct store *st, void *arg)
{
	struct seen_call *c = arg;

	return store_imap_seen(st, c->box, on_seen_row, c) != 0 ? -1 : 0;
}

/* The row of one message, committed with its reports. */
struct seal_arg {
	const struct store_imap_box *box;
	uint32_t uid;
};

static enum store_imap_outcome
outcome_of(enum pipeline_msg_outcome o)
{
	switch (o) {
	case PIPE_MSG_STORED: return STORE_IMAP_STORED;
	case PIPE_MSG_DUPLICATE: return STORE_IMAP_DUPLICATE;
	case PIPE_MSG_NO_REPORT: return STORE_IMAP_NO_REPORT;
	case PIPE_MSG_FAILED: default: return STORE_IMAP_FAILED;
	}
}

static int
seal_message(struct store *st, void *arg, enum pipeline_msg_outcome o)
{
	struct seal_arg *a = arg;

	return store_imap_mark(st, a->box, a->uid, outcome_of(o));
}

/* The outcome of uid among the seen rows (sorted by uid), or -1. */
static int
known(const struct seen_call *c, uint32_t uid)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->v[mid].uid == uid)
			return c->v[mid].outcome;
		if (c->v[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* DMARC_IMAP_TEST_HOLD=N:FILE (imap_ingest.h): after message N, FILE is
 * created and the run waits until it is gone. */
static void
test_hold(uint64_t fetched)
{
	const char *v = getenv("DMARC_IMAP_TEST_HOLD"), *file;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	char *end;
	unsigned long long n;
	int fd, i;

	if (v == NULL)
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end != ':' || n != fetched)
		return;
	file = end + 1;
	if ((fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return;
	close(fd);
	for (i = 0; i < 1200 && access(file, F_OK) == 0; i++)
		nanosleep(&pause, NULL);
}

/* Moves the messages read that failed (failed = 1) or not, to folder. */
static int
move_some(struct imap *im, const struct msg *m, size_t n, int failed,
    const char *folder, uint64_t *moved)
{
	uint32_t *set;
	size_t i, k = 0;
	int rc;

	if ((set = malloc((n ? n : 1) * sizeof *set)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (m[i].outcome >= 0 &&
		    (m[i].outcome == STORE_IMAP_FAILED) == failed)
			set[k++] = m[i].uid;
	rc = imap_move(im, set, k, folder);
	if (rc == 0)
		*moved += k;
	free(set);
	return rc;
}

enum imap_ingest_status
imap_ingest_run(struct pipeline *p, struct imap *im,
    const struct imap_ingest_opts *o, const struct imap_ingest_callbacks *cb,
    struct imap_ingest_stats *st)
{
	struct store_imap_box box;
	struct seen_call seen;
	struct seal_arg sa;
	struct store_provenance prov;
	enum pipeline_msg_outcome po;
	enum imap_ingest_status rc = IMAP_INGEST_IMAP;
	struct msg *m = NULL;
	struct dm_buf buf;
	uint32_t uidvalidity, *uids = NULL;
	uint64_t todo = 0, done = 0;
	size_t n = 0, i;
	char name[4200];

	memset(&seen, 0, sizeof seen);
	dm_buf_init(&buf, o->message_bytes < SIZE_MAX ?
	    (size_t)o->message_bytes + 1 : SIZE_MAX);
	if (imap_connect(im) != 0 || imap_list(im, &uidvalidity, &uids, &n) != 0)
		goto out;
	box.server = imap_server(im);
	box.user = imap_user(im);
	box.mailbox = imap_mailbox(im);
	box.uidvalidity = uidvalidity;
	seen.box = &box;
	if (pipeline_store_call(p, call_seen, &seen) != 0) {
		rc = IMAP_INGEST_FATAL;
		goto out;
	}
	if (seen.oom || (m = malloc((n ? n : 1) * sizeof *m)) == NULL) {
		rc = IMAP_INGEST_FATAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		m[i].uid = uids[i];
		if ((m[i].outcome = known(&seen, uids[i])) < 0)
			todo++;
	}
	for (i = 0; i < n; i++) {
		if (m[i].outcome >= 0)
			continue;
		if (cb != NULL && cb->progress != NULL)
			cb->progress(cb->ctx, imap_url(im), done, todo);
		done++;
		switch (imap_fetch(im, uidvalidity, m[i].uid, &buf)) {
		case IMAP_FETCH_OK:
		case IMAP_FETCH_OVER:	/* the mail path fails it: message-bytes */
			break;
		case IMAP_FETCH_GONE:
			continue;
		case IMAP_FETCH_ERROR:
		default:
			goto out;
		}
		snprintf(name, sizeof name, "%s;UID=%u", imap_url(im), m[i].uid);
		memset(&prov, 0, sizeof prov);
		prov.input_name = name;
		prov.mbox_path = imap_url(im);
		prov.mbox_offset = m[i].uid;
		sa.box = &box;
		sa.uid = m[i].uid;
		if (pipeline_message(p, buf.data ? buf.data :
		    (const unsigned char *)"", buf.len, &prov, seal_message, &sa,
		    &po) != 0) {
			rc = IMAP_INGEST_FATAL;
			goto out;
		}
		m[i].outcome = (int)outcome_of(po);
		st->fetched++;
		test_hold(st->fetched);
	}
	/* everything read is committed: now the moves */
	if (o->move_to != NULL &&
	    move_some(im, m, n, 0, o->move_to, &st->moved) != 0)
		goto out;
	if (o->failed_to != NULL &&
	    move_some(im, m, n, 1, o->failed_to, &st->moved) != 0)
		goto out;
	rc = IMAP_INGEST_OK;
out:
	dm_buf_free(&buf);
	free(seen.v);
	free(uids);
	free(m);
	return rc;
}
