/*
 * atmograph: reading Dockerfiles as BuildKit does.
 *
 * atmo_dockerfile_parse() turns text into a list of instructions; the
 * structs below are read-only views owned by the atmo_dockerfile.
 * atmo_shell_* implement BuildKit's word expansion (shell/lex.go).
 */
#ifndef ATMOGRAPH_DOCKERFILE_H
#define ATMOGRAPH_DOCKERFILE_H

#include <jansson.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atmo_dockerfile atmo_dockerfile;

/** Longest physical line accepted, in bytes without its newline (BuildKit's
 *  bufio.Scanner limit); longer lines are an ATMO_ELIMIT error. */
#define ATMO_DOCKERFILE_MAX_LINE 65535
/** Deepest ${...} nesting word expansion accepts; deeper is ATMO_ELIMIT. */
#define ATMO_SHELL_MAX_DEPTH 100
/** Longest result of expanding one word (ARG/ENV value, FROM, RUN --mount
 *  field, ...), in bytes; longer is ATMO_ELIMIT. `ARG A1=${A0}${A0}` chains
 *  double at each line: the cap keeps them from taking the machine. */
#define ATMO_SHELL_MAX_WORD ((size_t)1 << 20)
/** Total bytes all expansions of one Dockerfile may produce when its graph is
 *  built (atmo_graph_build); more is ATMO_ELIMIT at the instruction's line. */
#define ATMO_SHELL_MAX_TOTAL ((size_t)64 << 20)

/** A heredoc attached to a RUN, COPY or ADD instruction. */
typedef struct atmo_heredoc {
	const char *name;    /**< the delimiter word, quotes removed */
	const char *content; /**< the body, with a trailing newline; leading tabs removed for <<- */
	int expand;          /**< 0 when the delimiter was quoted: no variable expansion */
	int chomp;           /**< 1 for <<- */
	int fd;              /**< N of N<<EOF, -1 when not given */
} atmo_heredoc;

/** One instruction, with its start and end line (1-based, inclusive). */
typedef struct atmo_instruction {
	const char *keyword;  /**< lower case: "from", "run", "copy", ... */
	const char *original; /**< the instruction's text as written, continuations joined */
	int start_line;
	int end_line;
	const char *const *flags; /**< "--from=build", ... (n_flags of them) */
	size_t n_flags;
	const char *const *args; /**< arguments as BuildKit's dump lists them (n_args);
	                                     ONBUILD: one, the trigger's text (see inner);
	                                     an unknown instruction: one empty string */
	size_t n_args;
	int json;                     /**< 1 for the JSON (exec) form */
	const atmo_heredoc *heredocs; /**< n_heredocs of them, in order */
	size_t n_heredocs;
	const struct atmo_instruction *inner; /**< ONBUILD's wrapped instruction, else NULL */
	const char *comment;                  /**< the comment lines right above, '#' and the
	                                     blanks around the text removed (BuildKit's
	                                     PrevComment), joined with '\n'; a line "#"
	                                     alone resets them; NULL if none */
} atmo_instruction;

/**
 * Parse Dockerfile text.
 * @param[out] out  the parsed file; free with atmo_dockerfile_free()
 * @param text      the content (need not be NUL-terminated)
 * @param len       its length in bytes
 * @param source    the name used in errors and warnings ("Dockerfile", "<stdin>")
 * @return 0, ATMO_EINVALID (err carries line and column), ATMO_ENOMEM or ATMO_ELIMIT
 */
ATMO_EXTERN int atmo_dockerfile_parse(atmo_dockerfile **out, const char *text, size_t len,
				      const char *source, atmo_error *err);

/** Free a parsed Dockerfile. NULL-safe. */
ATMO_EXTERN void atmo_dockerfile_free(atmo_dockerfile *df);

/** Number of instructions. */
ATMO_EXTERN size_t atmo_dockerfile_count(const atmo_dockerfile *df);

/** Instruction i (borrowed, valid while df lives), NULL when out of range. */
ATMO_EXTERN const atmo_instruction *atmo_dockerfile_at(const atmo_dockerfile *df, size_t i);

/**
 * Length in bytes of argument i of an instruction (a JSON-form argument may
 * contain "\u0000", so strlen() can be short). 0 when i is out of range.
 * Only for instructions returned by atmo_dockerfile_at() or their inner.
 */
ATMO_EXTERN size_t atmo_instruction_arg_len(const atmo_instruction *ins, size_t i);

/** The escape character in effect ('\\' or '`'). */
ATMO_EXTERN char atmo_dockerfile_escape(const atmo_dockerfile *df);

/** A parser directive's value ("syntax", "escape", "check"), borrowed, NULL if absent. */
ATMO_EXTERN const char *atmo_dockerfile_directive(const atmo_dockerfile *df, const char *key);

/** The source name given to atmo_dockerfile_parse (borrowed). */
ATMO_EXTERN const char *atmo_dockerfile_source(const atmo_dockerfile *df);

/** Warnings found while parsing (empty continuation lines, ...): count and i-th (borrowed). */
ATMO_EXTERN size_t atmo_dockerfile_warning_count(const atmo_dockerfile *df);
ATMO_EXTERN const atmo_error *atmo_dockerfile_warning_at(const atmo_dockerfile *df, size_t i);

