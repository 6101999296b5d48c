/*
 * HCL's JSON syntax (json/spec.md). A small JSON reader of our own: HCL
 * needs every value's position, property order and repeated property names,
 * which general JSON libraries (jansson) do not keep. The JSON tree is then
 * read as a body through the caller's schema; strings become templates of
 * the native syntax, so one evaluator serves both syntaxes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/hcl_int.h"
#include "util/buf.h"

#define MAX_DEPTH 256
#define MAX_INPUT ((size_t)64 << 20)

typedef enum { J_OBJ, J_ARR, J_STR, J_NUM, J_TRUE, J_FALSE, J_NULL } jtype;

typedef struct jnode jnode;
typedef struct {
	const char *key;
	size_t key_len;
	hcl_range key_range;
	hcl_pos key_start; /* of the key's text, after the quote */
	jnode *val;
} jprop;

struct jnode {
	jtype t;
	hcl_range range;
	hcl_pos text_start; /* strings: where the text starts */
	const char *s;      /* strings (decoded), numbers (as written) */
	size_t len;
	jprop *props;  /* objects */
	jnode **items; /* arrays */
	size_t n;
};

typedef struct {
	hcl_file *f;
	const char *src;
	long end;
	hcl_pos pos;
	hcl_diag *diag;
	int err;
	int depth;
} jparser;

static void *jfail(jparser *p, int code, hcl_pos s, hcl_pos e, const char *summary, const char *fmt,
		   ...) ATMO_PRINTF(6, 7);
static void *jfail(jparser *p, int code, hcl_pos s, hcl_pos e, const char *summary, const char *fmt,
		   ...)
{
	va_list ap;
	if (p->err)
		return NULL;
	p->err = code;
	if (p->diag) {
		memset(p->diag, 0, sizeof(*p->diag));
		p->diag->code = code;
		p->diag->subject.filename = p->f->name;
		p->diag->subject.start = s;
		p->diag->subject.end = e;
		snprintf(p->diag->summary, sizeof(p->diag->summary), "%s", summary);
		va_start(ap, fmt);
		vsnprintf(p->diag->detail, sizeof(p->diag->detail), fmt, ap);
		va_end(ap);
	}
	return NULL;
}

static void *jnomem(jparser *p)
{
	return jfail(p, ATMO_ENOMEM, p->pos, p->pos, "Out of memory",
		     "The parser ran out of memory.");
}

static void *jalloc(jparser *p, size_t n)
{
	void *m = atmo__arena_alloc(&p->f->arena, n);
	if (!m)
		return jnomem(p);
	memset(m, 0, n);
	return m;
}

static int jc(const jparser *p, long b)
{
	return b < p->end ? (unsigned char)p->src[b] : -1;
}

static void jadv(jparser *p, hcl_pos *q, long n)
{
	while (n-- > 0 && q->byte < p->end) {
		unsigned char c = (unsigned char)p->src[q->byte++];
		if (c == '\n') {
			q->line++;
			q->column = 1;
		} else if ((c & 0xC0) != 0x80) {
			q->column++;
		}
	}
}

static void skip_ws(jparser *p)
{
	for (;;) {
		int c = jc(p, p->pos.byte);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			jadv(p, &p->pos, 1);
		else
			return;
	}
}

