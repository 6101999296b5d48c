/*
 * Building the cgraph graph of a graph document: nodes, clusters, edges,
 * labels (plain Graphviz strings, escaped here), styles, CSS classes and stable ids.
 * For SVG, what only the drawing needs (colours, styles, classes, ids, links)
 * goes to draw records that svgout.c reads, and Graphviz gets only what its
 * layout reads; PNG, PDF and DOT get everything as Graphviz attributes.
 * Everything is created in document order so that output is deterministic.
 * The caller holds the render mutex: cgraph is not thread-safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "render/font_metrics.h"
#include "render/palette.h"
#include "render/graphviz_int.h"
#include "util/alloc.h"
#include "util/error.h"

/* cgraph 2.42 takes `char *` where later versions take `const char *`. */
#define S(x) ((char *)(x))

/* ---- stable ids ------------------------------------------------------------------ */

static size_t hash_str(const char *s, size_t len)
{
	size_t h = 1469598103934665603ULL, i;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/*
 * The two name tables of this file (stable ids, cgraph names) are open addressing
 * over indexes: a slot holds index + 1, 0 is empty, and key(ctx, i) gives back
 * the string of index i.
 */
typedef const char *(*slot_key_fn)(const void *ctx, size_t i);

/* Index of key, or -1 with *empty (if not NULL) set to the slot where it would go. */
static long slots_find(const size_t *slots, size_t nslots, const char *key, size_t len,
		       slot_key_fn keyof, const void *ctx, size_t *empty)
{
	size_t h, k;

	if (!nslots)
		return -1;
	h = hash_str(key, len) & (nslots - 1);
	for (k = 0; k < nslots; k++, h = (h + 1) & (nslots - 1)) {
		const char *s;
		if (!slots[h]) {
			if (empty)
				*empty = h;
			return -1;
		}
		s = keyof(ctx, slots[h] - 1);
		if (!strncmp(s, key, len) && s[len] == '\0')
			return (long)(slots[h] - 1);
	}
	return -1;
}

/* Twice the slots (64 at first) for the n indexes there are. */
static int slots_grow(size_t **slots, size_t *nslots, size_t n, slot_key_fn keyof, const void *ctx)
{
	size_t cap = *nslots ? *nslots * 2 : 64, i;
	size_t *v = atmo__calloc(cap, sizeof(*v), NULL);

	if (!v)
		return ATMO_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *k = keyof(ctx, i);
		size_t h = hash_str(k, strlen(k)) & (cap - 1);
		while (v[h])
			h = (h + 1) & (cap - 1);
		v[h] = i + 1;
	}
	atmo__free(*slots);
	*slots = v;
	*nslots = cap;
	return 0;
}

static const char *rid_key(const void *ctx, size_t i)
{
	return ((const atmo_ridmap *)ctx)->v[i].id;
}

const atmo_rident *atmo__ridmap_get(const atmo_ridmap *m, const char *id, size_t len)
{
	long i = slots_find(m->slots, m->nslots, id, len, rid_key, m, NULL);
	return i < 0 ? NULL : &m->v[i];
}

