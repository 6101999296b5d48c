/* Bake files: loading, variables, inherits, groups, links, --print, the graph
 * document, and every broken file in tests/data/bake/bad with its located error. */
#include "harness.h"
#include "atmograph/bake.h"
#include "util/buf.h"

static const char *lookup_env(const char *name, size_t len, void *payload)
{
	(void)payload;
	if (len == 3 && !strncmp(name, "TAG", 3))
		return "from-env";
	if (len == 9 && !strncmp(name, "UNSET_ARG", 9))
		return "arg-from-env";
	return NULL;
}

static int has(const char *const *list, size_t n, const char *s)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static atmo_bake *load_good(const atmo_bake_options *o, int with_override)
{
	char p1[1024], p2[1024];
	const char *files[2];
	atmo_bake *b = NULL;
	atmo_error err;

	atmo_error_clear(&err);
	files[0] = test_data_path(p1, sizeof(p1), "bake/good/docker-bake.json");
	files[1] = test_data_path(p2, sizeof(p2), "bake/good/docker-bake.override.json");
	/* the bake is the fixture of the tests using it, not what is under test */
	test_oom_pause();
	assert_int_equal(atmo_bake_load(&b, files, with_override ? 2 : 1, NULL, o, &err), 0);
	test_oom_resume();
	return b;
}

static void test_resolve(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b;
	const atmo_bake_target *app, *lib;

	(void)state;
	o.no_env = 1;
	b = load_good(&o, 0);
	assert_int_equal(atmo_bake_target_count(b), 3);
	app = atmo_bake_find_target(b, "app");
	lib = atmo_bake_find_target(b, "lib");
	assert_non_null(app);
	assert_non_null(lib);
	/* variables: defaults, nested defaults */
	assert_string_equal(lib->tags[0], "example.org/acme/lib:dev");
	/* inherits: maps merged, later parents and the child win; lists replaced */
	assert_true(has(app->args, app->n_args, "DEBIAN=bookworm"));
	assert_true(has(app->args, app->n_args, "PORT=8080"));
	assert_true(has(app->args, app->n_args, "DEBUG=true"));
	assert_false(has(app->args, app->n_args, "UNSET_ARG="));
	assert_true(has(app->labels, app->n_labels, "stage=lib"));
	assert_true(has(lib->labels, lib->n_labels, "literal=${NOT_A_VAR}"));
	assert_int_equal(app->n_tags, 2);
	assert_string_equal(app->target, "runtime");
	assert_int_equal(app->pull, 1);
	assert_int_equal(app->no_cache, 0); /* inherited from lib */
	assert_int_equal(lib->no_cache, 0);
	assert_int_equal(app->n_outputs, 1);
	assert_int_equal(app->n_platforms, 1);
	/* links */
	assert_int_equal(app->n_links, 1);
	assert_string_equal(app->link_names[0], "lib");
	assert_ptr_equal(atmo_bake_target_at(b, app->links[0]), lib);
	/* paths: relative to the bake file's directory, the Dockerfile to the context */
	assert_non_null(strstr(app->context_path, "bake/good/app"));
	assert_non_null(strstr(app->dockerfile_path, "bake/good/app/Dockerfile"));
	assert_true(has(app->contexts, app->n_contexts, "assets=./app"));
	atmo_bake_free(b);
}

static void test_env_and_set_var(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	const char *sets[] = { "ORG=other" };
	atmo_bake *b;
	const atmo_bake_target *lib, *app;

	(void)state;
	o.env = lookup_env;
	o.set_vars = sets;
	o.n_set_vars = 1;
	b = load_good(&o, 1);
	lib = atmo_bake_find_target(b, "lib");
	app = atmo_bake_find_target(b, "app");
	/* the environment overrides the default, --set-var overrides both */
	assert_string_equal(lib->tags[0], "example.org/other/lib:from-env");
	/* a null arg is left out, as buildx leaves it (the Dockerfile's default applies) */
	assert_false(has(app->args, app->n_args, "UNSET_ARG=arg-from-env"));
	/* the override file added an arg */
	assert_true(has(app->args, app->n_args, "EXTRA=1"));
	assert_int_equal(atmo_bake_file_count(b), 2);
	atmo_bake_free(b);
}

static void test_select_and_print(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b;
	size_t *order = NULL, n = 0;
	json_t *doc = NULL, *targets;
	const char *only_app[] = { "app" };
	const char *bad[] = { "nope" };
	atmo_error err;

	(void)state;
	o.no_env = 1;
	b = load_good(&o, 1);
	atmo_error_clear(&err);
	/* default group, nested groups; linked targets first */
	OOM_EXPECT(atmo_bake_select(&order, &n, b, NULL, 0, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(atmo_bake_target_at(b, order[0])->name, "lib");
	assert_string_equal(atmo_bake_target_at(b, order[1])->name, "app");
	atmo_free(order);
	order = NULL;
	/* app alone pulls in lib */
	OOM_EXPECT(atmo_bake_select(&order, &n, b, only_app, 1, &err), 0);
	assert_int_equal(n, 2);
	atmo_free(order);
	order = NULL;
	OOM_EXPECT(atmo_bake_select(&order, &n, b, bad, 1, &err), ATMO_ENOTFOUND);
	assert_non_null(strstr(err.text, "nope"));
	assert_null(order);

	atmo_error_clear(&err);
	OOM_EXPECT(atmo_bake_print(&doc, b, only_app, 1, &err), 0);
	targets = json_object_get(json_object_get(json_object_get(doc, "group"), "default"), "targets");
	assert_int_equal(json_array_size(targets), 1);
	assert_string_equal(json_string_value(json_array_get(targets, 0)), "app");
	assert_non_null(json_object_get(json_object_get(doc, "target"), "lib"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
				    json_object_get(doc, "target"), "app"), "contexts"), "lib")),
			    "target:lib");
	assert_null(json_object_get(json_object_get(json_object_get(doc, "target"), "app"), "inherits"));
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(doc, "target"), "app"), "pull")));
done:
	atmo_free(order);
	json_decref(doc);
	atmo_bake_free(b);
}

