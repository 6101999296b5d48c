/* The parse result as JSON, schema "atmograph.parse/1". */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"

/* a JSON string from bytes that may hold invalid UTF-8 (replaced by U+FFFD) */
static json_t *jstr(const char *s, size_t n)
{
	return s ? atmo__utf8_json_string(s, n) : json_null();
}

static json_t *jstrz(const char *s)
{
	return s ? jstr(s, strlen(s)) : json_null();
}

static int set(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *instr_json(const atmo_instruction *ins)
{
	json_t *o = json_object(), *a;
	size_t i;
	int bad = 0;

	if (!o)
		return NULL;
	bad |= set(o, "keyword", jstrz(ins->keyword));
	bad |= set(o, "original", jstrz(ins->original));
	bad |= set(o, "line", json_integer(ins->start_line));
	bad |= set(o, "end_line", json_integer(ins->end_line));
	a = json_array();
	for (i = 0; a && i < ins->n_flags; i++)
		bad |= json_array_append_new(a, jstrz(ins->flags[i]));
	bad |= set(o, "flags", a);
	a = json_array();
	for (i = 0; a && i < ins->n_args; i++)
		bad |= json_array_append_new(a,
					     jstr(ins->args[i], atmo_instruction_arg_len(ins, i)));
	bad |= set(o, "args", a);
	bad |= set(o, "json", json_boolean(ins->json));
	a = json_array();
	for (i = 0; a && i < ins->n_heredocs; i++) {
		const atmo_heredoc *h = &ins->heredocs[i];
		json_t *hj = json_object();
		if (!hj) {
			bad = 1;
			break;
		}
		bad |= set(hj, "name", jstrz(h->name));
		bad |= set(hj, "content", jstrz(h->content));
		bad |= set(hj, "expand", json_boolean(h->expand));
		bad |= set(hj, "chomp", json_boolean(h->chomp));
		bad |= set(hj, "fd", h->fd < 0 ? json_null() : json_integer(h->fd));
		bad |= json_array_append_new(a, hj);
	}
	bad |= set(o, "heredocs", a);
	bad |= set(o, "inner", ins->inner ? instr_json(ins->inner) : json_null());
	bad |= set(o, "comment", jstrz(ins->comment));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int atmo_dockerfile_to_json(json_t **out, const atmo_dockerfile *df, atmo_error *err)
{
	json_t *doc, *dirs, *list;
	size_t i;
	int bad = 0;
	char esc[2];

	atmo_error_clear(err);
	if (!out || !df)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_dockerfile_to_json: NULL argument");
	*out = NULL;
	doc = json_object();
	if (!doc)
		return atmo__error_nomem(err);
	bad |= set(doc, "schema", json_string("atmograph.parse/1"));
	bad |= set(doc, "source", jstrz(df->source));
	dirs = json_object();
	if (dirs && df->syntax)
		bad |= set(dirs, "syntax", jstrz(df->syntax));
	if (dirs && df->escape_value)
		bad |= set(dirs, "escape", jstrz(df->escape_value));
	if (dirs && df->check)
		bad |= set(dirs, "check", jstrz(df->check));
	bad |= set(doc, "directives", dirs);
	esc[0] = df->escape;
	esc[1] = '\0';
	bad |= set(doc, "escape", json_string(esc));
	list = json_array();
	for (i = 0; list && i < df->n_ins; i++)
		bad |= json_array_append_new(list, instr_json(&df->ins[i].pub));
	bad |= set(doc, "instructions", list);
	list = json_array();
	for (i = 0; list && i < df->n_warn; i++) {
		const atmo_error *w = &df->warnings[i];
		json_t *wj = json_object();
		if (!wj) {
			bad = 1;
			break;
		}
		bad |= set(wj, "source", jstrz(w->source));
		bad |= set(wj, "line", json_integer(w->line));
		bad |= set(wj, "column", json_integer(w->column));
		bad |= set(wj, "text", jstrz(w->text));
		bad |= json_array_append_new(list, wj);
	}
	bad |= set(doc, "warnings", list);
	if (bad) {
		json_decref(doc);
		return atmo__error_nomem(err);
	}
	*out = doc;
	return 0;
}
