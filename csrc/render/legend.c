/*
 * The SVG legend: one row (wrapped to the drawing's width) below the drawing, with
 * only the node roles and edge kinds the drawing shows: a swatch or a line sample and
 * its name. Drawn by the writer, not laid out by Graphviz: a legend cluster took a
 * quarter of a family's area and its sample edges went wherever dot put them.
 */
#include <stdio.h>
#include <string.h>
#include "render/font_metrics_int.h"
#include "render/palette_int.h"
#include "render/graphviz_int.h"

#define FS 11.0  /* the legend's text, as the nodes' */
#define ROW 18.0 /* row height */
#define SWATCH_W 16.0
#define SWATCH_H 10.0
#define LINE_W 26.0
#define GAP 5.0       /* swatch to text */
#define ITEM_GAP 14.0 /* item to item */

enum { L_BOX, L_DASHED, L_DOTTED, L_FOLDER, L_EDGE };

typedef struct {
	const char *text;
	int shape;               /* L_* */
	const char *fill, *line; /* palette colours */
	int pen2;
	const char *dash; /* edges: stroke-dasharray, or NULL */
} item;

static size_t items_of(const atmo_rctx *c, item *v)
{
	const atmo_rmodel *m = c->m;
	const atmo__palette *p = c->dark ? &atmo__palette_dark : &atmo__palette_light;
	int has[16] = { 0 }, ekind[4] = { 0 };
	size_t i, n = 0;

	for (i = 0; i < m->nnodes; i++) {
		const atmo_rnode *x = &m->nodes[i];
		if (x->kind == ATMO_NODE_STAGE) {
			has[x->target                       ? 1
			    : !x->used && !c->overview      ? 3
			    : x->build_only && !c->overview ? 2
							    : 0] = 1;
		} else if (x->kind == ATMO_NODE_IMAGE) {
			has[4] = 1;
		} else if (x->kind == ATMO_NODE_CONTEXT) {
			has[5] = 1;
		} else if (c->o->show_scratch) {
			has[6] = 1;
		}
	}
	for (i = 0; i < m->nedges; i++) {
		const atmo_redge *e = &m->edges[i];
		if (c->overview) {
			const atmo_rnode *f = &m->nodes[e->from_idx], *t = &m->nodes[e->to_idx];
			if (e->kind == ATMO_EDGE_ONBUILD ||
			    (f->image_idx == t->image_idx && f->kind == ATMO_NODE_STAGE))
				continue;
			ekind[e->kind == ATMO_EDGE_BASE ? ATMO_EDGE_BASE : ATMO_EDGE_COPY] = 1;
		} else {
			ekind[e->kind] = 1;
		}
	}
	if (has[0])
		v[n++] = (item){ c->overview ? "image" : "stage",
				 L_BOX,
				 p->stage_fill,
				 p->stage_line,
				 0,
				 NULL };
	if (has[1])
		v[n++] = (item){ c->overview ? "target image" : "target",
				 L_BOX,
				 p->target_fill,
				 p->target_line,
				 1,
				 NULL };
	if (has[2])
		v[n++] = (item){ "build only", L_BOX, p->build_fill, p->build_line, 0, NULL };
	if (has[3])
		v[n++] = (item){ "unused", L_BOX, p->unused_fill, p->unused_line, 0, NULL };
	if (has[4])
		v[n++] = (item){ "external image", L_DASHED, p->ext_fill, p->ext_line, 0, NULL };
	if (has[5])
		v[n++] = (item){ "named context", L_FOLDER, p->ctx_fill, p->ctx_line, 0, NULL };
	if (has[6])
		v[n++] = (item){ "scratch", L_DOTTED, p->ext_fill, p->scratch_line, 0, NULL };
	if (ekind[ATMO_EDGE_BASE])
		v[n++] = (item){ "FROM", L_EDGE, NULL, p->edge[ATMO_EDGE_BASE], 0, NULL };
	if (ekind[ATMO_EDGE_COPY])
		v[n++] = (item){ c->overview ? "copies from" : "COPY --from",
				 L_EDGE,
				 NULL,
				 p->edge[ATMO_EDGE_COPY],
				 0,
				 "5,2" };
	if (ekind[ATMO_EDGE_MOUNT])
		v[n++] = (item){ "RUN --mount", L_EDGE, NULL, p->edge[ATMO_EDGE_MOUNT], 0, "1,5" };
	if (ekind[ATMO_EDGE_ONBUILD])
		v[n++] = (item){ "ONBUILD", L_EDGE, NULL, p->edge[ATMO_EDGE_ONBUILD], 1, NULL };
	return n;
}

