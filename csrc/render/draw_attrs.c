/*
 * How each object of the cgraph builder is drawn: for SVG its draw record
 * (svgout.c reads it), else its Graphviz attributes; its id, title and link;
 * the colours and styles of its role.
 */
#include <stdlib.h>
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"
#include "util/grow.h"

static int draw_kind(void *obj)
{
	int k = agobjkind(obj);
	return k == AGINEDGE ? AGOUTEDGE : k;
}

const atmo_rdraw *atmo__rdraw_get(const atmo_rctx *c, void *obj)
{
	int kind = draw_kind(obj);
	size_t seq = (size_t)AGSEQ(obj);
	const void *key = kind == AGOUTEDGE ? (const void *)AGMKOUT((Agedge_t *)obj) : obj;

	if (kind < 0 || kind > 2 || seq >= c->ndraw[kind] || c->draw[kind][seq].obj != key)
		return NULL;
	return &c->draw[kind][seq];
}

/* The draw record of obj, made with the declared defaults on first use; NULL when out of memory. */
atmo_rdraw *atmo__draw_rec(builder *B, void *obj)
{
	atmo_rctx *c = B->c;
	int kind = draw_kind(obj);
	size_t seq = (size_t)AGSEQ(obj);
	atmo_rdraw *d;

	if (kind < 0 || kind > 2)
		return NULL;
	if (seq >= c->ndraw[kind]) {
		size_t n = c->ndraw[kind];
		/* ndraw is the capacity: every record past the used ones starts zeroed */
		if (ATMO__GROW(c->draw[kind], c->ndraw[kind], seq + 1, NULL) < 0)
			return NULL;
		memset(c->draw[kind] + n, 0, (c->ndraw[kind] - n) * sizeof(*c->draw[kind]));
	}
	d = &c->draw[kind][seq];
	if (!d->obj) {
		d->obj = kind == AGOUTEDGE ? (void *)AGMKOUT((Agedge_t *)obj) : obj;
		d->ident = -1;
		d->fontcolor = B->p->fg;
		d->arrowsize = 1.0;
		if (kind == AGNODE) {
			d->fill = B->p->stage_fill;
			d->line = B->p->stage_line;
			d->style = "rounded,filled";
		} else if (kind == AGOUTEDGE) {
			d->line = d->fontcolor = B->p->edge[0];
			d->style = "solid";
			d->arrowsize = 0.8;
		}
	}
	return d;
}

void atmo__rctx_free(atmo_rctx *c)
{
	int k;
	atmo__ridmap_free(&c->ids);
	atmo__free(c->aria);
	c->aria = NULL;
	for (k = 0; k < 3; k++) {
		atmo__free(c->draw[k]);
		c->draw[k] = NULL;
		c->ndraw[k] = 0;
	}
	atmo__arena_free(&c->arena);
}

/*
 * Set attribute sym of obj to val. For SVG, what only the drawing uses goes
 * to obj's draw record and Graphviz never sees it (the attribute is not even
 * declared); what the layout needs goes to Graphviz too. `val` outlives the
 * render except for classes, which are copied.
 */
void atmo__draw_xset(builder *B, void *obj, Agsym_t *sym, int what, const char *val)
{
	atmo_rdraw *d;

	if (!B->svg || what == A_LAYOUT || what == A_SHAPE || what == A_ARROWSIZE)
		agxset(obj, sym, S(val));
	if (!B->svg || what == A_LAYOUT)
		return;
	if (!(d = atmo__draw_rec(B, obj))) {
		B->oom = 1;
		return;
	}
	switch (what) {
	case A_CLASS:
		if (!(d->cls = atmo__arena_strdup(&B->c->arena, val)))
			B->oom = 1;
		break;
	case A_STYLE:
		d->style = val;
		break;
	case A_FILL:
		d->fill = val;
		break;
	case A_COLOR:
		d->line = val;
		break;
	case A_FONTCOLOR:
		d->fontcolor = val;
		break;
	case A_PENWIDTH:
		d->pen2 = !strcmp(val, "2");
		break;
	case A_SHAPE:
		d->shape = !strcmp(val, "folder")      ? ATMO_RS_FOLDER
			   : !strcmp(val, "point")     ? ATMO_RS_POINT
			   : !strcmp(val, "plaintext") ? ATMO_RS_NONE
						       : ATMO_RS_BOX;
		break;
	default:
		d->arrowsize = strtod(val, NULL);
		break;
	}
}

/*
 * Labels are plain Graphviz strings, not HTML-like labels: Graphviz 2.42
 * leaks 72 bytes per text line of every HTML-like label on each layout (and
 * more with <B>), which a long-running process would feel. Text is escaped
 * for Graphviz (atmo__put_text mode 2); lines end with "\l" (left-justified).
 */
int atmo__draw_set_label(builder *B, void *obj, Agsym_t *sym, const char *s)
{
	(void)B;
	return agxset(obj, sym, S(s)) == 0 ? 0 : ATMO_ENOMEM;
}