long atmo__ridmap_add(atmo_ridmap *m, const char *prefix, const char *key)
{
	size_t plen = strlen(prefix), klen = strnlen(key, 200), base_len, len, i, h;
	unsigned suffix = 1;
	char *id = atmo__malloc(plen + klen + 16, NULL);

	if (!id)
		return ATMO_ENOMEM;
	memcpy(id, prefix, plen);
	/* ids stay short: long keys are cut (uniqueness comes from the suffix) */
	for (i = 0; i < klen; i++) {
		char ch = key[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			ch = '-';
		id[plen + i] = ch;
	}
	base_len = len = plen + klen;
	id[len] = '\0';
	while (atmo__ridmap_get(m, id, len)) {
		int n = snprintf(id + base_len, 16, "-%u", ++suffix);
		len = base_len + (size_t)(n > 0 ? n : 0);
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		atmo_rident *v = atmo__realloc(m->v, cap * sizeof(*v), NULL);
		if (!v)
			goto oom;
		m->v = v;
		m->cap = cap;
	}
	if ((m->n + 1) * 2 > m->nslots && slots_grow(&m->slots, &m->nslots, m->n, rid_key, m) < 0)
		goto oom;
	slots_find(m->slots, m->nslots, id, len, rid_key, m, &h);   /* new: its empty slot */
	i = m->n++;
	m->v[i].id = id;
	m->v[i].title = NULL;
	m->v[i].href = NULL;
	m->v[i].round = 0;
	m->slots[h] = i + 1;
	return (long)i;
oom:
	atmo__free(id);
	return ATMO_ENOMEM;
}

void atmo__ridmap_free(atmo_ridmap *m)
{
	size_t i;
	for (i = 0; i < m->n; i++) {
		atmo__free(m->v[i].id);
		atmo__free(m->v[i].title);
		atmo__free(m->v[i].href);
	}
	atmo__free(m->v);
	atmo__free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- deterministic object ids ----------------------------------------------------------
 * cgraph's default id discipline uses the address of the interned name as the id
 * of a named object, and keeps subgraphs ordered by id: cluster order (and so
 * layout and output order) would follow malloc. This discipline numbers names
 * in creation order instead (even ids; odd ids stay for anonymous objects).
 */
typedef struct {
	Agraph_t *g;
	char **names;   /* interned in the graph's string dictionary (agwrite reads their flags) */
	size_t n, cap;
	size_t *slots;  /* open addressing: index + 1 */
	size_t nslots;
	IDTYPE anon;
} idstate;

static void *id_open(Agraph_t *g, Agdisc_t *d)
{
	idstate *s = atmo__calloc(1, sizeof(*s), NULL);
	(void)d;
	if (s) {
		s->g = g;
		s->anon = 1;
	}
	return s;
}

static const char *name_key(const void *ctx, size_t i)
{
	return ((const idstate *)ctx)->names[i];
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	idstate *s = state;
	size_t slot = 0;
	long i;

	(void)objtype;
	if (!s)
		return 0;
	if (!str) {
		*id = s->anon;
		s->anon += 2;
		return 1;
	}
	i = slots_find(s->slots, s->nslots, str, strlen(str), name_key, s, &slot);
	if (i >= 0) {
		*id = (IDTYPE)(i + 1) * 2;
		return 1;
	}
	if (!createflag)
		return 0;
	if ((s->n + 1) * 2 > s->nslots) {
		if (slots_grow(&s->slots, &s->nslots, s->n, name_key, s) < 0)
			return 0;
		slots_find(s->slots, s->nslots, str, strlen(str), name_key, s, &slot);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **v = atmo__realloc(s->names, cap * sizeof(*v), NULL);
		if (!v)
			return 0;
		s->names = v;
		s->cap = cap;
	}
	if (!(s->names[s->n] = agstrdup(s->g, str)))
		return 0;
	s->slots[slot] = ++s->n;
	*id = (IDTYPE)s->n * 2;
	return 1;
}

static long id_alloc(void *state, int objtype, IDTYPE request)
{
	(void)state;
	(void)objtype;
	(void)request;
	return 0;
}

static void id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *id_print(void *state, int objtype, IDTYPE id)
{
	idstate *s = state;
	(void)objtype;
	if (s && id % 2 == 0 && id >= 2 && id / 2 <= s->n)
		return s->names[id / 2 - 1];
	return NULL;
}

static void id_close(void *state)
{
	idstate *s = state;
	if (!s)
		return;
	/* the names go with the graph's string dictionary, which agclose frees next */
	atmo__free(s->names);
	atmo__free(s->slots);
	atmo__free(s);
}

static void id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

Agiddisc_t atmo__ordered_ids = { id_open, id_map, id_alloc, id_free, id_print, id_close, id_register };

/* ---- styles -------------------------------------------------------------------------- */

typedef atmo__palette palette;

#define FONT ATMO_FONT_FAMILY
#define BAR_CELLS 16
/* Instruction text and descriptions wrap at WRAP code points, WRAP_LINES lines at most
 * (the tooltip has the whole text); overview names at NAME_WRAP, on separators. */
#define WRAP 36
#define WRAP_LINES 6
#define NAME_WRAP 18

/* Attribute symbols, declared once on the root graph. */
typedef struct {
	Agsym_t *g_label, *g_id, *g_class, *g_style, *g_fill, *g_color, *g_fontcolor, *g_penwidth,
		*g_url, *g_target, *g_labeljust, *g_labelloc;
	Agsym_t *n_label, *n_id, *n_class, *n_shape, *n_style, *n_fill, *n_color, *n_fontcolor,
		*n_penwidth, *n_url, *n_target, *n_width, *n_height;
	Agsym_t *e_label, *e_id, *e_class, *e_style, *e_color, *e_fontcolor, *e_arrowhead,
		*e_penwidth, *e_arrowsize;
} syms;

typedef struct {
	atmo_rctx *c;
	const palette *p;
	Agraph_t *g;
	syms s;
	atmo_buf b;           /* scratch for labels */
	atmo_buf t;           /* scratch for titles */
	size_t maxlen;
	long long max_node_bytes, max_image_bytes;
	Agraph_t **image_sub; /* cluster per image, or NULL */
	Agnode_t **image_title; /* its title node */
	Agnode_t **first, **last; /* per model node: where edges end (layer view: first/last layer) */
	Agraph_t **stage_cluster;
	atmo_error *err;
	int svg;              /* drawing attributes go to draw records (svgout.c), not to Graphviz */
	int oom;
	atmo_buf link, link_xml;  /* the encoded link base and "#", raw and XML-escaped */
} builder;

/* ---- draw records (SVG) ------------------------------------------------------------------ */

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
		size_t n = c->ndraw[kind] * 2 > seq + 16 ? c->ndraw[kind] * 2 : seq + 16;
		atmo_rdraw *v = atmo__realloc(c->draw[kind], n * sizeof(*v), NULL);
		if (!v)
			return NULL;
		memset(v + c->ndraw[kind], 0, (n - c->ndraw[kind]) * sizeof(*v));
		c->draw[kind] = v;
		c->ndraw[kind] = n;
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

/* What an attribute is to the SVG writer (A_LAYOUT: only to Graphviz's layout). */
enum { A_LAYOUT = 0, A_CLASS, A_STYLE, A_FILL, A_COLOR, A_FONTCOLOR, A_PENWIDTH, A_SHAPE, A_ARROWSIZE };

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
	case A_STYLE: d->style = val; break;
	case A_FILL: d->fill = val; break;
	case A_COLOR: d->line = val; break;
	case A_FONTCOLOR: d->fontcolor = val; break;
	case A_PENWIDTH: d->pen2 = !strcmp(val, "2"); break;
	case A_SHAPE:
		d->shape = !strcmp(val, "folder") ? ATMO_RS_FOLDER : !strcmp(val, "point") ? ATMO_RS_POINT
				: !strcmp(val, "plaintext") ? ATMO_RS_NONE : ATMO_RS_BOX;
		break;
	default: d->arrowsize = strtod(val, NULL); break;
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
atmo_rident *atmo__draw_ident(builder *B, void *obj, Agsym_t *idsym, const char *prefix, const char *key,
			  const char *title)
{
	long i = atmo__ridmap_add(&B->c->ids, prefix, key);
	atmo_rident *e;
	atmo_buf t = ATMO_BUF_INIT;

	if (i < 0)
		return NULL;
	e = &B->c->ids.v[i];
	if (atmo__put_text(&t, title, 0, 0, 1) < 0)
		return NULL;
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
				   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~')
				: (ch > 0x20 && ch < 0x7f && ch != '"' && ch != '<' && ch != '>' &&
				   ch != '\\' && ch != '\'' && ch != '`' && ch != '{' && ch != '}' && ch != '|' &&
				   ch != '^');
		if (ok) {
			atmo__buf_putc(b, (char)ch);
		} else {
			atmo__buf_putc(b, '%');
			atmo__buf_putc(b, hex[ch >> 4]);
			atmo__buf_putc(b, hex[ch & 15]);
		}
	}
}

/* A size bar drawn with block characters: BAR_CELLS cells, filled in proportion. */
void atmo__draw_put_bar(builder *B, long long bytes, long long max)
{
	long w = max > 0 ? (long)((double)bytes * BAR_CELLS / (double)max + 0.5) : 0, k;
	if (w < 1)
		w = 1;
	if (w > BAR_CELLS)
		w = BAR_CELLS;
	for (k = 0; k < BAR_CELLS; k++)
		atmo__buf_puts(&B->b, k < w ? "\xe2\x96\x88" : "\xe2\x96\x91"); /* full block, light shade */
	atmo__buf_puts(&B->b, "\\l");
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

/* End a left-justified label line. */
void atmo__draw_end_line(builder *B)
{
	atmo__buf_puts(&B->b, "\\l");
}

const char *atmo__draw_node_fg(builder *B, const atmo_rnode *n)
{
	return n->used ? B->p->fg : B->p->unused_fg;
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
		atmo__buf_printf(&B->b, "%s%lld packages", n->has_size ? " \xc2\xb7 " : "", n->packages);
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
				atmo__buf_printf(&B->b, "lines %ld\xe2\x80\x93%ld", n->line, n->end_line);
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
		atmo__buf_printf(t, n->end_line > n->line ? ", lines %ld-%ld" : ", line %ld", n->line,
				 n->end_line);
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
	static const char *const kind_class[] = { "atmo-stage", "atmo-external", "atmo-context", "atmo-scratch" };
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

/* A node name not yet taken in the root graph (names are what DOT output shows). */
Agnode_t *atmo__draw_new_node(builder *B, Agraph_t *parent, const char *name)
{
	Agnode_t *nd;
	unsigned k = 1;

	if (!agnode(B->g, S(name), 0))
		return agnode(parent, S(name), 1);
	for (;;) {
		char *alt;
		atmo_buf a = ATMO_BUF_INIT;
		atmo__buf_printf(&a, "%s#%u", name, ++k);
		alt = atmo__buf_detach(&a);
		if (!alt)
			return NULL;
		if (!agnode(B->g, alt, 0)) {
			nd = agnode(parent, alt, 1);
			atmo__free(alt);
			return nd;
		}
		atmo__free(alt);
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
 * A cluster's title as a text-only node inside it, above its nodes (invisible edges
 * atmo__draw_title_edges() adds), instead of a cluster label: dot routes edges around nodes but
 * not around cluster labels, so edges entering a cluster from above ran through its
 * title. The label is in B->b; the node links and has the tooltip of the cluster (e).
 */
Agnode_t *atmo__draw_title_node(builder *B, Agraph_t *sg, const char *key, atmo_rident *ce,
			    const char *fontcolor, const char *roles)
{
	atmo_buf nm = ATMO_BUF_INIT;
	atmo_rident *e;
	Agnode_t *nd;
	char *title, *href = NULL;

	atmo__buf_printf(&nm, "title: %s", key);
	nd = nm.oom ? NULL : atmo__draw_new_node(B, sg, nm.ptr);
	atmo__buf_free(&nm);
	if (!nd || B->b.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return NULL;
	/* copies first: ce points into the ids, which atmo__draw_ident() may move */
	if (!(title = atmo__strdup(ce->title ? ce->title : "", NULL)) || (ce->href && !(href = atmo__strdup(ce->href, NULL)))) {
		atmo__free(title);
		return NULL;
	}
	if (!(e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-title-", key, ""))) {
		atmo__free(title);
		atmo__free(href);
		return NULL;
	}
	atmo__free(e->title);
	e->title = title;
	e->href = href;
	atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("plaintext"));
	atmo__buf_clear(&B->t);
	atmo__buf_puts(&B->t, "atmo-cluster-title");
	if (roles && *roles) {
		atmo__buf_putc(&B->t, ' ');
		atmo__buf_puts(&B->t, roles);
	}
	if (B->t.oom)
		return NULL;
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, B->t.ptr);
	atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(""));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(fontcolor));
	atmo__draw_xset(B, nd, B->s.n_height, A_LAYOUT, S("0.2"));
	return nd;
}

/* Invisible edges from a cluster's title node to the cluster's other nodes (to its
 * first node only when `first` is given). */
int atmo__draw_title_edges(builder *B, Agraph_t *sg, Agnode_t *title, Agnode_t *first)
{
	Agnode_t *n;
	for (n = first ? first : agfstnode(sg); n; n = first ? NULL : agnxtnode(sg, n)) {
		Agedge_t *ed;
		if (n == title)
			continue;
		if (!(ed = agedge(B->g, title, n, NULL, 1)))
			return ATMO_ENOMEM;
		atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S("invis"));
		atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S("none"));
	}
	return 0;
}

