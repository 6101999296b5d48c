/*
 * The resolver's pass 3 (split from graph.c): the edges of every stage (FROM,
 * COPY --from, RUN --mount from=, inherited and linked ONBUILD triggers),
 * the cycle check, the target, reachability and build order, and the image
 * references a build would resolve.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* Go's strconv.Atoi: optional sign and decimal digits only */
static int parse_int(const char *s, long *out)
{
	const char *p = s;
	char *end;
	long v;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < INT_MIN || v > INT_MAX)
		return 0;
	*out = v;
	return 1;
}

static int add_edge(rctx *r, int from, size_t to, atmo_edge_kind kind, size_t ins, int line,
		    const char *context, int aux)
{
	atmo_graph *g = r->g;
	atmo_graph_edge *e;
	if (ATMO__GROW(g->edges, g->cap_edges, g->n_edges + 1, NULL) < 0)
		return atmo_graph__nomem(r);
	if (g->n_edges >= r->cap_aux) {
		size_t ncap = r->cap_aux ? r->cap_aux * 2 : 16;
		int *na = atmo__realloc(r->edge_aux, ncap * sizeof(*na), NULL), *nt;
		unsigned char *nh;
		if (!na)
			return atmo_graph__nomem(r);
		r->edge_aux = na;
		nt = atmo__realloc(r->edge_trig, ncap * sizeof(*nt), NULL);
		if (!nt)
			return atmo_graph__nomem(r);
		r->edge_trig = nt;
		nh = atmo__realloc(r->edge_hidden, ncap, NULL);
		if (!nh)
			return atmo_graph__nomem(r);
		r->edge_hidden = nh;
		r->cap_aux = ncap;
	}
	e = &g->edges[g->n_edges];
	memset(e, 0, sizeof(*e));
	e->from = (size_t)from;
	e->to = to;
	e->kind = kind;
	e->line = line;
	e->instruction = ins;
	e->context = context;
	r->edge_aux[g->n_edges] = aux;
	r->edge_trig[g->n_edges] = r->cur_trig;
	r->edge_hidden[g->n_edges] = 0;
	g->n_edges++;
	return 0;
}

static const char *stage_display(const atmo_stage *st, char *buf, size_t n)
{
	if (st->name)
		return st->name;
	snprintf(buf, n, "stage-%zu", st->index);
	return buf;
}

/* ------------------------------------------------------------------ */
/* pass 3: edges                                                       */

#define UNREG_SCRATCH (-2) /* the implicit scratch of a mount without from= */

/* Resolve a --from / from= name: a stage (by name, any position, or index),
 * scratch, a named context or an image. *ctx_name set for contexts. */
static int resolve_ref(rctx *r, size_t s, const char *name, int allow_index, int line,
		       const char **ctx_name)
{
	atmo_graph *g = r->g;
	long idx;
	int j, ci, node;
	char *lower;
	*ctx_name = NULL;
	if (allow_index && parse_int(name, &idx)) {
		if (idx < 0 || (size_t)idx >= g->n_stages + r->n_unreg)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid stage index %ld",
						idx);
		if ((size_t)idx >= g->n_stages) {
			int u = r->unreg[(size_t)idx - g->n_stages];
			return u == UNREG_SCRATCH ? atmo_graph__scratch_node(r, line) : u;
		}
		j = (int)idx;
	} else {
		lower = atmo_graph__lower_dup(r, name);
		if (!lower)
			return atmo_graph__nomem(r);
		j = atmo__gmap_get(&r->names, lower, strlen(lower));
	}
	if (j >= 0) {
		node = atmo_graph__stage_ref_node(r, (size_t)j);
		if (g->sx[j].replaced >= 0)
			*ctx_name = g->nodes[node].name;
		return node;
	}
	if (!strcmp(name, "scratch"))
		return atmo_graph__scratch_node(r, line);
	if ((ci = atmo_graph__find_context(r, name)) >= 0) {
		*ctx_name = r->ctx[ci].name;
		return atmo_graph__context_node(r, ci, line);
	}
	return atmo_graph__image_node(r, name, line);
}

