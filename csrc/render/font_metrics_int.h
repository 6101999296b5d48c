/*
 * Internal to the render module: the font every diagram is drawn with (DejaVu Sans)
 * and its advance widths, so that Graphviz sizes labels with the widths the reader's
 * browser draws with (font_metrics.c is generated from the TTF by gen_font_metrics.py;
 * textlayout.c measures with it).
 */
#ifndef ATMO_FONT_METRICS_H
#define ATMO_FONT_METRICS_H

#include <stddef.h>

typedef struct {
	const char *family; /* "DejaVu Sans" */
	int units_per_em;
	int ascent, descent; /* hhea, in font units (descent positive) */
	int fallback;        /* advance of 'M': code points outside the table */
} atmo__font_metrics;

typedef struct {
	unsigned lo, hi;         /* code points lo..hi, inclusive; {0, 0, NULL} ends the list */
	const unsigned short *w; /* advance widths in font units (0: no glyph) */
} atmo__font_range;

extern const atmo__font_metrics atmo__dejavu_sans;
extern const atmo__font_range atmo__dejavu_sans_ranges[];

/* The font family the SVG names and the CSS ships (with generic fallbacks). */
#define ATMO_FONT_FAMILY "DejaVu Sans"
#define ATMO_FONT_CSS "'DejaVu Sans',Verdana,'Bitstream Vera Sans',sans-serif"

/* Advance width, in points, of UTF-8 text s (len bytes) at size points, as DejaVu Sans
 * lays it out without kerning (the SVG turns kerning off). */
double atmo__text_width(const char *s, size_t len, double size);

/* Number of code points of UTF-8 text s (len bytes); invalid bytes count one each. */
size_t atmo__text_chars(const char *s, size_t len);

#endif
