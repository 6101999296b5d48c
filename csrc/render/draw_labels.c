/*
 * The text of the builder's labels (plain Graphviz strings, escaped here, lines
 * ended by "\\l") and of its titles (tooltips, escaped later): names, sizes and
 * size bars, FROM lines, tags, descriptions, role classes.
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"

/* A size bar drawn with block characters: BAR_CELLS cells, filled in proportion. */
void atmo__draw_put_bar(builder *B, long long bytes, long long max)
{
	long w = max > 0 ? (long)((double)bytes * BAR_CELLS / (double)max + 0.5) : 0, k;
	if (w < 1)
		w = 1;
	if (w > BAR_CELLS)
		w = BAR_CELLS;
	for (k = 0; k < BAR_CELLS; k++)
		atmo__buf_puts(&B->b, k < w ? "\xe2\x96\x88"
					    : "\xe2\x96\x91"); /* full block, light shade */
	atmo__buf_puts(&B->b, "\\l");
}

/* End a left-justified label line. */
void atmo__draw_end_line(builder *B)
{
	atmo__buf_puts(&B->b, "\\l");
}

static void put_size_rows(builder *B, const atmo_rnode *n)
{
	char a[32], o[32];

	if (!n->has_size && !n->has_packages)
		return;
	if (n->has_size) {
		atmo__human_bytes(a, sizeof(a), n->bytes);
		atmo__buf_puts(&B->b, a);
		if (n->has_own) {
			atmo__human_bytes(o, sizeof(o), n->own_bytes);
			atmo__buf_printf(&B->b, " (own %s)", o);
		}
	}
	if (n->has_packages)
		atmo__buf_printf(&B->b, "%s%lld packages", n->has_size ? " \xc2\xb7 " : "",
				 n->packages);
	atmo__draw_end_line(B);
	if (n->has_size)
		atmo__draw_put_bar(B, n->bytes, B->max_node_bytes);
}

/*
 * A stage's name as a reader calls it: unnamed stages carry their index as a name
 * ("0"), read "stage 0".
 */
static void put_stage_name(atmo_buf *b, const atmo_rnode *n, size_t max)
{
	if (atmo__unnamed_stage(n))
		atmo__buf_printf(b, "stage %ld", n->index);
	else
		atmo__put_text(b, n->name ? n->name : "", max, 1, 2);
}

/*
 * prefix + name shortened in the middle to max code points, as label lines of at most
 * WRAP code points broken after separators ("FROM docker.io/library/" /
 * "python:3.12-slim-bookworm"): a long reference no longer sets a node's width.
 */
void atmo__draw_put_name_lines(builder *B, const char *prefix, const char *name, size_t max)
{
	atmo_buf t = ATMO_BUF_INIT;

	atmo__buf_puts(&t, prefix);
	atmo__put_text(&t, name ? name : "?", max, 1, 0);
	if (t.oom) {
		B->oom = 1;
	} else if (atmo__put_wrapped(&B->b, t.ptr, WRAP, 3, 1) < 0) {
		B->oom = 1;
	}
	atmo__buf_free(&t);
}

/* The label of a stage (a node, or a cluster's title in the layer view). */
void atmo__draw_stage_label(builder *B, const atmo_rnode *n)
{
	int tags = 0;

	atmo__buf_clear(&B->b);
	put_stage_name(&B->b, n, B->maxlen);
	atmo__draw_end_line(B);
	if (n->base) {
		atmo__draw_put_name_lines(B, "FROM ", n->base, B->maxlen);
	}
	if (n->line || n->target || n->build_only || !n->used) {
		if (n->line) {
			if (n->end_line > n->line)
				atmo__buf_printf(&B->b, "lines %ld\xe2\x80\x93%ld", n->line,
						 n->end_line);
			else
				atmo__buf_printf(&B->b, "line %ld", n->line);
			tags++;
		}
		if (n->target)
			atmo__buf_printf(&B->b, "%starget", tags++ ? " \xc2\xb7 " : "");
		else if (n->build_only)
			atmo__buf_printf(&B->b, "%sbuild only", tags++ ? " \xc2\xb7 " : "");
		if (!n->used)
			atmo__buf_printf(&B->b, "%sunused", tags++ ? " \xc2\xb7 " : "");
		atmo__draw_end_line(B);
	}
	if (n->description && *n->description)
		atmo__put_wrapped(&B->b, n->description, WRAP, 3, 0);
	put_size_rows(B, n);
}

