/*
 * Plans: the targets of a bake in waves (a target waits for the targets its
 * contexts name), and the exact engine command line of every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "atmograph/build.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "engine/engine_int.h"
#include "util/buf.h"
#include "util/alloc.h"
#include "util/error.h"

int atmo_engine_from_name(atmo_engine_kind *out, const char *name)
{
	if (!name)
		return ATMO_EINVALID;
	if (!strcmp(name, "buildah"))
		*out = ATMO_ENGINE_BUILDAH;
	else if (!strcmp(name, "docker"))
		*out = ATMO_ENGINE_DOCKER;
	else if (!strcmp(name, "podman"))
		*out = ATMO_ENGINE_PODMAN;
	else
		return ATMO_EINVALID;
	return 0;
}

const char *atmo_engine_name(atmo_engine_kind kind)
{
	switch (kind) {
	case ATMO_ENGINE_DOCKER:
		return "docker";
	case ATMO_ENGINE_PODMAN:
		return "podman";
	default:
		return "buildah";
	}
}

/* a variable of the environment the face passed; NULL when unset or empty */
static const char *env_get(atmo_env_lookup env, void *payload, const char *name)
{
	const char *v = env ? env(name, strlen(name), payload) : NULL;
	return v && *v ? v : NULL;
}

/* prog in one of the directories of a PATH-style list (execvp's search) */
static int on_path(const char *path, const char *prog)
{
	char buf[4096];

	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		path = colon ? colon + 1 : NULL;
	}
	return 0;
}

int atmo_engine_default_env(atmo_engine_kind *out, atmo_env_lookup env, void *payload)
{
	static const char *const names[] = { "buildah", "podman", "docker" };
	static const char *const vars[] = { "ATMOGRAPH_BUILDAH", "ATMOGRAPH_PODMAN",
					    "ATMOGRAPH_DOCKER" };
	const char *e = env_get(env, payload, "ATMOGRAPH_ENGINE");
	const char *path = env ? env("PATH", 4, payload) : NULL;
	char dflt[256];
	size_t i;

	if (e)
		return atmo_engine_from_name(out, e);
	*out = ATMO_ENGINE_BUILDAH;
	/* an engine program named in the environment counts as present */
	for (i = 0; i < 3; i++) {
		if (env_get(env, payload, vars[i]))
			return atmo_engine_from_name(out, names[i]);
	}
	/* no PATH: the search path execvp() uses then, not the process's */
	if (!path) {
		size_t n = confstr(_CS_PATH, dflt, sizeof(dflt));
		path = n > 0 && n <= sizeof(dflt) ? dflt : NULL;
	}
	for (i = 0; i < 3; i++) {
		if (on_path(path, names[i]))
			return atmo_engine_from_name(out, names[i]);
	}
	return 0;
}

int atmo_engine_default(atmo_engine_kind *out)
{
	return atmo_engine_default_env(out, NULL, NULL);
}

void atmo_engine_options_env(atmo_engine_options *eo, atmo_env_lookup env, void *payload)
{
	static const char *const prog_env[] = { "ATMOGRAPH_BUILDAH", "ATMOGRAPH_DOCKER",
						"ATMOGRAPH_PODMAN" };

	if (!eo->program && (unsigned)eo->kind < 3)
		eo->program = env_get(env, payload, prog_env[eo->kind]);
	if (!eo->isolation)
		eo->isolation = env_get(env, payload, "ATMOGRAPH_ISOLATION");
	if (!eo->storage_driver)
		eo->storage_driver = env_get(env, payload, "ATMOGRAPH_STORAGE_DRIVER");
	if (!eo->storage_root)
		eo->storage_root = env_get(env, payload, "ATMOGRAPH_STORAGE_ROOT");
}

/* the defaults of the fields left NULL (the environment is the faces' business:
 * atmo_engine_options_env()) */
void atmo__engine_resolve(atmo_engine_options *eo)
{
	if (!eo->program)
		eo->program = atmo_engine_name(eo->kind);
	if (!eo->isolation)
		eo->isolation = "chroot";
	if (!eo->storage_driver)
		eo->storage_driver = "vfs";
}