/* Give obj its id from the map and a title; returns the ident or NULL on OOM. */
atmo_rident *atmo__draw_ident(builder *B, void *obj, Agsym_t *idsym, const char *prefix,
			      const char *key, const char *title)
{
	long i = atmo__ridmap_add(&B->c->ids, prefix, key);
	atmo_rident *e;
	atmo_buf t = ATMO_BUF_INIT;

	if (i < 0)
		return NULL;
	e = &B->c->ids.v[i];
	if (atmo__put_text(&t, title, 0, 0, 1) < 0) {
		atmo__buf_free(&t);
		return NULL;
	}
	e->title = atmo__buf_detach(&t);
	if (!e->title)
		return NULL;
	if (obj && B->svg) {
		atmo_rdraw *d = atmo__draw_rec(B, obj);
		if (!d)
			return NULL;
		d->ident = i;
	} else if (obj && idsym) {
		agxset(obj, idsym, e->id);
	}
	return e;
}

/* Percent-encode what must not appear raw in a URL attribute. */
static void put_url(atmo_buf *b, const char *s, int strict)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int ok = strict ? ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
				   ch == '.' || ch == '~')
				: (ch > 0x20 && ch < 0x7f && ch != '"' && ch != '<' && ch != '>' &&
				   ch != '\\' && ch != '\'' && ch != '`' && ch != '{' &&
				   ch != '}' && ch != '|' && ch != '^');
		if (ok) {
			atmo__buf_putc(b, (char)ch);
		} else {
			atmo__buf_putc(b, '%');
			atmo__buf_putc(b, hex[ch >> 4]);
			atmo__buf_putc(b, hex[ch & 15]);
		}
	}
}

int atmo__draw_set_link(builder *B, void *obj, Agsym_t *url, Agsym_t *target, atmo_rident *e,
			const char *anchor)
{
	atmo_buf u = ATMO_BUF_INIT;
	const char *base = B->c->o->link_base;

	if (!base || !anchor || !*anchor)
		return 0;
	if (!B->link.len) {
		/* the base, encoded once per render: raw for Graphviz, XML-escaped for the SVG */
		put_url(&B->link, base, 0);
		if (!B->link.len || B->link.ptr[B->link.len - 1] != '#')
			atmo__buf_putc(&B->link, '#');
		/* only [!-~] minus quotes and angles: XML-safe except & */
		atmo__put_text(&B->link_xml, atmo__buf_cstr(&B->link), 0, 0, 1);
		if (B->link.oom || B->link_xml.oom)
			return ATMO_ENOMEM;
	}
	if (B->svg)
		atmo__buf_put(&u, B->link_xml.ptr, B->link_xml.len);
	else
		atmo__buf_put(&u, B->link.ptr, B->link.len);
	put_url(&u, anchor, 1); /* [A-Za-z0-9._~%-]: XML-safe */
	if (u.oom) {
		atmo__buf_free(&u);
		return ATMO_ENOMEM;
	}
	if (!B->svg) {
		/* Graphviz draws the link (PNG and PDF keep it; DOT writes it) */
		agxset(obj, url, u.ptr);
		agxset(obj, target, S("_top"));
		atmo__buf_free(&u);
		return 0;
	}
	e->href = atmo__buf_detach(&u);
	return e->href ? 0 : ATMO_ENOMEM;
}

/*
 * The style of a rounded box. For SVG the writer draws it as <rect rx="6">
 * (Graphviz's own corner, without its path of 17 Bezier points a box), marked
 * by e->round. PNG and PDF keep Graphviz's rounded style.
 */
const char *atmo__draw_rounded(builder *B, atmo_rident *e)
{
	if (B->c->o->format != ATMO_FORMAT_SVG)
		return "rounded,filled";
	e->round = 1;
	return "filled";
}

const char *atmo__draw_node_fg(builder *B, const atmo_rnode *n)
{
	return n->used ? B->p->fg : B->p->unused_fg;
}

void atmo__draw_role_colors(builder *B, const atmo_rnode *n, const char **fill, const char **line)
{
	const palette *p = B->p;
	*fill = p->stage_fill;
	*line = p->stage_line;
	if (n->kind == ATMO_NODE_IMAGE) {
		*fill = p->ext_fill;
		*line = p->ext_line;
	} else if (n->kind == ATMO_NODE_CONTEXT) {
		*fill = p->ctx_fill;
		*line = p->ctx_line;
	} else if (n->kind == ATMO_NODE_SCRATCH) {
		*fill = p->ext_fill;
		*line = p->scratch_line;
	}
	if (n->target) {
		*fill = p->target_fill;
		*line = p->target_line;
	} else if (n->kind == ATMO_NODE_STAGE && n->build_only) {
		*fill = p->build_fill;
		*line = p->build_line;
	}
	if (!n->used) {
		*fill = p->unused_fill;
		*line = p->unused_line;
	}
}
