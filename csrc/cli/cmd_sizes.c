/* atmograph sizes: image bytes per stage and per instruction of a Dockerfile. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"
#include "util/buf.h"

static const char usage_text[] =
	"usage: atmograph sizes DOCKERFILE --image STAGE=IMAGE... [options]\n"
	"\n"
	"Attribute the bytes of built images to the stages and instructions of a\n"
	"Dockerfile. Give the image of each stage built with --target STAGE; with\n"
	"several stages, show what each adds on top of its base and what the build\n"
	"stages kept out of the final image (bytes and dpkg packages).\n"
	"\n"
	"DOCKERFILE may be '-' for standard input.\n"
	"\n"
	"Options:\n"
	"  -i, --image STAGE=IMAGE  the image of a stage (repeatable; IMAGE is an OCI layout,\n"
	"                           an oci-archive or a docker-archive, IMAGE@REF picks by ref)\n"
	"  -t, --target STAGE       the target stage (name or index; default: the last)\n"
	"  --build-arg KEY=VALUE    override an ARG default (repeatable)\n"
	"  --json                   print the document \"atmograph.sizes/1\"\n"
	"  -H, --human              human-readable sizes in IEC units (the default)\n"
	"  --bytes                  exact sizes in bytes\n"
	"  -o, --output F           write to F (atomically) instead of standard output\n"
	"  -h, --help               show this help\n"
	"\n" CLI_REGISTRY_HELP "\n"
	"Exit status: 0 attributed, 1 the Dockerfile or an image is invalid or they do not\n"
	"match, 2 usage error (also a malformed --build-arg). Warnings go to standard error.\n";

/* a size column: human units or exact bytes */
#define SZ(buf, v) cli_size(buf, sizeof(buf), (v), human, 0)

static void human_report(atmo_buf *b, const json_t *doc, const cli_report_options *o)
{
	int human = o->human;
	json_t *st, *in, *kept = json_object_get(doc, "kept_out"), *p;
	size_t i, k;
	char s1[CLI_SIZE_BUFLEN], s2[CLI_SIZE_BUFLEN], s3[CLI_SIZE_BUFLEN], t1[48], t2[48];

	atmo__buf_printf(b, "Dockerfile: %s   target: %s\n\n", cli_jstr(doc, "dockerfile"),
			 cli_stage_title(t1, sizeof(t1), cli_jstr(doc, "target")));
	atmo__buf_printf(b, "%-20s %-12s %-12s %-12s %-9s %s\n", "STAGE", "IMAGE", "BASE", "OWN",
			 "PACKAGES", "IN FINAL");
	json_array_foreach(json_object_get(doc, "stages"), i, st) {
		char pk[32] = "-";
		if (json_is_integer(json_object_get(st, "packages")))
			snprintf(pk, sizeof(pk), "%lld", cli_jint(st, "packages"));
		atmo__buf_printf(b, "%-20s %-12s %-12s %-12s %-9s %s\n",
				 cli_stage_title(t1, sizeof(t1), cli_jstr(st, "stage")),
				 SZ(s1, cli_jint(json_object_get(st, "size"), "bytes")),
				 SZ(s2, cli_jint(st, "base_bytes")),
				 SZ(s3, cli_jint(st, "own_bytes")), pk,
				 json_is_true(json_object_get(st, "in_final")) ? "yes" : "no");
	}
	json_array_foreach(json_object_get(doc, "stages"), i, st) {
		/* "Stage 0" reads well as it is: no "stage" to add here */
		atmo__buf_printf(
			b, "\nStage %s (%s, base %s):\n", cli_jstr(st, "stage"),
			cli_jstr(st, "image"),
			json_string_value(json_object_get(st, "base_stage"))
				? cli_stage_title(t2, sizeof(t2), cli_jstr(st, "base_stage"))
				: cli_jstr(st, "base"));
		atmo__buf_printf(b, "  %-9s %-12s %s\n", "LINE", "BYTES", "INSTRUCTION");
		json_array_foreach(json_object_get(st, "instructions"), k, in) {
			char line[100], ln[24];
			cli_one_line(line, sizeof(line), cli_jstr(in, "text"), 70);
			if (cli_jint(in, "end_line") > cli_jint(in, "line"))
				snprintf(ln, sizeof(ln), "%lld-%lld", cli_jint(in, "line"),
					 cli_jint(in, "end_line"));
			else
				snprintf(ln, sizeof(ln), "%lld", cli_jint(in, "line"));
			atmo__buf_printf(b, "  %-9s %-12s %s\n", ln,
					 json_array_size(json_object_get(in, "history"))
						 ? SZ(s1, cli_jint(in, "bytes"))
						 : "-",
					 line);
		}
		if (cli_jint(st, "unattributed_bytes"))
			atmo__buf_printf(b,
					 "  %-9s %-12s (history entries no instruction explains)\n",
					 "?", SZ(s1, cli_jint(st, "unattributed_bytes")));
	}
	if (json_array_size(json_object_get(kept, "stages"))) {
		atmo__buf_printf(b, "\nKept out of the final image: %s in stage(s) ",
				 SZ(s1, cli_jint(kept, "bytes")));
		json_array_foreach(json_object_get(kept, "stages"), i, p)
			atmo__buf_printf(b, "%s%s", i ? ", " : "",
					 cli_stage_title(t1, sizeof(t1), json_string_value(p)));
		atmo__buf_printf(b, " (they add %s; COPY --from brings %s into the final image)",
				 SZ(s2, cli_jint(kept, "own_bytes")),
				 SZ(s3, cli_jint(kept, "copied_bytes")));
		atmo__buf_printf(b, "\n  packages (%zu):",
				 json_array_size(json_object_get(kept, "packages")));
		json_array_foreach(json_object_get(kept, "packages"), i, p)
			atmo__buf_printf(b, " %s", json_string_value(p));
		atmo__buf_putc(b, '\n');
	}
}

