/* Plans (waves, engine argv), runs against the fake engine (built, cached,
 * failed, skipped), and annotating a graph document with a build report. */
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"
#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "atmograph/image.h"
#include "engine/engine_int.h"
#include "engine/run_int.h"
#include "util/json_nomem.h"

/* a JSON string's value, checked to be there first (a short document is a
 * failed assertion, not a crash in strcmp) */
#define assert_json_string(j, want)                                                                \
	do {                                                                                       \
		const char *v_ = json_string_value(j);                                             \
		assert_non_null(v_);                                                               \
		assert_string_equal(v_, (want));                                                   \
	} while (0)

static atmo_bake *load(const char *rel)
{
	char p[1024];
	const char *files[1];
	atmo_bake *b = NULL;
	atmo_error err;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;

	o.no_env = 1;
	atmo_error_clear(&err);
	files[0] = test_data_path(p, sizeof(p), rel);
	/* the bake file is the fixture, not what is under test (make check-oom) */
	test_oom_pause();
	if (atmo_bake_load(&b, files, 1, NULL, &o, &err) < 0) {
		test_oom_resume();
		fail_msg("%s: %s", rel, err.text);
	}
	test_oom_resume();
	return b;
}

static int argv_has(const char *const *argv, const char *a, const char *b)
{
	size_t i;
	for (i = 0; argv[i]; i++)
		if (!strcmp(argv[i], a) && (!b || (argv[i + 1] && !strcmp(argv[i + 1], b))))
			return 1;
	return 0;
}

/* a lookup over a NULL-terminated list of name, value pairs (the payload) */
static const char *table_env(const char *name, size_t len, void *payload)
{
	const char *const *t = payload;
	size_t i;

	for (i = 0; t[i]; i += 2)
		if (strlen(t[i]) == len && !memcmp(t[i], name, len))
			return t[i + 1];
	return NULL;
}

static void test_engines(void **state)
{
	atmo_engine_kind k;
	(void)state;
	assert_int_equal(atmo_engine_from_name(&k, "podman"), 0);
	assert_int_equal(k, ATMO_ENGINE_PODMAN);
	assert_string_equal(atmo_engine_name(k), "podman");
	assert_int_equal(atmo_engine_from_name(&k, "kaniko"), ATMO_EINVALID);
	assert_int_equal(atmo_engine_from_name(&k, NULL), ATMO_EINVALID);
	/* the default: $ATMOGRAPH_ENGINE, then an engine program named in the environment */
	{
		const char *env[] = { "ATMOGRAPH_ENGINE", "docker", NULL };
		assert_int_equal(atmo_engine_default_env(&k, table_env, env), 0);
		assert_int_equal(k, ATMO_ENGINE_DOCKER);
	}
	{
		const char *env[] = { "ATMOGRAPH_ENGINE", "rkt", NULL };
		assert_int_equal(atmo_engine_default_env(&k, table_env, env), ATMO_EINVALID);
	}
	{
		/* empty is unset */
		const char *env[] = { "ATMOGRAPH_ENGINE", "", "ATMOGRAPH_BUILDAH", "",
				      "ATMOGRAPH_PODMAN", "/opt/podman", "PATH", "", NULL };
		assert_int_equal(atmo_engine_default_env(&k, table_env, env), 0);
		assert_int_equal(k, ATMO_ENGINE_PODMAN);
	}
}

