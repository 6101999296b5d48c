/* bake_bench [TARGETS [SECONDS]]: read time of a generated bake file of TARGETS
 * targets (default 500; variables, templates, a function, inherits, one matrix),
 * in HCL and in JSON (the same targets, as `--print` writes them), in process:
 * atmo_bake_load_string repeated for at least SECONDS of CPU time.
 * Prints "bake_bench: hcl N targets, B bytes, X ms a read" and the same for json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "atmograph/alloc.h"
#include "atmograph/bake.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *gen_hcl(int n)
{
	size_t cap = (size_t)n * 600 + 4096, len = 0;
	char *s = malloc(cap);
	int i;

	if (!s)
		return NULL;
	len += (size_t)snprintf(s + len, cap - len,
				"variable \"REGISTRY\" {\n  default = \"registry.example.org/acme\"\n}\n"
				"variable \"TAG\" {\n  default = \"dev\"\n}\n"
				"function \"image\" {\n  params = [name]\n  result = \"${REGISTRY}/${name}:${TAG}\"\n}\n"
				"target \"_common\" {\n  args = { DEBIAN = \"bookworm\" }\n  platforms = [\"linux/amd64\"]\n}\n"
				"target \"matrix\" {\n  matrix = { v = [\"a\", \"b\", \"c\", \"d\"] }\n  name = \"m-${v}\"\n"
				"  inherits = [\"_common\"]\n  tags = [image(\"m-${v}\")]\n}\n");
	for (i = 0; i < n - 6; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"target \"t%d\" {\n  inherits = [\"_common\"]\n  context = \"svc/t%d\"\n"
					"  contexts = { base = \"target:_common\" }\n"
					"  args = { NAME = \"t%d\", N = %d }\n"
					"  labels = { \"org.example.name\" = \"t%d\" }\n"
					"  tags = [image(\"t%d\"), \"${REGISTRY}/t%d:latest\"]\n}\n",
					i, i, i, i, i, i, i);
	return s;
}

static double bench(const char *text, const char *name, double min_s, int *targets)
{
	double t0 = now(), t;
	int rounds = 0;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_error err;

	o.no_env = 1;
	atmo_error_clear(&err);
	do {
		atmo_bake *b = NULL;
		if (atmo_bake_load_string(&b, text, strlen(text), name, &o, &err) < 0) {
			fprintf(stderr, "bake_bench: %s\n", err.text);
			exit(1);
		}
		*targets = (int)atmo_bake_target_count(b);
		atmo_bake_free(b);
		rounds++;
		t = now() - t0;
	} while (t < min_s || rounds < 3);
	return t / rounds * 1000.0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500, targets = 0;
	double min_s = argc > 2 ? atof(argv[2]) : 1.0, ms;
	char *hcl = gen_hcl(n), *json = NULL;
	size_t len;
	atmo_bake *b = NULL;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_error err;

	if (!hcl)
		return 1;
	ms = bench(hcl, "docker-bake.hcl", min_s, &targets);
	printf("bake_bench: hcl %d targets, %zu bytes, %.2f ms a read\n", targets, strlen(hcl), ms);
	/* the peer: the same targets in the JSON form --print writes, read the same way */
	o.no_env = 1;
	atmo_error_clear(&err);
	if (atmo_bake_load_string(&b, hcl, strlen(hcl), "docker-bake.hcl", &o, &err) < 0 ||
	    atmo_bake_print_text(&json, &len, b, (const char *const[]){ "*" }, 1, &err) < 0) {
		fprintf(stderr, "bake_bench: %s\n", err.text);
		return 1;
	}
	atmo_bake_free(b);
	ms = bench(json, "docker-bake.json", min_s, &targets);
	printf("bake_bench: json %d targets, %zu bytes, %.2f ms a read\n", targets, len, ms);
	atmo_free(json);
	free(hcl);
	return 0;
}
