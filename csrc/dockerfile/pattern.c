/*
 * Shell patterns of ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}.
 * BuildKit turns them into Go regular expressions ('*' -> ".*" or ".*?",
 * '?' -> '.', which never match '\n') and uses leftmost-first matching;
 * this matcher follows the same priorities with a memoized backtracking
 * search (O(pattern x text) per text), on runes as Go decodes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

enum { P_LIT, P_ANY, P_STAR };

typedef struct {
	int kind;
	uint32_t r;
	size_t star; /* index among stars, for P_STAR */
} ptok;

typedef struct {
	ptok *t;
	size_t n, nstars;
	int greedy;
} pattern;

typedef struct {
	uint32_t *r; /* runes */
	size_t *off; /* byte offset of each rune, off[n] = length */
	size_t n;
} runes;

static void runes_free(runes *x)
{
	atmo__free(x->r);
	atmo__free(x->off);
	x->r = NULL;
	x->off = NULL;
}

static int runes_decode(runes *x, const char *s, size_t len)
{
	size_t i = 0, k = 0, w;
	x->r = atmo__malloc((len + 1) * sizeof(*x->r), NULL);
	x->off = atmo__malloc((len + 1) * sizeof(*x->off), NULL);
	if (!x->r || !x->off) {
		runes_free(x);
		return ATMO_ENOMEM;
	}
	while (i < len) {
		x->off[k] = i;
		x->r[k++] = atmo__utf8_decode((const unsigned char *)s + i, len - i, &w);
		i += w;
	}
	x->off[k] = len;
	x->n = k;
	return 0;
}

static int compile(pattern *p, const char *pat, size_t plen, int greedy, atmo_error *err)
{
	runes in;
	size_t i = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	p->greedy = greedy;
	if ((rc = runes_decode(&in, pat, plen)) < 0)
		return atmo__error_nomem(err);
	p->t = atmo__malloc((in.n + 1) * sizeof(*p->t), NULL);
	if (!p->t) {
		runes_free(&in);
		return atmo__error_nomem(err);
	}
	if (in.n && in.r[0] == 0xFEFF)
		i = 1; /* text/scanner skips a leading byte order mark */
	for (; i < in.n; i++) {
		uint32_t tok = in.r[i];
		if (tok == '*') {
			if (p->n && p->t[p->n - 1].kind == P_STAR)
				continue; /* ".*.*" matches as ".*" */
			if (p->nstars >= ATMO__PATTERN_MAX_STARS) {
				runes_free(&in);
				return atmo__error_set(err, ATMO_ELIMIT, NULL, 0, 0,
						       "more than %d wildcards",
						       ATMO__PATTERN_MAX_STARS);
			}
			p->t[p->n].kind = P_STAR;
			p->t[p->n++].star = p->nstars++;
			continue;
		}
		if (tok == '?') {
			p->t[p->n++].kind = P_ANY;
			continue;
		}
		if (tok == '\\') {
			if (i + 1 < in.n && (in.r[i + 1] == '}' || in.r[i + 1] == '/'))
				continue;
			if (i + 1 >= in.n) {
				runes_free(&in);
				return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
						       "invalid escape at the end of the pattern");
			}
			tok = in.r[++i];
			if (tok != '*' && tok != '?' && tok != '\\') {
				char enc[4];
				size_t k = atmo__utf8_encode(tok, enc);
				runes_free(&in);
				return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
						       "invalid escape '\\%.*s'", (int)k, enc);
			}
		}
		p->t[p->n].kind = P_LIT;
		p->t[p->n++].r = tok;
	}
	runes_free(&in);
	return 0;
}

typedef struct {
	const pattern *p;
	const uint32_t *s;
	size_t ns;
	unsigned char *memo; /* failed (star, position) states, one bit each */
} matcher;

