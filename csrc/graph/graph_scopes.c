/*
 * The resolver's pass 4 (split from graph.c): the ARG and ENV scope of
 * every stage and the expanded sources, destination and mount details of
 * each edge; errors only count in stages that are built, as in BuildKit.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* ------------------------------------------------------------------ */
/* pass 4: scopes and edge details                                     */

static int apply_arg(rctx *r, atmo__genv *env, const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j;
	int rc;
	if (!ins->n_args)
		return strict ? atmo_graph__fail(r, ATMO_EINVALID, line,
						 "ARG requires at least one argument")
			      : 0;
	for (j = 0; j < ins->n_args; j++) {
		const char *a = ins->args[j];
		const char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		const char *key, *value = NULL, *ov;
		if (!klen) {
			if (strict)
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"ARG names can not be blank");
			continue;
		}
		key = atmo__arena_strndup(&g->arena, a, klen);
		if (!key)
			return atmo_graph__nomem(r);
		ov = atmo_graph__build_arg(r, key, klen);
		if (ov) {
			value = ov;
		} else if (eq) {
			rc = atmo_graph__expand(r, &value, eq + 1, env, NULL, line);
			if (rc == ATMO_ENOMEM || (rc < 0 && strict))
				return rc;
			if (rc < 0) {
				atmo_error_clear(r->err);
				continue;
			}
		} else {
			/* `ARG name` inside a stage picks the meta ARG's value */
			value = atmo__genv_get(&g->meta, key, klen);
		}
		if (value && atmo__genv_set(env, key, value, 0) < 0)
			return atmo_graph__nomem(r);
	}
	return 0;
}

/* ENV arguments come as BuildKit's parser lists them: KEY, VALUE, SEPARATOR ("=" or "") */
static int apply_env(rctx *r, atmo__genv *env, const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j, n = ins->n_args / 3;
	const char **kv;
	int rc;
	if (!n)
		return strict ? atmo_graph__fail(r, ATMO_EINVALID, line,
						 "ENV requires at least one argument")
			      : 0;
	kv = atmo__arena_alloc(&g->arena, 2 * n * sizeof(*kv));
	if (!kv)
		return atmo_graph__nomem(r);
	/* every pair is expanded with the scope before the instruction */
	for (j = 0; j < 2 * n; j++) {
		rc = atmo_graph__expand(r, &kv[j], ins->args[3 * (j / 2) + j % 2], env, NULL, line);
		if (rc == ATMO_ENOMEM || (rc < 0 && strict))
			return rc;
		if (rc < 0) {
			atmo_error_clear(r->err);
			kv[j] = NULL;
		}
	}
	for (j = 0; j < n; j++) {
		if (!kv[2 * j] || !kv[2 * j + 1] || !*kv[2 * j])
			continue;
		if (atmo__genv_set(env, kv[2 * j], kv[2 * j + 1], 1) < 0)
			return atmo_graph__nomem(r);
	}
	return 0;
}

static int copy_details(rctx *r, atmo_graph_edge *e, const atmo__genv *env,
			const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j, h = 0, ns;
	const char **src;
	int rc;
	if (ins->n_args < 2)
		return strict ? atmo_graph__fail(
					r, ATMO_EINVALID, line,
					"COPY requires at least two arguments, but only one was "
					"provided. Destination could not be determined")
			      : 0;
	ns = ins->n_args - 1;
	src = atmo__arena_alloc(&g->arena, ns * sizeof(*src));
	if (!src)
		return atmo_graph__nomem(r);
	for (j = 0; j < ns; j++) {
		const char *a = ins->args[j];
		if (ins->n_heredocs && !strncmp(a, "<<", 2) && h < ins->n_heredocs) {
			src[j] = ins->heredocs[h++].name;
			continue;
		}
		rc = atmo_graph__expand(r, &src[j], a, env, NULL, line);
		if (rc == ATMO_ENOMEM || (rc < 0 && strict))
			return rc;
		if (rc < 0) {
			atmo_error_clear(r->err);
			src[j] = a;
		}
	}
	e->sources = src;
	e->n_sources = ns;
	rc = atmo_graph__expand(r, &e->dest, ins->args[ns], env, NULL, line);
	if (rc == ATMO_ENOMEM || (rc < 0 && strict))
		return rc;
	if (rc < 0) {
		atmo_error_clear(r->err);
		e->dest = ins->args[ns];
	}
	return 0;
}

