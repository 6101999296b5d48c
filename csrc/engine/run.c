/*
 * Runs: targets started in dependency order, up to `jobs` at once, each a
 * sequence of engine calls (its stages with --stages, then the image).
 * One poll() loop over the engines' outputs, no threads. The engine processes
 * are process.c's, the exports and figures of a built target export.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "atmograph/build.h"
#include "atmograph/file.h"
#include "engine/engine_int.h"
#include "engine/run_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_nomem.h"

static const char *const status_names[] = { "pending", "running", "built",
					    "cached",  "failed",  "skipped" };

int atmo__mkdir_p(const char *path)
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

void atmo__run_emit(runner *r, atmo_build_event_kind kind, run_target *t, const char *stage,
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
	ev.elapsed_s = t->started > 0 ? atmo__run_now() - t->started : 0;
	ev.log = t->log_path;
	r->o.callback(&ev, r->o.payload);
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

	if (atmo__mkdir_p(pt->dir) < 0)
		return atmo__error_set(err, ATMO_EIO, pt->dir, 0, 0, "cannot create: %s",
				       strerror(errno));
	if (pt->lowered) {
		char path[4300];
		snprintf(path, sizeof(path), "%s/Dockerfile", pt->dir);
		if ((rc = write_text(path, pt->lowered, strlen(pt->lowered), err)) < 0)
			return rc;
		if (pt->n_lowered)
			atmo__run_log_printf(t, "atmograph: lowered: %zu heredocs for %s (%s)\n",
					     pt->n_lowered, r->p->opts.engine.program, path);
	}
	json_object_foreach(pt->heredoc_files, key, v) {
		char path[8400], dir[8400], *slash;
		snprintf(path, sizeof(path), "%s/heredocs/%s", pt->dir, key);
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (atmo__mkdir_p(dir) < 0)
			return atmo__error_set(err, ATMO_EIO, dir, 0, 0, "cannot create: %s",
					       strerror(errno));
		if ((rc = write_text(path, json_string_value(v), json_string_length(v), err)) < 0)
			return rc;
	}
	return 0;
}

run_target *atmo__run_find(runner *r, size_t bake_index)
{
	/* rt[i] is the plan's target i; the plan's slot table maps bake indices to
	 * it (a scan here made every link look-up linear in the targets) */
	size_t slot = bake_index < atmo_bake_target_count(r->p->bake) ? r->p->slot[bake_index] : 0;
	return slot && slot - 1 < r->n ? &r->rt[slot - 1] : NULL;
}