static void test_graph_document(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b;
	json_t *doc = NULL, *e;
	atmo_error err;
	size_t i;
	int linked = 0, context_nodes = 0;

	(void)state;
	o.no_env = 1;
	b = load_good(&o, 0);
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_bake_graph(&doc, b, NULL, 0, &err), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.graph/1");
	assert_int_equal(json_array_size(json_object_get(doc, "images")), 2);
	json_array_foreach(json_object_get(doc, "edges"), i, e) {
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *ctx = json_string_value(json_object_get(e, "context"));
		if (ctx && !strcmp(ctx, "lib")) {
			assert_string_equal(from, "lib/stage/lib");
			assert_string_equal(json_string_value(json_object_get(e, "to")), "app/stage/build");
			linked++;
		}
	}
	assert_int_equal(linked, 1);
	json_array_foreach(json_object_get(doc, "nodes"), i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "id")), "app/context/lib"))
			context_nodes++;
	}
	assert_int_equal(context_nodes, 0);
	assert_string_equal(json_string_value(json_object_get(doc, "target")), "app/stage/runtime");
done:
	json_decref(doc);
	atmo_bake_free(b);
}

static void test_default_lookup(void **state)
{
	char dir[1024];
	atmo_bake *b = NULL;
	atmo_error err;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;

	(void)state;
	o.no_env = 1;
	atmo_error_clear(&err);
	assert_int_equal(atmo_bake_load(&b, NULL, 0, test_data_path(dir, sizeof(dir), "bake/good"),
					&o, &err), 0);
	/* both docker-bake.json and docker-bake.override.json, as buildx reads them */
	assert_int_equal(atmo_bake_file_count(b), 2);
	assert_string_equal(atmo_bake_find_target(b, "lib")->tags[0], "example.org/acme/lib:override");
	atmo_bake_free(b);
	atmo_error_clear(&err);
	assert_int_equal(atmo_bake_load(&b, NULL, 0, test_data_path(dir, sizeof(dir), "bake/bad"),
					&o, &err), ATMO_ENOTFOUND);
	assert_null(b);
	assert_non_null(strstr(err.text, "docker-bake.json"));
}

static void test_inline_and_string(void **state)
{
	const char *text = "{\"target\": {\"default\": {\"dockerfile-inline\": \"FROM scratch\\nCOPY x /\\n\"}}}";
	atmo_bake *b = NULL;
	atmo_error err;
	size_t *order = NULL, n = 0;
	const atmo_bake_target *t;
	char *df = NULL;
	size_t len;
	const char *src;

	(void)state;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_bake_load_string(&b, text, strlen(text), "<test>", NULL, &err), 0);
	/* no group: the target "default" */
	OOM_EXPECT(atmo_bake_select(&order, &n, b, NULL, 0, &err), 0);
	assert_int_equal(n, 1);
	t = atmo_bake_find_target(b, "default");
	assert_null(t->dockerfile_path);
	OOM_EXPECT(atmo_bake_target_dockerfile(&df, &len, &src, t, &err), 0);
	assert_string_equal(df, "FROM scratch\nCOPY x /\n");
done:
	atmo_free(order);
	atmo_free(df);
	atmo_bake_free(b);
}


/* a stage FROM a linked target inherits that target stage's ONBUILD triggers:
 * listed on the node, with "onbuild" edges for COPY --from / RUN --mount from= */
