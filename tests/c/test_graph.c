/* graph: the resolver (stages, nodes, edges, scopes) and the graph document. */
#include "harness.h"
#include "graph/graph_doc.h"
#include <dirent.h>
#include <time.h>
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"

/* ---- helpers ---- */

typedef struct {
	const char *target;
	const char *args[8];
	size_t n_args;
	const char *ctxs[8];
	size_t n_ctxs;
	const char *image_id;
} bopts;

/* Parse and resolve; returns the atmo_graph_build code, err filled. */
static int build(atmo_graph **g, atmo_dockerfile **df, const char *text, const bopts *o,
		 atmo_error *err)
{
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	int rc;
	atmo_error_clear(err);
	*g = NULL;
	rc = atmo_dockerfile_parse(df, text, strlen(text), "Dockerfile", err);
	if (rc < 0) {
		*df = NULL;
		return rc;
	}
	if (o) {
		go.target = o->target;
		go.build_args = o->args;
		go.n_build_args = o->n_args;
		go.build_contexts = o->ctxs;
		go.n_build_contexts = o->n_ctxs;
		go.image_id = o->image_id;
	}
	return atmo_graph_build(g, *df, &go, err);
}

static atmo_graph *must_build(atmo_dockerfile **df, const char *text, const bopts *o)
{
	atmo_graph *g;
	atmo_error err;
	int rc = build(&g, df, text, o, &err);
	if (rc < 0)
		fail_msg("build failed: %s:%d:%d: %s", err.source, err.line, err.column, err.text);
	assert_non_null(g);
	return g;
}

static const char *kind_str(atmo_edge_kind k)
{
	switch (k) {
	case ATMO_EDGE_BASE: return "base";
	case ATMO_EDGE_COPY: return "copy";
	case ATMO_EDGE_MOUNT: return "mount";
	case ATMO_EDGE_ONBUILD: return "onbuild";
	}
	return "?";
}

/* "from>to:kind@line" for every edge, space separated, ids without the image prefix */
static void edges_str(const atmo_graph *g, char *buf, size_t n)
{
	size_t i, off = 0, plen = strlen(atmo_graph_image_id(g)) + 1;
	buf[0] = '\0';
	for (i = 0; i < atmo_graph_edge_count(g); i++) {
		const atmo_graph_edge *e = atmo_graph_edge_at(g, i);
		const atmo_graph_node *a = atmo_graph_node_at(g, e->from);
		const atmo_graph_node *b = atmo_graph_node_at(g, e->to);
		off += (size_t)snprintf(buf + off, n - off, "%s%s>%s:%s@%d", i ? " " : "",
					a->id + plen, b->id + plen, kind_str(e->kind), e->line);
		assert_true(off < n);
	}
}

static void nodes_str(const atmo_graph *g, char *buf, size_t n)
{
	size_t i, off = 0, plen = strlen(atmo_graph_image_id(g)) + 1;
	buf[0] = '\0';
	for (i = 0; i < atmo_graph_node_count(g); i++) {
		const atmo_graph_node *x = atmo_graph_node_at(g, i);
		off += (size_t)snprintf(buf + off, n - off, "%s%s%s", i ? " " : "", x->id + plen,
					x->used ? "" : "(unused)");
		assert_true(off < n);
	}
}

static void order_str(const atmo_graph *g, char *buf, size_t n)
{
	size_t k, i, off = 0;
	const size_t *o = atmo_graph_order(g, &k);
	buf[0] = '\0';
	for (i = 0; i < k; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%zu", i ? "," : "", o[i]);
}

static const char *var_of(const atmo_graph *g, size_t stage, const char *name, int *is_env)
{
	size_t n, i;
	const atmo_graph_var *v = atmo_graph_stage_vars(g, stage, &n);
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name)) {
			if (is_env)
				*is_env = v[i].is_env;
			return v[i].value;
		}
	}
	return NULL;
}

static int has_warning(const atmo_graph *g, const char *code, int line)
{
	size_t i;
	for (i = 0; i < atmo_graph_warning_count(g); i++)
		if (!strcmp(atmo_graph_warning_code(g, i), code) &&
		    (line < 0 || atmo_graph_warning_at(g, i)->line == line))
			return 1;
	return 0;
}

static const atmo_graph_edge *edge_at(const atmo_graph *g, int line, atmo_edge_kind kind)
{
	size_t i;
	for (i = 0; i < atmo_graph_edge_count(g); i++) {
		const atmo_graph_edge *e = atmo_graph_edge_at(g, i);
		if (e->line == line && e->kind == kind)
			return e;
	}
	return NULL;
}

static void expect_error_col(const char *text, const bopts *o, int code, int line, int col,
			     const char *frag)
{
	atmo_graph *g;
	atmo_dockerfile *df;
	atmo_error err;
	int rc = build(&g, &df, text, o, &err);
	if (rc >= 0)
		fail_msg("expected an error containing '%s' for:\n%s", frag, text);
	assert_null(g);
	if (code)
		assert_int_equal(rc, code);
	assert_int_equal(err.code, rc);
	if (line >= 0)
		assert_int_equal(err.line, line);
	if (col > 0)
		assert_int_equal(err.column, col);
	if (line > 0)
		assert_true(err.column >= 1);
	if (!strstr(err.text, frag))
		fail_msg("error text '%s' lacks '%s'", err.text, frag);
	atmo_dockerfile_free(df);
}

static void expect_error(const char *text, const bopts *o, int code, int line, const char *frag)
{
	expect_error_col(text, o, code, line, 0, frag);
}

static char *read_data(const char *rel, size_t *len)
{
	char path[1024];
	char *data = NULL;
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo_file_read(&data, len, test_data_path(path, sizeof(path), rel), 0, &err) < 0)
		fail_msg("cannot read %s: %s", path, err.text);
	return data;
}

/* ---- rules ---- */