/* global options that go before the subcommand (buildah, podman) */
void atmo__engine_global_args(atmo__strvec *v, const atmo_engine_options *eo)
{
	atmo__strvec_push(v, eo->program, NULL);
	if (eo->kind == ATMO_ENGINE_DOCKER)
		return;
	if (eo->storage_driver && *eo->storage_driver) {
		atmo__strvec_push(v, "--storage-driver", NULL);
		atmo__strvec_push(v, eo->storage_driver, NULL);
	}
	if (eo->storage_root && *eo->storage_root) {
		atmo__strvec_push(v, "--root", NULL);
		atmo__strvec_push(v, eo->storage_root, NULL);
	}
}

static int version_before(const char *have, int major, int minor)
{
	int a = 0, b = 0;
	if (!have || sscanf(have, "%d.%d", &a, &b) < 1)
		return 1;
	return a < major || (a == major && b < minor);
}

int atmo__engine_needs_lowering(const atmo_engine_options *eo)
{
	if (eo->kind == ATMO_ENGINE_DOCKER)
		return 0;
	if (eo->kind == ATMO_ENGINE_PODMAN)
		return version_before(eo->engine_version, 4, 8);
	return version_before(eo->engine_version, 1, 33);
}

/* the image reference a target is tagged with */
static char *target_image(const atmo_bake_target *t)
{
	char buf[600];
	if (t->n_tags)
		return atmo__strdup(t->tags[0], NULL);
	snprintf(buf, sizeof(buf), "localhost/atmograph/%s:latest", t->name);
	return atmo__strdup(buf, NULL);
}

static char *stage_image(const atmo_bake_target *t, const char *stage)
{
	char buf[700];
	snprintf(buf, sizeof(buf), "localhost/atmograph-stages/%s:%s", t->name, stage);
	return atmo__strdup(buf, NULL);
}

void atmo_plan_free(atmo_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_steps; i++) {
		atmo__strvec_free(&p->steps[i].argv);
		atmo__free((char *)p->steps[i].pub.image);
		atmo__free((char *)p->steps[i].pub.stage);
		atmo__free((char *)p->steps[i].pub.dockerfile);
	}
	for (i = 0; i < p->n_targets; i++) {
		atmo__free(p->targets[i].lowered);
		json_decref(p->targets[i].heredoc_files);
		atmo__free(p->targets[i].image);
		atmo__free(p->targets[i].dir);
		atmo__free(p->targets[i].text);
	}
	atmo__free(p->steps);
	atmo__free(p->targets);
	atmo__free(p->slot);
	atmo__free(p->wave_items);
	atmo__free(p->wave_start);
	atmo__free(p->work_dir);
	atmo__free(p);
}

/*
 * One --cache-from/--cache-to value of a target. docker buildx takes bake's form
 * as it is; buildah and podman take a registry repository only: "type=registry,
 * ref=R" becomes R without its tag, a plain reference too; other types (local,
 * gha, s3, inline, ...) are BuildKit's alone and an error that says so.
 */
static int push_cache(atmo__strvec *v, const atmo_engine_options *eo, const char *flag,
		      const char *value, const atmo_bake_target *t, atmo_error *err)
{
	const char *ref = NULL, *c;
	char buf[1024];
	int registry = 0, typed = 0;

	if (eo->kind == ATMO_ENGINE_DOCKER) {
		atmo__strvec_push(v, flag, NULL);
		atmo__strvec_push(v, value, NULL);
		return 0;
	}
	for (c = value; c && *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL) {
		size_t n = strcspn(c, ",");
		if (!strncmp(c, "type=", 5)) {
			typed = 1;
			registry = n == 13 && !strncmp(c + 5, "registry", 8);
		} else if (!strncmp(c, "ref=", 4)) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(n - 4), c + 4);
			ref = buf;
		}
	}
	if (!typed && !strchr(value, '=')) {
		snprintf(buf, sizeof(buf), "%s", value);
		ref = buf;
	} else if (!registry || !ref) {
		return atmo__error_set(
			err, ATMO_EUNSUPPORTED, NULL, 0, 0,
			"target '%s': %s '%s': %s takes a registry repository "
			"(\"type=registry,ref=REPO\" or \"REPO\"); other cache types "
			"are BuildKit's: --engine docker",
			t->name, flag + 2, value, atmo_engine_name(eo->kind));
	}
	/* buildah tags the cache images itself: "repository must contain neither a tag
	 * nor digest" (buildah 1.28), so the tag of bake's ref is left out */
	{
		char *slash = strrchr(buf, '/'), *cut = slash ? slash : buf;
		cut[strcspn(cut, "@:")] = '\0';
	}
	atmo__strvec_push(v, flag, NULL);
	atmo__strvec_push(v, ref, NULL);
	return 0;
}

