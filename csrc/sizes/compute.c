/*
 * Sizes module: attributing image bytes to the stages and instructions of a
 * Dockerfile ("atmograph.sizes/1").
 *
 * A history entry is reduced to a keyword and text: BuildKit writes
 * "RUN /bin/sh -c cmd # buildkit" and "COPY a b # buildkit" (comment
 * "buildkit.dockerfile.v0"); docker and buildah write "/bin/sh -c cmd" for RUN
 * and "/bin/sh -c #(nop) ENV ..." for the rest; "|N A=b ... /bin/sh -c cmd" is
 * a RUN with build args. The entries of the stage's own part are aligned with
 * its instructions from the end backwards by keyword (RUN text breaks ties);
 * what precedes is the base image's history. When the image of the parent stage
 * is given too, its history length is the base prefix exactly.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"
#include "atmograph/sizes.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/map.h"

static void norm_history(const char *cb, char *kw, size_t kwn, const char **text)
{
	const char *s = cb ? cb : "";
	size_t i = 0;
	kw[0] = '\0';
	*text = s;
	while (*s == ' ')
		s++;
	if (s[0] == '|' && isdigit((unsigned char)s[1])) {
		/* "|2 A=1 B=2 /bin/sh -c cmd": a RUN with build args */
		long n = strtol(s + 1, (char **)&s, 10);
		while (n-- > 0 && *s) {
			while (*s == ' ')
				s++;
			while (*s && *s != ' ')
				s++;
		}
		while (*s == ' ')
			s++;
	}
	if (strncmp(s, "/bin/sh -c #(nop)", 17) == 0) {
		s += 17;
		while (*s == ' ')
			s++;
	} else if (strncmp(s, "/bin/sh -c ", 11) == 0) {
		snprintf(kw, kwn, "RUN");
		*text = s + 11;
		return;
	}
	while (s[i] && s[i] != ' ' && i + 1 < kwn &&
	       (isupper((unsigned char)s[i]) || s[i] == '_')) {
		kw[i] = s[i];
		i++;
	}
	if (s[i] != ' ' && s[i] != '\0')
		i = 0;
	kw[i] = '\0';
	s += i;
	while (*s == ' ')
		s++;
	if (strcmp(kw, "RUN") == 0 && strncmp(s, "/bin/sh -c ", 11) == 0)
		s += 11;
	*text = s;
}

/* compare two command texts ignoring whitespace runs and a "# buildkit" tail */
static int same_text(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\\')
			a++;
		while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\\')
			b++;
		if (strncmp(a, "# buildkit", 10) == 0 && !a[10])
			a += 10;
		if (strncmp(b, "# buildkit", 10) == 0 && !b[10])
			b += 10;
		if (!*a || !*b)
			return !*a && !*b;
		if (*a != *b)
			return 0;
		a++;
		b++;
	}
}

static void ins_text(atmo_buf *b, const atmo_instruction *ins)
{
	size_t i;
	atmo__buf_clear(b);
	for (i = 0; i < ins->n_args; i++)
		atmo__buf_printf(b, "%s%s", i ? " " : "", ins->args[i]);
}

typedef struct {
	int stage;
	const atmo_image *img;
	const char *name;
	long *hist_ins; /* per history entry: instruction index (absolute) or -1 */
	size_t base_len;
	uint64_t base_bytes, own_bytes, own_compressed, unattributed;
} stage_in;

static int upper_eq(const char *kw, const char *lower)
{
	size_t i;
	for (i = 0; kw[i] && lower[i]; i++)
		if (kw[i] != toupper((unsigned char)lower[i]))
			return 0;
	return !kw[i] && !lower[i];
}

/* the layer history entry h made, NULL for an empty layer */
static const atmo_image_layer *hist_layer(const atmo_image *img, size_t h)
{
	long l = atmo_image_history_layer(atmo_image_history_at(img, h));
	return l >= 0 ? atmo_image_layer_at(img, (size_t)l) : NULL;
}

static uint64_t hist_bytes(const atmo_image *img, size_t h)
{
	return atmo_image_layer_size(hist_layer(img, h));
}

static uint64_t hist_cbytes(const atmo_image *img, size_t h)
{
	return atmo_image_layer_compressed_size(hist_layer(img, h));
}

