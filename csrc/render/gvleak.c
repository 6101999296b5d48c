/*
 * Freeing what Graphviz 2.42's dot layout loses (Debian 11/12, Ubuntu 20.04
 * to 24.04: 2.42.2, which calls itself "2.43.0").
 *
 * What leaks, per layout (valgrind --leak-check=full, read against
 * lib/dotgen of 2.42.2):
 *  - the skeleton of every cluster: dot's class2() calls build_skeleton(),
 *    which makes one virtual node per rank of the cluster (its "rank
 *    leaders", ND_ranktype CLUSTER) chained by virtual edges, and class2's
 *    interclrep() routes edges between clusters through those leaders. When
 *    mincross expands the cluster, remove_rankleaders() unlinks the leaders
 *    and all their edges (delete_fast_edge, delete_fast_node) and drops them,
 *    and map_path() likewise unlinks the leader edges it reroutes: never
 *    freed (free_virtual_node_list in dot_cleanup only sees what is still
 *    linked). Upstream fixed it later (remove_rankleaders frees them).
 *  - with newrank=true, the "_new_rank" subgraph that fillRanks() makes for
 *    empty ranks of clusters: removeFill() detaches it with agdelsubg(),
 *    which only removes it from its parent's dictionary, instead of
 *    agclose().
 * All of it is unreachable once gvLayout returns: no pointer to it is left
 * anywhere, so it cannot be found and freed afterwards from the graph.
 *
 * So it is caught when dot drops it. The dot plugin calls its own
 * delete_fast_edge, delete_fast_node and cgraph's agdelsubg through its PLT;
 * those three slots of its GOT are pointed at the wrappers below, which call
 * dot's own functions and, only on the thread that is laying out a graph
 * given to atmo__gvleak_watch, note what dot just dropped for good:
 *  - an edge unlinked while one of its ends is a rank leader; it is "lost"
 *    once that leader is removed from the root's node list;
 *  - a rank leader removed from the root's node list (not the move of a
 *    sub-cluster's leaders from the cluster's list to the root's);
 *  - the "_new_rank" subgraph, closed right after dot detaches it (empty by
 *    then: removeFill has deleted its nodes; and still with all the graph
 *    attributes, which layout and rendering add later to attached subgraphs
 *    only). cgraph's agclose of a subgraph also closes the root's internal
 *    name maps (names starting with '%'): they are kept aside meanwhile.
 * The lost leaders and edges are freed when the graph is closed (a cgraph
 * callback on the root's deletion), after gvFreeLayout: stale pointers to
 * them (ED_to_virt of merged edges) are never read once dot is done. Nothing
 * that dot still owns is freed: an edge dot links again, or unlinks while
 * it is linked (dot_cleanup unlinks each edge it frees), is dropped from the
 * notes. Nothing is done on any other Graphviz, where dot frees these itself.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "render/graphviz_int.h"
#include "util/alloc.h"

/* Graphviz's lib/common/const.h (not installed): ND_node_type and ND_ranktype values */
#define GV_VIRTUAL 1
#define GV_CLUSTER 7

enum { NOTE_FREE = 0, NOTE_UNLINKED, NOTE_LOST, NOTE_DOT_OWNS };

/* What dot dropped: an open-addressing table of pointers. */
typedef struct {
	void *key;
	void *tail, *head; /* edges: the ends when dot unlinked it */
	int state;         /* NOTE_* */
} note;

typedef struct {
	note *v;
	size_t cap, n; /* cap: a power of two, or 0 */
} notes;

typedef struct gvleak_watch {
	Agraph_t *root;
	struct gvleak_watch **slot; /* the owner thread's `current`, to clear at close */
	notes edges, leaders;
} gvleak_watch;

static _Thread_local gvleak_watch *current;

/* The dot plugin's own functions, and whether its GOT points at the wrappers. */
static struct {
	pthread_mutex_t lock;
	int state;               /* 0: not tried, 1: patched, -1: off (version, plugin, GOT) */
	unsigned long long adds; /* dl_iterate_phdr's load count when last looked for the plugin */
	void (*delete_fast_edge)(Agedge_t *e);
	void (*delete_fast_node)(Agraph_t *g, Agnode_t *n);
	long (*agdelsubg)(Agraph_t *g, Agraph_t *sub);
	size_t freed_nodes, freed_edges, freed_subgraphs;
	int disabled; /* atmo_render_set_graphviz_fix(0): never patch */
} gl = { PTHREAD_MUTEX_INITIALIZER, 0, 0, NULL, NULL, NULL, 0, 0, 0, 0 };