/* buildah/podman: push the built image to each tag (docker pushes with --push) */
static int add_push_steps(atmo_plan *p, plan_target *pt, atmo_error *err)
{
	const atmo_bake_target *t = pt->t;
	size_t i;
	char buf[4200];

	for (i = 0; i < t->n_tags; i++) {
		plan_step *s = &p->steps[p->n_steps];
		memset(s, 0, sizeof(*s));
		s->argv.copy = 1;
		s->pub.target = t->name;
		s->pub.target_index = pt->index;
		s->pub.wave = pt->wave;
		s->pub.action = "push";
		s->target = pt;
		snprintf(buf, sizeof(buf), "docker://%s", t->tags[i]);
		s->pub.image = atmo__strdup(buf, err);
		s->pub.dockerfile = atmo__strdup(p->steps[p->n_steps - 1].pub.dockerfile, err);
		p->n_steps++;
		if (!s->pub.image || !s->pub.dockerfile)
			return atmo__error_nomem(err);
		atmo__engine_global_args(&s->argv, &p->opts.engine);
		atmo__strvec_push(&s->argv, "push", NULL);
		atmo__strvec_push(&s->argv, pt->image, NULL);
		atmo__strvec_push(&s->argv, s->pub.image, NULL);
		if (s->argv.oom)
			return atmo__error_nomem(err);
	}
	return 0;
}

