/*
 * Image module: what the layer stack means once every layer is read.
 *
 * Efficiency, as dive computes it (image/docker efficiency.go): every leaf path
 * of every layer tree (whiteouts included) adds its size to that path's
 * cumulative size and may lower its smallest size; a whiteout adds the size of
 * what it hides when it hides a directory (0 for a file). Paths seen in two or
 * more layers are inefficient. score = sum(smallest) / sum(cumulative) (1.0 when
 * the sum is 0); dive's wasted bytes = sum of the cumulative sizes of the
 * inefficient paths; the corrected figure is sum(cumulative - smallest) over them.
 * Opaque-directory markers (.wh..wh..opq) are not paths here.
 *
 * Packages: the dpkg status file and status.d/ files as the stacked layers leave
 * them (the last layer that writes a file wins; whiteouts and opaque directories
 * remove them); each package is attributed to the layer that added its version.
 */
#include <stdlib.h>
#include <string.h>
#include "image/internal.h"
#include "util/alloc.h"

typedef struct {
	const char *path;
	uint64_t size;
	uint8_t type;
} snode;

typedef struct {
	atmo_image__map map;   /* path -> index in nodes */
	snode *nodes;
	size_t n, cap;
} stack_t_;

static int stack_set(stack_t_ *s, const char *path, uint64_t size, uint8_t type)
{
	size_t *i = atmo_image__map_get(&s->map, path);
	if (i) {
		s->nodes[*i].size = size;
		s->nodes[*i].type = type;
		s->nodes[*i].path = path;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		snode *n = realloc(s->nodes, cap * sizeof(*n));
		if (!n)
			return ATMO_ENOMEM;
		s->nodes = n;
		s->cap = cap;
	}
	s->nodes[s->n].path = path;
	s->nodes[s->n].size = size;
	s->nodes[s->n].type = type;
	if (atmo_image__map_set(&s->map, path, s->n) < 0)
		return ATMO_ENOMEM;
	s->n++;
	return 0;
}

static void stack_kill(stack_t_ *s, size_t i)
{
	atmo_image__map_del(&s->map, s->nodes[i].path);
	s->nodes[i].path = NULL;
}

/* sum of sizes under prefix/ (and prefix itself when self); delete them when del */
static uint64_t stack_subtree(stack_t_ *s, const char *prefix, int self, int del)
{
	size_t plen = strlen(prefix), i;
	uint64_t sum = 0;
	for (i = 0; i < s->n; i++) {
		const char *p = s->nodes[i].path;
		int hit;
		if (!p)
			continue;
		hit = plen == 0 ? 1
		      : strncmp(p, prefix, plen) == 0 && (p[plen] == '/' || (self && p[plen] == '\0'));
		if (!hit)
			continue;
		sum += s->nodes[i].size;
		if (del)
			stack_kill(s, i);
	}
	return sum;
}

static void stack_compact(stack_t_ *s)
{
	size_t i, j = 0;
	for (i = 0; i < s->n; i++)
		if (s->nodes[i].path)
			s->nodes[j++] = s->nodes[i];
	if (j == s->n)
		return;
	s->n = j;
	atmo_image__map_free(&s->map);
	for (i = 0; i < s->n; i++)
		atmo_image__map_set(&s->map, s->nodes[i].path, i);
}

static int cmp_ineff(const void *pa, const void *pb)
{
	const atmo_image__eff *a = pa, *b = pb;
	if (a->cumulative != b->cumulative)
		return a->cumulative < b->cumulative ? 1 : -1;
	return strcmp(a->path, b->path);
}

static int cmp_node(const void *pa, const void *pb)
{
	return strcmp(((const atmo_image__node *)pa)->path, ((const atmo_image__node *)pb)->path);
}

/* ---- dpkg ---- */
void atmo_image__pkgs_free(atmo_image__pkg *p, size_t n)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].version);
		free(p[i].arch);
	}
	free(p);
}

static char *field_dup(const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return strndup(v, n);
}