static void test_graph_onbuild_across_targets(void **state)
{
	const char *text =
		"{\"target\": {"
		"\"rt\": {\"dockerfile-inline\": \"FROM debian AS rt\\nONBUILD ARG PROJECT\\n"
		"ONBUILD COPY --from=assets /a /b/$${PROJECT}\\nONBUILD RUN useradd $${PROJECT}\\n\"},"
		"\"svc\": {\"dockerfile-inline\": \"FROM alpine AS assets\\nFROM runtime AS svc\\nUSER x\\n\","
		" \"contexts\": {\"runtime\": \"target:rt\"}, \"args\": {\"PROJECT\": \"hello\"}}}}";
	atmo_bake *b = NULL;
	atmo_error err;
	json_t *doc = NULL, *n, *e, *svc = NULL, *ob = NULL;
	const char *names[1] = { "svc" };
	size_t i;
	int rc;

	(void)state;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_bake_load_string(&b, text, strlen(text), "<test>", NULL, &err), 0);
	rc = atmo_bake_graph(&doc, b, names, 1, &err);
	if (oom_hit(rc))
		goto done;
	if (rc < 0)
		fail_msg("%s:%d: %s", err.source, err.line, err.text);
	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (!strcmp(json_string_value(json_object_get(n, "id")), "svc/stage/svc"))
			svc = n;
	assert_non_null(svc);
	assert_int_equal(json_array_size(json_object_get(svc, "onbuild_inherited")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(svc, "onbuild_inherited"), 2)),
			    "RUN useradd ${PROJECT}");
	assert_string_equal(json_string_value(json_object_get(svc, "onbuild_from")), "rt/stage/rt");
	json_array_foreach(json_object_get(doc, "edges"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "kind")), "onbuild")) {
			assert_null(ob);
			ob = e;
		}
	assert_non_null(ob);
	assert_string_equal(json_string_value(json_object_get(ob, "from")), "svc/stage/assets");
	assert_string_equal(json_string_value(json_object_get(ob, "to")), "svc/stage/svc");
	assert_string_equal(json_string_value(json_object_get(ob, "dest")), "/b/hello");
	assert_int_equal(json_integer_value(json_object_get(ob, "line")), 2);
	assert_string_equal(json_string_value(json_object_get(ob, "onbuild_from")), "rt/stage/rt");
	/* the assets stage is used only through the trigger */
	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (!strcmp(json_string_value(json_object_get(n, "id")), "svc/stage/assets"))
			assert_true(json_is_true(json_object_get(n, "used")));
	assert_int_equal(json_array_size(json_object_get(doc, "unused")), 0);
done:
	json_decref(doc);
	atmo_bake_free(b);
}

/* the example family: runtime's ONBUILD triggers reach the service stage */
static void test_graph_example_family_onbuild(void **state)
{
	char p[1024];
	const char *files[1];
	atmo_bake *b = NULL;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_error err;
	json_t *doc = NULL, *n, *svc = NULL, *build = NULL;
	size_t i;

	(void)state;
	o.no_env = 1;
	atmo_error_clear(&err);
	files[0] = test_data_path(p, sizeof(p), "../images/docker-bake.json");
	OOM_EXPECT(atmo_bake_load(&b, files, 1, NULL, &o, &err), 0);
	OOM_EXPECT(atmo_bake_graph(&doc, b, NULL, 0, &err), 0);
	json_array_foreach(json_object_get(doc, "nodes"), i, n) {
		const char *id = json_string_value(json_object_get(n, "id"));
		if (!strcmp(id, "service/stage/service"))
			svc = n;
		if (!strcmp(id, "service/stage/build"))
			build = n;
	}
	assert_non_null(svc);
	assert_non_null(build);
	assert_int_equal(json_array_size(json_object_get(svc, "onbuild_inherited")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(svc, "onbuild_inherited"), 0)),
			    "ARG PROJECT");
	assert_string_equal(json_string_value(json_object_get(svc, "onbuild_from")), "runtime/stage/runtime");
	assert_null(json_object_get(build, "onbuild_inherited"));  /* the builder declares none */
done:
	json_decref(doc);
	atmo_bake_free(b);
}

/* atmo_bake_target_graph: the one place a target's Dockerfile becomes its stage graph
 * (bake graph, plan --stages, build reports): args, target stage, image id, links to
 * built targets, the text given or read, and errors located in the target's Dockerfile */
