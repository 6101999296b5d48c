/*
 * Render benchmark (run by tests/bench/bench_render.sh from `make bench`):
 *  1. 100 graph documents of realistic size (7 to 30 nodes: stages, external
 *     images, named contexts; base, copy, mount and ONBUILD edges; sizes on
 *     some) rendered in-process to SVG; in the same run each one written as
 *     DOT (atmograph's dot format) and fed to a `dot -Tsvg` process, which is
 *     what sphinx.ext.graphviz does. Per-diagram times, the ratio, targets.
 *  2. 10,000 in-process renders, resident memory before and after.
 * Usage: render_bench [--quick] [--renders N] [--dump I FILE (write graph I and stop)]
 */

#include <dlfcn.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <gvc.h>
#include "atmograph/render.h"

extern char **environ;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The machine's load, printed so that wall times can be judged (a shared machine inflates them). */
static void print_load(const char *when)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	printf("load average %s: %s (%ld CPUs)\n", when, buf, sysconf(_SC_NPROCESSORS_ONLN));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A small deterministic generator (no libc rand: same graphs on every machine). */
static unsigned long long seed = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static const char *const words[] = { "builder", "runtime", "service", "deps", "wheels", "assets",
				     "test", "lint", "docs", "final", "base", "tools", "venv", "web" };
static const char *const images[] = { "debian:bookworm-slim", "python:3.11-slim", "golang:1.22",
				      "node:20-bookworm", "alpine:3.19", "ubuntu:24.04" };
static const char *const paths[] = { "/venv", "/usr/local/bin/app", "/srv/static", "/wheels",
				      "/etc/app/config.yaml", "/opt/app", "/root/.cache/pip" };

/* A graph document with `n` nodes (one image, or three when `multi`). */
static json_t *make_doc(unsigned n, int multi)
{
	json_t *doc = json_pack("{s:s, s:[], s:[], s:[]}", "schema", "atmograph.graph/1", "images", "nodes",
				"edges");
	json_t *nodes = json_object_get(doc, "nodes"), *edges = json_object_get(doc, "edges");
	char ids[40][96];
	unsigned nimg = multi ? 3 : 1, i, k, next = 0, line = 1, nstages = 0;
	unsigned stage_idx[40];
	char img[32];

	for (k = 0; k < nimg; k++) {
		snprintf(img, sizeof(img), multi ? "img%u" : "dockerfile", k);
		json_array_append_new(json_object_get(doc, "images"),
				      json_pack("{s:s, s:s, s:s, s:{s:I}}", "id", img, "label",
						multi ? words[k] : "app", "dockerfile", "Dockerfile", "size", "bytes",
						(json_int_t)(80000000 + 40000000 * k)));
	}
	/* external images first (1 or 2 per image), then stages */
	for (k = 0; k < nimg && next < n; k++) {
		unsigned e, ne = 1 + (n > 12);
		snprintf(img, sizeof(img), multi ? "img%u" : "dockerfile", k);
		for (e = 0; e < ne && next < n; e++) {
			const char *ref = images[(k * 2 + e) % 6];
			snprintf(ids[next], sizeof(ids[next]), "%s/image/%s", img, ref);
			json_array_append_new(nodes, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", ids[next],
							       "kind", "image", "image", img, "name", ref, "ref", ref));
			next++;
		}
	}
	for (i = next; i < n; i++) {
		unsigned im = multi ? (i - next) * nimg / (n - next) : 0, base, c;
		unsigned ninstr = 2 + rnd(5);
		json_t *instr = json_array(), *node;
		snprintf(img, sizeof(img), multi ? "img%u" : "dockerfile", im);
		snprintf(ids[i], sizeof(ids[i]), "%s/stage/%s-%u", img, words[i % 14], i);
		for (c = 0; c < ninstr; c++)
			json_array_append_new(instr, json_pack("{s:s, s:i, s:i, s:s}", "keyword", c ? "run" : "from",
							       "line", (int)(line + c), "end_line", (int)(line + c),
							       "text", c ? "RUN apt-get update && apt-get install -y --no-install-recommends python3" : "FROM base"));
		base = nstages && rnd(3) ? stage_idx[rnd(nstages)] : rnd(next);
		node = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:b, s:b, s:b, s:s, s:o}",
				 "id", ids[i], "kind", "stage", "image", img, "name", ids[i] + strlen(img) + 7,
				 "index", (int)nstages, "base", ids[base] + strlen(img) + 7, "line", (int)line,
				 "end_line", (int)(line + ninstr - 1), "target", i == n - 1, "used", i % 11 != 5,
				 "build_only", i % 3 == 0, "anchor", "stage-anchor", "instructions", instr);
		if (i % 2)
			json_object_set_new(node, "size", json_pack("{s:I, s:I}", "bytes",
								     (json_int_t)(1000000 + 3000000 * rnd(40)),
								     "own_bytes", (json_int_t)(100000 * rnd(90))));
		if (i % 4 == 1)
			json_object_set_new(node, "description", json_string("builds the thing the next stage copies"));
		json_array_append_new(nodes, node);
		json_array_append_new(edges, json_pack("{s:s, s:s, s:s, s:i}", "from", ids[base], "to", ids[i],
						       "kind", "base", "line", (int)line));
		/* a COPY --from or a mount from an earlier stage now and then */
		if (nstages && rnd(2))
			json_array_append_new(edges, json_pack("{s:s, s:s, s:s, s:i, s:[s], s:s}", "from",
							       ids[stage_idx[rnd(nstages)]], "to", ids[i], "kind",
							       rnd(3) ? "copy" : "mount", "line", (int)line + 1,
							       "sources", paths[rnd(7)], "dest", paths[rnd(7)]));
		stage_idx[nstages++] = i;
		line += ninstr + 1;
	}
	json_object_set_new(doc, "target", json_string(ids[n - 1]));
	json_object_set_new(doc, "kept_out", json_pack("{s:I, s:[s,s]}", "bytes", (json_int_t)123456789, "packages",
						       "gcc", "libc6-dev"));
	return doc;
}