static int mount_details(rctx *r, atmo_graph_edge *e, const atmo__genv *env,
			 const atmo_instruction *ins, int flag, int line, int strict)
{
	mountinfo m;
	int rc;
	if (flag < 0 || (size_t)flag >= ins->n_flags)
		return 0;
	rc = atmo_graph__parse_mount(r, ins->flags[flag] + 8, env, line, &m);
	if (rc == ATMO_ENOMEM || (rc < 0 && strict))
		return rc;
	if (rc < 0) {
		atmo_error_clear(r->err);
		return 0;
	}
	e->mount_type = m.type;
	e->mount_id = m.id;
	e->dest = m.target;
	if (m.source) {
		const char **src = atmo__arena_alloc(&r->g->arena, sizeof(*src));
		if (!src)
			return atmo_graph__nomem(r);
		src[0] = m.source;
		e->sources = src;
		e->n_sources = 1;
	}
	return 0;
}

/* One word expanded only for its errors (BuildKit's dispatch expands it). */
static int expand_only(rctx *r, const char *word, const atmo__genv *env, int line)
{
	const char *x;
	return word ? atmo_graph__expand(r, &x, word, env, NULL, line) : 0;
}

/* The words BuildKit expands when it builds an instruction (the commands with
 * SupportsSingleWordExpansion, in its order), for their errors: unterminated
 * quotes, ${v:?msg}, bad substitutions. Heredoc bodies with expansion too. */
static int expansion_errors(rctx *r, const atmo_instruction *ins, const atmo__genv *env, int line)
{
	const char *k = ins->keyword;
	size_t i, h = 0;
	int rc, cp = !strcmp(k, "copy"), add = !strcmp(k, "add");
	if (!strcmp(k, "workdir") || !strcmp(k, "user") || !strcmp(k, "stopsignal"))
		return ins->n_args ? expand_only(r, ins->args[0], env, line) : 0;
	if (!strcmp(k, "volume")) {
		for (i = 0; i < ins->n_args; i++)
			if ((rc = expand_only(r, ins->args[i], env, line)) < 0)
				return rc;
		return 0;
	}
	if (!strcmp(k, "label")) {
		for (i = 0; i + 2 < ins->n_args; i += 3)
			if ((rc = expand_only(r, ins->args[i], env, line)) < 0 ||
			    (rc = expand_only(r, ins->args[i + 1], env, line)) < 0)
				return rc;
		return 0;
	}
	if (!(cp || add) || ins->n_args < 2)
		return 0;
	if ((rc = expand_only(r, atmo_graph__flag_value(ins, "chown"), env, line)) < 0 ||
	    (rc = expand_only(r, atmo_graph__flag_value(ins, "chmod"), env, line)) < 0 ||
	    (add && (rc = expand_only(r, atmo_graph__flag_value(ins, "checksum"), env, line)) < 0))
		return rc;
	for (i = 0; i < ins->n_args; i++) {
		if (i + 1 < ins->n_args && ins->n_heredocs && !strncmp(ins->args[i], "<<", 2) &&
		    h < ins->n_heredocs) {
			h++;
			continue;
		}
		if ((rc = expand_only(r, ins->args[i], env, line)) < 0)
			return rc;
	}
	for (h = 0; h < ins->n_heredocs; h++) {
		lookup_ctx lc = { env, r, NULL, 0, 0, 0 };
		atmo_error local;
		char *x = NULL;
		if (!ins->heredocs[h].expand || !ins->heredocs[h].content)
			continue;
		atmo_error_clear(&local);
		rc = atmo_shell_expand_heredoc(&x, ins->heredocs[h].content, atmo_graph__lookup_cb,
					       &lc, &local);
		atmo__free(x);
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0)
			return atmo_graph__fail(r, rc, line, "%s",
						local.text[0] ? local.text : "bad substitution");
	}
	return 0;
}

/* BuildKit builds stages in order: a COPY --from or a mount of a stage that
 * is not built yet (defined later, or the stage itself) is an error. */