/* Count a reference that names no stage as BuildKit registers it (own
 * instructions only: BuildKit reads triggers after every stage). */
static int push_unreg(rctx *r, int node, int own)
{
	if (!own || (node >= 0 && (size_t)node < r->g->n_stages))
		return 0;
	if (ATMO__GROW(r->unreg, r->cap_unreg, r->n_unreg + 1, NULL) < 0)
		return atmo_graph__nomem(r);
	r->unreg[r->n_unreg++] = node;
	return 0;
}

/* The edges one instruction (or an inherited ONBUILD trigger) makes for stage s. */
/* loc: the instruction as written (the ONBUILD for an inherited trigger), for columns */
static int instruction_edges(rctx *r, size_t s, const atmo_instruction *ins,
			     const atmo_instruction *loc, size_t ins_index, int line,
			     atmo_edge_kind copy_kind, atmo_edge_kind mount_kind)
{
	atmo_graph *g = r->g;
	const char *ctx_name;
	int node, rc;
	size_t f;

	if (!strcmp(ins->keyword, "copy")) {
		const char *from = atmo_graph__flag_value(ins, "from");
		char *x = NULL;
		atmo_error local;
		/* no --from, or an empty one: the build context */
		if (!from || !*from)
			return 0;
		r->col = atmo_graph__col_of(loc, "--from", 0);
		atmo_error_clear(&local);
		rc = atmo_shell_expand(&x, from, g->escape, NULL, NULL, &local);
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0 || strcmp(x, from)) {
			atmo__free(x);
			return atmo_graph__fail(
				r, ATMO_EINVALID, line,
				"variable expansion is not supported for --from, define a new "
				"stage with FROM using ARG from global scope as a workaround");
		}
		atmo__free(x);
		if ((node = resolve_ref(r, s, from, 1, line, &ctx_name)) < 0)
			return node;
		r->col = 0;
		if ((rc = push_unreg(r, node, copy_kind == ATMO_EDGE_COPY)) < 0)
			return rc;
		return add_edge(r, node, s, copy_kind, ins_index, line, ctx_name, -1);
	}
	if (!strcmp(ins->keyword, "run")) {
		for (f = 0; f < ins->n_flags; f++) {
			const char *fl = ins->flags[f];
			mountinfo m;
			if (strncmp(fl, "--mount=", 8))
				continue;
			r->col = atmo_graph__col_of(loc, fl, 0);
			if (!r->col)
				r->col = atmo_graph__col_of(loc, "--mount", 0);
			if ((rc = atmo_graph__parse_mount(r, fl + 8, NULL, line, &m)) < 0)
				return rc;
			if (!m.from || !*m.from) {
				/* BuildKit looks a mount without from= up as "scratch"
				 * (even a tmpfs one: its stage graph has every mount) */
				int j = atmo__gmap_get(&r->names, "scratch", 7);
				if (j < 0 && (rc = push_unreg(r, UNREG_SCRATCH,
							      mount_kind == ATMO_EDGE_MOUNT)) < 0)
					return rc;
				if (j >= 0) {
					if ((rc = add_edge(r, j, s, mount_kind, ins_index, line,
							   NULL, (int)f)) < 0)
						return rc;
					r->edge_hidden[g->n_edges - 1] = 1;
				}
				continue;
			}
			/* BuildKit looks from= up by stage name only: "0" is an image */
			if ((node = resolve_ref(r, s, m.from, 0, line, &ctx_name)) < 0)
				return node;
			if ((rc = push_unreg(r, node, mount_kind == ATMO_EDGE_MOUNT)) < 0)
				return rc;
			if ((rc = add_edge(r, node, s, mount_kind, ins_index, line, ctx_name,
					   (int)f)) < 0)
				return rc;
		}
		r->col = 0;
	}
	return 0;
}

