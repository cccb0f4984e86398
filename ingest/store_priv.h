/* SPDX-License-Identifier: MIT */
/*
 * store_priv.h: what store.c and store_admin.c share and nothing else
 * sees: the store's struct, the owner check and the error helper.
 */
#ifndef DM_STORE_PRIV_H
#define DM_STORE_PRIV_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

/* The owner check is compiled into debug and sanitizer builds. */
#if !defined(NDEBUG) || defined(DM_SANITIZE)
#define STORE_CHECK_OWNER 1
#endif

enum stmt_id {
	S_INS_REPORT, S_UPD_REPORT, S_INS_ERROR, S_INS_RECORD, S_INS_REASON,
	S_INS_DKIM, S_INS_SPF, S_SEL_FAILURE, S_INS_FAILURE, S_UPD_FAILURE,
	S_RESOLVE_FAILURE, S_SOURCE_DAY, S_SOURCE_AUTH, S_COUNT
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	char err[512];
	/* the thread that may use the store (owned == 0: none, handed over) */
	pthread_t owner;
	int owned;
	/* the report in progress */
	const struct store_provenance *prov;
	int in_report;
	int64_t report_rowid;		/* 0 until the row exists */
	int duplicate;			/* known early to be a duplicate */
	uint64_t records, messages;
	/* messages by verdict, for the report's totals */
	uint64_t pass, spf_pass, dkim_pass, d_none, d_quar, d_reject;
	int64_t placeholder_seq;
};

/* Aborts when the calling thread does not own the store (checking builds). */
void store_check_owner(const struct store *st, const char *func);
#ifdef STORE_CHECK_OWNER
#define STORE_OWNED(st) store_check_owner((st), __func__)
#else
#define STORE_OWNED(st) ((void)0)
#endif

/* "database error (what): message" into st->err; returns -1. */
int store_fail_db(struct store *st, const char *what);

#endif
