/*
 * Encoding and hashing functions: base64, URL encoding, JSON, CSV, digests,
 * bcrypt, UUIDs, RSA decryption (go-cty-funcs and cty's stdlib semantics),
 * with OpenSSL libcrypto, libcrypt (bcrypt) and jansson (JSON parsing).
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include "hcl/stdlib_int.h"
#include "util/utf8.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/json_nomem.h"

#define S(i) (args[i]->u.str.s)
#define SL(i) (args[i]->u.str.len)

/* ---- base64 ------------------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_encode(atmo_buf *b, const unsigned char *s, size_t n)
{
	size_t i;
	for (i = 0; i + 2 < n; i += 3) {
		char q[4] = { b64[s[i] >> 2], b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			      b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], b64[s[i + 2] & 63] };
		atmo__buf_put(b, q, 4);
	}
	if (n - i == 1) {
		char q[4] = { b64[s[i] >> 2], b64[(s[i] & 3) << 4], '=', '=' };
		atmo__buf_put(b, q, 4);
	} else if (n - i == 2) {
		char q[4] = { b64[s[i] >> 2], b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			      b64[(s[i + 1] & 15) << 2], '=' };
		atmo__buf_put(b, q, 4);
	}
	if (!b->ptr)
		atmo__buf_puts(b, "");
	return b->oom ? -1 : 0;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* Go's base64.StdEncoding.DecodeString (newlines ignored, padding required) */
static int b64_decode(atmo_buf *b, const char *s, size_t n)
{
	unsigned int acc = 0;
	int bits = 0, pad = 0;
	size_t i, count = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int v;
		if (c == '\r' || c == '\n')
			continue;
		count++;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -1;
		v = b64_val(c);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			atmo__buf_putc(b, (char)((acc >> bits) & 0xFF));
		}
	}
	if (count % 4 != 0 || pad > 2 || (pad && (count - (size_t)pad) % 4 + (size_t)pad != 4))
		return -1;
	/* leftover bits must be zero (Go rejects non-canonical trailing bits only in Strict mode) */
	if (!b->ptr)
		atmo__buf_puts(b, "");
	return b->oom ? -2 : 0;
}

static int utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t w = atmo__utf8_next((const unsigned char *)s + i, n - i, NULL);
		if (!w)
			return 0;
		i += w;
	}
	return 1;
}

static int f_base64encode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			  hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	b64_encode(&b, (const unsigned char *)S(0), SL(0));
	return hcl__ret_buf(out, &b, e);
}

static int f_base64decode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			  hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	int rc = b64_decode(&b, S(0), SL(0));
	if (rc == -2) {
		atmo__buf_free(&b);
		return hcl__nomem(e);
	}
	if (rc < 0) {
		atmo__buf_free(&b);
		return hcl__fail(e, -1, "failed to decode base64 data '%s'", S(0));
	}
	if (!utf8_valid(b.ptr, b.len)) {
		atmo__buf_free(&b);
		/* sic: go-cty-funcs doubles the "the" */
		return hcl__fail(
			e, -1, "the result of decoding the the provided string is not valid UTF-8");
	}
	return hcl__ret_buf(out, &b, e);
}

/* Go's url.QueryEscape */
static int f_urlencode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	size_t i;
	for (i = 0; i < SL(0); i++) {
		unsigned char c = (unsigned char)S(0)[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			atmo__buf_putc(&b, (char)c);
		else if (c == ' ')
			atmo__buf_putc(&b, '+');
		else
			atmo__buf_printf(&b, "%%%02X", c);
	}
	if (!b.ptr)
		atmo__buf_puts(&b, "");
	return hcl__ret_buf(out, &b, e);
}

/* ---- digests ------------------------------------------------------------------ */

static int digest_hex(hcl_value **out, const char *alg, const char *s, size_t n, hcl_func_error *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const EVP_MD *m = EVP_get_digestbyname(alg);
	if (!m || !EVP_Digest(s, n, md, &len, m, NULL))
		return hcl__fail(e, -1, "%s is not available", alg);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hcl__ret(out, hcl_string(hex, 2 * len), e);
}

static int f_md5(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return digest_hex(out, "MD5", S(0), SL(0), e);
}