static void two_stages_copy_from(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	const atmo_graph_edge *e;
	const atmo_stage *b, *r;
	(void)state;
	g = must_build(&df,
		       "FROM golang:1.22 AS build\n"
		       "RUN go build -o /out/app\n"
		       "FROM debian:bookworm-slim AS runtime\n"
		       "COPY --from=build /out/app /usr/bin/app\n", NULL);
	assert_int_equal(atmo_graph_stage_count(g), 2);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/build stage/runtime image/golang:1.22 image/debian:bookworm-slim");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/golang:1.22>stage/build:base@1 "
			    "image/debian:bookworm-slim>stage/runtime:base@3 "
			    "stage/build>stage/runtime:copy@4");
	e = edge_at(g, 4, ATMO_EDGE_COPY);
	assert_non_null(e);
	assert_int_equal(e->n_sources, 1);
	assert_string_equal(e->sources[0], "/out/app");
	assert_string_equal(e->dest, "/usr/bin/app");
	assert_int_equal(e->instruction, 3);
	b = atmo_graph_stage_at(g, 0);
	r = atmo_graph_stage_at(g, 1);
	assert_string_equal(b->name, "build");
	assert_string_equal(b->base, "golang:1.22");
	assert_int_equal(b->start_line, 1);
	assert_int_equal(b->end_line, 2);
	assert_int_equal(b->first_instruction, 0);
	assert_int_equal(b->n_instructions, 2);
	assert_true(b->used && !b->in_final && b->build_only && !b->is_target);
	assert_true(r->used && r->in_final && !r->build_only && r->is_target);
	assert_int_equal(b->parent_stage, -1);
	assert_string_equal(b->node_id, "dockerfile/stage/build");
	assert_string_equal(b->anchor, "dockerfile-build");
	assert_int_equal(atmo_graph_target(g), 1);
	order_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "0,1");
	assert_null(atmo_graph_stage_at(g, 2));
	assert_int_equal(atmo_graph_find_stage(g, "BUILD"), 0);
	assert_int_equal(atmo_graph_find_stage(g, "1"), 1);
	assert_int_equal(atmo_graph_find_stage(g, "nope"), -1);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void meta_args_and_build_args(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	const char *text =
		"ARG BASE=debian\n"
		"ARG TAG=bookworm\n"
		"ARG FULL=${BASE}:${TAG}\n"
		"ARG NOVALUE\n"
		"FROM ${FULL} AS one\n"
		"ARG TAG\n"
		"ARG LOCAL=x-$TAG\n"
		"RUN true\n";
	bopts o = { NULL, { "TAG=trixie", "LOCAL=override" }, 2, { NULL }, 0, NULL };
	size_t n;
	const atmo_graph_var *m;
	(void)state;

	g = must_build(&df, text, NULL);
	assert_string_equal(atmo_graph_stage_at(g, 0)->base, "debian:bookworm");
	/* re-declared ARG picks the meta default; undeclared meta ARGs stay invisible */
	assert_string_equal(var_of(g, 0, "TAG", NULL), "bookworm");
	assert_string_equal(var_of(g, 0, "LOCAL", NULL), "x-bookworm");
	assert_null(var_of(g, 0, "BASE", NULL));
	assert_null(var_of(g, 0, "FULL", NULL));
	m = atmo_graph_meta_args(g, &n);
	assert_int_equal(n, 3); /* NOVALUE has no value */
	assert_string_equal(m[2].name, "FULL");
	assert_string_equal(m[2].value, "debian:bookworm");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);

	/* --build-arg overrides meta defaults and stage defaults */
	g = must_build(&df, text, &o);
	assert_string_equal(atmo_graph_stage_at(g, 0)->base, "debian:trixie");
	assert_string_equal(var_of(g, 0, "TAG", NULL), "trixie");
	assert_string_equal(var_of(g, 0, "LOCAL", NULL), "override");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void stage_arg_must_be_declared(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	bopts o = { NULL, { "DEST=/from-cli", "OTHER=1" }, 2, { NULL }, 0, NULL };
	const atmo_graph_edge *e;
	(void)state;
	/* DEST is used before its ARG line: empty there; declared afterwards */
	g = must_build(&df,
		       "FROM alpine AS a\n"
		       "FROM alpine AS b\n"
		       "COPY --from=a /x ${DEST}/early\n"
		       "ARG DEST=/default\n"
		       "COPY --from=a /y ${DEST}/late\n", &o);
	e = edge_at(g, 3, ATMO_EDGE_COPY);
	assert_string_equal(e->dest, "/early");
	e = edge_at(g, 5, ATMO_EDGE_COPY);
	assert_string_equal(e->dest, "/from-cli/late");
	assert_null(var_of(g, 1, "OTHER", NULL));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void env_inherited_from_parent(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	int is_env = -1;
	const atmo_graph_edge *e;
	(void)state;
	g = must_build(&df,
		       "FROM alpine AS base\n"
		       "ENV PREFIX=/opt/app A=1\n"
		       "ENV B=$A C=${PREFIX}/lib\n"
		       "ARG A=from-arg\n"
		       "FROM base AS child\n"
		       "ENV PREFIX=$PREFIX/child\n"
		       "FROM alpine AS other\n"
		       "COPY --from=child $PREFIX/x /x\n", NULL);
	assert_string_equal(var_of(g, 0, "B", &is_env), "1");
	assert_int_equal(is_env, 1);
	assert_string_equal(var_of(g, 0, "C", NULL), "/opt/app/lib");
	/* ENV wins over a later ARG of the same name */
	assert_string_equal(var_of(g, 0, "A", NULL), "1");
	assert_string_equal(var_of(g, 1, "PREFIX", NULL), "/opt/app/child");
	assert_string_equal(var_of(g, 1, "C", NULL), "/opt/app/lib");
	assert_int_equal(atmo_graph_stage_at(g, 1)->parent_stage, 0);
	/* an unrelated stage does not see child's ENV */
	assert_null(var_of(g, 2, "PREFIX", NULL));
	e = edge_at(g, 8, ATMO_EDGE_COPY);
	assert_string_equal(e->sources[0], "/x");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void from_resolves_backward_only(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	(void)state;
	g = must_build(&df,
		       "FROM later AS first\n"
		       "FROM alpine AS later\n"
		       "FROM later AS last\n"
		       "COPY --from=first / /\n", NULL);
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/later>stage/first:base@1 image/alpine>stage/later:base@2 "
			    "stage/later>stage/last:base@3 stage/first>stage/last:copy@4");
	assert_int_equal(atmo_graph_stage_at(g, 0)->parent_stage, -1);
	assert_int_equal(atmo_graph_stage_at(g, 2)->parent_stage, 1);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void copy_from_forward_index_and_case(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	(void)state;
	bopts o = { "app", { NULL }, 0, { NULL }, 0, NULL };
	static const char text[] =
		"FROM alpine AS App\n"
		"COPY --from=Assets /a /a\n"
		"COPY --from=2 /b /b\n"
		"FROM alpine AS assets\n"
		"FROM alpine\n"
		"COPY --from=ASSETS / /\n";
	/* the default target (the last stage) does not build App: its forward
	 * references resolve to edges, as BuildKit's stage graph has them */
	g = must_build(&df, text, NULL);
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/alpine>stage/app:base@1 stage/assets>stage/app:copy@2 "
			    "stage/2>stage/app:copy@3 image/alpine>stage/assets:base@4 "
			    "image/alpine>stage/2:base@5 stage/assets>stage/2:copy@6");
	assert_false(atmo_graph_stage(g, 0)->used);
	assert_true(has_warning(g, "StageNameCasing", 1));
	assert_string_equal(atmo_graph_stage_at(g, 0)->name, "app");
	assert_null(atmo_graph_stage_at(g, 2)->name);
	assert_string_equal(atmo_graph_stage_at(g, 2)->label, "2");
	order_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "1,2");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	/* building App: BuildKit builds stages in order and refuses the copy */
	expect_error_col(text, &o, 0, 2, 0,
			 "cannot copy from stage \"Assets\", it needs to be defined before current stage \"app\"");
}