int atmo__draw_add_plain_node(builder *B, size_t i, Agraph_t *parent)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	const char *fill, *line;
	atmo_rident *e;
	Agnode_t *nd = atmo__draw_new_node(B, parent, n->id);
	atmo_buf cls = ATMO_BUF_INIT;
	int rc = 0;

	if (!nd)
		return ATMO_ENOMEM;
	B->first[i] = B->last[i] = nd;
	if (n->kind == ATMO_NODE_STAGE)
		atmo__draw_stage_label(B, n);
	else
		atmo__draw_other_label(B, n);
	if (B->b.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return ATMO_ENOMEM;
	e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-node-", n->id, atmo__draw_node_title(B, n));
	if (!e)
		return ATMO_ENOMEM;
	atmo__draw_node_classes(&cls, n);
	if (cls.oom)
		return ATMO_ENOMEM;
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
	atmo__buf_free(&cls);
	atmo__draw_role_colors(B, n, &fill, &line);
	atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
	atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
	switch (n->kind) {
	case ATMO_NODE_STAGE:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, e)));
		if (n->target)
			atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
		break;
	case ATMO_NODE_IMAGE:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(n->used ? "dashed,filled" : "dashed,filled"));
		break;
	case ATMO_NODE_CONTEXT:
		atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("folder"));
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		break;
	default:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dotted,filled"));
		break;
	}
	if (n->kind == ATMO_NODE_STAGE)
		rc = atmo__draw_set_link(B, nd, B->s.n_url, B->s.n_target, e, n->anchor);
	return rc;
}

