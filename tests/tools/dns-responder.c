/* SPDX-License-Identifier: MIT */
/*
 * dns-responder.c: a tiny authoritative DNS server on UDP 127.0.0.1 for
 * the reverse DNS tests.  Usage: dns-responder [--max-seconds N] PORTFILE
 * ZONEFILE.  It binds a port the OS picks, writes its number to PORTFILE
 * (atomically), and answers until killed or N seconds have passed.  With
 * ZONEFILE "--silent" it reads every question and answers none: a dead
 * resolver that still holds its port.
 *
 * Zone lines ('#' comments):
 *	PTR 1.2.0.192.in-addr.arpa mail.example.com
 *	A mail.example.com 192.0.2.1
 *	AAAA host.example 2001:db8::1
 *	DELAY name MS		answer questions for name after MS ms
 *	SERVFAIL name		answer SERVFAIL for name
 *	TXT name "one" "two"	one TXT record of two character-strings; a
 *				quoted string over 255 bytes is split into
 *				255-byte strings (\" and \\ escape)
 *	CNAME name target	followed (8 hops at most) for other types, as
 *				a recursive server does
 * A name with records but none of the asked type gets an empty NOERROR
 * answer; any other name NXDOMAIN.  Names match case-insensitively.
 * Malformed packets are ignored.  A question with an EDNS0 OPT record
 * gets up to EDNS_MAX bytes, else 512.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NAME_LEN 256		/* a name in text, with its NUL */
#define MSG_MAX 512		/* a UDP DNS message without EDNS */
#define EDNS_MAX 1232		/* with EDNS0 (the DNS flag day value) */
#define RDATA_MAX 4096		/* a TXT record of the zone */
#define LINE_MAX_ZONE 16384	/* a zone line (a TXT record of a big key) */
#define CNAME_HOPS 8
#define MAX_PENDING 4096	/* delayed answers held at once */

enum { T_A = 1, T_CNAME = 5, T_PTR = 12, T_TXT = 16, T_AAAA = 28 };
enum { REC_DELAY = -1, REC_SERVFAIL = -2 };

struct rec {
	int type;		/* T_*, or REC_DELAY / REC_SERVFAIL */
	char name[NAME_LEN];
	unsigned char rdata[RDATA_MAX];
	size_t rdlen;
	long ms;		/* REC_DELAY */
};

struct pending {
	int64_t due;
	struct sockaddr_in to;
	unsigned char msg[EDNS_MAX];
	size_t len;
};

static struct rec *zone;
static size_t nzone;
static struct pending pend[MAX_PENDING];
static size_t npend;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lowercase, no trailing dot; -1 when too long. */
static int
canon(const char *src, char dst[NAME_LEN])
{
	size_t n = strlen(src), i;

	if (n > 0 && src[n - 1] == '.')
		n--;
	if (n >= NAME_LEN)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
	return 0;
}

/* A text name in wire form (no compression); its length, or 0. */
static size_t
encode_name(const char *name, unsigned char *out, size_t cap)
{
	size_t o = 0;
	const char *p = name;

	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || o + 1 + l + 1 > cap)
			return 0;
		out[o++] = (unsigned char)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > cap)
		return 0;
	out[o++] = 0;
	return o;
}

/* The quoted strings after the name of a TXT line into r's rdata; -1 on
 * a bad line. */
static int
parse_txt(const char *p, struct rec *r)
{
	unsigned char buf[RDATA_MAX];
	size_t n, i;
	int any = 0;

	r->rdlen = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (*p++ != '"')
			return -1;
		for (n = 0; *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\0' || n == sizeof buf)
				return -1;
			buf[n++] = (unsigned char)*p;
		}
		p++;
		any = 1;
		i = 0;
		do {	/* an empty string is one empty character-string */
			size_t l = n - i > 255 ? 255 : n - i;

			if (r->rdlen + 1 + l > sizeof r->rdata)
				return -1;
			r->rdata[r->rdlen++] = (unsigned char)l;
			memcpy(r->rdata + r->rdlen, buf + i, l);
			r->rdlen += l;
			i += l;
		} while (i < n);
	}
	return any ? 0 : -1;
}

/* A name in wire form without compression (as encode_name wrote it) back
 * to text. */
static void
decode_plain(const unsigned char *w, size_t len, char dst[NAME_LEN])
{
	size_t p = 0, o = 0;

	while (p < len && w[p] != 0 && o + w[p] + 1 < NAME_LEN) {
		size_t l = w[p++];

		if (o > 0)
			dst[o++] = '.';
		while (l-- > 0 && p < len)
			dst[o++] = (char)tolower(w[p++]);
	}
	dst[o] = '\0';
}