static int f_sha1(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return digest_hex(out, "SHA1", S(0), SL(0), e);
}

static int f_sha256(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return digest_hex(out, "SHA256", S(0), SL(0), e);
}

static int f_sha512(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return digest_hex(out, "SHA512", S(0), SL(0), e);
}

/* bcrypt through libxcrypt's "$2a$" (what Go's bcrypt writes) */
static int f_bcrypt(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	long cost = 10;
	unsigned char rnd[16];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	hcl_value *r;

	if (n > 1) {
		long long c;
		if (hcl__whole(args[1], &c) < 0)
			return hcl__fail(e, -1, "value must be a whole number");
		cost = c < -1000 ? -1000 : c > 1000 ? 1000 : (long)c;
	}
	if (n > 2)
		return hcl__fail(e, -1, "bcrypt() takes no more than two arguments");
	/* Go's bcrypt: a cost below the minimum means the default */
	if (cost < 4)
		cost = 10;
	if (cost > 31)
		return hcl__fail(e, -1,
				 "error occured generating password crypto/bcrypt: cost %ld is "
				 "outside allowed range (4,31)",
				 cost);
	if (SL(0) > 72)
		return hcl__fail(e, -1,
				 "error occured generating password bcrypt: password length "
				 "exceeds 72 bytes");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return hcl__fail(e, -1, "no random bytes for the salt");
	if (!crypt_gensalt_rn("$2a$", (unsigned long)cost, (const char *)rnd, sizeof(rnd), setting,
			      sizeof(setting)))
		return hcl__fail(e, -1, "bcrypt is not supported by this system's libcrypt");
	cd = atmo__calloc(1, sizeof(*cd), NULL);
	if (!cd)
		return hcl__nomem(e);
	h = crypt_r(S(0), setting, cd);
	if (!h || h[0] == '*') {
		atmo__free(cd);
		return hcl__fail(e, -1, "bcrypt is not supported by this system's libcrypt");
	}
	r = hcl_cstring(h);
	atmo__free(cd);
	return hcl__ret(out, r, e);
}

/* ---- UUIDs -------------------------------------------------------------------- */

