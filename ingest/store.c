/* SPDX-License-Identifier: MIT */
/*
 * store.c: reports, records and failures into SQLite (see store.h).  Just
 * over 800 lines: a report's streaming write (savepoint or not, the
 * per-report summaries) and the failures with their kept payloads share the
 * statement table and the error paths; the summaries, admin commands and
 * IMAP bookkeeping already live in store_sourceday.c, store_sourceauth.c,
 * store_admin.c and store_imap.c.
 */
#include "dm_array.h"
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "db.h"
#include "derived.h"
#include "fmt.h"
#include "store_priv.h"

/* Columns of report shared by the INSERT and the UPDATE, in bind order. */
#define REPORT_COLS \
	"org_name, email, extra_contact_info, report_id, date_begin, date_end, " \
	"generator, schema, xml_version, xml_namespace, domain, domain_source, " \
	"adkim, aspf, p, sp, np, pct, fo, testing, discovery_method, " \
	"input_name, xml_sha256, ingested_at, message_id, message_date, " \
	"message_from, message_subject, mbox_path, mbox_offset, record_count, " \
	"message_count, dmarc_pass, spf_aligned_pass, dkim_aligned_pass, " \
	"disp_none, disp_quarantine, disp_reject"
#define REPORT_NCOLS 38

static const char *const sql[S_COUNT] = {
	[S_INS_REPORT] = "INSERT INTO report (" REPORT_COLS ") VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_UPD_REPORT] = "UPDATE report SET (" REPORT_COLS ") = "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
	    "WHERE id = ?",
	[S_INS_ERROR] = "INSERT INTO report_error (report, position, message) "
	    "VALUES (?,?,?)",
	[S_INS_RECORD] = "INSERT INTO record (report, position, source_ip, "
	    "ip_family, count, disposition, dkim_aligned, spf_aligned, "
	    "header_from, envelope_from, envelope_to) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[S_INS_REASON] = "INSERT INTO record_reason (record, position, type, "
	    "comment) VALUES (?,?,?,?)",
	[S_INS_DKIM] = "INSERT INTO record_dkim (record, position, domain, "
	    "selector, result, human_result) VALUES (?,?,?,?,?,?)",
	[S_INS_SPF] = "INSERT INTO record_spf (record, position, domain, scope, "
	    "result, human_result) VALUES (?,?,?,?,?,?)",
	[S_SEL_FAILURE] = "SELECT id FROM ingest_failure WHERE payload_sha256 = ?",
	[S_INS_FAILURE] = "INSERT INTO ingest_failure (input_name, "
	    "payload_sha256, payload_size, payload, reason, first_seen, last_seen, "
	    "attempts, message_id, message_date, message_from, message_subject, "
	    "mbox_path, mbox_offset) VALUES (?,?,?,?,?,?,?,1,?,?,?,?,?,?)",
	[S_UPD_FAILURE] = "UPDATE ingest_failure SET last_seen = ?, attempts = "
	    "attempts + 1, reason = ?, resolved_at = NULL WHERE id = ?",
	[S_RESOLVE_FAILURE] = "UPDATE ingest_failure SET resolved_at = ? "
	    "WHERE id = ?",
};

/* The per-day summaries kept with each report (store_priv.h). */
static const struct store_summary *const summaries[] = {
	&store_summary_source_day,
	&store_summary_source_auth,
};
#define N_SUMMARIES (sizeof summaries / sizeof summaries[0])
_Static_assert(N_SUMMARIES <= STORE_SUMMARIES_MAX, "STORE_SUMMARIES_MAX");

static void
summaries_reset(struct store *st)
{
	size_t i;

	for (i = 0; i < N_SUMMARIES; i++)
		summaries[i]->reset(st->summary[i]);
}

/*
 * "database error (what): message", and for an I/O error the system's
 * reason ("disk I/O error (File too large)"), since SQLite's own message
 * does not tell a full disk from a broken one.  SQLite forgets the errno of
 * a failed commit when it rolls back, so errno itself is taken when it is
 * one that a failed write leaves (called right after the failing call).
 */
int
store_fail_db(struct store *st, const char *what)
{
	int saved = errno;
	int ec = sqlite3_errcode(st->db) & 0xff, en = sqlite3_system_errno(st->db);

	if (en == 0 && (saved == EFBIG || saved == ENOSPC || saved == EDQUOT ||
	    saved == EROFS || saved == EIO))
		en = saved;
	if ((ec == SQLITE_IOERR || ec == SQLITE_FULL) && en != 0)
		snprintf(st->err, sizeof st->err, "database error (%s): %s (%s)",
		    what, sqlite3_errmsg(st->db), strerror(en));
	else
		snprintf(st->err, sizeof st->err, "database error (%s): %s",
		    what, sqlite3_errmsg(st->db));
	return -1;
}

static int
exec(struct store *st, const char *q)
{
	if (sqlite3_exec(st->db, q, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_db(st, q);
	return 0;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Runs a bound statement that returns no row; resets it.  Returns the
 * SQLite result code (SQLITE_DONE on success). */
static int
step_reset(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	/* no clear_bindings: every statement binds all its parameters */
	sqlite3_reset(s);
	return rc;
}

void
store_check_owner(const struct store *st, const char *func)
{
	if (!st->owned || !pthread_equal(st->owner, pthread_self())) {
		fprintf(stderr, "dmarc-ingest: internal error: %s called on a "
		    "thread that does not own the store\n", func);
		abort();
	}
}

void
store_release(struct store *st)
{
	STORE_OWNED(st);
	st->owned = 0;
}

void
store_adopt(struct store *st)
{
#ifdef STORE_CHECK_OWNER
	if (st->owned) {
		fprintf(stderr, "dmarc-ingest: internal error: the store is "
		    "adopted while its owner has not released it\n");
		abort();
	}
#endif
	st->owner = pthread_self();
	st->owned = 1;
}

struct store *
store_open(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	struct store *st;
	int i;

	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	store_adopt(st);
	if ((st->db = db_open(db_default_path(path), mode == STORE_CREATE ?
	    DB_READ_WRITE_CREATE : DB_READ_WRITE, err, errlen)) == NULL) {
		free(st);
		return NULL;
	}
	if (store_prepare_all(st, sql, S_COUNT, st->st, "statements") != 0) {
		snprintf(err, errlen, "%s", st->err);
		store_close(st);
		return NULL;
	}
	for (i = 0; i < (int)N_SUMMARIES; i++) {
		if ((st->summary[i] = summaries[i]->open(st)) == NULL) {
			snprintf(err, errlen, "%s", st->err);
			store_close(st);
			return NULL;
		}
	}
	return st;
}

int
store_prepare_all(struct store *st, const char *const *text, int n,
    sqlite3_stmt **q, const char *what)
{
	char why[64];
	int i;

	for (i = 0; i < n; i++) {
		if (sqlite3_prepare_v3(st->db, text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &q[i], NULL) != SQLITE_OK) {
			snprintf(why, sizeof why, "prepare %s", what);
			store_fail_db(st, why);
			store_finalize_all(q, i);
			return -1;
		}
	}
	return 0;
}

void
store_finalize_all(sqlite3_stmt **q, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		sqlite3_finalize(q[i]);
		q[i] = NULL;
	}
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	STORE_OWNED(st);
	store_finalize_all(st->st, S_COUNT);
	for (i = 0; i < (int)N_SUMMARIES; i++)
		summaries[i]->close(st->summary[i]);
	db_close(st->db);
	free(st);
}

int
store_begin(struct store *st)
{
	STORE_OWNED(st);
	return exec(st, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *st)
{
	STORE_OWNED(st);
	return exec(st, "COMMIT");
}

const char *
store_error(const struct store *st)
{
	STORE_OWNED(st);
	return st->err;
}

int
store_report_start(struct store *st, const struct store_provenance *prov)
{
	return store_report_start_whole(st, prov, NULL);
}

int
store_report_start_whole(struct store *st, const struct store_provenance *prov,
    const struct dm_report *whole)
{
	STORE_OWNED(st);
	if (st->in_report)
		store_report_abort(st);
	st->prov = prov;
	st->whole = whole;
	st->savepoint = 0;
	st->in_report = 1;
	st->report_rowid = 0;
	st->duplicate = 0;
	st->records = st->messages = 0;
	st->pass = st->spf_pass = st->dkim_pass = 0;
	st->d_none = st->d_quar = st->d_reject = 0;
	summaries_reset(st);
	return 0;
}

/* Binds the report columns 1..REPORT_NCOLS of statement s. */
static void
bind_report(struct store *st, sqlite3_stmt *s, const struct dm_report *r,
    const char *sha)
{
	const struct store_provenance *pv = st->prov;
	int i = 1;

	bind_text(s, i++, r->org_name);
	bind_text(s, i++, r->email);
	bind_text(s, i++, r->extra_contact_info);
	bind_text(s, i++, r->report_id ? r->report_id : "");
	sqlite3_bind_int64(s, i++, r->date_begin);
	sqlite3_bind_int64(s, i++, r->date_end);
	bind_text(s, i++, r->generator);
	bind_text(s, i++, dm_schema_name(r->schema));
	bind_text(s, i++, r->xml_version);
	bind_text(s, i++, r->xml_namespace);
	bind_text(s, i++, r->domain ? r->domain : "");
	bind_text(s, i++, dm_domain_source_name(r->domain_source));
	bind_text(s, i++, r->adkim);
	bind_text(s, i++, r->aspf);
	bind_text(s, i++, r->p);
	bind_text(s, i++, r->sp);
	bind_text(s, i++, r->np);
	if (r->has_pct)
		sqlite3_bind_int64(s, i++, r->pct);
	else
		sqlite3_bind_null(s, i++);
	bind_text(s, i++, r->fo);
	bind_text(s, i++, r->testing);
	bind_text(s, i++, r->discovery_method);
	bind_text(s, i++, pv->input_name);
	bind_text(s, i++, sha ? sha : "");
	sqlite3_bind_int64(s, i++, (sqlite3_int64)time(NULL));
	bind_text(s, i++, pv->message_id);
	bind_text(s, i++, pv->message_date);
	bind_text(s, i++, pv->message_from);
	bind_text(s, i++, pv->message_subject);
	bind_text(s, i++, pv->mbox_path);
	if (pv->mbox_offset >= 0)
		sqlite3_bind_int64(s, i++, pv->mbox_offset);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->records);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->messages);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->pass);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->spf_pass);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->dkim_pass);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->d_none);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->d_quar);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)st->d_reject);
}