/* BuildKit's linter rules on how instructions are written, and `# check=skip` */
static void buildkit_lint_rules(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	(void)state;
	g = must_build(&df,
		       "from alpine AS Build\n"
		       "run true\n"
		       "RUN true\n"
		       "maintainer me\n", NULL);
	assert_true(has_warning(g, "FromAsCasing", 1));
	assert_true(has_warning(g, "StageNameCasing", 1));
	assert_true(has_warning(g, "ConsistentInstructionCasing", 3));
	assert_false(has_warning(g, "ConsistentInstructionCasing", 2));
	assert_true(has_warning(g, "MaintainerDeprecated", 4));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	/* a tie counts as upper case; the directive skips rules for the file, a
	 * comment line above an instruction for that instruction */
	g = must_build(&df,
		       "# check=skip=StageNameCasing,FromAsCasing trailing words\n"
		       "FROM alpine as Build\n"
		       "# check=skip=MaintainerDeprecated\n"
		       "maintainer me\n"
		       "MAINTAINER you\n", NULL);
	assert_false(has_warning(g, "StageNameCasing", 2));
	assert_false(has_warning(g, "FromAsCasing", 2));
	assert_false(has_warning(g, "MaintainerDeprecated", 4));
	assert_true(has_warning(g, "MaintainerDeprecated", 5));
	assert_true(has_warning(g, "ConsistentInstructionCasing", 4));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	g = must_build(&df, "# check=skip=all\nFROM alpine AS Build\nrun true\n", NULL);
	assert_int_equal(atmo_graph_warning_count(g), 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void unknown_from_is_image_or_context(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	const atmo_graph_edge *e;
	const atmo_graph_node *n;
	bopts o = { NULL, { NULL }, 0, { "tools=docker-image://example.org/tools:1", "docs=./docs" },
		    2, "svc" };
	(void)state;
	g = must_build(&df,
		       "FROM alpine\n"
		       "COPY --from=busybox:1.36 /bin/busybox /bin/\n"
		       "COPY --from=tools /usr/bin/tool /usr/bin/\n"
		       "COPY --from=docs /html /srv/html\n", &o);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/0 image/alpine image/busybox:1.36 context/tools context/docs");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/alpine>stage/0:base@1 image/busybox:1.36>stage/0:copy@2 "
			    "context/tools>stage/0:copy@3 context/docs>stage/0:copy@4");
	e = edge_at(g, 3, ATMO_EDGE_COPY);
	assert_string_equal(e->context, "tools");
	assert_null(edge_at(g, 2, ATMO_EDGE_COPY)->context);
	n = atmo_graph_node_at(g, e->from);
	assert_int_equal(n->kind, ATMO_NODE_CONTEXT);
	assert_string_equal(n->ref, "docker-image://example.org/tools:1");
	assert_string_equal(n->id, "svc/context/tools");
	assert_int_equal(n->line, 3);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void named_context_from_names(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	bopts o = { NULL, { NULL }, 0,
		    { "openstack-venv-builder=docker-image://localhost/builder",
		      "debian=docker-image://localhost/debian:bookworm", "old=target:old" },
		    3, NULL };
	(void)state;
	g = must_build(&df,
		       "FROM openstack-venv-builder AS build\n"
		       "FROM docker.io/library/debian:latest AS deb\n"
		       "FROM alpine AS old\n"
		       "RUN exit 1\n"
		       "FROM old AS last\n"
		       "COPY --from=build / /\n"
		       "COPY --from=deb / /\n", &o);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/build stage/deb stage/old(unused) stage/last "
			    "context/openstack-venv-builder context/debian context/old image/alpine(unused)");
	/* a named context of a stage's own name replaces the stage */
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "context/openstack-venv-builder>stage/build:base@1 "
			    "context/debian>stage/deb:base@2 context/old>stage/last:base@5 "
			    "stage/build>stage/last:copy@6 stage/deb>stage/last:copy@7");
	assert_true(has_warning(g, "StageReplacedByContext", 3));
	assert_true(atmo_graph_stage_at(g, 2)->replaced);
	assert_false(atmo_graph_stage_at(g, 3)->replaced);
	assert_int_equal(atmo_graph_node_at(g, atmo_graph_stage_at(g, 0)->base_node)->kind,
			 ATMO_NODE_CONTEXT);
	assert_int_equal(atmo_graph_node_at(g, atmo_graph_stage_at(g, 2)->base_node)->kind,
			 ATMO_NODE_IMAGE);
	assert_int_equal(atmo_graph_stage_at(g, 3)->parent_stage, -1);
	assert_false(atmo_graph_stage_at(g, 2)->used);
	assert_string_equal(atmo_graph_edge_at(g, 2)->context, "old");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void scratch_node_and_platform(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	bopts o = { NULL, { "BUILDPLATFORM=linux/arm64" }, 1, { NULL }, 0, NULL };
	(void)state;
	g = must_build(&df,
		       "FROM --platform=$BUILDPLATFORM golang AS build\n"
		       "ARG TARGETARCH\n"
		       "ENV GOARCH=$TARGETARCH\n"
		       "FROM scratch\n"
		       "COPY --from=build /app /app\n"
		       "COPY --from=scratch / /\n", &o);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/build stage/1 image/golang scratch");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/golang>stage/build:base@1 scratch>stage/1:base@4 "
			    "stage/build>stage/1:copy@5 scratch>stage/1:copy@6");
	assert_string_equal(atmo_graph_stage_at(g, 0)->platform, "linux/arm64");
	assert_null(atmo_graph_stage_at(g, 1)->platform);
	assert_non_null(var_of(g, 0, "GOARCH", NULL));
	assert_true(strlen(var_of(g, 0, "GOARCH", NULL)) > 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void run_mounts(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	const atmo_graph_edge *e;
	(void)state;
	g = must_build(&df,
		       "FROM alpine AS tools\n"
		       "FROM alpine\n"
		       "ARG CACHE=apk\n"
		       "RUN --mount=type=cache,id=${CACHE},target=/var/cache/apk \\\n"
		       "    --mount=type=bind,from=tools,source=/usr/bin,target=/t \\\n"
		       "    --mount=type=tmpfs,target=/tmp \\\n"
		       "    --mount=type=bind,\"from=0\",src=/etc,dst=/e,ro \\\n"
		       "    --mount=type=secret,id=token ls\n", NULL);
	edges_str(g, buf, sizeof(buf));
	/* from= names a stage by name only (BuildKit's detectRunMount): "0" is an image */
	assert_string_equal(buf, "image/alpine>stage/tools:base@1 image/alpine>stage/1:base@2 "
			    "stage/tools>stage/1:mount@4 image/0>stage/1:mount@4");
	e = atmo_graph_edge_at(g, 2);
	assert_string_equal(e->mount_type, "bind");
	assert_string_equal(e->sources[0], "/usr/bin");
	assert_string_equal(e->dest, "/t");
	e = atmo_graph_edge_at(g, 3);
	assert_string_equal(e->sources[0], "/etc");
	assert_string_equal(e->dest, "/e");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void onbuild_triggers(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	const atmo_stage *st;
	(void)state;
	g = must_build(&df,
		       "FROM alpine AS assets\n"
		       "FROM alpine AS runtime\n"
		       "ONBUILD ARG PROJECT=app\n"
		       "ONBUILD RUN useradd $PROJECT\n"
		       "ONBUILD COPY --from=assets /a /srv/$PROJECT\n"
		       "FROM runtime AS service\n"
		       "ARG PROJECT=nova\n", NULL);
	st = atmo_graph_stage_at(g, 1);
	assert_int_equal(st->n_onbuild, 3);
	assert_string_equal(st->onbuild[0], "ARG PROJECT=app");
	assert_string_equal(st->onbuild[2], "COPY --from=assets /a /srv/$PROJECT");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/alpine>stage/assets:base@1 image/alpine>stage/runtime:base@2 "
			    "stage/runtime>stage/service:base@6 stage/assets>stage/service:onbuild@5");
	/* the trigger runs in the child, with the child's scope at its start */
	assert_string_equal(atmo_graph_edge_at(g, 3)->dest, "/srv/app");
	/* the ARG trigger declared PROJECT=app first; the stage's own ARG default comes next */
	assert_string_equal(var_of(g, 2, "PROJECT", NULL), "nova");
	assert_null(var_of(g, 1, "PROJECT", NULL));
	assert_true(atmo_graph_stage_at(g, 0)->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void target_reachability_and_order(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	size_t len;
	char *text = read_data("graph/multistage.Dockerfile", &len);
	char buf[4096];
	bopts o = { "build", { NULL }, 0, { NULL }, 0, NULL };
	const atmo_graph_edge *e;
	int is_env;
	(void)state;
	g = must_build(&df, text, NULL);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/base stage/deps stage/build stage/docs(unused) "
			    "stage/export(unused) stage/runtime stage/service "
			    "image/debian:bookworm-slim scratch(unused)");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf,
			    "image/debian:bookworm-slim>stage/base:base@4 stage/base>stage/deps:base@8 "
			    "stage/deps>stage/build:base@11 stage/base>stage/docs:base@16 "
			    "stage/build>stage/docs:mount@17 scratch>stage/export:base@19 "
			    "stage/docs>stage/export:copy@20 stage/base>stage/runtime:base@22 "
			    "stage/build>stage/runtime:copy@25 stage/runtime>stage/service:base@27");
	order_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "0,1,2,5,6");
	assert_true(atmo_graph_stage_at(g, 0)->in_final);
	assert_true(atmo_graph_stage_at(g, 5)->in_final);
	assert_true(atmo_graph_stage_at(g, 2)->build_only);
	assert_false(atmo_graph_stage_at(g, 3)->used);
	e = edge_at(g, 25, ATMO_EDGE_COPY);
	assert_string_equal(e->sources[0], "/srv/app/bin");
	assert_string_equal(e->dest, "/usr/local/bin/");
	e = edge_at(g, 17, ATMO_EDGE_MOUNT);
	assert_string_equal(e->sources[0], "/srv/app/doc");
	assert_string_equal(atmo_graph_stage_at(g, 0)->description, "is the common root of every stage");
	assert_string_equal(var_of(g, 6, "APP", &is_env), "/srv/app");
	assert_int_equal(is_env, 1);
	assert_string_equal(var_of(g, 6, "PROJECT", &is_env), "app");
	assert_int_equal(is_env, 0);
	assert_null(var_of(g, 0, "UNUSED_IN_STAGE", NULL));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);

	g = must_build(&df, text, &o);
	assert_int_equal(atmo_graph_target(g), 2);
	order_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "0,1,2");
	assert_true(atmo_graph_stage_at(g, 1)->in_final);
	assert_false(atmo_graph_stage_at(g, 5)->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
}

