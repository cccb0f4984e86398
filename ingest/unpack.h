/* SPDX-License-Identifier: MIT */
/*
 * unpack.h: decompression.  gzip and raw zlib are streamed through zlib
 * (multi-member gzip and bytes trailing after the last member are
 * accepted); zip archives go through libzip, member by member.  Every
 * output is capped by the limits (xml-bytes, ratio); a zip's container
 * checks (zip-entries, declared sizes, ratio) fail the whole archive, a
 * member's problems only that member.
 */
#ifndef DM_UNPACK_H
#define DM_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "dm_limits.h"
#include "stream.h"

/*
 * A stream of the decompressed bytes of `src` (gzip when zlib_format is 0,
 * raw zlib when 1).  Takes ownership of src.  Fails with "truncated gzip
 * data", "corrupt gzip data: ...", or a limit message (xml-bytes; ratio,
 * measured against the compressed bytes read once the output passes
 * the ratio-floor limit).
 */
struct stream *unpack_inflate(struct stream *src, int zlib_format,
    const struct dm_limits *l);

struct unpack_zip;

/* Opens an archive from a file, or from a malloc'd buffer (ownership of
 * `buf` passes to the archive, even on failure).  Checks the container:
 * entry count, sum of the declared sizes (xml-bytes), declared ratio.
 * Returns NULL with a one-line reason in err on failure. */
struct unpack_zip *unpack_zip_open_path(const char *path,
    const struct dm_limits *l, char *err, size_t errlen);
struct unpack_zip *unpack_zip_open_mem(unsigned char *buf, size_t len,
    const struct dm_limits *l, char *err, size_t errlen);

struct unpack_zip_member {
	uint64_t index;		/* libzip index */
	char name[512];		/* member name, or "(unnamed member N)" when empty */
	uint64_t size;		/* declared uncompressed size */
};

/* Next member that may hold a report (directory entries and __MACOSX/
 * are skipped).  Returns 1 with *m filled, 0 at the end. */
int unpack_zip_next(struct unpack_zip *z, struct unpack_zip_member *m);

/* A stream of one member's uncompressed bytes, capped (xml-bytes, ratio).
 * Returns NULL with a reason in err when the member cannot be opened (an
 * unsafe name such as "../x" or "/etc/x", encryption, an unsupported
 * method).  The stream must be closed before the archive. */
struct stream *unpack_zip_member_stream(struct unpack_zip *z,
    const struct unpack_zip_member *m, char *err, size_t errlen);

/* Raw bytes of one member, uncompressed (for recording a failed member),
 * at most `max` bytes.  Returns 0 or -1. */
int unpack_zip_member_bytes(struct unpack_zip *z,
    const struct unpack_zip_member *m, uint64_t max, unsigned char **out,
    size_t *len);

void unpack_zip_close(struct unpack_zip *z);

#endif
