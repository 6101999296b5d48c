/*
 * Writing the SVG of a laid-out graph ourselves, Graphviz doing only the
 * layout. The output is what Graphviz 2.4x's SVG renderer would write for the
 * same layout, made for the web as atmograph wants it, in one pass:
 *  - a fixed header (no DOCTYPE, no comments), the root <svg> with its
 *    viewBox and no width/height (unless fixed_size), classes, a small
 *    <style> block keyed by classes;
 *  - clusters, then nodes and edges in Graphviz's order (each node, then its
 *    out-edges with their heads), with our stable ids, role classes, escaped
 *    <title>s and links (`href` and `xlink:href`, target _top);
 *  - the geometry Graphviz's renderer computes (emit.c, shapes.c, arrows.c,
 *    labels.c): box and folder outlines from the node's polygon, points as
 *    ellipses, edge splines with their arrowheads, text lines placed as
 *    emit_label places them; boxes marked round become <rect rx="6">;
 *  - numbers as Graphviz prints them (two decimals at most, no trailing
 *    zeros), text escaped so that no input can make the document ill-formed.
 * Colours, classes and styles come from the draw records the builder filled
 * (draw_attrs.c), the geometry from Graphviz's layout records (ND_*, ED_*, GD_*).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/font_metrics_int.h"
#include "render/palette_int.h"
#include "render/graphviz_int.h"
#include "util/utf8.h"

#define PAD 4.0 /* Graphviz's default graph pad, in points */
#define ARROW_LENGTH 10.0
#define ARROW_EPSILON .0001
#define RBCONST 12.0
/* Graphviz's arrow flags (arrows.c): 8 bits a head, type in the low 4 */
#define ARR_TYPE_NORM 1
#define ARR_TYPE_CROW 2
#define ARR_TYPE_DIAMOND 5
#define ARR_MOD_OPEN (1 << 4)
#define ARR_MOD_INV (1 << 5)
#define ARR_MOD_LEFT (1 << 6)
#define ARR_MOD_RIGHT (1 << 7)

/* Hooks for pages: hover and focus, kept in both themes; colours stay in the drawing. */
static const char style_common[] =
	".atmo-graph .node>a>path,.atmo-graph .node>a>polygon,.atmo-graph "
	".node>a>rect{transition:stroke-width .1s}\n"
	".atmo-graph a:hover>path,.atmo-graph a:focus>path,.atmo-graph a:hover>polygon,"
	".atmo-graph a:focus>polygon,.atmo-graph a:hover>rect,.atmo-graph "
	"a:focus>rect{stroke-width:2.5px}\n"
	".atmo-graph .edge:hover>path{stroke-width:2px}\n"
	".atmo-graph .atmo-unused text{font-style:italic}\n"
	/* links read as the nodes they are: no underline until hovered or focused */
	".atmo-graph a{text-decoration:none}\n"
	".atmo-graph a:hover text,.atmo-graph a:focus text{text-decoration:underline}\n"
	".atmo-graph .atmo-target>path,.atmo-graph .atmo-target>a>path,"
	".atmo-graph .atmo-target>rect,.atmo-graph .atmo-target>a>rect{stroke-width:2px}\n"
	/* the font labels are sized with (font_metrics_int.h), without kerning, as measured */
	".atmo-graph text{font-family:" ATMO_FONT_CSS ";font-kerning:none}\n";

/*
 * The library links no libm (Graphviz's own copy is not ours to use): sqrt
 * is the SSE2 instruction, correctly rounded as libm's; floor is only needed
 * for small numbers.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#include "util/alloc.h"
static double root(double x)
{
	__m128d v = _mm_set_sd(x);
	return _mm_cvtsd_f64(_mm_sqrt_sd(v, v));
}
#else
/* Newton's iteration from above, within an ulp of the root (x >= 0 here). */
static double root(double x)
{
	double y = x > 1 ? x : 1, z;
	if (!(x > 0))
		return 0;
	for (;;) {
		z = 0.5 * (y + x / y);
		if (z >= y)
			return y;
		y = z;
	}
}
#endif

/* floor(x) for |x| < 2^62. */
static double floor_small(double x)
{
	double t = (double)(long long)x;
	return t > x ? t - 1 : t;
}

typedef struct {
	atmo_buf *o;
	const atmo_rctx *c;
	unsigned char *done; /* nodes written, by AGSEQ */
	size_t ndone;
} writer;

#define PUTS(w, s) atmo__buf_put((w)->o, (s), sizeof(s) - 1)

/* ---- numbers ------------------------------------------------------------------------ */

/*
 * Graphviz's gvprintdouble, fast: v as printf("%.2f") writes it, and with
 * trim without trailing zeros and point ("-0" stays). Exact: the few values
 * within rounding noise of a tie, and large ones, take printf (cut to 47 bytes).
 */
