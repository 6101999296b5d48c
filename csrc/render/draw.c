/*
 * Building the cgraph graph of a graph document: nodes, clusters, edges,
 * labels (plain Graphviz strings, escaped here), styles, CSS classes and stable ids.
 * For SVG, what only the drawing needs (colours, styles, classes, ids, links)
 * goes to draw records that svgout.c reads, and Graphviz gets only what its
 * layout reads; PNG, PDF and DOT get everything as Graphviz attributes.
 * Everything is created in document order so that output is deterministic.
 * The caller holds the render mutex: cgraph is not thread-safe.
 * This file declares the attributes and assembles the graph; the parts are made
 * by the draw_*.c files that builder_int.h lists.
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"
#include "util/error.h"

/* The drawing's accessible name (render.c: atmo__describe). */
static int describe(builder *B)
{
	atmo__free(B->c->aria);
	B->c->aria = atmo__describe(B->c->m, B->c->overview);
	return B->c->aria ? 0 : ATMO_ENOMEM;
}

static int add_images(builder *B)
{
	const atmo_rmodel *m = B->c->m;
	char name[48], a[32], b2[32];
	size_t i;

	for (i = 0; i < m->nimages; i++) {
		const atmo_rimage *im = &m->images[i];
		Agraph_t *sg;
		atmo_rident *e;
		snprintf(name, sizeof(name), "cluster_image%zu", i);
		sg = agsubg(B->g, name, 1);
		if (!sg)
			return ATMO_ENOMEM;
		B->image_sub[i] = sg;
		atmo__buf_clear(&B->b);
		atmo__put_text(&B->b, im->label, B->maxlen, 1, 2);
		atmo__draw_end_line(B);
		atmo__buf_clear(&B->t);
		atmo__buf_printf(&B->t, "image %s", im->label);
		if (im->dockerfile)
			atmo__buf_printf(&B->t, " (%s)", im->dockerfile);
		if (im->has_size) {
			atmo__human_bytes(a, sizeof(a), im->bytes);
			atmo__buf_puts(&B->b, a);
			atmo__buf_printf(&B->t, ", %s", a);
			if (im->compressed) {
				atmo__human_bytes(b2, sizeof(b2), im->compressed);
				atmo__buf_printf(&B->b, " (%s compressed)", b2);
				atmo__buf_printf(&B->t, " (%s compressed)", b2);
			}
			atmo__draw_end_line(B);
			atmo__draw_put_bar(B, im->bytes, B->max_image_bytes);
		}
		if (B->b.oom || B->t.oom)
			return ATMO_ENOMEM;
		e = atmo__draw_ident(B, sg, B->s.g_id, "atmo-image-", im->id, B->t.ptr);
		if (!e)
			return ATMO_ENOMEM;
		atmo__draw_xset(B, sg, B->s.g_class, A_CLASS, S("atmo-image"));
		atmo__draw_xset(B, sg, B->s.g_style, A_STYLE, S(atmo__draw_rounded(B, e)));
		atmo__draw_xset(B, sg, B->s.g_fill, A_FILL, S(B->p->cluster_fill));
		atmo__draw_xset(B, sg, B->s.g_color, A_COLOR, S(B->p->cluster_line));
		atmo__draw_xset(B, sg, B->s.g_labeljust, A_LAYOUT, S("l"));
		atmo__draw_xset(B, sg, B->s.g_labelloc, A_LAYOUT, S("t"));
		/* last: e points into the ids, which the title's own ident may move */
		if (!(B->image_title[i] = atmo__draw_title_node(B, sg, im->id, e, B->p->fg,
								"atmo-image-title")))
			return ATMO_ENOMEM;
	}
	return 0;
}