static int
is(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
}

/* Is the uniqueness key of the report complete? */
static int
key_known(const struct dm_report *r)
{
	return r->report_id != NULL && r->has_begin && r->domain != NULL;
}

static int
same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/*
 * The report's savepoint, opened before its first write.  A report known
 * whole (store_report_start_whole) is never rolled back, as long as the
 * key of its first write is its final key: a duplicate then shows before
 * anything is written, and only an error fatal to the batch can follow.
 * Such a report goes without: a savepoint copies every page the report
 * touches into its journal, which was a sixth of the ingest.
 */
static int
open_savepoint(struct store *st, const struct dm_report *first)
{
	const struct dm_report *w = st->whole;

	if (w != NULL && key_known(first) && key_known(w) &&
	    same_text(first->org_name, w->org_name) &&
	    strcmp(first->report_id, w->report_id) == 0 &&
	    strcmp(first->domain, w->domain) == 0 &&
	    first->date_begin == w->date_begin)
		return 0;
	if (exec(st, "SAVEPOINT report") != 0)
		return -1;
	st->savepoint = 1;
	return 0;
}

/*
 * Creates the report row before the first record.  With a complete key the
 * row is final (and a duplicate shows here, before any record is written);
 * otherwise a placeholder with a key no real report has, updated at the end.
 */