static double item_width(const item *it)
{
	return (it->shape == L_EDGE ? LINE_W : SWATCH_W) + GAP +
	       atmo__text_width(it->text, strlen(it->text), FS);
}

double atmo__svg_legend_height(const atmo_rctx *c, double width)
{
	item v[16];
	size_t n = items_of(c, v), i;
	double x = 0;
	int rows = n ? 1 : 0;

	for (i = 0; i < n; i++) {
		double w = item_width(&v[i]);
		if (x > 0 && x + w > width) {
			rows++;
			x = 0;
		}
		x += w + ITEM_GAP;
	}
	return rows ? rows * ROW + 6.0 : 0;
}

static void cls(atmo_buf *o, const atmo__palette *p, const char *fill, const char *line)
{
	const char *f = atmo__palette_slot(p, fill), *k = atmo__palette_slot(p, line);
	atmo__buf_puts(o, " class=\"");
	if (f)
		atmo__buf_printf(o, "atmo-f-%s%s", f, k ? " " : "");
	if (k)
		atmo__buf_printf(o, "atmo-s-%s", k);
	atmo__buf_putc(o, '"');
}

void atmo__svg_legend(atmo_buf *o, const atmo_rctx *c, double x0, double y0, double width,
		      const char *prefix)
{
	const atmo__palette *p = c->dark ? &atmo__palette_dark : &atmo__palette_light;
	item v[16];
	size_t n = items_of(c, v), i;
	double x = 0, y = y0 + 6.0;

	if (!n)
		return;
	atmo__buf_printf(o,
			 "<g id=\"%satmo-legend\" class=\"atmo-legend\">\n<title>Legend</title>\n",
			 prefix);
	for (i = 0; i < n; i++) {
		const item *it = &v[i];
		double w = item_width(it), sx, cy;
		if (x > 0 && x + w > width) {
			x = 0;
			y += ROW;
		}
		sx = x0 + x;
		cy = y + ROW / 2.0;
		atmo__buf_puts(o, "<g class=\"atmo-legend-item\">\n");
		if (it->shape == L_EDGE) {
			atmo__buf_printf(o, "<path fill=\"none\" stroke=\"%s\"", it->line);
			cls(o, p, NULL, it->line);
			if (it->pen2)
				atmo__buf_puts(o, " stroke-width=\"2\"");
			if (it->dash)
				atmo__buf_printf(o, " stroke-dasharray=\"%s\"", it->dash);
			atmo__buf_printf(o, " d=\"M%.2f,%.2fL%.2f,%.2f\"/>\n", sx, cy,
					 sx + LINE_W - 6, cy);
			atmo__buf_printf(o, "<polygon fill=\"%s\" stroke=\"%s\"", it->line,
					 it->line);
			cls(o, p, it->line, it->line);
			atmo__buf_printf(o,
					 " points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
					 sx + LINE_W - 7, cy - 3, sx + LINE_W, cy, sx + LINE_W - 7,
					 cy + 3, sx + LINE_W - 7, cy - 3);
			sx += LINE_W;
		} else {
			atmo__buf_printf(o, "<rect fill=\"%s\" stroke=\"%s\"", it->fill, it->line);
			cls(o, p, it->fill, it->line);
			if (it->pen2)
				atmo__buf_puts(o, " stroke-width=\"2\"");
			if (it->shape == L_DASHED)
				atmo__buf_puts(o, " stroke-dasharray=\"5,2\"");
			else if (it->shape == L_DOTTED)
				atmo__buf_puts(o, " stroke-dasharray=\"1,5\"");
			atmo__buf_printf(o,
					 " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
					 "rx=\"%d\"/>\n",
					 sx, cy - SWATCH_H / 2, SWATCH_W, SWATCH_H,
					 it->shape == L_BOX ? 3 : 0);
			sx += SWATCH_W;
		}
		atmo__buf_printf(
			o,
			"<text text-anchor=\"start\" x=\"%.2f\" y=\"%.2f\" font-family=\"%s\" "
			"font-size=\"11.00\" fill=\"%s\"",
			sx + GAP, cy + 3.8, ATMO_FONT_CSS, p->fg);
		cls(o, p, p->fg, NULL);
		atmo__buf_printf(o, ">%s</text>\n</g>\n", it->text);
		x += w + ITEM_GAP;
	}
	atmo__buf_puts(o, "</g>\n");
}