static int
load_zone(const char *path)
{
	FILE *fp;
	static char line[LINE_MAX_ZONE];
	char type[16], name[NAME_LEN + 8], val[NAME_LEN + 8];
	size_t cap = 0, lineno = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		struct rec r;
		char *hash;
		int nf;

		lineno++;
		if (strncmp(line, "TXT", 3) == 0 && (line[3] == ' ' ||
		    line[3] == '\t')) {
			/* quoted strings may hold '#': no comment here */
			int used = 0;

			memset(&r, 0, sizeof r);
			if (sscanf(line, "%15s %263s %n", type, name, &used) != 2 ||
			    canon(name, r.name) == -1 ||
			    parse_txt(line + used, &r) == -1)
				goto bad;
			r.type = T_TXT;
			goto add;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		nf = sscanf(line, "%15s %263s %263s", type, name, val);
		if (nf <= 0)
			continue;
		memset(&r, 0, sizeof r);
		if (nf < 2 || canon(name, r.name) == -1)
			goto bad;
		if (strcmp(type, "SERVFAIL") == 0 && nf == 2)
			r.type = REC_SERVFAIL;
		else if (nf != 3)
			goto bad;
		else if (strcmp(type, "DELAY") == 0) {
			r.type = REC_DELAY;
			r.ms = strtol(val, NULL, 10);
		} else if (strcmp(type, "A") == 0) {
			r.type = T_A;
			r.rdlen = 4;
			if (inet_pton(AF_INET, val, r.rdata) != 1)
				goto bad;
		} else if (strcmp(type, "AAAA") == 0) {
			r.type = T_AAAA;
			r.rdlen = 16;
			if (inet_pton(AF_INET6, val, r.rdata) != 1)
				goto bad;
		} else if (strcmp(type, "PTR") == 0 ||
		    strcmp(type, "CNAME") == 0) {
			r.type = strcmp(type, "PTR") == 0 ? T_PTR : T_CNAME;
			/* the target keeps its case: the tests check lowering */
			if (strlen(val) > 0 && val[strlen(val) - 1] == '.')
				val[strlen(val) - 1] = '\0';
			if ((r.rdlen = encode_name(val, r.rdata,
			    sizeof r.rdata)) == 0)
				goto bad;
		} else
			goto bad;
add:
		if (nzone == cap) {
			struct rec *nz;

			cap = cap ? cap * 2 : 64;
			if ((nz = realloc(zone, cap * sizeof *nz)) == NULL)
				goto bad;
			zone = nz;
		}
		zone[nzone++] = r;
		continue;
bad:
		fprintf(stderr, "%s:%zu: bad zone line\n", path, lineno);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Appends the records of type qtype at `name` (owner in full) after a
 * CNAME, following further CNAMEs; returns 1 when the last name exists. */
static int
chase(const char *name, unsigned qtype, unsigned char *out, size_t *o,
    size_t cap, unsigned *ancount)
{
	char cur[NAME_LEN], next[NAME_LEN];
	unsigned char owner[NAME_LEN + 2];
	size_t i, ol;
	int hops, exists = 0;

	snprintf(cur, sizeof cur, "%s", name);
	for (hops = 0; hops < CNAME_HOPS; hops++) {
		next[0] = '\0';
		exists = 0;
		if ((ol = encode_name(cur, owner, sizeof owner)) == 0)
			return 0;
		for (i = 0; i < nzone; i++) {
			const struct rec *r = &zone[i];
			int take;

			if (strcmp(r->name, cur) != 0 || r->type < 0)
				continue;
			exists = 1;
			take = (unsigned)r->type == qtype || r->type == T_CNAME;
			if (!take || *o + ol + 10 + r->rdlen > cap)
				continue;
			memcpy(out + *o, owner, ol);
			put16(out + *o + ol, (unsigned)r->type);
			put16(out + *o + ol + 2, 1);
			put16(out + *o + ol + 4, 0);
			put16(out + *o + ol + 6, 300);
			put16(out + *o + ol + 8, (unsigned)r->rdlen);
			memcpy(out + *o + ol + 10, r->rdata, r->rdlen);
			*o += ol + 10 + r->rdlen;
			(*ancount)++;
			if (r->type == T_CNAME && (unsigned)r->type != qtype)
				decode_plain(r->rdata, r->rdlen, next);
		}
		if (next[0] == '\0')
			break;
		snprintf(cur, sizeof cur, "%s", next);
	}
	return exists;
}

/* Builds the answer to q[0..qlen) in out; its length, or 0 to ignore the
 * packet.  *delay is set to the name's DELAY in ms. */
static size_t
answer(const unsigned char *q, size_t qlen, unsigned char *out, long *delay)
{
	char name[NAME_LEN], target[NAME_LEN] = "";
	size_t p = 12, nl = 0, o, i, cap = MSG_MAX;
	unsigned qtype, ancount = 0, rcode = 3;
	int exists = 0;

	*delay = 0;
	if (qlen < 12 || (q[2] & 0x80) || q[4] != 0 || q[5] != 1)
		return 0;
	for (;;) {
		size_t l;

		if (p >= qlen)
			return 0;
		l = q[p++];
		if (l == 0)
			break;
		if (l > 63 || p + l > qlen || nl + l + 1 >= NAME_LEN)
			return 0;
		if (nl > 0)
			name[nl++] = '.';
		for (i = 0; i < l; i++)
			name[nl++] = (char)tolower(q[p + i]);
		p += l;
	}
	name[nl] = '\0';
	if (p + 4 > qlen)
		return 0;
	qtype = (unsigned)q[p] << 8 | q[p + 1];
	p += 4;

	/* an OPT record after the question: EDNS0, a larger reply */
	if (q[11] != 0 && p + 11 <= qlen && q[p] == 0 && q[p + 1] == 0 &&
	    q[p + 2] == 41)
		cap = EDNS_MAX;

	memcpy(out, q, p);	/* header and question */
	o = p;
	for (i = 0; i < nzone; i++) {
		const struct rec *r = &zone[i];

		if (strcmp(r->name, name) != 0)
			continue;
		if (r->type == T_CNAME && qtype != T_CNAME) {
			decode_plain(r->rdata, r->rdlen, target);
			if (o + 12 + r->rdlen <= cap) {
				out[o] = 0xc0;
				out[o + 1] = 0x0c;
				put16(out + o + 2, T_CNAME);
				put16(out + o + 4, 1);
				put16(out + o + 6, 0);
				put16(out + o + 8, 300);
				put16(out + o + 10, (unsigned)r->rdlen);
				memcpy(out + o + 12, r->rdata, r->rdlen);
				o += 12 + r->rdlen;
				ancount++;
			}
			exists = 1;
			continue;
		}
		if (r->type == REC_DELAY) {
			*delay = r->ms;
			continue;
		}
		if (r->type == REC_SERVFAIL) {
			rcode = 2;
			continue;
		}
		exists = 1;
		if ((unsigned)r->type != qtype || o + 12 + r->rdlen > cap)
			continue;
		out[o] = 0xc0;
		out[o + 1] = 0x0c;
		put16(out + o + 2, qtype);
		put16(out + o + 4, 1);
		put16(out + o + 6, 0);
		put16(out + o + 8, 300);
		put16(out + o + 10, (unsigned)r->rdlen);
		memcpy(out + o + 12, r->rdata, r->rdlen);
		o += 12 + r->rdlen;
		ancount++;
	}
	if (target[0] != '\0' && rcode != 2)
		exists = chase(target, qtype, out, &o, cap, &ancount);
	if (rcode != 2 && exists)
		rcode = 0;
	if (rcode != 0) {
		o = p;
		ancount = 0;
	}
	out[2] = (unsigned char)(0x80 | (q[2] & 0x79) | 0x04);	/* QR, AA */
	out[3] = (unsigned char)(0x80 | rcode);			/* RA */
	put16(out + 4, 1);
	put16(out + 6, ancount);
	put16(out + 8, 0);
	put16(out + 10, 0);
	return o;
}

static int
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

int
main(int argc, char **argv)
{
	const char *portfile = NULL, *zonefile = NULL;
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	int64_t end = -1;
	int i, fd, silent;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc)
			end = now_ms() + 1000 * strtol(argv[++i], NULL, 10);
		else if (portfile == NULL)
			portfile = argv[i];
		else if (zonefile == NULL)
			zonefile = argv[i];
		else
			portfile = NULL;
	}
	if (portfile == NULL || zonefile == NULL) {
		fprintf(stderr, "usage: dns-responder [--max-seconds N] "
		    "PORTFILE ZONEFILE\n");
		return 2;
	}
	silent = strcmp(zonefile, "--silent") == 0;
	if (!silent && load_zone(zonefile) == -1)
		return 1;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == -1) {
		perror("bind");
		return 1;
	}
	if (write_port(portfile, ntohs(sin.sin_port)) == -1) {
		perror(portfile);
		return 1;
	}

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t now = now_ms(), wait = 1000;
		size_t k;

		for (k = 0; k < npend; ) {
			if (pend[k].due <= now) {
				(void)sendto(fd, pend[k].msg, pend[k].len, 0,
				    (struct sockaddr *)&pend[k].to,
				    sizeof pend[k].to);
				pend[k] = pend[--npend];
				continue;
			}
			if (pend[k].due - now < wait)
				wait = pend[k].due - now;
			k++;
		}
		if (end >= 0) {
			if (now >= end)
				return 0;
			if (end - now < wait)
				wait = end - now;
		}
		if (poll(&pfd, 1, (int)wait) <= 0)
			continue;

		{
			unsigned char q[MSG_MAX * 2], out[EDNS_MAX];
			struct sockaddr_in from;
			socklen_t flen = sizeof from;
			ssize_t got;
			size_t len;
			long delay;

			got = recvfrom(fd, q, sizeof q, 0,
			    (struct sockaddr *)&from, &flen);
			if (got <= 0 || flen != sizeof from || silent)
				continue;
			if ((len = answer(q, (size_t)got, out, &delay)) == 0)
				continue;
			if (delay <= 0) {
				(void)sendto(fd, out, len, 0,
				    (struct sockaddr *)&from, sizeof from);
				continue;
			}
			if (npend == MAX_PENDING)
				continue;
			pend[npend].due = now_ms() + delay;
			pend[npend].to = from;
			memcpy(pend[npend].msg, out, len);
			pend[npend].len = len;
			npend++;
		}
	}
}
