/*
 * Image references checked as BuildKit checks a base image or a --from image
 * before it resolves it: distribution/reference's ParseNormalizedNamed
 * (normalize.go, reference.go, regexp.go) and go-digest's Validate. The
 * grammar, anchored:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain [ ":" port ] "/" ] path ( "/" path )*
 *   domain     := component ( "." component )* | "[" [a-fA-F0-9:]+ "]"
 *   component  := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   path       := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ":" [[:xdigit:]]{32,}
 *
 * Each piece is a small scanner: none of the pieces can hold the character
 * that separates it from the next ('/', ':', '@'), so the split is
 * unambiguous and no backtracking is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

#define REPO_NAME_MAX 255

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int is_xdigit_c(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* path := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* */
static int path_component_ok(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t a = i, k;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == a)
			return 0;
		if (i == n)
			return 1;
		a = i;
		while (i < n && !is_lower_alnum(s[i]))
			i++;
		k = i - a;
		if (i == n)
			return 0; /* a separator must be followed by [a-z0-9] */
		if (k == 1 && (s[a] == '.' || s[a] == '_'))
			continue;
		if (k == 2 && s[a] == '_' && s[a + 1] == '_')
			continue;
		for (; a < i; a++)
			if (s[a] != '-')
				return 0;
	}
}

/* remoteName := path ( "/" path )* */
static int remote_name_ok(const char *s, size_t n)
{
	size_t a = 0, i;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		if (!path_component_ok(s + a, i - a))
			return 0;
		a = i + 1;
	}
	return 1;
}

/* component ( "." component )* */
static int domain_name_ok(const char *s, size_t n)
{
	size_t a = 0, i;
	for (i = 0; i <= n; i++) {
		size_t k;
		if (i < n && s[i] != '.')
			continue;
		if (i == a || s[a] == '-' || s[i - 1] == '-')
			return 0;
		for (k = a; k < i; k++)
			if (!is_alnum(s[k]) && s[k] != '-')
				return 0;
		a = i + 1;
	}
	return 1;
}

/* host [ ":" [0-9]+ ] */
static int domain_and_port_ok(const char *s, size_t n)
{
	size_t i, host_n;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb || rb == s + 1)
			return 0;
		for (i = 1; s + i < rb; i++)
			if (!is_xdigit_c(s[i]) && s[i] != ':')
				return 0;
		host_n = (size_t)(rb - s) + 1;
	} else {
		const char *colon = memchr(s, ':', n);
		host_n = colon ? (size_t)(colon - s) : n;
		if (!domain_name_ok(s, host_n))
			return 0;
	}
	if (host_n == n)
		return 1;
	if (s[host_n] != ':' || host_n + 1 == n)
		return 0;
	for (i = host_n + 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* tag := [\w][\w.-]{0,127} */
static int tag_ok(const char *s, size_t n)
{
	size_t i;
	if (n < 1 || n > 128)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!(is_alnum(c) || c == '_' || (i && (c == '.' || c == '-'))))
			return 0;
	}
	return 1;
}

/* [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ":" [[:xdigit:]]{32,} */
static int digest_pattern_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t an, i;
	int need_letter = 1;
	if (!colon)
		return 0;
	an = (size_t)(colon - s);
	for (i = 0; i < an; i++) {
		char c = s[i];
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (need_letter) {
			if (!letter)
				return 0;
			need_letter = 0;
		} else if (c == '-' || c == '_' || c == '+' || c == '.') {
			need_letter = 1;
		} else if (!is_alnum(c)) {
			return 0;
		}
	}
	if (need_letter)
		return 0;
	if (n - an - 1 < 32)
		return 0;
	for (i = an + 1; i < n; i++)
		if (!is_xdigit_c(s[i]))
			return 0;
	return 1;
}

/* name := [ domainAndPort "/" ] remoteName; *path_n: the length of the
 * path part as anchoredNameRegexp captures it (the domain taken when it can be) */
static int name_ok(const char *s, size_t n, size_t *path_n)
{
	const char *slash = memchr(s, '/', n);
	if (slash && domain_and_port_ok(s, (size_t)(slash - s)) &&
	    remote_name_ok(slash + 1, n - (size_t)(slash - s) - 1)) {
		*path_n = n - (size_t)(slash - s) - 1;
		return 1;
	}
	*path_n = n;
	return remote_name_ok(s, n);
}

/* ReferenceRegexp on s: 1 when it matches; the pieces through the out-parameters */
static int reference_match(const char *s, size_t n, size_t *path_n, const char **digest,
			   size_t *digest_n)
{
	const char *at = memchr(s, '@', n), *colon, *slash;
	size_t left = at ? (size_t)(at - s) : n, name_n;
	*digest = NULL;
	*digest_n = 0;
	if (at) {
		*digest = at + 1;
		*digest_n = n - left - 1;
		if (!digest_pattern_ok(*digest, *digest_n))
			return 0;
	}
	/* the tag starts at the first ':' after the last '/' (a port only ever precedes a '/') */
	slash = NULL;
	{
		size_t i;
		for (i = 0; i < left; i++)
			if (s[i] == '/')
				slash = s + i;
	}
	colon = slash ? memchr(slash, ':', left - (size_t)(slash - s)) : memchr(s, ':', left);
	name_n = colon ? (size_t)(colon - s) : left;
	if (colon && !tag_ok(colon + 1, left - name_n - 1))
		return 0;
	return name_ok(s, name_n, path_n);
}

