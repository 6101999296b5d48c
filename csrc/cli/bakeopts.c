/* The options `bake`, `plan` and `build` share (see bakeopts.h). */
#include <stdlib.h>
#include <string.h>
#include "cli/bakeopts.h"

int cli_bake_option(cli_bake_args *a, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case 'f':
		return cli_push(&a->files, &a->n_files, arg);
	case CLI_OPT_SET_VAR:
		if (!strchr(arg, '=') || arg[0] == '=')
			return cli_usage_error(cmd, "--set-var expects NAME=VALUE, not '%s'", arg);
		return cli_push(&a->set_vars, &a->n_set_vars, arg);
	case CLI_OPT_SET:
		if (!strchr(arg, '.') || arg[0] == '.')
			return cli_usage_error(cmd, "--set expects TARGET.KEY=VALUE, not '%s'",
					       arg);
		return cli_push(&a->overrides, &a->n_overrides, arg);
	default:
		return -1;
	}
}

/* the process environment, for variables and args without a value */
static const char *cli_getenv(const char *name, size_t len, void *payload)
{
	char key[256];

	(void)payload;
	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	return getenv(key);
}

int cli_bake_load(atmo_bake **out, const cli_bake_args *a)
{
	atmo_bake_options o = ATMO_BAKE_OPTIONS_INIT;
	atmo_error err;

	atmo_error_clear(&err);
	o.set_vars = a->set_vars;
	o.n_set_vars = a->n_set_vars;
	o.overrides = a->overrides;
	o.n_overrides = a->n_overrides;
	o.env = cli_getenv;
	if (atmo_bake_load(out, a->files, a->n_files, NULL, &o, &err) < 0)
		return cli_error(&err);
	return CLI_OK;
}

void cli_bake_args_free(cli_bake_args *a)
{
	free(a->files);
	free(a->set_vars);
	free(a->overrides);
	memset(a, 0, sizeof(*a));
}

int cli_plan_option(cli_plan_args *a, const char *cmd, int c, const char *arg)
{
	atmo_engine_options *e = &a->plan.engine;

	switch (c) {
	case CLI_OPT_ENGINE:
		if (atmo_engine_from_name(&e->kind, arg) < 0)
			return cli_usage_error(cmd, "unknown engine '%s' (buildah, docker, podman)",
					       arg);
		a->engine_named = 1;
		return CLI_OK;
	case CLI_OPT_ENGINE_PATH:
		e->program = arg;
		return CLI_OK;
	case CLI_OPT_STORAGE_ROOT:
		e->storage_root = arg;
		return CLI_OK;
	case CLI_OPT_STORAGE_DRIVER:
		e->storage_driver = arg;
		return CLI_OK;
	case CLI_OPT_ISOLATION:
		e->isolation = arg;
		return CLI_OK;
	case CLI_OPT_BUILDER:
		e->builder = arg;
		return CLI_OK;
	case CLI_OPT_PUSH:
		a->plan.push = 1;
		return CLI_OK;
	default:
		return cli_bake_option(&a->bake, cmd, c, arg);
	}
}

int cli_plan_load(atmo_bake **b, atmo_plan **p, cli_plan_args *a, const char *cmd,
		  int probe_required, char *const *names, size_t n_names)
{
	atmo_engine_options *e = &a->plan.engine;
	atmo_error err;
	int rc;

	*b = NULL;
	*p = NULL;
	atmo_error_clear(&err);
	/* --engine-path alone keeps the engine kind of ATMO_ENGINE_OPTIONS_INIT */
	if (!a->engine_named && !e->program &&
	    atmo_engine_default_env(&e->kind, cli_getenv, NULL) < 0)
		return cli_usage_error(
			cmd, "ATMOGRAPH_ENGINE names no engine (buildah, docker, podman)");
	/* the engine program, isolation and storage the options left open */
	atmo_engine_options_env(e, cli_getenv, NULL);
	if ((rc = cli_bake_load(b, &a->bake)) != CLI_OK)
		return rc;
	if (probe_required || !e->engine_version) {
		atmo_free(a->version);
		a->version = NULL;
		if (atmo_engine_probe_version(&a->version, e, probe_required ? &err : NULL) == 0)
			e->engine_version = a->version;
		else if (probe_required)
			return cli_error(&err);
	}
	if (atmo_plan_new(p, *b, (const char *const *)names, n_names, &a->plan, &err) < 0)
		return cli_error(&err);
	return CLI_OK;
}

void cli_plan_args_free(cli_plan_args *a)
{
	cli_bake_args_free(&a->bake);
	atmo_free(a->version);
	a->version = NULL;
}