void atmo__draw_other_label(builder *B, const atmo_rnode *n)
{
	atmo__buf_clear(&B->b);
	if (n->kind == ATMO_NODE_IMAGE) {
		atmo__draw_put_name_lines(B, "", n->ref ? n->ref : n->name, B->maxlen);
	} else {
		if (n->kind == ATMO_NODE_CONTEXT)
			atmo__put_text(&B->b, n->name, B->maxlen, 1, 2);
		else
			atmo__buf_puts(&B->b, "scratch");
		atmo__draw_end_line(B);
	}
	if (n->kind == ATMO_NODE_CONTEXT) {
		atmo__buf_puts(&B->b, "context");
		if (n->value) {
			atmo__buf_puts(&B->b, " = ");
			atmo__put_text(&B->b, n->value, B->maxlen, 1, 2);
		}
		atmo__draw_end_line(B);
	}
	put_size_rows(B, n);
}

/*
 * Where a stage's inherited ONBUILD triggers come from, as a reader names it:
 * the declaring stage's name; in another image, that image's label when the
 * stage is its target (a linked target: "runtime"), else "image/stage"; the raw
 * node id when the document lacks that node; the base without onbuild_from.
 */
void atmo__draw_put_onbuild_origin(atmo_buf *b, const atmo_rmodel *m, const atmo_rnode *n)
{
	long k = n->onbuild_from ? atmo__rmodel_find(m, n->onbuild_from) : -1;
	const atmo_rnode *o;

	if (!n->onbuild_from) {
		atmo__buf_puts(b, n->base ? n->base : "the base");
		return;
	}
	if (k < 0) {
		atmo__buf_puts(b, n->onbuild_from);
		return;
	}
	o = &m->nodes[k];
	if (o->image && (!n->image || strcmp(o->image, n->image))) {
		const atmo_rimage *im = o->image_idx >= 0 ? &m->images[o->image_idx] : NULL;
		if (im && im->target && !strcmp(im->target, o->id)) {
			atmo__buf_puts(b, im->label ? im->label : im->id);
			return;
		}
		atmo__buf_printf(b, "%s/", o->image);
	}
	atmo__buf_puts(b, o->name);
}

/* The plain title of a node (escaped later). */
const char *atmo__draw_node_title(builder *B, const atmo_rnode *n)
{
	atmo_buf *t = &B->t;
	char a[32];

	atmo__buf_clear(t);
	atmo__buf_puts(t, atmo__rnode_kind_name(n->kind));
	atmo__buf_putc(t, ' ');
	if (n->kind == ATMO_NODE_IMAGE && n->ref)
		atmo__buf_puts(t, n->ref);
	else
		atmo__buf_puts(t, n->name);
	if (n->base) {
		atmo__buf_puts(t, ": FROM ");
		atmo__buf_puts(t, n->base);
	}
	if (n->kind == ATMO_NODE_CONTEXT && n->value) {
		atmo__buf_puts(t, " = ");
		atmo__buf_puts(t, n->value);
	}
	if (n->line)
		atmo__buf_printf(t, n->end_line > n->line ? ", lines %ld-%ld" : ", line %ld",
				 n->line, n->end_line);
	if (n->target)
		atmo__buf_puts(t, " (target)");
	else if (n->build_only)
		atmo__buf_puts(t, " (build only)");
	if (!n->used)
		atmo__buf_puts(t, " (unused)");
	if (n->has_size) {
		atmo__human_bytes(a, sizeof(a), n->bytes);
		atmo__buf_puts(t, ", ");
		atmo__buf_puts(t, a);
	}
	if (n->description && *n->description) {
		atmo__buf_puts(t, " \xe2\x80\x94 ");
		atmo__buf_puts(t, n->description);
	}
	if (n->kind == ATMO_NODE_STAGE && n->ninherited) {
		size_t k;
		atmo__buf_puts(t, "; ONBUILD (from ");
		atmo__draw_put_onbuild_origin(t, B->c->m, n);
		atmo__buf_puts(t, "):");
		for (k = 0; k < n->ninherited; k++)
			atmo__buf_printf(t, "%s %s", k ? ";" : "", n->inherited[k]);
	}
	return atmo__buf_cstr(t);
}

/* Role classes of a node: "atmo-stage atmo-target ...". */
void atmo__draw_node_classes(atmo_buf *b, const atmo_rnode *n)
{
	static const char *const kind_class[] = { "atmo-stage", "atmo-external", "atmo-context",
						  "atmo-scratch" };
	atmo__buf_clear(b);
	atmo__buf_puts(b, kind_class[n->kind]);
	if (n->target)
		atmo__buf_puts(b, " atmo-target");
	if (n->kind == ATMO_NODE_STAGE && n->build_only)
		atmo__buf_puts(b, " atmo-build-only");
	if (n->kind == ATMO_NODE_STAGE && n->in_final)
		atmo__buf_puts(b, " atmo-in-final");
	if (!n->used)
		atmo__buf_puts(b, " atmo-unused");
}
