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
#include "image/image_int.h"
#include "util/alloc.h"
#include "util/grow.h"

/*
 * Every path seen (entries of every layer and their parent directories) gets a small
 * id, looked up once per entry with the hash its reading thread computed; the
 * per-layer set, the efficiency figures and the stacked filesystem are then arrays
 * indexed by id instead of three string maps.
 */
typedef struct {
	const char *path;    /* NUL-terminated, lives as long as the image */
	uint64_t size;       /* in the stack */
	uint64_t cumulative; /* efficiency: sum of the sizes of its copies */
	uint64_t smallest;
	uint32_t count; /* efficiency: copies counted (0: none yet) */
	uint32_t stamp; /* layer + 1 while in that layer's set */
	uint32_t pos;   /* 1 + its place in the stack list; 0: not in the stack */
	uint8_t type;   /* in the stack */
} pnode;

typedef struct {
	atmo__map map; /* path -> id */
	pnode *ids;
	size_t n, cap;
	uint32_t *stk; /* the stack, in insertion order (stale places skipped) */
	size_t n_stk, cap_stk, live;
} paths_t;

#define NO_ID UINT32_MAX

/* the id of the n bytes at path (hash h); a new path is copied into arena when
 * copy is set, else path itself (NUL-terminated at n) is kept */
static int path_id(paths_t *t, const char *path, size_t n, uint64_t h, int copy, atmo__arena *arena,
		   uint32_t *out)
{
	size_t *v = atmo__map_find(&t->map, path, n, h);
	const char *key = path;
	if (v) {
		*out = (uint32_t)*v;
		return 0;
	}
	if (ATMO__GROW(t->ids, t->cap, t->n + 1, NULL) < 0)
		return ATMO_ENOMEM;
	if (copy && !(key = atmo__arena_strndup(arena, path, n)))
		return ATMO_ENOMEM;
	if (atmo__map_put(&t->map, key, n, h, t->n, NULL, NULL) < 0)
		return ATMO_ENOMEM;
	memset(&t->ids[t->n], 0, sizeof(t->ids[t->n]));
	t->ids[t->n].path = key;
	*out = (uint32_t)t->n++;
	return 0;
}

static int stack_set(paths_t *t, uint32_t id, const char *path, uint64_t size, uint8_t type)
{
	pnode *p = &t->ids[id];
	p->path = path;
	p->size = size;
	p->type = type;
	if (p->pos)
		return 0;
	if (ATMO__GROW(t->stk, t->cap_stk, t->n_stk + 1, NULL) < 0)
		return ATMO_ENOMEM;
	t->stk[t->n_stk++] = id;
	p->pos = (uint32_t)t->n_stk;
	t->live++;
	return 0;
}

static void stack_kill(paths_t *t, uint32_t id)
{
	t->ids[id].pos = 0;
	t->live--;
}

/* sum of sizes under prefix/ (and prefix itself when self); delete them when del */
static uint64_t stack_subtree(paths_t *t, const char *prefix, int self, int del)
{
	size_t plen = strlen(prefix), i;
	uint64_t sum = 0;
	for (i = 0; i < t->n_stk; i++) {
		uint32_t id = t->stk[i];
		const char *p;
		int hit;
		if (t->ids[id].pos != i + 1)
			continue;
		p = t->ids[id].path;
		hit = plen == 0 ? 1
				: strncmp(p, prefix, plen) == 0 &&
					  (p[plen] == '/' || (self && p[plen] == '\0'));
		if (!hit)
			continue;
		sum += t->ids[id].size;
		if (del)
			stack_kill(t, id);
	}
	return sum;
}

static void stack_compact(paths_t *t)
{
	size_t i, j = 0;
	for (i = 0; i < t->n_stk; i++) {
		uint32_t id = t->stk[i];
		if (t->ids[id].pos != i + 1)
			continue;
		t->stk[j++] = id;
		t->ids[id].pos = (uint32_t)j;
	}
	t->n_stk = j;
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
		atmo__free(p[i].name);
		atmo__free(p[i].version);
		atmo__free(p[i].arch);
	}
	atmo__free(p);
}