static void descriptions_like_buildx(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	(void)state;
	g = must_build(&df,
		       "# build compiles the program\n"
		       "FROM alpine AS build\n"
		       "# something else\n"
		       "# runtime runs it\n"
		       "FROM alpine AS runtime\n"
		       "# not the name\n"
		       "FROM alpine AS other\n"
		       "# unnamed stage\n"
		       "FROM alpine\n", NULL);
	assert_string_equal(atmo_graph_stage_at(g, 0)->description, "compiles the program");
	assert_string_equal(atmo_graph_stage_at(g, 1)->description, "runs it");
	assert_null(atmo_graph_stage_at(g, 2)->description);
	assert_null(atmo_graph_stage_at(g, 3)->description);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void duplicate_and_reserved_names_warn(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	char buf[2048];
	(void)state;
	g = must_build(&df,
		       "FROM alpine AS a\n"
		       "FROM busybox AS a\n"
		       "FROM alpine AS scratch\n"
		       "FROM alpine AS context\n"
		       "FROM a\n"
		       "COPY --from=a / /\n", NULL);
	assert_true(has_warning(g, "DuplicateStageName", 2));
	assert_true(has_warning(g, "ReservedStageName", 3));
	assert_true(has_warning(g, "ReservedStageName", 4));
	assert_false(has_warning(g, "DuplicateStageName", 1));
	/* the later stage of a duplicated name wins; its id stays unique */
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/alpine>stage/a:base@1 image/busybox>stage/a#1:base@2 "
			    "image/alpine>stage/scratch:base@3 image/alpine>stage/context:base@4 "
			    "stage/a#1>stage/4:base@5 stage/a#1>stage/4:copy@6");
	assert_string_equal(atmo_graph_stage_at(g, 1)->anchor, "dockerfile-a-1");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void undefined_arg_in_from_warns(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	(void)state;
	g = must_build(&df,
		       "ARG DECLARED\n"
		       "FROM alpine:${VERSION:-3.20}${DECLARED}\n", NULL);
	assert_string_equal(atmo_graph_stage_at(g, 0)->base, "alpine:3.20");
	assert_true(has_warning(g, "UndefinedArgInFrom", 2));
	assert_int_equal(atmo_graph_warning_count(g), 1);
	assert_non_null(strstr(atmo_graph_warning_at(g, 0)->text, "VERSION"));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void errors_only_in_built_stages(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	bopts o = { "ok", { NULL }, 0, { NULL }, 0, NULL };
	const char *text =
		"FROM alpine AS broken\n"
		"RUN --mount=type=cache,target=/x,colour=red true\n"
		"ENV A=${UNSET:?must_be_set}\n"
		"FROM alpine AS ok\n";
	(void)state;
	g = must_build(&df, text, &o);
	assert_false(atmo_graph_stage_at(g, 0)->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	o.target = "broken";
	expect_error(text, &o, ATMO_EINVALID, 2, "unexpected key 'colour'");
}

static void service_image(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	size_t len;
	char *text = read_data("graph/service.Dockerfile", &len);
	char buf[4096];
	const atmo_graph_edge *e;
	bopts o = { NULL, { "UV_CACHE_ID=nova-uv" }, 1,
		    { "openstack-venv-builder=docker-image://localhost/atmo/venv-builder",
		      "openstack-python-runtime=target:python-runtime" }, 2, "nova" };
	(void)state;
	/* without named contexts the FROM names are images */
	g = must_build(&df, text, NULL);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/build stage/runtime image/openstack-venv-builder "
			    "image/openstack-python-runtime");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);

	g = must_build(&df, text, &o);
	nodes_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "stage/build stage/runtime context/openstack-venv-builder "
			    "context/openstack-python-runtime");
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "context/openstack-venv-builder>stage/build:base@7 "
			    "context/openstack-python-runtime>stage/runtime:base@17 "
			    "stage/build>stage/runtime:copy@20");
	e = edge_at(g, 20, ATMO_EDGE_COPY);
	assert_int_equal(e->n_sources, 1);
	assert_string_equal(e->sources[0], "/var/lib/openstack");
	assert_string_equal(e->dest, "/var/lib/openstack");
	assert_null(e->context);
	assert_string_equal(atmo_graph_edge_at(g, 0)->context, "openstack-venv-builder");
	assert_string_equal(atmo_graph_stage_at(g, 0)->description,
			    "installs nova into the shared virtual environment");
	assert_string_equal(atmo_graph_stage_at(g, 1)->description,
			    "is what ships: the venv without compilers");
	assert_int_equal(atmo_graph_stage_at(g, 0)->end_line, 14);
	assert_int_equal(atmo_graph_stage_at(g, 1)->end_line, 21);
	assert_string_equal(var_of(g, 0, "UV_CACHE_ID", NULL), "nova-uv");
	assert_string_equal(var_of(g, 0, "NOVA_REF", NULL), "stable");
	assert_string_equal(atmo_graph_stage_at(g, 0)->anchor, "nova-build");
	assert_true(atmo_graph_stage_at(g, 0)->build_only);
	assert_true(atmo_graph_stage_at(g, 1)->is_target);
	assert_int_equal(atmo_graph_warning_count(g), 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
}

