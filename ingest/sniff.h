/* SPDX-License-Identifier: MIT */
/*
 * sniff.h: tells what a payload is from its leading bytes, never from its
 * name or a declared type (SPEC.md B).  Owns nothing.
 */
#ifndef DM_SNIFF_H
#define DM_SNIFF_H

#include <stddef.h>

/* How many leading bytes sniff_kind wants to see (fewer at a short end). */
#define SNIFF_BYTES 4096

enum sniff_kind {
	SNIFF_EMPTY,	/* no bytes at all */
	SNIFF_XML,	/* '<' after an optional UTF-8 BOM and whitespace, or
			   "<?xml" / "<feedback" after a little junk; or
			   UTF-16 (LE, BE) with a BOM, or '<' and ASCII */
	SNIFF_GZIP,	/* 1f 8b */
	SNIFF_ZLIB,	/* a raw RFC 1950 stream: CMF 0x78, valid FCHECK */
	SNIFF_ZIP,	/* PK\3\4 (or PK\5\6, an empty archive) */
	SNIFF_MBOX,	/* starts with a "From " separator line */
	SNIFF_MESSAGE,	/* starts with an RFC 5322 header block */
	SNIFF_OTHER	/* anything else */
};

enum sniff_kind sniff_kind(const unsigned char *buf, size_t len);

/* "empty", "xml", "gzip", "zlib", "zip", "mbox", "message", "other". */
const char *sniff_kind_name(enum sniff_kind k);

#endif
