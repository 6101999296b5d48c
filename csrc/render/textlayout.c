/*
 * A Graphviz text layout plugin that measures with DejaVu Sans's own advance widths
 * (font_metrics.c), installed in the SVG context (render.c: plain_context).
 *
 * Without a text layout plugin Graphviz 2.42 estimates every font with Times,
 * Courier or Arial widths, so labels were sized for Helvetica while readers got
 * DejaVu Sans (wider): text stuck out of its box. Pango would measure the real font
 * but costs a third of a small render and depends on the fonts installed where the
 * docs are built; this table is exact for the font the SVG names and the docs ship,
 * the same on every machine, and as cheap as Graphviz's estimate.
 */
#include <string.h>
#include <gvc.h>
#include <gvplugin.h>
#include <gvplugin_textlayout.h>
#include "render/font_metrics_int.h"
#include "render/graphviz_int.h"
#include "util/utf8.h"

static unsigned advance(uint32_t cp)
{
	const atmo__font_range *r;

	for (r = atmo__dejavu_sans_ranges; r->w; r++)
		if (cp >= r->lo && cp <= r->hi)
			return r->w[cp - r->lo] ? r->w[cp - r->lo]
						: (unsigned)atmo__dejavu_sans.fallback;
	/* CJK and other wide scripts come from a fallback font, a full em wide */
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) || cp >= 0x1F000)
		return (unsigned)atmo__dejavu_sans.units_per_em;
	if (cp >= 0x0300 && cp <= 0x036F)
		return 0; /* combining marks */
	return (unsigned)atmo__dejavu_sans.fallback;
}

double atmo__text_width(const char *s, size_t len, double size)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long sum = 0;
	size_t i = 0;

	while (i < len) {
		uint32_t cp = p[i];
		size_t n = 1;
		if (cp >= 0x80) {
			n = atmo__utf8_next(p + i, len - i, &cp);
			if (!n) {
				n = 1;
				cp = 0xFFFD;
			}
		}
		sum += advance(cp);
		i += n;
	}
	return (double)sum * size / (double)atmo__dejavu_sans.units_per_em;
}

size_t atmo__text_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;
	while (i < len) {
		size_t n = p[i] < 0x80 ? 1 : atmo__utf8_next(p + i, len - i, NULL);
		i += n ? n : 1;
		k++;
	}
	return k;
}

/*
 * Graphviz's contract (textspan.c): size is the span's box, yoffset_centerline moves
 * the baseline from where emit_label puts it (one font size below the line's top). The
 * line box is 1.2 em, as Graphviz's estimate makes it; the baseline goes where the
 * font's ascent-to-descent box is centred in it, so that the box the browser reports
 * for the text stays inside the line.
 */
static boolean measure(textspan_t *span, char **fontpath)
{
	double size = span->font && span->font->size > 0 ? span->font->size : 14.0;
	double em = atmo__dejavu_sans.units_per_em;
	double asc = atmo__dejavu_sans.ascent / em, desc = atmo__dejavu_sans.descent / em;

	if (fontpath)
		*fontpath = NULL;
	span->size.x = atmo__text_width(span->str ? span->str : "",
					span->str ? strlen(span->str) : 0, size);
	span->size.y = size * 1.2;
	span->yoffset_layout = 0.0;
	/* baseline at top - (0.6 em + (asc - desc) / 2): Graphviz adds this to top - 1 em */
	span->yoffset_centerline = size * (1.0 - 0.6 - (asc - desc) / 2.0);
	span->layout = NULL;
	span->free_layout = NULL;
	return TRUE;
}

static gvtextlayout_engine_t engine = { measure };

static gvplugin_installed_t types[] = {
	{ 0, "textlayout", 10, &engine, NULL },
	{ 0, NULL, 0, NULL, NULL },
};

static gvplugin_api_t apis[] = {
	{ API_textlayout, types },
	{ (api_t)0, NULL },
};

gvplugin_library_t atmo__textlayout_library = { "atmograph_textlayout", apis };