static int add_build_step(atmo_plan *p, plan_target *pt, const char *stage, atmo_error *err)
{
	const atmo_bake_target *t = pt->t;
	const atmo_engine_options *eo = &p->opts.engine;
	plan_step *s;
	atmo__strvec *v;
	char buf[4200];
	size_t i, li;
	int rc;

	s = &p->steps[p->n_steps];
	memset(s, 0, sizeof(*s));
	s->argv.copy = 1;
	v = &s->argv;
	s->pub.target = t->name;
	s->pub.target_index = pt->index;
	s->pub.wave = pt->wave;
	s->pub.stage = stage ? atmo__strdup(stage, err) : NULL;
	s->pub.image = stage ? stage_image(t, stage) : atmo__strdup(pt->image, err);
	s->pub.n_lowered = pt->n_lowered;
	s->pub.lowered_text = pt->lowered;
	s->pub.action = "build";
	s->target = pt;
	if (pt->lowered)
		snprintf(buf, sizeof(buf), "%s/Dockerfile", pt->dir);
	else if (t->dockerfile_path)
		snprintf(buf, sizeof(buf), "%s", t->dockerfile_path);
	else
		snprintf(buf, sizeof(buf), "%s/Dockerfile", pt->dir);
	s->pub.dockerfile = atmo__strdup(buf, err);
	/* counted before the check: atmo_plan_free() frees what it holds either way */
	p->n_steps++;
	if (!s->pub.image || !s->pub.dockerfile || (stage && !s->pub.stage))
		return atmo__error_nomem(err);

	atmo__engine_global_args(v, eo);
	if (eo->kind == ATMO_ENGINE_DOCKER) {
		atmo__strvec_push(v, "buildx", NULL);
		atmo__strvec_push(v, "build", NULL);
		if (eo->builder) {
			atmo__strvec_push(v, "--builder", NULL);
			atmo__strvec_push(v, eo->builder, NULL);
		}
	} else {
		atmo__strvec_push(v, "build", NULL);
		atmo__strvec_push(v, "--isolation", NULL);
		atmo__strvec_push(v, eo->isolation, NULL);
		atmo__strvec_push(v, "--layers", NULL);
		/* the docker format keeps ONBUILD, SHELL and HEALTHCHECK */
		atmo__strvec_push(v, "--format", NULL);
		atmo__strvec_push(v, "docker", NULL);
		atmo__strvec_push(v, t->pull == 1 ? "--pull=always" : "--pull=false", NULL);
	}
	atmo__strvec_push(v, "-f", NULL);
	atmo__strvec_push(v, s->pub.dockerfile, NULL);
	atmo__strvec_push(v, "-t", NULL);
	atmo__strvec_push(v, s->pub.image, NULL);
	/* every tag of the target, as bake gives them (pushed with --push) */
	for (i = 1; !stage && i < t->n_tags; i++) {
		atmo__strvec_push(v, "-t", NULL);
		atmo__strvec_push(v, t->tags[i], NULL);
	}
	if (stage || t->target) {
		atmo__strvec_push(v, "--target", NULL);
		atmo__strvec_push(v, stage ? stage : t->target, NULL);
	}
	for (i = 0; i < t->n_args; i++) {
		atmo__strvec_push(v, "--build-arg", NULL);
		atmo__strvec_push(v, t->args[i], NULL);
	}
	for (i = 0, li = 0; i < t->n_contexts; i++) {
		const char *c = t->contexts[i], *eq = strchr(c, '=');
		atmo__strvec_push(v, "--build-context", NULL);
		if (!strncmp(eq + 1, "target:", 7)) {
			/* links[] holds the "target:" contexts in their order: no search by name,
			 * which made plans over thousands of targets quadratic */
			const plan_target *dep = NULL;
			if (li < t->n_links && p->slot[t->links[li]])
				dep = &p->targets[p->slot[t->links[li]] - 1];
			li++;
			snprintf(buf, sizeof(buf), "%.*s=%s%s", (int)(eq - c), c,
				 eo->kind == ATMO_ENGINE_DOCKER ? "docker-image://"
								: "container-image://",
				 dep ? dep->image : eq + 8);
			atmo__strvec_push(v, buf, NULL);
		} else if (t->context_paths[i]) {
			snprintf(buf, sizeof(buf), "%.*s=%s", (int)(eq - c), c,
				 t->context_paths[i]);
			atmo__strvec_push(v, buf, NULL);
		} else {
			atmo__strvec_push(v, c, NULL);
		}
	}
	if (pt->heredoc_files && json_object_size(pt->heredoc_files)) {
		snprintf(buf, sizeof(buf), "atmo-heredocs=%s/heredocs", pt->dir);
		atmo__strvec_push(v, "--build-context", NULL);
		atmo__strvec_push(v, buf, NULL);
	}
	for (i = 0; i < t->n_labels; i++) {
		atmo__strvec_push(v, "--label", NULL);
		atmo__strvec_push(v, t->labels[i], NULL);
	}
	if (t->n_platforms) {
		atmo_buf pl = ATMO_BUF_INIT;
		for (i = 0; i < t->n_platforms; i++)
			atmo__buf_printf(&pl, "%s%s", i ? "," : "", t->platforms[i]);
		atmo__strvec_push(v, "--platform", NULL);
		atmo__strvec_push(v, atmo__buf_cstr(&pl), NULL);
		atmo__buf_free(&pl);
	}
	for (i = 0; i < t->n_cache_from; i++)
		if ((rc = push_cache(v, eo, "--cache-from", t->cache_from[i], t, err)) < 0)
			return rc;
	for (i = 0; i < t->n_cache_to; i++)
		if ((rc = push_cache(v, eo, "--cache-to", t->cache_to[i], t, err)) < 0)
			return rc;
	if (t->no_cache == 1)
		atmo__strvec_push(v, "--no-cache", NULL);
	if (eo->kind == ATMO_ENGINE_DOCKER) {
		int push = p->opts.push && !stage;
		if (t->pull == 1)
			atmo__strvec_push(v, "--pull", NULL);
		for (i = 0; i < t->n_outputs; i++) {
			atmo__strvec_push(v, "--output", NULL);
			atmo__strvec_push(v, t->outputs[i], NULL);
		}
		if (push)
			atmo__strvec_push(v, "--push", NULL);
		/* loaded too (one platform), so the image can be exported and read */
		if (!t->n_outputs && (!push || t->n_platforms < 2))
			atmo__strvec_push(v, "--load", NULL);
	}
	snprintf(buf, sizeof(buf), "%s/%s%s%s.iid", pt->dir, t->name, stage ? "." : "",
		 stage ? stage : "");
	atmo__strvec_push(v, "--iidfile", NULL);
	atmo__strvec_push(v, buf, NULL);
	atmo__strvec_push(v, t->context_path, NULL);
	return v->oom ? atmo__error_nomem(err) : 0;
}

/* the used stages of the target other than the target stage, in build order; the
 * graph (and its Dockerfile) is kept in *gout / *dfout for the targets linked to it:
 * a stage FROM a linked target runs its ONBUILD triggers, whose COPY --from / RUN
 * --mount from= stages are then used too (built: graphs by bake target index) */