static char *render(atmo_renderer *r, json_t *doc, atmo_format f, size_t *len)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	atmo_error err;
	char *data = NULL;

	o.format = f;
	o.link_base = "images.html";
	atmo_error_clear(&err);
	if (atmo_render(&data, len, r, doc, &o, NULL, &err) != 0) {
		fprintf(stderr, "render_bench: render failed: %s\n", err.text);
		exit(1);
	}
	return data;
}

/* Time one `dot -Tsvg FILE -o /dev/null` process: wall time, and its CPU time in *cpu. */
static double time_dot_process(const char *file, double *cpu)
{
	char *argv[] = { (char *)"dot", (char *)"-Tsvg", (char *)file, (char *)"-o", (char *)"/dev/null", NULL };
	double t0 = now_ms();
	struct rusage ru;
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0) {
		fprintf(stderr, "render_bench: cannot run dot\n");
		exit(1);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "render_bench: dot failed on %s\n", file);
		exit(1);
	}
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return now_ms() - t0;
}

/* Resident memory growth (kB) over n renders of the graphs i with i % 5 == 4 (multi) or not. */
static long growth(atmo_renderer *r, json_t **docs, long n, int multi)
{
	long k, done = 0, before;
	size_t len;
	for (k = 0; done < 200; k++)
		if ((k % 5 == 4) == multi)
			free(render(r, docs[k % 100], ATMO_FORMAT_SVG, &len)), done++;
	before = rss_kb();
	for (k = 0, done = 0; done < n; k++)
		if ((k % 5 == 4) == multi)
			free(render(r, docs[k % 100], ATMO_FORMAT_SVG, &len)), done++;
	return rss_kb() - before;
}

/*
 * The floor under any in-process renderer that uses dot: Graphviz's gvLayout alone, on
 * the same graph's DOT, in a context with only the core and dot layout plugins (what
 * atmograph's SVG path uses: no text layout plugin). NULL when the plugins cannot be
 * found; the figure is then not printed.
 */
