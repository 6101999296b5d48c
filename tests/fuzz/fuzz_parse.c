/* libFuzzer target: parse + dump + JSON + validate, and word expansion of
 * every flag, argument and heredoc body of what parsed. No input may crash,
 * leak or trip a sanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/alloc.h"
#include "atmograph/dockerfile.h"

/* a few variables set, some empty, the rest unset */
static const char *lookup(const char *name, size_t len, void *payload)
{
	(void)payload;
	if (!len)
		return NULL;
	switch (name[0]) {
	case 'A': return "a value with  spaces";
	case 'E': return "";
	case 'P': return "/home/*/x?y";
	default: return NULL;
	}
}

static void expand(const char *s, char escape)
{
	char *out = NULL, **words = NULL;
	size_t n = 0;
	atmo_error e;
	atmo_error_clear(&e);
	if (atmo_shell_expand(&out, s, escape, lookup, NULL, &e) == 0)
		atmo_free(out);
	atmo_error_clear(&e);
	if (atmo_shell_expand_words(&words, &n, s, escape, lookup, NULL, &e) == 0)
		atmo_shell_words_free(words);
}

static void expand_instruction(const atmo_instruction *ins, char escape)
{
	size_t i;
	for (i = 0; i < ins->n_flags; i++)
		expand(ins->flags[i], escape);
	for (i = 0; i < ins->n_args; i++)
		expand(ins->args[i], escape);
	for (i = 0; i < ins->n_heredocs; i++)
		if (ins->heredocs[i].expand)
			expand(ins->heredocs[i].content, escape);
	if (ins->inner)
		expand_instruction(ins->inner, escape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	atmo_dockerfile *df = NULL;
	atmo_error e;
	char *dump = NULL;
	json_t *doc = NULL;
	size_t i;

	atmo_error_clear(&e);
	if (atmo_dockerfile_parse(&df, (const char *)data, size, "fuzz", &e) < 0) {
		if (!e.text[0])
			abort(); /* every error carries a message */
		return 0;
	}
	if (atmo_dockerfile_dump(&dump, df, &e) == 0)
		atmo_free(dump);
	if (atmo_dockerfile_to_json(&doc, df, &e) == 0) {
		char *s = json_dumps(doc, 0);
		if (!s)
			abort(); /* strings must be valid UTF-8 for jansson */
		atmo_free(s);
		json_decref(doc);
	}
	atmo_error_clear(&e);
	(void)atmo_dockerfile_validate(df, &e);
	for (i = 0; i < atmo_dockerfile_count(df); i++)
		expand_instruction(atmo_dockerfile_at(df, i), atmo_dockerfile_escape(df));
	/* expansion of the raw input too (bounded: it is one word) */
	if (size < 4096) {
		char *w = malloc(size + 1);
		if (w) {
			memcpy(w, data, size);
			w[size] = '\0';
			expand(w, '\\');
			free(w);
		}
	}
	atmo_dockerfile_free(df);
	return 0;
}