/**
 * The checks BuildKit's instruction layer makes before a build, which its
 * parser (and atmo_dockerfile_parse) lets through: unknown instructions,
 * unknown or malformed flags (`--=x`, `RUN --from=x`), missing arguments,
 * SHELL not in JSON form, HEALTHCHECK types, ONBUILD triggers, an instruction
 * other than ARG before the first FROM ("no build stage in current context").
 * Instructions are checked in order, so the first problem is BuildKit's.
 * @return 0 or ATMO_EINVALID with the first problem's location in err
 */
ATMO_EXTERN int atmo_dockerfile_validate(const atmo_dockerfile *df, atmo_error *err);

/**
 * The instruction-layer checks on an ONBUILD trigger (an instruction's inner),
 * which BuildKit makes only when a stage built on this one inherits it.
 * @param line  where to locate an error: the inheriting stage's FROM line
 * @return 0 or ATMO_EINVALID with the problem in err (at line, column 1)
 */
ATMO_EXTERN int atmo_dockerfile_validate_trigger(const atmo_dockerfile *df,
						 const atmo_instruction *trigger, int line,
						 atmo_error *err);

/**
 * The AST in BuildKit's `result` dump form (one line per instruction).
 * @param[out] out  NUL-terminated text, caller frees with atmo_free() (atmograph/alloc.h)
 */
ATMO_EXTERN int atmo_dockerfile_dump(char **out, const atmo_dockerfile *df, atmo_error *err);

/**
 * The AST as JSON, schema "atmograph.parse/1":
 *   {"schema": "atmograph.parse/1", "source": "Dockerfile",
 *    "directives": {"syntax": "...", "escape": "`", "check": "..."},  (present ones)
 *    "escape": "\\",
 *    "instructions": [{"keyword": "run", "original": "RUN <<EOF", "line": 2,
 *        "end_line": 4, "flags": ["--mount=..."], "args": ["<<EOF"], "json": false,
 *        "heredocs": [{"name": "EOF", "content": "...\n", "expand": true,
 *                      "chomp": false, "fd": null | 3}],
 *        "inner": {...same fields...} | null, "comment": "..." | null}],
 *    "warnings": [{"source": "...", "line": 5, "column": 1, "text": "..."}]}
 * Strings are UTF-8; invalid bytes of the input appear as U+FFFD.
 * @param[out] out  a new reference, caller decrefs
 */
ATMO_EXTERN int atmo_dockerfile_to_json(json_t **out, const atmo_dockerfile *df, atmo_error *err);

/* ---- word expansion (BuildKit shell/lex.go) ---- */

/**
 * Looks a variable up: returns its value (borrowed) or NULL when it is unset
 * (an empty string is "set but empty", which matters for ${v-w} and ${v:-w}).
 */
typedef const char *(*atmo_env_lookup)(const char *name, size_t name_len, void *payload);

/**
 * Expand one word as BuildKit's ProcessWord does (quotes removed, no splitting).
 * @param[out] out  the result, caller frees with atmo_free() (atmograph/alloc.h)
 * @param escape    the escape character ('\\' or '`')
 * @return 0, ATMO_EINVALID (bad substitution, ${v:?msg}), ATMO_ELIMIT (nesting over
 *         ATMO_SHELL_MAX_DEPTH, a result over ATMO_SHELL_MAX_WORD) or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_shell_expand(char **out, const char *word, char escape, atmo_env_lookup lookup,
				  void *payload, atmo_error *err);

/**
 * Expand and split into words as BuildKit's ProcessWords does.
 * @param[out] out    a NULL-terminated array of strings; free with atmo_shell_words_free()
 * @param[out] count  number of words
 */
ATMO_EXTERN int atmo_shell_expand_words(char ***out, size_t *count, const char *word, char escape,
					atmo_env_lookup lookup, void *payload, atmo_error *err);

/**
 * Expand a heredoc body as BuildKit does for COPY/ADD <<EOF (ProcessWord with
 * SkipProcessQuotes and the escape '\\'): quotes are plain characters.
 * @param[out] out  the result, caller frees with atmo_free() (atmograph/alloc.h)
 * @return 0, ATMO_EINVALID (bad substitution, ${v:?msg}) or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_shell_expand_heredoc(char **out, const char *body, atmo_env_lookup lookup,
					  void *payload, atmo_error *err);

/** Free what atmo_shell_expand_words returned. NULL-safe. */
ATMO_EXTERN void atmo_shell_words_free(char **words);

/*
 * i-th getters are spelled <thing>_at across the public headers (as
 * atmo_bake_target_at, atmo_plan_step_at); the former names stay exported.
 */
/** Former name of atmo_dockerfile_at(). */
ATMO_EXTERN const atmo_instruction *atmo_dockerfile_get(const atmo_dockerfile *df, size_t i);
/** Former name of atmo_dockerfile_warning_at(). */
ATMO_EXTERN const atmo_error *atmo_dockerfile_warning(const atmo_dockerfile *df, size_t i);

#ifdef __cplusplus
}
#endif
#endif