static char *field_dup(const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return atmo__strndup(v, n, NULL);
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
				if (ATMO__GROW(*out, *cap, *n + 1, NULL) < 0) {
					rc = ATMO_ENOMEM;
					break;
				}
				(*out)[(*n)++] = cur;
			} else {
				atmo__free(cur.name);
				atmo__free(cur.version);
				atmo__free(cur.arch);
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
				else if (fl == 7 && strncasecmp(p, "Version", 7) == 0 &&
					 !cur.version)
					cur.version = field_dup(v, vl);
				else if (fl == 12 && strncasecmp(p, "Architecture", 12) == 0 &&
					 !cur.arch)
					cur.arch = field_dup(v, vl);
				else if (fl == 14 && strncasecmp(p, "Installed-Size", 14) == 0)
					cur.installed_size = strtoull(v, NULL, 10) * 1024;
				else if (fl == 6 && strncasecmp(p, "Status", 6) == 0) {
					char *st = field_dup(v, vl);
					size_t sl = st ? strlen(st) : 0;
					/* "install ok installed": the last word says the state */
					installed = st && sl >= 9 &&
						    strcmp(st + sl - 9, "installed") == 0 &&
						    (sl == 9 || st[sl - 10] == ' ') &&
						    !(sl >= 11 &&
						      strcmp(st + sl - 11, "not-installed") == 0);
					atmo__free(st);
				}
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (cur.name && installed && rc == 0) {
		if (ATMO__GROW(*out, *cap, *n + 1, NULL) < 0) {
			rc = ATMO_ENOMEM;
			goto fail;
		}
		(*out)[(*n)++] = cur;
		return 0;
	}
fail:
	atmo__free(cur.name);
	atmo__free(cur.version);
	atmo__free(cur.arch);
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
	const char *status; /* borrowed */
	size_t status_len;
	atmo_image__dpkgfile *d; /* status.d files, borrowed names and data */
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
		    (under("var/lib/dpkg/status", e->path) ||
		     under(e->path, "var/lib/dpkg/status.d")))
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
				if (ATMO__GROW(st.d, st.cap_d, st.n_d + 1, NULL) < 0)
					goto nomem;
				st.n_d++;
			}
			st.d[k] = *f;
		}
		if (st.n_d)
			qsort(st.d, st.n_d, sizeof(*st.d), cmp_dfile);
		if (st.status &&
		    atmo_image__dpkg_parse(st.status, st.status_len, &nw, &n_nw, &cap_nw) < 0)
			goto nomem_nw;
		for (i = 0; i < st.n_d; i++)
			if (atmo_image__dpkg_parse(st.d[i].data, st.d[i].len, &nw, &n_nw, &cap_nw) <
			    0)
				goto nomem_nw;
		if (n_nw)
			qsort(nw, n_nw, sizeof(*nw), cmp_pkg);
		/* drop duplicates of name+arch (status.d may repeat the main file) */
		{
			size_t j = 0;
			for (i = 0; i < n_nw; i++) {
				if (j && cmp_pkg(&nw[j - 1], &nw[i]) == 0) {
					atmo__free(nw[i].name);
					atmo__free(nw[i].version);
					atmo__free(nw[i].arch);
					continue;
				}
				nw[j++] = nw[i];
			}
			n_nw = j;
		}
		for (i = 0; i < n_nw; i++) {
			atmo_image__pkg *old =
				n_cur ? bsearch(&nw[i], cur, n_cur, sizeof(*cur), cmp_pkg) : NULL;
			const char *ov = old && old->version ? old->version : "";
			nw[i].layer = old && strcmp(ov, nw[i].version ? nw[i].version : "") == 0
					      ? old->layer
					      : (long)L;
		}
		/* removed now: in cur, not in nw */
		for (i = 0; i < n_cur; i++) {
			if (n_nw && bsearch(&cur[i], nw, n_nw, sizeof(*nw), cmp_pkg))
				continue;
			if (ATMO__GROW(rem, cap_rem, n_rem + 1, NULL) < 0)
				goto nomem_nw;
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
				atmo__free(rem[i].name);
				atmo__free(rem[i].version);
				atmo__free(rem[i].arch);
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
	img->pkg_names = atmo__calloc(img->n_pkgs + 1, sizeof(char *), NULL);
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
	atmo__free(st.d);
	return rc;
}