/* Process-wide, as the patch it governs: the faces call it before any render
   (the CLI and the Python module from ATMOGRAPH_GVLEAK=off). */
void atmo_render_set_graphviz_fix(int enabled)
{
	pthread_mutex_lock(&gl.lock);
	gl.disabled = !enabled;
	pthread_mutex_unlock(&gl.lock);
}

static size_t hash_ptr(const void *p)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 33;
	x *= (uintptr_t)0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static note *notes_find(const notes *t, const void *key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = hash_ptr(key) & (t->cap - 1); t->v[i].key; i = (i + 1) & (t->cap - 1))
		if (t->v[i].key == key)
			return &t->v[i];
	return NULL;
}

/* The note of key, made (NOTE_FREE) if new; NULL when out of memory. */
static note *notes_add(notes *t, void *key)
{
	note *e;
	size_t i;

	if ((e = notes_find(t, key)))
		return e;
	if ((t->n + 1) * 2 > t->cap) {
		notes bigger = { NULL, t->cap ? t->cap * 2 : 64, 0 };
		size_t k;

		bigger.v = atmo__calloc(bigger.cap, sizeof(note), NULL);
		if (!bigger.v)
			return NULL;
		for (k = 0; k < t->cap; k++)
			if (t->v[k].key) {
				for (i = hash_ptr(t->v[k].key) & (bigger.cap - 1); bigger.v[i].key;
				     i = (i + 1) & (bigger.cap - 1))
					;
				bigger.v[i] = t->v[k];
				bigger.n++;
			}
		atmo__free(t->v);
		*t = bigger;
	}
	for (i = hash_ptr(key) & (t->cap - 1); t->v[i].key; i = (i + 1) & (t->cap - 1))
		;
	t->v[i].key = key;
	t->n++;
	return &t->v[i];
}

static int is_rank_leader(Agnode_t *n)
{
	return n && AGDATA(n) && ND_node_type(n) == GV_VIRTUAL && ND_ranktype(n) == GV_CLUSTER &&
	       ND_clust(n);
}

static int in_list(elist l, Agedge_t *e)
{
	int i;

	for (i = 0; l.list && i < l.size; i++)
		if (l.list[i] == e)
			return 1;
	return 0;
}