/* Layer view: a cluster per stage with one node per instruction. */
int atmo__draw_add_layer_stage(builder *B, size_t i, Agraph_t *parent)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	const char *fill, *line;
	char cname[48];
	Agraph_t *sg;
	atmo_rident *e;
	Agnode_t *prev = NULL, *title;
	atmo_buf cls = ATMO_BUF_INIT, nm = ATMO_BUF_INIT;
	size_t k, nlayers, pos;
	int rc = 0, from_first;

	snprintf(cname, sizeof(cname), "cluster_stage%zu", i);
	sg = agsubg(parent, cname, 1);
	if (!sg)
		return ATMO_ENOMEM;
	B->stage_cluster[i] = sg;
	e = atmo__draw_ident(B, sg, B->s.g_id, "atmo-node-", n->id, atmo__draw_node_title(B, n));
	if (!e)
		return ATMO_ENOMEM;
	atmo__draw_node_classes(&cls, n);
	atmo__buf_puts(&cls, " atmo-layers");
	if (cls.oom)
		return ATMO_ENOMEM;
	atmo__draw_xset(B, sg, B->s.g_class, A_CLASS, cls.ptr);
	atmo__draw_role_colors(B, n, &fill, &line);
	atmo__draw_xset(B, sg, B->s.g_style, A_STYLE, S(atmo__draw_rounded(B, e)));
	atmo__draw_xset(B, sg, B->s.g_labelloc, A_LAYOUT, S("t"));
	atmo__draw_xset(B, sg, B->s.g_fill, A_FILL, S(fill));
	atmo__draw_xset(B, sg, B->s.g_color, A_COLOR, S(line));
	atmo__draw_xset(B, sg, B->s.g_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
	atmo__draw_xset(B, sg, B->s.g_labeljust, A_LAYOUT, S("l"));
	if (n->target)
		atmo__draw_xset(B, sg, B->s.g_penwidth, A_PENWIDTH, S("2"));
	if ((rc = atmo__draw_set_link(B, sg, B->s.g_url, B->s.g_target, e, n->anchor)) < 0)
		goto done;
	atmo__draw_stage_label(B, n);
	atmo__draw_node_classes(&cls, n); /* the title's roles: the stage's, without atmo-layers */
	if (cls.oom || !(title = atmo__draw_title_node(B, sg, n->id, e, atmo__draw_node_fg(B, n), cls.ptr))) {
		rc = ATMO_ENOMEM;
		goto done;
	}

	/* The FROM line is a layer of its own unless the document lists it. The
	 * inherited ONBUILD triggers run right after FROM: entries of their own. */
	from_first = !(n->ninstr && !strcasecmp(n->instr[0].keyword, "from"));
	nlayers = n->ninstr + (size_t)from_first;
	for (pos = 0; pos < nlayers + n->ninherited; pos++) {
		size_t ob = pos >= 1 && pos <= n->ninherited ? pos - 1 : (size_t)-1;
		const atmo_rinstr *in;
		Agnode_t *nd;
		char key[48];

		k = ob != (size_t)-1 ? 0 : pos ? pos - n->ninherited : 0;
		in = from_first ? (k ? &n->instr[k - 1] : NULL) : &n->instr[k];
		if (ob != (size_t)-1)
			snprintf(key, sizeof(key), "-onbuild-%zu", ob);
		else
			snprintf(key, sizeof(key), "-%zu", k);
		atmo__buf_clear(&nm);
		if (ob != (size_t)-1)
			atmo__buf_printf(&nm, "%s#onbuild%zu", n->id, ob);
		else
			atmo__buf_printf(&nm, "%s#%zu", n->id, k);
		if (nm.oom || !(nd = atmo__draw_new_node(B, sg, nm.ptr))) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&B->b);
		atmo__buf_clear(&B->t);
		if (ob != (size_t)-1) {
			atmo_buf origin = ATMO_BUF_INIT;
			atmo__draw_put_onbuild_origin(&origin, B->c->m, n);
			atmo__buf_puts(&B->b, "ONBUILD (from ");
			atmo__put_text(&B->b, origin.oom ? "?" : atmo__buf_cstr(&origin), B->maxlen * 2, 1, 2);
			atmo__buf_puts(&B->b, ")\\l");
			atmo__put_wrapped(&B->b, n->inherited[ob], WRAP, WRAP_LINES, 0);
			atmo__buf_printf(&B->t, "ONBUILD %s (inherited from %s)", n->inherited[ob],
					 origin.oom ? "?" : atmo__buf_cstr(&origin));
			if (n->line)
				atmo__buf_printf(&B->t, ", run at FROM (line %ld)", n->line);
			atmo__buf_free(&origin);
		} else if (in) {
			atmo__put_wrapped(&B->b, in->text, WRAP, WRAP_LINES, 0);
			atmo__buf_puts(&B->t, in->text);
			if (in->line)
				atmo__buf_printf(&B->t, in->end_line > in->line ? " (lines %ld-%ld)" : " (line %ld)",
						 in->line, in->end_line);
		} else {
			atmo__draw_put_name_lines(B, "FROM ", n->base, B->maxlen);
			atmo__buf_printf(&B->t, "FROM %s", n->base ? n->base : "?");
			if (n->line)
				atmo__buf_printf(&B->t, " (line %ld)", n->line);
		}
		if (B->b.oom || B->t.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&nm);
		atmo__buf_puts(&nm, n->id);
		atmo__buf_puts(&nm, key);
		if (nm.oom || !atmo__draw_ident(B, nd, B->s.n_id, "atmo-layer-", nm.ptr, atmo__buf_cstr(&B->t))) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&cls);
		atmo__buf_puts(&cls, "atmo-layer atmo-layer-");
		atmo__put_text(&cls, ob != (size_t)-1 ? "onbuild" : in ? in->keyword : "from", 0, 0, 0);
		for (char *q = cls.ptr; q && *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
			else if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == ' '))
				*q = '-';
		if (ob != (size_t)-1)
			atmo__buf_puts(&cls, " atmo-inherited");
		if (cls.oom) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(B->p->layer_fill));
		atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
		atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
		if (!prev) {
			B->first[i] = nd;
		} else {
			Agedge_t *ed = agedge(B->g, prev, nd, NULL, 1);
			if (!ed) {
				rc = ATMO_ENOMEM;
				goto done;
			}
			atmo__buf_clear(&nm);
			atmo__buf_puts(&nm, n->id);
			atmo__buf_puts(&nm, key);
			if (nm.oom || !atmo__draw_ident(B, ed, B->s.e_id, "atmo-seq-", nm.ptr, "next instruction")) {
				rc = ATMO_ENOMEM;
				goto done;
			}
			atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, S("atmo-sequence"));
			atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(line));
			atmo__draw_xset(B, ed, B->s.e_arrowsize, A_ARROWSIZE, S("0.5"));
		}
		B->last[i] = nd;
		prev = nd;
	}
	rc = atmo__draw_title_edges(B, sg, title, B->first[i]);