/* The graph's own label: the single image's size and the bytes kept out. */
static int graph_label(builder *B)
{
	const atmo_rmodel *m = B->c->m;
	char a[32];
	size_t k;
	int rows = 0;

	atmo__buf_clear(&B->b);
	if (m->nimages == 1 && m->images[0].has_size) {
		atmo__put_text(&B->b, m->images[0].label, B->maxlen, 1, 2);
		atmo__human_bytes(a, sizeof(a), m->images[0].bytes);
		atmo__buf_printf(&B->b, ": %s", a);
		atmo__draw_end_line(B);
		rows++;
	}
	if (m->has_kept_out) {
		atmo__human_bytes(a, sizeof(a), m->kept_out_bytes);
		atmo__buf_printf(&B->b, "kept out of the final image: %s", a);
		for (k = 0; k < m->nkept_out_packages && k < 6; k++) {
			atmo__buf_puts(&B->b, k ? ", " : " (");
			atmo__put_text(&B->b, m->kept_out_packages[k], B->maxlen, 1, 2);
		}
		if (m->nkept_out_packages > 6)
			atmo__buf_printf(&B->b, ", +%zu more", m->nkept_out_packages - 6);
		if (m->nkept_out_packages)
			atmo__buf_puts(&B->b, ")");
		atmo__draw_end_line(B);
		rows++;
	}
	if (!rows)
		return 0;
	if (B->b.oom)
		return ATMO_ENOMEM;
	return atmo__draw_set_label(B, B->g, B->s.g_label, B->b.ptr);
}

/*
 * Names starting with '%' are cgraph's local names: cgraph keeps them in an internal
 * map of the root that, in 2.42, the first subgraph's agclose closes without freeing
 * its entries (nothing else frees them then). Deleting those nodes before agclose
 * frees their entries while the map is still open. The same holds for a node
 * whose name the id discipline could not number (out of memory in id_map,
 * draw_ids.c): cgraph gave it an odd id and its name went to that map.
 */
void atmo__close_graph(Agraph_t *g)
{
	Agnode_t *n, *next;

	for (n = agfstnode(g); n; n = next) {
		const char *name = agnameof(n);
		next = agnxtnode(g, n);
		if ((name && name[0] == '%') || AGID(n) % 2)
			agdelnode(g, n);
	}
	agclose(g);
}

/*
 * Declare the attributes, each with its default. Every declared attribute
 * costs every object of its kind (cgraph gives each a copy of the default):
 * for SVG only what the layout reads is declared, the rest lives in the draw
 * records.
 */