static int
create_row(struct store *st, const struct dm_report *so_far)
{
	sqlite3_stmt *s = st->st[S_INS_REPORT];
	struct dm_report ph;
	int rc;

	if (open_savepoint(st, so_far) != 0)
		return -1;
	if (key_known(so_far)) {
		bind_report(st, s, so_far, NULL);
	} else {
		memset(&ph, 0, sizeof ph);
		ph.report_id = (char *)"";
		ph.domain = (char *)"";
		ph.date_begin = INT64_MIN + ++st->placeholder_seq;
		bind_report(st, s, &ph, NULL);
	}
	rc = step_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE && key_known(so_far)) {
		st->duplicate = 1;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "insert report");
	st->report_rowid = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_report_record(struct store *st, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	sqlite3_stmt *s;
	int64_t recid;
	size_t i;

	STORE_OWNED(st);
	if (st->report_rowid == 0 && !st->duplicate &&
	    create_row(st, so_far) != 0)
		return -1;
	if (st->duplicate)
		return 0;
	if (__builtin_add_overflow(st->messages, (uint64_t)rec->count,
	    &st->messages) || st->messages > INT64_MAX) {
		snprintf(st->err, sizeof st->err,
		    "message total of the report overflows 64 bits");
		return -1;
	}
	st->records++;
	/* each a part of messages, which did not overflow */
	if (derived_dmarc_pass(rec->dkim_aligned, rec->spf_aligned))
		st->pass += (uint64_t)rec->count;
	if (is(rec->spf_aligned, "pass"))
		st->spf_pass += (uint64_t)rec->count;
	if (is(rec->dkim_aligned, "pass"))
		st->dkim_pass += (uint64_t)rec->count;
	if (is(rec->disposition, "none"))
		st->d_none += (uint64_t)rec->count;
	else if (is(rec->disposition, "quarantine"))
		st->d_quar += (uint64_t)rec->count;
	else if (is(rec->disposition, "reject"))
		st->d_reject += (uint64_t)rec->count;

	s = st->st[S_INS_RECORD];
	sqlite3_bind_int64(s, 1, st->report_rowid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)rec->position);
	bind_text(s, 3, rec->source_ip);
	sqlite3_bind_int(s, 4, rec->ip_family);
	sqlite3_bind_int64(s, 5, rec->count);
	bind_text(s, 6, rec->disposition);
	bind_text(s, 7, rec->dkim_aligned);
	bind_text(s, 8, rec->spf_aligned);
	bind_text(s, 9, rec->header_from);
	bind_text(s, 10, rec->envelope_from);
	bind_text(s, 11, rec->envelope_to);
	if (step_reset(s) != SQLITE_DONE)
		return store_fail_db(st, "insert record");
	recid = sqlite3_last_insert_rowid(st->db);

	s = st->st[S_INS_REASON];
	for (i = 0; i < rec->n_reasons; i++) {
		sqlite3_bind_int64(s, 1, recid);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i + 1);
		bind_text(s, 3, rec->reasons[i].type);
		bind_text(s, 4, rec->reasons[i].comment);
		if (step_reset(s) != SQLITE_DONE)
			return store_fail_db(st, "insert reason");
	}
	s = st->st[S_INS_DKIM];
	for (i = 0; i < rec->n_dkim; i++) {
		sqlite3_bind_int64(s, 1, recid);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i + 1);
		bind_text(s, 3, rec->dkim[i].domain);
		bind_text(s, 4, rec->dkim[i].selector);
		bind_text(s, 5, rec->dkim[i].result);
		bind_text(s, 6, rec->dkim[i].human_result);
		if (step_reset(s) != SQLITE_DONE)
			return store_fail_db(st, "insert dkim result");
	}
	s = st->st[S_INS_SPF];
	for (i = 0; i < rec->n_spf; i++) {
		sqlite3_bind_int64(s, 1, recid);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i + 1);
		bind_text(s, 3, rec->spf[i].domain);
		bind_text(s, 4, rec->spf[i].scope);
		bind_text(s, 5, rec->spf[i].result);
		bind_text(s, 6, rec->spf[i].human_result);
		if (step_reset(s) != SQLITE_DONE)
			return store_fail_db(st, "insert spf result");
	}
	for (i = 0; i < N_SUMMARIES; i++)
		if (summaries[i]->record(st, st->summary[i], so_far, rec) != 0)
			return -1;
	return 0;
}

