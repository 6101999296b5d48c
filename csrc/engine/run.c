/*
 * Runs: targets started in dependency order, up to `jobs` at once, each a
 * sequence of engine calls (its stages with --stages, then the image).
 * Engines are run with fork+exec (argv, never a shell) in their own process
 * group, their output goes to one log per target and is scanned for
 * "STEP n/m:" lines. One poll() loop, no threads.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "atmograph/build.h"
#include "atmograph/file.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"
#include "engine/engine_int.h"
#include "util/buf.h"
#include "util/alloc.h"
#include "util/error.h"

enum { T_PENDING = 0, T_RUNNING, T_BUILT, T_CACHED, T_FAILED, T_SKIPPED };
static const char *const status_names[] = { "pending", "running", "built", "cached", "failed",
					    "skipped" };

typedef struct {
	plan_target *pt;
	int state;
	size_t step;          /* index into the plan's steps while running */
	pid_t pid;
	int fd;
	int log_fd;
	char log_path[4600];
	double started;
	double duration;
	char inputs[65];
	char *digest;
	atmo_buf line;        /* partial output line */
	json_t *entry;        /* report entry */
	json_t *stage_digests;
} run_target;

typedef struct {
	const atmo_plan *p;
	atmo_build_options o;
	atmo_engine_options eo;
	run_target *rt;
	size_t n;
	char *engine_version;
	json_t *state;        /* previous state: target -> entry */
	char out_dir[4096];
	char log_dir[4200];
} runner;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *path)
{
	char tmp[4096];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* start argv with stdout+stderr on a pipe; the child leads its own process group */
static pid_t spawn(const char *const *argv, int *out_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "atmograph: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	*out_fd = pfd[0];
	return pid;
}

/* run argv to completion; its output in *out (may be NULL); returns exit status or -1 */
static int run_capture(const char *const *argv, char **out, volatile sig_atomic_t *cancel)
{
	int fd, status = 0;
	pid_t pid = spawn(argv, &fd);
	atmo_buf b = ATMO_BUF_INIT;
	char buf[8192];
	ssize_t r;

	if (out)
		*out = NULL;
	if (pid < 0)
		return -1;
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			atmo__buf_put(&b, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR) {
			if (cancel && *cancel)
				kill(-pid, SIGTERM);
			continue;
		}
		break;
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = b.ptr ? atmo__buf_detach(&b) : atmo__strdup("", NULL);
	atmo__buf_free(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int atmo_engine_probe_version(char **out, const atmo_engine_options *eo_in, atmo_error *err)
{
	atmo_engine_options eo = *eo_in;
	const char *argv[3];
	char *text = NULL, *p, *q;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	atmo__engine_resolve(&eo);
	argv[0] = eo.program;
	argv[1] = "--version";
	argv[2] = NULL;
	rc = run_capture(argv, &text, NULL);
	if (rc != 0) {
		atmo__free(text);
		return atmo__error_set(err, ATMO_EENGINE, NULL, 0, 0,
				       "'%s --version' failed: is %s installed?", eo.program,
				       atmo_engine_name(eo.kind));
	}
	/* "buildah version 1.28.2 (...)", "Docker version 24.0.5, build ...", "podman version 4.3.1" */
	for (p = text; *p && !(*p >= '0' && *p <= '9'); p++)
		;
	for (q = p; *q && ((*q >= '0' && *q <= '9') || *q == '.'); q++)
		;
	*out = atmo__strndup(p, (size_t)(q - p), err);
	atmo__free(text);
	if (!*out)
		return atmo__error_nomem(err);
	if (!**out) {
		atmo__free(*out);
		*out = atmo__strdup("unknown", err);
	}
	return *out ? 0 : atmo__error_nomem(err);
}

/* the engine's id for an image, or NULL when it does not exist */
static char *image_id(runner *r, const char *ref)
{
	atmo_strv v = { 0 };
	char *out = NULL, *id;
	int rc;

	atmo__engine_global_args(&v, &r->eo);
	if (r->eo.kind == ATMO_ENGINE_BUILDAH) {
		atmo__strv_push(&v, "inspect");
		atmo__strv_push(&v, "--type");
		atmo__strv_push(&v, "image");
		atmo__strv_push(&v, "--format");
		atmo__strv_push(&v, "{{.FromImageID}}");
	} else {
		atmo__strv_push(&v, "image");
		atmo__strv_push(&v, "inspect");
		atmo__strv_push(&v, "--format");
		atmo__strv_push(&v, "{{.Id}}");
	}
	atmo__strv_push(&v, ref);
	if (v.oom) {
		atmo__strv_free(&v);
		return NULL;
	}
	rc = run_capture((const char *const *)v.v, &out, r->o.cancel);
	atmo__strv_free(&v);
	if (rc != 0 || !out) {
		atmo__free(out);
		return NULL;
	}
	/* an id that is not a digest counts as no image: it never reaches the state */
	id = atmo__digest_parse(out, strlen(out));
	atmo__free(out);
	return id;
}

static int same_id(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	if (!strncmp(a, "sha256:", 7))
		a += 7;
	if (!strncmp(b, "sha256:", 7))
		b += 7;
	return *a && !strcmp(a, b);
}

/* the digest an engine wrote to an iidfile; NULL when there is none, *bad set
 * when the file holds something else than a digest */
static char *read_iid(const char *path, int *bad)
{
	char *text = NULL, *d;
	size_t len = 0;

	*bad = 0;
	if (atmo_file_read(&text, &len, path, 4096, NULL) < 0)
		return NULL;
	d = atmo__digest_parse(text, len);
	*bad = !d && len > 0;
	atmo__free(text);
	return d;
}

static void emit(runner *r, atmo_build_event_kind kind, run_target *t, const char *stage,
		 const char *status, const char *step)
{
	atmo_build_event ev;

	if (!r->o.callback)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.target = t->pt->t->name;
	ev.stage = stage;
	ev.status = status;
	ev.step = step;
	ev.elapsed_s = t->started > 0 ? now_s() - t->started : 0;
	ev.log = t->log_path;
	r->o.callback(&ev, r->o.payload);
}

static void log_write(run_target *t, const char *s, size_t n)
{
	while (t->log_fd >= 0 && n) {
		ssize_t w = write(t->log_fd, s, n);
		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
}

static void log_printf(run_target *t, const char *fmt, ...) ATMO_PRINTF(2, 3);
static void log_printf(run_target *t, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		log_write(t, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int write_text(const char *path, const char *text, size_t len, atmo_error *err)
{
	return atmo_file_write_atomic(path, text, len, err);
}

/* lowered Dockerfile and heredoc files of a target */
static int prepare(runner *r, run_target *t, atmo_error *err)
{
	plan_target *pt = t->pt;
	const char *key;
	json_t *v;
	int rc;

	if (mkdir_p(pt->dir) < 0)
		return atmo__error_set(err, ATMO_EIO, pt->dir, 0, 0, "cannot create: %s",
				       strerror(errno));
	if (pt->lowered) {
		char path[4300];
		snprintf(path, sizeof(path), "%s/Dockerfile", pt->dir);
		if ((rc = write_text(path, pt->lowered, strlen(pt->lowered), err)) < 0)
			return rc;
		if (pt->n_lowered)
			log_printf(t, "atmograph: lowered: %zu heredocs for %s (%s)\n", pt->n_lowered,
				   r->p->opts.engine.program, path);
	}
	json_object_foreach(pt->heredoc_files, key, v) {
		char path[8400], dir[8400], *slash;
		snprintf(path, sizeof(path), "%s/heredocs/%s", pt->dir, key);
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (mkdir_p(dir) < 0)
			return atmo__error_set(err, ATMO_EIO, dir, 0, 0, "cannot create: %s",
					       strerror(errno));
		if ((rc = write_text(path, json_string_value(v), json_string_length(v), err)) < 0)
			return rc;
	}
	return 0;
}

static int start_step(runner *r, run_target *t)
{
	const atmo_plan_step *s = atmo_plan_step_at(r->p, t->step);
	char *shown = atmo_argv_display(s->argv);

	log_printf(t, "atmograph: $ %s\n", shown ? shown : s->argv[0]);
	atmo__free(shown);
	atmo__buf_clear(&t->line);
	t->pid = spawn(s->argv, &t->fd);
	if (t->pid < 0) {
		log_printf(t, "atmograph: cannot start %s: %s\n", s->argv[0], strerror(errno));
		return -1;
	}
	if (!strcmp(s->action, "push")) {
		char what[4200];
		snprintf(what, sizeof(what), "push %s", s->image);
		emit(r, ATMO_BUILD_EVENT_STEP, t, NULL, NULL, what);
		return 0;
	}
	emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, s->stage ? s->stage : "start");
	return 0;
}

static void scan_output(runner *r, run_target *t, const char *data, size_t n)
{
	size_t i;
	const atmo_plan_step *s = atmo_plan_step_at(r->p, t->step);

	for (i = 0; i < n; i++) {
		if (data[i] == '\n' || data[i] == '\r') {
			const char *line = atmo__buf_cstr(&t->line);
			const char *step = strstr(line, "STEP ");
			if (step && step[5] >= '0' && step[5] <= '9')
				emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, line);
			else if (!strncmp(line, "#", 1) && strstr(line, "[") && strstr(line, "/"))
				emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, line);
			atmo__buf_clear(&t->line);
		} else if (t->line.len < 4096) {
			atmo__buf_putc(&t->line, data[i]);
		}
	}
}

static json_t *pkg_array(const atmo_image *img)
{
	size_t n = 0, i;
	const char *const *pk = atmo_image_packages(img, &n);
	json_t *a = json_array();
	for (i = 0; a && pk && i < n; i++)
		json_array_append_new(a, json_string(pk[i]));
	return a;
}

/* export one image as an OCI archive and read its sizes and packages */
static int export_image(runner *r, run_target *t, const char *ref, const char *name,
			json_t **size, json_t **packages, char **archive)
{
	atmo_strv v = { 0 };
	char path[4400], tmp[4500], dest[4600];
	char *out = NULL;
	int rc;
	atmo_image *img = NULL;
	atmo_image_options io = ATMO_IMAGE_OPTIONS_INIT;
	atmo_image_totals tot;
	atmo_error e;

	*size = *packages = NULL;
	*archive = NULL;
	snprintf(path, sizeof(path), "%s/images", r->out_dir);
	if (mkdir_p(path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/images/%s.tar", r->out_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	atmo__engine_global_args(&v, &r->eo);
	if (r->eo.kind == ATMO_ENGINE_DOCKER) {
		atmo__strv_push(&v, "save");
		atmo__strv_push(&v, "-o");
		atmo__strv_push(&v, tmp);
		atmo__strv_push(&v, ref);
	} else if (r->eo.kind == ATMO_ENGINE_PODMAN) {
		atmo__strv_push(&v, "save");
		atmo__strv_push(&v, "--format");
		atmo__strv_push(&v, "oci-archive");
		atmo__strv_push(&v, "-o");
		atmo__strv_push(&v, tmp);
		atmo__strv_push(&v, ref);
	} else {
		atmo__strv_push(&v, "push");
		atmo__strv_push(&v, "--quiet");
		atmo__strv_push(&v, ref);
		snprintf(dest, sizeof(dest), "oci-archive:%s:%s", tmp, ref);
		atmo__strv_push(&v, dest);
	}
	{
		char *shown = atmo_argv_display((const char *const *)v.v);
		log_printf(t, "atmograph: $ %s\n", shown ? shown : "");
		atmo__free(shown);
	}
	rc = run_capture((const char *const *)v.v, &out, r->o.cancel);
	atmo__strv_free(&v);
	if (out)
		log_write(t, out, strlen(out));
	atmo__free(out);
	if (rc != 0 || (r->o.cancel && *r->o.cancel)) {
		unlink(tmp);
		log_printf(t, "atmograph: exporting %s failed\n", ref);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	*archive = atmo__strdup(path, NULL);
	io.packages = 1;
	io.files = 0;
	atmo_error_clear(&e);
	if (atmo_image_open(&img, path, &io, &e) < 0) {
		char msg[900];
		log_printf(t, "atmograph: reading %s: %s\n", path, atmo_error_format(&e, msg, sizeof(msg)));
		return -1;
	}
	atmo_image_get_totals(img, &tot);
	*size = json_pack("{s:I,s:I,s:I}", "bytes", (json_int_t)tot.bytes, "compressed",
			  (json_int_t)tot.compressed, "layers", (json_int_t)tot.layers);
	*packages = pkg_array(img);
	/* the layers (diff_id, size), to tell what build stages kept out of the image */
	{
		json_t *doc = NULL, *l;
		size_t k;
		if (atmo_image_to_json(&doc, img, NULL) == 0) {
			json_t *ls = json_array();
			json_array_foreach(json_object_get(doc, "layers"), k, l)
				json_array_append_new(ls, json_pack("{s:O,s:O}", "diff_id",
								    json_object_get(l, "diff_id"),
								    "size", json_object_get(l, "size")));
			json_object_set_new(*size, "_layers", ls);
			json_decref(doc);
		}
	}
	atmo_image_free(img);
	return 0;
}

static run_target *find_rt(runner *r, size_t bake_index)
{
	/* rt[i] is the plan's target i; the plan's slot table maps bake indices to
	 * it (a scan here made every link look-up linear in the targets) */
	size_t slot = bake_index < atmo_bake_target_count(r->p->bake) ? r->p->slot[bake_index] : 0;
	return slot && slot - 1 < r->n ? &r->rt[slot - 1] : NULL;
}

/* a problem that leaves the target built but its entry incomplete: into the
 * entry's "warnings" (the CLI prints them) and the target's log */
static void warn(run_target *t, json_t *e, const char *fmt, ...) ATMO_PRINTF(3, 4);
static void warn(run_target *t, json_t *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *w = json_object_get(e, "warnings");

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!w) {
		w = json_array();
		json_object_set_new(e, "warnings", w);
	}
	json_array_append_new(w, json_string(msg));
	log_printf(t, "atmograph: warning: %s\n", msg);
}

/* after the last step: digests, export, sizes, stages, kept_out */
static int finish_target(runner *r, run_target *t)
{
	plan_target *pt = t->pt;
	const atmo_bake_target *bt = pt->t;
	json_t *e = json_object(), *stages = json_object();
	size_t i;
	char iid[4400];
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	int bad;

	snprintf(iid, sizeof(iid), "%s/%s.iid", pt->dir, bt->name);
	atmo__free(t->digest);
	t->digest = read_iid(iid, &bad);
	if (bad)
		warn(t, e, "%s: the engine's image id file does not hold a digest (sha256:HEX); ignored",
		     iid);
	if (!t->digest)
		t->digest = image_id(r, pt->image);
	json_object_set_new(e, "status", json_string("built"));
	json_object_set_new(e, "dockerfile",
			    json_string(bt->dockerfile_path ? bt->dockerfile_path : "(inline)"));
	if (bt->target)
		json_object_set_new(e, "target_stage", json_string(bt->target));
	json_object_set_new(e, "image", json_string(pt->image));
	if (t->digest)
		json_object_set_new(e, "digest", json_string(t->digest));
	json_object_set_new(e, "inputs", json_string(t->inputs));
	json_object_set_new(e, "log", json_string(t->log_path));
	json_object_set_new(e, "lowered", json_integer((json_int_t)pt->n_lowered));
	/* every step ran, the pushes (docker's --push, buildah's push steps) too */
	if (r->p->opts.push) {
		json_t *tags = json_array();
		for (i = 0; tags && i < bt->n_tags; i++)
			json_array_append_new(tags, json_string(bt->tags[i]));
		json_object_set_new(e, "pushed", tags);
	}
	if (r->o.export_images) {
		json_t *size = NULL, *pk = NULL;
		char *archive = NULL;
		if (export_image(r, t, pt->image, bt->name, &size, &pk, &archive) == 0) {
			json_object_set_new(e, "archive", json_string(archive));
			json_object_set_new(e, "size", size);
			json_object_set_new(e, "packages", pk);
		} else {
			json_decref(size);
			json_decref(pk);
			warn(t, e, "exporting %s failed: no sizes or packages (see %s)", pt->image,
			     t->log_path);
		}
		atmo__free(archive);
		/* stages built on their own */
		if (atmo_bake_target_graph(&g, &df, bt, pt->text, pt->text_len, NULL, NULL) < 0)
			g = NULL;
		for (i = pt->first_step; i < pt->first_step + pt->n_steps; i++) {
			const atmo_plan_step *s = atmo_plan_step_at(r->p, i);
			json_t *st, *ssize = NULL, *spk = NULL;
			char name[600], sp[4400], *sarchive = NULL, *dg;
			int idx;
			if (!s->stage)
				continue;
			snprintf(name, sizeof(name), "%s.%s", bt->name, s->stage);
			snprintf(sp, sizeof(sp), "%s/%s.%s.iid", pt->dir, bt->name, s->stage);
			dg = read_iid(sp, &bad);
			if (bad)
				warn(t, e, "%s: the engine's image id file does not hold a digest (sha256:HEX); ignored",
				     sp);
			st = json_object();
			if (dg)
				json_object_set_new(st, "digest", json_string(dg));
			atmo__free(dg);
			if (export_image(r, t, s->image, name, &ssize, &spk, &sarchive) == 0) {
				json_object_set_new(st, "archive", json_string(sarchive));
				json_object_set_new(st, "size", ssize);
				json_object_set_new(st, "packages", spk);
			} else {
				json_decref(ssize);
				json_decref(spk);
				warn(t, e, "exporting %s (stage %s) failed: no sizes or packages (see %s)",
				     s->image, s->stage, t->log_path);
			}
			atmo__free(sarchive);
			idx = g ? atmo_graph_find_stage(g, s->stage) : -1;
			if (idx >= 0) {
				const atmo_stage *gs = atmo_graph_stage(g, (size_t)idx);
				json_object_set_new(st, "in_final", json_boolean(gs->in_final));
				json_object_set_new(st, "base", json_string(gs->base ? gs->base : ""));
			}
			json_object_set_new(stages, s->stage, st);
		}
		/* the target stage itself */
		if (g) {
			const atmo_stage *ts = atmo_graph_stage(g, atmo_graph_target(g));
			if (ts && json_object_get(e, "size")) {
				json_t *st = json_pack("{s:O,s:O*,s:b,s:s}", "size",
						       json_object_get(e, "size"), "packages",
						       json_object_get(e, "packages"), "in_final", 1,
						       "base", ts->base ? ts->base : "");
				if (t->digest)
					json_object_set_new(st, "digest", json_string(t->digest));
				json_object_set_new(stages, ts->label, st);
				if (!bt->target)
					json_object_set_new(e, "target_stage", json_string(ts->label));
			}
		}
		/* own bytes and kept out: atmo__report_figures() (report.c) */
		{
			const char *sname;
			json_t *st;
			const json_t **ll = atmo__calloc(bt->n_links + 1, sizeof(*ll), NULL);
			size_t lk;
			for (lk = 0; ll && lk < bt->n_links; lk++) {
				run_target *d = find_rt(r, bt->links[lk]);
				ll[lk] = d && d->entry ? json_object_get(d->entry, "layers") : NULL;
			}
			if (!ll || atmo__report_figures(e, stages, bt->link_names, ll, bt->n_links, NULL) < 0)
				log_printf(t, "atmograph: out of memory computing the stage figures\n");
			atmo__free(ll);
			/* the final image's layer list stays in the entry, for targets built on it */
			if (json_is_array(json_object_get(json_object_get(e, "size"), "_layers")))
				json_object_set(e, "layers", json_object_get(json_object_get(e, "size"), "_layers"));
			json_object_foreach(stages, sname, st) {
				json_object_del(json_object_get(st, "size"), "_layers");
				json_object_del(st, "base");
			}
			json_object_del(json_object_get(e, "size"), "_layers");
		}
		atmo_graph_free(g);
		atmo_dockerfile_free(df);
	}
	json_object_set_new(e, "stages", stages);
	json_decref(t->entry);
	t->entry = e;
	return 0;
}

static void close_target(run_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->log_fd >= 0)
		close(t->log_fd);
	t->log_fd = -1;
}

static void set_done(runner *r, run_target *t, int state)
{
	t->state = state;
	t->duration = t->started > 0 ? now_s() - t->started : 0;
	if (!t->entry)
		t->entry = json_object();
	json_object_set_new(t->entry, "status", json_string(status_names[state]));
	json_object_set_new(t->entry, "duration_s", json_real((double)((long)(t->duration * 100)) / 100.0));
	if (!json_object_get(t->entry, "dockerfile"))
		json_object_set_new(t->entry, "dockerfile",
				    json_string(t->pt->t->dockerfile_path ? t->pt->t->dockerfile_path
									   : "(inline)"));
	if (t->inputs[0] && !json_object_get(t->entry, "inputs"))
		json_object_set_new(t->entry, "inputs", json_string(t->inputs));
	if (!json_object_get(t->entry, "image"))
		json_object_set_new(t->entry, "image", json_string(t->pt->image));
	if (t->log_path[0] && !json_object_get(t->entry, "log"))
		json_object_set_new(t->entry, "log", json_string(t->log_path));
	log_printf(t, "atmograph: %s: %s in %.1fs\n", t->pt->t->name, status_names[state],
		   t->duration);
	close_target(t);
	emit(r, ATMO_BUILD_EVENT_DONE, t, NULL, status_names[state], NULL);
}


/* try to start target t: returns 1 started/decided, 0 waiting */
static int try_start(runner *r, run_target *t, atmo_error *err)
{
	const atmo_bake_target *bt = t->pt->t;
	const char **parents;
	atmo_error perr;
	size_t k;
	int rc;

	for (k = 0; k < bt->n_links; k++) {
		run_target *d = find_rt(r, bt->links[k]);
		if (!d)
			continue;
		if (d->state == T_FAILED || d->state == T_SKIPPED) {
			t->entry = json_pack("{s:s}", "reason", "a target it needs failed or was skipped");
			set_done(r, t, T_SKIPPED);
			return 1;
		}
		if (d->state != T_BUILT && d->state != T_CACHED)
			return 0;
	}
	parents = atmo__calloc(2 * bt->n_links + 1, sizeof(*parents), err);
	if (!parents)
		return atmo__error_nomem(err);
	for (k = 0; k < bt->n_links; k++) {
		run_target *d = find_rt(r, bt->links[k]);
		parents[2 * k] = d && d->digest ? d->digest : "";
		/* a change upstream rebuilds downstream even when the image came out the same */
		parents[2 * k + 1] = d ? d->inputs : "";
	}
	t->started = now_s();
	snprintf(t->log_path, sizeof(t->log_path), "%s/%s.log", r->log_dir, bt->name);
	rc = atmo__inputs_hash(t->inputs, t->pt, atmo_engine_name(r->eo.kind), r->engine_version,
			       parents, 2 * bt->n_links, err);
	atmo__free(parents);
	if (rc < 0)
		return rc;
	emit(r, ATMO_BUILD_EVENT_START, t, NULL, NULL, NULL);
	/* with push, the engine must run: an image cached here may never have been pushed */
	if (!r->o.force && !r->p->opts.push) {
		json_t *prev = json_object_get(r->state, bt->name);
		const char *pin = json_string_value(json_object_get(prev, "inputs"));
		const char *pdg = json_string_value(json_object_get(prev, "digest"));
		/* the state file is text on disk: a digest from it is checked like the engine's */
		if (pin && pdg && atmo__digest_valid(pdg) && !strcmp(pin, t->inputs)) {
			char *id = image_id(r, t->pt->image);
			if (id && same_id(id, pdg)) {
				atmo__free(id);
				t->entry = json_deep_copy(prev);
				t->digest = atmo__strdup(pdg, err);
				/* keep the log of the build that made the image */
				if (json_is_string(json_object_get(prev, "log")))
					snprintf(t->log_path, sizeof(t->log_path), "%s",
						 json_string_value(json_object_get(prev, "log")));
				log_printf(t, "atmograph: %s: inputs unchanged (%s), image %s present\n",
					   bt->name, t->inputs, t->pt->image);
				set_done(r, t, T_CACHED);
				return 1;
			}
			atmo__free(id);
		}
	}
	t->log_fd = open(t->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* a target that cannot be prepared fails alone: its message goes to its log,
	 * not into err, which the run's own outcome fills */
	atmo_error_clear(&perr);
	if ((rc = prepare(r, t, &perr)) < 0) {
		log_printf(t, "atmograph: %s\n", perr.text[0] ? perr.text : "cannot prepare");
		set_done(r, t, T_FAILED);
		return rc == ATMO_ENOMEM ? atmo__error_nomem(err) : 1;
	}
	t->step = t->pt->first_step;
	t->state = T_RUNNING;
	if (start_step(r, t) < 0) {
		set_done(r, t, T_FAILED);
		return 1;
	}
	return 1;
}

static void kill_all(runner *r)
{
	size_t i;
	double deadline;
	int left;

	for (i = 0; i < r->n; i++)
		if (r->rt[i].state == T_RUNNING && r->rt[i].pid > 0)
			kill(-r->rt[i].pid, SIGTERM);
	deadline = now_s() + 5.0;
	do {
		left = 0;
		for (i = 0; i < r->n; i++) {
			run_target *t = &r->rt[i];
			if (t->state == T_RUNNING && t->pid > 0) {
				int st;
				pid_t w = waitpid(t->pid, &st, WNOHANG);
				if (w == t->pid || (w < 0 && errno == ECHILD)) {
					/* stragglers of the group */
					kill(-t->pid, SIGKILL);
					t->pid = -1;
				} else {
					left++;
				}
			}
		}
		if (left)
			usleep(50000);
	} while (left && now_s() < deadline);
	for (i = 0; i < r->n; i++) {
		run_target *t = &r->rt[i];
		if (t->state == T_RUNNING && t->pid > 0) {
			kill(-t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
			t->pid = -1;
		}
		if (t->state == T_RUNNING) {
			log_printf(t, "atmograph: %s: cancelled\n", t->pt->t->name);
			close_target(t);
			t->state = T_FAILED;
		}
	}
}

static json_t *load_state(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	json_t *targets = json_object_get(doc, "targets");
	json_t *res = json_is_object(targets) ? json_incref(targets) : json_object();
	json_decref(doc);
	return res;
}

static void utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int atmo_build_run(json_t **report_out, const atmo_plan *p, const atmo_build_options *opts,
		   atmo_error *err)
{
	runner r;
	size_t i, running;
	int rc = 0, failed = 0;
	json_t *report = NULL, *targets;
	char state_path[4200], when[64];
	struct pollfd *pfds = NULL;
	size_t *pmap = NULL;

	atmo_error_clear(err);
	if (report_out)
		*report_out = NULL;
	memset(&r, 0, sizeof(r));
	r.p = p;
	if (opts) {
		if (opts->version != ATMO_BUILD_OPTIONS_VERSION)
			return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
					       "atmo_build_options: unknown version %u", opts->version);
		r.o = *opts;
	} else {
		atmo_build_options d = ATMO_BUILD_OPTIONS_INIT;
		r.o = d;
	}
	if (r.o.jobs == 0)
		r.o.jobs = 1;
	r.eo = p->opts.engine;
	snprintf(r.out_dir, sizeof(r.out_dir), "%s", r.o.out_dir ? r.o.out_dir : p->work_dir);
	if (r.o.log_dir)
		snprintf(r.log_dir, sizeof(r.log_dir), "%s", r.o.log_dir);
	else
		snprintf(r.log_dir, sizeof(r.log_dir), "%s/logs", r.out_dir);
	if (mkdir_p(r.out_dir) < 0 || mkdir_p(r.log_dir) < 0)
		return atmo__error_set(err, ATMO_EIO, r.out_dir, 0, 0, "cannot create: %s",
				       strerror(errno));
	if (r.eo.engine_version)
		r.engine_version = atmo__strdup(r.eo.engine_version, err);
	else if ((rc = atmo_engine_probe_version(&r.engine_version, &r.eo, err)) < 0)
		return rc;
	if (!r.engine_version)
		return atmo__error_nomem(err);
	snprintf(state_path, sizeof(state_path), "%s/state.json", r.out_dir);
	r.state = load_state(state_path);
	r.n = p->n_targets;
	r.rt = atmo__calloc(r.n + 1, sizeof(*r.rt), err);
	pfds = atmo__calloc(r.n + 1, sizeof(*pfds), err);
	pmap = atmo__calloc(r.n + 1, sizeof(*pmap), err);
	if (!r.rt || !pfds || !pmap || !r.state) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < r.n; i++) {
		r.rt[i].pt = &p->targets[i];
		r.rt[i].fd = r.rt[i].log_fd = -1;
		r.rt[i].pid = -1;
	}
	for (;;) {
		size_t np = 0, pending = 0;
		int n;

		if (r.o.cancel && *r.o.cancel) {
			kill_all(&r);
			rc = atmo__error_set(err, ATMO_ECANCELLED, NULL, 0, 0,
					     "build cancelled; the engines started were stopped");
			goto done;
		}
		running = 0;
		for (i = 0; i < r.n; i++)
			running += r.rt[i].state == T_RUNNING;
		for (i = 0; i < r.n; i++) {
			run_target *t = &r.rt[i];
			if (t->state != T_PENDING)
				continue;
			if (failed && !r.o.keep_going) {
				t->entry = json_pack("{s:s}", "reason", "stopped after a failure (no --keep-going)");
				set_done(&r, t, T_SKIPPED);
				continue;
			}
			if (running >= r.o.jobs) {
				pending++;
				continue;
			}
			rc = try_start(&r, t, err);
			if (rc < 0)
				goto done;
			rc = 0;
			if (t->state == T_RUNNING)
				running++;
			else if (t->state == T_PENDING)
				pending++;
			else if (t->state == T_FAILED)
				failed = 1;
		}
		for (i = 0; i < r.n; i++) {
			if (r.rt[i].state == T_RUNNING && r.rt[i].fd >= 0) {
				pfds[np].fd = r.rt[i].fd;
				pfds[np].events = POLLIN;
				pfds[np].revents = 0;
				pmap[np++] = i;
			}
		}
		if (np == 0 && running == 0) {
			if (pending == 0)
				break;
			continue;
		}
		n = poll(pfds, np, 200);
		if (n < 0 && errno != EINTR) {
			rc = atmo__error_set(err, ATMO_EIO, NULL, 0, 0, "poll: %s", strerror(errno));
			kill_all(&r);
			goto done;
		}
		for (i = 0; n > 0 && i < np; i++) {
			run_target *t = &r.rt[pmap[i]];
			char buf[16384];
			ssize_t got;
			if (!pfds[i].revents)
				continue;
			got = read(t->fd, buf, sizeof(buf));
			if (got > 0) {
				log_write(t, buf, (size_t)got);
				scan_output(&r, t, buf, (size_t)got);
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			/* end of output: the step is over */
			{
				int st = 0;
				close(t->fd);
				t->fd = -1;
				while (waitpid(t->pid, &st, 0) < 0 && errno == EINTR)
					;
				t->pid = -1;
				if (r.o.cancel && *r.o.cancel)
					continue;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					log_printf(t, "atmograph: the engine failed (%s %d)\n",
						   WIFEXITED(st) ? "exit status" : "signal",
						   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
					set_done(&r, t, T_FAILED);
					failed = 1;
					continue;
				}
				t->step++;
				if (t->step < t->pt->first_step + t->pt->n_steps) {
					if (start_step(&r, t) < 0) {
						set_done(&r, t, T_FAILED);
						failed = 1;
					}
					continue;
				}
				finish_target(&r, t);
				set_done(&r, t, T_BUILT);
			}
		}
	}
	/* the report, then the state (both atomic) */
	report = json_object();
	targets = json_object();
	if (!report || !targets) {
		json_decref(targets);
		rc = atmo__error_nomem(err);
		goto done;
	}
	json_object_set_new(report, "schema", json_string("atmograph.build-report/1"));
	json_object_set_new(report, "bake_file",
			    json_string(atmo_bake_file(p->bake, 0) ? atmo_bake_file(p->bake, 0) : ""));
	json_object_set_new(report, "engine",
			    json_pack("{s:s,s:s}", "name", atmo_engine_name(r.eo.kind), "version",
				      r.engine_version));
	utc_now(when, sizeof(when));
	json_object_set_new(report, "finished", json_string(when));
	for (i = 0; i < r.n; i++)
		json_object_set(targets, r.rt[i].pt->t->name, r.rt[i].entry);
	json_object_set_new(report, "targets", targets);
	{
		/* the state keeps earlier entries of targets not built this time */
		json_t *state = json_deep_copy(r.state), *sdoc;
		char *text;
		for (i = 0; i < r.n; i++) {
			const char *status = json_string_value(json_object_get(r.rt[i].entry, "status"));
			if (status && (!strcmp(status, "built") || !strcmp(status, "cached")))
				json_object_set(state, r.rt[i].pt->t->name, r.rt[i].entry);
			else
				json_object_del(state, r.rt[i].pt->t->name);
		}
		sdoc = json_pack("{s:s,s:o}", "schema", "atmograph.build-state/1", "targets", state);
		text = json_dumps(sdoc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
		json_decref(sdoc);
		if (!text) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		rc = atmo_file_write_atomic(state_path, text, strlen(text), err);
		atmo__free(text);
		if (rc < 0)
			goto done;
	}
	if (r.o.report_path) {
		char *text = json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
		size_t len;
		if (!text) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		len = strlen(text);
		text[len] = '\n';
		rc = atmo_file_write_atomic(r.o.report_path, text, len + 1, err);
		atmo__free(text);
		if (rc < 0)
			goto done;
	}
	if (failed)
		rc = atmo__error_set(err, ATMO_EENGINE, NULL, 0, 0, "some targets failed");
	if (report_out) {
		*report_out = report;
		report = NULL;
	}
done:
	json_decref(report);
	for (i = 0; r.rt && i < r.n; i++) {
		close_target(&r.rt[i]);
		json_decref(r.rt[i].entry);
		atmo__free(r.rt[i].digest);
		atmo__buf_free(&r.rt[i].line);
	}
	atmo__free(r.rt);
	atmo__free(pfds);
	atmo__free(pmap);
	atmo__free(r.engine_version);
	json_decref(r.state);
	return rc;
}