static void heredoc_copy_sources(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	const atmo_graph_edge *e;
	(void)state;
	g = must_build(&df,
		       "FROM alpine AS a\n"
		       "FROM alpine\n"
		       "COPY --from=a <<CONF /etc/app.conf\n"
		       "key=value\n"
		       "CONF\n"
		       "RUN true\n", NULL);
	e = edge_at(g, 3, ATMO_EDGE_COPY);
	assert_non_null(e);
	assert_int_equal(e->n_sources, 1);
	assert_string_equal(e->sources[0], "CONF");
	assert_string_equal(e->dest, "/etc/app.conf");
	assert_int_equal(atmo_graph_stage_at(g, 1)->end_line, 6);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

/* ---- the graph document ---- */

static void graph_document(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	json_t *doc = NULL, *n, *e, *img;
	atmo_error err;
	size_t i;
	bopts o = { NULL, { NULL }, 0, { NULL }, 0, "nova" };
	(void)state;
	g = must_build(&df,
		       "# build makes it\n"
		       "FROM debian AS build\n"
		       "RUN make\n"
		       "FROM debian AS old\n"
		       "FROM debian AS runtime\n"
		       "ONBUILD RUN useradd x\n"
		       "COPY --from=build /a /b\n", &o);
	atmo_error_clear(&err);
	assert_int_equal(atmo_graph_to_json(&doc, g, &err), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.graph/1");
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), ATMO_GRAPH_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(doc, "target")), "nova/stage/runtime");
	img = json_array_get(json_object_get(doc, "images"), 0);
	assert_string_equal(json_string_value(json_object_get(img, "id")), "nova");
	assert_string_equal(json_string_value(json_object_get(img, "dockerfile")), "Dockerfile");
	assert_string_equal(json_string_value(json_object_get(img, "target")), "nova/stage/runtime");
	assert_int_equal(json_array_size(json_object_get(doc, "nodes")), 4);
	n = json_array_get(json_object_get(doc, "nodes"), 0);
	assert_string_equal(json_string_value(json_object_get(n, "id")), "nova/stage/build");
	assert_string_equal(json_string_value(json_object_get(n, "kind")), "stage");
	assert_string_equal(json_string_value(json_object_get(n, "image")), "nova");
	assert_string_equal(json_string_value(json_object_get(n, "name")), "build");
	assert_string_equal(json_string_value(json_object_get(n, "base")), "debian");
	assert_string_equal(json_string_value(json_object_get(n, "description")), "makes it");
	assert_string_equal(json_string_value(json_object_get(n, "anchor")), "nova-build");
	assert_int_equal(json_integer_value(json_object_get(n, "line")), 2);
	assert_int_equal(json_integer_value(json_object_get(n, "end_line")), 3);
	assert_true(json_is_true(json_object_get(n, "build_only")));
	assert_true(json_is_false(json_object_get(n, "in_final")));
	assert_int_equal(json_array_size(json_object_get(n, "instructions")), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(n, "instructions"), 1), "keyword")), "run");
	n = json_array_get(json_object_get(doc, "nodes"), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(n, "onbuild"), 0)),
			    "RUN useradd x");
	assert_true(json_is_true(json_object_get(n, "target")));
	n = json_array_get(json_object_get(doc, "nodes"), 3);
	assert_string_equal(json_string_value(json_object_get(n, "kind")), "image");
	assert_string_equal(json_string_value(json_object_get(n, "ref")), "debian");
	assert_string_equal(json_string_value(json_object_get(n, "id")), "nova/image/debian");
	assert_int_equal(json_array_size(json_object_get(doc, "unused")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "unused"), 0)),
			    "nova/stage/old");
	e = json_array_get(json_object_get(doc, "edges"), 3);
	assert_string_equal(json_string_value(json_object_get(e, "from")), "nova/stage/build");
	assert_string_equal(json_string_value(json_object_get(e, "to")), "nova/stage/runtime");
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "copy");
	assert_int_equal(json_integer_value(json_object_get(e, "line")), 7);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "sources"), 0)), "/a");
	assert_string_equal(json_string_value(json_object_get(e, "dest")), "/b");
	for (i = 0; i < 3; i++)
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(json_object_get(doc, "edges"), i), "kind")), "base");
	assert_true(json_is_array(json_object_get(doc, "warnings")));
	json_decref(doc);

	assert_int_equal(atmo_graph_stages_to_json(&doc, g, &err), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.stages/1");
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), ATMO_STAGES_SCHEMA);
	n = json_array_get(json_object_get(doc, "stages"), 1);
	assert_string_equal(json_string_value(json_object_get(n, "status")), "unused");
	n = json_array_get(json_object_get(doc, "stages"), 0);
	assert_string_equal(json_string_value(json_object_get(n, "status")), "build-only");
	assert_int_equal(json_array_size(json_object_get(doc, "order")), 2);
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static void deterministic_document(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	json_t *d1 = NULL, *d2 = NULL;
	char *s1, *s2;
	size_t len;
	char *text = read_data("graph/multistage.Dockerfile", &len);
	(void)state;
	g = must_build(&df, text, NULL);
	assert_int_equal(atmo_graph_to_json(&d1, g, NULL), 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	g = must_build(&df, text, NULL);
	assert_int_equal(atmo_graph_to_json(&d2, g, NULL), 0);
	s1 = json_dumps(d1, JSON_COMPACT);
	s2 = json_dumps(d2, JSON_COMPACT);
	assert_string_equal(s1, s2);
	atmo_free(s1);
	atmo_free(s2);
	json_decref(d1);
	json_decref(d2);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
}

static void invalid_utf8_in_document(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	json_t *doc = NULL;
	json_t *n;
	(void)state;
	/* instruction texts are bytes as written; the document stays valid JSON */
	g = must_build(&df, "FROM alpine AS a\nRUN echo \xff\xc3(\n", NULL);
	assert_int_equal(atmo_graph_to_json(&doc, g, NULL), 0);
	n = json_array_get(json_object_get(json_array_get(json_object_get(doc, "nodes"), 0),
					   "instructions"), 1);
	assert_string_equal(json_string_value(json_object_get(n, "text")),
			    "RUN echo \xef\xbf\xbd\xef\xbf\xbd(");
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

/* ---- broken input ---- */

static void api_misuse(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g = (atmo_graph *)1;
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	atmo_error err;
	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_dockerfile_parse(&df, "FROM a\n", 7, "Dockerfile", &err), 0);
	go.version = 99;
	assert_int_equal(atmo_graph_build(&g, df, &go, &err), ATMO_EINVALID);
	assert_null(g);
	go.version = ATMO_GRAPH_OPTIONS_VERSION;
	go.n_build_args = 2;
	assert_int_equal(atmo_graph_build(&g, df, &go, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_graph_build(NULL, df, NULL, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_graph_build(&g, NULL, NULL, NULL), ATMO_EINVALID);
	atmo_graph_free(NULL);
	assert_int_equal(atmo_graph_stage_count(NULL), 0);
	assert_int_equal(atmo_graph_to_json(NULL, NULL, NULL), ATMO_EINVALID);
	atmo_dockerfile_free(df);
}

static void bad_options(void **state)
{
	bopts o1 = { NULL, { "NOVALUE" }, 1, { NULL }, 0, NULL };
	bopts o2 = { NULL, { "=x" }, 1, { NULL }, 0, NULL };
	bopts o3 = { NULL, { NULL }, 0, { "novalue" }, 1, NULL };
	bopts o4 = { NULL, { NULL }, 0, { "name=" }, 1, NULL };
	bopts o5 = { "nope", { NULL }, 0, { NULL }, 0, NULL };
	bopts o6 = { "7", { NULL }, 0, { NULL }, 0, NULL };
	atmo_graph *g;
	atmo_dockerfile *df;
	atmo_error err;
	(void)state;
	expect_error("FROM a\n", &o1, ATMO_EINVALID, 0, "expected KEY=VALUE");
	expect_error("FROM a\n", &o2, ATMO_EINVALID, 0, "expected KEY=VALUE");
	expect_error("FROM a\n", &o3, ATMO_EINVALID, 0, "expected NAME=VALUE");
	expect_error("FROM a\n", &o4, ATMO_EINVALID, 0, "expected NAME=VALUE");
	expect_error("FROM a AS one\nFROM b AS two\n", &o5, ATMO_ENOTFOUND, 0,
		     "target stage \"nope\" could not be found (stages: one, two");
	expect_error("FROM a AS one\n", &o6, ATMO_ENOTFOUND, 0, "\"7\"");
	assert_true(build(&g, &df, "FROM a\n", &o1, &err) < 0);
	assert_string_equal(err.source, "--build-arg");
	atmo_dockerfile_free(df);
}

/* tests/data/graph/broken/cases.txt: FILE<TAB>LINE<TAB>TEXT[<TAB>OPTION...] where an
 * option is target=T, arg=K=V, ctx=N=V or col=COLUMN. Every case must fail with a located error. */
static void broken_dockerfiles(void **state)
{
	size_t len, count = 0;
	char *manifest = read_data("graph/broken/cases.txt", &len);
	char *line, *save = NULL;
	(void)state;
	for (line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8];
		size_t nf = 0, i;
		char *p = line, rel[512];
		bopts o;
		int col = 0;
		char *text;
		size_t tlen;
		if (*line == '#' || !*line)
			continue;
		memset(&o, 0, sizeof(o));
		while (nf < 8) {
			f[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		assert_true(nf >= 3);
		for (i = 3; i < nf; i++) {
			if (!strncmp(f[i], "target=", 7))
				o.target = f[i] + 7;
			else if (!strncmp(f[i], "arg=", 4))
				o.args[o.n_args++] = f[i] + 4;
			else if (!strncmp(f[i], "ctx=", 4))
				o.ctxs[o.n_ctxs++] = f[i] + 4;
			else if (!strncmp(f[i], "col=", 4))
				col = atoi(f[i] + 4);
			else
				fail_msg("bad option %s", f[i]);
		}
		snprintf(rel, sizeof(rel), "graph/broken/%s", f[0]);
		text = read_data(rel, &tlen);
		print_message("broken: %s\n", f[0]);
		expect_error_col(text, &o, 0, atoi(f[1]), col, f[2]);
		atmo_free(text);
		count++;
	}
	print_message("broken Dockerfiles: %zu located errors\n", count);
	assert_true(count >= 25);
	atmo_free(manifest);
}

/* ---- speed: linear in the number of instructions ---- */

static void large_file_is_fast(void **state)
{
	size_t cap = 4 << 20, off = 0, i;
	char *text = malloc(cap);
	atmo_dockerfile *df;
	atmo_graph *g;
	clock_t t0;
	double secs;
	(void)state;
	assert_non_null(text);
	for (i = 0; i < 3000; i++) {
		if (!i)
			off += (size_t)snprintf(text + off, cap - off, "FROM alpine AS s0\n");
		else
			off += (size_t)snprintf(text + off, cap - off, "FROM s%zu AS s%zu\n"
						"COPY --from=s%zu /a /b\n", i - 1, i, i / 2);
		off += (size_t)snprintf(text + off, cap - off, "ENV V%zu=%zu\n"
					"RUN --mount=type=cache,target=/c true\n", i % 50, i);
	}
	t0 = clock();
	g = must_build(&df, text, NULL);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_message("3000 stages, %zu instructions: %.3f s\n", atmo_dockerfile_count(df), secs);
	assert_true(secs < 2.0);
	assert_int_equal(atmo_graph_stage_count(g), 3000);
	assert_true(atmo_graph_stage_at(g, 1)->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	free(text);
}


/* ---- cross-image ONBUILD (bake links) and descriptions as BuildKit reads them ---- */

static const char *linked_parent_df =
	"FROM debian AS rt\n"
	"ENV APP_HOME=/srv\n"
	"ARG NOT_INHERITED=1\n"
	"ONBUILD ARG PROJECT\n"
	"ONBUILD ENV HOME_DIR=/home/${PROJECT}\n"
	"ONBUILD COPY --from=assets /a /b/${PROJECT}\n"
	"ONBUILD RUN --mount=type=bind,from=tools,source=/bin,target=/t true\n"
	"ONBUILD RUN useradd \"${PROJECT}\"\n";

static atmo_graph *linked_child(atmo_dockerfile **df, const atmo_graph *parent, const char *text,
				const char *project, atmo_error *err, int *rc)
{
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	atmo_graph_link link;
	const char *ctx[1] = { "runtime=target:rt" };
	const char *args[1];
	char arg[64];
	atmo_graph *g = NULL;
	snprintf(arg, sizeof(arg), "PROJECT=%s", project);
	args[0] = arg;
	link.context = "runtime";
	link.graph = parent;
	go.build_contexts = ctx;
	go.n_build_contexts = 1;
	go.build_args = args;
	go.n_build_args = 1;
	go.image_id = "svc";
	go.links = &link;
	go.n_links = 1;
	atmo_error_clear(err);
	assert_int_equal(atmo_dockerfile_parse(df, text, strlen(text), "svc/Dockerfile", err), 0);
	*rc = atmo_graph_build(&g, *df, &go, err);
	return g;
}

static void onbuild_across_images(void **state)
{
	atmo_dockerfile *pdf, *df;
	atmo_graph *pg, *g;
	atmo_error err;
	char buf[2048];
	const atmo_stage *st;
	const atmo_graph_edge *e;
	json_t *doc, *node, *ih;
	int rc, is_env = 0;
	bopts po = { NULL, { NULL }, 0, { NULL }, 0, "rt" };
	(void)state;
	pg = must_build(&pdf, linked_parent_df, &po);
	g = linked_child(&df, pg,
			 "FROM alpine AS assets\n"
			 "FROM alpine AS tools\n"
			 "FROM alpine AS unused\n"
			 "FROM runtime AS svc\n"
			 "USER ${PROJECT}\n", "hello", &err, &rc);
	assert_int_equal(rc, 0);
	st = atmo_graph_stage_at(g, 3);
	assert_int_equal(st->n_onbuild_inherited, 5);
	assert_string_equal(st->onbuild_inherited[0], "ARG PROJECT");
	assert_string_equal(st->onbuild_inherited[4], "RUN useradd \"${PROJECT}\"");
	assert_string_equal(st->onbuild_from, "rt/stage/rt");
	/* the triggers' edges: resolved in the child file, on its FROM line */
	edges_str(g, buf, sizeof(buf));
	assert_string_equal(buf, "image/alpine>stage/assets:base@1 image/alpine>stage/tools:base@2 "
			    "image/alpine>stage/unused:base@3 context/runtime>stage/svc:base@4 "
			    "stage/assets>stage/svc:onbuild@4 stage/tools>stage/svc:onbuild@4");
	e = atmo_graph_edge_at(g, 4);
	assert_int_equal(e->n_sources, 1);
	assert_string_equal(e->sources[0], "/a");
	assert_string_equal(e->dest, "/b/hello");  /* the ARG trigger's value, from the build args */
	assert_string_equal(e->onbuild_from, "rt/stage/rt");
	e = atmo_graph_edge_at(g, 5);
	assert_string_equal(e->mount_type, "bind");
	assert_string_equal(e->dest, "/t");
	assert_string_equal(e->sources[0], "/bin");
	assert_null(atmo_graph_edge_at(g, 3)->onbuild_from);
	/* reachability follows the trigger edges */
	assert_true(atmo_graph_stage_at(g, 0)->used);
	assert_true(atmo_graph_stage_at(g, 1)->used);
	assert_false(atmo_graph_stage_at(g, 2)->used);
	assert_true(atmo_graph_stage_at(g, 0)->build_only);
	/* scope: the linked stage's ENV, then the triggers' ARG and ENV; not its ARGs */
	assert_string_equal(var_of(g, 3, "APP_HOME", &is_env), "/srv");
	assert_int_equal(is_env, 1);
	assert_string_equal(var_of(g, 3, "PROJECT", &is_env), "hello");
	assert_int_equal(is_env, 0);
	assert_string_equal(var_of(g, 3, "HOME_DIR", &is_env), "/home/hello");
	assert_int_equal(is_env, 1);
	assert_null(var_of(g, 3, "NOT_INHERITED", NULL));
	/* the document */
	assert_int_equal(atmo_graph_to_json(&doc, g, &err), 0);
	node = json_array_get(json_object_get(doc, "nodes"), 3);
	ih = json_object_get(node, "onbuild_inherited");
	assert_int_equal(json_array_size(ih), 5);
	assert_string_equal(json_string_value(json_array_get(ih, 2)), "COPY --from=assets /a /b/${PROJECT}");
	assert_string_equal(json_string_value(json_object_get(node, "onbuild_from")), "rt/stage/rt");
	assert_int_equal(json_array_size(json_object_get(node, "onbuild")), 0);
	assert_null(json_object_get(json_array_get(json_object_get(doc, "nodes"), 0), "onbuild_inherited"));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "edges"), 4), "onbuild_from")), "rt/stage/rt");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "edges"), 4), "kind")), "onbuild");
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);

	/* a stage FROM the context that is not linked inherits nothing; in-file parents report theirs */
	g = must_build(&df, "FROM alpine AS p\nONBUILD RUN x\nFROM p AS c\nFROM runtime AS d\n", NULL);
	assert_int_equal(atmo_graph_stage_at(g, 1)->n_onbuild_inherited, 1);
	assert_string_equal(atmo_graph_stage_at(g, 1)->onbuild_inherited[0], "RUN x");
	assert_string_equal(atmo_graph_stage_at(g, 1)->onbuild_from, "dockerfile/stage/p");
	assert_int_equal(atmo_graph_stage_at(g, 2)->n_onbuild_inherited, 0);
	assert_null(atmo_graph_stage_at(g, 2)->onbuild_from);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_graph_free(pg);
	atmo_dockerfile_free(pdf);
}

