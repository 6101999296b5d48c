/*
 * Image digests from an engine (iidfile, `inspect`) and from the state file are
 * untrusted text that goes into reports, state and later command lines: only
 * a strict algorithm:hex form passes.
 */
#include <stdlib.h>
#include <string.h>
#include "engine/engine_int.h"
#include "util/alloc.h"

static int lower_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int atmo__digest_valid(const char *s)
{
	size_t n;
	if (!s)
		return 0;
	n = strlen(s);
	if (n == 7 + 64 && !strncmp(s, "sha256:", 7))
		return lower_hex(s + 7, 64);
	if (n == 7 + 128 && !strncmp(s, "sha512:", 7))
		return lower_hex(s + 7, 128);
	return 0;
}

char *atmo__digest_parse(const char *text, size_t len)
{
	char *d;
	/* engines end the id with a newline (or not); nothing else may follow it */
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	if (!len || memchr(text, '\0', len))
		return NULL;
	/* buildah's FromImageID and its iidfile may omit the algorithm */
	if (len == 64 && lower_hex(text, 64)) {
		d = atmo__malloc(7 + 64 + 1, NULL);
		if (!d)
			return NULL;
		memcpy(d, "sha256:", 7);
		memcpy(d + 7, text, 64);
		d[71] = '\0';
		return d;
	}
	d = atmo__strndup(text, len, NULL);
	if (d && !atmo__digest_valid(d)) {
		atmo__free(d);
		return NULL;
	}
	return d;
}