int atmo_image__dpkg_parse(const char *text, size_t len, atmo_image__pkg **out, size_t *n,
			   size_t *cap)
{
	const char *p = text, *end = text + len;
	atmo_image__pkg cur;
	int installed = 1, rc = 0;
	memset(&cur, 0, sizeof(cur));
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		int blank = 1;
		size_t k;
		for (k = 0; k < ll; k++)
			if (p[k] != ' ' && p[k] != '\t' && p[k] != '\r')
				blank = 0;
		if (blank) {
			if (cur.name && installed) {
				if (*n == *cap) {
					size_t nc = *cap ? *cap * 2 : 64;
					atmo_image__pkg *np = realloc(*out, nc * sizeof(*np));
					if (!np) {
						rc = ATMO_ENOMEM;
						break;
					}
					*out = np;
					*cap = nc;
				}
				(*out)[(*n)++] = cur;
			} else {
				free(cur.name);
				free(cur.version);
				free(cur.arch);
			}
			memset(&cur, 0, sizeof(cur));
			installed = 1;
		} else if (p[0] != ' ' && p[0] != '\t') {
			const char *colon = memchr(p, ':', ll);
			if (colon) {
				size_t fl = (size_t)(colon - p);
				const char *v = colon + 1;
				size_t vl = (size_t)(le - v);
				if (fl == 7 && strncasecmp(p, "Package", 7) == 0 && !cur.name)
					cur.name = field_dup(v, vl);
				else if (fl == 7 && strncasecmp(p, "Version", 7) == 0 && !cur.version)
					cur.version = field_dup(v, vl);
				else if (fl == 12 && strncasecmp(p, "Architecture", 12) == 0 && !cur.arch)
					cur.arch = field_dup(v, vl);
				else if (fl == 14 && strncasecmp(p, "Installed-Size", 14) == 0)
					cur.installed_size = strtoull(v, NULL, 10) * 1024;
				else if (fl == 6 && strncasecmp(p, "Status", 6) == 0) {
					char *st = field_dup(v, vl);
					size_t sl = st ? strlen(st) : 0;
					/* "install ok installed": the last word says the state */
					installed = st && sl >= 9 && strcmp(st + sl - 9, "installed") == 0 &&
						    (sl == 9 || st[sl - 10] == ' ') &&
						    !(sl >= 11 && strcmp(st + sl - 11, "not-installed") == 0);
					free(st);
				}
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (cur.name && installed && rc == 0) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			atmo_image__pkg *np = realloc(*out, nc * sizeof(*np));
			if (!np) {
				rc = ATMO_ENOMEM;
				goto fail;
			}
			*out = np;
			*cap = nc;
		}
		(*out)[(*n)++] = cur;
		return 0;
	}
fail:
	free(cur.name);
	free(cur.version);
	free(cur.arch);
	return rc;
}

static int cmp_pkg(const void *pa, const void *pb)
{
	const atmo_image__pkg *a = pa, *b = pb;
	int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	if (c)
		return c;
	return strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "");
}