size_t atmo__svg_number(char *b, double v, int trim)
{
	double r = v * 100.0, f;
	unsigned long long k, ip;
	unsigned fp;
	char digits[24];
	size_t n = 0, nd = 0;

	if (!(fabs(v) < 1e7) || (f = r - floor_small(r), fabs(f - 0.5) < 1e-6)) {
		int len = snprintf(b, 48, "%.2f", v);
		n = len < 0 ? 0 : len > 47 ? 47 : (size_t)len;
		if (trim) {
			while (n > 0 && b[n - 1] == '0')
				n--;
			if (n > 0 && b[n - 1] == '.')
				n--;
			b[n] = '\0';
		}
		return n;
	}
	k = (unsigned long long)floor_small(fabs(r) + 0.5);
	ip = k / 100;
	fp = (unsigned)(k % 100);
	if (signbit(v))
		b[n++] = '-';
	do {
		digits[nd++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (nd)
		b[n++] = digits[--nd];
	if (!trim || fp) {
		b[n++] = '.';
		b[n++] = (char)('0' + fp / 10);
		if (!trim || fp % 10)
			b[n++] = (char)('0' + fp % 10);
	}
	b[n] = '\0';
	return n;
}

static void num(writer *w, double v)
{
	char b[48];
	atmo__buf_put(w->o, b, atmo__svg_number(b, v, 1));
}

/* A number of a <rect>'s geometry: like num, but "-0" is "0". */
static void rect_num(writer *w, double v)
{
	char b[48];
	size_t n = atmo__svg_number(b, v, 1);
	if (n == 2 && b[0] == '-' && b[1] == '0')
		atmo__buf_putc(w->o, '0');
	else
		atmo__buf_put(w->o, b, n);
}

/*
 * v rounded as Graphviz prints it: a <rect> is the box of the printed polygon
 * (so that its edges meet the edges' ends as before). k/100 is the double
 * nearest to the printed decimal, as strtod reads it (IEEE division rounds
 * correctly).
 */
static double printed(double v)
{
	char b[48];
	double r = v * 100.0, k;

	if (!(fabs(v) < 1e7) || fabs(r - floor_small(r) - 0.5) < 1e-6) {
		atmo__svg_number(b, v, 1);
		return strtod(b, NULL);
	}
	k = floor_small(fabs(r) + 0.5) / 100.0;
	return signbit(v) ? -k : k;
}

/* ---- text ----------------------------------------------------------------------------- */

/*
 * Text content as Graphviz's xml_string0 (raw) escapes it, '-' left as it is:
 * & < > " ' as entities, the second and later spaces of a run as &#160; (SVG
 * would collapse them). Control characters (Graphviz decodes "&#1;" in
 * labels) become spaces and invalid UTF-8 U+FFFD, so the document stays
 * well-formed whatever the text.
 */
static void put_text(writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;
	int prev_space = 0;

	while (i < len) {
		unsigned char ch = p[i];
		size_t run = i;
		/* plain ASCII runs go out at once */
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '&' &&
		       p[run] != '<' && p[run] != '>' && p[run] != '"' && p[run] != '\'' &&
		       p[run] != ' ')
			run++;
		if (run > i) {
			atmo__buf_put(w->o, (const char *)p + i, run - i);
			i = run;
			prev_space = 0;
			continue;
		}
		if (ch >= 0x80) {
			uint32_t r = 0;
			size_t n = atmo__utf8_next(p + i, len - i, &r);
			if (n == 0 || r == 0xfffe || r == 0xffff) {
				/* an invalid byte, or a noncharacter XML forbids (Graphviz decodes &#65534;) */
				PUTS(w, "\xef\xbf\xbd");
				i += n ? n : 1;
			} else {
				atmo__buf_put(w->o, (const char *)p + i, n);
				i += n;
			}
			prev_space = 0;
			continue;
		}
		switch (ch) {
		case '&':
			PUTS(w, "&amp;");
			break;
		case '<':
			PUTS(w, "&lt;");
			break;
		case '>':
			PUTS(w, "&gt;");
			break;
		case '"':
			PUTS(w, "&quot;");
			break;
		case '\'':
			PUTS(w, "&#39;");
			break;
		default:
			/* a space, a control character or DEL */
			if (ch == 0x7f) {
				atmo__buf_putc(w->o, (char)ch);
				break;
			}
			if (prev_space) {
				PUTS(w, "&#160;");
			} else {
				atmo__buf_putc(w->o, ' ');
				prev_space = 1;
			}
			i++;
			continue;
		}
		prev_space = 0;
		i++;
	}
}

/* The caller's id prefix, keeping only [A-Za-z0-9_-]. */
static void put_prefix(writer *w)
{
	const char *p = w->c->o->id_prefix;
	for (; p && *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
			atmo__buf_putc(w->o, *p);
}

static const atmo_rident *ident_of(const writer *w, const atmo_rdraw *d)
{
	if (!d || d->ident < 0 || (size_t)d->ident >= w->c->ids.n)
		return NULL;
	return &w->c->ids.v[d->ident];
}

/* <g id="ID" class="KIND CLASSES">\n<title>TITLE</title>\n, and the link's opening. */
static void begin_object(writer *w, const char *kind, const atmo_rdraw *d, const atmo_rident *e)
{
	PUTS(w, "<g id=\"");
	put_prefix(w);
	if (e)
		atmo__buf_puts(w->o, e->id);
	PUTS(w, "\" class=\"");
	atmo__buf_puts(w->o, kind);
	if (d && d->cls && *d->cls) {
		atmo__buf_putc(w->o, ' ');
		atmo__buf_puts(w->o, d->cls);
	}
	PUTS(w, "\">\n<title>");
	if (e && e->title)
		atmo__buf_puts(w->o, e->title);
	PUTS(w, "</title>\n");
	if (e && e->href) {
		PUTS(w, "<g id=\"");
		put_prefix(w);
		PUTS(w, "a_");
		atmo__buf_puts(w->o, e->id);
		PUTS(w, "\"><a href=\"");
		atmo__buf_puts(w->o, e->href);
		PUTS(w, "\" xlink:href=\"");
		atmo__buf_puts(w->o, e->href);
		PUTS(w, "\" target=\"_top\">\n");
	}
}

static void end_object(writer *w, const atmo_rident *e)
{
	if (e && e->href)
		PUTS(w, "</a>\n</g>\n");
	PUTS(w, "</g>\n");
}

/* ---- styles ----------------------------------------------------------------------------- */

enum { PEN_SOLID = 0, PEN_DASHED, PEN_DOTTED };

/* Whether the comma-separated style list s holds word. */
static int has_style(const char *s, const char *word)
{
	size_t n = strlen(word);
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == n && !memcmp(s, word, n))
			return 1;
		s = e ? e + 1 : NULL;
	}
	return 0;
}