/* End of the match of tokens ti.. at text position si, or -1. */
static long match_from(matcher *m, size_t ti, size_t si)
{
	const ptok *t = m->p->t;
	size_t nt = m->p->n;

	while (ti < nt) {
		if (t[ti].kind == P_LIT) {
			if (si < m->ns && m->s[si] == t[ti].r) {
				si++;
				ti++;
				continue;
			}
			return -1;
		}
		if (t[ti].kind == P_ANY) {
			if (si < m->ns && m->s[si] != '\n') {
				si++;
				ti++;
				continue;
			}
			return -1;
		} else {
			size_t key = t[ti].star * (m->ns + 1) + si, k, maxk = si;
			long r;
			if (m->memo[key >> 3] & (1u << (key & 7)))
				return -1;
			while (maxk < m->ns && m->s[maxk] != '\n')
				maxk++;
			if (m->p->greedy) {
				for (k = maxk + 1; k-- > si;) {
					if ((r = match_from(m, ti + 1, k)) >= 0)
						return r;
				}
			} else {
				for (k = si; k <= maxk; k++) {
					if ((r = match_from(m, ti + 1, k)) >= 0)
						return r;
				}
			}
			m->memo[key >> 3] |= (unsigned char)(1u << (key & 7));
			return -1;
		}
	}
	return (long)si;
}

static int matcher_init(matcher *m, const pattern *p, const uint32_t *s, size_t ns, atmo_error *err)
{
	size_t cells;
	m->p = p;
	m->s = s;
	m->ns = ns;
	if (p->nstars && ns + 1 > ATMO__PATTERN_MAX_CELLS / p->nstars)
		return atmo__error_set(err, ATMO_ELIMIT, NULL, 0, 0,
				       "value too long for the pattern");
	cells = p->nstars * (ns + 1);
	m->memo = atmo__calloc(cells / 8 + 1, 1, NULL);
	if (!m->memo)
		return atmo__error_nomem(err);
	return 0;
}

