/* BuildKit parity (issue 14): tests/data/parity/cases.txt holds, per
 * Dockerfile, what BuildKit's own front end makes of it (its error's line
 * and message, or its stage graph's edges and reachable stages), printed by
 * tests/parity/expect.py from ../shared/tools/bkref; references.txt holds
 * image references and distribution/reference's verdict on each. */
#include "harness.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"

static char *read_data(const char *rel, size_t *len)
{
	char path[1024], *text = NULL;
	atmo_error e;
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_read(&text, len, test_data_path(path, sizeof(path), rel), 0, &e), 0);
	return text;
}

/* parse and resolve: 0, or the error in *err */
static int resolve(const char *text, size_t len, atmo_dockerfile **df, atmo_graph **g,
		   atmo_error *err)
{
	int rc;
	*g = NULL;
	atmo_error_clear(err);
	rc = atmo_dockerfile_parse(df, text, len, "Dockerfile", err);
	if (rc < 0) {
		*df = NULL;
		return rc;
	}
	return atmo_graph_build(g, *df, NULL, err);
}

static const char *kind_name(atmo_edge_kind k)
{
	return k == ATMO_EDGE_COPY ? "copy" : k == ATMO_EDGE_MOUNT ? "mount" : "onbuild";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "kind:source>stage ..." sorted and without duplicates, as expect.py prints
 * BuildKit's dependencies (ONBUILD edges of stages that are not built left out) */
static void edges_of(const atmo_graph *g, char *buf, size_t n)
{
	size_t ne = atmo_graph_edge_count(g), i, k = 0, off = 0;
	char **items = calloc(ne ? ne : 1, sizeof(*items));
	assert_non_null(items);
	for (i = 0; i < ne; i++) {
		const atmo_graph_edge *e = atmo_graph_get_edge(g, i);
		const atmo_graph_node *src = atmo_graph_get_node(g, e->from);
		const atmo_graph_node *dst = atmo_graph_get_node(g, e->to);
		char item[512];
		if (e->kind == ATMO_EDGE_BASE)
			continue;
		if (e->kind == ATMO_EDGE_ONBUILD && !dst->used)
			continue;
		if (src->kind == ATMO_NODE_STAGE)
			snprintf(item, sizeof(item), "%s:stage:%d>%d", kind_name(e->kind), src->stage,
				 dst->stage);
		else
			snprintf(item, sizeof(item), "%s:image:%s>%d", kind_name(e->kind),
				 src->kind == ATMO_NODE_SCRATCH ? "scratch" : src->ref, dst->stage);
		items[k] = strdup(item);
		assert_non_null(items[k]);
		k++;
	}
	qsort(items, k, sizeof(*items), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < k; i++) {
		if (!i || strcmp(items[i], items[i - 1]))
			off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? " " : "", items[i]);
		assert_true(off < n);
	}
	if (!off)
		snprintf(buf, n, "-");
	for (i = 0; i < k; i++)
		free(items[i]);
	free(items);
}

static void used_of(const atmo_graph *g, char *buf, size_t n)
{
	size_t i, ns = atmo_graph_stage_count(g);
	assert_true(ns < n);
	for (i = 0; i < ns; i++)
		buf[i] = atmo_graph_stage(g, i)->used ? '1' : '0';
	buf[ns] = '\0';
}

/* one line of cases.txt; 1 when ours agrees */
static int check_case(char *line)
{
	char *f[4], *p = line, rel[512], got[2048], used[256];
	size_t nf = 0, len;
	char *text;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	atmo_error err;
	int rc, ok;
	while (nf < 4) {
		f[nf++] = p;
		if (!(p = strchr(p, '\t')))
			break;
		*p++ = '\0';
	}
	assert_true(nf >= 3);
	snprintf(rel, sizeof(rel), "parity/%s", f[0]);
	text = read_data(rel, &len);
	rc = resolve(text, len, &df, &g, &err);
	if (!strcmp(f[1], "ok")) {
		assert_int_equal(nf, 4);
		if (rc < 0) {
			printf("  FAIL %s: BuildKit accepts it; ours: %d:%d: %s\n", f[0], err.line,
			       err.column, err.text);
			ok = 0;
		} else {
			edges_of(g, got, sizeof(got));
			used_of(g, used, sizeof(used));
			ok = !strcmp(got, f[2]) && !strcmp(used, f[3]);
			if (!ok)
				printf("  FAIL %s: BuildKit: %s used=%s; ours: %s used=%s\n", f[0], f[2],
				       f[3], got, used);
		}
	} else {
		int line_no = atoi(f[1]);
		/* BuildKit's error without a location: any line of ours agrees, as long as
		 * there is one (every error here is located) */
		ok = rc < 0 && err.line > 0 && err.column > 0 && (line_no == 0 || err.line == line_no) &&
		     strstr(err.text, f[2]) != NULL;
		if (!ok)
			printf("  FAIL %s: BuildKit: %s: %s; ours: rc %d %d:%d: %s\n", f[0], f[1], f[2],
			       rc, err.line, err.column, rc < 0 ? err.text : "");
	}
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
	return ok;
}

static void buildkit_cases(void **state)
{
	size_t len;
	char *manifest = read_data("parity/cases.txt", &len), *line, *save = NULL;
	int total = 0, ok = 0;
	(void)state;
	for (line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#' || !*line)
			continue;
		total++;
		ok += check_case(line);
	}
	atmo_free(manifest);
	printf("parity: %d of %d cases as BuildKit\n", ok, total);
	assert_int_equal(ok, total);
	assert_true(total >= 35);
}

/* "FROM REF": accepted, or refused at line 1 with distribution/reference's message */
static void image_references(void **state)
{
	size_t len;
	char *table = read_data("parity/references.txt", &len), *line, *save = NULL;
	int total = 0, ok = 0;
	(void)state;
	for (line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *text, want[512];
		atmo_dockerfile *df = NULL;
		atmo_graph *g = NULL;
		atmo_error err;
		int rc, good;
		if (*line == '#' || !*line)
			continue;
		assert_non_null(tab);
		*tab = '\0';
		total++;
		text = malloc(strlen(line) + 8);
		assert_non_null(text);
		sprintf(text, "FROM %s\n", line);
		rc = resolve(text, strlen(text), &df, &g, &err);
		if (!strcmp(tab + 1, "ok")) {
			good = rc == 0;
		} else {
			snprintf(want, sizeof(want), "failed to parse stage name \"%s\": %s", line, tab + 1);
			good = rc == ATMO_EINVALID && err.line == 1 && !strcmp(err.text, want);
		}
		if (!good)
			printf("  FAIL %s: BuildKit: %s; ours: %s\n", line, tab + 1, rc ? err.text : "ok");
		ok += good;
		atmo_graph_free(g);
		atmo_dockerfile_free(df);
		free(text);
	}
	atmo_free(table);
	printf("parity: %d of %d image references as BuildKit\n", ok, total);
	assert_int_equal(ok, total);
	assert_true(total >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buildkit_cases),
		cmocka_unit_test(image_references),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