static int target_stages(atmo__strvec *out, atmo_graph **gout, atmo_dockerfile **dfout,
			 const atmo_bake_target *t, const char *text, size_t len,
			 const atmo_graph *const *built, atmo_error *err)
{
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	const size_t *order;
	size_t n, i, tgt;
	int rc;

	if ((rc = atmo_bake_target_graph(&g, &df, t, text, len, built, err)) < 0)
		return rc;
	tgt = atmo_graph_target(g);
	order = atmo_graph_order(g, &n);
	for (i = 0; i < n; i++) {
		const atmo_stage *st = atmo_graph_stage(g, order[i]);
		if (order[i] != tgt && st)
			atmo__strvec_push(out, st->label, NULL);
	}
	if (out->oom)
		rc = atmo__error_nomem(err);
	if (rc == 0) {
		*gout = g;
		*dfout = df;
		g = NULL;
		df = NULL;
	}
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	return rc;
}

static void free_graphs(atmo_graph **graphs, atmo_dockerfile **dfs, size_t n)
{
	size_t i;
	for (i = 0; graphs && dfs && i < n; i++) {
		atmo_graph_free(graphs[i]);
		atmo_dockerfile_free(dfs[i]);
	}
	atmo__free(graphs);
	atmo__free(dfs);
}