static GVC_t *layout_only_context(void)
{
	static const char *const libs[2] = { "libgvplugin_core.so.6", "libgvplugin_dot_layout.so.6" };
	static lt_symlist_t builtins[3] = {
		{ "gvplugin_core_LTX_library", NULL },
		{ "gvplugin_dot_layout_LTX_library", NULL },
		{ NULL, NULL },
	};
	Dl_info info;
	char file[4096];
	const char *slash;
	int k;

	if (!dladdr((void *)gvContext, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')))
		return NULL;
	for (k = 0; k < 2; k++) {
		void *h;
		snprintf(file, sizeof(file), "%.*s/graphviz/%s", (int)(slash - info.dli_fname), info.dli_fname,
			 libs[k]);
		if (!(h = dlopen(file, RTLD_NOW | RTLD_LOCAL)) || !(builtins[k].address = dlsym(h, builtins[k].name)))
			return NULL;
	}
	return gvContextPlugins(builtins, 0);
}

/* Mean wall time (ms) of gvLayout alone on this DOT text over reps runs; -1 on failure. */
static double time_layout_only(GVC_t *gvc, char *dot, int reps)
{
	double total = 0;
	int k;

	for (k = 0; k < reps; k++) {
		Agraph_t *g = agmemread(dot);
		double t0;
		if (!g)
			return -1;
		t0 = now_ms();
		if (gvLayout(gvc, g, "dot") != 0) {
			agclose(g);
			return -1;
		}
		total += now_ms() - t0;
		gvFreeLayout(gvc, g);
		agclose(g);
	}
	return total / reps;
}

int main(int argc, char **argv)
{
	int quick = 0, i, reps = 20, dump = -1;
	const char *dump_file = NULL;
	long renders = 10000, rss0, rss1, bound_kb = 8 * 1024;
	atmo_renderer *r = NULL;
	json_t *docs[100];
	unsigned sizes[100];
	double in_total = 0, out_total = 0, t7 = -1, c7 = -1, in_cpu = 0, out_cpu = 0, ratios[100];
	double layout_total = 0;
	GVC_t *layout_gvc = NULL;
	int at20 = 0;
	char tmpl[] = "/tmp/atmo-render-bench-XXXXXX";
	char dotfile[128];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--renders") && i + 1 < argc)
			renders = atol(argv[++i]);
		else if (!strcmp(argv[i], "--dump") && i + 2 < argc)
			dump = atoi(argv[++i]), dump_file = argv[++i];
	}
	if (quick)
		reps = 5;
	if (atmo_renderer_new(&r, NULL) != 0 || !mkdtemp(tmpl)) {
		fprintf(stderr, "render_bench: setup failed\n");
		return 1;
	}
	snprintf(dotfile, sizeof(dotfile), "%s/graph.dot", tmpl);
	for (i = 0; i < 100; i++) {
		sizes[i] = 7 + (unsigned)(i * 23 / 99);
		docs[i] = make_doc(sizes[i], i % 5 == 4);
	}
	if (dump >= 0 && dump < 100)
		return json_dump_file(docs[dump], dump_file, JSON_INDENT(1)) != 0;
	/* warm up: fonts, plugins */
	for (i = 0; i < 20; i++) {
		size_t len;
		free(render(r, docs[i % 100], ATMO_FORMAT_SVG, &len));
	}

	layout_gvc = layout_only_context();
	print_load("before");
	printf("graphviz %s in-process vs `dot -Tsvg` process per diagram (wall time; CPU time)\n",
	       atmo_render_graphviz_version(r));
	printf("%5s %6s %10s %10s %8s %10s %10s\n", "graph", "nodes", "in-process", "dot -Tsvg", "ratio",
	       "cpu in", "cpu dot");
	for (i = 0; i < 100; i++) {
		size_t len;
		double t0, c0, tin, cin, tout, cout = 0;
		char *dot;
		FILE *f;
		int k;

		t0 = now_ms();
		c0 = cpu_ms();
		for (k = 0; k < reps; k++)
			free(render(r, docs[i], ATMO_FORMAT_SVG, &len));
		tin = (now_ms() - t0) / reps;
		cin = (cpu_ms() - c0) / reps;

		dot = render(r, docs[i], ATMO_FORMAT_DOT, &len);
		f = fopen(dotfile, "w");
		if (!f || fwrite(dot, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "render_bench: cannot write %s\n", dotfile);
			return 1;
		}
		if (layout_gvc && layout_total >= 0) {
			double tl = time_layout_only(layout_gvc, dot, reps);
			layout_total = tl < 0 ? -1 : layout_total + tl;
		}
		free(dot);
		tout = time_dot_process(dotfile, &cout);
		in_total += tin;
		out_total += tout;
		in_cpu += cin;
		out_cpu += cout;
		if (sizes[i] == 7 && (t7 < 0 || tin < t7))
			t7 = tin;
		if (sizes[i] == 7 && (c7 < 0 || cin < c7))
			c7 = cin;
		ratios[i] = tout / tin;
		at20 += ratios[i] >= 20;
		printf("%5d %6u %7.3f ms %7.3f ms %7.1fx %7.3f ms %7.3f ms%s\n", i, sizes[i], tin, tout,
		       tout / tin, cin, cout, i % 5 == 4 ? "  (3 images)" : "");
	}
	unlink(dotfile);
	rmdir(tmpl);
	printf("\nmean per diagram (wall): in-process %.3f ms, dot -Tsvg process %.3f ms: %.1fx faster\n",
	       in_total / 100, out_total / 100, out_total / in_total);
	printf("mean per diagram (CPU): in-process %.3f ms, dot -Tsvg process %.3f ms: %.1fx less\n",
	       in_cpu / 100, out_cpu / 100, out_cpu / in_cpu);
	qsort(ratios, 100, sizeof(double), cmp_double);
	printf("per-diagram ratio: median %.1fx, lowest %.1fx, highest %.1fx; %d of 100 diagrams >= 20x\n",
	       (ratios[49] + ratios[50]) / 2, ratios[0], ratios[99], at20);
	printf("target >= 20x faster per diagram (ratio of mean wall times): %.1fx %s\n", out_total / in_total,
	       out_total / in_total >= 20 ? "PASS" : "MISS");
	if (layout_gvc && layout_total > 0)
		printf("floor: Graphviz's dot layout alone (gvLayout in-process, same graphs) %.3f ms mean, "
		       "%.0f%% of the in-process render; the 20x budget is %.3f ms, so dot's layout alone "
		       "allows at most %.1fx\n",
		       layout_total / 100, 100 * layout_total / in_total, out_total / 100 / 20,
		       out_total / layout_total);
	print_load("after");
	printf("target 7-node graph under 1 ms in-process (wall): %.3f ms %s\n", t7, t7 < 1.0 ? "PASS" : "MISS");
	printf("target 7-node graph under 1 ms in-process (CPU time): %.3f ms %s\n", c7, c7 < 1.0 ? "PASS" : "MISS");

	/* memory: renders of every kind of graph, resident size before and after */
	for (i = 0; i < 500; i++) {
		size_t len;
		free(render(r, docs[i % 100], ATMO_FORMAT_SVG, &len));
	}
	rss0 = rss_kb();
	{
		double t0 = now_ms();
		long k;
		for (k = 0; k < renders; k++) {
			size_t len;
			free(render(r, docs[k % 100], ATMO_FORMAT_SVG, &len));
		}
		rss1 = rss_kb();
		printf("\n%ld renders of the 100 graphs in %.1f s; resident memory %ld kB before, %ld kB after: %+ld kB\n",
		       renders, (now_ms() - t0) / 1000, rss0, rss1, rss1 - rss0);
	}
	printf("target no memory growth over %ld renders (bound %ld kB): %s\n", renders, bound_kb,
	       rss1 - rss0 <= bound_kb ? "PASS" : "MISS");
	{
		long n = quick ? 500 : 2000;
		long g1 = growth(r, docs, n, 0), g3 = growth(r, docs, n, 1);
		printf("breakdown: one-image graphs %+ld kB over %ld renders (%.2f kB each); "
		       "3-image graphs (clusters) %+ld kB over %ld renders (%.2f kB each)\n",
		       g1, n, (double)g1 / n, g3, n, (double)g3 / n);
	}
	for (i = 0; i < 100; i++)
		json_decref(docs[i]);
	atmo_renderer_free(r);
	return 0;
}