static void test_target_graph(void **state)
{
	const char *text =
		"{\"target\": {"
		"\"rt\": {\"dockerfile-inline\": \"ARG DEB=x\\nFROM debian:$${DEB} AS rt\\nONBUILD ARG PROJECT\\n"
		"ONBUILD COPY --from=assets /a /b\\nFROM rt AS extra\\n\", \"args\": {\"DEB\": \"bookworm\"},"
		" \"target\": \"rt\"},"
		"\"svc\": {\"dockerfile-inline\": \"FROM alpine AS assets\\nFROM runtime AS svc\\nUSER x\\n\","
		" \"contexts\": {\"runtime\": \"target:rt\"}},"
		"\"bad\": {\"dockerfile-inline\": \"FROM alpine\\nCOPY --from=nope\\n\"},"
		"\"gone\": {\"context\": \"/nonexistent-atmograph-dir\"}}}";
	atmo_bake *b = NULL;
	atmo_error err;
	atmo_graph *g_rt = NULL, *g = NULL;
	atmo_dockerfile *df_rt = NULL, *df = NULL;
	const atmo_graph **built;
	const atmo_bake_target *rt, *svc;
	const atmo_stage *st;
	int idx, rc;
	size_t i;

	(void)state;
	atmo_error_clear(&err);
	test_oom_pause(); /* the bake is the fixture */
	assert_int_equal(atmo_bake_load_string(&b, text, strlen(text), "<test>", NULL, &err), 0);
	test_oom_resume();
	rt = atmo_bake_find_target(b, "rt");
	svc = atmo_bake_find_target(b, "svc");
	assert_non_null(rt);
	assert_non_null(svc);
	built = calloc(atmo_bake_target_count(b), sizeof(*built));
	assert_non_null(built);

	/* the target's args and target stage apply; the image id is the target's name */
	rc = atmo_bake_target_graph(&g_rt, &df_rt, rt, NULL, 0, built, &err);
	if (oom_hit(rc))
		goto done;
	if (rc < 0)
		fail_msg("%s:%d: %s", err.source, err.line, err.text);
	assert_string_equal(atmo_graph_image_id(g_rt), "rt");
	st = atmo_graph_stage_at(g_rt, atmo_graph_target(g_rt));
	assert_string_equal(st->label, "rt");
	assert_string_equal(st->base, "debian:bookworm");
	assert_false(atmo_graph_stage_at(g_rt, 1)->used);

	/* not linked yet: the svc stage inherits nothing */
	OOM_EXPECT(atmo_bake_target_graph(&g, &df, svc, NULL, 0, built, &err), 0);
	idx = atmo_graph_find_stage(g, "svc");
	assert_true(idx >= 0);
	assert_int_equal(atmo_graph_stage_at(g, (size_t)idx)->n_onbuild_inherited, 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	g = NULL;
	df = NULL;

	/* linked through built[]: rt's ONBUILD triggers run in svc */
	for (i = 0; i < atmo_bake_target_count(b); i++)
		if (atmo_bake_target_at(b, i) == rt)
			built[i] = g_rt;
	OOM_EXPECT(atmo_bake_target_graph(&g, &df, svc, NULL, 0, built, &err), 0);
	st = atmo_graph_stage_at(g, (size_t)atmo_graph_find_stage(g, "svc"));
	assert_int_equal(st->n_onbuild_inherited, 2);
	assert_string_equal(st->onbuild_from, "rt/stage/rt");
	assert_true(atmo_graph_stage_at(g, (size_t)atmo_graph_find_stage(g, "assets"))->used);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	g = NULL;
	df = NULL;

	/* text given (a lowered or cached copy): that text is resolved, not the target's */
	OOM_EXPECT(atmo_bake_target_graph(&g, &df, svc, "FROM busybox AS one\n", 20, NULL, &err), 0);
	assert_int_equal(atmo_graph_stage_count(g), 1);
	assert_string_equal(atmo_graph_stage_at(g, 0)->base, "busybox");
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	g = NULL;
	df = NULL;

	/* errors: located in the target's Dockerfile (inline: the target's name), outs NULL */
	g = (atmo_graph *)1;
	df = (atmo_dockerfile *)1;
	OOM_EXPECT(atmo_bake_target_graph(&g, &df, atmo_bake_find_target(b, "bad"), NULL, 0, NULL, &err),
	       ATMO_EINVALID);
	assert_null(g);
	assert_null(df);
	assert_string_equal(err.source, "bad");
	assert_int_equal(err.line, 2);
	atmo_error_clear(&err);
	rc = atmo_bake_target_graph(&g, &df, atmo_bake_find_target(b, "gone"), NULL, 0, NULL, &err);
	if (oom_hit(rc))
		goto done;
	assert_true(rc < 0);
	assert_null(g);
	if (!strstr(err.source, "nonexistent-atmograph-dir"))
		fail_msg("%s: %s", err.source, err.text);
	atmo_error_clear(&err);
	assert_int_equal(atmo_bake_target_graph(&g, &df, NULL, NULL, 0, NULL, &err), ATMO_EINVALID);
done:
	if (g != (atmo_graph *)1)
		atmo_graph_free(g);
	if (df != (atmo_dockerfile *)1)
		atmo_dockerfile_free(df);
	free(built);
	atmo_graph_free(g_rt);
	atmo_dockerfile_free(df_rt);
	atmo_bake_free(b);
}

/* every broken file: the error as buildx words it, with file and line where buildx
 * locates it (HCL's JSON syntax: "FILE:LINE,COL-COL: Summary; Detail") */
static const struct {
	const char *file;
	int line;
	const char *text;
} bad_cases[] = {
	{ "arg-value-object", 4, "Unsuitable value type; Unsuitable value: element \"X\": string required, but have object" },
	{ "args-not-object", 4, "Unsuitable value type; Unsuitable value: map of string required" },
	{ "context-loop", 0, "infinite loop from b to a" },
	{ "context-self", 0, "target a cannot link to itself" },
	{ "context-unknown", 0, "failed to find target nope" },
	{ "group-field", 5, "Unsupported argument; An argument named \"platforms\" is not expected here." },
	{ "inherits-unknown", 0, "failed to find target nope" },
	{ "invalid-json", 3, "Trailing comma in object" },
	{ "no-cache-string", 4, "Unsuitable value type; Unsuitable value: a bool is required" },
	{ "not-object", 1, "A JSON object is required here" },
	{ "tags-not-array", 4, "Unsuitable value type; Unsuitable value: list of string required" },
	{ "unknown-section", 2, "Invalid function; empty params not allowed for f" },
	{ "unknown-variable", 4, "Unknown variable; There is no variable named \"TAG\"." },
	{ "unterminated-interp", 4, "interpolation" },
	{ "variable-loop", 4, "Invalid expression; variable cycle not allowed for A" },
};

/* files atmograph refused before it read bake files as buildx does, which buildx reads */
static const char *const accepted_cases[] = {
	"context-empty",          /* an empty context is dropped (normalize) */
	"dockerfile-and-inline",  /* dockerfile-inline wins */
	"duplicate-key",          /* two blocks of one name, merged */
	"hcl-function",           /* functions */
	"inherits-loop",          /* a target met again while inheriting adds nothing */
	"inherits-self",
	"label-null",             /* a null label is left out */
	"tags-item-number",       /* a number converts to a string */
	"unsupported-secret",     /* every field of buildx's Target */
	"unsupported-ssh",
	"variable-validation",    /* validation blocks */
	"group-self",             /* groups are checked when selected, as buildx does */
	"group-unknown-member",
};

static void test_bad_files(void **state)
{
	size_t i;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;

	(void)state;
	o.no_env = 1;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char rel[256], path[1024];
		const char *files[1];
		atmo_bake *b = NULL;
		atmo_error err;
		int rc;

		snprintf(rel, sizeof(rel), "bake/bad/%s.json", bad_cases[i].file);
		files[0] = test_data_path(path, sizeof(path), rel);
		atmo_error_clear(&err);
		rc = atmo_bake_load(&b, files, 1, NULL, &o, &err);
		if (rc >= 0 || !strstr(err.text, bad_cases[i].text) || err.line != bad_cases[i].line)
			fail_msg("%s: rc %d, line %d, error '%s'", bad_cases[i].file, rc, err.line,
				 err.text);
		assert_null(b);
		if (bad_cases[i].line)
			assert_non_null(strstr(err.source, bad_cases[i].file));
	}
	for (i = 0; i < sizeof(accepted_cases) / sizeof(accepted_cases[0]); i++) {
		char rel[256], path[1024];
		const char *files[1];
		atmo_bake *b = NULL;
		atmo_error err;

		snprintf(rel, sizeof(rel), "bake/bad/%s.json", accepted_cases[i]);
		files[0] = test_data_path(path, sizeof(path), rel);
		atmo_error_clear(&err);
		if (atmo_bake_load(&b, files, 1, NULL, &o, &err) < 0)
			fail_msg("%s: %s", accepted_cases[i], err.text);
		assert_true(atmo_bake_target_count(b) > 0);
		atmo_bake_free(b);
	}
	/* a group naming a missing target fails when it is selected */
	{
		char path[1024];
		const char *files[1];
		atmo_bake *b = NULL;
		atmo_error err;
		size_t *order = NULL, n = 0;
		int rc;

		files[0] = test_data_path(path, sizeof(path), "bake/bad/group-unknown-member.json");
		atmo_error_clear(&err);
		test_oom_pause(); /* the bake is the fixture, the select is under test */
		assert_int_equal(atmo_bake_load(&b, files, 1, NULL, &o, &err), 0);
		test_oom_resume();
		rc = atmo_bake_select(&order, &n, b, NULL, 0, &err);
		if (oom_hit(rc)) {
			atmo_bake_free(b);
			return;
		}
		assert_int_equal(rc, ATMO_ENOTFOUND);
		assert_string_equal(err.text, "failed to find target missing");
		atmo_bake_free(b);
	}
}