typedef struct {
	const char *status;          /* borrowed */
	size_t status_len;
	atmo_image__dpkgfile *d;     /* status.d files, borrowed names and data */
	size_t n_d, cap_d;
} dpkg_state;

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return n == 0 || (strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

static void dpkg_remove(dpkg_state *st, const char *dir, int self)
{
	size_t i, j = 0;
	static const char sp[] = "var/lib/dpkg/status";
	if ((self && under(sp, dir)) || (!self && under(sp, dir) && strcmp(sp, dir) != 0)) {
		st->status = NULL;
		st->status_len = 0;
	}
	for (i = 0; i < st->n_d; i++) {
		const char *p = st->d[i].name;
		int hit = self ? under(p, dir) : (under(p, dir) && strcmp(p, dir) != 0);
		if (!hit)
			st->d[j++] = st->d[i];
	}
	st->n_d = j;
}

static int dpkg_touched(const atmo_image__layer *l)
{
	size_t i;
	if (l->n_dpkg)
		return 1;
	for (i = 0; i < l->n_entries; i++) {
		const atmo_image__entry *e = &l->entries[i];
		if ((e->type == IMG_E_WHITEOUT || e->type == IMG_E_OPAQUE) &&
		    (under("var/lib/dpkg/status", e->path) || under(e->path, "var/lib/dpkg/status.d")))
			return 1;
	}
	return 0;
}

static int cmp_dfile(const void *pa, const void *pb)
{
	return strcmp(((const atmo_image__dpkgfile *)pa)->name,
		      ((const atmo_image__dpkgfile *)pb)->name);
}

static int packages(atmo_image *img, atmo_error *err)
{
	dpkg_state st;
	atmo_image__pkg *cur = NULL, *rem = NULL;
	size_t n_cur = 0, n_rem = 0, cap_rem = 0, L, i;
	int rc = 0;
	memset(&st, 0, sizeof(st));
	for (L = 0; L < img->n_layers; L++) {
		atmo_image__layer *l = &img->layers[L];
		atmo_image__pkg *nw = NULL;
		size_t n_nw = 0, cap_nw = 0;
		if (!dpkg_touched(l))
			continue;
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			if (e->type == IMG_E_WHITEOUT)
				dpkg_remove(&st, e->path, 1);
			else if (e->type == IMG_E_OPAQUE)
				dpkg_remove(&st, e->path, 0);
		}
		for (i = 0; i < l->n_dpkg; i++) {
			atmo_image__dpkgfile *f = &l->dpkg[i];
			size_t k;
			if (strcmp(f->name, "var/lib/dpkg/status") == 0) {
				st.status = f->data;
				st.status_len = f->len;
				continue;
			}
			for (k = 0; k < st.n_d; k++)
				if (strcmp(st.d[k].name, f->name) == 0)
					break;
			if (k == st.n_d) {
				if (st.n_d == st.cap_d) {
					size_t nc = st.cap_d ? st.cap_d * 2 : 16;
					atmo_image__dpkgfile *nd = realloc(st.d, nc * sizeof(*nd));
					if (!nd)
						goto nomem;
					st.d = nd;
					st.cap_d = nc;
				}
				st.n_d++;
			}
			st.d[k] = *f;
		}
		if (st.n_d)
			qsort(st.d, st.n_d, sizeof(*st.d), cmp_dfile);
		if (st.status && atmo_image__dpkg_parse(st.status, st.status_len, &nw, &n_nw, &cap_nw) < 0)
			goto nomem_nw;
		for (i = 0; i < st.n_d; i++)
			if (atmo_image__dpkg_parse(st.d[i].data, st.d[i].len, &nw, &n_nw, &cap_nw) < 0)
				goto nomem_nw;
		if (n_nw)
			qsort(nw, n_nw, sizeof(*nw), cmp_pkg);
		/* drop duplicates of name+arch (status.d may repeat the main file) */
		{
			size_t j = 0;
			for (i = 0; i < n_nw; i++) {
				if (j && cmp_pkg(&nw[j - 1], &nw[i]) == 0) {
					free(nw[i].name);
					free(nw[i].version);
					free(nw[i].arch);
					continue;
				}
				nw[j++] = nw[i];
			}
			n_nw = j;
		}
		for (i = 0; i < n_nw; i++) {
			atmo_image__pkg *old = n_cur ? bsearch(&nw[i], cur, n_cur, sizeof(*cur), cmp_pkg) : NULL;
			const char *ov = old && old->version ? old->version : "";
			nw[i].layer = old && strcmp(ov, nw[i].version ? nw[i].version : "") == 0
				? old->layer : (long)L;
		}
		/* removed now: in cur, not in nw */
		for (i = 0; i < n_cur; i++) {
			if (n_nw && bsearch(&cur[i], nw, n_nw, sizeof(*nw), cmp_pkg))
				continue;
			if (n_rem == cap_rem) {
				size_t nc = cap_rem ? cap_rem * 2 : 16;
				atmo_image__pkg *nr = realloc(rem, nc * sizeof(*nr));
				if (!nr)
					goto nomem_nw;
				rem = nr;
				cap_rem = nc;
			}
			rem[n_rem] = cur[i];
			rem[n_rem].layer = (long)L;
			n_rem++;
			memset(&cur[i], 0, sizeof(cur[i]));
		}
		atmo_image__pkgs_free(cur, n_cur);
		cur = nw;
		n_cur = n_nw;
		continue;
nomem_nw:
		atmo_image__pkgs_free(nw, n_nw);
		goto nomem;
	}
	/* a package removed and added back again is installed, not removed */
	{
		size_t j = 0;
		for (i = 0; i < n_rem; i++) {
			if (n_cur && bsearch(&rem[i], cur, n_cur, sizeof(*cur), cmp_pkg)) {
				free(rem[i].name);
				free(rem[i].version);
				free(rem[i].arch);
				continue;
			}
			rem[j++] = rem[i];
		}
		n_rem = j;
		if (n_rem)
			qsort(rem, n_rem, sizeof(*rem), cmp_pkg);
	}
	img->pkgs = cur;
	img->n_pkgs = n_cur;
	img->removed = rem;
	img->n_removed = n_rem;
	cur = rem = NULL;
	n_cur = n_rem = 0;
	img->pkg_names = calloc(img->n_pkgs + 1, sizeof(char *));
	if (!img->pkg_names)
		goto nomem;
	for (i = 0; i < img->n_pkgs; i++)
		img->pkg_names[i] = img->pkgs[i].name;
	goto done;
nomem:
	rc = atmo__error_nomem(err);
done:
	atmo_image__pkgs_free(cur, n_cur);
	atmo_image__pkgs_free(rem, n_rem);
	free(st.d);
	return rc;
}