static int pen_of(const char *style)
{
	if (has_style(style, "dashed"))
		return PEN_DASHED;
	if (has_style(style, "dotted"))
		return PEN_DOTTED;
	return PEN_SOLID;
}

static void put_color(writer *w, const char *c)
{
	atmo__buf_puts(w->o, c && *c ? c : "black");
}

/* The palette the colours of this drawing point into. */
static const atmo__palette *pal(const writer *w)
{
	return w->c->dark ? &atmo__palette_dark : &atmo__palette_light;
}

/*
 * class="atmo-f-SLOT atmo-s-SLOT": the palette slots of the fill and the stroke, which
 * the style block maps to CSS variables of the reader's colour scheme (palette_int.h); the
 * attributes stay as they are for viewers without CSS.
 */
static void color_classes(writer *w, const char *fill, const char *stroke)
{
	const char *f = atmo__palette_slot(pal(w), fill), *k = atmo__palette_slot(pal(w), stroke);
	if (!f && !k)
		return;
	PUTS(w, " class=\"");
	if (f) {
		PUTS(w, "atmo-f-");
		atmo__buf_puts(w->o, f);
	}
	if (k) {
		if (f)
			atmo__buf_putc(w->o, ' ');
		PUTS(w, "atmo-s-");
		atmo__buf_puts(w->o, k);
	}
	atmo__buf_putc(w->o, '"');
}

/* fill="..." stroke="..." [stroke-width] [stroke-dasharray], as svg_grstyle writes them. */
static void grstyle(writer *w, const char *fill, const char *stroke, int pen2, int pen)
{
	PUTS(w, " fill=\"");
	put_color(w, fill ? fill : "none");
	PUTS(w, "\" stroke=\"");
	put_color(w, stroke);
	atmo__buf_putc(w->o, '"');
	color_classes(w, fill, stroke);
	if (pen2)
		PUTS(w, " stroke-width=\"2\"");
	if (pen == PEN_DASHED)
		PUTS(w, " stroke-dasharray=\"5,2\"");
	else if (pen == PEN_DOTTED)
		PUTS(w, " stroke-dasharray=\"1,5\"");
}

/* ---- shapes ------------------------------------------------------------------------------- */

static void polygon(writer *w, const pointf *a, size_t n, const char *fill, const char *stroke,
		    int pen2, int pen)
{
	size_t i;
	PUTS(w, "<polygon");
	grstyle(w, fill, stroke, pen2, pen);
	PUTS(w, " points=\"");
	for (i = 0; i <= n; i++) {
		const pointf *p =
			&a[i < n ? i : 0]; /* the first point again, as Graphviz writes it */
		num(w, p->x);
		atmo__buf_putc(w->o, ',');
		num(w, -p->y);
		if (i < n)
			atmo__buf_putc(w->o, ' ');
	}
	PUTS(w, "\"/>\n");
}