/* ---- HCL ---------------------------------------------------------------------- */

/* the OpenStack-like family: variables, functions, a matrix of 16 services */
static void test_hcl_openstack(void **state)
{
	char p1[1024];
	const char *files[1];
	atmo_bake *b = NULL;
	atmo_error err;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	const atmo_bake_target *nova, *rt;
	size_t *order = NULL, n = 0;
	json_t *doc = NULL;
	int rc;

	(void)state;
	o.no_env = 1;
	atmo_error_clear(&err);
	files[0] = test_data_path(p1, sizeof(p1), "bake-hcl/openstack/docker-bake.hcl");
	rc = atmo_bake_load(&b, files, 1, NULL, &o, &err);
	if (oom_hit(rc))
		goto done;
	if (rc < 0)
		fail_msg("%s:%d: %s", err.source, err.line, err.text);
	/* _common, builder, runtime and one target per service */
	assert_int_equal(atmo_bake_target_count(b), 19);
	nova = atmo_bake_find_target(b, "nova-api");
	assert_non_null(nova);
	assert_string_equal(nova->tags[0], "registry.example.org/openstack/nova-api:2024.2");
	assert_true(has(nova->args, nova->n_args, "PROJECT=nova"));
	assert_true(has(nova->args, nova->n_args, "SERVICE=nova-api"));
	assert_true(has(nova->args, nova->n_args, "DEBIAN=bookworm"));
	assert_string_equal(nova->description, "The nova service nova-api");
	assert_int_equal(nova->n_links, 2);
	assert_non_null(strstr(nova->context_path, "openstack/service"));
	rt = atmo_bake_find_target(b, "runtime");
	assert_int_equal(rt->n_links, 1);
	assert_string_equal(rt->outputs[0], "type=docker");
	/* the default group names the matrix block, which is a group of its targets */
	OOM_EXPECT(atmo_bake_select(&order, &n, b, NULL, 0, &err), 0);
	assert_int_equal(n, 18);
	assert_string_equal(atmo_bake_target_at(b, order[0])->name, "builder");
	assert_string_equal(atmo_bake_target_at(b, order[1])->name, "runtime");
	atmo_free(order);
	order = NULL;
	OOM_EXPECT(atmo_bake_graph(&doc, b, NULL, 0, &err), 0);
	json_decref(doc);
	doc = NULL;
	atmo_bake_free(b);
	b = NULL;

	/* PUSH from the environment is parsed as the bool it is typed as */
	o.no_env = 0;
	{
		const char *vars[] = { "PUSH=true", "RELEASE=2025.1" };
		o.set_vars = vars;
		o.n_set_vars = 2;
		OOM_EXPECT(atmo_bake_load(&b, files, 1, NULL, &o, &err), 0);
		assert_string_equal(atmo_bake_find_target(b, "runtime")->outputs[0], "type=registry");
		assert_string_equal(atmo_bake_find_target(b, "keystone")->tags[0],
				    "registry.example.org/openstack/keystone:2025.1");
		atmo_bake_free(b);
		b = NULL;
		/* the validation block refuses a release of the wrong form, located */
		vars[1] = "RELEASE=latest";
		OOM_EXPECT(atmo_bake_load(&b, files, 1, NULL, &o, &err), ATMO_EINVALID);
		assert_null(b);
		assert_non_null(strstr(err.text, "Validation failed; RELEASE is YEAR.1 or YEAR.2."));
		assert_true(err.line > 1);
	}
done:
	atmo_free(order);
	json_decref(doc);
	atmo_bake_free(b);
}

