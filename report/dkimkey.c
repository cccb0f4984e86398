/* SPDX-License-Identifier: MIT */
/*
 * dkimkey.c: the DKIM key check (see dkimkey.h).  The record is a tag list
 * (RFC 6376 3.2): "name=value" separated by ';', whitespace around both
 * ignored.  p= is base64 of a DER SubjectPublicKeyInfo; a bare PKCS#1
 * RSAPublicKey, which some tools publish, is read too, with a warning.
 */
#include "dkimkey.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* A key record is a few hundred bytes; a 16384-bit RSA key is ~2.8 kB of
 * base64.  Anything longer is not a key. */
#define DKIM_RECORD_MAX 8192

/* The value of tag `name` among the record's tags; NULL when absent. */
static const char *
tag(char *tags[][2], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(tags[i][0], name) == 0)
			return tags[i][1];
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* base64 (whitespace removed) to bytes; the length, or -1. */
static int
b64_decode(const char *in, unsigned char *out, size_t cap)
{
	EVP_ENCODE_CTX *ctx;
	int n = 0, m = 0, rc;
	size_t len = strlen(in);

	if ((len + 3) / 4 * 3 > cap || len > (size_t)DKIM_RECORD_MAX)
		return -1;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL)
		return -1;
	EVP_DecodeInit(ctx);
	rc = EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *)in, (int)len);
	if (rc != -1 && EVP_DecodeFinal(ctx, out + n, &m) == 1)
		n += m;
	else
		n = -1;
	EVP_ENCODE_CTX_free(ctx);
	return n;
}

/* Reads the RSA or Ed25519 key in der[0..len) into k. */
static int
read_key(struct dkim_key *k, const char *ktype, const unsigned char *der,
    int len)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	int rc = 0;

	if (strcasecmp(ktype, "ed25519") == 0) {
		/* RFC 8463: p= is the raw 32-byte public key */
		snprintf(k->type, sizeof k->type, "ed25519");
		if (len != 32)
			return msglist_add(&k->errors, "%s: an ed25519 key is 32 bytes, p= holds "
			    "%s: verifiers cannot use it", k->name,
			    len < 32 ? "fewer" : "more");
		return 0;
	}
	snprintf(k->type, sizeof k->type, "rsa");
	if ((pk = d2i_PUBKEY(NULL, &p, len)) == NULL) {
		ERR_clear_error();
		p = der;
		if ((pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len)) != NULL)
			rc = msglist_add(&k->warnings, "%s: p= is a bare PKCS#1 "
			    "RSA key, not the SubjectPublicKeyInfo that RFC "
			    "6376 3.6.1 asks for; some verifiers reject it",
			    k->name);
	}
	if (pk == NULL) {
		ERR_clear_error();
		return msglist_add(&k->errors, "%s: p= is not an RSA public key (%s); verifiers "
		    "treat every signature as failed", k->name, "bad DER");
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return msglist_add(&k->errors, "%s: p= holds a key that is not RSA, but k= says "
		    "%s; verifiers cannot use it", k->name, ktype);
	}
	k->bits = EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	if (rc != 0)
		return rc;
	if (k->bits < DKIM_MIN_BITS) {
		char b[16];

		snprintf(b, sizeof b, "%d", k->bits);
		return msglist_add(&k->errors, "%s: a %s-bit RSA key: receivers ignore keys under "
		    "1024 bits (RFC 8301), so every signature fails; publish a "
		    "2048-bit key", k->name, b);
	}
	if (k->bits < DKIM_GOOD_BITS)
		return msglist_add(&k->warnings, "%s: a %d-bit RSA key; RFC 8301 "
		    "asks for 2048 bits: rotate to a 2048-bit key", k->name,
		    k->bits);
	return 0;
}