static void count(size_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void hook_delete_fast_edge(Agedge_t *e)
{
	gvleak_watch *w = current;
	note *k;

	if (w && (!e || agraphof(agtail(e)) != w->root))
		w = NULL; /* not the graph watched on this thread */
	if (!w) {
		gl.delete_fast_edge(e);
		return;
	}
	k = notes_find(&w->edges, e);
	if (k && k->state != NOTE_DOT_OWNS &&
	    (in_list(ND_out(agtail(e)), e) || in_list(ND_in(aghead(e)), e)))
		k->state =
			NOTE_DOT_OWNS; /* linked again: dot's (dot_cleanup unlinks, then frees) */
	else if (!k && (is_rank_leader(agtail(e)) || is_rank_leader(aghead(e))) &&
		 (in_list(ND_out(agtail(e)), e) || in_list(ND_in(aghead(e)), e))) {
		note *leader_t = notes_find(&w->leaders, agtail(e)),
		     *leader_h = notes_find(&w->leaders, aghead(e));
		if ((k = notes_add(&w->edges, e))) { /* out of memory: not noted, left to leak */
			k->tail = agtail(e);
			k->head = aghead(e);
			/* an end already removed for good: lost now */
			k->state = (leader_t && leader_t->state == NOTE_LOST) ||
						   (leader_h && leader_h->state == NOTE_LOST)
					   ? NOTE_LOST
					   : NOTE_UNLINKED;
		}
	}
	gl.delete_fast_edge(e);
}

static void hook_delete_fast_node(Agraph_t *g, Agnode_t *n)
{
	gvleak_watch *w = current;
	note *k;
	size_t i;

	gl.delete_fast_node(g, n);
	/* only the root's list: a sub-cluster's leaders also move from its parent's list to the root's */
	if (!w || !g || agroot(g) != w->root || !is_rank_leader(n) || !AGDATA(w->root) ||
	    g != GD_dotroot(w->root))
		return;
	if (!(k = notes_add(&w->leaders, n)))
		return; /* out of memory: left to leak */
	k->state = NOTE_LOST;
	for (i = 0; i < w->edges.cap; i++) {
		note *e = &w->edges.v[i];
		if (e->key && e->state == NOTE_UNLINKED &&
		    (e->tail == (void *)n || e->head == (void *)n))
			e->state = NOTE_LOST;
	}
}

static long hook_agdelsubg(Agraph_t *g, Agraph_t *sub)
{
	gvleak_watch *w = current;
	long rc = gl.agdelsubg(g, sub);
	Dict_t *by_name[3], *by_id[3];
	const char *name;

	/* removeFill: detached, empty, and referred to by nothing: what agclose would have freed */
	if (w && rc && g && sub && agroot(g) == w->root && agroot(sub) == w->root &&
	    agparent(sub) == g && (name = agnameof(sub)) && !strcmp(name, "_new_rank") &&
	    !agfstnode(sub) && !agfstsubg(sub)) {
		Agclos_t *clos = w->root->clos;
		memcpy(by_name, clos->lookup_by_name, sizeof(by_name));
		memcpy(by_id, clos->lookup_by_id, sizeof(by_id));
		memset(clos->lookup_by_name, 0, sizeof(by_name));
		memset(clos->lookup_by_id, 0, sizeof(by_id));
		agclose(sub);
		memcpy(clos->lookup_by_name, by_name, sizeof(by_name));
		memcpy(clos->lookup_by_id, by_id, sizeof(by_id));
		count(&gl.freed_subgraphs);
	}
	return rc;
}

/* Graphviz's own memory (its allocations, not the library's): free(). */
static void drop_list(elist *l)
{
	free(l->list);
	l->list = NULL;
	l->size = 0;
}

/* The graph is being closed (after gvFreeLayout): free what dot lost, and the watch. */
static void on_graph_delete(Agraph_t *g, Agobj_t *obj, void *arg)
{
	gvleak_watch *w = arg;
	size_t i;

	(void)g;
	if ((void *)obj != (void *)w->root)
		return; /* a subgraph closing */
	for (i = 0; i < w->edges.cap; i++) {
		Agedge_t *e = w->edges.v[i].key;
		if (e && w->edges.v[i].state == NOTE_LOST) {
			/* as dot_cleanup frees its virtual edges (new_virtual_edge's Agedgepair_t) */
			free(e->base.data);
			free(e);
			count(&gl.freed_edges);
		}
	}
	for (i = 0; i < w->leaders.cap; i++) {
		Agnode_t *n = w->leaders.v[i].key;
		if (n && w->leaders.v[i].state == NOTE_LOST) {
			drop_list(&ND_in(n));
			drop_list(&ND_out(n));
			drop_list(&ND_flat_in(n));
			drop_list(&ND_flat_out(n));
			drop_list(&ND_other(n));
			free(n->base.data);
			free(n);
			count(&gl.freed_nodes);
		}
	}
	if (*w->slot == w)
		*w->slot = NULL;
	atmo__free(w->edges.v);
	atmo__free(w->leaders.v);
	atmo__free(w);
}

static Agcbdisc_t close_disc = {
	{ NULL, NULL, on_graph_delete },
	{ NULL, NULL, NULL },
	{ NULL, NULL, NULL },
};

/* ---- pointing the dot plugin's GOT at the wrappers ------------------------------------ */

static const char *const hooked[3] = { "delete_fast_edge", "delete_fast_node", "agdelsubg" };

typedef struct {
	const char *name; /* the plugin's file, once found */
	uintptr_t base;
	const ElfW(Phdr) * phdr;
	ElfW(Half) phnum;
	unsigned long long adds;
} plugin_found;

static int find_plugin(struct dl_phdr_info *info, size_t size, void *arg)
{
	plugin_found *p = arg;
	const char *slash;

	(void)size;
	p->adds = info->dlpi_adds;
	if (!info->dlpi_name || !(slash = strrchr(info->dlpi_name, '/')) ||
	    strncmp(slash + 1, "libgvplugin_dot_layout.so", 25) != 0)
		return 0;
	p->name = info->dlpi_name;
	p->base = (uintptr_t)info->dlpi_addr;
	p->phdr = info->dlpi_phdr;
	p->phnum = info->dlpi_phnum;
	return 1;
}

static void write_slot(void **slot, void *fn, uintptr_t relro, size_t relro_len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), at = (uintptr_t)slot & ~(page - 1);
	int ro = (uintptr_t)slot >= relro && (uintptr_t)slot < relro + relro_len;

	if (ro && mprotect((void *)at, page, PROT_READ | PROT_WRITE) != 0)
		return;
	__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	if (ro)
		mprotect((void *)at, page, PROT_READ);
}

