/* libFuzzer: bake files, HCL or JSON (variables, functions, matrix, inherits,
 * groups, links, --print) and, with the same bytes, Dockerfile lowering. Nothing is read from disk or run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/alloc.h"
#include "atmograph/bake.h"
#include "atmograph/build.h"

static const char *no_env(const char *name, size_t len, void *payload)
{
	(void)name;
	(void)len;
	(void)payload;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	atmo_bake *b = NULL;
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	const char *sets[] = { "TAG=fuzz" };
	atmo_error err;
	char *low = NULL;
	json_t *files = NULL;

	o.env = no_env;
	o.set_vars = sets;
	o.n_set_vars = 1;
	atmo_error_clear(&err);
	if (atmo_bake_load_string(&b, (const char *)data, size, "<fuzz>", &o, &err) == 0) {
		json_t *doc = NULL;
		size_t *order = NULL, n = 0, i;
		if (atmo_bake_print(&doc, b, NULL, 0, &err) == 0)
			json_decref(doc);
		for (i = 0; i < atmo_bake_target_count(b); i++) {
			const char *name = atmo_bake_target_at(b, i)->name;
			if (atmo_bake_select(&order, &n, b, &name, 1, &err) == 0)
				atmo_free(order);
			order = NULL;
		}
		atmo_bake_free(b);
	}
	atmo_error_clear(&err);
	if (atmo_dockerfile_lower(&low, NULL, &files, (const char *)data, size, "<fuzz>", &err) == 0) {
		atmo_free(low);
		json_decref(files);
	}
	return 0;
}