static void attribute(stage_in *si, const atmo_graph *g, const atmo_stage *st, long known_base)
{
	const atmo_dockerfile *df = atmo_graph_dockerfile(g);
	const atmo_image *img = si->img;
	long first = (long)st->first_instruction + 1;
	long j = (long)st->first_instruction + (long)st->n_instructions - 1;
	long i;
	atmo_buf tb = ATMO_BUF_INIT;
	size_t n_hist = atmo_image_history_count(img), n_layers = atmo_image_layer_count(img);
	size_t start = known_base >= 0 && (size_t)known_base <= n_hist ? (size_t)known_base : 0;

	for (i = 0; i < (long)n_hist; i++)
		si->hist_ins[i] = -1;
	si->base_len = start;
	for (i = (long)n_hist - 1; i >= (long)start; i--) {
		char kw[32];
		const char *text;
		long k, hit = -1;
		norm_history(atmo_image_history_created_by(atmo_image_history_at(img, (size_t)i)),
			     kw, sizeof(kw), &text);
		for (k = j; k >= first && kw[0]; k--) {
			const atmo_instruction *ins = atmo_dockerfile_at(df, (size_t)k);
			if (!ins || !upper_eq(kw, ins->keyword))
				continue;
			if (strcmp(kw, "RUN") == 0) {
				/* prefer the RUN whose text matches; else the nearest RUN */
				long m;
				for (m = k; m >= first; m--) {
					const atmo_instruction *in2 =
						atmo_dockerfile_at(df, (size_t)m);
					if (!in2 || strcmp(in2->keyword, "run") != 0)
						continue;
					ins_text(&tb, in2);
					if (same_text(atmo__buf_cstr(&tb), text)) {
						k = m;
						break;
					}
				}
			}
			hit = k;
			break;
		}
		if (hit >= 0) {
			si->hist_ins[i] = hit;
			j = hit - 1;
		} else if (known_base < 0) {
			/* the first entry no instruction explains: the base image ends here */
			si->base_len = (size_t)i + 1;
			break;
		}
	}
	atmo__buf_free(&tb);
	for (i = 0; i < (long)n_hist; i++) {
		uint64_t b = hist_bytes(img, (size_t)i);
		if ((size_t)i < si->base_len)
			si->base_bytes += b;
		else {
			si->own_bytes += b;
			si->own_compressed += hist_cbytes(img, (size_t)i);
			if (si->hist_ins[i] < 0)
				si->unattributed += b;
		}
	}
	/* layers without any history entry count as the stage's own */
	for (i = 0; i < (long)n_layers; i++) {
		const atmo_image_layer *l = atmo_image_layer_at(img, (size_t)i);
		if (atmo_image_layer_history(l) < 0) {
			si->own_bytes += atmo_image_layer_size(l);
			si->own_compressed += atmo_image_layer_compressed_size(l);
			si->unattributed += atmo_image_layer_size(l);
		}
	}
}

static int name_in(const char *const *names, size_t n, const char *s)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(names[mid], s);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* does a layer path fall under a COPY source (a path, a directory, a glob, ".")? */
static int under_source(const char *path, const char *src)
{
	char pat[4200];
	size_t n;
	while (*src == '/')
		src++;
	n = strlen(src);
	while (n && src[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && src[0] == '.'))
		return 1;
	if (n >= sizeof(pat))
		return 0;
	memcpy(pat, src, n);
	pat[n] = '\0';
	if (strncmp(path, pat, n) == 0 && (path[n] == '\0' || path[n] == '/'))
		return 1;
	if (strpbrk(pat, "*?[")) {
		/* the pattern, or a directory it names */
		char buf[4200];
		const char *p = path;
		size_t k;
		if (fnmatch(pat, path, FNM_PATHNAME) == 0)
			return 1;
		for (k = 0; p[k] && k < sizeof(buf) - 1; k++) {
			if (p[k] == '/') {
				memcpy(buf, p, k);
				buf[k] = '\0';
				if (fnmatch(pat, buf, FNM_PATHNAME) == 0)
					return 1;
			}
		}
	}
	return 0;
}

/*
 * Bytes of the stage's own files (written by its own layers, still present in its
 * image) that a COPY --from=<this stage> into a stage of the final image takes.
 */