/* an executable file dir/name */
static void make_exe(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* PATH as the caller passes it is searched, in the order buildah, podman, docker */
static void test_engine_default_searches_given_path(void **state)
{
	char dir[] = "/tmp/atmo-engine-path-XXXXXX", path[256];
	const char *env[] = { "PATH", path, NULL };
	atmo_engine_kind k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	assert_int_equal(atmo_engine_default_env(&k, table_env, env), 0);
	assert_int_equal(k, ATMO_ENGINE_BUILDAH); /* none found */
	make_exe(dir, "docker");
	assert_int_equal(atmo_engine_default_env(&k, table_env, env), 0);
	assert_int_equal(k, ATMO_ENGINE_DOCKER);
	make_exe(dir, "podman");
	assert_int_equal(atmo_engine_default_env(&k, table_env, env), 0);
	assert_int_equal(k, ATMO_ENGINE_PODMAN);
	snprintf(path, sizeof(path), "%s/docker", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/podman", dir);
	unlink(path);
	rmdir(dir);
}

/* the library reads no environment: only what the caller passes counts */
static void test_engine_reads_no_process_environment(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_engine_kind k = ATMO_ENGINE_PODMAN;
	const atmo_plan_step *s;
	atmo_error err;

	(void)state;
	setenv("ATMOGRAPH_ENGINE", "rkt", 1);
	setenv("ATMOGRAPH_BUILDAH", "/opt/env/buildah", 1);
	setenv("ATMOGRAPH_STORAGE_DRIVER", "overlay", 1);
	setenv("ATMOGRAPH_STORAGE_ROOT", "/env/root", 1);
	setenv("ATMOGRAPH_ISOLATION", "rootless", 1);
	assert_int_equal(atmo_engine_default(&k), 0);
	assert_int_not_equal(k, ATMO_ENGINE_PODMAN);
	assert_int_equal(atmo_engine_default_env(&k, NULL, NULL), 0);
	atmo_engine_options_env(&po.engine, NULL, NULL);
	assert_null(po.engine.program);
	po.engine.engine_version = "1.28.2";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	s = atmo_plan_step_at(p, 0);
	assert_non_null(s);
	assert_string_equal(s->argv[0], "buildah");
	assert_true(argv_has(s->argv, "--storage-driver", "vfs"));
	assert_true(argv_has(s->argv, "--isolation", "chroot"));
	assert_false(argv_has(s->argv, "--root", NULL));
done:
	atmo_plan_free(p);
	unsetenv("ATMOGRAPH_ENGINE");
	unsetenv("ATMOGRAPH_BUILDAH");
	unsetenv("ATMOGRAPH_STORAGE_DRIVER");
	unsetenv("ATMOGRAPH_STORAGE_ROOT");
	unsetenv("ATMOGRAPH_ISOLATION");
	atmo_bake_free(b);
}

/* the environment passed fills only the fields the caller left NULL */
static void test_engine_options_env(void **state)
{
	const char *env[] = { "ATMOGRAPH_BUILDAH", "/opt/buildah", "ATMOGRAPH_DOCKER", "/opt/docker",
			      "ATMOGRAPH_ISOLATION", "oci", "ATMOGRAPH_STORAGE_DRIVER", "",
			      "ATMOGRAPH_STORAGE_ROOT", "/srv/env-root", NULL };
	atmo_engine_options eo = ATMO_ENGINE_OPTIONS_INIT;
	atmo_engine_options dk = ATMO_ENGINE_OPTIONS_INIT;
	atmo_bake *b = load("bake/good/docker-bake.json");
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_plan *p = NULL;
	const atmo_plan_step *s;
	atmo_error err;

	(void)state;
	eo.storage_root = "/srv/flag-root";
	atmo_engine_options_env(&eo, table_env, env);
	assert_string_equal(eo.program, "/opt/buildah");
	assert_string_equal(eo.isolation, "oci");
	assert_null(eo.storage_driver); /* empty is unset: the default follows */
	assert_string_equal(eo.storage_root, "/srv/flag-root");
	dk.kind = ATMO_ENGINE_DOCKER;
	atmo_engine_options_env(&dk, table_env, env);
	assert_string_equal(dk.program, "/opt/docker");

	po.engine = eo;
	po.engine.engine_version = "1.28.2";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	s = atmo_plan_step_at(p, 0);
	assert_non_null(s);
	assert_string_equal(s->argv[0], "/opt/buildah");
	assert_true(argv_has(s->argv, "--isolation", "oci"));
	assert_true(argv_has(s->argv, "--storage-driver", "vfs"));
	assert_true(argv_has(s->argv, "--root", "/srv/flag-root"));
done:
	atmo_plan_free(p);
	atmo_bake_free(b);
}

static void test_plan_waves_and_argv(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_error err;
	size_t n;
	const size_t *w;
	const atmo_plan_step *s;
	json_t *doc = NULL;

	(void)state;
	po.engine.program = "buildah";
	po.engine.engine_version = "1.28.2";
	po.engine.storage_root = "/srv/root";
	po.stages = 1;
	po.work_dir = "/tmp/atmo-plan-test";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	assert_int_equal(atmo_plan_wave_count(p), 2);
	w = atmo_plan_wave(p, 0, &n);
	assert_int_equal(n, 1);
	assert_string_equal(atmo_bake_target_at(b, w[0])->name, "lib");
	w = atmo_plan_wave(p, 1, &n);
	assert_int_equal(n, 1);
	assert_string_equal(atmo_bake_target_at(b, w[0])->name, "app");
	assert_null(atmo_plan_wave(p, 2, &n));
	/* lib: one stage; app: the build stage, then the image (target runtime) */
	assert_int_equal(atmo_plan_step_count(p), 3);
	s = atmo_plan_step_at(p, 0);
	assert_non_null(s);
	assert_string_equal(s->target, "lib");
	assert_null(s->stage);
	assert_int_equal(s->n_lowered, 1);
	assert_string_equal(s->dockerfile, "/tmp/atmo-plan-test/lib/Dockerfile");
	assert_true(argv_has(s->argv, "--root", "/srv/root"));
	assert_true(argv_has(s->argv, "--format", "docker"));
	assert_true(argv_has(s->argv, "--platform", "linux/amd64"));
	/* buildah takes a cache repository, not buildx's type=registry,ref= form */
	assert_true(argv_has(s->argv, "--cache-from", "example.org/cache/lib"));
	assert_true(argv_has(s->argv, "--build-context", "debian=docker-image://debian:bookworm"));
	s = atmo_plan_step_at(p, 1);
	assert_non_null(s);
	assert_string_equal(s->target, "app");
	assert_string_equal(s->stage, "build");
	assert_string_equal(s->image, "localhost/atmograph-stages/app:build");
	assert_true(argv_has(s->argv, "--target", "build"));
	s = atmo_plan_step_at(p, 2);
	assert_non_null(s);
	assert_null(s->stage);
	assert_int_equal(s->n_lowered, 0);
	assert_true(argv_has(s->argv, "--target", "runtime"));
	assert_true(argv_has(s->argv, "-t", "example.org/acme/app:dev"));
	assert_true(argv_has(s->argv, "--build-context", "lib=container-image://example.org/acme/lib:dev"));
	assert_true(argv_has(s->argv, "--pull=always", NULL));
	assert_true(argv_has(s->argv, "--build-arg", "PORT=8080"));
	assert_non_null(strstr(s->argv[0], "buildah"));
	assert_null(atmo_plan_step_at(p, 3));

	OOM_EXPECT(atmo_plan_to_json(&doc, p, &err), 0);
	assert_json_string(json_object_get(doc, "schema"), "atmograph.plan/1");
	assert_int_equal(json_array_size(json_object_get(doc, "steps")), 3);
done:
	json_decref(doc);
	atmo_plan_free(p);
	atmo_bake_free(b);
}

static void test_plan_errors(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	const char *names[] = { "missing" };
	atmo_error err;

	(void)state;
	po.engine.engine_version = "1.28.2";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, names, 1, &po, &err), ATMO_ENOTFOUND);
	assert_null(p);
	po.version = 99;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), ATMO_EINVALID);