int
dkim_key_parse(const char *record, struct dkim_key *k)
{
	char *copy = NULL, *save = NULL, *t, *tags[32][2], *p = NULL;
	const char *v, *ktype, *pval, *flags, *h;
	unsigned char *der = NULL;
	size_t n = 0, i, o;
	int len, rc = -1;

	if ((k->record = strdup(record)) == NULL ||
	    (copy = strdup(record)) == NULL)
		goto out;
	for (t = strtok_r(copy, ";", &save); t != NULL && n < 32;
	    t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');

		if (eq == NULL) {
			if (*trim(t) != '\0' && msglist_add(&k->errors, "%s: '%s' is not a "
			    "tag=value pair: verifiers reject the record "
			    "(RFC 6376 3.2)", k->name, trim(t)) != 0)
				goto out;
			continue;
		}
		*eq = '\0';
		tags[n][0] = trim(t);
		tags[n][1] = trim(eq + 1);
		n++;
	}
	v = tag(tags, n, "v");
	if (v != NULL && (strcmp(v, "DKIM1") != 0 || strcasecmp(tags[0][0],
	    "v") != 0)) {
		if (msglist_add(&k->errors, "%s: v=%s must be the first tag and exactly DKIM1 "
		    "(RFC 6376 3.6.1)", k->name, v) != 0)
			goto out;
	}
	ktype = tag(tags, n, "k");
	if (ktype == NULL)
		ktype = "rsa";
	if ((pval = tag(tags, n, "p")) == NULL) {
		rc = msglist_add(&k->errors, "%s: no p= tag, so no key: %s (RFC 6376 3.6.1)",
		    k->name, v == NULL ? "this is not a DKIM key record" :
		    "verifiers treat every signature as failed");
		goto out;
	}
	k->found = 1;
	/* the base64 without its whitespace (a zone file may wrap it) */
	if ((p = malloc(strlen(pval) + 1)) == NULL)
		goto out;
	for (i = 0, o = 0; pval[i] != '\0'; i++)
		if (!isspace((unsigned char)pval[i]))
			p[o++] = pval[i];
	p[o] = '\0';
	if (o == 0) {
		k->revoked = 1;
		rc = msglist_add(&k->errors, "%s: the key is revoked (empty p=): every signature "
		    "with selector %s fails; sign with another selector or "
		    "publish a key", k->name, k->selector);
		goto out;
	}
	if (strcasecmp(ktype, "rsa") != 0 && strcasecmp(ktype, "ed25519") != 0) {
		rc = msglist_add(&k->errors, "%s: unknown key type k=%s: verifiers cannot use the "
		    "key", k->name, ktype);
		goto out;
	}
	if ((der = malloc(o + 4)) == NULL)
		goto out;
	if ((len = b64_decode(p, der, o + 4)) < 0) {
		rc = msglist_add(&k->errors, "%s: p= is not valid base64%s: verifiers treat every "
		    "signature as failed", k->name, "");
		goto out;
	}
	if (read_key(k, ktype, der, len) != 0)
		goto out;
	flags = tag(tags, n, "t");
	if (flags != NULL) {
		char *f, *fs = NULL, *fl = strdup(flags);

		if (fl == NULL)
			goto out;
		for (f = strtok_r(fl, ":", &fs); f != NULL;
		    f = strtok_r(NULL, ":", &fs))
			if (strcmp(trim(f), "y") == 0 && msglist_add(&k->warnings,
			    "%s: t=y: the domain is testing DKIM, and verifiers "
			    "may treat its signatures as unsigned; remove t=y "
			    "once signing works", k->name) != 0) {
				free(fl);
				goto out;
			}
		free(fl);
	}
	h = tag(tags, n, "h");
	if (h != NULL && strstr(h, "sha256") == NULL && msglist_add(&k->errors, "%s: h=%s allows "
	    "only sha1, which verifiers no longer accept (RFC 8301); remove h= "
	    "or add sha256", k->name, h) != 0)
		goto out;
	rc = 0;
out:
	free(copy);
	free(p);
	free(der);
	return rc;
}

int
dkim_key_check(const char *domain, const char *selector,
    dnsq_lookup_fn lookup, void *arg, struct dkim_key *k)
{
	struct dnsq_answer a;
	size_t i, nkeys = 0;
	int rc = 0;

	memset(k, 0, sizeof *k);
	snprintf(k->selector, sizeof k->selector, "%s", selector);
	snprintf(k->name, sizeof k->name, "%s._domainkey.%s", selector, domain);
	if (lookup(arg, k->name, DNSQ_TXT, &a) != 0)
		return -1;
	if (a.via_cname)
		snprintf(k->target, sizeof k->target, "%s", a.name);
	switch (a.status) {
	case DNSQ_TIMEOUT:
	case DNSQ_ERROR:
		k->dns_failed = 1;
		rc = msglist_add(&k->errors, "%s: %s; verifiers get a temporary "
		    "error", k->name, dnsq_status_text(&a, DNSQ_TXT));
		break;
	case DNSQ_NODATA:
	case DNSQ_NXDOMAIN:
		k->missing = 1;
		break;
	case DNSQ_OK:
		/* the records that can be keys: the others are ignored */
		for (i = 0; i < a.n; i++)
			if (strstr(a.rr[i], "p=") != NULL ||
			    strncmp(a.rr[i], "v=DKIM1", 7) == 0)
				nkeys++;
		if (nkeys > 1) {
			rc = msglist_add(&k->errors, "%s: %zu key records: "
			    "verifiers may pick either (RFC 6376 3.6.2.2); keep "
			    "one", k->name, nkeys);
			if (rc == 0)
				k->record = strdup(a.rr[0]);
			k->found = 1;
			break;
		}
		for (i = 0; i < a.n; i++)
			if (strstr(a.rr[i], "p=") != NULL ||
			    strncmp(a.rr[i], "v=DKIM1", 7) == 0 || a.n == 1)
				break;
		if (i == a.n) {
			k->missing = 1;	/* TXT records, none of them a key */
			break;
		}
		if (strlen(a.rr[i]) > DKIM_RECORD_MAX) {
			k->found = 1;
			rc = msglist_add(&k->errors, "%s: a record of %zu bytes is "
			    "not a key", k->name, strlen(a.rr[i]));
			break;
		}
		rc = dkim_key_parse(a.rr[i], k);
		break;
	}
	dnsq_answer_free(&a);
	if (rc != 0) {
		dkim_key_free(k);
		return -1;
	}
	return 0;
}

void
dkim_key_free(struct dkim_key *k)
{
	free(k->record);
	k->record = NULL;
	msglist_free(&k->errors);
	msglist_free(&k->warnings);
}