/* A box drawn square and marked round: <rect> with Graphviz's corner of 6 (see draw_attrs.c: atmo__draw_rounded()). */
static void round_rect(writer *w, const pointf *a, size_t n, const char *fill, const char *stroke,
		       int pen2, int pen)
{
	double x0 = 0, y0 = 0, x1 = 0, y1 = 0, r;
	size_t i;

	for (i = 0; i < n; i++) {
		double x = printed(a[i].x), y = printed(-a[i].y);
		if (!i) {
			x0 = x1 = x;
			y0 = y1 = y;
		}
		x0 = x < x0 ? x : x0;
		x1 = x > x1 ? x : x1;
		y0 = y < y0 ? y : y0;
		y1 = y > y1 ? y : y1;
	}
	r = 6;
	if (r > (x1 - x0) / 2)
		r = (x1 - x0) / 2;
	if (r > (y1 - y0) / 2)
		r = (y1 - y0) / 2;
	PUTS(w, "<rect");
	grstyle(w, fill, stroke, pen2, pen);
	PUTS(w, " x=\"");
	rect_num(w, x0);
	PUTS(w, "\" y=\"");
	rect_num(w, y0);
	PUTS(w, "\" width=\"");
	rect_num(w, x1 - x0);
	PUTS(w, "\" height=\"");
	rect_num(w, y1 - y0);
	PUTS(w, "\" rx=\"");
	rect_num(w, r);
	PUTS(w, "\"/>\n");
}

static pointf interpolate(double t, pointf p, pointf q)
{
	pointf r;
	r.x = p.x + t * (q.x - p.x);
	r.y = p.y + t * (q.y - p.y);
	return r;
}

/* The folder outline of a 4-sided polygon (shapes.c: round_corners, FOLDER). */
static void folder(writer *w, const pointf *af, const char *fill, const char *stroke, int pen2,
		   int pen)
{
	pointf b[4 * 4 + 4], d[7];
	double rbconst = RBCONST;
	int seg, i = 0;

	for (seg = 0; seg < 4; seg++) {
		pointf p0 = af[seg], p1 = af[(seg + 1) % 4];
		double dd = root((p1.x - p0.x) * (p1.x - p0.x) + (p1.y - p0.y) * (p1.y - p0.y));
		if (dd / 3.0 < rbconst)
			rbconst = dd / 3.0;
	}
	for (seg = 0; seg < 4; seg++) {
		pointf p0 = af[seg], p1 = af[(seg + 1) % 4];
		double dd = root((p1.x - p0.x) * (p1.x - p0.x) + (p1.y - p0.y) * (p1.y - p0.y));
		double t = dd > 0 ? rbconst / dd : 0;
		b[i++] = p0;
		b[i++] = interpolate(t, p0, p1);
		b[i++] = interpolate(1.0 - t, p0, p1);
	}
	d[0] = af[0];
	d[1].x = af[0].x - (af[0].x - b[1].x) / 4;
	d[1].y = af[0].y + (b[3].y - b[4].y) / 3;
	d[2].x = af[0].x - 2 * (af[0].x - b[1].x);
	d[2].y = d[1].y;
	d[3].x = af[0].x - 2.25 * (af[0].x - b[1].x);
	d[3].y = b[3].y;
	d[4] = af[1];
	d[5] = af[2];
	d[6] = af[3];
	polygon(w, d, 7, fill, stroke, pen2, pen);
}

/* ---- labels ------------------------------------------------------------------------------- */

/* The text lines of a plain label, placed as emit_label places them (labels.c). */
static void label(writer *w, const textlabel_t *lp, const char *color)
{
	pointf p;
	int i;

	if (!lp || lp->html || lp->u.txt.nspans < 1)
		return;
	switch (lp->valign) {
	case 't':
		p.y = lp->pos.y + lp->space.y / 2.0 - lp->fontsize;
		break;
	case 'b':
		p.y = lp->pos.y - lp->space.y / 2.0 + lp->dimen.y - lp->fontsize;
		break;
	default:
		p.y = lp->pos.y + lp->dimen.y / 2.0 - lp->fontsize;
		break;
	}
	for (i = 0; i < lp->u.txt.nspans; i++) {
		const textspan_t *s = &lp->u.txt.span[i];
		char b[48];
		switch (s->just) {
		case 'l':
			p.x = lp->pos.x - lp->space.x / 2.0;
			PUTS(w, "<text text-anchor=\"start\" x=\"");
			break;
		case 'r':
			p.x = lp->pos.x + lp->space.x / 2.0;
			PUTS(w, "<text text-anchor=\"end\" x=\"");
			break;
		default:
			p.x = lp->pos.x;
			PUTS(w, "<text text-anchor=\"middle\" x=\"");
			break;
		}
		num(w, p.x);
		PUTS(w, "\" y=\"");
		num(w, -(p.y + s->yoffset_centerline));
		PUTS(w, "\" font-family=\"" ATMO_FONT_CSS "\" font-size=\"");
		atmo__buf_put(w->o, b,
			      atmo__svg_number(b, s->font ? s->font->size : lp->fontsize, 0));
		PUTS(w, "\" fill=\"");
		put_color(w, color ? color : lp->fontcolor);
		atmo__buf_putc(w->o, '"');
		color_classes(w, color, NULL);
		PUTS(w, ">");
		put_text(w, s->str);
		PUTS(w, "</text>\n");
		p.y -= s->size.y;
	}
}