done:
	atmo_bake_free(b);
}

/* --builder and --push: docker gets them on the build's argv, buildah pushes each tag
 * in a step of its own after the build */
static void test_plan_push_and_builder(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_error err;
	const atmo_plan_step *s;
	size_t i, pushes = 0;

	(void)state;
	po.engine.kind = ATMO_ENGINE_DOCKER;
	po.engine.program = "docker";
	po.engine.builder = "k8s";
	po.push = 1;
	po.work_dir = "/tmp/atmo-plan-test";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	assert_int_equal(atmo_plan_step_count(p), 2);
	s = atmo_plan_step_at(p, 1);
	assert_non_null(s);
	assert_string_equal(s->target, "app");
	assert_string_equal(s->action, "build");
	assert_string_equal(s->argv[3], "--builder");
	assert_string_equal(s->argv[4], "k8s");
	assert_true(argv_has(s->argv, "-t", "example.org/acme/app:dev"));
	assert_true(argv_has(s->argv, "-t", "example.org/acme/app:latest"));
	assert_true(argv_has(s->argv, "--push", NULL));
	/* the target's own output (type=docker) loads it: no --load added */
	assert_true(argv_has(s->argv, "--output", "type=docker"));
	assert_false(argv_has(s->argv, "--load", NULL));
	assert_true(argv_has(s->argv, "--cache-from", "type=registry,ref=example.org/cache/lib"));
	atmo_plan_free(p);

	/* a builder is docker's */
	po.engine.kind = ATMO_ENGINE_BUILDAH;
	po.engine.program = "buildah";
	po.engine.engine_version = "1.28.2";
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "needs the docker engine"));
	assert_null(p);

	po.engine.builder = NULL;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	/* lib: build, push; app: build, push, push */
	assert_int_equal(atmo_plan_step_count(p), 5);
	for (i = 0; i < atmo_plan_step_count(p); i++) {
		s = atmo_plan_step_at(p, i);
		assert_non_null(s);
		if (strcmp(s->action, "push"))
			continue;
		pushes++;
		assert_string_equal(s->argv[3], "push");
		assert_null(s->argv[6]);
		assert_string_equal(s->argv[5], s->image);
		assert_int_equal(strncmp(s->image, "docker://example.org/acme/", 26), 0);
		/* the image pushed is the one the build tagged first */
		assert_string_equal(s->argv[4], !strcmp(s->target, "app") ? "example.org/acme/app:dev"
									    : "example.org/acme/lib:dev");
	}
	assert_int_equal(pushes, 3);
	assert_non_null(atmo_plan_step_at(p, 4));
	assert_string_equal(atmo_plan_step_at(p, 4)->image, "docker://example.org/acme/app:latest");
done:
	atmo_plan_free(p);
	atmo_bake_free(b);
}

/* targets as a bake file: directories written from where the file goes; no engine */
static void test_plan_bake_json(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	const char *names[] = { "app" }, *bad[] = { "nope" };
	atmo_error err;
	json_t *doc = NULL, *app, *group;
	char dir[1024], *slash;

	(void)state;
	atmo_error_clear(&err);
	/* next to the bake file: the paths as written */
	test_data_path(dir, sizeof(dir), "bake/good/docker-bake.json");
	slash = strrchr(dir, '/');
	*slash = '\0';
	OOM_EXPECT(atmo_plan_bake_json(&doc, b, names, 1, dir, &err), 0);
	app = json_object_get(json_object_get(doc, "target"), "app");
	assert_json_string(json_object_get(app, "context"), "app");
	assert_json_string(json_object_get(json_object_get(app, "contexts"), "lib"),
			    "target:lib");
	/* app links to lib: both are in the file, as a plan of app builds both */
	group = json_object_get(json_object_get(json_object_get(doc, "group"), "default"), "targets");
	assert_int_equal(json_array_size(group), 2);
	assert_non_null(json_object_get(json_object_get(doc, "target"), "lib"));
	json_decref(doc);
	doc = NULL;
	/* one directory down: one ".." more */
	strcat(dir, "/app");
	OOM_EXPECT(atmo_plan_bake_json(&doc, b, NULL, 0, dir, &err), 0);
	app = json_object_get(json_object_get(doc, "target"), "app");
	assert_json_string(json_object_get(app, "context"), ".");
	assert_json_string(json_object_get(json_object_get(app, "contexts"), "assets"),
			    ".");
	assert_json_string(json_object_get(json_object_get(
		json_object_get(json_object_get(doc, "target"), "lib"), "contexts"), "debian"),
		"docker-image://debian:bookworm");
	assert_json_string(json_object_get(json_object_get(
		json_object_get(doc, "target"), "lib"), "context"), "../lib");
	json_decref(doc);
	doc = NULL;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_bake_json(&doc, b, NULL, 0, "/nonexistent/dir", &err), ATMO_EIO);
	assert_null(doc);
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_plan_bake_json(&doc, b, bad, 1, NULL, &err), ATMO_ENOTFOUND);
	assert_null(doc);