static int check_onbuild(rctx *r, const atmo_instruction *ins)
{
	const atmo_instruction *in = ins->inner;
	if (!in)
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
					"ONBUILD requires at least one argument");
	if (!strcmp(in->keyword, "onbuild"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
					"Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (!strcmp(in->keyword, "from"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
					"FROM isn't allowed as an ONBUILD trigger");
	if (!strcmp(in->keyword, "maintainer"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
					"MAINTAINER isn't allowed as an ONBUILD trigger");
	/* the trigger's own flags are checked where a built stage inherits it */
	return 0;
}

/* the text of an ONBUILD trigger: "RUN ..." */
static const char *onbuild_text(rctx *r, const atmo_instruction *ins)
{
	const char *t = ins->inner && ins->inner->original ? ins->inner->original : NULL;
	const char *o = ins->original;
	(void)r;
	if (t && strncasecmp(t, "onbuild", 7))
		return t;
	/* strip the ONBUILD keyword from the whole instruction */
	if (o && !strncasecmp(o, "onbuild", 7)) {
		o += 7;
		while (*o == ' ' || *o == '\t')
			o++;
		return o;
	}
	return t ? t : (o ? o : "");
}

/* the ONBUILD instructions of a linked graph's target stage, in order */
const atmo_graph *atmo_graph__linked_graph(rctx *r, size_t s, const atmo_stage **lt)
{
	const atmo_graph *lg;
	if (!r->stage_link || r->stage_link[s] < 0)
		return NULL;
	lg = r->opts->links[r->stage_link[s]].graph;
	*lt = &lg->stages[lg->target];
	return lg;
}

/*
 * A stage FROM a named context linked to another graph (a bake target): the
 * ONBUILD triggers of that graph's target stage run first in this stage
 * (BuildKit: the image config's OnBuild). Their COPY --from / RUN --mount
 * from= resolve in this Dockerfile; the edges sit on the FROM line.
 */
static int linked_trigger_edges(rctx *r, size_t s)
{
	atmo_graph *g = r->g;
	atmo_stage *st = &g->stages[s];
	const atmo_stage *lt = NULL;
	const atmo_graph *lg;
	const atmo_instruction *from = atmo_dockerfile_at(g->df, st->first_instruction);
	const char **texts;
	const char *lid;
	size_t i, end, e0 = g->n_edges, k = 0;
	int rc;

	if (r->stage_link)
		r->stage_link[s] = -1;
	if (!r->opts || !r->opts->n_links || !r->base_ctx[s] || !r->stage_link)
		return 0;
	for (i = 0; i < r->opts->n_links; i++) {
		const atmo_graph_link *l = &r->opts->links[i];
		if (l->context && l->graph && l->graph->n_stages &&
		    !strcmp(l->context, r->base_ctx[s])) {
			r->stage_link[s] = (int)i;
			break;
		}
	}
	if (!(lg = atmo_graph__linked_graph(r, s, &lt)) || !lt->n_onbuild)
		return 0;
	lid = atmo__arena_strdup(&g->arena, lt->node_id);
	texts = atmo__arena_alloc(&g->arena, lt->n_onbuild * sizeof(*texts));
	if (!lid || !texts)
		return atmo_graph__nomem(r);
	for (i = 0; i < lt->n_onbuild; i++)
		if (!(texts[i] = atmo__arena_strdup(&g->arena, lt->onbuild[i])))
			return atmo_graph__nomem(r);
	st->onbuild_inherited = texts;
	st->n_onbuild_inherited = lt->n_onbuild;
	st->onbuild_from = lid;
	end = lt->first_instruction + lt->n_instructions;
	for (i = lt->first_instruction + 1; i < end; i++) {
		const atmo_instruction *ob = atmo_dockerfile_at(lg->df, i);
		if (strcmp(ob->keyword, "onbuild") || !ob->inner)
			continue;
		if ((rc = atmo_graph__check_flags(r, ob->inner, st->start_line)) < 0)
			return rc;
		r->cur_trig = (int)k++;
		rc = instruction_edges(r, s, ob->inner, from, st->first_instruction, st->start_line,
				       ATMO_EDGE_ONBUILD, ATMO_EDGE_ONBUILD);
		r->cur_trig = -1;
		if (rc < 0)
			return rc;
	}
	for (; e0 < g->n_edges; e0++)
		g->edges[e0].onbuild_from = lid;
	return 0;
}

int atmo_graph__build_edges(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;

	if (r->opts && r->opts->n_links) {
		if (!r->opts->links)
			return atmo_graph__fail(r, ATMO_EINVALID, 0,
						"atmo_graph_options: n_links without links");
		r->stage_link = atmo__malloc(g->n_stages * sizeof(*r->stage_link), NULL);
		if (!r->stage_link)
			return atmo_graph__nomem(r);
		for (s = 0; s < g->n_stages; s++)
			r->stage_link[s] = -1;
	}
	for (s = 0; s < g->n_stages; s++) {
		atmo_stage *st = &g->stages[s];
		atmo__gstage *sx = &g->sx[s];
		size_t end = st->first_instruction + st->n_instructions, nob = 0;

		sx->edge_begin = g->n_edges;
		/* ONBUILD triggers are recorded (and checked) even on replaced stages */
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_at(g->df, i);
			if ((rc = atmo_graph__check_flags(r, ins, ins->start_line)) < 0)
				return rc;
			if (!strcmp(ins->keyword, "onbuild")) {
				if ((rc = check_onbuild(r, ins)) < 0)
					return rc;
				nob++;
			}
		}
		if (nob) {
			const char **ob = atmo__arena_alloc(&g->arena, nob * sizeof(*ob));
			if (!ob)
				return atmo_graph__nomem(r);
			for (i = st->first_instruction + 1; i < end; i++) {
				const atmo_instruction *ins = atmo_dockerfile_at(g->df, i);
				if (!strcmp(ins->keyword, "onbuild"))
					ob[st->n_onbuild++] = onbuild_text(r, ins);
			}
			st->onbuild = ob;
		}
		if (sx->replaced >= 0) {
			sx->edge_end = g->n_edges;
			continue;
		}
		if ((rc = add_edge(r, r->base_node[s], s, ATMO_EDGE_BASE, st->first_instruction,
				   st->start_line, r->base_ctx[s], -1)) < 0)
			return rc;
		if (st->parent_stage >= 0) {
			const atmo_stage *p = &g->stages[st->parent_stage];
			size_t pend = p->first_instruction + p->n_instructions, e0 = g->n_edges;
			st->onbuild_inherited = p->onbuild;
			st->n_onbuild_inherited = p->n_onbuild;
			st->onbuild_from = p->n_onbuild ? p->node_id : NULL;
			for (i = p->first_instruction + 1; i < pend; i++) {
				const atmo_instruction *ins = atmo_dockerfile_at(g->df, i);
				if (strcmp(ins->keyword, "onbuild") || !ins->inner)
					continue;
				if ((rc = instruction_edges(r, s, ins->inner, ins, i,
							    ins->start_line, ATMO_EDGE_ONBUILD,
							    ATMO_EDGE_ONBUILD)) < 0)
					return rc;
			}
			for (; e0 < g->n_edges; e0++)
				g->edges[e0].onbuild_from = p->node_id;
		} else if ((rc = linked_trigger_edges(r, s)) < 0) {
			return rc;
		}
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_at(g->df, i);
			if ((rc = instruction_edges(r, s, ins, ins, i, ins->start_line,
						    ATMO_EDGE_COPY, ATMO_EDGE_MOUNT)) < 0)
				return rc;
		}
		sx->edge_end = g->n_edges;
	}
	return 0;
}