/* ---- objects -------------------------------------------------------------------------------- */

static void write_clusters(writer *w, Agraph_t *g)
{
	int i;

	for (i = 1; i <= GD_n_cluster(g); i++) {
		Agraph_t *sg = GD_clust(g)[i];
		const atmo_rdraw *d = atmo__rdraw_get(w->c, sg);
		const atmo_rident *e = ident_of(w, d);
		const char *style = d ? d->style : NULL;
		boxf bb = GD_bb(sg);
		pointf a[4];

		begin_object(w, "cluster", d, e);
		a[0] = bb.LL;
		a[1].x = bb.LL.x;
		a[1].y = bb.UR.y;
		a[2] = bb.UR;
		a[3].x = bb.UR.x;
		a[3].y = bb.LL.y;
		if (e && e->round)
			round_rect(w, a, 4, has_style(style, "filled") ? d->fill : NULL,
				   d ? d->line : NULL, d && d->pen2, pen_of(style));
		else
			polygon(w, a, 4, has_style(style, "filled") && d ? d->fill : NULL,
				d ? d->line : NULL, d && d->pen2, pen_of(style));
		label(w, GD_label(sg), d ? d->fontcolor : NULL);
		end_object(w, e);
		write_clusters(w, sg);
	}
}

static void write_node(writer *w, Agnode_t *n)
{
	size_t seq = (size_t)AGSEQ(n);
	const atmo_rdraw *d;
	const atmo_rident *e;
	const polygon_t *poly = ND_shape_info(n);
	const char *fill, *line;
	int pen;

	if (seq < w->ndone) { /* always: ndone is past every node's sequence number */
		if (w->done[seq])
			return;
		w->done[seq] = 1;
	}
	d = atmo__rdraw_get(w->c, n);
	e = ident_of(w, d);
	begin_object(w, "node", d, e);
	fill = d ? d->fill : NULL;
	line = d ? d->line : NULL;
	pen = pen_of(d ? d->style : NULL);
	if (d && d->shape == ATMO_RS_POINT && poly && poly->sides >= 2) {
		/* point_gencode: the vertices are the ellipse's box, always filled */
		pointf c, corner;
		c.x = (poly->vertices[0].x + ND_coord(n).x + poly->vertices[1].x + ND_coord(n).x) /
		      2.;
		c.y = (poly->vertices[0].y + ND_coord(n).y + poly->vertices[1].y + ND_coord(n).y) /
		      2.;
		corner.x = poly->vertices[1].x + ND_coord(n).x;
		corner.y = poly->vertices[1].y + ND_coord(n).y;
		PUTS(w, "<ellipse");
		grstyle(w, fill, line, d->pen2, pen);
		PUTS(w, " cx=\"");
		num(w, c.x);
		PUTS(w, "\" cy=\"");
		num(w, -c.y);
		PUTS(w, "\" rx=\"");
		num(w, corner.x - c.x);
		PUTS(w, "\" ry=\"");
		num(w, corner.y - c.y);
		PUTS(w, "\"/>\n");
	} else if (d && d->shape == ATMO_RS_NONE) {
		/* a cluster's title: text only */
	} else if (poly && poly->sides == 4) {
		/* poly_gencode: the vertices scaled to the node's final size */
		int nw = ROUND(ND_width(n) * 72), nh = ROUND(ND_height(n) * 72);
		double xsize = (ND_lw(n) + ND_rw(n)) / (nw > 0 ? nw : 1);
		double ysize = ND_ht(n) / (nh > 0 ? nh : 1);
		const char *f = d && has_style(d->style, "filled") ? fill : NULL;
		pointf a[4];
		int i;
		for (i = 0; i < 4; i++) {
			a[i].x = poly->vertices[i].x * xsize + ND_coord(n).x;
			a[i].y = poly->vertices[i].y * ysize + ND_coord(n).y;
		}
		if (d && d->shape == ATMO_RS_FOLDER)
			folder(w, a, f, line, d->pen2, pen);
		else if (e && e->round)
			round_rect(w, a, 4, f, line, d && d->pen2, pen);
		else
			polygon(w, a, 4, f, line, d && d->pen2, pen);
	}
	if (ND_label(n) && !(d && d->shape == ATMO_RS_POINT)) {
		/* poly_gencode places the label at the node's centre (points have none) */
		textlabel_t *lp = ND_label(n);
		lp->pos = ND_coord(n);
		label(w, lp, d ? d->fontcolor : NULL);
	}
	end_object(w, e);
}