done:
	json_decref(doc);
	atmo_bake_free(b);
}

static void test_argv_display(void **state)
{
	const char *argv[] = { "buildah", "--label", "a=b c", "it's", "", "x=y,z", NULL };
	char *s;
	(void)state;
	s = atmo_argv_display(argv);
	assert_string_equal(s, "buildah --label 'a=b c' 'it'\\''s' '' x=y,z");
	atmo_free(s);
}

static void test_run_fake_engine(void **state)
{
	char bake[1024], engine[1024], dir[] = "/tmp/atmo-test-build-XXXXXX", store[1100],
		out[1100], report_path[1100];
	const char *files[1];
	const char *names[] = { "failing" };
	atmo_bake *b = NULL;
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_build_options bo = ATMO_BUILD_OPTIONS_INIT;
	json_t *report = NULL, *t;
	atmo_error err;

	(void)state;
	test_data_path(engine, sizeof(engine), "bake/fake/fake-engine.py");
	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(report_path, sizeof(report_path), "%s/report.json", dir);
	setenv("FAKE_STORE", store, 1);
	files[0] = test_data_path(bake, sizeof(bake), "bake/fake/docker-bake.json");
	atmo_error_clear(&err);
	test_oom_pause();   /* the bake file is the fixture */
	assert_int_equal(atmo_bake_load(&b, files, 1, NULL, NULL, &err), 0);
	test_oom_resume();
	po.engine.program = engine;
	po.work_dir = out;
	OOM_EXPECT(atmo_plan_new(&p, b, names, 1, &po, &err), 0);
	bo.jobs = 2;
	bo.keep_going = 1;
	bo.export_images = 0;
	bo.report_path = report_path;
	OOM_EXPECT(atmo_build_run(&report, p, &bo, &err), ATMO_EENGINE);
	assert_non_null(report);
	t = json_object_get(report, "targets");
	assert_json_string(json_object_get(json_object_get(t, "a"), "status"), "built");
	assert_json_string(json_object_get(json_object_get(t, "b"), "status"), "failed");
	assert_json_string(json_object_get(json_object_get(t, "c"), "status"), "skipped");
	assert_json_string(json_object_get(json_object_get(t, "d"), "status"), "built");
	assert_int_equal(access(report_path, R_OK), 0);
	json_decref(report);
	report = NULL;
	/* again: a and d are cached */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_build_run(&report, p, &bo, &err), ATMO_EENGINE);
	t = json_object_get(report, "targets");
	assert_json_string(json_object_get(json_object_get(t, "a"), "status"), "cached");
	assert_json_string(json_object_get(json_object_get(t, "d"), "status"), "cached");