static uint64_t copied_to_final(const stage_in *si, const atmo_graph *g)
{
	const atmo_image *img = si->img;
	atmo__map seen = { 0 };
	uint64_t sum = 0;
	size_t e, h, k, j;
	for (h = atmo_image_history_count(img); h-- > si->base_len;) {
		const atmo_image_layer *l = hist_layer(img, h);
		if (!l)
			continue;
		for (k = atmo_image_layer_entry_count(l); k-- > 0;) {
			const atmo_image_entry *en = atmo_image_layer_entry_at(l, k);
			const char *path = atmo_image_entry_path(en);
			atmo_image_entry_kind type = atmo_image_entry_type(en), ntype;
			uint64_t size = atmo_image_entry_size(en), nsize;
			int hit = 0;
			if (type != ATMO_IMAGE_ENTRY_FILE && type != ATMO_IMAGE_ENTRY_HARDLINK)
				continue;
			if (atmo__map_get(&seen, path))
				continue; /* a later layer wrote it: counted there */
			if (atmo__map_set(&seen, path, 1, NULL) < 0)
				break;
			if (atmo_image_tree_find(&ntype, &nsize, img, path) < 0 || ntype != type ||
			    nsize != size)
				continue; /* deleted or replaced later */
			for (e = 0; e < atmo_graph_edge_count(g) && !hit; e++) {
				const atmo_graph_edge *ed = atmo_graph_edge_at(g, e);
				const atmo_graph_node *from = atmo_graph_node_at(g, ed->from);
				const atmo_graph_node *to = atmo_graph_node_at(g, ed->to);
				const atmo_stage *ts;
				if (ed->kind != ATMO_EDGE_COPY || !from || !to ||
				    from->stage != si->stage || to->stage < 0)
					continue;
				ts = atmo_graph_stage_at(g, (size_t)to->stage);
				if (!ts || !ts->in_final)
					continue;
				for (j = 0; j < ed->n_sources && !hit; j++)
					hit = under_source(path, ed->sources[j]);
			}
			if (hit)
				sum += size;
		}
	}
	atmo__map_free(&seen);
	return sum;
}

static int own_over_parent(uint64_t *own, const atmo_image *img, const atmo_image *parent,
			   atmo_error *err)
{
	atmo_layer_set ls, ps;
	int rc;
	if ((rc = atmo_image_layer_set(&ls, img, err)) < 0)
		return rc;
	if ((rc = atmo_image_layer_set(&ps, parent, err)) == 0)
		*own = atmo_sizes_own_bytes(&ls, &ps);
	atmo_layer_set_free(&ls);
	atmo_layer_set_free(&ps);
	return rc;
}