static int cycle_edge(const atmo_graph_edge *e)
{
	return e->kind == ATMO_EDGE_COPY || e->kind == ATMO_EDGE_MOUNT;
}

/*
 * A cycle found from the root stk[0] back to v: reported as BuildKit's
 * validateCircularDependency does, naming the root, located at the root's
 * command that leads into it (the last one naming that stage: BuildKit keeps
 * one command per dependency).
 */
static int report_cycle(rctx *r, const size_t *stk, size_t top, size_t v)
{
	atmo_graph *g = r->g;
	size_t root = stk[0], next = top > 1 ? stk[1] : v, k, e, len = 0, off = 0;
	const atmo_graph_edge *at = NULL;
	char b[32], *msg;
	int rc;
	for (e = g->sx[root].edge_begin; e < g->sx[root].edge_end; e++)
		if (g->edges[e].from == next && cycle_edge(&g->edges[e]))
			at = &g->edges[e];
	for (k = 0; k < top; k++)
		len += strlen(stage_display(&g->stages[stk[k]], b, sizeof(b))) + 4;
	len += strlen(stage_display(&g->stages[v], b, sizeof(b))) + 1;
	msg = atmo__malloc(len, NULL);
	if (!msg)
		return atmo_graph__nomem(r);
	for (k = 0; k < top; k++)
		off += (size_t)sprintf(msg + off, "%s -> ",
				       stage_display(&g->stages[stk[k]], b, sizeof(b)));
	sprintf(msg + off, "%s", stage_display(&g->stages[v], b, sizeof(b)));
	r->col = at ? atmo_graph__col_of(atmo_dockerfile_at(g->df, at->instruction),
					 at->kind == ATMO_EDGE_COPY ? "--from" : "from=", 0)
		    : 0;
	rc = atmo_graph__fail(r, ATMO_EINVALID, at ? at->line : g->stages[root].start_line,
			      "circular dependency detected on stage: %s (%s)",
			      stage_display(&g->stages[root], b, sizeof(b)), msg);
	atmo__free(msg);
	return rc;
}

