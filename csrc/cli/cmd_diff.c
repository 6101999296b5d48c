/* atmograph diff: what differs between two images (sizes, files, packages). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "atmograph/image.h"
#include "util/buf.h"

static const char usage_text[] =
	"usage: atmograph diff IMAGE_A IMAGE_B [options]\n"
	"\n"
	"Compare two images (OCI layout, oci-archive or docker-archive): total sizes,\n"
	"shared layers, files added, removed or changed in the final filesystem, and\n"
	"dpkg packages added, removed or upgraded.\n"
	"\n"
	"Options:\n"
	"  --ref-a R, --ref-b R  pick the image in A or B by tag, ref.name or digest\n"
	"  --json                print the document \"atmograph.diff/1\"\n"
	"  -f, --files N         list at most N files per kind (default 50; 0: all)\n"
	"  -H, --human           human-readable sizes in IEC units (the default)\n"
	"  --bytes               exact sizes in bytes\n"
	"  -o, --output F        write to F (atomically) instead of standard output\n"
	"  -h, --help            show this help\n"
	"\n" CLI_REGISTRY_HELP "\n"
	"Exit status: 0 compared, 1 an image cannot be read or is invalid, 2 usage error.\n";

/* a size column: human units or exact bytes; DELTA: signed */
#define SZ(buf, v) cli_size(buf, sizeof(buf), (v), human, 0)
#define DELTA(buf, v) cli_size(buf, sizeof(buf), (v), human, 1)