done:
	json_decref(report);
	atmo_plan_free(p);
	atmo_bake_free(b);
	{
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_annotate(void **state)
{
	atmo_bake *b = load("bake/good/docker-bake.json");
	json_t *graph = NULL, *report = NULL, *n;
	atmo_error err;
	size_t i;
	int seen = 0;
	const char *text =
		"{\"schema\": \"atmograph.build-report/1\", \"targets\": {"
		" \"app\": {\"status\": \"built\", \"size\": {\"bytes\": 100, \"compressed\": 40, \"layers\": 3},"
		"  \"packages\": [\"libc6\"],"
		"  \"stages\": {\"build\": {\"size\": {\"bytes\": 500}, \"own_bytes\": 400, \"in_final\": false,"
		"                          \"packages\": [\"gcc\", \"libc6\"]},"
		"              \"runtime\": {\"size\": {\"bytes\": 100}, \"own_bytes\": 100, \"in_final\": true}},"
		"  \"kept_out\": {\"bytes\": 400, \"packages\": [\"gcc\", \"cpp\"]}},"
		" \"lib\": {\"status\": \"cached\", \"size\": {\"bytes\": 7, \"compressed\": 3, \"layers\": 1},"
		"  \"kept_out\": {\"bytes\": 1, \"packages\": [\"gcc\"]}}}}";

	(void)state;
	atmo_error_clear(&err);
	/* the graph and the report are the fixtures */
	test_oom_pause();
	assert_int_equal(atmo_bake_graph(&graph, b, NULL, 0, &err), 0);
	report = json_loads(text, 0, NULL);
	test_oom_resume();
	assert_non_null(report);
	OOM_EXPECT(atmo_report_annotate(graph, report, &err), 0);
	json_array_foreach(json_object_get(graph, "images"), i, n) {
		if (!strcmp(json_string_value(json_object_get(n, "id")), "app")) {
			assert_int_equal(json_integer_value(json_object_get(json_object_get(n, "size"), "bytes")), 100);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(n, "size"), "compressed")), 40);
		}
	}
	json_array_foreach(json_object_get(graph, "nodes"), i, n) {
		if (!strcmp(json_string_value(json_object_get(n, "id")), "app/stage/build")) {
			json_t *sz = json_object_get(n, "size");
			assert_int_equal(json_integer_value(json_object_get(sz, "bytes")), 500);
			assert_int_equal(json_integer_value(json_object_get(sz, "own_bytes")), 400);
			assert_int_equal(json_integer_value(json_object_get(sz, "packages")), 2);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	n = json_object_get(graph, "kept_out");
	assert_int_equal(json_integer_value(json_object_get(n, "bytes")), 401);
	assert_int_equal(json_array_size(json_object_get(n, "packages")), 2);
	assert_json_string(json_array_get(json_object_get(n, "packages"), 0), "cpp");
	/* wrong documents */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_annotate(graph, graph, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "build report"));
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_annotate(report, report, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "graph document"));
	/* a graph document with a broken field: the located error of the one loader */
	{
		json_t *bad;
		int rc;
		test_oom_pause();
		bad = json_loads("{\"schema\": \"atmograph.graph/1\", \"nodes\": "
				 "[{\"id\": \"a\", \"kind\": \"stage\"}], \"edges\": [{\"from\": \"a\"}]}",
				 0, NULL);
		test_oom_resume();
		atmo_error_clear(&err);
		rc = atmo_report_annotate(bad, report, &err);
		if (!oom_hit(rc)) {
			assert_int_equal(rc, ATMO_EINVALID);
			assert_string_equal(err.source, "graph");
			assert_string_equal(err.text, "not a graph document (schema atmograph.graph/1): "
					    "$.edges[0].to: missing (a string is required)");
		}
		json_decref(bad);
	}
done:
	json_decref(report);
	json_decref(graph);
	atmo_bake_free(b);
}


/* the report's figures: the same atmo_image_kept_out()/atmo_image_own_bytes() as atmo_image_sizes_compute() */
static void test_report_figures(void **state)
{
	json_error_t je;
	json_t *entry, *stages, *builder;
	const char *names[2] = { "builder", "other" };
	const json_t *layers[2];
	json_t *ko, *want;
	atmo_error err;

	(void)state;
	test_oom_pause();   /* the documents are the fixtures */
	/* service: build FROM the linked "builder" target, service FROM the linked "runtime" */
	entry = json_loads(
		"{\"size\": {\"bytes\": 1270, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		" {\"diff_id\": \"d2\", \"size\": 200}, {\"diff_id\": \"r1\", \"size\": 60}, {\"diff_id\": \"s1\", \"size\": 10}]},"
		" \"packages\": [\"libc6\", \"python3\"]}", 0, &je);
	stages = json_loads(
		"{\"build\": {\"base\": \"builder\", \"in_final\": false, \"packages\": [\"libc6\", \"gcc\", \"cpp\"],"
		"  \"size\": {\"bytes\": 36000, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		"   {\"diff_id\": \"d2\", \"size\": 200}, {\"diff_id\": \"b1\", \"size\": 30000}, {\"diff_id\": \"b2\", \"size\": 4800}]}},"
		" \"gen\": {\"base\": \"build\", \"in_final\": false, \"packages\": [\"make\", \"gcc\"],"
		"  \"size\": {\"bytes\": 36100, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		"   {\"diff_id\": \"d2\", \"size\": 200}, {\"diff_id\": \"b1\", \"size\": 30000}, {\"diff_id\": \"b2\", \"size\": 4800},"
		"   {\"diff_id\": \"g1\", \"size\": 100}]}},"
		" \"orphan\": {\"base\": \"other\", \"in_final\": true, \"size\": {\"bytes\": 5,"
		"   \"_layers\": [{\"diff_id\": \"o1\", \"size\": 5}]}}}", 0, &je);
	builder = json_loads("[{\"diff_id\": \"d1\", \"size\": 1000}, {\"diff_id\": \"d2\", \"size\": 200},"
				     " {\"diff_id\": \"b1\", \"size\": 30000}]", 0, &je);
	test_oom_resume();
	assert_non_null(entry);
	assert_non_null(stages);
	layers[0] = builder;
	layers[1] = NULL;   /* a linked target whose layers are unknown (cached by an older report) */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo__report_figures(entry, stages, names, layers, 2, &err), 0);
	/* own bytes: layers beyond the parent's list */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(stages, "build"), "own_bytes")), 4800);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(stages, "gen"), "own_bytes")), 100);
	assert_null(json_object_get(json_object_get(stages, "orphan"), "own_bytes"));
	/* kept out: b1, b2, g1 once each; gcc, cpp, make */
	ko = json_object_get(entry, "kept_out");
	test_oom_pause();
	want = json_loads("{\"bytes\": 34900, \"layers\": 3, \"packages\": [\"cpp\", \"gcc\", \"make\"]}", 0, &je);
	test_oom_resume();
	assert_true(json_equal(ko, want));
	json_decref(want);
