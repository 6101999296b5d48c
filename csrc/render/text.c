/*
 * The text form of a graph document: what Sphinx's text and man builders
 * show in place of a diagram. Plain UTF-8, one fact per line, no markup.
 */
#include <stdio.h>
#include <string.h>
#include "render/model_int.h"

static int hidden(const atmo_rnode *n, const atmo_render_options *o)
{
	return n->kind == ATMO_NODE_SCRATCH && !o->show_scratch;
}

/* How an edge names a node: "build", or "nova/build" when there are several images. */
static void put_name(atmo_buf *b, const atmo_rmodel *m, const atmo_rnode *n)
{
	if (m->nimages > 1 && n->image_idx >= 0) {
		atmo__put_text(b, m->images[n->image_idx].label, 0, 0, 0);
		atmo__buf_putc(b, '/');
	}
	atmo__put_text(b, n->kind == ATMO_NODE_IMAGE && n->ref ? n->ref : n->name, 0, 0, 0);
}

static void put_node(atmo_buf *b, const atmo_rmodel *m, const atmo_rnode *n, const char *indent)
{
	char sz[32];
	size_t i;

	atmo__buf_printf(b, "%s%s ", indent, atmo__rnode_kind_name(n->kind));
	switch (n->kind) {
	case ATMO_NODE_STAGE:
		atmo__put_text(b, n->name, 0, 0, 0);
		if (n->base) {
			atmo__buf_puts(b, " FROM ");
			atmo__put_text(b, n->base, 0, 0, 0);
		}
		if (n->line) {
			if (n->end_line > n->line)
				atmo__buf_printf(b, ", lines %ld-%ld", n->line, n->end_line);
			else
				atmo__buf_printf(b, ", line %ld", n->line);
		}
		break;
	case ATMO_NODE_IMAGE:
		atmo__put_text(b, n->ref ? n->ref : n->name, 0, 0, 0);
		break;
	case ATMO_NODE_CONTEXT:
		atmo__put_text(b, n->name, 0, 0, 0);
		if (n->value) {
			atmo__buf_puts(b, " = ");
			atmo__put_text(b, n->value, 0, 0, 0);
		}
		break;
	default:
		atmo__buf_puts(b, "scratch");
		break;
	}
	if (n->has_size) {
		atmo__human_bytes(sz, sizeof(sz), n->bytes);
		atmo__buf_printf(b, ", %s", sz);
		if (n->has_own) {
			atmo__human_bytes(sz, sizeof(sz), n->own_bytes);
			atmo__buf_printf(b, " (own %s)", sz);
		}
	}
	if (n->has_packages)
		atmo__buf_printf(b, ", %lld packages", n->packages);
	if (n->target)
		atmo__buf_puts(b, " [target]");
	if (n->kind == ATMO_NODE_STAGE && n->build_only)
		atmo__buf_puts(b, " [build-only]");
	if (!n->used)
		atmo__buf_puts(b, " [unused]");
	atmo__buf_putc(b, '\n');
	if (n->description && *n->description) {
		atmo__buf_printf(b, "%s    ", indent);
		atmo__put_text(b, n->description, 0, 0, 0);
		atmo__buf_putc(b, '\n');
	}
	for (i = 0; i < n->ninherited; i++) {
		long from = n->onbuild_from ? atmo__rmodel_find(m, n->onbuild_from) : -1;
		atmo__buf_printf(b, "%s    onbuild (from ", indent);
		if (from >= 0)
			put_name(b, m, &m->nodes[from]);
		else
			atmo__put_text(b,
				       n->onbuild_from ? n->onbuild_from
				       : n->base       ? n->base
						       : "the base",
				       0, 0, 0);
		atmo__buf_puts(b, ", run first): ");
		atmo__put_text(b, n->inherited[i], 0, 0, 0);
		atmo__buf_putc(b, '\n');
	}
	for (i = 0; i < n->nonbuild; i++) {
		atmo__buf_printf(b, "%s    onbuild: ", indent);
		atmo__put_text(b, n->onbuild[i], 0, 0, 0);
		atmo__buf_putc(b, '\n');
	}
}

static void put_nodes_of(atmo_buf *b, const atmo_rmodel *m, long image, const char *indent,
			 const atmo_render_options *o)
{
	size_t i;
	for (i = 0; i < m->nnodes; i++)
		if (m->nodes[i].image_idx == image && !hidden(&m->nodes[i], o))
			put_node(b, m, &m->nodes[i], indent);
}

