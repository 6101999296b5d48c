/*
 * After a target's last step: its digest (iidfile, else the engine's inspect),
 * its image and each --stages image exported as an OCI archive and read
 * (sizes, layers, packages), and the figures of its report entry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "atmograph/build.h"
#include "atmograph/file.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"
#include "engine/engine_int.h"
#include "engine/run_int.h"
#include "util/alloc.h"
#include "util/error.h"

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
static int export_image(runner *r, run_target *t, const char *ref, const char *name, json_t **size,
			json_t **packages, char **archive)
{
	atmo__strvec v = ATMO__STRVEC_INIT_COPY;
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
	if (atmo__mkdir_p(path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/images/%s.tar", r->out_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	atmo__engine_global_args(&v, &r->eo);
	if (r->eo.kind == ATMO_ENGINE_DOCKER) {
		atmo__strvec_push(&v, "save", NULL);
		atmo__strvec_push(&v, "-o", NULL);
		atmo__strvec_push(&v, tmp, NULL);
		atmo__strvec_push(&v, ref, NULL);
	} else if (r->eo.kind == ATMO_ENGINE_PODMAN) {
		atmo__strvec_push(&v, "save", NULL);
		atmo__strvec_push(&v, "--format", NULL);
		atmo__strvec_push(&v, "oci-archive", NULL);
		atmo__strvec_push(&v, "-o", NULL);
		atmo__strvec_push(&v, tmp, NULL);
		atmo__strvec_push(&v, ref, NULL);
	} else {
		atmo__strvec_push(&v, "push", NULL);
		atmo__strvec_push(&v, "--quiet", NULL);
		atmo__strvec_push(&v, ref, NULL);
		snprintf(dest, sizeof(dest), "oci-archive:%s:%s", tmp, ref);
		atmo__strvec_push(&v, dest, NULL);
	}
	{
		char *shown = atmo_argv_display((const char *const *)v.v);
		atmo__run_log_printf(t, "atmograph: $ %s\n", shown ? shown : "");
		atmo__free(shown);
	}
	rc = atmo__run_capture((const char *const *)v.v, &out, r->o.cancel);
	atmo__strvec_free(&v);
	if (out)
		atmo__run_log_write(t, out, strlen(out));
	atmo__free(out);
	if (rc != 0 || (r->o.cancel && *r->o.cancel)) {
		unlink(tmp);
		atmo__run_log_printf(t, "atmograph: exporting %s failed\n", ref);
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
		atmo__run_log_printf(t, "atmograph: reading %s: %s\n", path,
				     atmo_error_format(&e, msg, sizeof(msg)));
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
								    "size",
								    json_object_get(l, "size")));
			json_object_set_new(*size, "_layers", ls);
			json_decref(doc);
		}
	}
	atmo_image_free(img);
	return 0;
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
	atmo__run_log_printf(t, "atmograph: warning: %s\n", msg);
}

/* after the last step: digests, export, sizes, stages, kept_out */
int atmo__run_finish_target(runner *r, run_target *t)
{
	plan_target *pt = t->pt;
	const atmo_bake_target *bt = pt->t;
	json_t *e = json_object(), *stages = json_object();
	size_t i;
	char iid[4400];
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	int bad;

	/* an entry missing a field would make the next run rebuild: ATMO_ENOMEM instead */
	if (!e || !stages)
		r->oom = 1;
	snprintf(iid, sizeof(iid), "%s/%s.iid", pt->dir, bt->name);
	atmo__free(t->digest);
	t->digest = read_iid(iid, &bad);
	if (bad)
		warn(t, e,
		     "%s: the engine's image id file does not hold a digest (sha256:HEX); ignored",
		     iid);
	if (!t->digest)
		t->digest = atmo__run_image_id(r, pt->image);
	r->oom |= json_object_set_new(e, "status", json_string("built")) < 0;
	r->oom |= json_object_set_new(
			  e, "dockerfile",
			  json_string(bt->dockerfile_path ? bt->dockerfile_path : "(inline)")) < 0;
	if (bt->target)
		r->oom |= json_object_set_new(e, "target_stage", json_string(bt->target)) < 0;
	r->oom |= json_object_set_new(e, "image", json_string(pt->image)) < 0;
	if (t->digest)
		r->oom |= json_object_set_new(e, "digest", json_string(t->digest)) < 0;
	r->oom |= json_object_set_new(e, "inputs", json_string(t->inputs)) < 0;
	r->oom |= json_object_set_new(e, "log", json_string(t->log_path)) < 0;
	r->oom |= json_object_set_new(e, "lowered", json_integer((json_int_t)pt->n_lowered)) < 0;
	/* every step ran, the pushes (docker's --push, buildah's push steps) too */
	if (r->p->opts.push) {
		json_t *tags = json_array();
		for (i = 0; tags && i < bt->n_tags; i++)
			json_array_append_new(tags, json_string(bt->tags[i]));
		r->oom |= json_object_set_new(e, "pushed", tags) < 0;
	}
	if (r->o.export_images) {
		json_t *size = NULL, *pk = NULL;
		char *archive = NULL;
		if (export_image(r, t, pt->image, bt->name, &size, &pk, &archive) == 0) {
			r->oom |= json_object_set_new(e, "archive", json_string(archive)) < 0;
			r->oom |= json_object_set_new(e, "size", size) < 0;
			r->oom |= json_object_set_new(e, "packages", pk) < 0;
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
				warn(t, e,
				     "%s: the engine's image id file does not hold a digest "
				     "(sha256:HEX); ignored",
				     sp);
			st = json_object();
			if (dg)
				r->oom |= json_object_set_new(st, "digest", json_string(dg)) < 0;
			atmo__free(dg);
			if (export_image(r, t, s->image, name, &ssize, &spk, &sarchive) == 0) {
				r->oom |= json_object_set_new(st, "archive",
							      json_string(sarchive)) < 0;
				r->oom |= json_object_set_new(st, "size", ssize) < 0;
				r->oom |= json_object_set_new(st, "packages", spk) < 0;
			} else {
				json_decref(ssize);
				json_decref(spk);
				warn(t, e,
				     "exporting %s (stage %s) failed: no sizes or packages (see "
				     "%s)",
				     s->image, s->stage, t->log_path);
			}
			atmo__free(sarchive);
			idx = g ? atmo_graph_find_stage(g, s->stage) : -1;
			if (idx >= 0) {
				const atmo_stage *gs = atmo_graph_stage(g, (size_t)idx);
				r->oom |= json_object_set_new(st, "in_final",
							      json_boolean(gs->in_final)) < 0;
				r->oom |= json_object_set_new(
						  st, "base",
						  json_string(gs->base ? gs->base : "")) < 0;
			}
			r->oom |= json_object_set_new(stages, s->stage, st) < 0;
		}
		/* the target stage itself */
		if (g) {
			const atmo_stage *ts = atmo_graph_stage(g, atmo_graph_target(g));
			if (ts && json_object_get(e, "size")) {
				json_t *st = json_pack("{s:O,s:O*,s:b,s:s}", "size",
						       json_object_get(e, "size"), "packages",
						       json_object_get(e, "packages"), "in_final",
						       1, "base", ts->base ? ts->base : "");
				if (t->digest)
					r->oom |= json_object_set_new(st, "digest",
								      json_string(t->digest)) < 0;
				r->oom |= json_object_set_new(stages, ts->label, st) < 0;
				if (!bt->target)
					r->oom |= json_object_set_new(e, "target_stage",
								      json_string(ts->label)) < 0;
			}
		}
		/* own bytes and kept out: atmo__report_figures() (report.c) */
		{
			const char *sname;
			json_t *st;
			const json_t **ll = atmo__calloc(bt->n_links + 1, sizeof(*ll), NULL);
			size_t lk;
			for (lk = 0; ll && lk < bt->n_links; lk++) {
				run_target *d = atmo__run_find(r, bt->links[lk]);
				ll[lk] = d && d->entry ? json_object_get(d->entry, "layers") : NULL;
			}
			/* an entry without its figures is not whole either (r->oom) */
			if (!ll || atmo__report_figures(e, stages, bt->link_names, ll, bt->n_links,
							NULL) < 0) {
				atmo__run_log_printf(
					t,
					"atmograph: out of memory computing the stage figures\n");
				r->oom = 1;
			}
			atmo__free(ll);
			/* the final image's layer list stays in the entry, for targets built on it */
			if (json_is_array(json_object_get(json_object_get(e, "size"), "_layers")))
				r->oom |=
					json_object_set(e, "layers",
							json_object_get(json_object_get(e, "size"),
									"_layers")) < 0;
			json_object_foreach(stages, sname, st) {
				json_object_del(json_object_get(st, "size"), "_layers");
				json_object_del(st, "base");
			}
			json_object_del(json_object_get(e, "size"), "_layers");
		}
		atmo_graph_free(g);
		atmo_dockerfile_free(df);
	}
	r->oom |= json_object_set_new(e, "stages", stages) < 0;
	json_decref(t->entry);
	t->entry = e;
	return 0;
}
