/* Registry options shared by inspect, sizes, diff and check: where credentials are
 * (the library reads no environment variable, so the auth file is found here), which
 * registries are insecure, which CAs to trust. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

int cli_registry_option(cli_registry_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_AUTH_FILE:
		a->auth_file = arg;
		return CLI_OK;
	case CLI_OPT_REGISTRY_CA:
		a->ca_file = arg;
		return CLI_OK;
	case CLI_OPT_INSECURE_REGISTRY: {
		size_t n = a->insecure ? strlen(a->insecure) : 0;
		char *s = realloc(a->insecure, n + strlen(arg) + 2);
		if (!s)
			return cli_errorf("out of memory");
		if (n)
			s[n++] = ',';
		strcpy(s + n, arg);
		a->insecure = s;
		return CLI_OK;
	}
	default:
		return -1;
	}
}

/* the first of: --auth-file, $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * $DOCKER_CONFIG/config.json, ~/.docker/config.json (the last three when they exist) */
static const char *auth_file(cli_registry_args *a)
{
	const char *env;
	char *p = NULL;
	if (a->auth_file)
		return a->auth_file;
	if ((env = getenv("REGISTRY_AUTH_FILE")) && *env)
		return env;
	if ((env = getenv("XDG_RUNTIME_DIR")) && *env &&
	    asprintf(&p, "%s/containers/auth.json", env) >= 0) {
		if (access(p, R_OK) == 0)
			return a->auth_buf = p;
		free(p);
	}
	if ((env = getenv("DOCKER_CONFIG")) && *env && asprintf(&p, "%s/config.json", env) >= 0) {
		if (access(p, R_OK) == 0)
			return a->auth_buf = p;
		free(p);
	}
	if ((env = getenv("HOME")) && *env && asprintf(&p, "%s/.docker/config.json", env) >= 0) {
		if (access(p, R_OK) == 0)
			return a->auth_buf = p;
		free(p);
	}
	return NULL;
}

void cli_registry_apply(cli_registry_args *a, atmo_image_options *o)
{
	if (!a->resolved)
		a->resolved = auth_file(a);
	o->auth_file = a->resolved;
	o->insecure_registries = a->insecure;
	o->ca_file = a->ca_file;
}

void cli_registry_args_free(cli_registry_args *a)
{
	free(a->insecure);
	free(a->auth_buf);
	memset(a, 0, sizeof(*a));
}