/* Iterative DFS over stage -> dependency edges; a back edge is a cycle. */
int atmo_graph__check_cycles(rctx *r)
{
	atmo_graph *g = r->g;
	size_t n = g->n_stages, s;
	unsigned char *color = atmo__calloc(n, 1, NULL);
	size_t *stk = atmo__malloc(n * sizeof(*stk), NULL);
	size_t *pos = atmo__malloc(n * sizeof(*pos), NULL); /* next edge to look at, per frame */
	size_t *cur = atmo__malloc(n * sizeof(*cur), NULL); /* edge followed from each frame */
	size_t *depth = atmo__malloc(n * sizeof(*depth), NULL);
	int rc = 0;

	if (!color || !stk || !pos || !cur || !depth) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	for (s = 0; s < n && !rc; s++) {
		size_t top = 0;
		if (color[s])
			continue;
		stk[0] = s;
		pos[0] = g->sx[s].edge_begin;
		color[s] = 1;
		depth[s] = 0;
		top = 1;
		while (top) {
			size_t u = stk[top - 1];
			size_t *p = &pos[top - 1];
			size_t end = g->sx[u].edge_end;
			/* BuildKit's dependencies: COPY --from and mounts, not the
			 * FROM base and not ONBUILD triggers (built stages get its
			 * "defined before" error for those instead) */
			while (*p < end && (g->edges[*p].from >= n || !cycle_edge(&g->edges[*p])))
				(*p)++;
			if (*p >= end) {
				color[u] = 2;
				top--;
				continue;
			}
			{
				size_t e = (*p)++;
				size_t v = g->edges[e].from;
				cur[top - 1] = e;
				if (color[v] == 1) {
					rc = report_cycle(r, stk, top, v);
					break;
				}
				if (color[v] == 0) {
					color[v] = 1;
					depth[v] = top;
					stk[top] = v;
					pos[top] = g->sx[v].edge_begin;
					top++;
				}
			}
		}
	}
done:
	atmo__free(color);
	atmo__free(stk);
	atmo__free(pos);
	atmo__free(cur);
	atmo__free(depth);
	return rc;
}