void
store_report_abort(struct store *st)
{
	STORE_OWNED(st);
	if (!st->in_report)
		return;
	if (st->savepoint)
		sqlite3_exec(st->db, "ROLLBACK TO report; RELEASE report", NULL,
		    NULL, NULL);
	st->savepoint = 0;
	st->in_report = 0;
	st->report_rowid = 0;
	summaries_reset(st);
}

int
store_report_end(struct store *st, const struct dm_report *r,
    const char *xml_sha256, enum store_outcome *outcome, uint64_t *records,
    uint64_t *messages)
{
	sqlite3_stmt *s;
	size_t i;
	int rc;

	STORE_OWNED(st);
	*records = *messages = 0;
	if (st->duplicate)
		goto duplicate;
	if (st->report_rowid == 0) {
		if (open_savepoint(st, r) != 0) {
			store_report_abort(st);
			return -1;
		}
		s = st->st[S_INS_REPORT];
		bind_report(st, s, r, xml_sha256);
	} else {
		s = st->st[S_UPD_REPORT];
		bind_report(st, s, r, xml_sha256);
		sqlite3_bind_int64(s, REPORT_NCOLS + 1, st->report_rowid);
	}
	rc = step_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		goto duplicate;
	if (rc != SQLITE_DONE)
		goto fail;
	if (st->report_rowid == 0)
		st->report_rowid = sqlite3_last_insert_rowid(st->db);
	for (i = 0; i < N_SUMMARIES; i++) {
		if (summaries[i]->end(st, st->summary[i], r) != 0) {
			store_report_abort(st);
			return -1;
		}
	}
	s = st->st[S_INS_ERROR];
	for (i = 0; i < r->n_errors; i++) {
		sqlite3_bind_int64(s, 1, st->report_rowid);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i + 1);
		bind_text(s, 3, r->errors[i]);
		if (step_reset(s) != SQLITE_DONE)
			goto fail;
	}
	if (st->savepoint && exec(st, "RELEASE report") != 0) {
		store_report_abort(st);
		return -1;
	}
	st->savepoint = 0;
	st->in_report = 0;
	*outcome = STORE_NEW;
	*records = st->records;
	*messages = st->messages;
	return 0;