int atmo__render_text(atmo_buf *b, const atmo_rmodel *m, const atmo_render_options *o)
{
	char sz[32];
	size_t i, j;

	if (m->target) {
		long t = atmo__rmodel_find(m, m->target);
		atmo__buf_puts(b, "target: ");
		put_name(b, m, &m->nodes[t]);
		atmo__buf_putc(b, '\n');
	}
	for (i = 0; i < m->nimages; i++) {
		const atmo_rimage *im = &m->images[i];
		atmo__buf_puts(b, "image ");
		atmo__put_text(b, im->label, 0, 0, 0);
		if (im->dockerfile) {
			atmo__buf_puts(b, " (");
			atmo__put_text(b, im->dockerfile, 0, 0, 0);
			atmo__buf_putc(b, ')');
		}
		if (im->has_size) {
			atmo__human_bytes(sz, sizeof(sz), im->bytes);
			atmo__buf_printf(b, ", %s", sz);
			if (im->compressed) {
				atmo__human_bytes(sz, sizeof(sz), im->compressed);
				atmo__buf_printf(b, " (%s compressed)", sz);
			}
		}
		atmo__buf_putc(b, '\n');
		put_nodes_of(b, m, (long)i, "  ", o);
	}
	put_nodes_of(b, m, -1, "", o);
	if (m->nedges)
		atmo__buf_puts(b, "edges:\n");
	for (j = 0; j < m->nedges; j++) {
		const atmo_redge *e = &m->edges[j];
		const atmo_rnode *f = &m->nodes[e->from_idx], *t = &m->nodes[e->to_idx];
		size_t k;
		if (hidden(f, o) || hidden(t, o))
			continue;
		atmo__buf_puts(b, "  ");
		put_name(b, m, f);
		atmo__buf_printf(b, " --%s", atmo__redge_kind_name(e->kind));
		for (k = 0; k < e->nsources; k++) {
			atmo__buf_putc(b, ' ');
			atmo__put_text(b, e->sources[k], 0, 0, 0);
		}
		atmo__buf_puts(b, "--> ");
		put_name(b, m, t);
		if (e->dest) {
			atmo__buf_puts(b, " into ");
			atmo__put_text(b, e->dest, 0, 0, 0);
		}
		if (e->context) {
			atmo__buf_puts(b, " (context ");
			atmo__put_text(b, e->context, 0, 0, 0);
			atmo__buf_putc(b, ')');
		}
		if (e->line)
			atmo__buf_printf(b, " (line %ld)", e->line);
		atmo__buf_putc(b, '\n');
	}
	if (m->has_kept_out) {
		atmo__human_bytes(sz, sizeof(sz), m->kept_out_bytes);
		atmo__buf_printf(b, "kept out of the final image: %s", sz);
		for (j = 0; j < m->nkept_out_packages; j++) {
			atmo__buf_puts(b, j ? ", " : " (");
			atmo__put_text(b, m->kept_out_packages[j], 0, 0, 0);
		}
		atmo__buf_puts(b, m->nkept_out_packages ? ")\n" : "\n");
	}
	for (j = 0; j < m->nwarnings; j++) {
		json_t *w = json_array_get(m->warnings, j);
		const char *t = json_string_value(json_object_get(w, "text"));
		const char *c = json_string_value(json_object_get(w, "code"));
		const char *s = json_string_value(json_object_get(w, "source"));
		json_int_t line = json_integer_value(json_object_get(w, "line"));
		if (!j)
			atmo__buf_puts(b, "warnings:\n");
		atmo__buf_puts(b, "  ");
		if (s) {
			atmo__put_text(b, s, 0, 0, 0);
			if (line > 0)
				atmo__buf_printf(b, ":%lld", (long long)line);
			atmo__buf_puts(b, ": ");
		}
		if (c) {
			atmo__put_text(b, c, 0, 0, 0);
			atmo__buf_puts(b, ": ");
		}
		atmo__put_text(b, t ? t : (json_is_string(w) ? json_string_value(w) : ""), 0, 0, 0);
		atmo__buf_putc(b, '\n');
	}
	return b->oom ? ATMO_ENOMEM : 0;
}
