/*
 * Unicode NFC (UAX #15): canonical decomposition, canonical ordering, then
 * canonical composition, with Hangul syllables computed. HCL normalizes the
 * string literals of its native syntax to NFC, so "an\u0303o" reads as "año".
 */
#include <stdlib.h>
#include <string.h>
#include "hcl/nfc_int.h"
#include "util/utf8.h"
#include "util/alloc.h"

#define SBASE 0xAC00u
#define LBASE 0x1100u
#define VBASE 0x1161u
#define TBASE 0x11A7u
#define LCOUNT 19u
#define VCOUNT 21u
#define TCOUNT 28u
#define NCOUNT (VCOUNT * TCOUNT)
#define SCOUNT (LCOUNT * NCOUNT)

static unsigned ccc(uint32_t cp)
{
	unsigned long lo = 0, hi = hcl__ccc_count;
	if (cp < 0x300)
		return 0;
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		if (hcl__ccc_table[mid].cp == cp)
			return hcl__ccc_table[mid].ccc;
		if (hcl__ccc_table[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static const hcl__decomp *decomp(uint32_t cp)
{
	unsigned long lo = 0, hi = hcl__decomp_count;
	if (cp < 0xC0)
		return NULL;
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		if (hcl__decomp_table[mid].cp == cp)
			return &hcl__decomp_table[mid];
		if (hcl__decomp_table[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static uint32_t compose(uint32_t a, uint32_t b)
{
	unsigned long lo = 0, hi = hcl__comp_count;
	if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
		return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
	if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE &&
	    b < TBASE + TCOUNT)
		return a + (b - TBASE);
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const hcl__comp *c = &hcl__comp_table[mid];
		if (c->a == a && c->b == b)
			return c->c;
		if (c->a < a || (c->a == a && c->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int hcl__nfc_quick(const char *s, size_t len)
{
	size_t i;
	/* below U+0300 nothing decomposes into or composes with a mark except
	 * Latin-1 letters followed by a mark; any non-ASCII byte takes the long way */
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

char *hcl__nfc(const char *s, size_t len, size_t *out_len)
{
	/* every rune decomposes into at most 4 */
	uint32_t *cp = atmo__malloc((len * 4 + 1) * sizeof(*cp), NULL);
	unsigned char *bad = atmo__calloc(len * 4 + 1, 1, NULL);
	char *out;
	size_t n = 0, i, o, starter;
	int last;
	if (!cp || !bad || !(out = atmo__malloc(len * 4 + 1, NULL))) {
		atmo__free(cp);
		atmo__free(bad);
		return NULL;
	}
	for (i = 0; i < len;) {
		uint32_t r;
		size_t w = atmo__utf8_next((const unsigned char *)s + i, len - i, &r);
		const hcl__decomp *d;
		if (w == 0) {
			/* keep invalid bytes as they are */
			bad[n] = 1;
			cp[n++] = (unsigned char)s[i++];
			continue;
		}
		i += w;
		if (r >= SBASE && r < SBASE + SCOUNT) {
			uint32_t si = r - SBASE;
			cp[n++] = LBASE + si / NCOUNT;
			cp[n++] = VBASE + (si % NCOUNT) / TCOUNT;
			if (si % TCOUNT)
				cp[n++] = TBASE + si % TCOUNT;
		} else if ((d = decomp(r)) != NULL) {
			int k;
			for (k = 0; k < 4 && d->to[k]; k++)
				cp[n++] = d->to[k];
		} else {
			cp[n++] = r;
		}
	}
	/* canonical ordering: a stable sort of each run of marks by class */
	for (i = 1; i < n; i++) {
		size_t j = i;
		unsigned c = bad[i] ? 0 : ccc(cp[i]);
		if (!c)
			continue;
		while (j > 0 && !bad[j - 1] && ccc(cp[j - 1]) > c) {
			uint32_t t = cp[j];
			cp[j] = cp[j - 1];
			cp[j - 1] = t;
			j--;
		}
	}
	/* canonical composition */
	if (n) {
		starter = 0;
		last = bad[0] ? 0 : (ccc(cp[0]) ? 256 : 0);
		for (i = 1, o = 1; i < n; i++) {
			uint32_t ch = cp[i], c;
			int cc = bad[i] ? 0 : (int)ccc(ch);
			if (!bad[i] && !bad[starter] && (last < cc || last == 0) &&
			    (c = compose(cp[starter], ch)) != 0 &&
			    (last == 0 ? o == starter + 1 : 1)) {
				cp[starter] = c;
				continue;
			}
			if (cc == 0)
				starter = o;
			last = cc;
			bad[o] = bad[i];
			cp[o++] = ch;
		}
		n = o;
	}
	for (i = 0, o = 0; i < n; i++) {
		if (bad[i])
			out[o++] = (char)cp[i];
		else
			o += atmo__utf8_encode(cp[i], out + o);
	}
	out[o] = '\0';
	*out_len = o;
	atmo__free(cp);
	atmo__free(bad);
	return out;
}