/* ---- efficiency and the final tree ---- */
const atmo_image__node *atmo_image__tree(const atmo_image *cimg)
{
	/* logically const: the order is computed once, under the image's lock */
	atmo_image *img = (atmo_image *)cimg;
	pthread_mutex_lock(&img->tree_lock);
	if (!img->tree_sorted) {
		if (img->n_tree)
			qsort(img->tree, img->n_tree, sizeof(*img->tree), cmp_node);
		img->tree_sorted = 1;
	}
	pthread_mutex_unlock(&img->tree_lock);
	return img->tree;
}

static uint32_t entry_parent_len(const atmo_image__entry *e)
{
	const char *sl = memrchr(e->path, '/', e->len);
	return sl ? (uint32_t)(sl - e->path) : 0;
}

int atmo_image__analyze(atmo_image *img, atmo_error *err)
{
	paths_t t;
	uint32_t *eid = NULL, *pid = NULL;
	size_t cap_ids = 0, L, i;
	uint64_t sum_min = 0, sum_cum = 0;
	atmo_image__eff *eff = NULL;
	size_t n_eff = 0;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	{
		/* room for every entry and some directories: no rehashing on the way */
		size_t total = 0;
		for (L = 0; L < img->n_layers; L++)
			total += img->layers[L].n_entries;
		if (atmo__map_reserve(&t.map, total + total / 4, NULL) < 0)
			goto nomem;
		total += total / 8 + 16;
		t.ids = atmo__malloc(total * sizeof(*t.ids), NULL);
		if (!t.ids)
			goto nomem;
		atmo__prefault(t.ids, total * sizeof(*t.ids));
		t.cap = total;
	}
	for (L = 0; L < img->n_layers; L++) {
		atmo_image__layer *l = &img->layers[L];
		uint32_t stamp = (uint32_t)L + 1;
		const char *last_parent = NULL;
		uint32_t last_parent_len = 0, last_parent_id = NO_ID;

		if (l->n_entries > cap_ids) {
			uint32_t *ne = atmo__realloc(eid, l->n_entries * sizeof(*ne), NULL);
			uint32_t *np;
			if (!ne)
				goto nomem;
			eid = ne;
			np = atmo__realloc(pid, l->n_entries * sizeof(*np), NULL);
			if (!np)
				goto nomem;
			pid = np;
			cap_ids = l->n_entries;
		}
		/* the directories of this layer's tree that have children are not leaves: stamp
		 * every ancestor of every entry (entries of one directory come together, so the
		 * parent is usually the previous entry's) */
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			uint32_t k, id;
			eid[i] = pid[i] = NO_ID;
			if (i + 8 < l->n_entries)
				atmo__map_prefetch(&t.map, l->entries[i + 8].hash);
			if (e->type == IMG_E_OPAQUE)
				continue;
			if (path_id(&t, e->path, e->len, e->hash, 0, NULL, &eid[i]) < 0)
				goto nomem;
			k = entry_parent_len(e);
			if (k == 0)
				continue;
			if (last_parent && k == last_parent_len &&
			    memcmp(e->path, last_parent, k) == 0) {
				pid[i] = last_parent_id;
				continue; /* stamped with its ancestors */
			}
			for (;;) {
				if (path_id(&t, e->path, k, atmo__map_hash(e->path, k), 1,
					    &img->strings, &id) < 0)
					goto nomem;
				if (pid[i] == NO_ID) {
					pid[i] = id;
					last_parent = e->path;
					last_parent_len = k;
					last_parent_id = id;
				}
				if (t.ids[id].stamp == stamp)
					break;
				t.ids[id].stamp = stamp;
				while (k > 0 && e->path[k - 1] != '/')
					k--;
				if (k == 0)
					break;
				k--;
			}
		}
		/* the leaves, each path once per layer: the efficiency figures */
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			uint64_t size = e->size;
			pnode *p;
			if (e->type == IMG_E_OPAQUE)
				continue;
			p = &t.ids[eid[i]];
			if (p->stamp == stamp)
				continue; /* a directory with children, or a path already counted */
			p->stamp = stamp;
			if (e->type == IMG_E_WHITEOUT) {
				size = 0;
				if (p->pos && p->type == IMG_E_DIR)
					size = stack_subtree(&t, e->path, 1, 0);
			}
			if (!p->count) {
				p->smallest = size;
				n_eff++;
			}
			p->cumulative += size;
			if (size < p->smallest)
				p->smallest = size;
			p->count++;
		}
		/* stack this layer: removals of lower content first, then its entries */
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			if (e->type == IMG_E_OPAQUE) {
				stack_subtree(&t, e->path, 0, 1);
			} else if (e->type == IMG_E_WHITEOUT) {
				/* a file goes alone; only a directory needs a scan for its children */
				pnode *p = &t.ids[eid[i]];
				if (p->pos && p->type != IMG_E_DIR)
					stack_kill(&t, eid[i]);
				else if (p->pos)
					stack_subtree(&t, e->path, 1, 1);
			}
		}
		for (i = 0; i < l->n_entries; i++) {
			const atmo_image__entry *e = &l->entries[i];
			pnode *p;
			uint32_t k, id;
			if (e->type == IMG_E_OPAQUE || e->type == IMG_E_WHITEOUT)
				continue;
			p = &t.ids[eid[i]];
			if (p->pos && p->type == IMG_E_DIR && e->type != IMG_E_DIR)
				stack_subtree(&t, e->path, 0, 1);
			if (stack_set(&t, eid[i], e->path, e->size, e->type) < 0)
				goto nomem;
			/* implicit parent directories, as dive's tree has them: a whiteout of one
			 * hides its children */
			if (pid[i] == NO_ID)
				continue;
			id = pid[i];
			k = entry_parent_len(e);
			for (;;) {
				if (t.ids[id].pos)
					break;
				if (stack_set(&t, id, t.ids[id].path, 0, IMG_E_DIR) < 0)
					goto nomem;
				while (k > 0 && e->path[k - 1] != '/')
					k--;
				if (k == 0)
					break;
				k--;
				if (path_id(&t, e->path, k, atmo__map_hash(e->path, k), 1,
					    &img->strings, &id) < 0)
					goto nomem;
			}
		}
		if (t.live * 2 < t.n_stk)
			stack_compact(&t);
	}
	/* score and waste */
	eff = atmo__malloc((n_eff + 1) * sizeof(*eff), NULL);
	if (!eff)
		goto nomem;
	img->n_ineff = 0;
	for (i = 0; i < t.n; i++) {
		const pnode *p = &t.ids[i];
		if (!p->count)
			continue;
		sum_min += p->smallest;
		sum_cum += p->cumulative;
		if (p->count >= 2) {
			atmo_image__eff *x = &eff[img->n_ineff++];
			img->wasted += p->cumulative;
			img->wasted_corrected += p->cumulative - p->smallest;
			x->path = p->path;
			x->cumulative = p->cumulative;
			x->smallest = p->smallest;
			x->count = p->count;
		}
	}
	img->score = sum_cum == 0 ? 1.0 : (double)sum_min / (double)sum_cum;
	if (img->n_ineff)
		qsort(eff, img->n_ineff, sizeof(*eff), cmp_ineff);
	img->ineff = eff;
	eff = NULL;
	/* the final filesystem */
	img->tree = atmo__malloc((t.live + 1) * sizeof(*img->tree), NULL);
	if (!img->tree)
		goto nomem;
	for (i = 0; i < t.n_stk; i++) {
		const pnode *p = &t.ids[t.stk[i]];
		if (p->pos != i + 1)
			continue;
		img->tree[img->n_tree].path = p->path;
		img->tree[img->n_tree].size = p->size;
		img->tree[img->n_tree].type = p->type;
		img->n_tree++;
	}
	if (img->have_packages && (rc = packages(img, err)) < 0)
		goto done;
	goto done;
nomem:
	rc = atmo__error_nomem(err);
done:
	atmo__free(eff);
	atmo__free(eid);
	atmo__free(pid);
	atmo__free(t.ids);
	atmo__free(t.stk);
	atmo__map_free(&t.map);
	return rc;
}