static void onbuild_across_images_errors(void **state)
{
	atmo_dockerfile *pdf, *df;
	atmo_graph *pg, *g;
	atmo_error err;
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	int rc;
	bopts po = { NULL, { NULL }, 0, { NULL }, 0, "rt" };
	(void)state;
	/* a trigger whose --from uses a variable: located on the child's FROM line */
	pg = must_build(&pdf, "FROM debian AS rt\nONBUILD COPY --from=${X} /a /b\n", &po);
	g = linked_child(&df, pg, "FROM alpine\n\nFROM runtime AS svc\n", "p", &err, &rc);
	assert_int_equal(rc, ATMO_EINVALID);
	assert_null(g);
	assert_string_equal(err.source, "svc/Dockerfile");
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.text, "variable expansion is not supported for --from"));
	atmo_dockerfile_free(df);
	atmo_graph_free(pg);
	atmo_dockerfile_free(pdf);
	/* a trigger with a bad mount, in a stage that is not built: dropped as BuildKit does */
	pg = must_build(&pdf, "FROM debian AS rt\nONBUILD RUN --mount=type=bind,from=x,target=$T true\n", &po);
	g = linked_child(&df, pg, "FROM runtime AS unbuilt\nFROM alpine AS svc\n", "p", &err, &rc);
	assert_int_equal(rc, 0);
	assert_false(atmo_graph_stage_at(g, 0)->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_graph_free(pg);
	atmo_dockerfile_free(pdf);
	/* a trigger that copies from the stage it runs in: BuildKit's cycle check
	 * does not see triggers; building the stage refuses the copy */
	pg = must_build(&pdf, "FROM debian AS rt\nONBUILD COPY --from=svc /a /b\n", &po);
	g = linked_child(&df, pg, "FROM alpine AS x\nFROM runtime AS svc\n", "p", &err, &rc);
	assert_int_equal(rc, ATMO_EINVALID);
	assert_null(g);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.text, "cannot copy from stage \"svc\", it needs to be defined before current stage \"svc\""));
	atmo_dockerfile_free(df);
	atmo_graph_free(pg);
	atmo_dockerfile_free(pdf);
	/* n_links without links is a usage error */
	assert_int_equal(atmo_dockerfile_parse(&df, "FROM a\n", 7, "D", &err), 0);
	go.n_links = 1;
	atmo_error_clear(&err);
	assert_int_equal(atmo_graph_build(&g, df, &go, &err), ATMO_EINVALID);
	assert_null(g);
	assert_non_null(strstr(err.text, "n_links"));
	atmo_dockerfile_free(df);
}