done:
	json_decref(entry);
	json_decref(stages);
	json_decref(builder);
}

/* which target of a report builds a Dockerfile: relative/absolute paths, bases, ties, errors */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_report_find_target(void **state)
{
	char dir[] = "/tmp/atmo-findtarget-XXXXXX", a[64], b[64], adf[256], bdf[256], sub[64],
		other[256], text[2048], missing[256];
	const char *name = NULL, *bases[3];
	json_t *report;
	atmo_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(sub, sizeof(sub), "%s/docs", dir);
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(mkdir(b, 0700), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(adf, sizeof(adf), "%s/Dockerfile", a);
	snprintf(bdf, sizeof(bdf), "%s/Dockerfile", b);
	write_text(adf, "FROM scratch\n");
	write_text(bdf, "FROM scratch\n");
	snprintf(other, sizeof(other), "%s/Dockerfile", sub);
	snprintf(missing, sizeof(missing), "%s/nope/Dockerfile", dir);
	/* "zeta" and "alpha" both build a/Dockerfile (zeta first in the report), "abs" names
	 * b/Dockerfile by its absolute path, "odd" has no string dockerfile */
	snprintf(text, sizeof(text),
		 "{\"schema\": \"atmograph.build-report/1\", \"targets\": {"
		 " \"zeta\": {\"dockerfile\": \"a/Dockerfile\"},"
		 " \"odd\": {\"dockerfile\": 7},"
		 " \"abs\": {\"dockerfile\": \"%s\"},"
		 " \"alpha\": {\"dockerfile\": \"a/../a/Dockerfile\"}}}", bdf);
	test_oom_pause();   /* the report is the fixture */
	report = json_loads(text, 0, NULL);
	test_oom_resume();
	assert_non_null(report);

	/* relative to the second base only (the first, docs/, does not hold a/Dockerfile) */
	bases[0] = sub;
	bases[1] = dir;
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, adf, bases, 2, &err), 0);
	/* two targets build it: the name that sorts first, whatever the report's order */
	assert_string_equal(name, "alpha");
	/* the Dockerfile spelled differently is the same file */
	snprintf(text, sizeof(text), "%s/b/../a/Dockerfile", dir);
	OOM_EXPECT(atmo_report_find_target(&name, report, text, bases, 2, &err), 0);
	assert_string_equal(name, "alpha");
	/* an absolute "dockerfile" matches with no base at all, and whatever the bases */
	OOM_EXPECT(atmo_report_find_target(&name, report, bdf, NULL, 0, &err), 0);
	assert_string_equal(name, "abs");
	OOM_EXPECT(atmo_report_find_target(&name, report, bdf, bases, 1, &err), 0);
	assert_string_equal(name, "abs");
	/* a relative one against a base that does not hold it: no match */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, adf, bases, 1, &err), ATMO_ENOTFOUND);
	assert_null(name);
	assert_string_equal(err.source, adf);
	assert_non_null(strstr(err.text, "no target built from"));
	/* a Dockerfile no target builds */
	write_text(other, "FROM scratch\n");
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, other, bases, 2, &err), ATMO_ENOTFOUND);
	assert_string_equal(err.source, other);
	/* a Dockerfile that does not exist */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, missing, bases, 2, &err), ATMO_ENOTFOUND);
	assert_non_null(strstr(err.text, "cannot find the Dockerfile"));
	/* not a report, targets not an object */
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, json_object_get(report, "targets"), adf,
						 bases, 2, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "build report"));
	test_oom_pause();
	json_object_set_new(report, "targets", json_array());
	test_oom_resume();
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, adf, bases, 2, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "report.targets"));
	/* no targets at all */
	test_oom_pause();
	json_object_set_new(report, "targets", json_object());
	test_oom_resume();
	atmo_error_clear(&err);
	OOM_EXPECT(atmo_report_find_target(&name, report, adf, bases, 2, &err), ATMO_ENOTFOUND);
done:
	json_decref(report);
	unlink(adf);
	unlink(bdf);
	unlink(other);
	rmdir(a);
	rmdir(b);
	rmdir(sub);
	rmdir(dir);
}

/* Reading the previous run's state: running out of memory anywhere in jansson's
 * parse gives NULL (the run ends with ATMO_ENOMEM), never an empty state that
 * would rebuild every target. jansson 2.14 records json_error_out_of_memory
 * for few of its allocation failures, so each one is tried here. */
