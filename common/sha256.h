/* SPDX-License-Identifier: MIT */
/*
 * sha256.h: incremental SHA-256 with hex output, over OpenSSL's libcrypto
 * (which uses the CPU's SHA extensions: several times faster than a plain C
 * implementation, and hashing every report's XML is on the ingest hot
 * path).  A sha256 context is owned by its caller.
 */
#ifndef DM_SHA256_H
#define DM_SHA256_H

#include <stddef.h>

struct sha256;

/* NULL only when out of memory. */
struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *buf, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex; the context can then
 * only be freed. */
void sha256_hex(struct sha256 *h, char hex[65]);
void sha256_free(struct sha256 *h);

/* One-shot. */
void sha256_hex_of(const void *buf, size_t len, char hex[65]);

#endif
