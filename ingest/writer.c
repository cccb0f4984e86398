/* SPDX-License-Identifier: MIT */
/* writer.c: the store on its own thread, fed by a bounded queue (see writer.h). */
#include "writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* Commands queued at most; the parser waits when the writer is this far
 * behind (a few MB of records). */
#define QUEUE_SIZE 4096
/* The writer is woken when this many records wait (or on any other
 * command), and the parser when the queue is down to half: waking the
 * other thread for every record cost an eighth of the run in futex calls. */
#define WAKE_BATCH 128

enum cmd_type { C_BEGIN, C_COMMIT, C_START, C_RECORD, C_END, C_ABORT,
	C_CALL };

struct cmd {
	enum cmd_type type;
	void *data;		/* one malloc'd block, or NULL (C_CALL: fn's arg) */
	int (*fn)(struct store *, void *);	/* C_CALL */
	int *result;		/* C_CALL */
	struct dm_report *so_far;	/* C_RECORD, first record only */
	const struct dm_report *whole;	/* C_START: the queued C_END's report */
	uint64_t skipped;	/* C_END */
	char sha[65];		/* C_END */
};

struct writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full, idle;
	struct cmd q[QUEUE_SIZE];
	size_t head, count;
	int busy;		/* the thread is running a command */
	int consumer_waiting, producer_waiting;
	int syncing;		/* writer_sync waits */
	int stop;
	atomic_int failed;	/* read without the lock on the hot path */
	char err[512];
	struct writer_stats stats;
	/* the report in progress, as the writer thread sees it */
	struct store_provenance *prov;
};

/* --- deep copies into one block ------------------------------------------- */

/* A bump allocator over one malloc'd block: sizes first, then copies. */
struct blk {
	char *base;
	size_t used, size;
};

static size_t
slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

#define ALIGN(n) (((n) + 15) & ~(size_t)15)

static void *
blk_take(struct blk *b, size_t n)
{
	void *p = b->base + b->used;

	b->used += ALIGN(n);
	return p;
}

static char *
blk_str(struct blk *b, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = b->base + b->used;
	memcpy(d, s, n);
	b->used += n;
	return d;
}

static struct dm_record *
record_clone(const struct dm_record *r)
{
	struct dm_record *c;
	struct blk b = { NULL, 0, 0 };
	size_t i, n;

	n = ALIGN(sizeof *c) + ALIGN(r->n_reasons * sizeof *r->reasons) +
	    ALIGN(r->n_dkim * sizeof *r->dkim) + ALIGN(r->n_spf * sizeof *r->spf);
	n += slen(r->disposition) + slen(r->dkim_aligned) + slen(r->spf_aligned) +
	    slen(r->header_from) + slen(r->envelope_from) + slen(r->envelope_to);
	for (i = 0; i < r->n_reasons; i++)
		n += slen(r->reasons[i].type) + slen(r->reasons[i].comment);
	for (i = 0; i < r->n_dkim; i++)
		n += slen(r->dkim[i].domain) + slen(r->dkim[i].selector) +
		    slen(r->dkim[i].result) + slen(r->dkim[i].human_result);
	for (i = 0; i < r->n_spf; i++)
		n += slen(r->spf[i].domain) + slen(r->spf[i].scope) +
		    slen(r->spf[i].result) + slen(r->spf[i].human_result);
	if ((b.base = malloc(n)) == NULL)
		return NULL;
	b.size = n;
	c = blk_take(&b, sizeof *c);
	*c = *r;
	c->reasons = blk_take(&b, r->n_reasons * sizeof *r->reasons);
	c->dkim = blk_take(&b, r->n_dkim * sizeof *r->dkim);
	c->spf = blk_take(&b, r->n_spf * sizeof *r->spf);
	c->disposition = blk_str(&b, r->disposition);
	c->dkim_aligned = blk_str(&b, r->dkim_aligned);
	c->spf_aligned = blk_str(&b, r->spf_aligned);
	c->header_from = blk_str(&b, r->header_from);
	c->envelope_from = blk_str(&b, r->envelope_from);
	c->envelope_to = blk_str(&b, r->envelope_to);
	for (i = 0; i < r->n_reasons; i++) {
		c->reasons[i].type = blk_str(&b, r->reasons[i].type);
		c->reasons[i].comment = blk_str(&b, r->reasons[i].comment);
	}
	for (i = 0; i < r->n_dkim; i++) {
		c->dkim[i].domain = blk_str(&b, r->dkim[i].domain);
		c->dkim[i].selector = blk_str(&b, r->dkim[i].selector);
		c->dkim[i].result = blk_str(&b, r->dkim[i].result);
		c->dkim[i].human_result = blk_str(&b, r->dkim[i].human_result);
	}
	for (i = 0; i < r->n_spf; i++) {
		c->spf[i].domain = blk_str(&b, r->spf[i].domain);
		c->spf[i].scope = blk_str(&b, r->spf[i].scope);
		c->spf[i].result = blk_str(&b, r->spf[i].result);
		c->spf[i].human_result = blk_str(&b, r->spf[i].human_result);
	}
	return c;
}