/* BuildKit (instructions.getComment): the first line of the comment block above FROM
 * that starts with "<lower-cased name> " gives the rest of that line; parser
 * directives are no part of the block; blank lines keep it, a "#" line alone resets it. */
static void descriptions_like_buildkit_get_comment(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	(void)state;
	g = must_build(&df,
		       "# syntax=docker/dockerfile:1\n"
		       "# escape=`\n"
		       "# check=skip=all\n"
		       "# base the family's base\n"
		       "\n"
		       "# more text about it\n"
		       "FROM debian AS base\n"
		       "# intro line\n"
		       "# build   compiles\n"
		       "# build second match is ignored\n"
		       "# and a continuation\n"
		       "FROM base AS Build\n"
		       "# run old\n"
		       "#\n"
		       "# other text\n"
		       "FROM base AS run\n"
		       "# syntax=docker/dockerfile:1\n"
		       "FROM base AS syntax\n"
		       "# last the last one\n"
		       "RUN true\n"
		       "FROM base AS last\n", NULL);
	assert_string_equal(atmo_graph_stage_at(g, 0)->description, "the family's base");
	/* the name is lower-cased first; the text after "name " is kept as written */
	assert_string_equal(atmo_graph_stage_at(g, 1)->description, "  compiles");
	assert_null(atmo_graph_stage_at(g, 2)->description);   /* "#" reset the block */
	assert_null(atmo_graph_stage_at(g, 3)->description);   /* "syntax=..." is no "syntax " line */
	assert_null(atmo_graph_stage_at(g, 4)->description);   /* the comment belongs to the RUN */
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	/* a directive alone above the first FROM is never its description */
	g = must_build(&df, "# syntax=docker/dockerfile:1\nFROM debian AS syntax\n", NULL);
	assert_null(atmo_graph_stage_at(g, 0)->description);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

/* the stage list names what each FROM resolved to ("base_kind"): the CLI's
 * "(context)" mark and any other reader take it from the document */
static void stages_document_base_kind(void **state)
{
	atmo_dockerfile *df;
	atmo_graph *g;
	json_t *doc = NULL;
	atmo_error err;
	bopts o = { .target = "s", .ctxs = { "ctx=docker-image://alpine" }, .n_ctxs = 1 };
	static const char *const want[] = { "image", "stage", "context", "scratch", "stage" };
	size_t i;
	(void)state;
	g = must_build(&df, "FROM debian AS a\nFROM a AS b\nFROM ctx AS c\nFROM scratch AS d\n"
			    "FROM c AS s\nCOPY --from=b / /\nCOPY --from=d / /\n", &o);
	atmo_error_clear(&err);
	assert_int_equal(atmo_graph_stages_to_json(&doc, g, &err), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "stages")), 5);
	for (i = 0; i < 5; i++) {
		json_t *st = json_array_get(json_object_get(doc, "stages"), i);
		const atmo_stage *gs = atmo_graph_stage_at(g, i);
		const char *kind = json_string_value(json_object_get(st, "base_kind"));
		assert_non_null(kind);
		assert_string_equal(kind, want[i]);
		/* the same as the graph's own node of the FROM */
		assert_int_equal(atmo_graph_node_at(g, gs->base_node)->kind,
				 !strcmp(kind, "stage") ? ATMO_NODE_STAGE : !strcmp(kind, "image")
				 ? ATMO_NODE_IMAGE : !strcmp(kind, "context") ? ATMO_NODE_CONTEXT
				 : ATMO_NODE_SCRATCH);
	}
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

