/* SPDX-License-Identifier: MIT */
/*
 * fmt.h: how numbers and dates look to a postmaster: thousands separated
 * ("1,234,567"), percentages with one decimal ("97.3%"), UTC days
 * ("2026-11-26"), and names made safe to print (fmt_escape).  Each writes
 * into the caller's buffer and returns it.
 */
#ifndef DM_FMT_H
#define DM_FMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_NUM 32	/* room for any formatted number or day */

const char *fmt_int(int64_t v, char *buf, size_t len);
const char *fmt_uint(uint64_t v, char *buf, size_t len);
/* part/whole as "97.3%"; "-" when whole is 0 */
const char *fmt_pct(int64_t part, int64_t whole, char *buf, size_t len);
/* a signed change in percentage points: "+1.2 pt", "-0.4 pt" */
const char *fmt_pt(double points, char *buf, size_t len);
/* epoch seconds as YYYY-MM-DD (UTC) */
const char *fmt_day(int64_t epoch, char *buf, size_t len);
/* a fraction 0..1 for JSON, 4 decimals; "null" when whole is 0 */
const char *fmt_fraction(int64_t part, int64_t whole, char *buf, size_t len);

/* Seconds in a UTC day (epoch time has no leap seconds). */
#define UTC_DAY_SECONDS 86400

/*
 * The UTC day of an epoch time: days since 1970-01-01, rounded down also
 * before 1970 (-1 is day -1).  How reports and source_day count days.  The
 * one definition: an expression that C and SQLite read alike (integer
 * division truncates toward zero in both, a comparison is 0 or 1; no '%',
 * so the SQL text can go through printf), so that schema/derived.h's
 * SQL_UTC_DAY is this text.  utc_day() is it in C.
 */
#define UTC_DAY_EXPR(t) ((t) / UTC_DAY_SECONDS - \
	((t) - (t) / UTC_DAY_SECONDS * UTC_DAY_SECONDS < 0))
int64_t utc_day(int64_t epoch);

/* Strict YYYY-MM-DD to the epoch of that UTC midnight; 0 or -1. */
int parse_day(const char *s, int64_t *out);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 when the
 * bytes there are not UTF-8 (also overlong forms and surrogates). */
size_t fmt_utf8_len(const unsigned char *s);

enum fmt_escape_mode {
	FMT_ESC_NAME,	/* a file or member name: a backslash becomes \\ too,
			 * so the escaped name reads back unambiguously */
	FMT_ESC_TEXT	/* a message, which may hold escapes of its own
			 * (and names): backslashes are left as they are */
};

/*
 * s made safe for one line on a terminal: newline, carriage return and tab
 * as \n, \r, \t; the other C0 controls, DEL, the C1 controls (U+0080 to
 * U+009F) and bytes that are not UTF-8 as \xNN per byte (ESC is \x1b).
 * Valid UTF-8 passes as it is.  Cut before the character that does not fit.
 * Names come from mailboxes and archives, that is from strangers: every
 * line that prints one goes through here.
 */
const char *fmt_escape(const char *s, enum fmt_escape_mode mode, char *buf,
    size_t len);
/* Room for an escaped file name (PATH_MAX bytes, a member name, 4 bytes
 * out for each byte in at worst). */
#define FMT_ESC_BYTES 24576

#endif