/* The report-level struct: strings and the errors array. */
static struct dm_report *
report_clone(const struct dm_report *r)
{
	struct dm_report *c;
	struct blk b = { NULL, 0, 0 };
	size_t i, n;

	n = ALIGN(sizeof *c) + ALIGN(r->n_errors * sizeof *r->errors);
	n += slen(r->xml_version) + slen(r->xml_namespace) + slen(r->org_name) +
	    slen(r->email) + slen(r->extra_contact_info) + slen(r->report_id) +
	    slen(r->generator) + slen(r->domain) + slen(r->adkim) +
	    slen(r->aspf) + slen(r->p) + slen(r->sp) + slen(r->np) +
	    slen(r->fo) + slen(r->testing) + slen(r->discovery_method);
	for (i = 0; i < r->n_errors; i++)
		n += slen(r->errors[i]);
	if ((b.base = malloc(n)) == NULL)
		return NULL;
	b.size = n;
	c = blk_take(&b, sizeof *c);
	*c = *r;
	c->errors = blk_take(&b, r->n_errors * sizeof *r->errors);
	for (i = 0; i < r->n_errors; i++)
		c->errors[i] = blk_str(&b, r->errors[i]);
	c->xml_version = blk_str(&b, r->xml_version);
	c->xml_namespace = blk_str(&b, r->xml_namespace);
	c->org_name = blk_str(&b, r->org_name);
	c->email = blk_str(&b, r->email);
	c->extra_contact_info = blk_str(&b, r->extra_contact_info);
	c->report_id = blk_str(&b, r->report_id);
	c->generator = blk_str(&b, r->generator);
	c->domain = blk_str(&b, r->domain);
	c->adkim = blk_str(&b, r->adkim);
	c->aspf = blk_str(&b, r->aspf);
	c->p = blk_str(&b, r->p);
	c->sp = blk_str(&b, r->sp);
	c->np = blk_str(&b, r->np);
	c->fo = blk_str(&b, r->fo);
	c->testing = blk_str(&b, r->testing);
	c->discovery_method = blk_str(&b, r->discovery_method);
	return c;
}

static struct store_provenance *
prov_clone(const struct store_provenance *p)
{
	struct store_provenance *c;
	struct blk b = { NULL, 0, 0 };
	size_t n;

	n = ALIGN(sizeof *c) + slen(p->input_name) + slen(p->message_id) +
	    slen(p->message_date) + slen(p->message_from) +
	    slen(p->message_subject) + slen(p->mbox_path);
	if ((b.base = malloc(n)) == NULL)
		return NULL;
	b.size = n;
	c = blk_take(&b, sizeof *c);
	*c = *p;
	c->input_name = blk_str(&b, p->input_name);
	c->message_id = blk_str(&b, p->message_id);
	c->message_date = blk_str(&b, p->message_date);
	c->message_from = blk_str(&b, p->message_from);
	c->message_subject = blk_str(&b, p->message_subject);
	c->mbox_path = blk_str(&b, p->mbox_path);
	return c;
}

/* --- the thread ------------------------------------------------------------- */

static void
fail(struct writer *w, const char *msg)
{
	pthread_mutex_lock(&w->mu);
	if (!w->failed)
		snprintf(w->err, sizeof w->err, "%s", msg);
	w->failed = 1;
	pthread_mutex_unlock(&w->mu);
}