static void test_state_load_nomem(void **state)
{
	char dir[] = "/tmp/atmo-test-state-XXXXXX", path[1100], big[400], text[1200];
	unsigned long k;
	json_t *s;
	int none_failed = 0, failed = 0;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	/* a string longer than jansson's error text: the message naming it is cut */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "{\"targets\": {\"a\": {\"status\": \"built\", \"digest\": \"sha256:1\"},"
		 " \"%s\": {\"status\": \"cached\", \"log\": \"%s\", \"n\": [1, 2.5, true, null]}}}",
		 big, big);
	write_text(path, text);
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; !none_failed && k < 100000; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		s = atmo__run_load_state(path);
		if (!s) {
			if (!oom_failed)
				break;
			continue;
		}
		none_failed = !oom_failed;
		/* both targets: jansson 2.14 may drop a byte of a long string when a
		   buffer cannot grow (lex_save ignores it), so the long key is only
		   checked whole without a failure */
		if (json_object_size(s) != 2 || !json_object_get(s, "a") ||
		    (none_failed && !json_object_get(s, big))) {
			json_decref(s);
			break;
		}
		json_decref(s);
	}
	failed = oom_failed;
	oom_fail_at = 0;
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	if (!none_failed)
		fail_msg("allocation %lu failing: the state read was %s", k,
			 failed ? "taken for an empty one" : "refused without a failure");
	/* a state that is not JSON, or none, is an empty one (everything is built) */
	write_text(path, "{\"targets\": {\"a\": {\"status\": \"built\"}");
	assert_non_null(s = atmo__run_load_state(path));
	assert_int_equal(json_object_size(s), 0);
	json_decref(s);
	write_text(path, "{\"targets\": {\"a\" \"b\"}}");
	assert_non_null(s = atmo__run_load_state(path));
	assert_int_equal(json_object_size(s), 0);
	json_decref(s);
	unlink(path);
	assert_non_null(s = atmo__run_load_state(path));
	assert_int_equal(json_object_size(s), 0);
	json_decref(s);
	rmdir(dir);
}

/* A cached run out of memory while it writes the report and the state ends with
 * ATMO_ENOMEM; it never gives a report or a state short of a target (the next
 * run would rebuild it). The last allocations of such a run are failed in turn. */
