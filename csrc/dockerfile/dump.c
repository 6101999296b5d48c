/* BuildKit's AST dump (Node.Dump): the form of the parser's `result` files. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

static void sep(atmo_buf *b)
{
	/* Dump() trims leading space: no blank right after '(' */
	if (b->len && b->ptr[b->len - 1] != '(')
		atmo__buf_putc(b, ' ');
}

static void dump_one(atmo_buf *b, const atmo_instruction *ins)
{
	size_t i;
	atmo__buf_putc(b, '(');
	atmo__buf_puts(b, ins->keyword ? ins->keyword : "");
	if (ins->n_flags) {
		sep(b);
		atmo__buf_putc(b, '[');
		for (i = 0; i < ins->n_flags; i++) {
			if (i)
				atmo__buf_putc(b, ' ');
			atmo__quote(b, ins->flags[i], strlen(ins->flags[i]));
		}
		atmo__buf_putc(b, ']');
	}
	if (ins->inner) {
		sep(b);
		dump_one(b, ins->inner);
	} else {
		for (i = 0; i < ins->n_args; i++) {
			sep(b);
			atmo__quote(b, ins->args[i], atmo_instruction_arg_len(ins, i));
		}
	}
	atmo__buf_putc(b, ')');
}

int atmo_dockerfile_dump(char **out, const atmo_dockerfile *df, atmo_error *err)
{
	atmo_buf b = ATMO_BUF_INIT;
	size_t i;

	atmo_error_clear(err);
	if (!out || !df)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_dockerfile_dump: NULL argument");
	*out = NULL;
	for (i = 0; i < df->n_ins; i++) {
		dump_one(&b, &df->ins[i].pub);
		atmo__buf_putc(&b, '\n');
	}
	*out = atmo__buf_detach(&b);
	if (!*out)
		return atmo__error_nomem(err);
	return 0;
}