static void human_report(atmo_buf *b, const json_t *doc, const cli_report_options *o)
{
	int human = o->human;
	json_t *a = json_object_get(doc, "a"), *bb = json_object_get(doc, "b");
	json_t *sa = json_object_get(a, "size"), *sb = json_object_get(bb, "size");
	json_t *d = json_object_get(doc, "delta"), *f = json_object_get(doc, "files");
	json_t *l = json_object_get(doc, "layers"), *p = json_object_get(doc, "packages"), *e;
	char s1[CLI_SIZE_BUFLEN], s2[CLI_SIZE_BUFLEN], s3[CLI_SIZE_BUFLEN];
	size_t i;

	atmo__buf_printf(b, "%-12s %-14s %-14s %s\n", "", "A", "B", "DELTA");
	atmo__buf_printf(b, "%-12s %-14s %-14s %s\n", "size", SZ(s1, cli_jint(sa, "bytes")),
			 SZ(s2, cli_jint(sb, "bytes")), DELTA(s3, cli_jint(d, "bytes")));
	atmo__buf_printf(b, "%-12s %-14s %-14s %s\n", "compressed",
			 SZ(s1, cli_jint(sa, "compressed")), SZ(s2, cli_jint(sb, "compressed")),
			 DELTA(s3, cli_jint(d, "compressed")));
	atmo__buf_printf(b, "%-12s %-14lld %-14lld %+lld\n", "layers", cli_jint(sa, "layers"),
			 cli_jint(sb, "layers"), cli_jint(d, "layers"));
	atmo__buf_printf(b, "%-12s %-14lld %-14lld\n", "paths", cli_jint(sa, "files"),
			 cli_jint(sb, "files"));
	atmo__buf_printf(b, "\nA: %s\nB: %s\nShared layers: %lld\n", cli_jstr(a, "source"),
			 cli_jstr(bb, "source"), cli_jint(l, "shared"));
	atmo__buf_printf(b, "\nFiles: %lld added (%s), %lld removed (%s), %lld changed (%s)\n",
			 cli_jint(f, "added_count"), SZ(s1, cli_jint(f, "added_bytes")),
			 cli_jint(f, "removed_count"), SZ(s2, cli_jint(f, "removed_bytes")),
			 cli_jint(f, "changed_count"), DELTA(s3, cli_jint(f, "changed_bytes")));
	json_array_foreach(json_object_get(f, "added"), i, e)
		atmo__buf_printf(b, "  + %-12s /%s\n", SZ(s1, cli_jint(e, "size")),
				 cli_jstr(e, "path"));
	json_array_foreach(json_object_get(f, "removed"), i, e)
		atmo__buf_printf(b, "  - %-12s /%s\n", SZ(s1, cli_jint(e, "size")),
				 cli_jstr(e, "path"));
	json_array_foreach(json_object_get(f, "changed"), i, e)
		atmo__buf_printf(b, "  ~ %-12s /%s (%s -> %s)\n",
				 DELTA(s1, cli_jint(e, "size_b") - cli_jint(e, "size_a")),
				 cli_jstr(e, "path"), SZ(s2, cli_jint(e, "size_a")),
				 SZ(s3, cli_jint(e, "size_b")));
	if (json_is_object(p)) {
		atmo__buf_printf(b, "\nPackages: %zu added, %zu removed, %zu changed\n",
				 json_array_size(json_object_get(p, "added")),
				 json_array_size(json_object_get(p, "removed")),
				 json_array_size(json_object_get(p, "changed")));
		json_array_foreach(json_object_get(p, "added"), i, e)
			atmo__buf_printf(b, "  + %-32s %s\n", cli_jstr(e, "name"),
					 cli_jstr(e, "version"));
		json_array_foreach(json_object_get(p, "removed"), i, e)
			atmo__buf_printf(b, "  - %-32s %s\n", cli_jstr(e, "name"),
					 cli_jstr(e, "version"));
		json_array_foreach(json_object_get(p, "changed"), i, e)
			atmo__buf_printf(b, "  ~ %-32s %s -> %s\n", cli_jstr(e, "name"),
					 cli_jstr(e, "version_a"), cli_jstr(e, "version_b"));
	}
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = { { "ref-a", required_argument, NULL, 'a' },
						  { "ref-b", required_argument, NULL, 'B' },
						  { "files", required_argument, NULL, 'f' },
						  CLI_OUTPUT_LONGOPTS,
						  CLI_REGISTRY_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	atmo_image_options oa = ATMO_IMAGE_OPTIONS_INIT, ob = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;
	atmo_image *a = NULL, *b = NULL;
	json_t *doc = NULL;
	cli_output_args out = CLI_OUTPUT_ARGS_INIT;
	cli_registry_args reg = CLI_REGISTRY_ARGS_INIT;
	unsigned long files = 50;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":f:o:Hh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			oa.ref = optarg;
			break;
		case 'B':
			ob.ref = optarg;
			break;
		case 'f':
			if (cli_parse_uint("diff", "--files", optarg, &files) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			break;
		case 'h':
			cli_help_print(usage_text, stdout);
			rc = CLI_OK;
			goto done;
		default:
			if ((rc = cli_registry_option(&reg, c, optarg)) >= 0) {
				if (rc != CLI_OK)
					goto done;
				break;
			}
			if (cli_output_option(&out, c, optarg) < 0) {
				rc = cli_bad_option("diff", c, argv, longopts);
				goto done;
			}
		}
	}
	if (optind + 2 != argc) {
		rc = cli_usage_error("diff", "diff takes two images, IMAGE_A and IMAGE_B");
		goto done;
	}
	cli_registry_apply(&reg, &oa);
	cli_registry_apply(&reg, &ob);
	oa.packages = ob.packages = 1;
	oa.files = ob.files = 0;
	atmo_error_clear(&err);
	if (atmo_image_open(&a, argv[optind], &oa, &err) < 0 ||
	    atmo_image_open(&b, argv[optind + 1], &ob, &err) < 0 ||
	    atmo_image_diff(&doc, a, b, files, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	rc = cli_write_document(out.output, doc, out.json, human_report, &out.report);
done:
	json_decref(doc);
	atmo_image_free(a);
	atmo_image_free(b);
	cli_registry_args_free(&reg);
	return rc;
}