int atmo_sizes_compute(json_t **out, const struct atmo_graph *graph, const atmo_sizes_input *inputs,
		       size_t n_inputs, atmo_error *err)
{
	const atmo_graph *g = graph;
	const atmo_dockerfile *df;
	stage_in *si = NULL;
	json_t *doc = NULL, *stages, *kept;
	size_t i, k, target;
	long final = -1;
	uint64_t own_total = 0, copied_total = 0;
	int rc = 0;

	atmo_error_clear(err);
	*out = NULL;
	if (!g)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_sizes_compute: no graph");
	df = atmo_graph_dockerfile(g);
	target = atmo_graph_target(g);
	si = atmo__calloc(n_inputs ? n_inputs : 1, sizeof(*si), NULL);
	if (!si)
		return atmo__error_nomem(err);
	for (i = 0; i < n_inputs; i++) {
		int s = inputs[i].stage ? atmo_graph_find_stage(g, inputs[i].stage) : -1;
		if (s < 0) {
			atmo_buf b = ATMO_BUF_INIT;
			for (k = 0; k < atmo_graph_stage_count(g); k++)
				atmo__buf_printf(&b, "%s%s", k ? ", " : "",
						 atmo_graph_stage_at(g, k)->label);
			rc = atmo__error_set(err, ATMO_ENOTFOUND, atmo_dockerfile_source(df), 0, 0,
					     "no stage '%s' in the Dockerfile; the stages are: %s",
					     inputs[i].stage ? inputs[i].stage : "",
					     atmo__buf_cstr(&b));
			atmo__buf_free(&b);
			goto done;
		}
		for (k = 0; k < i; k++)
			if (si[k].stage == s) {
				rc = atmo__error_set(err, ATMO_EINVALID, atmo_dockerfile_source(df),
						     0, 0, "stage '%s' is given two images",
						     inputs[i].stage);
				goto done;
			}
		if (!inputs[i].image) {
			rc = atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
					     "stage '%s' has no image", inputs[i].stage);
			goto done;
		}
		si[i].stage = s;
		si[i].img = inputs[i].image;
		si[i].name = atmo_graph_stage_at(g, (size_t)s)->label;
		si[i].hist_ins =
			atmo__calloc(atmo_image_history_count(si[i].img) + 1, sizeof(long), NULL);
		if (!si[i].hist_ins) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if ((size_t)s == target)
			final = (long)i;
	}
	for (i = 0; i < n_inputs; i++) {
		const atmo_stage *st = atmo_graph_stage_at(g, (size_t)si[i].stage);
		long known = -1;
		for (k = 0; k < n_inputs; k++)
			if (st->parent_stage >= 0 && si[k].stage == st->parent_stage)
				known = (long)atmo_image_history_count(si[k].img);
		attribute(&si[i], g, st, known);
	}

	doc = json_object();
	stages = json_array();
	if (!doc || !stages) {
		json_decref(stages);
		rc = atmo__error_nomem(err);
		goto done;
	}
	json_object_set_new(doc, "schema", json_string("atmograph.sizes/1"));
	json_object_set_new(doc, "dockerfile", json_string(atmo_dockerfile_source(df)));
	json_object_set_new(doc, "target", json_string(atmo_graph_stage_at(g, target)->label));
	for (i = 0; i < n_inputs; i++) {
		const atmo_stage *st = atmo_graph_stage_at(g, (size_t)si[i].stage);
		const atmo_image *img = si[i].img;
		size_t n_hist = atmo_image_history_count(img);
		atmo_image_totals t;
		json_t *o = json_object(), *ins = json_array(), *sz = json_object();
		json_t *hist = json_array(), *own_pk = json_array();
		long parent_in = -1;
		atmo_image_get_totals(img, &t);
		for (k = 0; k < n_inputs; k++)
			if (st->parent_stage >= 0 && si[k].stage == st->parent_stage)
				parent_in = (long)k;
		json_object_set_new(o, "stage", json_string(st->label));
		json_object_set_new(o, "index", json_integer((json_int_t)st->index));
		json_object_set_new(o, "node", json_string(st->node_id ? st->node_id : st->label));
		json_object_set_new(o, "base", st->base ? json_string(st->base) : json_null());
		json_object_set_new(
			o, "base_stage",
			st->parent_stage >= 0
				? json_string(
					  atmo_graph_stage_at(g, (size_t)st->parent_stage)->label)
				: json_null());
		json_object_set_new(o, "image", json_string(atmo_image_source(img)));
		json_object_set_new(o, "ref",
				    atmo_image_ref(img) ? json_string(atmo_image_ref(img))
							: json_null());
		json_object_set_new(o, "digest",
				    atmo_image_digest(img) ? json_string(atmo_image_digest(img))
							   : json_null());
		json_object_set_new(o, "in_final", json_boolean(st->in_final));
		json_object_set_new(o, "build_only", json_boolean(st->build_only));
		json_object_set_new(o, "target", json_boolean((size_t)si[i].stage == target));
		json_object_set_new(sz, "bytes", json_integer((json_int_t)t.bytes));
		json_object_set_new(sz, "compressed", json_integer((json_int_t)t.compressed));
		json_object_set_new(sz, "layers", json_integer((json_int_t)t.layers));
		json_object_set_new(o, "size", sz);
		json_object_set_new(o, "base_history", json_integer((json_int_t)si[i].base_len));
		json_object_set_new(o, "base_bytes", json_integer((json_int_t)si[i].base_bytes));
		/* layer-accurate: the layers beyond the parent stage's image */
		if (parent_in >= 0 &&
		    (rc = own_over_parent(&si[i].own_bytes, img, si[parent_in].img, err)) < 0) {
			json_decref(o);
			json_decref(ins);
			json_decref(hist);
			json_decref(own_pk);
			goto done;
		}
		json_object_set_new(o, "own_bytes", json_integer((json_int_t)si[i].own_bytes));
		json_object_set_new(o, "own_compressed",
				    json_integer((json_int_t)si[i].own_compressed));
		json_object_set_new(o, "unattributed_bytes",
				    json_integer((json_int_t)si[i].unattributed));
		/* per instruction */
		for (k = st->first_instruction + 1; k < st->first_instruction + st->n_instructions;
		     k++) {
			const atmo_instruction *in = atmo_dockerfile_at(df, k);
			json_t *io = json_object(), *hs = json_array();
			uint64_t bytes = 0, layers = 0;
			size_t h;
			for (h = 0; h < n_hist; h++)
				if (si[i].hist_ins[h] == (long)k) {
					bytes += hist_bytes(img, h);
					layers += hist_layer(img, h) != NULL;
					json_array_append_new(hs, json_integer((json_int_t)h));
				}
			json_object_set_new(io, "keyword", json_string(in->keyword));
			json_object_set_new(io, "line", json_integer(in->start_line));
			json_object_set_new(io, "end_line", json_integer(in->end_line));
			json_object_set_new(io, "text",
					    json_string(in->original ? in->original : ""));
			json_object_set_new(io, "bytes", json_integer((json_int_t)bytes));
			json_object_set_new(io, "layers", json_integer((json_int_t)layers));
			json_object_set_new(io, "history", hs);
			json_array_append_new(ins, io);
		}
		json_object_set_new(o, "instructions", ins);
		for (k = 0; k < n_hist; k++) {
			json_t *ho = json_object();
			const char *cb =
				atmo_image_history_created_by(atmo_image_history_at(img, k));
			json_object_set_new(ho, "index", json_integer((json_int_t)k));
			json_object_set_new(ho, "created_by",
					    json_string(atmo_image_trim_created_by(cb ? cb : "")));
			json_object_set_new(ho, "bytes",
					    json_integer((json_int_t)hist_bytes(img, k)));
			json_object_set_new(ho, "part",
					    json_string(k < si[i].base_len       ? "base"
							: si[i].hist_ins[k] >= 0 ? "instruction"
										 : "unattributed"));
			/* always present: null for base and unattributed entries */
			json_object_set_new(
				ho, "line",
				si[i].hist_ins[k] >= 0
					? json_integer(
						  atmo_dockerfile_at(df, (size_t)si[i].hist_ins[k])
							  ->start_line)
					: json_null());
			json_array_append_new(hist, ho);
		}
		json_object_set_new(o, "history", hist);
		/* NULL when the image was opened without its packages */
		if (atmo_image_packages(img, NULL)) {
			size_t np = 0, npp = 0;
			const char *const *p = atmo_image_packages(img, &np);
			const char *const *pp =
				parent_in >= 0 ? atmo_image_packages(si[parent_in].img, &npp)
					       : NULL;
			json_object_set_new(o, "packages", json_integer((json_int_t)np));
			for (k = 0; k < np; k++)
				if (!pp || !name_in(pp, npp, p[k]))
					json_array_append_new(own_pk, json_string(p[k]));
			json_object_set_new(o, "own_packages", own_pk);
		} else {
			json_object_set_new(o, "packages", json_null());
			json_decref(own_pk);
		}
		json_array_append_new(stages, o);
	}
	json_object_set_new(doc, "stages", stages);

	/* kept out: atmo_sizes_kept_out() of the used build-only stages' images against the
	 * target's image; own and copied bytes of those stages for information */
	{
		json_t *ks = json_array(), *ko = NULL;
		atmo_layer_set fs, *bs = atmo__calloc(n_inputs + 1, sizeof(*bs), NULL);
		size_t nb = 0;
		memset(&fs, 0, sizeof(fs));
		kept = json_object();
		if (!ks || !bs || !kept ||
		    (final >= 0 && atmo_image_layer_set(&fs, si[final].img, err) < 0)) {
			json_decref(ks);
			json_decref(kept);
			atmo__free(bs);
			rc = atmo__error_nomem(err);
			goto done;
		}
		for (i = 0; i < n_inputs; i++) {
			const atmo_stage *st = atmo_graph_stage_at(g, (size_t)si[i].stage);
			uint64_t copied;
			if (!st->build_only)
				continue;
			copied = copied_to_final(&si[i], g);
			own_total += si[i].own_bytes;
			copied_total += copied < si[i].own_bytes ? copied : si[i].own_bytes;
			json_array_append_new(ks, json_string(st->label));
			if (atmo_image_layer_set(&bs[nb], si[i].img, err) < 0) {
				rc = ATMO_ENOMEM;
				break;
			}
			nb++;
		}
		if (!rc && final >= 0)
			rc = atmo_sizes_kept_out(&ko, &fs, bs, nb, err);
		for (k = 0; k < nb; k++)
			atmo_layer_set_free(&bs[k]);
		atmo__free(bs);
		atmo_layer_set_free(&fs);
		if (rc < 0) {
			json_decref(ks);
			json_decref(kept);
			goto done;
		}
		json_object_set_new(kept, "bytes",
				    ko ? json_incref(json_object_get(ko, "bytes")) : json_null());
		json_object_set_new(kept, "layers",
				    ko ? json_incref(json_object_get(ko, "layers")) : json_null());
		json_object_set_new(kept, "own_bytes", json_integer((json_int_t)own_total));
		json_object_set_new(kept, "copied_bytes", json_integer((json_int_t)copied_total));
		json_object_set_new(kept, "packages",
				    ko ? json_incref(json_object_get(ko, "packages"))
				       : json_null());
		json_object_set_new(kept, "stages", ks);
		json_object_set_new(kept, "final_image", json_boolean(final >= 0));
		json_decref(ko);
	}
	json_object_set_new(doc, "kept_out", kept);
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	for (i = 0; i < n_inputs; i++)
		atmo__free(si[i].hist_ins);
	atmo__free(si);
	return rc;
}