static int fail(char *why, size_t n, const char *fmt, const char *a)
{
	snprintf(why, n, fmt, a);
	return -1;
}

/* go-digest's Digest.Validate with sha256, sha384 and sha512 registered */
static int digest_valid(const char *d, size_t n, char *why, size_t wn)
{
	static const struct {
		const char *alg;
		size_t hex;
	} algs[] = { { "sha256", 64 }, { "sha384", 96 }, { "sha512", 128 } };
	const char *colon = memchr(d, ':', n);
	size_t an = (size_t)(colon - d), i, k;
	for (k = 0; k < sizeof(algs) / sizeof(algs[0]); k++) {
		if (strlen(algs[k].alg) != an || memcmp(d, algs[k].alg, an))
			continue;
		if (n - an - 1 != algs[k].hex)
			return fail(why, wn, "%sinvalid checksum digest length", "");
		for (i = an + 1; i < n; i++)
			if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
				return fail(why, wn, "%sinvalid checksum digest format", "");
		return 0;
	}
	/* DigestRegexpAnchored: [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+ */
	for (i = 0; i < an; i++) {
		char c = d[i];
		int sep = c == '.' || c == '+' || c == '_' || c == '-';
		if (!is_lower_alnum(c) &&
		    !(sep && i > 0 && i + 1 < an && !strchr(".+_-", d[i + 1])))
			return fail(why, wn, "%sinvalid checksum digest format", "");
	}
	return fail(why, wn, "%sunsupported digest algorithm", "");
}

static int has_upper(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 1;
	return 0;
}

int atmo__reference_check(const char *ref, char *why, size_t wn)
{
	size_t n = strlen(ref), i, rem_n, full_n, path_n, dn;
	const char *slash = strchr(ref, '/'), *colon, *digest;
	char *full, *p;
	int rc = 0;

	if (n == 64) {
		for (i = 0; i < 64 &&
			    ((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f'));
		     i++)
			;
		if (i == 64)
			return fail(why, wn,
				    "invalid repository name (%s), cannot specify 64-byte "
				    "hexadecimal strings",
				    ref);
	}
	/* splitDockerDomain: "domain/remainder" with docker.io and library/ made explicit */
	full = atmo__malloc(n + sizeof("docker.io/library/"), NULL);
	if (!full)
		return ATMO_ENOMEM;
	if (!slash) {
		sprintf(full, "docker.io/library/%s", ref);
	} else {
		size_t dl = (size_t)(slash - ref);
		const char *rest = slash + 1;
		int is_domain = (dl == 9 && !memcmp(ref, "localhost", 9)) || memchr(ref, '.', dl) ||
				memchr(ref, ':', dl) || has_upper(ref, dl);
		int hub = (dl == 15 && !memcmp(ref, "index.docker.io", 15)) ||
			  (dl == 9 && !memcmp(ref, "docker.io", 9));
		if (hub) /* Docker Hub: library/ for one-element names */
			sprintf(full, "docker.io/%s%s", strchr(rest, '/') ? "" : "library/", rest);
		else if (is_domain)
			sprintf(full, "%s", ref);
		else
			sprintf(full, "docker.io/%s", ref);
	}
	full_n = strlen(full);
	/* the remote name (up to the first ':') must be lower case */
	p = strchr(full, '/') + 1;
	colon = strchr(p, ':');
	rem_n = colon ? (size_t)(colon - p) : strlen(p);
	if (has_upper(p, rem_n)) {
		snprintf(why, wn,
			 "invalid reference format: repository name (%.*s) must be lowercase",
			 (int)(rem_n > 300 ? 300 : rem_n), p);
		rc = -1;
		goto done;
	}
	if (!reference_match(full, full_n, &path_n, &digest, &dn)) {
		for (i = 0; i < full_n; i++)
			if (full[i] >= 'A' && full[i] <= 'Z')
				full[i] = (char)(full[i] - 'A' + 'a');
		rc = fail(why, wn, "%s",
			  reference_match(full, full_n, &path_n, &digest, &dn)
				  ? "repository name must be lowercase"
				  : "invalid reference format");
		goto done;
	}
	if (path_n > REPO_NAME_MAX) {
		rc = fail(why, wn, "repository name must not be more than %s characters", "255");
		goto done;
	}
	if (digest)
		rc = digest_valid(digest, dn, why, wn);
done:
	atmo__free(full);
	return rc;
}