static void declare(builder *B, int fmt)
{
	Agraph_t *g = B->g;
	const palette *p = B->p;
	const atmo_render_options *o = B->c->o;
	char dpi[32];

	agattr(g, AGRAPH, S("rankdir"), S(o->rankdir && !strcmp(o->rankdir, "TB") ? "TB" : "LR"));
	agattr(g, AGRAPH, S("fontname"), S(FONT));
	agattr(g, AGRAPH, S("fontsize"), S("11"));
	agattr(g, AGRAPH, S("nodesep"), S("0.3"));
	agattr(g, AGRAPH, S("ranksep"), S("0.45"));
	agattr(g, AGRAPH, S("newrank"), S("true"));
	if (fmt == ATMO_FORMAT_PNG && o->dpi > 0) {
		snprintf(dpi, sizeof(dpi), "%g", o->dpi);
		agattr(g, AGRAPH, S("dpi"), dpi);
	}
	B->s.g_label = agattr(g, AGRAPH, S("label"), S(""));
	B->s.g_labeljust = agattr(g, AGRAPH, S("labeljust"), S("c"));
	B->s.g_labelloc = agattr(g, AGRAPH, S("labelloc"), S("b"));
	agattr(g, AGNODE, S("fontname"), S(FONT));
	agattr(g, AGNODE, S("fontsize"), S("11"));
	agattr(g, AGNODE, S("margin"), S("0.1,0.04"));
	B->s.n_label = agattr(g, AGNODE, S("label"), S("\\N"));
	B->s.n_shape = agattr(g, AGNODE, S("shape"), S("box"));
	B->s.n_width = agattr(g, AGNODE, S("width"), S("0.75"));
	B->s.n_height = agattr(g, AGNODE, S("height"), S("0.3"));
	agattr(g, AGEDGE, S("fontname"), S(FONT));
	agattr(g, AGEDGE, S("fontsize"), S("11"));
	B->s.e_label = agattr(g, AGEDGE, S("label"), S(""));
	B->s.e_arrowhead = agattr(g, AGEDGE, S("arrowhead"), S("normal"));
	B->s.e_arrowsize = agattr(g, AGEDGE, S("arrowsize"), S("0.8"));
	if (B->svg)
		return;

	agattr(g, AGRAPH, S("bgcolor"), S(p->bg));
	B->s.g_id = agattr(g, AGRAPH, S("id"), S(""));
	B->s.g_class = agattr(g, AGRAPH, S("class"), S(""));
	B->s.g_style = agattr(g, AGRAPH, S("style"), S(""));
	B->s.g_fill = agattr(g, AGRAPH, S("fillcolor"), S(""));
	B->s.g_color = agattr(g, AGRAPH, S("color"), S(""));
	B->s.g_fontcolor = agattr(g, AGRAPH, S("fontcolor"), S(p->fg));
	B->s.g_penwidth = agattr(g, AGRAPH, S("penwidth"), S("1"));
	B->s.g_url = agattr(g, AGRAPH, S("URL"), S(""));
	B->s.g_target = agattr(g, AGRAPH, S("target"), S(""));

	B->s.n_id = agattr(g, AGNODE, S("id"), S(""));
	B->s.n_class = agattr(g, AGNODE, S("class"), S(""));
	B->s.n_style = agattr(g, AGNODE, S("style"), S("rounded,filled"));
	B->s.n_fill = agattr(g, AGNODE, S("fillcolor"), S(p->stage_fill));
	B->s.n_color = agattr(g, AGNODE, S("color"), S(p->stage_line));
	B->s.n_fontcolor = agattr(g, AGNODE, S("fontcolor"), S(p->fg));
	B->s.n_penwidth = agattr(g, AGNODE, S("penwidth"), S("1"));
	B->s.n_url = agattr(g, AGNODE, S("URL"), S(""));
	B->s.n_target = agattr(g, AGNODE, S("target"), S(""));

	B->s.e_id = agattr(g, AGEDGE, S("id"), S(""));
	B->s.e_class = agattr(g, AGEDGE, S("class"), S(""));
	B->s.e_style = agattr(g, AGEDGE, S("style"), S("solid"));
	B->s.e_color = agattr(g, AGEDGE, S("color"), S(p->edge[0]));
	B->s.e_fontcolor = agattr(g, AGEDGE, S("fontcolor"), S(p->edge[0]));
	B->s.e_penwidth = agattr(g, AGEDGE, S("penwidth"), S("1"));
}