static void uuid_format(const unsigned char u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

static int f_uuidv4(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	unsigned char u[16];
	char s[37];
	if (RAND_bytes(u, sizeof(u)) != 1)
		return hcl__fail(e, -1, "no random bytes for the UUID");
	u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
	uuid_format(u, s);
	return hcl__ret(out, hcl_cstring(s), e);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* google/uuid's Parse: 36 chars, urn:uuid: prefix, {braces}, or 32 hex digits */
static const char *uuid_parse(const char *s, size_t n, unsigned char u[16])
{
	size_t i, k = 0;
	if (n == 45 && strncasecmp(s, "urn:uuid:", 9) == 0) {
		s += 9;
		n = 36;
	} else if (n == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		n = 36;
	}
	if (n == 36) {
		if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
			return "invalid UUID format";
	} else if (n != 32) {
		static const char *const msgs[] = { "invalid UUID length" };
		return msgs[0];
	}
	for (i = 0; i < n && k < 16;) {
		int h, l;
		if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			i++;
			continue;
		}
		h = hexval(s[i]);
		l = hexval(s[i + 1]);
		if (h < 0 || l < 0)
			return "invalid UUID format";
		u[k++] = (unsigned char)(h << 4 | l);
		i += 2;
	}
	return NULL;
}

static int f_uuidv5(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	static const unsigned char ns_dns[16] = { 0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
						  0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	unsigned char ns[16], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char s[37];
	EVP_MD_CTX *ctx;
	const char *err = NULL;

	memcpy(ns, ns_dns, 16);
	if (strcmp(S(0), "dns") == 0)
		ns[3] = 0x10;
	else if (strcmp(S(0), "url") == 0)
		ns[3] = 0x11;
	else if (strcmp(S(0), "oid") == 0)
		ns[3] = 0x12;
	else if (strcmp(S(0), "x500") == 0)
		ns[3] = 0x14;
	else if ((err = uuid_parse(S(0), SL(0), ns)) != NULL) {
		if (strcmp(err, "invalid UUID length") == 0)
			return hcl__fail(
				e, -1,
				"uuidv5() doesn't support namespace %s (invalid UUID length: %zu)",
				S(0), SL(0));
		return hcl__fail(e, -1, "uuidv5() doesn't support namespace %s (%s)", S(0), err);
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return hcl__nomem(e);
	if (!EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) || !EVP_DigestUpdate(ctx, ns, 16) ||
	    !EVP_DigestUpdate(ctx, S(1), SL(1)) || !EVP_DigestFinal_ex(ctx, md, &len)) {
		EVP_MD_CTX_free(ctx);
		return hcl__fail(e, -1, "SHA-1 is not available");
	}
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
	uuid_format(md, s);
	return hcl__ret(out, hcl_cstring(s), e);
}

/* ---- JSON ---------------------------------------------------------------------- */

/* Go's encoding/json string escaping (HTML-safe: <, >, & as \u003c ...) */
static void jenc_string(atmo_buf *b, const char *s, size_t n)
{
	size_t i = 0;
	atmo__buf_putc(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			switch (c) {
			case '"':
				atmo__buf_puts(b, "\\\"");
				break;
			case '\\':
				atmo__buf_puts(b, "\\\\");
				break;
			case '\n':
				atmo__buf_puts(b, "\\n");
				break;
			case '\r':
				atmo__buf_puts(b, "\\r");
				break;
			case '\t':
				atmo__buf_puts(b, "\\t");
				break;
			case '<':
			case '>':
			case '&':
				atmo__buf_printf(b, "\\u00%02x", c);
				break;
			default:
				if (c < 0x20)
					atmo__buf_printf(b, "\\u00%02x", c);
				else
					atmo__buf_putc(b, (char)c);
			}
			i++;
			continue;
		}
		{
			uint32_t r;
			size_t w = atmo__utf8_next((const unsigned char *)s + i, n - i, &r);
			if (!w) {
				atmo__buf_puts(b, "\\ufffd");
				i++;
				continue;
			}
			if (r == 0x2028 || r == 0x2029)
				atmo__buf_printf(b, "\\u%04x", (unsigned)r);
			else
				atmo__buf_put(b, s + i, w);
			i += w;
		}
	}
	atmo__buf_putc(b, '"');
}

static void json_value(atmo_buf *b, const hcl_value *v)
{
	size_t i;
	char nb[64];
	if (v->is_null) {
		atmo__buf_puts(b, "null");
		return;
	}
	switch (v->type->kind) {
	case HCL_T_STRING:
		jenc_string(b, v->u.str.s, v->u.str.len);
		break;
	case HCL_T_NUMBER:
		atmo__buf_puts(b, hcl_number_format(v->u.num, nb, sizeof(nb)));
		break;
	case HCL_T_BOOL:
		atmo__buf_puts(b, v->u.b ? "true" : "false");
		break;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		atmo__buf_putc(b, '[');
		for (i = 0; i < v->u.seq.n; i++) {
			if (i)
				atmo__buf_putc(b, ',');
			json_value(b, v->u.seq.items[i]);
		}
		atmo__buf_putc(b, ']');
		break;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		/* keys are sorted bytewise already, as Go's encoder sorts them */
		atmo__buf_putc(b, '{');
		for (i = 0; i < v->u.obj.n; i++) {
			if (i)
				atmo__buf_putc(b, ',');
			jenc_string(b, v->u.obj.keys[i], strlen(v->u.obj.keys[i]));
			atmo__buf_putc(b, ':');
			json_value(b, v->u.obj.vals[i]);
		}
		atmo__buf_putc(b, '}');
		break;
	default:
		atmo__buf_puts(b, "null");
	}
}

int hcl__json_encode(const hcl_value *v, atmo_buf *b)
{
	json_value(b, v);
	return b->oom ? -1 : 0;
}

static int f_jsonencode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	if (!hcl_value_is_wholly_known(args[0]))
		return hcl__ret(out, hcl_unknown(hcl_type_string()), e);
	json_value(&b, args[0]);
	return hcl__ret_buf(out, &b, e);
}