done:
	atmo__buf_free(&cls);
	atmo__buf_free(&nm);
	return rc;
}

/* Layer view: the layer node of stage i that holds `line` (else the first one). */
Agnode_t *atmo__draw_layer_at(builder *B, size_t i, long line)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	int from_first;
	size_t k;

	if (!B->c->o->layers || n->kind != ATMO_NODE_STAGE || !line)
		return B->first[i];
	from_first = !(n->ninstr && !strcasecmp(n->instr[0].keyword, "from"));
	for (k = 0; k < n->ninstr; k++)
		if (n->instr[k].line <= line && line <= n->instr[k].end_line) {
			char name[32];
			Agnode_t *nd;
			atmo_buf nm = ATMO_BUF_INIT;
			snprintf(name, sizeof(name), "#%zu", k + (size_t)from_first);
			atmo__buf_puts(&nm, n->id);
			atmo__buf_puts(&nm, name);
			nd = nm.oom ? NULL : agnode(B->g, nm.ptr, 0);
			atmo__buf_free(&nm);
			/* the node may carry a suffixed name after a clash: fall back to the first */
			return nd && agcontains(B->stage_cluster[i], nd) ? nd : B->first[i];
		}
	return B->first[i];
}

/* Layer view: the first inherited ONBUILD entry of stage i, or NULL when it has none. */
Agnode_t *atmo__draw_onbuild_entry(builder *B, size_t i)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	atmo_buf nm = ATMO_BUF_INIT;
	Agnode_t *nd;

	if (!B->c->o->layers || n->kind != ATMO_NODE_STAGE || !n->ninherited || !B->stage_cluster[i])
		return NULL;
	atmo__buf_printf(&nm, "%s#onbuild0", n->id);
	nd = nm.oom ? NULL : agnode(B->g, nm.ptr, 0);
	atmo__buf_free(&nm);
	return nd && agcontains(B->stage_cluster[i], nd) ? nd : NULL;
}

/* How each edge kind (ATMO_EDGE_BASE, ATMO_EDGE_COPY, ATMO_EDGE_MOUNT, ATMO_EDGE_ONBUILD) is drawn, in the graph and its legend. */
const char *const atmo__draw_edge_style[] = { "solid", "dashed", "dotted", "bold" };
const char *const atmo__draw_edge_head[] = { "normal", "empty", "diamond", "vee" };
const char *const atmo__draw_edge_class[] = { "atmo-base", "atmo-copy", "atmo-mount", "atmo-onbuild" };