static int check_defined_before(rctx *r, size_t s, const atmo_graph_edge *e,
				const atmo_instruction *ins, int line)
{
	atmo_graph *g = r->g;
	char b[32];
	const char *cur = g->stages[s].name ? g->stages[s].name : b;
	int hidden = r->edge_hidden[e - g->edges];
	if (e->from >= g->n_stages || e->from < s)
		return 0;
	/* a mount without from= waits for a stage named scratch only as a cache */
	if (hidden && (!e->mount_type || strcmp(e->mount_type, "cache")))
		return 0;
	if (!g->stages[s].name)
		snprintf(b, sizeof(b), "stage-%zu", s);
	r->col = 0;
	if (!strcmp(ins->keyword, "copy"))
		return atmo_graph__fail(r, ATMO_EINVALID, line,
					"cannot copy from stage \"%s\", it needs to be defined "
					"before current stage \"%s\"",
					atmo_graph__flag_value(ins, "from"), cur);
	return atmo_graph__fail(r, ATMO_EINVALID, line,
				"cannot mount from stage \"%s\" to \"%s\", stage needs to be "
				"defined before current command",
				!hidden && g->stages[e->from].name ? g->stages[e->from].name : "",
				e->dest ? e->dest : "");
}

/* The edges of instruction ins_index (inherited trigger or own instruction) get
 * their details; also checks every --mount of a RUN in a built stage. */
static int details_for(rctx *r, size_t s, size_t *ec, const atmo__genv *env,
		       const atmo_instruction *ins, size_t ins_index, int trig, int line,
		       int strict)
{
	atmo_graph *g = r->g;
	atmo__gstage *sx = &g->sx[s];
	int rc;
	if (strict && !strcmp(ins->keyword, "run")) {
		size_t f;
		for (f = 0; f < ins->n_flags; f++) {
			mountinfo m;
			if (strncmp(ins->flags[f], "--mount=", 8))
				continue;
			r->col = atmo_graph__col_of(ins, ins->flags[f], 0);
			if ((rc = atmo_graph__parse_mount(r, ins->flags[f] + 8, env, line, &m)) < 0)
				return rc;
		}
		r->col = 0;
	}
	while (*ec < sx->edge_end && g->edges[*ec].instruction == ins_index &&
	       r->edge_trig[*ec] == trig) {
		atmo_graph_edge *e = &g->edges[*ec];
		if (e->kind != ATMO_EDGE_BASE) {
			if (!strcmp(ins->keyword, "copy"))
				rc = copy_details(r, e, env, ins, line, strict);
			else
				rc = mount_details(r, e, env, ins, r->edge_aux[*ec], line, strict);
			if (rc < 0)
				return rc;
			if (strict && (rc = check_defined_before(r, s, e, ins, line)) < 0)
				return rc;
		}
		(*ec)++;
	}
	return 0;
}

/* A stage FROM a linked target: the target stage's ENV, then its ONBUILD triggers. */
static int linked_scope(rctx *r, size_t s, size_t *ec, int strict)
{
	atmo_graph *g = r->g;
	atmo__gstage *sx = &g->sx[s];
	const atmo_stage *st = &g->stages[s], *lt = NULL;
	const atmo_graph *lg = atmo_graph__linked_graph(r, s, &lt);
	const atmo__genv *le;
	size_t i, end;
	int rc = 0, k = 0;

	if (!lg)
		return 0;
	le = &lg->sx[lg->target].env;
	for (i = 0; i < le->n; i++) {
		const char *name, *value;
		if (!le->v[i].is_env)
			continue;
		name = atmo__arena_strdup(&g->arena, le->v[i].name);
		value = atmo__arena_strdup(&g->arena, le->v[i].value);
		if (!name || !value || atmo__genv_set(&sx->env, name, value, 1) < 0)
			return atmo_graph__nomem(r);
	}
	end = lt->first_instruction + lt->n_instructions;
	for (i = lt->first_instruction + 1; i < end; i++) {
		const atmo_instruction *ob = atmo_dockerfile_at(lg->df, i);
		const atmo_instruction *in = ob->inner;
		if (strcmp(ob->keyword, "onbuild") || !in)
			continue;
		r->col = 0;
		if (!strcmp(in->keyword, "arg"))
			rc = apply_arg(r, &sx->env, in, st->start_line, strict);
		else if (!strcmp(in->keyword, "env"))
			rc = apply_env(r, &sx->env, in, st->start_line, strict);
		else
			rc = details_for(r, s, ec, &sx->env, in, st->first_instruction, k,
					 st->start_line, strict);
		k++;
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0 && strict)
			return rc;
		if (rc < 0)
			atmo_error_clear(r->err);
	}
	return 0;
}