int atmo_graph__resolve_target(rctx *r)
{
	atmo_graph *g = r->g;
	const char *t = r->opts ? r->opts->target : NULL;
	char *lower;
	long idx;
	int j;
	size_t s, len = 0;
	char *list, *p;

	if (!t || !*t) {
		g->target = g->n_stages - 1;
		return 0;
	}
	lower = atmo_graph__lower_dup(r, t);
	if (!lower)
		return atmo_graph__nomem(r);
	j = atmo__gmap_get(&r->names, lower, strlen(lower));
	if (j >= 0) {
		g->target = (size_t)j;
		return 0;
	}
	if (parse_int(t, &idx) && idx >= 0 && (size_t)idx < g->n_stages) {
		g->target = (size_t)idx;
		return 0;
	}
	for (s = 0; s < g->n_stages && len < 400; s++)
		if (g->stages[s].name)
			len += strlen(g->stages[s].name) + 2;
	list = atmo__malloc(len + 1, NULL);
	if (!list)
		return atmo_graph__nomem(r);
	p = list;
	*p = '\0';
	for (s = 0; s < g->n_stages && (size_t)(p - list) < 400; s++) {
		if (!g->stages[s].name)
			continue;
		p += sprintf(p, "%s%s", p == list ? "" : ", ", g->stages[s].name);
	}
	atmo__error_set(r->err, ATMO_ENOTFOUND, g->source, 0, 0,
			"target stage \"%s\" could not be found (stages: %s%sor an index 0..%zu)",
			t, list, *list ? "; " : "", g->n_stages - 1);
	atmo__free(list);
	return ATMO_ENOTFOUND;
}

/* used, in_final, build_only, is_target; then the build order */
int atmo_graph__reachability(rctx *r)
{
	atmo_graph *g = r->g;
	size_t n = g->n_stages, s, e, top = 0, head = 0;
	size_t *queue = atmo__malloc(n * sizeof(*queue), NULL);
	size_t *indeg = atmo__calloc(n, sizeof(*indeg), NULL);
	size_t *first = atmo__calloc(n + 1, sizeof(*first), NULL);
	size_t *adj = NULL, *fill = NULL, *heap = NULL;
	int rc = 0, t;

	if (!queue || !indeg || !first) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	/* BFS from the target over dependencies */
	g->stages[g->target].used = 1;
	g->nodes[g->target].used = 1;
	queue[top++] = g->target;
	while (head < top) {
		size_t u = queue[head++];
		for (e = g->sx[u].edge_begin; e < g->sx[u].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (g->nodes[v].used)
				continue;
			g->nodes[v].used = 1;
			if (v < n) {
				g->stages[v].used = 1;
				queue[top++] = v;
			}
		}
	}
	/* the target's FROM chain: its layers are in the final image */
	for (t = (int)g->target; t >= 0; t = g->stages[t].parent_stage)
		g->stages[t].in_final = 1;
	g->stages[g->target].is_target = 1;
	for (s = 0; s < n; s++)
		g->stages[s].build_only = g->stages[s].used && !g->stages[s].in_final;

	/* Kahn's algorithm over used stages, smallest index first */
	for (s = 0; s < n; s++) {
		if (!g->stages[s].used)
			continue;
		for (e = g->sx[s].edge_begin; e < g->sx[s].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (v < n && v != s) {
				indeg[s]++;
				first[v + 1]++;
			}
		}
	}
	for (s = 0; s < n; s++)
		first[s + 1] += first[s];
	adj = atmo__malloc((first[n] ? first[n] : 1) * sizeof(*adj), NULL);
	fill = atmo__malloc(n * sizeof(*fill), NULL);
	heap = atmo__malloc(n * sizeof(*heap), NULL);
	g->order = atmo__malloc(n * sizeof(*g->order), NULL);
	if (!adj || !fill || !heap || !g->order) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	memcpy(fill, first, n * sizeof(*fill));
	for (s = 0; s < n; s++) {
		if (!g->stages[s].used)
			continue;
		for (e = g->sx[s].edge_begin; e < g->sx[s].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (v < n && v != s)
				adj[fill[v]++] = s;
		}
	}
	top = 0;
	for (s = 0; s < n; s++) {
		if (g->stages[s].used && !indeg[s]) {
			/* pushed in increasing order: already a heap */
			heap[top++] = s;
		}
	}
	g->n_order = 0;
	while (top) {
		size_t u = heap[0], i, k;
		heap[0] = heap[--top];
		for (i = 0;;) {
			size_t l = 2 * i + 1, m = i;
			if (l < top && heap[l] < heap[m])
				m = l;
			if (l + 1 < top && heap[l + 1] < heap[m])
				m = l + 1;
			if (m == i)
				break;
			k = heap[i];
			heap[i] = heap[m];
			heap[m] = k;
			i = m;
		}
		g->order[g->n_order++] = u;
		for (k = first[u]; k < first[u + 1]; k++) {
			size_t v = adj[k];
			if (--indeg[v] == 0) {
				size_t c = top++;
				heap[c] = v;
				while (c && heap[(c - 1) / 2] > heap[c]) {
					size_t pnt = (c - 1) / 2, tmp = heap[pnt];
					heap[pnt] = heap[c];
					heap[c] = tmp;
					c = pnt;
				}
			}
		}
	}
done:
	atmo__free(queue);
	atmo__free(indeg);
	atmo__free(first);
	atmo__free(adj);
	atmo__free(fill);
	atmo__free(heap);
	return rc;
}