static void set_done(runner *r, run_target *t, int state)
{
	t->state = state;
	t->duration = t->started > 0 ? atmo__run_now() - t->started : 0;
	if (!t->entry)
		t->entry = json_object();
	/* an entry without its status would drop the target from the state: the run
	 * ends with ATMO_ENOMEM instead (r->oom) */
	r->oom |= json_object_set_new(t->entry, "status", json_string(status_names[state])) < 0;
	r->oom |= json_object_set_new(t->entry, "duration_s",
				      json_real((double)((long)(t->duration * 100)) / 100.0)) < 0;
	if (!json_object_get(t->entry, "dockerfile"))
		r->oom |= json_object_set_new(t->entry, "dockerfile",
					      json_string(t->pt->t->dockerfile_path
								  ? t->pt->t->dockerfile_path
								  : "(inline)")) < 0;
	if (t->inputs[0] && !json_object_get(t->entry, "inputs"))
		r->oom |= json_object_set_new(t->entry, "inputs", json_string(t->inputs)) < 0;
	if (!json_object_get(t->entry, "image"))
		r->oom |= json_object_set_new(t->entry, "image", json_string(t->pt->image)) < 0;
	if (t->log_path[0] && !json_object_get(t->entry, "log"))
		r->oom |= json_object_set_new(t->entry, "log", json_string(t->log_path)) < 0;
	atmo__run_log_printf(t, "atmograph: %s: %s in %.1fs\n", t->pt->t->name, status_names[state],
			     t->duration);
	atmo__run_close_target(t);
	atmo__run_emit(r, ATMO_BUILD_EVENT_DONE, t, NULL, status_names[state], NULL);
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
		run_target *d = atmo__run_find(r, bt->links[k]);
		if (!d)
			continue;
		if (d->state == T_FAILED || d->state == T_SKIPPED) {
			t->entry = json_pack("{s:s}", "reason",
					     "a target it needs failed or was skipped");
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
		run_target *d = atmo__run_find(r, bt->links[k]);
		parents[2 * k] = d && d->digest ? d->digest : "";
		/* a change upstream rebuilds downstream even when the image came out the same */
		parents[2 * k + 1] = d ? d->inputs : "";
	}
	t->started = atmo__run_now();
	snprintf(t->log_path, sizeof(t->log_path), "%s/%s.log", r->log_dir, bt->name);
	rc = atmo__inputs_hash(t->inputs, t->pt, atmo_engine_name(r->eo.kind), r->engine_version,
			       parents, 2 * bt->n_links, err);
	atmo__free(parents);
	if (rc < 0)
		return rc;
	atmo__run_emit(r, ATMO_BUILD_EVENT_START, t, NULL, NULL, NULL);
	/* with push, the engine must run: an image cached here may never have been pushed */
	if (!r->o.force && !r->p->opts.push) {
		json_t *prev = json_object_get(r->state, bt->name);
		const char *pin = json_string_value(json_object_get(prev, "inputs"));
		const char *pdg = json_string_value(json_object_get(prev, "digest"));
		/* the state file is text on disk: a digest from it is checked like the engine's */
		if (pin && pdg && atmo__digest_valid(pdg) && !strcmp(pin, t->inputs)) {
			char *id = atmo__run_image_id(r, t->pt->image);
			if (id && same_id(id, pdg)) {
				atmo__free(id);
				t->entry = json_deep_copy(prev);
				t->digest = atmo__strdup(pdg, err);
				if (!t->entry || !t->digest)
					return atmo__error_nomem(err);
				/* keep the log of the build that made the image */
				if (json_is_string(json_object_get(prev, "log")))
					snprintf(t->log_path, sizeof(t->log_path), "%s",
						 json_string_value(json_object_get(prev, "log")));
				atmo__run_log_printf(
					t,
					"atmograph: %s: inputs unchanged (%s), image %s present\n",
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
		atmo__run_log_printf(t, "atmograph: %s\n",
				     perr.text[0] ? perr.text : "cannot prepare");
		set_done(r, t, T_FAILED);
		return rc == ATMO_ENOMEM ? atmo__error_nomem(err) : 1;
	}
	t->step = t->pt->first_step;
	t->state = T_RUNNING;
	if (atmo__run_start_step(r, t) < 0) {
		set_done(r, t, T_FAILED);
		return 1;
	}
	return 1;
}

/* the targets of the previous run's state; NULL when out of memory (a state
 * that cannot be read, or none, is an empty one: everything is built) */
json_t *atmo__run_load_state(const char *path)
{
	json_error_t je;
	json_t *doc, *targets, *res;
	char *text;
	size_t len;

	/* read here rather than by json_load_file(): atmo__json_nomem() looks at
	   the text where jansson stopped */
	if (atmo_file_read(&text, &len, path, 0, NULL) == ATMO_ENOMEM)
		return NULL;
	memset(&je, 0, sizeof(je)); /* atmo__json_nomem() reads what jansson left */
	doc = text ? json_loadb(text, len, 0, &je) : NULL;
	/* out of memory is not "no state": that would rebuild every target */
	if (text && !doc && atmo__json_nomem(&je, text, len)) {
		atmo__free(text);
		return NULL;
	}
	atmo__free(text);
	targets = json_object_get(doc, "targets");
	res = json_is_object(targets) ? json_incref(targets) : json_object();
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
	int rc = 0, failed = 0, oom;
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
					       "atmo_build_options: unknown version %u",
					       opts->version);
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
	if (atmo__mkdir_p(r.out_dir) < 0 || atmo__mkdir_p(r.log_dir) < 0)
		return atmo__error_set(err, ATMO_EIO, r.out_dir, 0, 0, "cannot create: %s",
				       strerror(errno));
	if (r.eo.engine_version)
		r.engine_version = atmo__strdup(r.eo.engine_version, err);
	else if ((rc = atmo_engine_probe_version(&r.engine_version, &r.eo, err)) < 0)
		return rc;
	if (!r.engine_version)
		return atmo__error_nomem(err);
	snprintf(state_path, sizeof(state_path), "%s/state.json", r.out_dir);
	r.state = atmo__run_load_state(state_path);
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
			atmo__run_kill_all(&r);
			rc = atmo__error_set(err, ATMO_ECANCELLED, NULL, 0, 0,
					     "build cancelled; the engines started were stopped");
			goto done;
		}
		if (r.oom) {
			atmo__run_kill_all(&r);
			rc = atmo__error_nomem(err);
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
				t->entry = json_pack("{s:s}", "reason",
						     "stopped after a failure (no --keep-going)");
				set_done(&r, t, T_SKIPPED);
				continue;
			}
			if (running >= r.o.jobs) {
				pending++;
				continue;
			}
			rc = try_start(&r, t, err);
			if (rc < 0) {
				/* out of memory: the engines started must not outlive the run */
				atmo__run_kill_all(&r);
				goto done;
			}
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
			rc = atmo__error_set(err, ATMO_EIO, NULL, 0, 0, "poll: %s",
					     strerror(errno));
			atmo__run_kill_all(&r);
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
				atmo__run_log_write(t, buf, (size_t)got);
				atmo__run_scan_output(&r, t, buf, (size_t)got);
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
					atmo__run_log_printf(
						t, "atmograph: the engine failed (%s %d)\n",
						WIFEXITED(st) ? "exit status" : "signal",
						WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
					set_done(&r, t, T_FAILED);
					failed = 1;
					continue;
				}
				t->step++;
				if (t->step < t->pt->first_step + t->pt->n_steps) {
					if (atmo__run_start_step(&r, t) < 0) {
						set_done(&r, t, T_FAILED);
						failed = 1;
					}
					continue;
				}
				atmo__run_finish_target(&r, t);
				set_done(&r, t, T_BUILT);
			}
		}
	}
	if (r.oom) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	/* the report, then the state (both atomic) */
	report = json_object();
	targets = json_object();
	if (!report || !targets) {
		json_decref(targets);
		rc = atmo__error_nomem(err);
		goto done;
	}
	/* a report or state short of a field or target would be taken for what
	   it says (a target missing from the state is rebuilt): every insert is
	   checked and a failure ends the run with ATMO_ENOMEM */
	oom = json_object_set_new(report, "schema", json_string("atmograph.build-report/1")) < 0;
	oom |= json_object_set_new(
		       report, "bake_file",
		       json_string(atmo_bake_file(p->bake, 0) ? atmo_bake_file(p->bake, 0) : "")) <
	       0;
	oom |= json_object_set_new(report, "engine",
				   json_pack("{s:s,s:s}", "name", atmo_engine_name(r.eo.kind),
					     "version", r.engine_version)) < 0;
	utc_now(when, sizeof(when));
	oom |= json_object_set_new(report, "finished", json_string(when)) < 0;
	for (i = 0; i < r.n; i++)
		oom |= json_object_set(targets, r.rt[i].pt->t->name, r.rt[i].entry) < 0;
	oom |= json_object_set_new(report, "targets", targets) < 0;
	if (oom) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	{
		/* the state keeps earlier entries of targets not built this time */
		json_t *state = json_deep_copy(r.state), *sdoc;
		char *text;
		for (i = 0; state && i < r.n; i++) {
			const char *status =
				json_string_value(json_object_get(r.rt[i].entry, "status"));
			if (status && (!strcmp(status, "built") || !strcmp(status, "cached")))
				oom |= json_object_set(state, r.rt[i].pt->t->name, r.rt[i].entry) <
				       0;
			else
				json_object_del(state, r.rt[i].pt->t->name);
		}
		if (oom) {
			json_decref(state);
			rc = atmo__error_nomem(err);
			goto done;
		}
		sdoc = json_pack("{s:s,s:o}", "schema", "atmograph.build-state/1", "targets",
				 state);
		text = atmo__json_dumps(sdoc,
					JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
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
		char *text = atmo__json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS |
							      JSON_REAL_PRECISION(6));
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
		atmo__run_close_target(&r.rt[i]);
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