static hcl_value *from_json(json_t *j)
{
	size_t i, n;
	switch (json_typeof(j)) {
	case JSON_NULL:
		return hcl_null(NULL);
	case JSON_TRUE:
		return hcl_bool(1);
	case JSON_FALSE:
		return hcl_bool(0);
	case JSON_INTEGER:
		return hcl_number((double)json_integer_value(j));
	case JSON_REAL:
		return hcl_number(json_real_value(j));
	case JSON_STRING:
		return hcl_string(json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		hcl_value **items;
		hcl_value *r;
		n = json_array_size(j);
		items = atmo__calloc(n ? n : 1, sizeof(*items), NULL);
		if (!items)
			return NULL;
		for (i = 0; i < n; i++) {
			items[i] = from_json(json_array_get(j, i));
			if (!items[i]) {
				while (i--)
					hcl_value_unref(items[i]);
				atmo__free(items);
				return NULL;
			}
		}
		r = hcl_tuple(items, n);
		atmo__free(items);
		return r;
	}
	case JSON_OBJECT: {
		const char **keys;
		hcl_value **vals;
		hcl_value *r;
		const char *k;
		json_t *v;
		n = json_object_size(j);
		keys = atmo__calloc(n ? n : 1, sizeof(*keys), NULL);
		vals = atmo__calloc(n ? n : 1, sizeof(*vals), NULL);
		if (!keys || !vals) {
			atmo__free(keys);
			atmo__free(vals);
			return NULL;
		}
		i = 0;
		json_object_foreach(j, k, v) {
			keys[i] = k;
			vals[i] = from_json(v);
			if (!vals[i]) {
				while (i--)
					hcl_value_unref(vals[i]);
				atmo__free(keys);
				atmo__free(vals);
				return NULL;
			}
			i++;
		}
		r = hcl_object(keys, vals, i);
		atmo__free(keys);
		atmo__free(vals);
		return r;
	}
	}
	return NULL;
}

/* jansson's syntax error as Go's encoding/json words it (Unmarshal) */
static void go_json_error(const json_error_t *je, char *msg, size_t msglen)
{
	const char *near = strstr(je->text, "near '");
	char c = near ? near[6] : '\0';
	if (!near || strstr(je->text, "near end of file") ||
	    strstr(je->text, "premature end of input")) {
		snprintf(msg, msglen, "unexpected end of JSON input");
	} else if (!strncmp(je->text, "end of file expected", 20)) {
		snprintf(msg, msglen, "invalid character '%c' after top-level value", c);
	} else if (!strncmp(je->text, "invalid token", 13) && (c == 't' || c == 'f' || c == 'n')) {
		const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
		const char *tok = near + 6;
		size_t k = 0;
		while (lit[k] && tok[k] == lit[k])
			k++;
		if (tok[k] == '\'' && tok[k + 1] == '\0')
			snprintf(msg, msglen, "unexpected end of JSON input");
		else
			snprintf(msg, msglen,
				 "invalid character '%c' in literal %s (expecting '%c')", tok[k],
				 lit, lit[k]);
	} else if (!strncmp(je->text, "':' expected", 12)) {
		snprintf(msg, msglen, "invalid character '%c' after object key", c);
	} else if (!strncmp(je->text, "']' expected", 12)) {
		snprintf(msg, msglen, "invalid character '%c' after array element", c);
	} else if (strstr(je->text, "'}' expected")) {
		snprintf(msg, msglen, "invalid character '%c' after object key:value pair", c);
	} else if (!strncmp(je->text, "string or '}' expected", 22)) {
		snprintf(msg, msglen,
			 "invalid character '%c' looking for beginning of object key string", c);
	} else {
		snprintf(msg, msglen, "invalid character '%c' looking for beginning of value", c);
	}
}

int hcl__json_decode(const char *s, size_t n, hcl_value **out, char *msg, size_t msglen)
{
	json_error_t je;
	int nomem;
	json_t *j = atmo__json_loadb(
		s, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je, &nomem);
	if (nomem) {
		snprintf(msg, msglen, "out of memory");
		return -2;
	}
	if (!j) {
		go_json_error(&je, msg, msglen);
		return -1;
	}
	*out = from_json(j);
	json_decref(j);
	if (!*out) {
		snprintf(msg, msglen, "out of memory");
		return -2;
	}
	return 0;
}