static hcl_range jrange(jparser *p, hcl_pos s, hcl_pos e)
{
	hcl_range r;
	r.filename = p->f->name;
	r.start = s;
	r.end = e;
	return r;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(jparser *p, long b)
{
	long v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		int h = hexval(jc(p, b + i));
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* A string at p->pos (the opening quote): decoded into the arena. */
static int read_string(jparser *p, const char **out, size_t *len, hcl_pos *text_start, hcl_range *r)
{
	atmo_buf b = ATMO_BUF_INIT;
	hcl_pos s = p->pos;
	jadv(p, &p->pos, 1);
	*text_start = p->pos;
	for (;;) {
		int c = jc(p, p->pos.byte);
		if (c == '"')
			break;
		if (c == -1 || c < 0x20) {
			atmo__buf_free(&b);
			jfail(p, ATMO_EINVALID, s, p->pos, "Invalid JSON string",
			      c == -1 ? "The string is not closed before the end of the file."
				      : "Control characters are not allowed in JSON strings.");
			return -1;
		}
		if (c == '\\') {
			int d = jc(p, p->pos.byte + 1);
			long u;
			char enc[4];
			size_t w;
			switch (d) {
			case '"':
			case '\\':
			case '/':
				atmo__buf_putc(&b, (char)d);
				break;
			case 'b':
				atmo__buf_putc(&b, '\b');
				break;
			case 'f':
				atmo__buf_putc(&b, '\f');
				break;
			case 'n':
				atmo__buf_putc(&b, '\n');
				break;
			case 'r':
				atmo__buf_putc(&b, '\r');
				break;
			case 't':
				atmo__buf_putc(&b, '\t');
				break;
			case 'u':
				u = hex4(p, p->pos.byte + 2);
				if (u < 0)
					goto bad_escape;
				if (u >= 0xD800 && u <= 0xDBFF && jc(p, p->pos.byte + 6) == '\\' &&
				    jc(p, p->pos.byte + 7) == 'u') {
					long lo = hex4(p, p->pos.byte + 8);
					if (lo >= 0xDC00 && lo <= 0xDFFF) {
						u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
						jadv(p, &p->pos, 6);
					}
				}
				if (u >= 0xD800 && u <= 0xDFFF)
					u = 0xFFFD;
				/* UTF-8 of u */
				if (u < 0x80) {
					enc[0] = (char)u;
					w = 1;
				} else if (u < 0x800) {
					enc[0] = (char)(0xC0 | (u >> 6));
					enc[1] = (char)(0x80 | (u & 0x3F));
					w = 2;
				} else if (u < 0x10000) {
					enc[0] = (char)(0xE0 | (u >> 12));
					enc[1] = (char)(0x80 | ((u >> 6) & 0x3F));
					enc[2] = (char)(0x80 | (u & 0x3F));
					w = 3;
				} else {
					enc[0] = (char)(0xF0 | (u >> 18));
					enc[1] = (char)(0x80 | ((u >> 12) & 0x3F));
					enc[2] = (char)(0x80 | ((u >> 6) & 0x3F));
					enc[3] = (char)(0x80 | (u & 0x3F));
					w = 4;
				}
				atmo__buf_put(&b, enc, w);
				jadv(p, &p->pos, 4);
				break;
			default:
			bad_escape : {
				hcl_pos e = p->pos;
				jadv(p, &e, 2);
				atmo__buf_free(&b);
				jfail(p, ATMO_EINVALID, p->pos, e, "Invalid JSON string",
				      "This escape sequence is not valid in JSON.");
				return -1;
			}
			}
			jadv(p, &p->pos, 2);
			continue;
		}
		atmo__buf_putc(&b, (char)c);
		jadv(p, &p->pos, 1);
	}
	jadv(p, &p->pos, 1);
	*r = jrange(p, s, p->pos);
	if (b.oom) {
		atmo__buf_free(&b);
		jnomem(p);
		return -1;
	}
	*len = b.len;
	*out = atmo__arena_strndup(&p->f->arena, b.ptr ? b.ptr : "", b.len);
	atmo__buf_free(&b);
	if (!*out) {
		jnomem(p);
		return -1;
	}
	return 0;
}

static jnode *read_value(jparser *p);

static jnode *read_container(jparser *p, int is_obj)
{
	jnode *n = jalloc(p, sizeof(*n));
	hcl_pos s = p->pos;
	size_t cap = 0;
	int close = is_obj ? '}' : ']';
	if (!n)
		return NULL;
	n->t = is_obj ? J_OBJ : J_ARR;
	if (++p->depth > MAX_DEPTH)
		return jfail(p, ATMO_ELIMIT, s, s, "Nesting too deep",
			     "JSON values may nest at most %d levels deep.", MAX_DEPTH);
	jadv(p, &p->pos, 1);
	skip_ws(p);
	if (jc(p, p->pos.byte) == close) {
		jadv(p, &p->pos, 1);
		n->range = jrange(p, s, p->pos);
		p->depth--;
		return n;
	}
	for (;;) {
		jprop prop;
		jnode *v;
		int c;
		memset(&prop, 0, sizeof(prop));
		skip_ws(p);
		if (is_obj) {
			if (jc(p, p->pos.byte) != '"') {
				hcl_pos e = p->pos;
				jadv(p, &e, 1);
				return jfail(p, ATMO_EINVALID, p->pos, e, "Invalid JSON object",
					     "A quoted property name is required here.");
			}
			if (read_string(p, &prop.key, &prop.key_len, &prop.key_start,
					&prop.key_range) < 0)
				return NULL;
			skip_ws(p);
			if (jc(p, p->pos.byte) != ':') {
				hcl_pos e = p->pos;
				jadv(p, &e, 1);
				return jfail(p, ATMO_EINVALID, p->pos, e,
					     "Missing property value colon",
					     "JSON uses a colon as its name/value delimiter, not "
					     "an equals sign.");
			}
			jadv(p, &p->pos, 1);
		}
		if (!(v = read_value(p)))
			return NULL;
		if (n->n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			if (is_obj) {
				jprop *np = jalloc(p, nc * sizeof(*np));
				if (!np)
					return NULL;
				if (n->n)
					memcpy(np, n->props, n->n * sizeof(*np));
				n->props = np;
			} else {
				jnode **ni = jalloc(p, nc * sizeof(*ni));
				if (!ni)
					return NULL;
				if (n->n)
					memcpy(ni, n->items, n->n * sizeof(*ni));
				n->items = ni;
			}
			cap = nc;
		}
		if (is_obj) {
			prop.val = v;
			n->props[n->n++] = prop;
		} else {
			n->items[n->n++] = v;
		}
		skip_ws(p);
		c = jc(p, p->pos.byte);
		if (c == ',') {
			jadv(p, &p->pos, 1);
			skip_ws(p);
			if (jc(p, p->pos.byte) == close) {
				hcl_pos e = p->pos;
				jadv(p, &e, 1);
				return jfail(
					p, ATMO_EINVALID, p->pos, e,
					is_obj ? "Trailing comma in object"
					       : "Trailing comma in array",
					"JSON does not permit a trailing comma after the final %s.",
					is_obj ? "property" : "value");
			}
			continue;
		}
		if (c == close) {
			jadv(p, &p->pos, 1);
			break;
		}
		{
			hcl_pos e = p->pos;
			jadv(p, &e, c == -1 ? 0 : 1);
			return jfail(
				p, ATMO_EINVALID, p->pos, e,
				is_obj ? "Missing attribute seperator comma"
				       : "Missing array element separator comma",
				is_obj ? "A comma must appear between each property definition in "
					 "an object."
				       : "A comma must appear between each value in an array.");
		}
	}
	n->range = jrange(p, s, p->pos);
	p->depth--;
	return n;
}

static jnode *read_value(jparser *p)
{
	jnode *n;
	hcl_pos s;
	int c;
	skip_ws(p);
	s = p->pos;
	c = jc(p, s.byte);
	if (c == '{' || c == '[')
		return read_container(p, c == '{');
	if (!(n = jalloc(p, sizeof(*n))))
		return NULL;
	if (c == '"') {
		n->t = J_STR;
		if (read_string(p, &n->s, &n->len, &n->text_start, &n->range) < 0)
			return NULL;
		return n;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		long b = s.byte;
		if (jc(p, b) == '-')
			b++;
		while (jc(p, b) >= '0' && jc(p, b) <= '9')
			b++;
		if (jc(p, b) == '.') {
			b++;
			while (jc(p, b) >= '0' && jc(p, b) <= '9')
				b++;
		}
		if (jc(p, b) == 'e' || jc(p, b) == 'E') {
			b++;
			if (jc(p, b) == '+' || jc(p, b) == '-')
				b++;
			while (jc(p, b) >= '0' && jc(p, b) <= '9')
				b++;
		}
		n->t = J_NUM;
		n->s = p->src + s.byte;
		n->len = (size_t)(b - s.byte);
		jadv(p, &p->pos, b - s.byte);
		n->range = jrange(p, s, p->pos);
		return n;
	}
	if (c >= 'a' && c <= 'z') {
		long b = s.byte;
		size_t l;
		while (jc(p, b) >= 'a' && jc(p, b) <= 'z')
			b++;
		l = (size_t)(b - s.byte);
		jadv(p, &p->pos, b - s.byte);
		n->range = jrange(p, s, p->pos);
		if (l == 4 && memcmp(p->src + s.byte, "true", 4) == 0)
			n->t = J_TRUE;
		else if (l == 5 && memcmp(p->src + s.byte, "false", 5) == 0)
			n->t = J_FALSE;
		else if (l == 4 && memcmp(p->src + s.byte, "null", 4) == 0)
			n->t = J_NULL;
		else
			return jfail(p, ATMO_EINVALID, s, p->pos, "Invalid JSON keyword",
				     "The keyword \"%.*s\" is not valid in JSON. Only true, false "
				     "and null are keywords.",
				     (int)l, p->src + s.byte);
		return n;
	}
	{
		hcl_pos e = s;
		jadv(p, &e, c == -1 ? 0 : 1);
		return jfail(p, ATMO_EINVALID, s, e,
			     c == -1 ? "Missing JSON value" : "Invalid JSON value",
			     c == -1 ? "A JSON value must start here, but the file ends."
				     : "A JSON value must start with a brace, a bracket, a quote, "
				       "a digit, a minus sign or a keyword.");
	}
}

/* ---- JSON to the body model and expressions --------------------------------- */

static hcl_expr *jnode_expr(jparser *p, const jnode *n);

static hcl_expr *jexpr_node(jparser *p, hcl_expr_kind k, hcl_range r)
{
	hcl_expr *e = jalloc(p, sizeof(*e));
	if (e) {
		e->kind = k;
		e->range = r;
		e->json = 1;
	}
	return e;
}

static hcl_expr *jlit(jparser *p, hcl_value *v, hcl_range r)
{
	hcl_expr *e;
	if (!v || !hcl__file_own(p->f, v))
		return jnomem(p);
	e = jexpr_node(p, HE_LITERAL, r);
	if (e)
		e->u.lit = v;
	return e;
}

static hcl_expr *jtemplate(jparser *p, const char *s, size_t len, hcl_pos start, hcl_range r)
{
	hcl_expr *e = NULL;
	int rc = hcl__parse_template(p->f, s, len, start, &e, p->diag);
	if (rc) {
		p->err = rc;
		return NULL;
	}
	e->range = r;
	e->json = 1;
	e->raw = s;
	e->raw_len = len;
	return e;
}

static hcl_expr *jnode_expr(jparser *p, const jnode *n)
{
	hcl_expr *e;
	size_t i;
	double d;
	switch (n->t) {
	case J_STR:
		return jtemplate(p, n->s, n->len, n->text_start, n->range);
	case J_NUM:
		if (hcl_number_parse(n->s, n->len, &d) < 0)
			return jfail(p, ATMO_EINVALID, n->range.start, n->range.end,
				     "Invalid JSON number",
				     "There is a syntax error in the given JSON number.");
		return jlit(p, hcl_number(d), n->range);
	case J_TRUE:
	case J_FALSE:
		return jlit(p, hcl_bool(n->t == J_TRUE), n->range);
	case J_NULL:
		return jlit(p, hcl_null(NULL), n->range);
	case J_ARR:
		if (!(e = jexpr_node(p, HE_TUPLE, n->range)))
			return NULL;
		if (n->n && !(e->u.list.items = jalloc(p, n->n * sizeof(hcl_expr *))))
			return NULL;
		for (i = 0; i < n->n; i++)
			if (!(e->u.list.items[i] = jnode_expr(p, n->items[i])))
				return NULL;
		e->u.list.n = n->n;
		return e;
	case J_OBJ:
		if (!(e = jexpr_node(p, HE_OBJECT, n->range)))
			return NULL;
		if (n->n && (!(e->u.obj.keys = jalloc(p, n->n * sizeof(hcl_expr *))) ||
			     !(e->u.obj.vals = jalloc(p, n->n * sizeof(hcl_expr *)))))
			return NULL;
		for (i = 0; i < n->n; i++) {
			const jprop *pr = &n->props[i];
			if (!(e->u.obj.keys[i] = jtemplate(p, pr->key, pr->key_len, pr->key_start,
							   pr->key_range)) ||
			    !(e->u.obj.vals[i] = jnode_expr(p, pr->val)))
				return NULL;
		}
		e->u.obj.n = n->n;
		return e;
	}
	return NULL;
}

typedef struct {
	hcl_attr *attrs;
	size_t n_attrs, cap_attrs;
	hcl_block *blocks;
	size_t n_blocks, cap_blocks;
} jbody;

static void *jpush(jparser *p, void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		void *na = jalloc(p, nc * sz);
		if (!na)
			return NULL;
		if (*n)
			memcpy(na, *arr, *n * sz);
		*arr = na;
		*cap = nc;
	}
	return (char *)*arr + (*n)++ * sz;
}

static int read_body(jparser *p, const jnode *n, const hcl_json_schema *schema, jbody *b);

/* A block value after `depth` labels: more labels, or the body(ies). */
static int read_blocks(jparser *p, const jprop *type_prop, const jnode *v,
		       const hcl_json_block_spec *spec, const char **labels, hcl_range *lranges,
		       size_t depth, jbody *b)
{
	size_t i;
	if (v->t == J_ARR) {
		for (i = 0; i < v->n; i++) {
			if (v->items[i]->t != J_OBJ) {
				jfail(p, ATMO_EINVALID, v->items[i]->range.start,
				      v->items[i]->range.end, "Incorrect JSON value type",
				      "A JSON object is required here, %s.",
				      depth < spec->n_labels
					      ? "to specify block labels for this block"
					      : "to define arguments for this block");
				return -1;
			}
			if (read_blocks(p, type_prop, v->items[i], spec, labels, lranges, depth,
					b) < 0)
				return -1;
		}
		return 0;
	}
	if (v->t != J_OBJ) {
		jfail(p, ATMO_EINVALID, v->range.start, v->range.end, "Incorrect JSON value type",
		      "A JSON object is required here, %s.",
		      depth < spec->n_labels ? "to specify block labels for this block"
					     : "to define arguments for this block");
		return -1;
	}
	if (depth < spec->n_labels) {
		for (i = 0; i < v->n; i++) {
			labels[depth] = v->props[i].key;
			lranges[depth] = v->props[i].key_range;
			if (read_blocks(p, type_prop, v->props[i].val, spec, labels, lranges,
					depth + 1, b) < 0)
				return -1;
		}
		return 0;
	}
	{
		hcl_block *blk =
			jpush(p, (void **)&b->blocks, &b->n_blocks, &b->cap_blocks, sizeof(*blk));
		const char **ls;
		hcl_range *lr;
		jbody inner;
		if (!blk)
			return -1;
		memset(blk, 0, sizeof(*blk));
		ls = jalloc(p, (spec->n_labels ? spec->n_labels : 1) * sizeof(*ls));
		lr = jalloc(p, (spec->n_labels ? spec->n_labels : 1) * sizeof(*lr));
		if (!ls || !lr)
			return -1;
		for (i = 0; i < spec->n_labels; i++) {
			ls[i] = labels[i];
			lr[i] = lranges[i];
		}
		blk->type = type_prop->key;
		blk->type_range = type_prop->key_range;
		blk->labels = ls;
		blk->label_ranges = lr;
		blk->n_labels = spec->n_labels;
		blk->range = blk->type_range;
		if (spec->n_labels)
			blk->range.end = lr[spec->n_labels - 1].end;
		memset(&inner, 0, sizeof(inner));
		if (read_body(p, v, spec->body, &inner) < 0)
			return -1;
		if (!(blk->body = jalloc(p, sizeof(hcl_body))))
			return -1;
		blk->body->attrs = inner.attrs;
		blk->body->n_attrs = inner.n_attrs;
		blk->body->blocks = inner.blocks;
		blk->body->n_blocks = inner.n_blocks;
		blk->body->range = v->range;
		return 0;
	}
}

static const hcl_json_block_spec *find_block(const hcl_json_schema *s, const char *name)
{
	size_t i;
	for (i = 0; s && i < s->n_blocks; i++)
		if (strcmp(s->blocks[i].type, name) == 0)
			return &s->blocks[i];
	return NULL;
}

static int read_body(jparser *p, const jnode *n, const hcl_json_schema *schema, jbody *b)
{
	size_t i, j;
	if (n->t == J_ARR) {
		for (i = 0; i < n->n; i++) {
			if (n->items[i]->t != J_OBJ) {
				jfail(p, ATMO_EINVALID, n->items[i]->range.start,
				      n->items[i]->range.end, "Incorrect JSON value type",
				      "A JSON object is required here, to define a body.");
				return -1;
			}
			if (read_body(p, n->items[i], schema, b) < 0)
				return -1;
		}
		return 0;
	}
	if (n->t != J_OBJ) {
		jfail(p, ATMO_EINVALID, n->range.start, n->range.end, "Incorrect JSON value type",
		      "A JSON object is required here, to define a body.");
		return -1;
	}
	for (i = 0; i < n->n; i++) {
		const jprop *pr = &n->props[i];
		const hcl_json_block_spec *spec;
		if (strcmp(pr->key, "//") == 0)
			continue; /* a comment */
		spec = find_block(schema, pr->key);
		if (spec) {
			const char **labels = jalloc(p, (spec->n_labels + 1) * sizeof(*labels));
			hcl_range *lr = jalloc(p, (spec->n_labels + 1) * sizeof(*lr));
			if (!labels || !lr ||
			    read_blocks(p, pr, pr->val, spec, labels, lr, 0, b) < 0)
				return -1;
			continue;
		}
		for (j = 0; j < b->n_attrs; j++) {
			if (strcmp(b->attrs[j].name, pr->key) == 0) {
				char where[300];
				hcl_range_format(&b->attrs[j].name_range, where, sizeof(where));
				jfail(p, ATMO_EINVALID, pr->key_range.start, pr->key_range.end,
				      "Duplicate argument",
				      "The argument \"%s\" was already set at %s.", pr->key, where);
				return -1;
			}
		}
		{
			hcl_attr *a = jpush(p, (void **)&b->attrs, &b->n_attrs, &b->cap_attrs,
					    sizeof(*a));
			if (!a)
				return -1;
			memset(a, 0, sizeof(*a));
			a->name = pr->key;
			a->name_range = pr->key_range;
			if (!(a->expr = jnode_expr(p, pr->val)))
				return -1;
			a->range = pr->key_range;
			a->range.end = pr->val->range.end;
		}
	}
	return 0;
}

int hcl_parse_json(hcl_file **out, const char *src, size_t len, const char *filename,
		   const hcl_json_schema *schema, hcl_diag *diag)
{
	jparser p;
	hcl_file *f;
	jnode *root;
	jbody b;
	*out = NULL;
	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (len > MAX_INPUT) {
		hcl_range r;
		memset(&r, 0, sizeof(r));
		r.filename = filename;
		r.start.line = r.end.line = r.start.column = r.end.column = 1;
		return hcl__diag(diag, ATMO_ELIMIT, &r, "Input too large",
				 "A JSON file may hold at most %zu MiB.", MAX_INPUT >> 20);
	}
	if (!(f = hcl__file_new(src, len, filename))) {
		hcl_range r;
		memset(&r, 0, sizeof(r));
		r.filename = filename;
		return hcl__diag(diag, ATMO_ENOMEM, &r, "Out of memory",
				 "The parser ran out of memory.");
	}
	memset(&p, 0, sizeof(p));
	memset(&b, 0, sizeof(b));
	p.f = f;
	p.src = f->src;
	p.end = (long)len;
	p.pos.line = p.pos.column = 1;
	p.diag = diag;
	root = read_value(&p);
	if (root) {
		skip_ws(&p);
		if (p.pos.byte < p.end) {
			hcl_pos e = p.pos;
			jadv(&p, &e, 1);
			jfail(&p, ATMO_EINVALID, p.pos, e, "Extraneous data after value",
			      "Extra characters appear after the JSON value.");
			root = NULL;
		}
	}
	if (root && read_body(&p, root, schema, &b) == 0) {
		f->body = jalloc(&p, sizeof(hcl_body));
		if (f->body) {
			f->body->attrs = b.attrs;
			f->body->n_attrs = b.n_attrs;
			f->body->blocks = b.blocks;
			f->body->n_blocks = b.n_blocks;
			f->body->range = root->range;
		}
	}
	if (!f->body) {
		int code = p.err ? p.err : ATMO_ENOMEM;
		if (diag && diag->subject.filename == f->name)
			diag->subject.filename = filename;
		if (diag && !diag->code)
			diag->code = code;
		hcl_file_free(f);
		return code;
	}
	*out = f;
	return 0;
}
