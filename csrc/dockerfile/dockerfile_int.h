/* Internal to csrc/dockerfile: the parsed file's storage, Go-compatible
 * rune classes, and the shell lexer shared by the parser and the public
 * atmo_shell_* functions. */
#ifndef ATMO_DOCKERFILE_INT_H
#define ATMO_DOCKERFILE_INT_H

#include "util/arena.h"
#include "util/utf8.h"
#include <stddef.h>
#include <stdint.h>
#include "atmograph/dockerfile.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* ---- limits (see also the public ATMO_* limits in dockerfile.h) ---- */
/* nesting of ONBUILD ONBUILD ... accepted by the parser */
#define ATMO__MAX_ONBUILD_DEPTH 16
/* JSON nesting accepted in exec form, as Go's encoding/json (deeper: not JSON) */
#define ATMO__JSON_MAX_DEPTH 10000
/* '*' wildcards in one ${v#pattern}; more is an ATMO_ELIMIT error */
#define ATMO__PATTERN_MAX_STARS 1024
/* pattern x text cells the matcher may memoize */
#define ATMO__PATTERN_MAX_CELLS ((size_t)1 << 26)

/* ---- every string and array of a parsed file lives in one arena (util/arena.h) ---- */

/* An instruction as stored: the public view plus argument lengths
 * (a JSON-form argument may hold "\u0000"). */
typedef struct atmo__instr {
	atmo_instruction pub;
	const size_t *arg_lens;
} atmo__instr;

struct atmo_dockerfile {
	atmo__arena arena;
	atmo__instr *ins;
	size_t n_ins, cap_ins;
	char escape;
	const char *syntax, *escape_value, *check;
	atmo_error *warnings;
	size_t n_warn, cap_warn;
	const char *source;
};

/*
 * Exec form: decode the JSON array at s[0..n) (after leading spaces, as
 * json.Unmarshal: only white space may follow the array).
 * @return 1 decoded into out (strings in the arena, borrowed by out), 0 not a JSON array
 *         (shell form), ATMO_EINVALID an array with a non-string element,
 *         ATMO_ENOMEM
 */
int atmo__json_string_array(atmo__strvec *out, atmo__arena *a, const char *s, size_t n);

/* ---- UTF-8 and rune classes as Go's unicode package sees them ---- */
typedef struct {
	uint32_t lo, hi;
} atmo__urange;

extern const atmo__urange atmo__u_print[];
extern const size_t atmo__u_print_len;
extern const atmo__urange atmo__u_letter[];
extern const size_t atmo__u_letter_len;
extern const atmo__urange atmo__u_digit[];
extern const size_t atmo__u_digit_len;

int atmo__is_print(uint32_t r);
int atmo__is_letter(uint32_t r);
int atmo__is_digit(uint32_t r);
int atmo__is_space(uint32_t r);
/* 1 when s[0..n) is valid UTF-8 */
int atmo__utf8_valid(const char *s, size_t n);
/* Append s with invalid UTF-8 bytes replaced by U+FFFD. */
int atmo__buf_put_utf8(atmo_buf *b, const char *s, size_t n);

/* A word for a message: as is (upper-cased when asked) if it is printable
 * ASCII, else Go-quoted. */
void atmo__display_word(char *out, size_t n, const char *s, int upper);

/* Go's strconv.Quote of s[0..n), appended to b. */
int atmo__quote(atmo_buf *b, const char *s, size_t n);

/* ---- the shell lexer (BuildKit shell/lex.go) ---- */
typedef struct {
	char escape;
	int raw_quotes;  /* keep quote characters in the result */
	int raw_escapes; /* keep escape characters in the result */
	int skip_unset;  /* leave $v / ${v...} text of unset variables as written */
	int skip_quotes; /* quotes are plain characters (SkipProcessQuotes: heredoc bodies) */
	atmo_env_lookup lookup;
	void *payload;
} atmo__shell_opts;

/* A list of words (malloc'ed strings), as ProcessWords returns. */
typedef struct {
	char **v;
	size_t n, cap;
} atmo__words;

void atmo__words_free(atmo__words *w);

/*
 * Process word[0..len): the expanded text into *result (may be NULL) and the
 * split words into *words (may be NULL). On error err gets BuildKit's message
 * ("failed to process ...") and the byte offset.
 */
int atmo__shell_process(const char *word, size_t len, const atmo__shell_opts *o, atmo_buf *result,
			atmo__words *words, atmo_error *err);

/* ---- shell patterns of ${v#p} ${v%p} ${v/p/r} ---- */
/* ${v#p} / ${v##p}: value with the shortest/longest matching prefix removed */
int atmo__pattern_trim_prefix(atmo_buf *out, const char *pat, size_t plen, const char *val,
			      size_t vlen, int greedy, atmo_error *err);
/* ${v%p} / ${v%%p} */
int atmo__pattern_trim_suffix(atmo_buf *out, const char *pat, size_t plen, const char *val,
			      size_t vlen, int greedy, atmo_error *err);
/* ${v/p/r} / ${v//p/r} */
int atmo__pattern_replace(atmo_buf *out, const char *pat, size_t plen, const char *val, size_t vlen,
			  const char *rep, size_t rlen, int all, atmo_error *err);

#endif