int atmo__build_graph(Agraph_t **out, atmo_rctx *c, atmo_error *err)
{
	const atmo_rmodel *m = c->m;
	builder B;
	size_t i;
	int rc = ATMO_ENOMEM;
	long gi;

	*out = NULL;
	memset(&B, 0, sizeof(B));
	B.c = c;
	B.err = err;
	B.svg = c->svg;
	B.p = c->dark ? &atmo__palette_dark : &atmo__palette_light;
	B.maxlen =
		c->o->max_label_length ? c->o->max_label_length : ATMO_RENDER_DEFAULT_LABEL_LENGTH;
	for (i = 0; i < m->nnodes; i++)
		if (m->nodes[i].has_size && m->nodes[i].bytes > B.max_node_bytes)
			B.max_node_bytes = m->nodes[i].bytes;
	for (i = 0; i < m->nimages; i++)
		if (m->images[i].has_size && m->images[i].bytes > B.max_image_bytes)
			B.max_image_bytes = m->images[i].bytes;
	B.image_sub = atmo__calloc(m->nimages + 1, sizeof(*B.image_sub), NULL);
	B.image_title = atmo__calloc(m->nimages + 1, sizeof(*B.image_title), NULL);
	B.first = atmo__calloc(m->nnodes + 1, sizeof(*B.first), NULL);
	B.last = atmo__calloc(m->nnodes + 1, sizeof(*B.last), NULL);
	B.stage_cluster = atmo__calloc(m->nnodes + 1, sizeof(*B.stage_cluster), NULL);
	if (!B.image_sub || !B.image_title || !B.first || !B.last || !B.stage_cluster)
		goto done;
	{
		Agdisc_t disc = { &AgMemDisc, &atmo__ordered_ids, &AgIoDisc };
		B.g = agopen(S("atmograph"), Agdirected, &disc);
	}
	if (!B.g)
		goto done;
	declare(&B, c->o->format);
	gi = atmo__ridmap_add(&c->ids, "graph0", "");
	if (gi < 0 || !(c->ids.v[gi].title = atmo__strdup(
				m->target ? "atmograph build graph" : "atmograph graph", NULL)))
		goto done;
	c->root_ident = gi;
	if (B.svg && !atmo__draw_rec(&B, B.g))
		goto done;
	if (c->overview) {
		if (atmo__draw_add_overview(&B) < 0)
			goto done;
		goto drawn;
	}
	if (m->nimages > 1 && add_images(&B) < 0)
		goto done;
	for (i = 0; i < m->nnodes; i++) {
		const atmo_rnode *n = &m->nodes[i];
		Agraph_t *parent =
			m->nimages > 1 && n->image_idx >= 0 ? B.image_sub[n->image_idx] : B.g;
		int r;
		if (n->kind == ATMO_NODE_SCRATCH && !c->o->show_scratch)
			continue;
		if (c->o->layers && n->kind == ATMO_NODE_STAGE)
			r = atmo__draw_add_layer_stage(&B, i, parent);
		else
			r = atmo__draw_add_plain_node(&B, i, parent);
		if (r < 0)
			goto done;
	}
	for (i = 0; i < m->nedges; i++)
		if (atmo__draw_add_edge(&B, i) < 0)
			goto done;
	for (i = 0; i < m->nimages && m->nimages > 1; i++)
		if (B.image_title[i] &&
		    atmo__draw_title_edges(&B, B.image_sub[i], B.image_title[i], NULL) < 0)
			goto done;
drawn:
	if (c->o->legend && !c->svg && atmo__draw_add_legend(&B) < 0)
		goto done;
	if (graph_label(&B) < 0)
		goto done;
	if (B.b.oom || B.t.oom || B.oom)
		goto done;
	/* the direction: the user's, else the one that reads larger in a column */
	if (c->o->rankdir)
		c->tb = !strcmp(c->o->rankdir, "TB");
	else
		c->tb = atmo__prefer_tb(B.g, B.s.n_label, B.s.e_label, 0.3 * 72, 0.45 * 72,
					ATMO_RENDER_COLUMN_PT);
	if (c->tb < 0)
		goto done;
	agattr(B.g, AGRAPH, S("rankdir"), S(c->tb ? "TB" : "LR"));
	if (describe(&B) < 0)
		goto done;
	*out = B.g;
	B.g = NULL;
	rc = 0;
done:
	if (B.g)
		atmo__close_graph(B.g);
	atmo__free(B.image_sub);
	atmo__free(B.image_title);
	atmo__free(B.first);
	atmo__free(B.last);
	atmo__free(B.stage_cluster);
	atmo__buf_free(&B.b);
	atmo__buf_free(&B.t);
	atmo__buf_free(&B.link);
	atmo__buf_free(&B.link_xml);
	if (rc < 0)
		atmo__error_nomem(err);
	return rc;
}