/* Arrowheads of one end (arrows.c: arrow_gen), pen and fill in the edge's colour. */
/* The nine points of Graphviz's crow arrow (arrow_type_crow) from its tip to its base. */
static void crow_points(pointf a[9], pointf tip, pointf base, pointf m, pointf n)
{
	a[0] = a[8] = tip;
	a[1].x = base.x - n.x;
	a[1].y = base.y - n.y;
	a[2] = a[6] = m;
	a[3] = a[4] = a[5] = base;
	a[7].x = base.x + n.x;
	a[7].y = base.y + n.y;
}

static void arrow(writer *w, pointf p, pointf u, double arrowsize, int flag, const char *color)
{
	double s;
	int i;

	u.x -= p.x;
	u.y -= p.y;
	s = ARROW_LENGTH / (root(u.x * u.x + u.y * u.y) + ARROW_EPSILON);
	u.x += (u.x >= 0.0) ? ARROW_EPSILON : -ARROW_EPSILON;
	u.y += (u.y >= 0.0) ? ARROW_EPSILON : -ARROW_EPSILON;
	u.x *= s;
	u.y *= s;
	for (i = 0; i < 4; i++) {
		int f = (flag >> (i * 8)) & 0xff, type = f & 0xf;
		const char *fill = (f & ARR_MOD_OPEN) ? NULL : color;
		pointf q, v, a[9], m;
		double lenfact;
		if (!f)
			break;
		lenfact = type == ARR_TYPE_DIAMOND ? 1.2 : 1.0;
		if (type != ARR_TYPE_NORM && type != ARR_TYPE_CROW && type != ARR_TYPE_DIAMOND)
			break; /* the builder uses normal, empty, diamond and vee only */
		v.x = u.x * lenfact * arrowsize; /* u for this head */
		v.y = u.y * lenfact * arrowsize;
		q.x = p.x + v.x;
		q.y = p.y + v.y;
		if (type == ARR_TYPE_NORM) {
			pointf n;
			n.x = -v.y * 0.35;
			n.y = v.x * 0.35;
			if (f & ARR_MOD_INV) {
				a[0] = a[4] = p;
				a[1].x = p.x - n.x;
				a[1].y = p.y - n.y;
				a[2] = q;
				a[3].x = p.x + n.x;
				a[3].y = p.y + n.y;
			} else {
				a[0] = a[4] = q;
				a[1].x = q.x - n.x;
				a[1].y = q.y - n.y;
				a[2] = p;
				a[3].x = q.x + n.x;
				a[3].y = q.y + n.y;
			}
			if (f & ARR_MOD_LEFT)
				polygon(w, a, 3, fill, color, 0, PEN_SOLID);
			else if (f & ARR_MOD_RIGHT)
				polygon(w, &a[2], 3, fill, color, 0, PEN_SOLID);
			else
				polygon(w, &a[1], 3, fill, color, 0, PEN_SOLID);
		} else if (type == ARR_TYPE_CROW) {
			pointf n;
			n.x = -v.y * 0.45;
			n.y = v.x * 0.45;
			m.x = p.x + v.x * 0.5;
			m.y = p.y + v.y * 0.5;
			if (f & ARR_MOD_INV) /* vee: the crow turned round */
				crow_points(a, p, q, m, n);
			else
				crow_points(a, q, p, m, n);
			if (f & ARR_MOD_LEFT)
				polygon(w, a, 6, color, color, 0, PEN_SOLID);
			else if (f & ARR_MOD_RIGHT)
				polygon(w, &a[3], 6, color, color, 0, PEN_SOLID);
			else
				polygon(w, a, 9, color, color, 0, PEN_SOLID);
		} else { /* diamond */
			pointf n, r;
			n.x = -v.y / 3.;
			n.y = v.x / 3.;
			r.x = p.x + v.x / 2.;
			r.y = p.y + v.y / 2.;
			a[0] = a[4] = q;
			a[1].x = r.x + n.x;
			a[1].y = r.y + n.y;
			a[2] = p;
			a[3].x = r.x - n.x;
			a[3].y = r.y - n.y;
			if (f & ARR_MOD_LEFT)
				polygon(w, &a[2], 3, fill, color, 0, PEN_SOLID);
			else if (f & ARR_MOD_RIGHT)
				polygon(w, a, 3, fill, color, 0, PEN_SOLID);
			else
				polygon(w, a, 4, fill, color, 0, PEN_SOLID);
		}
		p = q;
	}
}

