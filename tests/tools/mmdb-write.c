/* SPDX-License-Identifier: MIT */
/*
 * mmdb-write.c: writes a tiny MaxMind DB (MMDB 2.0) file for the export
 * tests, so that they need no downloaded database.  Usage:
 *	mmdb-write OUT.mmdb SPECFILE
 * Spec lines ('#' comments): a network, then KEY=TYPE:VALUE pairs; a key
 * with a dot is a key of a nested map ("country.iso_code=s:DE"); types
 * s (UTF-8 string, '+' for a space), u16, u32, u64.  For example:
 *	198.51.100.0/24 country_code=s:NL asn=s:AS64500 as_name=s:Example+Net
 *	2001:db8::/32 country.iso_code=s:DE autonomous_system_number=u32:64501
 * The file, as the format specification describes it: an IPv6 binary
 * search tree (IPv4 networks under ::/96), 32-bit records; sixteen zero
 * bytes; the data section; "\xAB\xCD\xEFMaxMind.com" and the metadata map.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 65536
#define MAX_DATA (1024 * 1024)
#define MAX_PAIRS 16

/* A record: EMPTY, a node index (>= 0) or DATA_BASE - offset. */
#define EMPTY (-1)
#define DATA_BASE (-2)

static int64_t tree[MAX_NODES][2];
static size_t nodes = 1;
static unsigned char data[MAX_DATA];
static size_t dlen;

static void
die(const char *msg)
{
	fprintf(stderr, "mmdb-write: %s\n", msg);
	exit(2);
}

static void
put(unsigned char *buf, size_t *len, size_t cap, const void *p, size_t n)
{
	if (*len + n > cap)
		die("too much data");
	memcpy(buf + *len, p, n);
	*len += n;
}

/* A control byte (and extended type byte) with the size. */
static void
ctrl(unsigned char *buf, size_t *len, size_t cap, int type, size_t size)
{
	unsigned char b[5];
	size_t n = 0;
	int t = type > 7 ? 0 : type;

	if (size < 29)
		b[n++] = (unsigned char)(t << 5 | size);
	else if (size < 285) {
		b[n++] = (unsigned char)(t << 5 | 29);
	} else
		die("value too long");
	if (type > 7)
		b[n++] = (unsigned char)(type - 7);
	if (size >= 29)
		b[n++] = (unsigned char)(size - 29);
	put(buf, len, cap, b, n);
}

static void
enc_string(unsigned char *buf, size_t *len, size_t cap, const char *s)
{
	ctrl(buf, len, cap, 2, strlen(s));
	put(buf, len, cap, s, strlen(s));
}

/* An unsigned integer of type 5 (16), 6 (32) or 9 (64), minimal bytes. */
static void
enc_uint(unsigned char *buf, size_t *len, size_t cap, int type, uint64_t v)
{
	unsigned char b[8];
	size_t n = 0, i;

	for (i = 0; i < 8 && v >> (8 * i); i++)
		;
	n = i;
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	ctrl(buf, len, cap, type, n);
	put(buf, len, cap, b, n);
}

static void
enc_value(unsigned char *buf, size_t *len, size_t cap, const char *tv)
{
	if (strncmp(tv, "s:", 2) == 0) {
		char *s = strdup(tv + 2), *p;
		if (s == NULL)
			die("out of memory");
		for (p = s; *p; p++)
			if (*p == '+')
				*p = ' ';
		enc_string(buf, len, cap, s);
		free(s);
	}
	else if (strncmp(tv, "u16:", 4) == 0)
		enc_uint(buf, len, cap, 5, strtoull(tv + 4, NULL, 10));
	else if (strncmp(tv, "u32:", 4) == 0)
		enc_uint(buf, len, cap, 6, strtoull(tv + 4, NULL, 10));
	else if (strncmp(tv, "u64:", 4) == 0)
		enc_uint(buf, len, cap, 9, strtoull(tv + 4, NULL, 10));
	else
		die("a value wants s:, u16:, u32: or u64:");
}

/* The pairs of one spec line as a map (one level of nesting). */
static void
enc_map(char **keys, char **vals, size_t n)
{
	size_t i, j, top = 0, done[MAX_PAIRS] = { 0 };

	for (i = 0; i < n; i++) {
		char *dot = strchr(keys[i], '.');
		size_t k;
		for (k = 0; k < i; k++)
			if (dot && strchr(keys[k], '.') &&
			    strncmp(keys[k], keys[i], (size_t)(dot - keys[i]) + 1) == 0)
				break;
		if (k == i)
			top++;
	}
	ctrl(data, &dlen, MAX_DATA, 7, top);
	for (i = 0; i < n; i++) {
		char *dot = strchr(keys[i], '.');
		size_t plen, sub = 0;
		if (done[i])
			continue;
		if (dot == NULL) {
			enc_string(data, &dlen, MAX_DATA, keys[i]);
			enc_value(data, &dlen, MAX_DATA, vals[i]);
			continue;
		}
		plen = (size_t)(dot - keys[i]);
		for (j = i; j < n; j++)
			if (strncmp(keys[j], keys[i], plen + 1) == 0)
				sub++;
		*dot = '\0';
		enc_string(data, &dlen, MAX_DATA, keys[i]);
		*dot = '.';
		ctrl(data, &dlen, MAX_DATA, 7, sub);
		for (j = i; j < n; j++)
			if (strncmp(keys[j], keys[i], plen + 1) == 0) {
				enc_string(data, &dlen, MAX_DATA, keys[j] + plen + 1);
				enc_value(data, &dlen, MAX_DATA, vals[j]);
				done[j] = 1;
			}
	}
}