duplicate:
	store_report_abort(st);
	*outcome = STORE_DUPLICATE;
	return 0;
fail:
	store_fail_db(st, "store report");
	store_report_abort(st);
	return -1;
}

int64_t
store_failure(struct store *st, const struct store_provenance *prov,
    const char *reason, const unsigned char *payload, size_t len,
    uint64_t size, const char *sha256_hex, int *failed_before)
{
	sqlite3_stmt *s;
	unsigned char *z = NULL;
	uLongf zlen = 0;
	int64_t id = -1;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	STORE_OWNED(st);
	*failed_before = 0;
	s = st->st[S_SEL_FAILURE];
	bind_text(s, 1, sha256_hex);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (id >= 0) {
		*failed_before = 1;
		s = st->st[S_UPD_FAILURE];
		sqlite3_bind_int64(s, 1, now);
		bind_text(s, 2, reason);
		sqlite3_bind_int64(s, 3, id);
		if (step_reset(s) != SQLITE_DONE)
			return store_fail_db(st, "update failure");
		return id;
	}
	if (payload != NULL) {
		zlen = compressBound((uLong)len);
		if ((z = malloc(zlen)) == NULL ||
		    compress2(z, &zlen, payload, (uLong)len, 6) != Z_OK) {
			free(z);
			snprintf(st->err, sizeof st->err,
			    "cannot compress failed payload");
			return -1;
		}
	}
	s = st->st[S_INS_FAILURE];
	bind_text(s, 1, prov->input_name);
	bind_text(s, 2, sha256_hex);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)size);
	if (z != NULL)
		sqlite3_bind_blob64(s, 4, z, zlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, reason);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, now);
	bind_text(s, 8, prov->message_id);
	bind_text(s, 9, prov->message_date);
	bind_text(s, 10, prov->message_from);
	bind_text(s, 11, prov->message_subject);
	bind_text(s, 12, prov->mbox_path);
	if (prov->mbox_offset >= 0)
		sqlite3_bind_int64(s, 13, prov->mbox_offset);
	else
		sqlite3_bind_null(s, 13);
	if (step_reset(s) != SQLITE_DONE) {
		free(z);
		return store_fail_db(st, "insert failure");
	}
	free(z);
	return sqlite3_last_insert_rowid(st->db);
}

int
store_failure_resolve(struct store *st, int64_t id)
{
	sqlite3_stmt *s = st->st[S_RESOLVE_FAILURE];

	STORE_OWNED(st);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(s, 2, id);
	if (step_reset(s) != SQLITE_DONE)
		return store_fail_db(st, "resolve failure");
	return 0;
}

/* --- retrying failures -------------------------------------------------- */