static int f_jsondecode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	char msg[256];
	size_t i;
	int rc;
	/* cty reads the text with a json.Decoder, whose errors differ from Unmarshal's at the ends */
	for (i = 0; i < SL(0) && strchr(" \t\r\n", S(0)[i]); i++)
		;
	if (i == SL(0))
		return hcl__fail(e, -1, "EOF");
	rc = hcl__json_decode(S(0), SL(0), out, msg, sizeof(msg));
	if (rc == -2)
		return hcl__nomem(e);
	if (rc < 0) {
		if (!strcmp(msg, "unexpected end of JSON input"))
			return hcl__fail(e, -1, "unexpected EOF");
		if (strstr(msg, "after top-level value"))
			return hcl__fail(e, -1, "extraneous data after JSON object");
		return hcl__fail(e, -1, "%s", msg);
	}
	return 0;
}

/* ---- CSV (Go's encoding/csv, as cty's csvdecode uses it) -------------------------- */

typedef struct {
	hcl_value **v;
	size_t n, cap;
} strs;

static int strs_push(strs *a, const char *s, size_t n)
{
	hcl_value *v = hcl_string(s, n);
	if (!v)
		return -1;
	if (a->n == a->cap && ATMO__GROW(a->v, a->cap, a->n + 1, NULL) < 0) {
		hcl_value_unref(v);
		return -1;
	}
	a->v[a->n++] = v;
	return 0;
}

static void strs_free(strs *a)
{
	size_t i;
	for (i = 0; i < a->n; i++)
		hcl_value_unref(a->v[i]);
	atmo__free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/*
 * One record of Go's csv.Reader (comma ',', no lazy quotes): 1 read, 0 end of
 * input, -1 a parse error (msg as ParseError's "line L, column C: ..." tail
 * with *err_line set), -2 out of memory. Empty lines are skipped.
 */
static int hcl__csv_record(const char *s, size_t n, size_t *pos, int *line, strs *out,
			   int *err_line, char *msg, size_t msglen)
{
	size_t i = *pos, lstart;
	atmo_buf f = ATMO_BUF_INIT;

	/* skip empty lines */
	while (i < n && (s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))) {
		i += s[i] == '\r' ? 2 : 1;
		(*line)++;
	}
	if (i >= n) {
		*pos = i;
		return 0;
	}
	(*line)++;
	lstart = i;
	for (;;) {
		atmo__buf_clear(&f);
		atmo__buf_puts(&f, "");
		if (i < n && s[i] == '"') {
			size_t qcol = i - lstart + 1;
			i++;
			for (;;) {
				if (i >= n) {
					*err_line = *line;
					snprintf(msg, msglen,
						 "parse error on line %d, column %zu: extraneous "
						 "or missing \" in quoted-field",
						 *line, qcol + 1);
					atmo__buf_free(&f);
					return -1;
				}
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						atmo__buf_putc(&f, '"');
						i += 2;
						continue;
					}
					i++;
					if (i >= n || s[i] == ',' || s[i] == '\n' ||
					    (s[i] == '\r' && (i + 1 >= n || s[i + 1] == '\n')))
						break;
					*err_line = *line;
					snprintf(msg, msglen,
						 "parse error on line %d, column %zu: extraneous "
						 "or missing \" in quoted-field",
						 *line, i - lstart);
					atmo__buf_free(&f);
					return -1;
				}
				if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
					i++;
					continue; /* \r\n inside a quoted field reads as \n */
				}
				if (s[i] == '\n') {
					(*line)++;
					lstart = i + 1;
				}
				atmo__buf_putc(&f, s[i++]);
			}
		} else {
			while (i < n && s[i] != ',' && s[i] != '\n' &&
			       !(s[i] == '\r' && (i + 1 >= n || s[i + 1] == '\n'))) {
				if (s[i] == '"') {
					*err_line = *line;
					snprintf(msg, msglen,
						 "parse error on line %d, column %zu: bare \" in "
						 "non-quoted-field",
						 *line, i - lstart + 1);
					atmo__buf_free(&f);
					return -1;
				}
				atmo__buf_putc(&f, s[i++]);
			}
		}
		if (f.oom || strs_push(out, atmo__buf_cstr(&f), f.len) < 0) {
			atmo__buf_free(&f);
			return -2;
		}
		if (i < n && s[i] == ',') {
			i++;
			continue;
		}
		if (i < n && s[i] == '\r')
			i++;
		if (i < n && s[i] == '\n')
			i++;
		break;
	}
	atmo__buf_free(&f);
	*pos = i;
	return 1;
}