/* Puts data offset `off` at the network bits[0..plen) of the tree. */
static void
insert(const unsigned char *addr, int plen, size_t off)
{
	int64_t node = 0;
	int i, bit;

	for (i = 0; i < plen; i++) {
		bit = addr[i / 8] >> (7 - i % 8) & 1;
		if (i == plen - 1) {
			tree[node][bit] = DATA_BASE - (int64_t)off;
			return;
		}
		if (tree[node][bit] == EMPTY) {
			if (nodes == MAX_NODES)
				die("too many nodes");
			tree[nodes][0] = tree[nodes][1] = EMPTY;
			tree[node][bit] = (int64_t)nodes++;
		} else if (tree[node][bit] < EMPTY)
			die("overlapping networks");
		node = tree[node][bit];
	}
}

static void
write_u32be(FILE *f, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };
	fwrite(b, 1, 4, f);
}

int
main(int argc, char **argv)
{
	static unsigned char meta[4096];
	size_t mlen = 0, i;
	char line[4096];
	FILE *in, *out;

	if (argc != 3)
		die("usage: mmdb-write OUT.mmdb SPECFILE");
	if ((in = fopen(argv[2], "r")) == NULL)
		die("cannot read the spec file");
	tree[0][0] = tree[0][1] = EMPTY;
	while (fgets(line, sizeof line, in) != NULL) {
		char *keys[MAX_PAIRS], *vals[MAX_PAIRS], *tok, *save, *slash;
		unsigned char addr[16];
		size_t n = 0, off = dlen;
		int plen;

		if ((tok = strchr(line, '#')) != NULL)
			*tok = '\0';
		if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		if ((slash = strchr(tok, '/')) == NULL)
			die("a network wants /PREFIX");
		*slash = '\0';
		plen = atoi(slash + 1);
		memset(addr, 0, sizeof addr);
		if (inet_pton(AF_INET, tok, addr + 12) == 1)
			plen += 96;
		else if (inet_pton(AF_INET6, tok, addr) != 1)
			die("bad network");
		if (plen < 1 || plen > 128)
			die("bad prefix");
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			char *eq = strchr(tok, '=');
			if (eq == NULL || n == MAX_PAIRS)
				die("a pair wants KEY=TYPE:VALUE");
			*eq = '\0';
			keys[n] = tok;
			vals[n++] = eq + 1;
		}
		enc_map(keys, vals, n);
		insert(addr, plen, off);
	}
	fclose(in);

	/* metadata */
	ctrl(meta, &mlen, sizeof meta, 7, 9);
	enc_string(meta, &mlen, sizeof meta, "binary_format_major_version");
	enc_uint(meta, &mlen, sizeof meta, 5, 2);
	enc_string(meta, &mlen, sizeof meta, "binary_format_minor_version");
	enc_uint(meta, &mlen, sizeof meta, 5, 0);
	enc_string(meta, &mlen, sizeof meta, "build_epoch");
	enc_uint(meta, &mlen, sizeof meta, 9, 1735689600);
	enc_string(meta, &mlen, sizeof meta, "database_type");
	enc_string(meta, &mlen, sizeof meta, "dmarc-tools-test");
	enc_string(meta, &mlen, sizeof meta, "description");
	ctrl(meta, &mlen, sizeof meta, 7, 1);
	enc_string(meta, &mlen, sizeof meta, "en");
	enc_string(meta, &mlen, sizeof meta, "dmarc-tools test database");
	enc_string(meta, &mlen, sizeof meta, "ip_version");
	enc_uint(meta, &mlen, sizeof meta, 5, 6);
	enc_string(meta, &mlen, sizeof meta, "languages");
	ctrl(meta, &mlen, sizeof meta, 11, 1);
	enc_string(meta, &mlen, sizeof meta, "en");
	enc_string(meta, &mlen, sizeof meta, "node_count");
	enc_uint(meta, &mlen, sizeof meta, 6, nodes);
	enc_string(meta, &mlen, sizeof meta, "record_size");
	enc_uint(meta, &mlen, sizeof meta, 5, 32);

	if ((out = fopen(argv[1], "wb")) == NULL)
		die("cannot write the output");
	for (i = 0; i < nodes; i++) {
		int b;
		for (b = 0; b < 2; b++) {
			int64_t r = tree[i][b];
			write_u32be(out, (uint32_t)(r == EMPTY ? (int64_t)nodes :
			    r >= 0 ? r : (int64_t)nodes + 16 + (DATA_BASE - r)));
		}
	}
	for (i = 0; i < 16; i++)
		putc(0, out);
	fwrite(data, 1, dlen, out);
	fwrite("\xAB\xCD\xEFMaxMind.com", 1, 14, out);
	fwrite(meta, 1, mlen, out);
	if (fclose(out) != 0)
		die("cannot write the output");
	return 0;
}