static void test_run_report_nomem(void **state)
{
	char bake[1024], engine[1024], dir[] = "/tmp/atmo-test-build-XXXXXX", store[1100], out[1100];
	const char *files[1];
	atmo_bake *b = NULL;
	atmo_plan *p = NULL;
	atmo_plan_options po = ATMO_PLAN_OPTIONS_INIT;
	atmo_build_options bo = ATMO_BUILD_OPTIONS_INIT;
	json_t *report = NULL, *t;
	atmo_error err;
	unsigned long m, k, first;
	int rc, failed;

	(void)state;
	test_data_path(engine, sizeof(engine), "bake/fake/fake-engine.py");
	if (access("/usr/bin/python3", X_OK) != 0 || getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	assert_non_null(mkdtemp(dir));
	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	setenv("FAKE_STORE", store, 1);
	files[0] = test_data_path(bake, sizeof(bake), "bake/fake/docker-bake.json");
	atmo_error_clear(&err);
	assert_int_equal(atmo_bake_load(&b, files, 1, NULL, NULL, &err), 0);
	po.engine.program = engine;
	po.work_dir = out;
	assert_int_equal(atmo_plan_new(&p, b, NULL, 0, &po, &err), 0);
	bo.export_images = 0;
	assert_int_equal(atmo_build_run(NULL, p, &bo, &err), 0);
	/* how many allocations a cached run makes */
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	first = oom_count;
	assert_int_equal(atmo_build_run(&report, p, &bo, &err), 0);
	m = oom_count - first;
	json_decref(report);
	report = NULL;
	/* the report and the state are made in about the last 100 allocations (each
	   run starts the fake engine: every allocation would take a minute) */
	for (k = m > 120 ? m - 120 : 1; k <= m; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = atmo_build_run(&report, p, &bo, &err);
		failed = oom_failed;
		oom_fail_at = 0;
		if (rc == ATMO_ENOMEM && failed) {
			assert_null(report);
			continue;
		}
		if (rc != 0)
			fail_msg("allocation %lu of %lu failing: %d: %s", k, m, rc, err.text);
		t = json_object_get(report, "targets");
		if (json_object_size(t) != 2 ||
		    !json_is_string(json_object_get(json_object_get(t, "a"), "status")) ||
		    !json_is_string(json_object_get(json_object_get(t, "d"), "status")))
			fail_msg("allocation %lu of %lu failing: a report short of a target", k, m);
		json_decref(report);
		report = NULL;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	/* the state a run out of memory left still has both targets: nothing rebuilt */
	assert_int_equal(atmo_build_run(&report, p, &bo, &err), 0);
	t = json_object_get(report, "targets");
	assert_json_string(json_object_get(json_object_get(t, "a"), "status"), "cached");
	assert_json_string(json_object_get(json_object_get(t, "d"), "status"), "cached");
	json_decref(report);
	atmo_plan_free(p);
	atmo_bake_free(b);
	{
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* The report's figures out of memory: ATMO_ENOMEM, never a stage without its
 * own bytes or an entry without its kept-out figure given as done. Each
 * allocation of atmo__report_figures() is failed in turn. */
static void test_report_figures_nomem(void **state)
{
	const char *entry_text =
		"{\"size\": {\"bytes\": 1270, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		" {\"diff_id\": \"s1\", \"size\": 10}]}, \"packages\": [\"libc6\"]}";
	const char *stages_text =
		"{\"build\": {\"base\": \"builder\", \"in_final\": false, \"packages\": [\"libc6\", \"gcc\"],"
		"  \"size\": {\"bytes\": 5800, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		"   {\"diff_id\": \"b2\", \"size\": 4800}]}},"
		" \"gen\": {\"base\": \"build\", \"in_final\": false, \"packages\": [\"make\"],"
		"  \"size\": {\"bytes\": 5900, \"_layers\": [{\"diff_id\": \"d1\", \"size\": 1000},"
		"   {\"diff_id\": \"b2\", \"size\": 4800}, {\"diff_id\": \"g1\", \"size\": 100}]}}}";
	const char *names[1] = { "builder" };
	const json_t *layers[1];
	json_t *entry = NULL, *stages = NULL, *builder;
	atmo_error err;
	unsigned long k;
	int rc = -1, failed = 0, whole;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	builder = json_loads("[{\"diff_id\": \"d1\", \"size\": 1000}]", 0, NULL);
	assert_non_null(builder);
	layers[0] = builder;
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; k < 100000; k++) {
		test_oom_pause();
		entry = json_loads(entry_text, 0, NULL);
		stages = json_loads(stages_text, 0, NULL);
		test_oom_resume();
		assert_non_null(entry);
		assert_non_null(stages);
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		rc = atmo__report_figures(entry, stages, names, layers, 1, &err);
		failed = oom_failed;
		oom_fail_at = 0;
		whole = json_integer_value(json_object_get(json_object_get(stages, "build"), "own_bytes")) ==
				4800 &&
			json_integer_value(json_object_get(json_object_get(stages, "gen"), "own_bytes")) == 100 &&
			json_object_get(entry, "kept_out");
		json_decref(entry);
		json_decref(stages);
		if (rc == 0 && !failed)
			break;
		if (rc < 0 ? rc != ATMO_ENOMEM || !failed : !whole)
			break;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	json_decref(builder);
	if (rc != 0 || failed || !whole)
		fail_msg("allocation %lu failing: %d, figures %s", k, rc, whole ? "whole" : "missing");
}

/* The state and report are written from atmo__json_dumps(): whole or NULL.
 * (jansson 2.14's json_dumps() drops an object key it could not write and goes
 * on: a state with a target's name cut short, and the target rebuilt.) */
static void test_state_dump_nomem(void **state)
{
	json_t *doc;
	char *want, *got = NULL;
	unsigned long k;
	int failed = 0;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	doc = json_pack("{s:s,s:{s:{s:s,s:s},s:{s:s,s:[i,i]}}}", "schema", "atmograph.build-state/1",
			"targets", "a-target-name-longer-than-sixteen-bytes", "status", "built",
			"digest", "sha256:0123456789abcdef0123456789abcdef", "another-long-target-name",
			"status", "cached", "n", 1, 2);
	assert_non_null(doc);
	want = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	assert_non_null(want);
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; k < 100000; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		got = atmo__json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		failed = oom_failed;
		oom_fail_at = 0;
		if (got && strcmp(got, want))
			break;
		free(got);
		got = NULL;
		if (!failed)
			break;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	json_decref(doc);
	if (got && strcmp(got, want))
		fail_msg("allocation %lu failing: a document short of %zu bytes", k,
			 strlen(want) - strlen(got));
	free(got);
	free(want);
	assert_false(failed);
}

/* An engine's output read short of memory is no output (NULL), never output
 * cut short: an image id lost would read as "no such image" and the target
 * would be rebuilt. Each allocation of atmo__run_capture() is failed in turn. */
static void test_capture_nomem(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "printf '%020000d' 0", NULL };
	char *out = NULL;
	unsigned long k;
	int rc = -1, failed = 1, ok = 1;
	size_t len = 0;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; ok && failed && k < 1000; k++) {
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		rc = atmo__run_capture(argv, &out, NULL);
		failed = oom_failed;
		oom_fail_at = 0;
		len = out ? strlen(out) : 0;
		/* the whole output, or none after a failed allocation */
		ok = rc == 0 && (out ? len == 20000 : failed);
		free(out);
		out = NULL;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	if (!ok)
		fail_msg("allocation %lu failing: exit %d, %zu bytes of 20000", k - 1, rc, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engines),
		cmocka_unit_test(test_engine_default_searches_given_path),
		cmocka_unit_test(test_engine_reads_no_process_environment),
		cmocka_unit_test(test_engine_options_env),
		cmocka_unit_test(test_plan_waves_and_argv),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_plan_push_and_builder),
		cmocka_unit_test(test_plan_bake_json),
		cmocka_unit_test(test_argv_display),
		cmocka_unit_test(test_run_fake_engine),
		cmocka_unit_test(test_annotate),
		cmocka_unit_test(test_report_figures),
		cmocka_unit_test(test_report_figures_nomem),
		cmocka_unit_test(test_report_find_target),
		cmocka_unit_test(test_state_load_nomem),
		cmocka_unit_test(test_state_dump_nomem),
		cmocka_unit_test(test_capture_nomem),
		cmocka_unit_test(test_run_report_nomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