int atmo__pattern_trim_prefix(atmo_buf *out, const char *pat, size_t plen, const char *val,
			      size_t vlen, int greedy, atmo_error *err)
{
	pattern p;
	runes v = { NULL, NULL, 0 };
	matcher m;
	long end;
	int rc;

	if ((rc = compile(&p, pat, plen, greedy, err)) < 0)
		goto done;
	if ((rc = runes_decode(&v, val, vlen)) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if ((rc = matcher_init(&m, &p, v.r, v.n, err)) < 0)
		goto done;
	end = match_from(&m, 0, 0);
	atmo__free(m.memo);
	if (end >= 0)
		rc = atmo__buf_put(out, val + v.off[end], vlen - v.off[end]);
	else
		rc = atmo__buf_put(out, val, vlen);
done:
	atmo__free(p.t);
	runes_free(&v);
	return rc;
}

/* reversePattern: reverse runes, keeping "\x" escapes in order */
static int reverse_pattern(atmo_buf *out, const char *pat, size_t plen)
{
	runes in;
	uint32_t *o;
	size_t i, last;
	char enc[4];

	if (runes_decode(&in, pat, plen) < 0)
		return ATMO_ENOMEM;
	if (in.n == 0) {
		runes_free(&in);
		return 0;
	}
	o = atmo__malloc(in.n * sizeof(*o), NULL);
	if (!o) {
		runes_free(&in);
		return ATMO_ENOMEM;
	}
	last = in.n - 1;
	for (i = 0; i <= last;) {
		size_t oi = last - i;
		if (in.r[i] == '\\' && i != last) {
			o[oi - 1] = in.r[i];
			o[oi] = in.r[i + 1];
			i += 2;
		} else {
			o[oi] = in.r[i];
			i++;
		}
	}
	for (i = 0; i < in.n; i++)
		atmo__buf_put(out, enc, atmo__utf8_encode(o[i], enc));
	atmo__free(o);
	runes_free(&in);
	return out->oom ? ATMO_ENOMEM : 0;
}

int atmo__pattern_trim_suffix(atmo_buf *out, const char *pat, size_t plen, const char *val,
			      size_t vlen, int greedy, atmo_error *err)
{
	atmo_buf rp = ATMO_BUF_INIT;
	pattern p;
	runes v = { NULL, NULL, 0 };
	uint32_t *rev = NULL;
	matcher m;
	long end;
	size_t i;
	int rc;
	char enc[4];

	memset(&p, 0, sizeof(p));
	if ((rc = reverse_pattern(&rp, pat, plen)) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if ((rc = compile(&p, atmo__buf_cstr(&rp), rp.len, greedy, err)) < 0)
		goto done;
	if ((rc = runes_decode(&v, val, vlen)) < 0 ||
	    !(rev = atmo__malloc((v.n + 1) * sizeof(*rev), NULL))) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < v.n; i++)
		rev[i] = v.r[v.n - 1 - i];
	if ((rc = matcher_init(&m, &p, rev, v.n, err)) < 0)
		goto done;
	end = match_from(&m, 0, 0);
	atmo__free(m.memo);
	if (end < 0)
		end = 0;
	/* the value went through []rune twice: invalid bytes come back as U+FFFD */
	for (i = 0; i < v.n - (size_t)end; i++)
		atmo__buf_put(out, enc, atmo__utf8_encode(v.r[i], enc));
	rc = out->oom ? atmo__error_nomem(err) : 0;
done:
	atmo__buf_free(&rp);
	atmo__free(p.t);
	atmo__free(rev);
	runes_free(&v);
	return rc;
}

static int is_name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Go's Regexp.expand for a pattern without groups: $0 / ${0} is the match. */
static void expand_template(atmo_buf *out, const char *rep, size_t rlen, const char *m, size_t mlen)
{
	size_t i = 0;
	while (i < rlen) {
		const char *name;
		size_t nlen, j;
		if (rep[i] != '$') {
			j = i;
			while (j < rlen && rep[j] != '$')
				j++;
			atmo__buf_put(out, rep + i, j - i);
			i = j;
			continue;
		}
		if (i + 1 < rlen && rep[i + 1] == '$') {
			atmo__buf_putc(out, '$');
			i += 2;
			continue;
		}
		j = i + 1;
		if (j < rlen && rep[j] == '{') {
			size_t k = j + 1;
			while (k < rlen && is_name_byte((unsigned char)rep[k]))
				k++;
			if (k == j + 1 || k >= rlen || rep[k] != '}') {
				atmo__buf_putc(out, '$'); /* malformed: literal */
				i++;
				continue;
			}
			name = rep + j + 1;
			nlen = k - j - 1;
			i = k + 1;
		} else {
			size_t k = j;
			while (k < rlen && is_name_byte((unsigned char)rep[k]))
				k++;
			if (k == j) {
				atmo__buf_putc(out, '$');
				i++;
				continue;
			}
			name = rep + j;
			nlen = k - j;
			i = k;
		}
		/* only group 0 exists; "00" is not a number (leading zero) */
		if (nlen == 1 && name[0] == '0')
			atmo__buf_put(out, m, mlen);
	}
}

int atmo__pattern_replace(atmo_buf *out, const char *pat, size_t plen, const char *val, size_t vlen,
			  const char *rep, size_t rlen, int all, atmo_error *err)
{
	pattern p;
	runes v = { NULL, NULL, 0 };
	matcher m;
	int rc;
	size_t s;
	long e;

	memset(&m, 0, sizeof(m));
	if ((rc = compile(&p, pat, plen, 1, err)) < 0)
		goto done;
	if ((rc = runes_decode(&v, val, vlen)) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if ((rc = matcher_init(&m, &p, v.r, v.n, err)) < 0)
		goto done;
	if (!all) {
		for (s = 0; s <= v.n; s++) {
			if ((e = match_from(&m, 0, s)) >= 0) {
				atmo__buf_put(out, val, v.off[s]);
				atmo__buf_put(out, rep, rlen);
				atmo__buf_put(out, val + v.off[e], vlen - v.off[e]);
				goto out_done;
			}
		}
		atmo__buf_put(out, val, vlen);
	} else {
		size_t search = 0, last_end = 0;
		while (search <= v.n) {
			size_t a0;
			e = -1;
			for (a0 = search; a0 <= v.n; a0++)
				if ((e = match_from(&m, 0, a0)) >= 0)
					break;
			if (e < 0)
				break;
			atmo__buf_put(out, val + v.off[last_end], v.off[a0] - v.off[last_end]);
			if ((size_t)e > last_end || a0 == 0)
				expand_template(out, rep, rlen, val + v.off[a0],
						v.off[e] - v.off[a0]);
			/* ${v//?/$big} multiplies: stop at the word cap, not at the memory's end */
			if (out->len > ATMO_SHELL_MAX_WORD) {
				rc = atmo__error_set(err, ATMO_ELIMIT, NULL, 0, 0,
						     "the replacement exceeds %zu bytes",
						     ATMO_SHELL_MAX_WORD);
				goto done;
			}
			last_end = (size_t)e;
			if (search + 1 > (size_t)e)
				search++;
			else
				search = (size_t)e;
		}
		atmo__buf_put(out, val + v.off[last_end], vlen - v.off[last_end]);
	}
out_done:
	rc = out->oom ? atmo__error_nomem(err) : 0;
done:
	atmo__free(m.memo);
	atmo__free(p.t);
	runes_free(&v);
	return rc;
}