#if UINTPTR_MAX > 0xffffffffu
#define GV_R_SYM(i) ELF64_R_SYM(i)
#else
#define GV_R_SYM(i) ELF32_R_SYM(i)
#endif

/* Point the slots of one relocation table (REL or RELA entries) that name a hooked symbol. */
static int patch_table(const plugin_found *p, uintptr_t table, size_t bytes, int rela, int plt,
		       const ElfW(Sym) * symtab, const char *strtab, void *const originals[3],
		       void *const hooks[3], uintptr_t relro, size_t relro_len)
{
	size_t entsize = rela ? sizeof(ElfW(Rela)) : sizeof(ElfW(Rel)), i;
	int patched = 0, k;

	for (i = 0; table && i + entsize <= bytes; i += entsize) {
		const ElfW(Rel) *r = (const ElfW(Rel) *)(table + i); /* Rela starts like Rel */
		const char *name = strtab + symtab[GV_R_SYM(r->r_info)].st_name;
		void **slot = (void **)(p->base + r->r_offset);

		for (k = 0; k < 3; k++) {
			if (strcmp(name, hooked[k]) != 0)
				continue;
			/* outside the PLT, only a GOT entry that holds the function itself */
			if (plt || *slot == originals[k] || *slot == hooks[k]) {
				if (*slot != hooks[k])
					write_slot(slot, hooks[k], relro, relro_len);
				patched |= 1 << k;
			}
		}
	}
	return patched;
}

