/* The parsed file's public getters, and its free. */
#include <string.h>
#include <strings.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

void atmo_dockerfile_free(atmo_dockerfile *df)
{
	if (!df)
		return;
	atmo__free(df->ins);
	atmo__free(df->warnings);
	atmo__arena_free(&df->arena);
	atmo__free(df);
}

size_t atmo_dockerfile_count(const atmo_dockerfile *df)
{
	return df ? df->n_ins : 0;
}

const atmo_instruction *atmo_dockerfile_at(const atmo_dockerfile *df, size_t i)
{
	if (!df || i >= df->n_ins)
		return NULL;
	return &df->ins[i].pub;
}

/* the name before i-th getters were spelled _at; kept in the ABI */
const atmo_instruction *atmo_dockerfile_get(const atmo_dockerfile *df, size_t i)
{
	return atmo_dockerfile_at(df, i);
}

size_t atmo_instruction_arg_len(const atmo_instruction *ins, size_t i)
{
	const atmo__instr *in = (const atmo__instr *)ins;
	if (!ins || i >= ins->n_args)
		return 0;
	return in->arg_lens ? in->arg_lens[i] : strlen(ins->args[i]);
}

char atmo_dockerfile_escape(const atmo_dockerfile *df)
{
	return df ? df->escape : '\\';
}

const char *atmo_dockerfile_directive(const atmo_dockerfile *df, const char *key)
{
	if (!df || !key)
		return NULL;
	if (!strcasecmp(key, "syntax"))
		return df->syntax;
	if (!strcasecmp(key, "escape"))
		return df->escape_value;
	if (!strcasecmp(key, "check"))
		return df->check;
	return NULL;
}

const char *atmo_dockerfile_source(const atmo_dockerfile *df)
{
	return df ? df->source : NULL;
}

size_t atmo_dockerfile_warning_count(const atmo_dockerfile *df)
{
	return df ? df->n_warn : 0;
}

const atmo_error *atmo_dockerfile_warning_at(const atmo_dockerfile *df, size_t i)
{
	if (!df || i >= df->n_warn)
		return NULL;
	return &df->warnings[i];
}

/* the name before i-th getters were spelled _at; kept in the ABI */
const atmo_error *atmo_dockerfile_warning(const atmo_dockerfile *df, size_t i)
{
	return atmo_dockerfile_warning_at(df, i);
}
