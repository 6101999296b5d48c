/* What an engine cannot do with a target, said before it runs: the engine and
 * version that lack a feature, and the engine that has it. */
#include <stdio.h>
#include <string.h>
#include "engine/engine_int.h"
#include "util/error.h"

/* does the target's output list ask for the docker image store? (no output:
 * atmograph adds --load for docker buildx, which is type=docker) */
static int loads_into_docker(const atmo_bake_target *t)
{
	size_t i;
	if (!t->n_outputs)
		return 1;
	for (i = 0; i < t->n_outputs; i++) {
		const char *o = t->outputs[i];
		if (!strcmp(o, "type=docker") || !strncmp(o, "type=docker,", 12) ||
		    strstr(o, ",type=docker,") ||
		    (strlen(o) > 12 && !strcmp(o + strlen(o) - 12, ",type=docker")))
			return 1;
	}
	return 0;
}

int atmo__engine_check_target(const atmo_engine_options *eo, const atmo_bake_target *t, int push,
			      atmo_error *err)
{
	char platforms[512] = "";
	size_t i, used = 0;

	if (push && !t->n_tags)
		return atmo__error_set(
			err, ATMO_EINVALID, NULL, 0, 0,
			"target '%s' has no tags to push to: give it \"tags\" "
			"(e.g. [\"registry.example/%s:latest\"]) or build it without "
			"--push",
			t->name, t->name);
	/* with --push and no output, atmograph leaves --load out for several platforms */
	if (eo->kind != ATMO_ENGINE_DOCKER || t->n_platforms < 2 || !loads_into_docker(t) ||
	    (push && !t->n_outputs))
		return 0;
	for (i = 0; i < t->n_platforms && used < sizeof(platforms); i++)
		used += (size_t)snprintf(platforms + used, sizeof(platforms) - used, "%s%s",
					 i ? ", " : "", t->platforms[i]);
	/* buildx itself fails later with "docker exporter does not currently support
	 * exporting manifest lists"; say it before anything runs, and what to do */
	return atmo__error_set(
		err, ATMO_EUNSUPPORTED, NULL, 0, 0,
		"target '%s' has several platforms (%s) and would be loaded "
		"into docker (--load): the docker image store takes one platform "
		"at a time; give the target one platform, or an output such as "
		"\"output\": [\"type=oci,dest=%s.tar\"] or [\"type=registry\"], or --push",
		t->name, platforms, t->name);
}

void atmo__engine_lowering_hint(atmo_error *err, const atmo_engine_options *eo)
{
	char hint[256];
	size_t len = strlen(err->text);

	if (eo->kind == ATMO_ENGINE_DOCKER)
		return;
	snprintf(hint, sizeof(hint),
		 "; %s %s cannot build it; docker buildx (BuildKit) can: --engine docker",
		 atmo_engine_name(eo->kind),
		 eo->engine_version ? eo->engine_version
				    : "(version unknown: assumed old; "
				      "--engine-version V to say)");
	snprintf(err->text + len, sizeof(err->text) - len, "%s", hint);
}