static int f_csvdecode(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	strs head = { 0 }, row = { 0 };
	size_t pos = 0, i, j, nrows = 0, cap = 0;
	int line = 0, eline = 0, rc;
	char msg[200];
	hcl_value **rows = NULL;
	const char **keys = NULL;
	hcl_type *ot = NULL;

	rc = hcl__csv_record(S(0), SL(0), &pos, &line, &head, &eline, msg, sizeof(msg));
	if (rc == 0)
		return hcl__fail(e, -1, "missing header line");
	if (rc == -2)
		goto oom;
	if (rc < 0)
		goto parse_error;
	keys = atmo__calloc(head.n, sizeof(*keys), NULL);
	if (!keys)
		goto oom;
	for (i = 0; i < head.n; i++) {
		keys[i] = head.v[i]->u.str.s;
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0) {
				hcl__fail(e, -1, "duplicate column name \"%s\"", keys[i]);
				goto fail;
			}
	}
	for (;;) {
		int start_line;
		hcl_value *obj;
		rc = hcl__csv_record(S(0), SL(0), &pos, &line, &row, &eline, msg, sizeof(msg));
		if (rc == 0)
			break;
		if (rc == -2)
			goto oom;
		if (rc < 0)
			goto parse_error;
		start_line = line;
		if (row.n != head.n) {
			hcl__fail(e, -1, "CSV parse error on line %d: wrong number of fields",
				  start_line);
			goto fail;
		}
		obj = hcl_object(keys, row.v, row.n);
		atmo__free(row.v);
		row.v = NULL;
		row.n = row.cap = 0;
		if (!obj)
			goto oom;
		if (nrows == cap && ATMO__GROW(rows, cap, nrows + 1, NULL) < 0) {
			hcl_value_unref(obj);
			goto oom;
		}
		rows[nrows++] = obj;
	}
	if (nrows == 0) {
		hcl_type **ts = atmo__calloc(head.n ? head.n : 1, sizeof(*ts), NULL);
		if (!ts)
			goto oom;
		for (i = 0; i < head.n; i++)
			ts[i] = hcl_type_string();
		ot = hcl_type_object(keys, ts, NULL, head.n);
		atmo__free(ts);
		if (!ot)
			goto oom;
		*out = hcl_list(ot, NULL, 0);
	} else {
		*out = hcl_list(hcl_type_ref(rows[0]->type), rows, nrows);
		nrows = 0;
	}
	atmo__free(rows);
	atmo__free(keys);
	strs_free(&head);
	return *out ? 0 : hcl__nomem(e);
parse_error : {
	/* cty: "CSV parse error on line L: ERR" */
	const char *colon = strstr(msg, ": ");
	hcl__fail(e, -1, "CSV parse error on line %d: %s", eline, colon ? colon + 2 : msg);
}
	goto fail;
oom:
	hcl__nomem(e);
fail:
	for (i = 0; i < nrows; i++)
		hcl_value_unref(rows[i]);
	atmo__free(rows);
	atmo__free(keys);
	strs_free(&head);
	strs_free(&row);
	return -1;
}