int
store_failure_ids(struct store *st, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s = NULL;
	int64_t *list = NULL;
	size_t cap = 0;
	int rc;

	STORE_OWNED(st);
	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM ingest_failure WHERE "
	    "resolved_at IS NULL ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "list failures");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* one per open failure: a list of ids, 8 bytes each */
		if (dm_array_reserve(&list, &cap, *n + 1, sizeof *list,
		    (size_t)1 << 28) != 0) {
			snprintf(st->err, sizeof st->err, "out of memory");
			goto fail;
		}
		list[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(st, "list failures");
		goto fail;
	}
	sqlite3_finalize(s);
	*ids = list;
	return 0;
fail:
	sqlite3_finalize(s);
	free(list);
	*n = 0;
	return -1;
}

static char *
column_dup(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	char *d;

	if (v == NULL)
		return NULL;
	if ((d = strdup((const char *)v)) == NULL)
		*oom = 1;
	return d;
}

void
store_kept_free(struct store_kept *k)
{
	free((char *)k->prov.input_name);
	free((char *)k->prov.message_id);
	free((char *)k->prov.message_date);
	free((char *)k->prov.message_from);
	free((char *)k->prov.message_subject);
	free((char *)k->prov.mbox_path);
	free(k->payload);
	memset(k, 0, sizeof *k);
}

int
store_failure_load(struct store *st, int64_t id, struct store_kept *k)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *z;
	sqlite3_int64 size;
	uLongf rawlen;
	int zlen, oom = 0, rc;

	STORE_OWNED(st);
	memset(k, 0, sizeof *k);
	k->id = id;
	k->prov.mbox_offset = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT input_name, payload, "
	    "payload_size, message_id, message_date, message_from, "
	    "message_subject, mbox_path, ifnull(mbox_offset, -1) FROM "
	    "ingest_failure WHERE id = ? AND resolved_at IS NULL", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail_db(st, "load failure");
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE) {
			store_fail_db(st, "load failure");
			sqlite3_finalize(s);
			return -1;
		}
		sqlite3_finalize(s);
		return STORE_KEPT_GONE;
	}
	k->prov.input_name = column_dup(s, 0, &oom);
	k->prov.message_id = column_dup(s, 3, &oom);
	k->prov.message_date = column_dup(s, 4, &oom);
	k->prov.message_from = column_dup(s, 5, &oom);
	k->prov.message_subject = column_dup(s, 6, &oom);
	k->prov.mbox_path = column_dup(s, 7, &oom);
	k->prov.mbox_offset = sqlite3_column_int64(s, 8);
	if (k->prov.input_name == NULL && !oom &&
	    (k->prov.input_name = strdup("")) == NULL)
		oom = 1;
	if (oom) {
		snprintf(st->err, sizeof st->err, "out of memory");
		sqlite3_finalize(s);
		return -1;
	}
	z = sqlite3_column_blob(s, 1);
	zlen = sqlite3_column_bytes(s, 1);
	size = sqlite3_column_int64(s, 2);
	rc = STORE_KEPT_OK;
	if (z == NULL && sqlite3_column_type(s, 1) == SQLITE_NULL) {
		rc = STORE_KEPT_NONE;
	} else if (size < 0 || (uint64_t)size > SIZE_MAX - 1) {
		rc = STORE_KEPT_DAMAGED;
	} else if ((k->payload = malloc((size_t)size + 1)) == NULL) {
		snprintf(st->err, sizeof st->err, "out of memory");
		sqlite3_finalize(s);
		return -1;
	} else {
		/* the format of store_failure: zlib (compress2) of the bytes */
		rawlen = (uLongf)size;
		if (size > 0 && (z == NULL || uncompress(k->payload, &rawlen, z,
		    (uLong)zlen) != Z_OK || rawlen != (uLongf)size))
			rc = STORE_KEPT_DAMAGED;
		k->len = (size_t)size;
	}
	if (rc != STORE_KEPT_OK) {
		free(k->payload);
		k->payload = NULL;
		k->len = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_failure_retried(struct store *st, int64_t id, const char *reason,
    int resolved)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "UPDATE ingest_failure SET last_seen = ?, "
	    "attempts = attempts + 1, reason = ?, resolved_at = ? WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "update failure");
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, reason);
	if (resolved)
		sqlite3_bind_int64(s, 3, now);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_int64(s, 4, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail_db(st, "update failure");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}
