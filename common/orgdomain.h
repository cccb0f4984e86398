/* SPDX-License-Identifier: MIT */
/*
 * orgdomain.h: the organizational domain of a domain name (RFC 7489: the
 * public suffix plus one label), through libpsl and its built-in list; and
 * whether two domains align in relaxed mode.  Owns nothing.
 */
#ifndef DM_ORGDOMAIN_H
#define DM_ORGDOMAIN_H

#include <stddef.h>

/* Writes the lowercase organizational domain of `domain` into buf and
 * returns buf; for a public suffix itself or an invalid name, the name
 * lowercased. */
const char *org_domain(const char *domain, char *buf, size_t len);

/* 1 when a and b have the same organizational domain (relaxed alignment). */
int org_aligned(const char *a, const char *b);

#endif