int cmd_sizes(int argc, char **argv)
{
	static const struct option longopts[] = { { "image", required_argument, NULL, 'i' },
						  { "target", required_argument, NULL, 't' },
						  { "build-arg", required_argument, NULL,
						    CLI_OPT_BUILD_ARG },
						  CLI_OUTPUT_LONGOPTS,
						  CLI_REGISTRY_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	cli_graph_args ga = { 0 };
	atmo_error err;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	atmo_image **imgs = NULL;
	atmo_sizes_input *in = NULL;
	const char **specs = NULL;
	size_t n_specs = 0, i;
	json_t *doc = NULL;
	cli_output_args out = CLI_OUTPUT_ARGS_INIT;
	cli_registry_args reg = CLI_REGISTRY_ARGS_INIT;
	const char *path;
	char *text = NULL, **owned = NULL;
	int c, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, ":i:t:o:Hh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				rc = cli_usage_error("sizes", "--image needs STAGE=IMAGE, not '%s'",
						     optarg);
				goto done;
			}
			if ((rc = cli_push(&specs, &n_specs, optarg)) != CLI_OK)
				goto done;
			break;
		case 'h':
			cli_help_print(usage_text, stdout);
			rc = CLI_OK;
			goto done;
		default:
			if ((rc = cli_output_option(&out, c, optarg)) < 0 &&
			    (rc = cli_graph_option(&ga, c, optarg)) < 0 &&
			    (rc = cli_registry_option(&reg, c, optarg)) < 0)
				rc = cli_bad_option("sizes", c, argv, longopts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if ((rc = cli_one_operand("sizes", argc, argv, "DOCKERFILE", 1, &path)) != CLI_OK)
		goto done;
	if (n_specs == 0) {
		rc = cli_usage_error("sizes", "give at least one --image STAGE=IMAGE");
		goto done;
	}
	if ((rc = cli_graph_load(&g, &df, &text, "sizes", path, &ga)) != CLI_OK)
		goto done;
	imgs = calloc(n_specs, sizeof(*imgs));
	in = calloc(n_specs, sizeof(*in));
	owned = calloc(n_specs, sizeof(*owned));
	if (!imgs || !in || !owned) {
		rc = cli_errorf("out of memory");
		goto done;
	}
	atmo_error_clear(&err);
	for (i = 0; i < n_specs; i++) {
		atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
		char *eq, *at;
		/* STAGE=IMAGE[@REF], split in a copy */
		if (!(owned[i] = strdup(specs[i]))) {
			rc = cli_errorf("out of memory");
			goto done;
		}
		eq = strchr(owned[i], '=');
		*eq = '\0';
		at = strrchr(eq + 1, '@');
		/* in docker://REPO@DIGEST the digest is the registry's, not --ref */
		if (at && !strchr(at, '/') && strncmp(eq + 1, "docker://", 9) != 0) {
			*at = '\0';
			o.ref = at + 1;
		}
		o.packages = 1;
		o.files = 0;
		cli_registry_apply(&reg, &o);
		in[i].stage = owned[i];
		if (atmo_image_open(&imgs[i], eq + 1, &o, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		in[i].image = imgs[i];
	}
	if (atmo_sizes_compute(&doc, g, in, n_specs, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	rc = cli_write_document(out.output, doc, out.json, human_report, &out.report);
done:
	json_decref(doc);
	for (i = 0; i < n_specs; i++) {
		if (imgs)
			atmo_image_free(imgs[i]);
		if (owned)
			free(owned[i]);
	}
	free(imgs);
	free(in);
	free(owned);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
	free(specs);
	cli_graph_args_free(&ga);
	cli_registry_args_free(&reg);
	return rc;
}