static void write_edge(writer *w, Agedge_t *ed)
{
	const atmo_rdraw *d;
	const atmo_rident *e;
	const splines *spl = ED_spl(ed);
	const char *color;
	double arrowsize;
	int pen, i, j;

	/* emit_edge: an edge with neither a spline nor a label is not drawn */
	if (!spl && !ED_label(ed))
		return;
	d = atmo__rdraw_get(w->c, ed);
	if (d && has_style(d->style, "invis"))
		return; /* layout only: keeps a cluster's title above its nodes */
	e = ident_of(w, d);
	color = d ? d->line : NULL;
	pen = pen_of(d ? d->style : NULL);
	arrowsize = d ? d->arrowsize : 1.0;
	begin_object(w, "edge", d, e);
	for (i = 0; spl && i < spl->size; i++) {
		const bezier *bz = &spl->list[i];
		char c = 'M';
		if (bz->size < 1)
			continue;
		PUTS(w, "<path");
		grstyle(w, NULL, color, 0, pen);
		PUTS(w, " d=\"");
		for (j = 0; j < bz->size; j++) {
			atmo__buf_putc(w->o, c);
			num(w, bz->list[j].x);
			atmo__buf_putc(w->o, ',');
			num(w, -bz->list[j].y);
			c = j == 0 ? 'C' : ' ';
		}
		PUTS(w, "\"/>\n");
		if (bz->sflag)
			arrow(w, bz->sp, bz->list[0], arrowsize, bz->sflag, color);
		if (bz->eflag)
			arrow(w, bz->ep, bz->list[bz->size - 1], arrowsize, bz->eflag, color);
	}
	if (ED_label(ed) && ED_label(ed)->set)
		label(w, ED_label(ed), d ? d->fontcolor : NULL);
	end_object(w, e);
}

/* ---- the document ---------------------------------------------------------------------------- */

/* .atmo-graph{--atmo-bg:#ffffff;...} for palette p under selector sel. */
static void put_vars(writer *w, const char *sel, const atmo__palette *p)
{
	size_t i;
	atmo__buf_puts(w->o, sel);
	atmo__buf_putc(w->o, '{');
	/* puts, not printf: this block is written for every drawing */
	for (i = 0; i < ATMO_PALETTE_SLOTS; i++) {
		PUTS(w, "--atmo-");
		atmo__buf_puts(w->o, atmo__palette_name(i));
		atmo__buf_putc(w->o, ':');
		atmo__buf_puts(w->o, atmo__palette_color(p, i));
		atmo__buf_putc(w->o, ';');
	}
	PUTS(w, "}\n");
}

/*
 * The colours at view time: CSS variables per palette slot, light by default, dark
 * when the reader's system asks for it (prefers-color-scheme) or the page's theme says
 * so (data-theme="dark" as furo and pydata-sphinx-theme set it, a "dark" class), light
 * again when the page's theme says light. theme "dark" keeps the dark palette always.
 */
static void put_theme(writer *w)
{
	if (w->c->dark) {
		PUTS(w, ".atmo-graph.atmo-theme-dark{color-scheme:dark}\n");
		put_vars(w, "svg.atmo-graph.atmo-theme-dark", &atmo__palette_dark);
	} else {
		put_vars(w, ".atmo-graph", &atmo__palette_light);
		PUTS(w, "@media (prefers-color-scheme:dark){");
		put_vars(w, ".atmo-graph", &atmo__palette_dark);
		PUTS(w, "}\n");
		put_vars(w,
			 "[data-theme=dark] .atmo-graph,.dark .atmo-graph,.theme-dark .atmo-graph",
			 &atmo__palette_dark);
		put_vars(w,
			 "[data-theme=light] .atmo-graph,.light .atmo-graph,.theme-light "
			 ".atmo-graph",
			 &atmo__palette_light);
	}
	{
		size_t i;
		for (i = 0; i < ATMO_PALETTE_SLOTS; i++) {
			const char *n = atmo__palette_name(i);
			PUTS(w, ".atmo-graph .atmo-f-");
			atmo__buf_puts(w->o, n);
			PUTS(w, "{fill:var(--atmo-");
			atmo__buf_puts(w->o, n);
			PUTS(w, ")}.atmo-graph .atmo-s-");
			atmo__buf_puts(w->o, n);
			PUTS(w, "{stroke:var(--atmo-");
			atmo__buf_puts(w->o, n);
			PUTS(w, ")}\n");
		}
	}
}

/* The smallest font of the drawing, in points: edge labels (9) when there are some. */
static double smallest_font(Agraph_t *g)
{
	Agnode_t *n;
	Agedge_t *e;
	for (n = agfstnode(g); n; n = agnxtnode(g, n))
		for (e = agfstout(g, n); e; e = agnxtout(g, e))
			if (ED_label(e) && ED_label(e)->fontsize < 11)
				return ED_label(e)->fontsize;
	return 11.0;
}