int atmo_plan_new(atmo_plan **out, const atmo_bake *b, const char *const *names, size_t n_names,
		  const atmo_plan_options *opts, atmo_error *err)
{
	atmo_plan *p;
	size_t *order = NULL, *by_wave = NULL, n = 0, i, k, max_steps = 0;
	int rc;
	atmo__strvec *stages = NULL;
	atmo_graph **graphs = NULL;
	atmo_dockerfile **dfs = NULL;
	size_t n_all = atmo_bake_target_count(b);
	char buf[4200];

	atmo_error_clear(err);
	*out = NULL;
	if (opts && opts->version != ATMO_PLAN_OPTIONS_VERSION)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_plan_options: unknown version %u", opts->version);
	p = atmo__calloc(1, sizeof(*p), err);
	if (!p)
		return atmo__error_nomem(err);
	if (opts) {
		p->opts = *opts;
	} else {
		atmo_plan_options d = ATMO_PLAN_OPTIONS_INIT;
		p->opts = d;
	}
	atmo__engine_resolve(&p->opts.engine);
	p->bake = b;
	if (p->opts.engine.builder && p->opts.engine.kind != ATMO_ENGINE_DOCKER) {
		rc = atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				     "a buildx builder (%s) needs the docker engine (--engine "
				     "docker), not %s",
				     p->opts.engine.builder, atmo_engine_name(p->opts.engine.kind));
		goto fail;
	}
	p->work_dir = atmo__strdup(p->opts.work_dir ? p->opts.work_dir : ".atmograph", err);
	if (!p->work_dir) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	if ((rc = atmo_bake_select(&order, &n, b, names, n_names, err)) < 0)
		goto fail;
	p->targets = atmo__calloc(n + 1, sizeof(*p->targets), err);
	stages = atmo__calloc(n + 1, sizeof(*stages), err);
	graphs = atmo__calloc(n_all + 1, sizeof(*graphs), err);
	dfs = atmo__calloc(n_all + 1, sizeof(*dfs), err);
	p->slot = atmo__calloc(n_all + 1, sizeof(*p->slot), err);
	if (!p->targets || !stages || !graphs || !dfs || !p->slot) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	/* the stage names outlive the graphs they come from: copied */
	for (i = 0; i < n; i++)
		stages[i].copy = 1;
	/* order is dependencies first, so waves are one pass */
	for (i = 0; i < n; i++) {
		plan_target *pt = &p->targets[i];
		const atmo_bake_target *t = atmo_bake_target_at(b, order[i]);
		const char *source;
		size_t len;
		int lower = p->opts.lower < 0 ? atmo__engine_needs_lowering(&p->opts.engine)
					      : p->opts.lower;

		pt->t = t;
		pt->index = order[i];
		p->n_targets++;
		pt->image = target_image(t);
		snprintf(buf, sizeof(buf), "%s/%s", p->work_dir, t->name);
		pt->dir = atmo__strdup(buf, err);
		if (!pt->image || !pt->dir) {
			rc = atmo__error_nomem(err);
			goto fail;
		}
		for (k = 0; k < t->n_links; k++) {
			size_t d = p->slot[t->links[k]];
			if (d && p->targets[d - 1].wave + 1 > pt->wave)
				pt->wave = p->targets[d - 1].wave + 1;
		}
		p->slot[order[i]] = i + 1;
		if (pt->wave + 1 > p->n_waves)
			p->n_waves = pt->wave + 1;
		if ((rc = atmo__engine_check_target(&p->opts.engine, t, p->opts.push, err)) < 0)
			goto fail;
		if ((rc = atmo_bake_target_dockerfile(&pt->text, &len, &source, t, err)) < 0)
			goto fail;
		pt->text_len = len;
		if (lower) {
			char *low = NULL;
			size_t nl = 0;
			json_t *files = NULL;
			if ((rc = atmo_dockerfile_lower(&low, &nl, &files, pt->text, len, source,
							err)) < 0) {
				if (rc == ATMO_EUNSUPPORTED)
					atmo__engine_lowering_hint(err, &p->opts.engine);
				goto fail;
			}
			if (strcmp(low, pt->text) || t->dockerfile_inline) {
				pt->lowered = low;
				pt->n_lowered = nl;
				pt->heredoc_files = files;
			} else {
				atmo__free(low);
				json_decref(files);
			}
		} else if (t->dockerfile_inline) {
			pt->lowered = atmo__strdup(pt->text, err);
			if (!pt->lowered) {
				rc = atmo__error_nomem(err);
				goto fail;
			}
		}
		if (p->opts.stages) {
			/* graphs[] and dfs[] are by bake target index: the links find them there */
			if ((rc = target_stages(&stages[i], &graphs[order[i]], &dfs[order[i]], t,
						pt->text, len, (const atmo_graph *const *)graphs,
						err)) < 0)
				goto fail;
		}
		max_steps += 1 + stages[i].n + (p->opts.push ? t->n_tags : 0);
	}
	p->steps = atmo__calloc(max_steps + 1, sizeof(*p->steps), err);
	p->wave_items = atmo__calloc(n + 1, sizeof(*p->wave_items), err);
	p->wave_start = atmo__calloc(p->n_waves + 2, sizeof(*p->wave_start), err);
	if (!p->steps || !p->wave_items || !p->wave_start) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	{
		/* a counting sort by wave keeps the order of the targets within a wave
		 * and is linear: a scan of every target per wave was quadratic in a chain */
		size_t w;
		by_wave = atmo__calloc(n + 1, sizeof(*by_wave), err);
		if (!by_wave) {
			rc = atmo__error_nomem(err);
			goto fail;
		}
		for (i = 0; i < n; i++)
			p->wave_start[p->targets[i].wave + 1]++;
		for (w = 0; w < p->n_waves; w++)
			p->wave_start[w + 1] += p->wave_start[w];
		for (i = 0; i < n; i++) {
			size_t pos =
				p->wave_start[p->targets[i].wave] + by_wave[p->targets[i].wave]++;
			p->wave_items[pos] = p->targets[i].index;
		}
		for (w = 0; w < p->n_waves; w++) {
			size_t j;
			for (j = p->wave_start[w]; j < p->wave_start[w + 1]; j++) {
				plan_target *pt = &p->targets[p->slot[p->wave_items[j]] - 1];
				i = (size_t)(pt - p->targets);
				pt->first_step = p->n_steps;
				for (k = 0; k < stages[i].n; k++)
					if ((rc = add_build_step(p, pt, stages[i].v[k], err)) < 0)
						goto fail;
				if ((rc = add_build_step(p, pt, NULL, err)) < 0)
					goto fail;
				if (p->opts.push && p->opts.engine.kind != ATMO_ENGINE_DOCKER &&
				    (rc = add_push_steps(p, pt, err)) < 0)
					goto fail;
				pt->n_steps = p->n_steps - pt->first_step;
			}
		}
	}
	for (i = 0; i < n; i++)
		atmo__strvec_free(&stages[i]);
	atmo__free(stages);
	free_graphs(graphs, dfs, n_all);
	atmo__free(order);
	atmo__free(by_wave);
	*out = p;
	return 0;
fail:
	if (stages)
		for (i = 0; i < n; i++)
			atmo__strvec_free(&stages[i]);
	atmo__free(stages);
	free_graphs(graphs, dfs, n_all);
	atmo__free(order);
	atmo__free(by_wave);
	atmo_plan_free(p);
	return rc;
}