/* hostile files stop early with a located limit error: V0 = "xx", Vi = "${Vi-1}${Vi-1}"
 * (the string limit), 200 variables of 512 KiB (the total the variables may hold), a
 * matrix of 10^9 targets */
static void test_hcl_limits(void **state)
{
	static const struct {
		const char *file;
		int line;
		const char *text;
	} cases[] = {
		{ "hostile/bake-exponential.hcl", 64, "String too long" },
		{ "hostile/bake-wide.hcl", 426, "Variables too large" },
		{ "hostile/bake-matrix-bomb.hcl", 4, "Matrix too large" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p1[1024];
		const char *files[1];
		atmo_bake *b = NULL;
		atmo_error err;
		atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;

		o.no_env = 1;
		atmo_error_clear(&err);
		files[0] = test_data_path(p1, sizeof(p1), cases[i].file);
		assert_int_equal(atmo_bake_load(&b, files, 1, NULL, &o, &err), ATMO_ELIMIT);
		assert_null(b);
		if (!strstr(err.source, strchr(cases[i].file, '/') + 1) || err.line != cases[i].line ||
		    !strstr(err.text, cases[i].text))
			fail_msg("%s: %s:%d: %s", cases[i].file, err.source, err.line, err.text);
	}
}

/* --set as buildx applies it */
static void test_overrides(void **state)
{
	const char *text = "target \"a\" {\n  tags = [\"x\"]\n  platforms = [\"linux/amd64\"]\n}\n"
			   "target \"b\" {\n  inherits = [\"a\"]\n}\n";
	const char *sets[] = { "a.args.V=1", "*.platform+=linux/arm64", "b.tags=y", "a.push=true" };
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b = NULL;
	atmo_error err;
	const atmo_bake_target *a, *bb;
	char *out = NULL;
	size_t len;
	int rc;

	(void)state;
	o.no_env = 1;
	o.overrides = sets;
	o.n_overrides = 4;
	atmo_error_clear(&err);
	if (atmo_bake_load_string(&b, text, strlen(text), "docker-bake.hcl", &o, &err) < 0)
		fail_msg("%s", err.text);
	a = atmo_bake_find_target(b, "a");
	bb = atmo_bake_find_target(b, "b");
	assert_true(has(a->args, a->n_args, "V=1"));
	assert_int_equal(a->n_platforms, 2);
	assert_string_equal(a->outputs[0], "type=image,push=true");
	/* b inherits a's overridden fields, and its own tags */
	assert_true(has(bb->args, bb->n_args, "V=1"));
	assert_string_equal(bb->tags[0], "y");
	rc = atmo_bake_print_text(&out, &len, b, (const char *const[]){ "b" }, 1, &err);
	if (oom_hit(rc)) {
		atmo_bake_free(b);
		return;
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"platforms\": [\n        \"linux/amd64\",\n        \"linux/arm64\"\n      ]"));
	atmo_free(out);
	atmo_bake_free(b);
	/* an override of a target that does not exist names the pattern */
	sets[0] = "nope.args.V=1";
	assert_int_equal(atmo_bake_load_string(&b, text, strlen(text), "docker-bake.hcl", &o, &err),
			 ATMO_ENOTFOUND);
	assert_string_equal(err.text, "could not find any target matching 'nope'");
}

/* --print escapes strings as Go's encoder does, and ${ as $${ in args */
static void test_print_escapes(void **state)
{
	const char *text = "{\"target\": {\"a\": {\"args\": {\"X\": \"a<b>&c\\b\\f\\u2028\\\\b$${V}\"}}}}";
	atmo_bake *b = NULL;
	atmo_error err;
	char *out = NULL;
	size_t len;
	int rc;

	(void)state;
	atmo_error_clear(&err);
	rc = atmo_bake_load_string(&b, text, strlen(text), "docker-bake.json", NULL, &err);
	if (oom_hit(rc))
		goto done;
	if (rc < 0)
		fail_msg("%s", err.text);
	OOM_EXPECT(atmo_bake_print_text(&out, &len, b, (const char *const[]){ "a" }, 1, &err), 0);
	assert_non_null(strstr(out, "\"X\": \"a\\u003cb\\u003e\\u0026c\\u0008\\u000c\\u2028\\\\b$${V}\""));
	assert_int_equal(out[len - 1], '\n');
done:
	atmo_free(out);
	atmo_bake_free(b);
}