int atmo__draw_add_edge(builder *B, size_t j)
{
	const atmo_rmodel *m = B->c->m;
	const atmo_redge *e = &m->edges[j];
	const atmo_rnode *f = &m->nodes[e->from_idx], *t = &m->nodes[e->to_idx];
	Agnode_t *a = B->last[e->from_idx], *z = atmo__draw_layer_at(B, e->to_idx, e->line);
	Agedge_t *ed;
	atmo_buf key = ATMO_BUF_INIT, lab = ATMO_BUF_INIT;
	size_t k;
	int rc = 0, has_label = 0;

	if (e->kind == ATMO_EDGE_ONBUILD && z) {
		/* the triggers run first in the stage: the edge ends at their entry */
		Agnode_t *ob = atmo__draw_onbuild_entry(B, e->to_idx);
		if (ob)
			z = ob;
	}
	if (!a || !z)
		return 0; /* an end is hidden (scratch) */
	ed = agedge(B->g, a, z, NULL, 1);
	if (!ed)
		return ATMO_ENOMEM;
	/* puts, not printf: an edge is made for every dependency of every render */
	atmo__buf_puts(&key, f->id);
	atmo__buf_puts(&key, "--");
	atmo__buf_puts(&key, t->id);
	atmo__buf_putc(&key, '-');
	atmo__buf_puts(&key, atmo__redge_kind_name(e->kind));
	atmo__buf_clear(&B->t);
	atmo__buf_puts(&B->t, f->kind == ATMO_NODE_IMAGE && f->ref ? f->ref : f->name);
	atmo__buf_puts(&B->t, " \xe2\x86\x92 ");
	atmo__buf_puts(&B->t, t->name);
	atmo__buf_puts(&B->t, e->kind == ATMO_EDGE_BASE ? ": FROM" : e->kind == ATMO_EDGE_COPY ? ": COPY --from" :
			      e->kind == ATMO_EDGE_MOUNT ? ": RUN --mount from" : ": ONBUILD");
	for (k = 0; k < e->nsources; k++) {
		atmo__buf_putc(&B->t, ' ');
		atmo__buf_puts(&B->t, e->sources[k]);
	}
	if (e->dest) {
		atmo__buf_puts(&B->t, e->kind == ATMO_EDGE_MOUNT ? " at " : " into ");
		atmo__buf_puts(&B->t, e->dest);
	}
	if (e->context) {
		atmo__buf_puts(&B->t, " (context ");
		atmo__buf_puts(&B->t, e->context);
		atmo__buf_putc(&B->t, ')');
	}
	if (e->line)
		atmo__buf_printf(&B->t, ", line %ld", e->line);
	if (key.oom || B->t.oom || !atmo__draw_ident(B, ed, B->s.e_id, "atmo-edge-", key.ptr, B->t.ptr)) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	atmo__buf_clear(&key);
	atmo__buf_puts(&key, atmo__draw_edge_class[e->kind]);
	if (e->context)
		atmo__buf_puts(&key, " atmo-cross-image");
	atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, key.ptr);
	atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S(atmo__draw_edge_style[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S(atmo__draw_edge_head[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->edge[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_fontcolor, A_FONTCOLOR, S(B->p->edge[e->kind]));
	if (e->kind == ATMO_EDGE_COPY || e->kind == ATMO_EDGE_MOUNT) {
		atmo_buf paths = ATMO_BUF_INIT;
		if (e->kind == ATMO_EDGE_MOUNT && e->dest)
			atmo__buf_puts(&paths, e->dest);
		for (k = 0; k < e->nsources && !(e->kind == ATMO_EDGE_MOUNT && e->dest); k++) {
			if (k)
				atmo__buf_putc(&paths, ' ');
			atmo__buf_puts(&paths, e->sources[k]);
		}
		if (paths.len) {
			atmo__put_text(&lab, paths.ptr, B->maxlen, 1, 2);
			has_label = 1;
		}
		atmo__buf_free(&paths);
	} else if (e->kind == ATMO_EDGE_ONBUILD) {
		atmo__buf_puts(&lab, "ONBUILD");
		has_label = 1;
	}
	/* the named context an edge goes through is in its tooltip and its class
	 * (atmo-cross-image), not in a label: a family's context labels ran together
	 * and edges crossed them */
	if (lab.oom) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	if (has_label)
		rc = atmo__draw_set_label(B, ed, B->s.e_label, lab.ptr);
	if (!f->used || !t->used)
		atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->unused_line));
done:
	atmo__buf_free(&key);
	atmo__buf_free(&lab);
	return rc;
}

int atmo__draw_add_legend(builder *B)
{
	static const struct { const char *key, *label, *cls; int kind, target, build_only, used; } items[] = {
		{ "stage", "stage", "atmo-stage", ATMO_NODE_STAGE, 0, 0, 1 },
		{ "target", "target", "atmo-stage atmo-target", ATMO_NODE_STAGE, 1, 0, 1 },
		{ "build-only", "build only", "atmo-stage atmo-build-only", ATMO_NODE_STAGE, 0, 1, 1 },
		{ "unused", "unused", "atmo-stage atmo-unused", ATMO_NODE_STAGE, 0, 0, 0 },
		{ "external", "external image", "atmo-external", ATMO_NODE_IMAGE, 0, 0, 1 },
		{ "context", "named context", "atmo-context", ATMO_NODE_CONTEXT, 0, 0, 1 },
		{ "scratch", "scratch", "atmo-scratch", ATMO_NODE_SCRATCH, 0, 0, 1 },
	};
	static const char *const edge_label[] = { "FROM", "COPY --from", "RUN --mount", "ONBUILD" };
	Agraph_t *sg = agsubg(B->g, S("cluster_legend"), 1);
	atmo_rident *le;
	atmo_buf cls = ATMO_BUF_INIT;
	char name[64];
	size_t i;
	int rc = 0;

	if (!sg)
		return ATMO_ENOMEM;
	if (atmo__draw_set_label(B, sg, B->s.g_label, "Legend") < 0 ||
	    !(le = atmo__draw_ident(B, sg, B->s.g_id, "atmo-legend", "", "Legend")))
		return ATMO_ENOMEM;
	atmo__draw_xset(B, sg, B->s.g_class, A_CLASS, S("atmo-legend"));
	atmo__draw_xset(B, sg, B->s.g_labelloc, A_LAYOUT, S("t"));
	atmo__draw_xset(B, sg, B->s.g_style, A_STYLE, S(atmo__draw_rounded(B, le)));
	atmo__draw_xset(B, sg, B->s.g_fill, A_FILL, S(B->p->cluster_fill));
	atmo__draw_xset(B, sg, B->s.g_color, A_COLOR, S(B->p->cluster_line));
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		atmo_rnode n;
		const char *fill, *line;
		Agnode_t *nd;
		memset(&n, 0, sizeof(n));
		n.kind = items[i].kind;
		n.target = items[i].target;
		n.build_only = items[i].build_only;
		n.used = items[i].used;
		atmo__draw_role_colors(B, &n, &fill, &line);
		snprintf(name, sizeof(name), "legend: %s", items[i].key);
		if (!(nd = atmo__draw_new_node(B, sg, name)))
			return ATMO_ENOMEM;
		atmo__buf_clear(&B->b);
		atmo__put_text(&B->b, items[i].label, 0, 0, 2);
		if (atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0 ||
		    !(le = atmo__draw_ident(B, nd, B->s.n_id, "atmo-legend-", items[i].key, items[i].label)))
			return ATMO_ENOMEM;
		if (n.kind == ATMO_NODE_STAGE)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, le)));
		atmo__buf_clear(&cls);
		atmo__buf_printf(&cls, "atmo-legend-item %s", items[i].cls);
		if (cls.oom)
			return ATMO_ENOMEM;
		atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
		atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
		atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, &n)));
		if (n.target)
			atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
		if (n.kind == ATMO_NODE_IMAGE)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dashed,filled"));
		else if (n.kind == ATMO_NODE_CONTEXT) {
			atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("folder"));
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		} else if (n.kind == ATMO_NODE_SCRATCH)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dotted,filled"));
	}
	for (i = 0; i < 4; i++) {
		Agnode_t *a, *z;
		Agedge_t *ed;
		snprintf(name, sizeof(name), "legend: %s from", atmo__redge_kind_name((int)i));
		a = atmo__draw_new_node(B, sg, name);
		snprintf(name, sizeof(name), "legend: %s to", atmo__redge_kind_name((int)i));
		z = atmo__draw_new_node(B, sg, name);
		if (!a || !z || !(ed = agedge(B->g, a, z, NULL, 1)))
			return ATMO_ENOMEM;
		snprintf(name, sizeof(name), "%s-from", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, a, B->s.n_id, "atmo-legend-", name, ""))
			return ATMO_ENOMEM;
		snprintf(name, sizeof(name), "%s-to", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, z, B->s.n_id, "atmo-legend-", name, ""))
			return ATMO_ENOMEM;
		atmo__draw_xset(B, a, B->s.n_shape, A_SHAPE, S("point"));
		atmo__draw_xset(B, z, B->s.n_shape, A_SHAPE, S("point"));
		atmo__draw_xset(B, a, B->s.n_width, A_LAYOUT, S("0.06"));
		atmo__draw_xset(B, z, B->s.n_width, A_LAYOUT, S("0.06"));
		atmo__draw_xset(B, a, B->s.n_class, A_CLASS, S("atmo-legend-point"));
		atmo__draw_xset(B, z, B->s.n_class, A_CLASS, S("atmo-legend-point"));
		atmo__draw_xset(B, a, B->s.n_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, z, B->s.n_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, a, B->s.n_fill, A_FILL, S(B->p->edge[i]));
		atmo__draw_xset(B, z, B->s.n_fill, A_FILL, S(B->p->edge[i]));
		snprintf(name, sizeof(name), "%s", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, ed, B->s.e_id, "atmo-legend-edge-", name, edge_label[i]))
			return ATMO_ENOMEM;
		atmo__buf_clear(&cls);
		atmo__buf_printf(&cls, "atmo-legend-item %s", atmo__draw_edge_class[i]);
		atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S(atmo__draw_edge_style[i]));
		atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S(atmo__draw_edge_head[i]));
		atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, ed, B->s.e_fontcolor, A_FONTCOLOR, S(B->p->edge[i]));
		atmo__buf_clear(&B->b);
		atmo__put_text(&B->b, edge_label[i], 0, 0, 2);
		if (atmo__draw_set_label(B, ed, B->s.e_label, B->b.ptr) < 0)
			return ATMO_ENOMEM;
	}
	atmo__buf_free(&cls);
	return rc;
}