static int patch_plugin(const plugin_found *p)
{
	void *const hooks[3] = { (void *)hook_delete_fast_edge, (void *)hook_delete_fast_node,
				 (void *)hook_agdelsubg };
	void *originals[3];
	const ElfW(Dyn) *dyn = NULL, *d;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	uintptr_t jmprel = 0, rela = 0, rel = 0, relro = 0;
	size_t pltrelsz = 0, relasz = 0, relsz = 0, relro_len = 0;
	long pltrel = 0;
	void *h;
	int k, patched;

	for (k = 0; k < p->phnum; k++) {
		if (p->phdr[k].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(p->base + p->phdr[k].p_vaddr);
		else if (p->phdr[k].p_type == PT_GNU_RELRO) {
			relro = p->base + p->phdr[k].p_vaddr;
			relro_len = p->phdr[k].p_memsz;
		}
	}
	if (!dyn)
		return -1;
	/* dot's own functions: the plugin's definitions first (its handle's search order) */
	h = dlopen(p->name, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return -1;
	originals[0] = dlsym(h, hooked[0]);
	originals[1] = dlsym(h, hooked[1]);
	originals[2] = (void *)agdelsubg;
	/* the handle stays open: the plugin must not go away under the patched GOT */
	if (!originals[0] || !originals[1])
		return -1;
	for (d = dyn; d->d_tag != DT_NULL; d++) {
		/* ld.so has usually relocated these in place; not always */
		uintptr_t a = (uintptr_t)d->d_un.d_ptr < p->base ? p->base + d->d_un.d_ptr
								 : (uintptr_t)d->d_un.d_ptr;
		switch (d->d_tag) {
		case DT_SYMTAB:
			symtab = (const ElfW(Sym) *)a;
			break;
		case DT_STRTAB:
			strtab = (const char *)a;
			break;
		case DT_JMPREL:
			jmprel = a;
			break;
		case DT_PLTRELSZ:
			pltrelsz = d->d_un.d_val;
			break;
		case DT_PLTREL:
			pltrel = (long)d->d_un.d_val;
			break;
		case DT_RELA:
			rela = a;
			break;
		case DT_RELASZ:
			relasz = d->d_un.d_val;
			break;
		case DT_REL:
			rel = a;
			break;
		case DT_RELSZ:
			relsz = d->d_un.d_val;
			break;
		default:
			break;
		}
	}
	if (!symtab || !strtab)
		return -1;
	gl.delete_fast_edge = (void (*)(Agedge_t *))originals[0];
	gl.delete_fast_node = (void (*)(Agraph_t *, Agnode_t *))originals[1];
	gl.agdelsubg = (long (*)(Agraph_t *, Agraph_t *))originals[2];
	patched = patch_table(p, jmprel, pltrelsz, pltrel == DT_RELA, 1, symtab, strtab, originals,
			      hooks, relro, relro_len);
	patched |= patch_table(p, rela, relasz, 1, 0, symtab, strtab, originals, hooks, relro,
			       relro_len);
	patched |= patch_table(p, rel, relsz, 0, 0, symtab, strtab, originals, hooks, relro,
			       relro_len);
	/* all three or the notes would be wrong (a leader noted, its edges not) */
	return patched == 7 ? 0 : -1;
}

/* Only Graphviz 2.42.x (Debian's 2.42.2 says 2.43.0): the code read above. */
static int version_leaks(GVC_t *gvc)
{
	const char *v = gvc ? gvcVersion(gvc) : NULL;

	if (gl.disabled)
		return 0;
	return v && (!strncmp(v, "2.42.", 5) || !strncmp(v, "2.43.", 5));
}

/* Make sure the plugin is loaded (next to libgvc, as gvc finds it) so that it can be patched first. */
static void load_plugin(void)
{
	Dl_info info;
	char file[4096];
	const char *slash;

	if (!dladdr((void *)gvContext, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/')))
		return;
	snprintf(file, sizeof(file), "%.*s/graphviz/libgvplugin_dot_layout.so.6",
		 (int)(slash - info.dli_fname), info.dli_fname);
	(void)dlopen(file, RTLD_LAZY | RTLD_LOCAL); /* kept: Graphviz keeps its plugins too */
}

static int ensure_patched(GVC_t *gvc)
{
	plugin_found p;
	int rc;

	pthread_mutex_lock(&gl.lock);
	if (gl.state == 0) {
		if (!version_leaks(gvc)) {
			gl.state = -1;
		} else {
			memset(&p, 0, sizeof(p));
			if (!dl_iterate_phdr(find_plugin, &p)) {
				load_plugin();
				memset(&p, 0, sizeof(p));
				dl_iterate_phdr(find_plugin, &p);
			}
			gl.state = p.name && patch_plugin(&p) == 0 ? 1 : -1;
			gl.adds = p.adds;
		}
	} else if (gl.state == 1) {
		/* a library loaded since: the plugin may have been unloaded and loaded again */
		memset(&p, 0, sizeof(p));
		dl_iterate_phdr(find_plugin, &p);
		if (p.adds != gl.adds) {
			gl.adds = p.adds;
			if (!p.name || patch_plugin(&p) != 0)
				gl.state = -1;
		}
	}
	rc = gl.state;
	pthread_mutex_unlock(&gl.lock);
	return rc;
}

int atmo__gvleak_watch(GVC_t *gvc, Agraph_t *g)
{
	gvleak_watch *w;

	if (!g || agroot(g) != g || ensure_patched(gvc) != 1)
		return 0;
	if (current && current->root == g)
		return 1;
	/* the watch and its first tables before layout: dot cannot be told of a failure
	 * during it, and an unwatched layout leaks what 2.42's dot loses */
	w = atmo__calloc(1, sizeof(*w), NULL);
	if (!w)
		return ATMO_ENOMEM;
	w->edges.cap = w->leaders.cap = 64;
	w->edges.v = atmo__calloc(w->edges.cap, sizeof(note), NULL);
	w->leaders.v = atmo__calloc(w->leaders.cap, sizeof(note), NULL);
	if (!w->edges.v || !w->leaders.v) {
		atmo__free(w->edges.v);
		atmo__free(w->leaders.v);
		atmo__free(w);
		return ATMO_ENOMEM;
	}
	w->root = g;
	w->slot = &current;
	agpushdisc(g, &close_disc, w);
	current = w;
	return 1;
}

void atmo__gvleak_stats(atmo__gvleak_counts *out)
{
	pthread_mutex_lock(&gl.lock);
	out->active = gl.state == 1;
	pthread_mutex_unlock(&gl.lock);
	out->nodes = __atomic_load_n(&gl.freed_nodes, __ATOMIC_RELAXED);
	out->edges = __atomic_load_n(&gl.freed_edges, __ATOMIC_RELAXED);
	out->subgraphs = __atomic_load_n(&gl.freed_subgraphs, __ATOMIC_RELAXED);
}