/* a broken target fails when it is asked for, as in buildx; the others still load */
static void test_broken_target_alone(void **state)
{
	const char *text = "target \"good\" {\n  tags = [\"g\"]\n}\n"
			   "target \"bad\" {\n  contexts = { base = \"target:bad\" }\n}\n";
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b = NULL;
	atmo_error err;
	size_t *order = NULL, n = 0;
	int rc;

	(void)state;
	o.no_env = 1;
	atmo_error_clear(&err);
	rc = atmo_bake_load_string(&b, text, strlen(text), "docker-bake.hcl", &o, &err);
	if (oom_hit(rc))
		goto done;
	if (rc < 0)
		fail_msg("%s", err.text);
	assert_int_equal(atmo_bake_target_count(b), 1);
	OOM_EXPECT(atmo_bake_select(&order, &n, b, (const char *const[]){ "good" }, 1, &err), 0);
	assert_int_equal(n, 1);
	atmo_free(order);
	order = NULL;
	OOM_EXPECT(atmo_bake_select(&order, &n, b, (const char *const[]){ "bad" }, 1, &err), ATMO_EINVALID);
	assert_string_equal(err.text, "target bad cannot link to itself");
done:
	atmo_free(order);
	atmo_bake_free(b);
}

/* buildx decodes every attribute of every block and reports all diagnostics:
 * the first, and a count of the others (a failed value in a plain field adds
 * gohcl's "Unsuitable value type"; a failed reference alone stops). A capsule
 * field (ssh, output, secret, cache, attest) takes the value with unknowns in
 * place of what failed: unknown entries and attributes are skipped, but ssh
 * paths holding one, a value unknown as a whole and an entry left invalid
 * give one more diagnostic (TestHCLAttrsCapsuleType_MissingVars: 8). */
static void test_diagnostics_collected(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "target \"a\" {\n  dockerfile = \"${X}\"\n  context = Y\n}\n"
		  "target \"b\" {\n  tags = [Z, \"${W}\"]\n}\n",
		  "docker-bake.hcl:2,19-20: Unknown variable; There is no variable named \"X\"., "
		  "and 6 other diagnostic(s)" },
		{ "target \"a\" {\n  tags = [X]\n}\n",
		  "docker-bake.hcl:2,11-12: Unknown variable; There is no variable named \"X\"., "
		  "and 1 other diagnostic(s)" },
		{ "target \"a\" {\n  tags = [X]\n  context = target.a.tags\n}\n",
		  "docker-bake.hcl:2,11-12: Unknown variable; There is no variable named \"X\"., "
		  "and 1 other diagnostic(s)" },
		{ "target \"a\" {\n  ssh = [{ id = \"k\", paths = [\"p/${K}\"] }]\n}\n",
		  "docker-bake.hcl:2,36-37: Unknown variable; There is no variable named \"K\"., "
		  "and 1 other diagnostic(s)" },
		{ "target \"a\" {\n  output = [{ type = \"oci\", dest = \"${O}\" }, \"${P}\"]\n"
		  "  secret = [{ id = \"s\", src = S }]\n  cache-from = [\"${C}\"]\n"
		  "  attest = [\"type=sbom,disabled=${A}\"]\n}\n",
		  "docker-bake.hcl:2,39-40: Unknown variable; There is no variable named \"O\"., "
		  "and 4 other diagnostic(s)" },
		{ "target \"a\" {\n  ssh = K\n  output = [{ dest = O }]\n}\n",
		  "docker-bake.hcl:2,9-10: Unknown variable; There is no variable named \"K\"., "
		  "and 3 other diagnostic(s)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
		atmo_bake *b = NULL;
		atmo_error err;

		o.no_env = 1;
		atmo_error_clear(&err);
		assert_int_equal(atmo_bake_load_string(&b, cases[i].text, strlen(cases[i].text), "docker-bake.hcl",
							&o, &err),
				 ATMO_EINVALID);
		if (strcmp(err.text, cases[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err.text, cases[i].want);
		atmo_bake_free(b);
	}
}

/* fuzz_bake: a target or group block without its name label was read as if it had
 * one (a NULL name); HCL's messages for a missing and an extra label */
static void test_block_labels(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "target \"a\" {}\ntarget{}\n",
		  "docker-bake.hcl:2,7-8: Missing name for target; All target blocks must have 1 labels (name)." },
		{ "group {\n}\n",
		  "docker-bake.hcl:1,6-7: Missing name for group; All group blocks must have 1 labels (name)." },
		{ "target \"a\" \"b\" {}\n",
		  "docker-bake.hcl:1,12-15: Extraneous label for target; No more labels are expected for target blocks." },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
		atmo_bake *b = NULL;
		atmo_error err;

		o.no_env = 1;
		atmo_error_clear(&err);
		assert_int_equal(atmo_bake_load_string(&b, cases[i].text, strlen(cases[i].text), "docker-bake.hcl",
							&o, &err),
				 ATMO_EINVALID);
		assert_null(b);
		if (strcmp(err.text, cases[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err.text, cases[i].want);
	}
}

/* Running out of memory anywhere in loading a bake file with --set entry
 * overrides (output, secrets, attest, ssh, secret.ID) and a JSON variable is
 * ATMO_ENOMEM, never an invalid value: each allocation is failed in turn. */
static void test_overrides_nomem(void **state)
{
	const char *text = "variable \"L\" {\n  type = list(string)\n}\n"
			   "target \"a\" {\n  tags = L\n  secret = [\"id=s,src=f\"]\n}\n";
	const char *sets[] = { "a.secret.s=env=S", "a.output=type=local,dest=out",
			       "a.secrets+=id=t,env=T", "a.attest=type=sbom", "a.ssh=default" };
	const char *vars[] = { "L_JSON=[\"x\", \"a-tag-name-longer-than-twenty-bytes:1\"]" };
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b = NULL;
	atmo_error err;
	const atmo_bake_target *a;
	unsigned long k;
	int rc = -1, failed = 0;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	o.no_env = 1;
	o.overrides = sets;
	o.n_overrides = sizeof(sets) / sizeof(sets[0]);
	o.set_vars = vars;
	o.n_set_vars = 1;
	atmo_error_clear(&err);
	if (atmo_bake_load_string(&b, text, strlen(text), "docker-bake.hcl", &o, &err) < 0)
		fail_msg("%s", err.text);
	a = atmo_bake_find_target(b, "a");
	assert_non_null(a);
	assert_int_equal(a->n_tags, 2);
	assert_string_equal(a->outputs[0], "type=local,dest=out");
	atmo_bake_free(b);
	b = NULL;
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; k < 1000000; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = atmo_bake_load_string(&b, text, strlen(text), "docker-bake.hcl", &o, &err);
		failed = oom_failed;
		atmo_bake_free(b);
		b = NULL;
		if (rc == 0 && !failed)
			break;
		if (rc < 0 && (rc != ATMO_ENOMEM || !failed))
			break;
	}
	oom_fail_at = 0;
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	if (rc != 0 || failed)
		fail_msg("allocation %lu failing: %d: %s", k, rc, err.text);
}