static void write_root(writer *w, Agraph_t *g, double W, double H)
{
	const atmo_rctx *c = w->c;
	boxf bb = GD_bb(g);
	const atmo_rident *e = c->root_ident >= 0 && (size_t)c->root_ident < c->ids.n
				       ? &c->ids.v[c->root_ident]
				       : NULL;

	if (!c->o->svg_inline)
		PUTS(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	PUTS(w, "<svg");
	if (c->o->fixed_size)
		atmo__buf_printf(w->o, " width=\"%dpt\" height=\"%dpt\"", ROUND(W), ROUND(H));
	atmo__buf_printf(w->o, " viewBox=\"%.2f %.2f %.2f %.2f\"", 0.0, 0.0, W, H);
	atmo__buf_printf(w->o, " class=\"atmo-graph atmo-theme-%s%s%s\"",
			 c->dark ? "dark" : "light", c->overview ? " atmo-overview" : "",
			 c->o->layers && !c->overview ? " atmo-layers" : "");
	{
		/* the narrowest the drawing may be shown (CSS px) with its smallest text still
		 * legible: 9 px, 8 for a family overview, 7 with one node per instruction; a
		 * page that shows it narrower than its column lets the reader pan instead */
		double px = c->overview ? 8.0 : c->o->layers ? 7.0 : 9.0;
		atmo__buf_printf(w->o, " data-min-width=\"%d\"",
				 (int)(W * px / smallest_font(g) + 0.999));
	}
	PUTS(w, " role=\"img\"");
	if (c->aria) {
		PUTS(w, " aria-label=\"");
		put_text(w, c->aria);
		atmo__buf_putc(w->o, '"');
	}
	PUTS(w, " preserveAspectRatio=\"xMidYMid meet\"");
	PUTS(w, " xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n");
	PUTS(w, "<style>\n");
	put_theme(w);
	atmo__buf_put(w->o, style_common, sizeof(style_common) - 1);
	PUTS(w, "</style>\n");
	/* the card the drawing sits on, in the reader's colour scheme */
	PUTS(w, "<rect class=\"atmo-bg atmo-f-bg\" fill=\"");
	atmo__buf_puts(w->o, pal(w)->bg);
	PUTS(w, "\" stroke=\"none\" x=\"0\" y=\"0\" width=\"");
	num(w, W);
	PUTS(w, "\" height=\"");
	num(w, H);
	PUTS(w, "\"/>\n");
	PUTS(w, "<g id=\"");
	put_prefix(w);
	PUTS(w, "graph0\" class=\"graph\" transform=\"scale(1 1) rotate(0) translate(");
	num(w, PAD - bb.LL.x);
	atmo__buf_putc(w->o, ' ');
	num(w, bb.UR.y + PAD);
	PUTS(w, ")\">\n<title>");
	if (e && e->title)
		atmo__buf_puts(w->o, e->title);
	PUTS(w, "</title>\n");
}

int atmo__svg_write(atmo_buf *out, Agraph_t *g, const atmo_rctx *c)
{
	writer w;
	Agnode_t *n;
	Agedge_t *ed;
	const atmo_rdraw *root = atmo__rdraw_get(c, g);
	double W, H, graph_h, legend_w = 0, legend_h = 0;

	memset(&w, 0, sizeof(w));
	w.o = out;
	w.c = c;
	for (n = agfstnode(g); n; n = agnxtnode(g, n))
		if ((size_t)AGSEQ(n) >= w.ndone)
			w.ndone = (size_t)AGSEQ(n) + 1;
	w.done = atmo__calloc(w.ndone + 1, 1, NULL);
	if (!w.done)
		return ATMO_ENOMEM;
	atmo__buf_grow(out, 8192 + 2048 * (size_t)agnnodes(g));
	{
		boxf bb = GD_bb(g);
		W = bb.UR.x - bb.LL.x + 2 * PAD;
		H = bb.UR.y - bb.LL.y + 2 * PAD;
		if (c->o->legend && c->svg) {
			/* the legend row wraps to the drawing's width (at least a small column's) */
			legend_w = W - 2 * PAD < 240 ? 240 : W - 2 * PAD;
			legend_h = atmo__svg_legend_height(c, legend_w);
			if (legend_w + 2 * PAD > W)
				W = legend_w + 2 * PAD;
		}
		graph_h = H;
		H += legend_h;
	}
	write_root(&w, g, W, H);
	if (GD_label(g))
		label(&w, GD_label(g), root ? root->fontcolor : NULL);
	write_clusters(&w, g);
	/* emit_view: each node, then its out-edges with their heads */
	for (n = agfstnode(g); n; n = agnxtnode(g, n)) {
		write_node(&w, n);
		for (ed = agfstout(g, n); ed; ed = agnxtout(g, ed)) {
			write_node(&w, aghead(ed));
			write_edge(&w, ed);
		}
	}
	PUTS(&w, "</g>\n");
	if (legend_h > 0) {
		atmo_buf prefix = ATMO_BUF_INIT;
		const char *q;
		for (q = c->o->id_prefix; q && *q; q++)
			if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			    (*q >= '0' && *q <= '9') || *q == '_' || *q == '-')
				atmo__buf_putc(&prefix, *q);
		atmo__svg_legend(out, c, PAD, graph_h - PAD, legend_w, atmo__buf_cstr(&prefix));
		atmo__buf_free(&prefix);
	}
	PUTS(&w, "</svg>\n");
	atmo__free(w.done);
	return out->oom ? ATMO_ENOMEM : 0;
}