/* ---- overview: one node per image ------------------------------------------------------ */

/* Append "; text" (XML-escaped) to the title of ident i: a merged edge names each link. */
static int title_append(builder *B, long i, const char *text)
{
	atmo_rident *e = &B->c->ids.v[i];
	atmo_buf t = ATMO_BUF_INIT;

	atmo__put_text(&t, text, 0, 0, 1);
	if (!t.oom && e->title && strstr(e->title, t.ptr)) {
		atmo__buf_free(&t);   /* said already (two stages of one image FROM the other) */
		return 0;
	}
	atmo__buf_clear(&t);
	atmo__buf_puts(&t, e->title ? e->title : "");
	atmo__buf_puts(&t, "; ");
	atmo__put_text(&t, text, 0, 0, 1);
	if (t.oom) {
		atmo__buf_free(&t);
		return ATMO_ENOMEM;
	}
	atmo__free(e->title);
	e->title = atmo__buf_detach(&t);
	return e->title ? 0 : ATMO_ENOMEM;
}

/* The image node of the overview: its name (wrapped on separators), size and bar. */
static Agnode_t *overview_image(builder *B, size_t i)
{
	const atmo_rmodel *m = B->c->m;
	const atmo_rimage *im = &m->images[i];
	const char *fill, *line;
	atmo_rnode role;
	atmo_rident *e;
	Agnode_t *nd;
	long t = im->target ? atmo__rmodel_find(m, im->target) : -1;
	char a[32], b2[32];
	atmo_buf name = ATMO_BUF_INIT;

	atmo__buf_printf(&name, "image: %s", im->id);
	nd = name.oom ? NULL : atmo__draw_new_node(B, B->g, name.ptr);
	atmo__buf_free(&name);
	if (!nd)
		return NULL;
	atmo__buf_clear(&B->b);
	atmo__buf_clear(&B->t);
	atmo__put_wrapped(&B->b, im->label ? im->label : im->id, NAME_WRAP, 4, 1);
	atmo__buf_printf(&B->t, "image %s", im->label ? im->label : im->id);
	if (im->dockerfile)
		atmo__buf_printf(&B->t, " (%s)", im->dockerfile);
	if (im->has_size) {
		atmo__human_bytes(a, sizeof(a), im->bytes);
		atmo__buf_puts(&B->b, a);
		atmo__buf_printf(&B->t, ", %s", a);
		if (im->compressed) {
			atmo__human_bytes(b2, sizeof(b2), im->compressed);
			atmo__buf_printf(&B->t, " (%s compressed)", b2);
		}
		atmo__draw_end_line(B);
		atmo__draw_put_bar(B, im->bytes, B->max_image_bytes);
	}
	if (B->b.oom || B->t.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return NULL;
	if (!(e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-image-", im->id, B->t.ptr)))
		return NULL;
	memset(&role, 0, sizeof(role));
	role.kind = ATMO_NODE_STAGE;
	role.used = 1;
	role.target = m->target && t >= 0 && !strcmp(m->nodes[t].id, m->target);
	atmo__draw_role_colors(B, &role, &fill, &line);
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, role.target ? "atmo-image-node atmo-target" : "atmo-image-node");
	atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
	atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(B->p->fg));
	atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, e)));
	if (role.target)
		atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
	/* the image's node links to its target stage's source */
	if (t >= 0 && atmo__draw_set_link(B, nd, B->s.n_url, B->s.n_target, e, m->nodes[t].anchor) < 0)
		return NULL;
	return nd;
}

/*
 * The overview of a family: one node per image; external images and directory
 * contexts once each (the same reference used by several images is one node); one
 * edge per pair of them, solid when one starts FROM the other, dashed when it only
 * copies or mounts from it. Edges carry no label (a family has many, and labels
 * would crowd): the tooltip names every link the edge stands for.
 */