/* Context links form a wide DAG: each of 400 targets links to the 20 before it.
 * buildx follows every path from every target (its loadLinks copies the path and
 * recurses), which is exponential here; each target's links are followed once, so
 * this loads at once, with every link and the same loop checks. */
static void test_links_wide_dag(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_buf text = ATMO_BUF_INIT;
	atmo_bake *b = NULL;
	atmo_error err;
	size_t *order = NULL, n = 0, i, j;
	const atmo_bake_target *last;
	const char *want[] = { "t399" };

	(void)state;
	o.no_env = 1;
	atmo__buf_puts(&text, "{\"target\": {");
	for (i = 0; i < 400; i++) {
		atmo__buf_printf(&text, "%s\"t%zu\": {\"context\": \".\", \"contexts\": {", i ? ", " : "",
				 i);
		for (j = 1; j <= 20 && j <= i; j++)
			atmo__buf_printf(&text, "%s\"c%zu\": \"target:t%zu\"", j > 1 ? ", " : "", j,
					 i - j);
		atmo__buf_puts(&text, "}}");
	}
	atmo__buf_puts(&text, "}}");
	assert_false(text.oom);
	atmo_error_clear(&err);
	if (atmo_bake_load_string(&b, atmo__buf_cstr(&text), text.len, "docker-bake.json", &o,
				  &err) < 0)
		fail_msg("%s", err.text);
	assert_int_equal(atmo_bake_select(&order, &n, b, want, 1, &err), 0);
	assert_int_equal(n, 400); /* t399 pulls in every target before it */
	last = atmo_bake_find_target(b, "t399");
	assert_non_null(last);
	assert_int_equal(last->n_links, 20);
	atmo_free(order);
	atmo_bake_free(b);
	atmo__buf_free(&text);
}

/* Selecting targets out of memory gives ATMO_ENOMEM, never a list short of a
 * target (a plan or build made from it would leave the target out): each
 * allocation of atmo_bake_select() is failed in turn. */
static void test_select_nomem(void **state)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b;
	size_t *order = NULL, n = 0;
	atmo_error err;
	unsigned long k;
	int rc = -1, failed = 0;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	o.no_env = 1;
	b = load_good(&o, 1);
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; k < 100000; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		rc = atmo_bake_select(&order, &n, b, NULL, 0, &err);
		failed = oom_failed;
		atmo_free(order);
		order = NULL;
		if (rc == 0 && !failed)
			break;
		if (rc < 0 ? rc != ATMO_ENOMEM || !failed : n != 2)
			break;
	}
	oom_fail_at = 0;
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	atmo_bake_free(b);
	if (rc != 0 || failed)
		fail_msg("allocation %lu failing: %d, %zu targets: %s", k, rc, n, err.text);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_block_labels),
		cmocka_unit_test(test_env_and_set_var),
		cmocka_unit_test(test_select_and_print),
		cmocka_unit_test(test_select_nomem),
		cmocka_unit_test(test_graph_document),
		cmocka_unit_test(test_default_lookup),
		cmocka_unit_test(test_inline_and_string),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_graph_onbuild_across_targets),
		cmocka_unit_test(test_graph_example_family_onbuild),
		cmocka_unit_test(test_target_graph),
		cmocka_unit_test(test_hcl_openstack),
		cmocka_unit_test(test_hcl_limits),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_overrides_nomem),
		cmocka_unit_test(test_print_escapes),
		cmocka_unit_test(test_broken_target_alone),
		cmocka_unit_test(test_diagnostics_collected),
		cmocka_unit_test(test_links_wide_dag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