/* Runs one command on the store (writer thread, or the caller after a
 * sync).  Frees the command's data. */
static void
run(struct writer *w, struct cmd *c)
{
	enum store_outcome out;
	uint64_t recs, msgs;

	if (atomic_load(&w->failed))
		goto out;
	switch (c->type) {
	case C_BEGIN:
		if (store_begin(w->st) != 0)
			fail(w, store_error(w->st));
		break;
	case C_COMMIT:
		if (store_commit(w->st) != 0)
			fail(w, store_error(w->st));
		break;
	case C_START:
		free(w->prov);
		w->prov = c->data;
		c->data = NULL;
		if (store_report_start_whole(w->st, w->prov, c->whole) != 0)
			fail(w, store_error(w->st));
		break;
	case C_RECORD:
		if (store_report_record(w->st, c->so_far, c->data) != 0)
			fail(w, store_error(w->st));
		break;
	case C_END:
		if (store_report_end(w->st, c->data, c->sha, &out, &recs,
		    &msgs) != 0) {
			fail(w, store_error(w->st));
			break;
		}
		pthread_mutex_lock(&w->mu);
		if (out == STORE_NEW) {
			w->stats.reports_new++;
			w->stats.records_new += recs;
			/* hostile counts: the run's total stays at the maximum
			 * rather than wrap (each report's total fits) */
			if (__builtin_add_overflow(w->stats.messages_new, msgs,
			    &w->stats.messages_new))
				w->stats.messages_new = UINT64_MAX;
			w->stats.records_skipped += c->skipped;
		} else {
			w->stats.reports_duplicate++;
		}
		pthread_mutex_unlock(&w->mu);
		break;
	case C_ABORT:
		store_report_abort(w->st);
		break;
	case C_CALL:
		if ((*c->result = c->fn(w->st, c->data)) < 0)
			fail(w, store_error(w->st));
		break;
	}
out:
	if (c->type == C_CALL)
		c->data = NULL;		/* the caller's */
	free(c->data);
	free(c->so_far);
	c->data = NULL;
	c->so_far = NULL;
}

/*
 * With a C_START at the head of the queue (lock held): waits until the
 * report's C_END or C_ABORT is queued too, or the queue is full (a report
 * longer than the queue) or the parser waits for room (it is woken only
 * when the queue is down to half), or the caller syncs or stops.  Returns the
 * queued C_END's report, or NULL.  A report whose end is queued is stored
 * without a savepoint (store_report_start_whole); the parser is meanwhile
 * on the next one.
 */
static const struct dm_report *
wait_whole(struct writer *w)
{
	size_t i = 1;
	const struct cmd *c;

	for (;;) {
		for (; i < w->count; i++) {
			c = &w->q[(w->head + i) % QUEUE_SIZE];
			if (c->type == C_END)
				return c->data;
			if (c->type != C_RECORD)
				return NULL;
		}
		if (w->count == QUEUE_SIZE || w->producer_waiting || w->stop ||
		    w->syncing || w->failed)
			return NULL;
		w->consumer_waiting = 1;
		pthread_cond_wait(&w->not_empty, &w->mu);
		w->consumer_waiting = 0;
	}
}

static void *
thread_main(void *arg)
{
	struct writer *w = arg;
	struct cmd c;

	store_adopt(w->st);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->count == 0 && !w->stop) {
			w->busy = 0;
			pthread_cond_broadcast(&w->idle);
			w->consumer_waiting = 1;
			pthread_cond_wait(&w->not_empty, &w->mu);
			w->consumer_waiting = 0;
		}
		if (w->count == 0 && w->stop)
			break;
		if (w->q[w->head].type == C_START)
			w->q[w->head].whole = wait_whole(w);
		c = w->q[w->head];
		w->head = (w->head + 1) % QUEUE_SIZE;
		w->count--;
		w->busy = 1;
		if (w->producer_waiting && w->count <= QUEUE_SIZE / 2)
			pthread_cond_signal(&w->not_full);
		pthread_mutex_unlock(&w->mu);
		run(w, &c);
		pthread_mutex_lock(&w->mu);
	}
	w->busy = 0;
	pthread_cond_broadcast(&w->idle);
	pthread_mutex_unlock(&w->mu);
	store_release(w->st);	/* to the thread that joins */
	return NULL;
}