int hcl__csv_read(const char *s, size_t n, hcl_value **out, char *msg, size_t msglen)
{
	strs row = { 0 };
	size_t pos = 0, nrec = 0, cap = 0, fields = 0, i;
	int line = 0, eline = 0, rc;
	hcl_value **recs = NULL, *t;

	*out = NULL;
	for (;;) {
		int start;
		rc = hcl__csv_record(s, n, &pos, &line, &row, &eline, msg, msglen);
		if (rc == 0)
			break;
		if (rc < 0)
			goto fail;
		start = line;
		if (nrec == 0)
			fields = row.n;
		else if (row.n != fields) {
			snprintf(msg, msglen, "record on line %d: wrong number of fields", start);
			rc = -1;
			goto fail;
		}
		t = hcl_tuple(row.v, row.n);
		atmo__free(row.v);
		row.v = NULL;
		row.n = row.cap = 0;
		if (!t || (nrec == cap && ATMO__GROW(recs, cap, nrec + 1, NULL) < 0)) {
			hcl_value_unref(t);
			rc = -2;
			goto fail;
		}
		recs[nrec++] = t;
	}
	*out = hcl_tuple(recs, nrec);
	atmo__free(recs);
	if (!*out) {
		snprintf(msg, msglen, "out of memory");
		return -2;
	}
	return 0;
fail:
	if (rc == -2)
		snprintf(msg, msglen, "out of memory");
	for (i = 0; i < nrec; i++)
		hcl_value_unref(recs[i]);
	atmo__free(recs);
	strs_free(&row);
	return rc;
}

/* ---- rsadecrypt ---------------------------------------------------------------- */

static int f_rsadecrypt(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	atmo_buf ct = ATMO_BUF_INIT;
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *pt = NULL;
	size_t ptlen = 0;
	int rc = -1;

	if (b64_decode(&ct, S(0), SL(0)) != 0) {
		hcl__fail(e, -1,
			  "failed to decode input \"%s\": cipher text must be base64-encoded",
			  S(0));
		goto done;
	}
	bio = BIO_new_mem_buf(S(1), (int)SL(1));
	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		hcl__fail(e, -1, "invalid private key: no key found");
		goto done;
	}
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!ctx || EVP_PKEY_decrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_decrypt(ctx, NULL, &ptlen, (const unsigned char *)ct.ptr, ct.len) <= 0) {
		hcl__fail(e, -1, "failed to decrypt: crypto/rsa: decryption error");
		goto done;
	}
	pt = atmo__malloc(ptlen + 1, NULL);
	if (!pt) {
		hcl__nomem(e);
		goto done;
	}
	if (EVP_PKEY_decrypt(ctx, pt, &ptlen, (const unsigned char *)ct.ptr, ct.len) <= 0) {
		hcl__fail(e, -1, "failed to decrypt: crypto/rsa: decryption error");
		goto done;
	}
	rc = hcl__ret(out, hcl_string((const char *)pt, ptlen), e);
done:
	atmo__free(pt);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	atmo__buf_free(&ct);
	return rc;
}

static const hcl_param p_str[] = { HCL__P("str", HCL__STR) };
static const hcl_param p_bcrypt_v = HCL__P("cost", HCL__NUM);
static const hcl_param p_uuidv5[] = { HCL__P("namespace", HCL__STR), HCL__P("name", HCL__STR) };
static const hcl_param p_jsonencode[] = {
	{ .name = "val", .type = HCL__DYN, .allow_unknown = 1, .allow_null = 1, .allow_dynamic = 1 }
};
static const hcl_param p_rsadecrypt[] = { HCL__P("ciphertext", HCL__STR),
					  HCL__P("privatekey", HCL__STR) };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_encoding[] = {
	FN("base64encode", p_str, f_base64encode),
	FN("base64decode", p_str, f_base64decode),
	FN("urlencode", p_str, f_urlencode),
	FN("md5", p_str, f_md5),
	FN("sha1", p_str, f_sha1),
	FN("sha256", p_str, f_sha256),
	FN("sha512", p_str, f_sha512),
	{ "bcrypt", p_str, 1, &p_bcrypt_v, f_bcrypt, NULL },
	{ "uuidv4", NULL, 0, NULL, f_uuidv4, NULL },
	FN("uuidv5", p_uuidv5, f_uuidv5),
	FN("jsonencode", p_jsonencode, f_jsonencode),
	FN("jsondecode", p_str, f_jsondecode),
	FN("csvdecode", p_str, f_csvdecode),
	FN("rsadecrypt", p_rsadecrypt, f_rsadecrypt),
};
const size_t hcl__fn_encoding_n = sizeof(hcl__fn_encoding) / sizeof(hcl__fn_encoding[0]);
