/*
 * Image module: a client of the OCI distribution spec (v2) over libcurl, enough to
 * pull: the /v2/ ping that tells the scheme and the auth challenge, bearer tokens
 * (WWW-Authenticate: Bearer realm, service, scope) and basic auth with credentials
 * from an auth file, manifests and small blobs into memory, layers streamed.
 *
 * TLS is verified; plain HTTP only for localhost/127.0.0.1/::1 (tried when TLS does
 * not answer) and the insecure registries named in the options (which also skip
 * verification). Redirects are followed (blob storage); curl does not send our
 * Authorization header to another host. 429 and 5xx answers and broken connections
 * are retried with exponential backoff; a stream that breaks resumes with Range.
 *
 * Streaming is pull-based (curl's fopen.c example): libarchive's read callback runs
 * the transfer's multi handle until some bytes arrived, so one layer is one easy
 * handle in the thread that reads it, and memory holds one chunk per layer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "image/registry_int.h"
#include "atmograph/file.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/json_nomem.h"

#define MAX_ATTEMPTS 5
#define ACCEPT_MANIFESTS                                                                           \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.v2+json"

struct atmo_image__reg {
	char *name;     /* as given, for messages */
	char *host;     /* HOST[:PORT] as written (auth file key) */
	char *api_host; /* where to connect (docker.io -> registry-1.docker.io) */
	char *repo;
	char *reference;   /* tag or digest */
	char *base;        /* "https://HOST" or "http://HOST" */
	char *auth;        /* "Authorization: ..." or NULL */
	char *user, *pass; /* from the auth file */
	char *ca_file;
	int insecure; /* plain HTTP and unverified TLS allowed */
	int local;    /* plain HTTP allowed (TLS verified) */
};

/* ---- small helpers ---- */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long backoff_ms(int attempt, long retry_after_s)
{
	long ms = 100L << (attempt < 6 ? attempt : 6);
	if (retry_after_s > 0)
		ms = retry_after_s > 10 ? 10000 : retry_after_s * 1000;
	return ms;
}

static int retryable_curl(CURLcode c)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR ||
	       c == CURLE_SEND_ERROR || c == CURLE_PARTIAL_FILE || c == CURLE_OPERATION_TIMEDOUT ||
	       c == CURLE_HTTP2 || c == CURLE_HTTP2_STREAM;
}

static int retryable_status(long s)
{
	return s == 429 || (s >= 500 && s <= 599);
}

const char *atmo_image__reg_name(const atmo_image__reg *r)
{
	return r->name;
}

const char *atmo_image__reg_reference(const atmo_image__reg *r)
{
	return r->reference;
}

void atmo_image__reg_free(atmo_image__reg *r)
{
	if (!r)
		return;
	atmo__free(r->name);
	atmo__free(r->host);
	atmo__free(r->api_host);
	atmo__free(r->repo);
	atmo__free(r->reference);
	atmo__free(r->base);
	atmo__free(r->auth);
	if (r->pass)
		OPENSSL_cleanse(r->pass, strlen(r->pass));
	atmo__free(r->user);
	atmo__free(r->pass);
	atmo__free(r->ca_file);
	atmo__free(r);
}

/* ---- one request ---- */
typedef struct {
	atmo_buf body;
	size_t max;
	int too_big;
	char *www_auth;
	char *content_type;
	char *digest;
	long retry_after;
} response;

static void response_free(response *rs)
{
	atmo__buf_free(&rs->body);
	atmo__free(rs->www_auth);
	atmo__free(rs->content_type);
	atmo__free(rs->digest);
	memset(rs, 0, sizeof(*rs));
}

static size_t body_cb(char *p, size_t size, size_t n, void *ud)
{
	response *rs = ud;
	size_t len = size * n;
	if (rs->body.len + len > rs->max) {
		rs->too_big = 1;
		return 0;
	}
	if (atmo__buf_put(&rs->body, p, len) < 0)
		return 0;
	return len;
}

