/* SPDX-License-Identifier: MIT */
/*
 * png-colors: what a browser test needs to know of a screenshot: decodes a
 * PNG (8-bit RGB or RGBA, not interlaced; zlib alone) and prints its size,
 * how many pixels are not white, and for each colour asked for (RRGGBB,
 * within 6 per channel) how many pixels have it and their bounding box:
 *   size W H
 *   nonwhite N
 *   RRGGBB N MINX MINY MAXX MAXY        (-1s when none)
 * Exit 0, or 1 with a message when the file is not such a PNG.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define MAX_SIDE 20000		/* pixels per side: screenshots are smaller */
#define MAX_FILE (256L << 20)
#define TOLERANCE 6

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

static int
fail(const char *path, const char *why)
{
	fprintf(stderr, "png-colors: %s: %s\n", path, why);
	return 1;
}

int
main(int argc, char **argv)
{
	static const unsigned char sig[8] = { 137, 'P', 'N', 'G', 13, 10, 26, 10 };
	unsigned char *file = NULL, *idat = NULL, *raw = NULL;
	size_t flen = 0, ilen = 0, pos = 8, stride, y, x, bpp;
	uint32_t w = 0, h = 0;
	uLongf rawlen;
	long nonwhite = 0;
	FILE *f;
	int i, rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: png-colors FILE.png [RRGGBB...]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL)
		return fail(argv[1], "cannot open");
	if ((file = malloc(MAX_FILE)) == NULL)
		return fail(argv[1], "out of memory");
	flen = fread(file, 1, MAX_FILE, f);
	fclose(f);
	if (flen < 8 || memcmp(file, sig, 8) != 0) {
		rc = fail(argv[1], "not a PNG");
		goto out;
	}
	bpp = 0;
	while (pos + 12 <= flen) {
		uint32_t len = be32(file + pos);
		const unsigned char *type = file + pos + 4, *data = file + pos + 8;

		if (len > flen - pos - 12) {
			rc = fail(argv[1], "a chunk runs past the end");
			goto out;
		}
		if (memcmp(type, "IHDR", 4) == 0 && len >= 13) {
			w = be32(data);
			h = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) ||
			    data[12] != 0 || w == 0 || h == 0 || w > MAX_SIDE ||
			    h > MAX_SIDE) {
				rc = fail(argv[1], "not 8-bit RGB(A), not interlaced, "
				    "of a sane size");
				goto out;
			}
			bpp = data[9] == 6 ? 4 : 3;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			unsigned char *n = realloc(idat, ilen + len + 1);

			if (n == NULL) {
				rc = fail(argv[1], "out of memory");
				goto out;
			}
			idat = n;
			memcpy(idat + ilen, data, len);
			ilen += len;
		} else if (memcmp(type, "IEND", 4) == 0) {
			break;
		}
		pos += 12 + (size_t)len;
	}
	if (bpp == 0 || idat == NULL) {
		rc = fail(argv[1], "no IHDR or no IDAT");
		goto out;
	}
	stride = (size_t)w * bpp;
	rawlen = (uLongf)((stride + 1) * h);
	if ((raw = malloc(rawlen)) == NULL) {
		rc = fail(argv[1], "out of memory");
		goto out;
	}
	if (uncompress(raw, &rawlen, idat, ilen) != Z_OK ||
	    rawlen != (stride + 1) * h) {
		rc = fail(argv[1], "the image data does not inflate to its size");
		goto out;
	}
	/* undo the filters, in place: row y's bytes follow its filter byte */
	for (y = 0; y < h; y++) {
		unsigned char *row = raw + y * (stride + 1) + 1;
		const unsigned char *up = y ? row - (stride + 1) : NULL;
		int type = row[-1];

		for (x = 0; x < stride; x++) {
			int a = x >= bpp ? row[x - bpp] : 0, b = up ? up[x] : 0;
			int c = x >= bpp && up ? up[x - bpp] : 0;

			switch (type) {
			case 0: break;
			case 1: row[x] = (unsigned char)(row[x] + a); break;
			case 2: row[x] = (unsigned char)(row[x] + b); break;
			case 3: row[x] = (unsigned char)(row[x] + (a + b) / 2); break;
			case 4: row[x] = (unsigned char)(row[x] + paeth(a, b, c));
				break;
			default:
				rc = fail(argv[1], "an unknown filter type");
				goto out;
			}
		}
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			const unsigned char *p = raw + y * (stride + 1) + 1 + x * bpp;

			nonwhite += p[0] < 250 || p[1] < 250 || p[2] < 250;
		}
	printf("size %u %u\nnonwhite %ld\n", w, h, nonwhite);
	for (i = 2; i < argc; i++) {
		unsigned int r, g, b;
		long n = 0, minx = -1, miny = -1, maxx = -1, maxy = -1;

		if (strlen(argv[i]) != 6 || sscanf(argv[i], "%2x%2x%2x", &r, &g,
		    &b) != 3) {
			rc = fail(argv[i], "a colour is RRGGBB");
			goto out;
		}
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				const unsigned char *p = raw + y * (stride + 1) + 1 +
				    x * bpp;

				if (abs(p[0] - (int)r) > TOLERANCE ||
				    abs(p[1] - (int)g) > TOLERANCE ||
				    abs(p[2] - (int)b) > TOLERANCE)
					continue;
				if (n++ == 0)
					minx = maxx = (long)x, miny = maxy = (long)y;
				if ((long)x < minx) minx = (long)x;
				if ((long)x > maxx) maxx = (long)x;
				if ((long)y > maxy) maxy = (long)y;
			}
		printf("%s %ld %ld %ld %ld %ld\n", argv[i], n, minx, miny, maxx,
		    maxy);
	}
	rc = 0;
out:
	free(file);
	free(idat);
	free(raw);
	return rc;
}