/* The `_at` getters and their former spellings give the same borrowed pointers. */
static void getters_at_and_former_names(void **state)
{
	atmo_dockerfile *df = NULL;
	atmo_graph *g = must_build(&df, "FROM alpine AS a\nFROM debian AS a\nFROM a AS b\nCOPY --from=a / /\n", NULL);
	size_t i;

	(void)state;
	for (i = 0; i <= atmo_graph_stage_count(g); i++)
		assert_ptr_equal(atmo_graph_stage_at(g, i), atmo_graph_stage(g, i));
	for (i = 0; i <= atmo_graph_node_count(g); i++)
		assert_ptr_equal(atmo_graph_node_at(g, i), atmo_graph_get_node(g, i));
	for (i = 0; i <= atmo_graph_edge_count(g); i++)
		assert_ptr_equal(atmo_graph_edge_at(g, i), atmo_graph_get_edge(g, i));
	assert_true(atmo_graph_warning_count(g) > 0);  /* duplicate stage name */
	for (i = 0; i <= atmo_graph_warning_count(g); i++)
		assert_ptr_equal(atmo_graph_warning_at(g, i), atmo_graph_warning(g, i));
	for (i = 0; i <= atmo_dockerfile_count(df); i++)
		assert_ptr_equal(atmo_dockerfile_at(df, i), atmo_dockerfile_at(df, i));
	assert_null(atmo_graph_stage_at(g, 99));
	assert_null(atmo_dockerfile_at(df, 99));
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

/* The one loader of graph documents (graph/graph_doc.c): typed, with the public enums. */
static void graph_document_loader(void **state)
{
	static const struct { const char *doc, *text; } bad[] = {
		{ "[]", "$: a graph document must be a JSON object" },
		{ "{\"nodes\": []}", "$.schema: missing (a string is required)" },
		{ "{\"schema\": \"atmograph.stages/1\", \"nodes\": []}",
		  "$.schema: \"atmograph.stages/1\" is not \"atmograph.graph/1\"" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\"}]}",
		  "$.nodes[0].kind: missing (a string is required)" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", "
		  "\"used\": \"yes\"}]}", "$.nodes[0].used: expected true or false" },
		{ "{\"schema\": \"atmograph.graph/1\", \"images\": {}, \"nodes\": []}",
		  "$.images: expected an array" },
	};
	atmo_dockerfile *df = NULL;
	atmo_graph *g = must_build(&df, "FROM alpine AS a\nFROM a AS b\nCOPY --from=a / /\n", NULL);
	atmo_graph_doc d;
	atmo_error err;
	json_t *doc = NULL;
	size_t i;
	long k;

	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_graph_to_json(&doc, g, &err), 0);
	assert_int_equal(atmo_graph__doc_load(&d, doc, &err), 0);
	assert_int_equal(d.nnodes, atmo_graph_node_count(g));
	assert_int_equal(d.nedges, atmo_graph_edge_count(g));
	for (i = 0; i < d.nnodes; i++) {
		assert_int_equal(d.nodes[i].kind, atmo_graph_node_at(g, i)->kind);
		assert_ptr_equal(d.nodes[i].json, json_array_get(json_object_get(doc, "nodes"), i));
	}
	for (i = 0; i < d.nedges; i++)
		assert_int_equal(d.edges[i].kind, atmo_graph_edge_at(g, i)->kind);
	k = atmo_graph__doc_find(&d, atmo_graph_stage_at(g, 1)->node_id);
	assert_int_equal(k, (long)atmo_graph_stage_at(g, 1)->node);
	assert_int_equal(atmo_graph__doc_find(&d, "nope"), -1);
	assert_int_equal(atmo_graph__doc_find_image(&d, atmo_graph_image_id(g)), 0);
	assert_string_equal(atmo_graph__node_kind_name(ATMO_NODE_CONTEXT), "context");
	assert_string_equal(atmo_graph__edge_kind_name(ATMO_EDGE_MOUNT), "mount");
	atmo_graph__doc_free(&d);
	json_decref(doc);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i].doc, 0, NULL);
		assert_non_null(j);
		atmo_error_clear(&err);
		assert_int_equal(atmo_graph__doc_load(&d, j, &err), ATMO_EINVALID);
		assert_string_equal(err.source, "<graph>");
		assert_string_equal(err.text, bad[i].text);
		assert_null(d.nodes);
		json_decref(j);
	}
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_stages_copy_from),
		cmocka_unit_test(getters_at_and_former_names),
		cmocka_unit_test(graph_document_loader),
		cmocka_unit_test(meta_args_and_build_args),
		cmocka_unit_test(stage_arg_must_be_declared),
		cmocka_unit_test(env_inherited_from_parent),
		cmocka_unit_test(from_resolves_backward_only),
		cmocka_unit_test(copy_from_forward_index_and_case),
		cmocka_unit_test(buildkit_lint_rules),
		cmocka_unit_test(unknown_from_is_image_or_context),
		cmocka_unit_test(named_context_from_names),
		cmocka_unit_test(scratch_node_and_platform),
		cmocka_unit_test(run_mounts),
		cmocka_unit_test(onbuild_triggers),
		cmocka_unit_test(target_reachability_and_order),
		cmocka_unit_test(descriptions_like_buildx),
		cmocka_unit_test(duplicate_and_reserved_names_warn),
		cmocka_unit_test(undefined_arg_in_from_warns),
		cmocka_unit_test(errors_only_in_built_stages),
		cmocka_unit_test(service_image),
		cmocka_unit_test(heredoc_copy_sources),
		cmocka_unit_test(graph_document),
		cmocka_unit_test(deterministic_document),
		cmocka_unit_test(invalid_utf8_in_document),
		cmocka_unit_test(api_misuse),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(broken_dockerfiles),
		cmocka_unit_test(large_file_is_fast),
		cmocka_unit_test(onbuild_across_images),
		cmocka_unit_test(onbuild_across_images_errors),
		cmocka_unit_test(descriptions_like_buildkit_get_comment),
		cmocka_unit_test(stages_document_base_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