/* a header's value (trimmed) when line is "Name: value" */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name), e;
	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	line += nl + 1;
	len -= nl + 1;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	for (e = len; e && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' '); e--)
		;
	return atmo__strndup(line, e, NULL);
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
	response *rs = ud;
	size_t len = size * n;
	char *v;
	/* a new response (after a redirect) starts over */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		atmo__free(rs->www_auth);
		atmo__free(rs->content_type);
		atmo__free(rs->digest);
		rs->www_auth = rs->content_type = rs->digest = NULL;
		rs->retry_after = 0;
		return len;
	}
	if ((v = header_value(p, len, "WWW-Authenticate"))) {
		atmo__free(rs->www_auth);
		rs->www_auth = v;
	} else if ((v = header_value(p, len, "Content-Type"))) {
		char *semi = strchr(v, ';');
		if (semi)
			*semi = '\0';
		atmo__free(rs->content_type);
		rs->content_type = v;
	} else if ((v = header_value(p, len, "Docker-Content-Digest"))) {
		atmo__free(rs->digest);
		rs->digest = v;
	} else if ((v = header_value(p, len, "Retry-After"))) {
		rs->retry_after = atol(v);
		atmo__free(v);
	}
	return len;
}

/* the options every transfer shares */
static CURL *easy_new(const atmo_image__reg *r, const char *url, struct curl_slist *hdrs)
{
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 8L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a transfer that stalls (under 1 byte/s for 60 s) is broken, and retried */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "atmograph/" ATMO_VERSION);
	if (hdrs)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (r->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
	if (r->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return c;
}

/* the registry's error body ({"errors": [{"code", "message"}]}) in a few words */
static void registry_errors(char *out, size_t n, const atmo_buf *body)
{
	json_t *doc = body->len ? json_loadb(atmo__buf_cstr(body), body->len, 0, NULL) : NULL, *e;
	size_t i, used = 0;
	out[0] = '\0';
	json_array_foreach(json_object_get(doc, "errors"), i, e) {
		int k = snprintf(out + used, n - used, "%s%s: %s", i ? "; " : " (",
				 json_string_value(json_object_get(e, "code"))
					 ? json_string_value(json_object_get(e, "code"))
					 : "?",
				 json_string_value(json_object_get(e, "message"))
					 ? json_string_value(json_object_get(e, "message"))
					 : "");
		if (k < 0 || (size_t)k >= n - used)
			break;
		used += (size_t)k;
	}
	if (used && used + 2 < n)
		strcat(out, ")");
	json_decref(doc);
}

/* One GET with retries: 0 with *status set (any status), or a transport error. */
static int get_once(atmo_image__reg *r, const char *url, const char *accept, int with_auth,
		    int basic, response *rs, long *status, atmo_error *err)
{
	int attempt;
	for (attempt = 0;; attempt++) {
		struct curl_slist *h = NULL;
		char ebuf[CURL_ERROR_SIZE] = "";
		CURLcode cc;
		CURL *c;
		atmo__buf_clear(&rs->body);
		rs->too_big = 0;
		if (accept)
			h = curl_slist_append(h, accept);
		if (with_auth && r->auth)
			h = curl_slist_append(h, r->auth);
		c = easy_new(r, url, h);
		if (!c) {
			curl_slist_free_all(h);
			return atmo__error_nomem(err);
		}
		if (basic && r->user) {
			curl_easy_setopt(c, CURLOPT_USERNAME, r->user);
			curl_easy_setopt(c, CURLOPT_PASSWORD, r->pass ? r->pass : "");
		}
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
		cc = curl_easy_perform(c);
		*status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		curl_easy_cleanup(c);
		curl_slist_free_all(h);
		if (rs->too_big)
			return atmo__error_set(err, ATMO_ELIMIT, r->name, 0, 0,
					       "%s: more than %zu bytes", url, rs->max);
		if (rs->body.oom)
			return atmo__error_nomem(err);
		if (cc == CURLE_OK && !retryable_status(*status))
			return 0;
		if ((cc != CURLE_OK && !retryable_curl(cc)) || attempt + 1 >= MAX_ATTEMPTS) {
			if (cc == CURLE_OK)
				return 0; /* the caller reports the status */
			return atmo__error_set(
				err, cc == CURLE_PEER_FAILED_VERIFICATION ? ATMO_EVERIFY : ATMO_EIO,
				r->name, 0, 0, "%s: %s (curl error %d%s)", url,
				ebuf[0] ? ebuf : curl_easy_strerror(cc), (int)cc,
				attempt ? ", after retries" : "");
		}
		sleep_ms(backoff_ms(attempt, rs->retry_after));
	}
}

/* ---- authentication ---- */
/* the value of key="..." (or key=token) in a challenge, or NULL */
static char *challenge_param(const char *ch, const char *key)
{
	size_t kl = strlen(key);
	const char *p = ch;
	while ((p = strcasestr(p, key))) {
		const char *v = p + kl;
		if ((p == ch || p[-1] == ' ' || p[-1] == ',') && *v == '=') {
			const char *e;
			v++;
			if (*v == '"') {
				v++;
				e = strchr(v, '"');
			} else {
				e = v + strcspn(v, ", ");
			}
			return e ? atmo__strndup(v, (size_t)(e - v), NULL) : NULL;
		}
		p = v;
	}
	return NULL;
}

static int fetch_token(atmo_image__reg *r, const char *challenge, atmo_error *err)
{
	char *realm = challenge_param(challenge, "realm");
	char *service = challenge_param(challenge, "service");
	char *scope = NULL, *eservice = NULL, *escope = NULL, *url = NULL;
	response rs;
	json_t *doc = NULL;
	const char *tok;
	long status;
	json_error_t je;
	int rc, nomem;
	CURL *esc = curl_easy_init();
	memset(&rs, 0, sizeof(rs));
	rs.max = 1u << 20;
	if (!realm || !esc) {
		rc = atmo__error_set(err, ATMO_EINVALID, r->name, 0, 0,
				     "the registry asks for a bearer token without a realm: %s",
				     challenge);
		goto done;
	}
	if (atmo__asprintf(&scope, "repository:%s:pull", r->repo) < 0)
		scope = NULL;
	eservice = service ? curl_easy_escape(esc, service, 0) : NULL;
	escope = scope ? curl_easy_escape(esc, scope, 0) : NULL;
	if (!escope ||
	    atmo__asprintf(&url, "%s%sscope=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", escope,
			   eservice ? "&service=" : "", eservice ? eservice : "") < 0) {
		url = NULL;
		rc = atmo__error_nomem(err);
		goto done;
	}
	if ((rc = get_once(r, url, NULL, 0, 1, &rs, &status, err)) < 0)
		goto done;
	if (status != 200) {
		rc = atmo__error_set(
			err, status == 401 || status == 403 ? ATMO_EINVALID : ATMO_EIO, r->name, 0,
			0, "the token server %s answered HTTP %ld%s", realm, status,
			status == 401 ? (r->user ? " (wrong credentials?)"
						 : " (no credentials for this registry)")
				      : "");
		goto done;
	}
	doc = atmo__json_loadb(atmo__buf_cstr(&rs.body), rs.body.len, 0, &je, &nomem);
	/* out of memory is not "the server sent no token" */
	if (nomem) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	tok = json_string_value(json_object_get(doc, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(doc, "access_token"));
	if (!tok) {
		rc = atmo__error_set(err, ATMO_EINVALID, r->name, 0, 0,
				     "the token server %s sent no token", realm);
		goto done;
	}
	atmo__free(r->auth);
	if (atmo__asprintf(&r->auth, "Authorization: Bearer %s", tok) < 0) {
		r->auth = NULL;
		rc = atmo__error_nomem(err);
		goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	response_free(&rs);
	curl_free(eservice);
	curl_free(escope);
	curl_easy_cleanup(esc);
	atmo__free(realm);
	atmo__free(service);
	atmo__free(scope);
	atmo__free(url);
	return rc;
}

static int use_basic(atmo_image__reg *r, atmo_error *err)
{
	char *plain = NULL, *b64 = NULL;
	size_t n;
	int rc = 0;
	if (!r->user)
		return atmo__error_set(err, ATMO_EINVALID, r->name, 0, 0,
				       "the registry %s asks for credentials and the auth file has "
				       "none for it",
				       r->host);
	if (atmo__asprintf(&plain, "%s:%s", r->user, r->pass ? r->pass : "") < 0)
		return atmo__error_nomem(err);
	n = strlen(plain);
	b64 = atmo__malloc(4 * ((n + 2) / 3) + 1, NULL);
	if (!b64) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
	atmo__free(r->auth);
	if (atmo__asprintf(&r->auth, "Authorization: Basic %s", b64) < 0) {
		r->auth = NULL;
		rc = atmo__error_nomem(err);
	}
done:
	OPENSSL_cleanse(plain, n);
	atmo__free(plain);
	atmo__free(b64);
	return rc;
}

/* answer a 401's challenge: a token, or basic credentials */
static int authenticate(atmo_image__reg *r, const char *challenge, atmo_error *err)
{
	if (!challenge)
		return atmo__error_set(err, ATMO_EINVALID, r->name, 0, 0,
				       "HTTP 401 without a WWW-Authenticate challenge");
	if (strncasecmp(challenge, "Bearer", 6) == 0)
		return fetch_token(r, challenge, err);
	if (strncasecmp(challenge, "Basic", 5) == 0)
		return use_basic(r, err);
	return atmo__error_set(err, ATMO_EUNSUPPORTED, r->name, 0, 0,
			       "unsupported authentication scheme: %s", challenge);
}

/* credentials for host from the auth file ({"auths": {KEY: {"auth": base64}}}) */
static int load_credentials(atmo_image__reg *r, const char *path, atmo_error *err)
{
	char *text = NULL, *dec = NULL;
	size_t len;
	json_t *doc, *auths, *ent = NULL;
	json_error_t je;
	const char *b64, *key;
	const char *dockerio[] = { "docker.io", "https://index.docker.io/v1/", "index.docker.io",
				   "registry-1.docker.io", NULL };
	char k1[600], k2[600];
	int rc = 0, n, i, nomem;
	if ((rc = atmo_file_read(&text, &len, path, 1u << 20, err)) < 0)
		return rc;
	doc = atmo__json_loadb(text, len, 0, &je, &nomem);
	atmo__free(text);
	if (nomem)
		return atmo__error_nomem(err);
	if (!doc)
		return atmo__error_set(err, ATMO_EINVALID, path, je.line, je.column,
				       "not valid JSON: %s", je.text);
	auths = json_object_get(doc, "auths");
	snprintf(k1, sizeof(k1), "https://%s", r->host);
	snprintf(k2, sizeof(k2), "http://%s", r->host);
	ent = json_object_get(auths, r->host);
	if (!ent)
		ent = json_object_get(auths, k1);
	if (!ent)
		ent = json_object_get(auths, k2);
	for (i = 0; !ent && !strcmp(r->host, "docker.io") && dockerio[i]; i++)
		ent = json_object_get(auths, dockerio[i]);
	if (!ent) {
		json_t *v;
		/* "https://host/v1/" and the like */
		json_object_foreach(auths, key, v) {
			const char *h = strstr(key, "://") ? strstr(key, "://") + 3 : key;
			size_t hl = strlen(r->host);
			if (!strncmp(h, r->host, hl) && (h[hl] == '/' || !h[hl])) {
				ent = v;
				break;
			}
		}
	}
	b64 = json_string_value(json_object_get(ent, "auth"));
	if (b64 && *b64) {
		char *colon;
		size_t bl = strlen(b64);
		dec = atmo__calloc(1, bl + 4, NULL);
		if (!dec) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		n = EVP_DecodeBlock((unsigned char *)dec, (const unsigned char *)b64, (int)bl);
		colon = n > 0 ? strchr(dec, ':') : NULL;
		if (!colon) {
			rc = atmo__error_set(err, ATMO_EINVALID, path, 0, 0,
					     "auths[\"%s\"].auth is not base64 of user:password",
					     r->host);
			goto done;
		}
		*colon = '\0';
		r->user = atmo__strdup(dec, NULL);
		r->pass = atmo__strdup(colon + 1, NULL);
		if (!r->user || !r->pass)
			rc = atmo__error_nomem(err);
	} else if (json_is_string(json_object_get(ent, "username"))) {
		r->user = atmo__strdup(json_string_value(json_object_get(ent, "username")), NULL);
		r->pass = atmo__strdup(json_string_value(json_object_get(ent, "password"))
					       ? json_string_value(json_object_get(ent, "password"))
					       : "",
				       NULL);
		if (!r->user || !r->pass)
			rc = atmo__error_nomem(err);
	}
done:
	if (dec) {
		OPENSSL_cleanse(dec, strlen(dec) + 1);
		atmo__free(dec);
	}
	json_decref(doc);
	return rc;
}

/* ---- the reference ---- */
static int parse_ref(atmo_image__reg *r, const char *ref, atmo_error *err)
{
	const char *s = ref + strlen(ATMO_IMAGE__REG_PREFIX), *slash, *at, *colon, *name;
	size_t hl;
	slash = strchr(s, '/');
	hl = slash ? (size_t)(slash - s) : 0;
	/* the first part names a registry when it looks like a host (as docker reads it) */
	if (slash && (memchr(s, '.', hl) || memchr(s, ':', hl) ||
		      (hl == 9 && !strncmp(s, "localhost", 9)))) {
		r->host = atmo__strndup(s, hl, NULL);
		name = slash + 1;
	} else {
		r->host = atmo__strdup("docker.io", NULL);
		name = s;
	}
	if (!r->host)
		return atmo__error_nomem(err);
	r->api_host = atmo__strdup(!strcmp(r->host, "docker.io") ? "registry-1.docker.io" : r->host,
				   NULL);
	at = strchr(name, '@');
	if (at) {
		/* REPO:TAG@DIGEST: the digest decides, as docker pull does */
		const char *c = memchr(name, ':', (size_t)(at - name));
		r->repo = atmo__strndup(
			name, (size_t)((c && !memchr(c, '/', (size_t)(at - c)) ? c : at) - name),
			NULL);
		r->reference = atmo__strdup(at + 1, NULL);
	} else {
		colon = strrchr(name, ':');
		if (colon && !strchr(colon, '/')) {
			r->repo = atmo__strndup(name, (size_t)(colon - name), NULL);
			r->reference = atmo__strdup(colon + 1, NULL);
		} else {
			r->repo = atmo__strdup(name, NULL);
			r->reference = atmo__strdup("latest", NULL);
		}
	}
	if (!r->api_host || !r->repo || !r->reference)
		return atmo__error_nomem(err);
	if (!strcmp(r->host, "docker.io") && !strchr(r->repo, '/')) {
		char *lib;
		if (atmo__asprintf(&lib, "library/%s", r->repo) < 0)
			return atmo__error_nomem(err);
		atmo__free(r->repo);
		r->repo = lib;
	}
	{
		const char *p;
		int ok = *r->repo && *r->reference && *r->host;
		for (p = r->repo; ok && *p; p++)
			ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
			     strchr("._-/", *p);
		for (p = r->reference; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || strchr("._-:", *p);
		if (!ok)
			return atmo__error_set(
				err, ATMO_EINVALID, ref, 0, 0,
				"not an image reference: expected docker://HOST[:PORT]/"
				"REPO[:TAG|@DIGEST] (lower-case repository)");
	}
	return 0;
}

static int host_listed(const char *list, const char *host)
{
	size_t hl = strlen(host);
	const char *p = list;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && *p == ' ') {
			p++;
			n--;
		}
		if (n == hl && !strncmp(p, host, hl))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int is_local(const char *host)
{
	static const char *const names[] = { "localhost", "127.0.0.1", "[::1]", NULL };
	size_t i;
	for (i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(host, names[i], n) && (host[n] == '\0' || host[n] == ':'))
			return 1;
	}
	return 0;
}

/* GET /v2/: the scheme that answers, and the challenge to meet before pulling */
static int ping(atmo_image__reg *r, atmo_error *err)
{
	response rs;
	long status = 0;
	int rc, plain;
	char url[700];
	memset(&rs, 0, sizeof(rs));
	rs.max = 1u << 20;
	for (plain = 0; plain < 2; plain++) {
		atmo_error e;
		atmo_error_clear(&e);
		atmo__free(r->base);
		if (atmo__asprintf(&r->base, "%s://%s", plain ? "http" : "https", r->api_host) <
		    0) {
			r->base = NULL;
			rc = atmo__error_nomem(err);
			goto done;
		}
		snprintf(url, sizeof(url), "%s/v2/", r->base);
		rc = get_once(r, url, NULL, 0, 0, &rs, &status, &e);
		if (rc == 0)
			break;
		/* TLS that does not answer (a plain HTTP server): plain HTTP where allowed */
		if (plain || !(r->insecure || r->local) || e.code == ATMO_EVERIFY ||
		    e.code == ATMO_ENOMEM) {
			atmo__error_set(err, e.code, e.source, e.line, e.column, "%s%s", e.text,
					!plain && !(r->insecure || r->local) && e.code == ATMO_EIO
						? "; plain HTTP is used only for localhost and the "
						  "registries "
						  "named with --insecure-registry"
						: "");
			goto done;
		}
	}
	if (status == 401) {
		rc = authenticate(r, rs.www_auth, err);
	} else if (status != 200) {
		rc = atmo__error_set(err, ATMO_EIO, r->name, 0, 0,
				     "%s is not a registry (GET /v2/ answered HTTP %ld)", r->base,
				     status);
	}
done:
	response_free(&rs);
	return rc;
}

int atmo_image__reg_open(atmo_image__reg **out, const char *ref, const atmo_image_options *o,
			 atmo_error *err)
{
	atmo_image__reg *r = atmo__calloc(1, sizeof(*r), err);
	int rc;
	*out = NULL;
	if (!r)
		return ATMO_ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		atmo__free(r);
		return atmo__error_set(err, ATMO_ERROR, ref, 0, 0, "libcurl cannot start");
	}
	if (!(r->name = atmo__strdup(ref, err))) {
		rc = ATMO_ENOMEM;
		goto fail;
	}
	if ((rc = parse_ref(r, ref, err)) < 0)
		goto fail;
	r->insecure = host_listed(o->insecure_registries, r->host);
	r->local = is_local(r->host);
	if (o->ca_file && !(r->ca_file = atmo__strdup(o->ca_file, err))) {
		rc = ATMO_ENOMEM;
		goto fail;
	}
	if (o->auth_file && (rc = load_credentials(r, o->auth_file, err)) < 0)
		goto fail;
	if ((rc = ping(r, err)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	atmo_image__reg_free(r);
	return rc;
}

/* GET /v2/REPO/KIND/REF into memory, authenticating on a 401 once */
static int get_doc(atmo_image__reg *r, const char *kind, const char *ref, size_t max, response *rs,
		   atmo_error *err)
{
	char *url = NULL;
	long status = 0;
	int rc, tries;
	if (atmo__asprintf(&url, "%s/v2/%s/%s/%s", r->base, r->repo, kind, ref) < 0)
		return atmo__error_nomem(err);
	rs->max = max;
	for (tries = 0; tries < 2; tries++) {
		if ((rc = get_once(r, url, strcmp(kind, "manifests") ? NULL : ACCEPT_MANIFESTS, 1,
				   0, rs, &status, err)) < 0)
			goto done;
		if (status != 401 || tries)
			break;
		if ((rc = authenticate(r, rs->www_auth, err)) < 0)
			goto done;
	}
	if (status != 200) {
		char why[600];
		registry_errors(why, sizeof(why), &rs->body);
		rc = atmo__error_set(err, status == 404 ? ATMO_ENOTFOUND : ATMO_EIO, r->name, 0, 0,
				     "%s %s: HTTP %ld%s", kind[0] == 'm' ? "manifest" : "blob", ref,
				     status, why);
		goto done;
	}
	/* content addressed: what came must hash to what was asked */
	if (!strncmp(ref, "sha256:", 7)) {
		char hex[65];
		if ((rc = atmo__sha256_hex(atmo__buf_cstr(&rs->body), rs->body.len, hex, err)) < 0)
			goto done;
		if (strcmp(hex, ref + 7)) {
			rc = atmo__error_set(
				err, ATMO_EVERIFY, r->name, 0, 0,
				"%s %s: digest mismatch: the registry sent content hashing "
				"to sha256:%s",
				kind[0] == 'm' ? "manifest" : "blob", ref, hex);
			goto done;
		}
	}
	rc = 0;
done:
	atmo__free(url);
	return rc;
}

int atmo_image__reg_manifest(atmo_image__reg *r, const char *ref, size_t max, char **data,
			     size_t *len, char **media_type, atmo_error *err)
{
	response rs;
	int rc;
	memset(&rs, 0, sizeof(rs));
	*data = NULL;
	*len = 0;
	if (media_type)
		*media_type = NULL;
	if ((rc = get_doc(r, "manifests", ref, max, &rs, err)) < 0)
		goto done;
	*len = rs.body.len;
	*data = atmo__buf_detach(&rs.body);
	if (!*data && !(*data = atmo__strdup("", NULL))) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if (media_type) {
		*media_type = rs.content_type;
		rs.content_type = NULL;
	}
done:
	response_free(&rs);
	return rc;
}

int atmo_image__reg_blob_get(atmo_image__reg *r, const char *digest, size_t max, char **data,
			     size_t *len, atmo_error *err)
{
	response rs;
	int rc;
	memset(&rs, 0, sizeof(rs));
	*data = NULL;
	*len = 0;
	if ((rc = get_doc(r, "blobs", digest, max, &rs, err)) == 0) {
		*len = rs.body.len;
		*data = atmo__buf_detach(&rs.body);
		if (!*data && !(*data = atmo__strdup("", NULL)))
			rc = atmo__error_nomem(err);
	}
	response_free(&rs);
	return rc;
}

/* ---- streamed blobs ---- */
struct atmo_image__blob {
	atmo_image__reg *reg;
	char *url;
	char digest[80];
	uint64_t size; /* declared, UINT64_MAX: unknown */
	CURL *easy;
	CURLM *multi;
	struct curl_slist *hdrs;
	char *buf; /* bytes that arrived, not handed out yet */
	size_t len, cap;
	atmo_buf errbody; /* the body of an error answer */
	uint64_t got;     /* bytes handed out (and hashed) */
	uint64_t skip;    /* a server that ignored Range: bytes to drop */
	int attempts;
	int running;
	int eof;
	atmo_sha256 *hash;
	atmo_error err;
};

static size_t blob_write(char *p, size_t size, size_t n, void *ud)
{
	atmo_image__blob *b = ud;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300) {
		if (b->errbody.len < 4096)
			atmo__buf_put(&b->errbody, p, len);
		return len;
	}
	if (status == 200 && b->skip) {
		size_t d = b->skip < len ? (size_t)b->skip : len;
		b->skip -= d;
		p += d;
		len -= d;
		if (!len)
			return size * n;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *nb;
		while (cap < b->len + len)
			cap *= 2;
		if (!(nb = atmo__realloc(b->buf, cap, NULL)))
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	return size * n;
}

static int blob_start(atmo_image__blob *b)
{
	if (b->easy) {
		curl_multi_remove_handle(b->multi, b->easy);
		curl_easy_cleanup(b->easy);
	}
	b->easy = easy_new(b->reg, b->url, b->hdrs);
	if (!b->easy)
		return atmo__error_nomem(&b->err);
	atmo__buf_clear(&b->errbody);
	curl_easy_setopt(b->easy, CURLOPT_WRITEFUNCTION, blob_write);
	curl_easy_setopt(b->easy, CURLOPT_WRITEDATA, b);
	/* resume where a broken transfer stopped; a server answering 200 to the range is
	 * skipped forward in blob_write */
	b->skip = b->got;
	if (b->got)
		curl_easy_setopt(b->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)b->got);
	if (curl_multi_add_handle(b->multi, b->easy) != CURLM_OK)
		return atmo__error_set(&b->err, ATMO_ERROR, b->reg->name, 0, 0,
				       "curl_multi_add_handle");
	b->running = 1;
	return 0;
}

int atmo_image__blob_open(atmo_image__blob **out, atmo_image__reg *r, const char *digest,
			  uint64_t size, atmo_error *err)
{
	atmo_image__blob *b = atmo__calloc(1, sizeof(*b), err);
	int rc;
	*out = NULL;
	if (!b)
		return ATMO_ENOMEM;
	b->reg = r;
	b->size = size;
	snprintf(b->digest, sizeof(b->digest), "%s", digest);
	if (atmo__asprintf(&b->url, "%s/v2/%s/blobs/%s", r->base, r->repo, digest) < 0) {
		b->url = NULL;
		rc = atmo__error_nomem(err);
		goto fail;
	}
	if (r->auth && !(b->hdrs = curl_slist_append(NULL, r->auth))) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	if ((rc = atmo__sha256_new(&b->hash, err)) < 0)
		goto fail;
	if (!(b->multi = curl_multi_init())) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	if ((rc = blob_start(b)) < 0) {
		atmo__error_set(err, b->err.code, b->err.source, 0, 0, "%s", b->err.text);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	atmo_image__blob_free(b);
	return rc;
}

/* run the transfer until bytes arrived or it ended; 0, or < 0 with b->err set */
static int blob_pump(atmo_image__blob *b)
{
	while (!b->len && !b->eof) {
		int still = 0, left;
		CURLMsg *m;
		if (curl_multi_perform(b->multi, &still) != CURLM_OK)
			return atmo__error_set(&b->err, ATMO_EIO, b->reg->name, 0, 0,
					       "blob %s: curl_multi_perform failed", b->digest);
		if (b->len)
			break;
		if (still) {
			curl_multi_poll(b->multi, NULL, 0, 1000, NULL);
			continue;
		}
		/* the transfer ended: done, or retry */
		m = curl_multi_info_read(b->multi, &left);
		if (!m)
			return atmo__error_set(&b->err, ATMO_EIO, b->reg->name, 0, 0,
					       "blob %s: the transfer stopped without a result",
					       b->digest);
		for (; m; m = curl_multi_info_read(b->multi, &left)) {
			CURLcode cc;
			long status = 0;
			if (m->msg != CURLMSG_DONE)
				continue;
			cc = m->data.result;
			curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
			if (cc == CURLE_OK && (status == 200 || status == 206)) {
				b->eof = 1;
				break;
			}
			if (++b->attempts < MAX_ATTEMPTS &&
			    ((cc != CURLE_OK && retryable_curl(cc)) ||
			     (cc == CURLE_OK && retryable_status(status)))) {
				sleep_ms(backoff_ms(b->attempts - 1, 0));
				if (blob_start(b) < 0)
					return b->err.code;
				break;
			}
			if (cc != CURLE_OK)
				return atmo__error_set(
					&b->err, ATMO_EIO, b->reg->name, 0, 0,
					"blob %s: %s after %llu bytes (curl error %d)", b->digest,
					curl_easy_strerror(cc), (unsigned long long)b->got,
					(int)cc);
			{
				char why[600];
				registry_errors(why, sizeof(why), &b->errbody);
				return atmo__error_set(&b->err,
						       status == 404 ? ATMO_ENOTFOUND : ATMO_EIO,
						       b->reg->name, 0, 0, "blob %s: HTTP %ld%s",
						       b->digest, status, why);
			}
		}
	}
	return 0;
}

la_ssize_t atmo_image__blob_read(struct archive *a, void *cd, const void **out)
{
	atmo_image__blob *b = cd;
	size_t n;
	/* libarchive is done with what it was handed last time */
	b->len = 0;
	if (blob_pump(b) < 0) {
		archive_set_error(a, EIO, "%s", b->err.text);
		return -1;
	}
	n = b->len;
	if (!n)
		return 0;
	if (b->size != UINT64_MAX && b->got + n > b->size) {
		atmo__error_set(&b->err, ATMO_EVERIFY, b->reg->name, 0, 0,
				"blob %s: more than the %llu bytes its descriptor says", b->digest,
				(unsigned long long)b->size);
		archive_set_error(a, EIO, "%s", b->err.text);
		return -1;
	}
	atmo__sha256_update(b->hash, b->buf, n);
	b->got += n;
	*out = b->buf;
	return (la_ssize_t)n;
}

int atmo_image__blob_finish(atmo_image__blob *b, uint64_t *bytes)
{
	char hex[65];
	for (;;) {
		b->len = 0;
		if (blob_pump(b) < 0)
			return b->err.code;
		if (!b->len)
			break;
		atmo__sha256_update(b->hash, b->buf, b->len);
		b->got += b->len;
	}
	*bytes = b->got;
	if (b->size != UINT64_MAX && b->got != b->size)
		return atmo__error_set(
			&b->err, ATMO_EVERIFY, b->reg->name, 0, 0,
			"blob %s: size mismatch: the descriptor says %llu bytes, the "
			"registry sent %llu",
			b->digest, (unsigned long long)b->size, (unsigned long long)b->got);
	if (atmo__sha256_final_hex(b->hash, hex) < 0)
		return atmo__error_set(&b->err, ATMO_ERROR, b->reg->name, 0, 0, "SHA-256 failed");
	if (!strncmp(b->digest, "sha256:", 7) && strcmp(hex, b->digest + 7))
		return atmo__error_set(
			&b->err, ATMO_EVERIFY, b->reg->name, 0, 0,
			"blob %s: digest mismatch: the registry sent content hashing to "
			"sha256:%s",
			b->digest, hex);
	return 0;
}

const atmo_error *atmo_image__blob_error(const atmo_image__blob *b)
{
	return &b->err;
}

void atmo_image__blob_free(atmo_image__blob *b)
{
	if (!b)
		return;
	if (b->easy) {
		curl_multi_remove_handle(b->multi, b->easy);
		curl_easy_cleanup(b->easy);
	}
	if (b->multi)
		curl_multi_cleanup(b->multi);
	curl_slist_free_all(b->hdrs);
	atmo__buf_free(&b->errbody);
	atmo__sha256_free(b->hash);
	atmo__free(b->buf);
	atmo__free(b->url);
	atmo__free(b);
}