static int
push(struct writer *w, struct cmd *c)
{
	pthread_mutex_lock(&w->mu);
	if (w->failed) {
		pthread_mutex_unlock(&w->mu);
		if (c->type != C_CALL)
			free(c->data);
		free(c->so_far);
		return -1;
	}
	while (w->count == QUEUE_SIZE) {
		w->producer_waiting = 1;
		pthread_cond_wait(&w->not_full, &w->mu);
		w->producer_waiting = 0;
	}
	w->q[(w->head + w->count) % QUEUE_SIZE] = *c;
	w->count++;
	if (w->consumer_waiting && (c->type != C_RECORD || w->count >= WAKE_BATCH))
		pthread_cond_signal(&w->not_empty);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static int
push_simple(struct writer *w, enum cmd_type t, void *data)
{
	struct cmd c;

	memset(&c, 0, sizeof c);
	c.type = t;
	c.data = data;
	return push(w, &c);
}

struct writer *
writer_new(struct store *st)
{
	struct writer *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->st = st;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->not_empty, NULL);
	pthread_cond_init(&w->not_full, NULL);
	pthread_cond_init(&w->idle, NULL);
	store_release(st);	/* the thread adopts it */
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		store_adopt(st);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->not_empty);
		pthread_cond_destroy(&w->not_full);
		pthread_cond_destroy(&w->idle);
		free(w);
		return NULL;
	}
	return w;
}

int
writer_begin(struct writer *w)
{
	return push_simple(w, C_BEGIN, NULL);
}

int
writer_commit(struct writer *w)
{
	return push_simple(w, C_COMMIT, NULL);
}

int
writer_report_start(struct writer *w, const struct store_provenance *prov)
{
	struct store_provenance *c = prov_clone(prov);

	if (c == NULL) {
		fail(w, "out of memory");
		return -1;
	}
	return push_simple(w, C_START, c);
}

int
writer_record(struct writer *w, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	struct cmd c;

	memset(&c, 0, sizeof c);
	c.type = C_RECORD;
	if ((c.data = record_clone(rec)) == NULL ||
	    (so_far != NULL && (c.so_far = report_clone(so_far)) == NULL)) {
		free(c.data);
		fail(w, "out of memory");
		return -1;
	}
	return push(w, &c);
}

int
writer_report_end(struct writer *w, const struct dm_report *r,
    const char *xml_sha256, uint64_t skipped)
{
	struct cmd c;

	memset(&c, 0, sizeof c);
	c.type = C_END;
	c.skipped = skipped;
	snprintf(c.sha, sizeof c.sha, "%s", xml_sha256);
	if ((c.data = report_clone(r)) == NULL) {
		fail(w, "out of memory");
		return -1;
	}
	return push(w, &c);
}

int
writer_report_abort(struct writer *w)
{
	return push_simple(w, C_ABORT, NULL);
}

int
writer_sync(struct writer *w)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	w->syncing = 1;
	if (w->consumer_waiting && w->count > 0)
		pthread_cond_signal(&w->not_empty);
	while (w->count > 0 || w->busy)
		pthread_cond_wait(&w->idle, &w->mu);
	w->syncing = 0;
	failed = w->failed;
	pthread_mutex_unlock(&w->mu);
	return failed ? -1 : 0;
}

int
writer_call(struct writer *w, int (*fn)(struct store *st, void *arg),
    void *arg)
{
	struct cmd c;
	int result = -1;

	memset(&c, 0, sizeof c);
	c.type = C_CALL;
	c.fn = fn;
	c.data = arg;
	c.result = &result;
	if (push(w, &c) != 0)
		return -1;
	/* the only producer waits, so the command has run when all have */
	if (writer_sync(w) != 0 && result >= 0)
		return -1;
	return result;
}

void
writer_get_stats(struct writer *w, struct writer_stats *s)
{
	pthread_mutex_lock(&w->mu);
	*s = w->stats;
	pthread_mutex_unlock(&w->mu);
}

const char *
writer_error(struct writer *w)
{
	return w->err;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->not_empty);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	store_adopt(w->st);
	free(w->prov);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->not_empty);
	pthread_cond_destroy(&w->not_full);
	pthread_cond_destroy(&w->idle);
	free(w);
}