size_t atmo_plan_wave_count(const atmo_plan *p)
{
	return p ? p->n_waves : 0;
}

const size_t *atmo_plan_wave(const atmo_plan *p, size_t w, size_t *n)
{
	if (!p || w >= p->n_waves) {
		*n = 0;
		return NULL;
	}
	*n = p->wave_start[w + 1] - p->wave_start[w];
	return p->wave_items + p->wave_start[w];
}

size_t atmo_plan_step_count(const atmo_plan *p)
{
	return p ? p->n_steps : 0;
}

const atmo_plan_step *atmo_plan_step_at(const atmo_plan *p, size_t i)
{
	if (!p || i >= p->n_steps)
		return NULL;
	p->steps[i].pub.argv = (const char *const *)p->steps[i].argv.v;
	return &p->steps[i].pub;
}

const atmo_bake *atmo_plan_bake(const atmo_plan *p)
{
	return p ? p->bake : NULL;
}

int atmo_plan_to_json(json_t **out, const atmo_plan *p, atmo_error *err)
{
	json_t *doc = json_object(), *waves = json_array(), *steps = json_array();
	size_t w, i, k, n;
	int bad = !doc || !waves || !steps; /* a part left out is ENOMEM, never a short plan */

	atmo_error_clear(err);
	*out = NULL;
	bad |= json_object_set_new(doc, "schema", json_string("atmograph.plan/1")) < 0;
	bad |= json_object_set_new(doc, "engine",
				   json_pack("{s:s,s:s?,s:s*}", "name",
					     atmo_engine_name(p->opts.engine.kind), "version",
					     p->opts.engine.engine_version, "builder",
					     p->opts.engine.builder)) < 0;
	bad |= json_object_set_new(doc, "push", json_boolean(p->opts.push)) < 0;
	for (w = 0; !bad && w < p->n_waves; w++) {
		const size_t *items = atmo_plan_wave(p, w, &n);
		json_t *a = json_array();
		for (i = 0; a && !bad && i < n; i++)
			bad |= json_array_append_new(
				       a,
				       json_string(atmo_bake_target_at(p->bake, items[i])->name)) <
			       0;
		bad |= json_array_append_new(waves, a) < 0;
	}
	for (i = 0; !bad && i < p->n_steps; i++) {
		const atmo_plan_step *s = atmo_plan_step_at(p, i);
		json_t *argv = json_array(), *o;
		for (k = 0; argv && !bad && s->argv[k]; k++)
			bad |= json_array_append_new(argv, json_string(s->argv[k])) < 0;
		if (!argv || bad) {
			json_decref(argv);
			bad = 1;
			break;
		}
		o = json_pack("{s:s,s:s?,s:s,s:s,s:I,s:s,s:I,s:o}", "target", s->target, "stage",
			      s->stage, "action", s->action, "image", s->image, "wave",
			      (json_int_t)s->wave, "dockerfile", s->dockerfile, "lowered",
			      (json_int_t)s->n_lowered, "argv", argv);
		bad |= json_array_append_new(steps, o) < 0;
	}
	bad |= json_object_set(doc, "waves", waves) < 0;
	bad |= json_object_set(doc, "steps", steps) < 0;
	json_decref(waves);
	json_decref(steps);
	if (bad) {
		json_decref(doc);
		return atmo__error_nomem(err);
	}
	*out = doc;
	return 0;
}

char *atmo_argv_display(const char *const *argv)
{
	atmo_buf b = ATMO_BUF_INIT;
	size_t i;

	for (i = 0; argv && argv[i]; i++) {
		const char *s = argv[i], *c;
		int plain = *s != '\0';
		for (c = s; *c; c++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "-_./:=,+@%",
				    *c))
				plain = 0;
		if (i)
			atmo__buf_putc(&b, ' ');
		if (plain) {
			atmo__buf_puts(&b, s);
		} else {
			atmo__buf_putc(&b, '\'');
			for (c = s; *c; c++) {
				if (*c == '\'')
					atmo__buf_puts(&b, "'\\''");
				else
					atmo__buf_putc(&b, *c);
			}
			atmo__buf_putc(&b, '\'');
		}
	}
	if (b.oom) {
		atmo__buf_free(&b);
		return NULL;
	}
	return b.ptr ? atmo__buf_detach(&b) : atmo__strdup("", NULL);
}