/* ---- efficiency and the final tree ---- */
int atmo_image__analyze(atmo_image *img, atmo_error *err)
{
	stack_t_ st;
	atmo_image__map eff_map = {0}, layer_set = {0};
	atmo_image__eff *eff = NULL;
	size_t n_eff = 0, cap_eff = 0, L, i;
	uint64_t sum_min = 0, sum_cum = 0;
	atmo_image__arena tmp = {0};
	int rc = 0;

	memset(&st, 0, sizeof(st));
	for (L = 0; L < img->n_layers; L++) {
		atmo_image__layer *l = &img->layers[L];
		/* the directories of this layer's tree that have children: not leaves */
		atmo_image__map_free(&layer_set);
		atmo_image__arena_free(&tmp);
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			const char *p = e->path;
			size_t k = strlen(p);
			if (e->type == IMG_E_OPAQUE)
				continue;
			while (k > 0) {
				char *anc;
				while (k > 0 && p[k - 1] != '/')
					k--;
				if (k == 0)
					break;
				k--; /* drop the slash */
				anc = atmo_image__arena_strndup(&tmp, p, k);
				if (!anc)
					goto nomem;
				if (atmo_image__map_get(&layer_set, anc))
					break;
				if (atmo_image__map_set(&layer_set, anc, 1) < 0)
					goto nomem;
			}
		}
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			uint64_t size = e->size;
			size_t *ix, *seen;
			if (e->type == IMG_E_OPAQUE)
				continue;
			seen = atmo_image__map_get(&layer_set, e->path);
			if (seen)
				continue; /* a directory with children, or a path already counted */
			if (atmo_image__map_set(&layer_set, e->path, 2) < 0)
				goto nomem;
			if (e->type == IMG_E_WHITEOUT) {
				size_t *si = atmo_image__map_get(&st.map, e->path);
				size = 0;
				if (si && st.nodes[*si].type == IMG_E_DIR)
					size = stack_subtree(&st, e->path, 1, 0);
			}
			ix = atmo_image__map_get(&eff_map, e->path);
			if (!ix) {
				if (n_eff == cap_eff) {
					size_t nc = cap_eff ? cap_eff * 2 : 1024;
					atmo_image__eff *ne = realloc(eff, nc * sizeof(*ne));
					if (!ne)
						goto nomem;
					eff = ne;
					cap_eff = nc;
				}
				eff[n_eff].path = e->path;
				eff[n_eff].cumulative = 0;
				eff[n_eff].smallest = size;
				eff[n_eff].count = 0;
				if (atmo_image__map_set(&eff_map, e->path, n_eff) < 0)
					goto nomem;
				ix = atmo_image__map_get(&eff_map, e->path);
				n_eff++;
			}
			eff[*ix].cumulative += size;
			if (size < eff[*ix].smallest)
				eff[*ix].smallest = size;
			eff[*ix].count++;
		}
		/* stack this layer: removals of lower content first, then its entries */
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			if (e->type == IMG_E_OPAQUE)
				stack_subtree(&st, e->path, 0, 1);
			else if (e->type == IMG_E_WHITEOUT) {
				/* a file goes alone; only a directory needs a scan for its children */
				size_t *si = atmo_image__map_get(&st.map, e->path);
				if (si && st.nodes[*si].type != IMG_E_DIR)
					stack_kill(&st, *si);
				else if (si)
					stack_subtree(&st, e->path, 1, 1);
			}
		}
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			size_t *si;
			if (e->type == IMG_E_OPAQUE || e->type == IMG_E_WHITEOUT)
				continue;
			si = atmo_image__map_get(&st.map, e->path);
			if (si && st.nodes[*si].type == IMG_E_DIR && e->type != IMG_E_DIR)
				stack_subtree(&st, e->path, 0, 1);
			if (stack_set(&st, e->path, e->size, e->type) < 0)
				goto nomem;
			/* implicit parent directories, as dive's tree has them: a whiteout of one
			 * hides its children */
			{
				const char *p = e->path;
				size_t k = strlen(p);
				char look[4200];
				for (;;) {
					char *anc;
					while (k > 0 && p[k - 1] != '/')
						k--;
					if (k == 0 || k > sizeof(look))
						break;
					k--;
					memcpy(look, p, k);
					look[k] = '\0';
					if (atmo_image__map_get(&st.map, look))
						break;
					anc = atmo_image__arena_strndup(&img->strings, p, k);
					if (!anc || stack_set(&st, anc, 0, IMG_E_DIR) < 0)
						goto nomem;
				}
			}
		}
		if (st.map.n * 2 < st.n)
			stack_compact(&st);
	}
	/* score and waste */
	img->n_ineff = 0;
	for (i = 0; i < n_eff; i++) {
		sum_min += eff[i].smallest;
		sum_cum += eff[i].cumulative;
		if (eff[i].count >= 2) {
			img->wasted += eff[i].cumulative;
			img->wasted_corrected += eff[i].cumulative - eff[i].smallest;
			eff[img->n_ineff++] = eff[i];
		}
	}
	img->score = sum_cum == 0 ? 1.0 : (double)sum_min / (double)sum_cum;
	if (img->n_ineff)
		qsort(eff, img->n_ineff, sizeof(*eff), cmp_ineff);
	img->ineff = eff;
	eff = NULL;
	/* the final filesystem */
	img->tree = malloc((st.map.n + 1) * sizeof(*img->tree));
	if (!img->tree)
		goto nomem;
	for (i = 0; i < st.n; i++) {
		if (!st.nodes[i].path)
			continue;
		img->tree[img->n_tree].path = st.nodes[i].path;
		img->tree[img->n_tree].size = st.nodes[i].size;
		img->tree[img->n_tree].type = st.nodes[i].type;
		img->n_tree++;
	}
	if (img->n_tree)
		qsort(img->tree, img->n_tree, sizeof(*img->tree), cmp_node);
	if (img->have_packages && (rc = packages(img, err)) < 0)
		goto done;
	goto done;
nomem:
	rc = atmo__error_nomem(err);
done:
	free(eff);
	free(st.nodes);
	atmo_image__map_free(&st.map);
	atmo_image__map_free(&eff_map);
	atmo_image__map_free(&layer_set);
	atmo_image__arena_free(&tmp);
	return rc;
}