/* A valid but unused file must not fail: errors in stages that are not built are dropped. */
int atmo_graph__scopes(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;
	atmo_error scratch_err;

	for (s = 0; s < g->n_stages; s++) {
		atmo_stage *st = &g->stages[s];
		atmo__gstage *sx = &g->sx[s];
		size_t end = st->first_instruction + st->n_instructions;
		size_t ec = sx->edge_begin;
		int strict = st->used && sx->replaced < 0;
		atmo_error *saved = r->err;

		/* errors of unbuilt stages go to a scratch error that is then dropped */
		if (!strict) {
			atmo_error_clear(&scratch_err);
			r->err = &scratch_err;
		}
		if (st->parent_stage >= 0) {
			const atmo_stage *p = &g->stages[st->parent_stage];
			size_t pend = p->first_instruction + p->n_instructions;
			if ((rc = atmo__genv_copy(&sx->env, &g->sx[st->parent_stage].env)) < 0) {
				r->err = saved;
				return atmo_graph__nomem(r);
			}
			/* skip the base edge */
			if (ec < sx->edge_end && g->edges[ec].kind == ATMO_EDGE_BASE)
				ec++;
			/* the parent's ONBUILD triggers run first in this stage */
			for (i = p->first_instruction + 1; i < pend; i++) {
				const atmo_instruction *ob = atmo_dockerfile_at(g->df, i);
				const atmo_instruction *in = ob->inner;
				if (strcmp(ob->keyword, "onbuild") || !in)
					continue;
				/* BuildKit parses an inherited trigger at the child's FROM */
				if (strict &&
				    (rc = atmo_graph__check_flags(r, in, st->start_line)) < 0) {
					r->err = saved;
					return rc;
				}
				/* located at this stage's FROM, where BuildKit runs them */
				if (!strcmp(in->keyword, "arg"))
					rc = apply_arg(r, &sx->env, in, st->start_line, strict);
				else if (!strcmp(in->keyword, "env"))
					rc = apply_env(r, &sx->env, in, st->start_line, strict);
				else if (!strict || (rc = expansion_errors(r, in, &sx->env,
									   st->start_line)) == 0)
					rc = details_for(r, s, &ec, &sx->env, in, i, -1,
							 st->start_line, strict);
				if (rc == ATMO_ENOMEM || (rc < 0 && strict)) {
					r->err = saved;
					return rc == ATMO_ENOMEM ? atmo_graph__nomem(r) : rc;
				}
			}
		} else {
			if (ec < sx->edge_end && g->edges[ec].kind == ATMO_EDGE_BASE)
				ec++;
			if ((rc = linked_scope(r, s, &ec, strict)) < 0) {
				r->err = saved;
				return rc;
			}
		}
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_at(g->df, i);
			r->col = 0;
			if (!strcmp(ins->keyword, "arg"))
				rc = apply_arg(r, &sx->env, ins, ins->start_line, strict);
			else if (!strcmp(ins->keyword, "env"))
				rc = apply_env(r, &sx->env, ins, ins->start_line, strict);
			else if (strict &&
				 (rc = expansion_errors(r, ins, &sx->env, ins->start_line)) < 0)
				;
			else
				rc = details_for(r, s, &ec, &sx->env, ins, i, -1, ins->start_line,
						 strict);
			if (rc == ATMO_ENOMEM || (rc < 0 && strict)) {
				r->err = saved;
				return rc == ATMO_ENOMEM ? atmo_graph__nomem(r) : rc;
			}
			if (rc < 0)
				atmo_error_clear(r->err);
		}
		r->err = saved;
	}
	return 0;
}

/* The implicit dependencies on a stage named scratch leave the graph once
 * they have counted (edges stay grouped by stage). */
void atmo_graph__drop_hidden_edges(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, e, k = 0;
	for (s = 0; s < g->n_stages; s++) {
		atmo__gstage *sx = &g->sx[s];
		size_t begin = k;
		for (e = sx->edge_begin; e < sx->edge_end; e++)
			if (!r->edge_hidden[e])
				g->edges[k++] = g->edges[e];
		sx->edge_begin = begin;
		sx->edge_end = k;
	}
	g->n_edges = k;
}