int atmo__draw_add_overview(builder *B)
{
	const atmo_rmodel *m = B->c->m;
	Agnode_t **img = atmo__calloc(m->nimages + 1, sizeof(*img), NULL);
	long *edge_ident = NULL;
	size_t i, j;
	int rc = ATMO_ENOMEM;

	if (!img)
		return ATMO_ENOMEM;
	for (i = 0; i < m->nimages; i++)
		if (!(img[i] = overview_image(B, i)))
			goto done;
	for (i = 0; i < m->nnodes; i++) {
		const atmo_rnode *n = &m->nodes[i];
		if (n->kind == ATMO_NODE_STAGE) {
			B->first[i] = B->last[i] = n->image_idx >= 0 ? img[n->image_idx] : NULL;
			continue;
		}
		if (n->kind == ATMO_NODE_SCRATCH && !B->c->o->show_scratch)
			continue;
		/* the same external reference (or context value) once */
		for (j = 0; j < i; j++) {
			const atmo_rnode *o = &m->nodes[j];
			const char *a = n->kind == ATMO_NODE_IMAGE && n->ref ? n->ref : n->kind == ATMO_NODE_CONTEXT && n->value ? n->value : n->name;
			const char *b = o->kind == ATMO_NODE_IMAGE && o->ref ? o->ref : o->kind == ATMO_NODE_CONTEXT && o->value ? o->value : o->name;
			if (o->kind == n->kind && B->first[j] && a && b && !strcmp(a, b))
				break;
		}
		if (j < i) {
			B->first[i] = B->last[i] = B->first[j];
			continue;
		}
		if (atmo__draw_add_plain_node(B, i, B->g) < 0)
			goto done;
	}
	if (!(edge_ident = atmo__calloc(m->nedges + 1, sizeof(*edge_ident), NULL)))
		goto done;
	for (j = 0; j < m->nedges; j++) {
		const atmo_redge *ed = &m->edges[j];
		const atmo_rnode *f = &m->nodes[ed->from_idx], *t = &m->nodes[ed->to_idx];
		Agnode_t *a = B->first[ed->from_idx], *z = B->first[ed->to_idx];
		Agedge_t *ge;
		atmo_buf key = ATMO_BUF_INIT;
		int fresh;

		if (!a || !z || a == z || ed->kind == ATMO_EDGE_ONBUILD)
			continue;
		/* the pair's edge when there is one (a NULL name with create set would add another) */
		ge = agedge(B->g, a, z, NULL, 0);
		fresh = !ge;
		if (fresh && !(ge = agedge(B->g, a, z, NULL, 1)))
			goto done;
		atmo__buf_clear(&B->t);
		atmo__buf_puts(&B->t, f->image && f->kind == ATMO_NODE_STAGE ? f->image : f->kind == ATMO_NODE_IMAGE && f->ref ? f->ref : f->name);
		atmo__buf_puts(&B->t, " \xe2\x86\x92 ");
		atmo__buf_puts(&B->t, t->image ? t->image : t->name);
		atmo__buf_puts(&B->t, ed->kind == ATMO_EDGE_BASE ? ": FROM" : ed->kind == ATMO_EDGE_COPY ? ": COPY --from" : ": RUN --mount from");
		if (ed->context)
			atmo__buf_printf(&B->t, " (named context %s)", ed->context);
		if (B->t.oom)
			goto done;
		if (!fresh) {
			/* merged: the tooltip names this link too; FROM wins the style */
			for (i = 0; i < j; i++)
				if (edge_ident[i] && B->first[m->edges[i].from_idx] == a && B->first[m->edges[i].to_idx] == z)
					break;
			if (i < j && title_append(B, edge_ident[i] - 1, B->t.ptr) < 0)
				goto done;
			if (ed->kind == ATMO_EDGE_BASE) {
				atmo__draw_xset(B, ge, B->s.e_style, A_STYLE, S(atmo__draw_edge_style[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_arrowhead, A_LAYOUT, S(atmo__draw_edge_head[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_color, A_COLOR, S(B->p->edge[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_class, A_CLASS, "atmo-base atmo-cross-image");
			}
			continue;
		}
		atmo__buf_puts(&key, f->id);
		atmo__buf_puts(&key, "--");
		atmo__buf_puts(&key, t->id);
		if (key.oom || !atmo__draw_ident(B, ge, B->s.e_id, "atmo-edge-", key.ptr, B->t.ptr)) {
			atmo__buf_free(&key);
			goto done;
		}
		atmo__buf_free(&key);
		edge_ident[j] = (long)B->c->ids.n; /* the ident just added, plus one */
		atmo__draw_xset(B, ge, B->s.e_class, A_CLASS, ed->kind == ATMO_EDGE_BASE ? "atmo-base atmo-cross-image" : "atmo-copy atmo-cross-image");
		atmo__draw_xset(B, ge, B->s.e_style, A_STYLE, S(ed->kind == ATMO_EDGE_BASE ? atmo__draw_edge_style[ATMO_EDGE_BASE] : atmo__draw_edge_style[ATMO_EDGE_COPY]));
		atmo__draw_xset(B, ge, B->s.e_arrowhead, A_LAYOUT, S(ed->kind == ATMO_EDGE_BASE ? atmo__draw_edge_head[ATMO_EDGE_BASE] : atmo__draw_edge_head[ATMO_EDGE_COPY]));
		atmo__draw_xset(B, ge, B->s.e_color, A_COLOR, S(B->p->edge[ed->kind == ATMO_EDGE_BASE ? ATMO_EDGE_BASE : ATMO_EDGE_COPY]));
	}
	rc = B->oom ? ATMO_ENOMEM : 0;
done:
	atmo__free(img);
	atmo__free(edge_ident);
	return rc;
}

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
		if (!(B->image_title[i] = atmo__draw_title_node(B, sg, im->id, e, B->p->fg, "atmo-image-title")))
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
 * frees their entries while the map is still open.
 */
void atmo__close_graph(Agraph_t *g)
{
	Agnode_t *n, *next;

	for (n = agfstnode(g); n; n = next) {
		const char *name = agnameof(n);
		next = agnxtnode(g, n);
		if (name && name[0] == '%')
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
	B.maxlen = c->o->max_label_length ? c->o->max_label_length : ATMO_RENDER_DEFAULT_LABEL_LENGTH;
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
	if (gi < 0 || !(c->ids.v[gi].title = atmo__strdup(m->target ? "atmograph build graph" : "atmograph graph", NULL)))
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
		Agraph_t *parent = m->nimages > 1 && n->image_idx >= 0 ? B.image_sub[n->image_idx] : B.g;
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
		if (B.image_title[i] && atmo__draw_title_edges(&B, B.image_sub[i], B.image_title[i], NULL) < 0)
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