/* One image reference checked as BuildKit does before resolving it. */
static int check_reference(rctx *r, const char *ref, int line)
{
	char why[512];
	int rc = atmo__reference_check(ref, why, sizeof(why));
	if (rc == ATMO_ENOMEM)
		return atmo_graph__nomem(r);
	if (rc < 0)
		return atmo_graph__fail(r, ATMO_EINVALID, line,
					"failed to parse stage name \"%s\": %s", ref, why);
	return 0;
}

/* BuildKit parses the ONBUILD triggers a built stage inherits from its base
 * stage (resolveStages) before it looks at the images they name. */
static int check_inherited_triggers(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;
	for (s = 0; s < g->n_stages; s++) {
		const atmo_stage *st = &g->stages[s], *p;
		if (!st->used || st->parent_stage < 0 || g->sx[s].replaced >= 0)
			continue;
		p = &g->stages[st->parent_stage];
		for (i = p->first_instruction + 1; i < p->first_instruction + p->n_instructions;
		     i++) {
			const atmo_instruction *ob = atmo_dockerfile_at(g->df, i);
			if (strcmp(ob->keyword, "onbuild") || !ob->inner)
				continue;
			if ((rc = atmo_dockerfile_validate_trigger(g->df, ob->inner, st->start_line,
								   r->err)) < 0)
				return rc;
		}
	}
	return 0;
}

/* The images a build would resolve, in BuildKit's order: every FROM image,
 * then the images of COPY --from and RUN --mount from= (of every stage),
 * then those of the ONBUILD triggers of the stages that are built. */
int atmo_graph__check_references(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, e;
	int rc, pass;
	for (s = 0; s < g->n_stages; s++) {
		const atmo_graph_node *n = &g->nodes[r->base_node[s]];
		r->col = atmo_graph__col_of(
			atmo_dockerfile_at(g->df, g->stages[s].first_instruction),
			g->sx[s].raw_base, 0);
		if (n->kind == ATMO_NODE_IMAGE && g->sx[s].replaced < 0 &&
		    (rc = check_reference(r, g->stages[s].base, g->stages[s].start_line)) < 0)
			return rc;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass && (rc = check_inherited_triggers(r)) < 0)
			return rc;
		for (e = 0; e < g->n_edges; e++) {
			const atmo_graph_edge *ed = &g->edges[e];
			const atmo_graph_node *n = &g->nodes[ed->from];
			if (ed->kind == ATMO_EDGE_BASE || n->kind != ATMO_NODE_IMAGE ||
			    (ed->kind == ATMO_EDGE_ONBUILD) != pass)
				continue;
			if (pass && !g->stages[ed->to].used)
				continue;
			r->col = 0;
			if ((rc = check_reference(r, n->ref, ed->line)) < 0)
				return rc;
		}
	}
	r->col = 0;
	return 0;
}
