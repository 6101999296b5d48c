/* atmograph inspect: layers, sizes, efficiency and packages of a built image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "atmograph/image.h"
#include "util/buf.h"

static const char usage_text[] =
	"usage: atmograph inspect IMAGE [options]\n"
	"\n"
	"Read a built image without unpacking it: an OCI layout directory, an\n"
	"oci-archive or a docker-archive (docker save), layers uncompressed, gzip or zstd.\n"
	"\n"
	"Options:\n"
	"  -r, --ref R       pick the image by tag, ref.name or digest when there are several\n"
	"  -p, --platform P  pick the image for os/arch[/variant] from a multi-platform index\n"
	"  --json            print the document \"atmograph.image/1\"\n"
	"  -f, --files N     list the N largest files of each layer (default 0; JSON: 10)\n"
	"  --packages        read the dpkg database from the layers\n"
	"  --verify          check the SHA-256 digest and size of every blob\n"
	"  -H, --human       human-readable sizes in IEC units (the default)\n"
	"  --bytes           exact sizes in bytes\n"
	"  -o, --output F    write to F (atomically) instead of standard output\n"
	"  --threads N       read N layers at a time (default: the cores online; at most 64)\n"
	"  -h, --help        show this help\n"
	"\n" CLI_REGISTRY_HELP "\n"
	"Exit status: 0 read, 1 the image cannot be read or is invalid, 2 usage error.\n";

/* a size column: human units or exact bytes */
#define SZ(buf, v) cli_size(buf, sizeof(buf), (v), human, 0)

static void human_report(atmo_buf *b, const json_t *doc, const cli_report_options *o)
{
	int human = o->human;
	unsigned long files = o->files;
	json_t *size = json_object_get(doc, "size"), *plat = json_object_get(doc, "platform");
	json_t *hist = json_object_get(doc, "history"), *layers = json_object_get(doc, "layers");
	json_t *eff = json_object_get(doc, "efficiency"), *pk = json_object_get(doc, "packages");
	json_t *h, *l;
	size_t i, k;
	char s1[CLI_SIZE_BUFLEN], s2[CLI_SIZE_BUFLEN], line[120];

	atmo__buf_printf(b, "Image:      %s (%s)\n", cli_jstr(doc, "source"),
			 cli_jstr(doc, "format"));
	if (json_string_value(json_object_get(doc, "ref")))
		atmo__buf_printf(b, "Reference:  %s\n", cli_jstr(doc, "ref"));
	if (json_string_value(json_object_get(doc, "digest")))
		atmo__buf_printf(b, "Digest:     %s\n", cli_jstr(doc, "digest"));
	if (json_string_value(json_object_get(plat, "os")))
		atmo__buf_printf(b, "Platform:   %s/%s%s%s\n", cli_jstr(plat, "os"),
				 cli_jstr(plat, "architecture"),
				 json_string_value(json_object_get(plat, "variant")) ? "/" : "",
				 cli_jstr(plat, "variant"));
	if (json_string_value(json_object_get(doc, "created")))
		atmo__buf_printf(b, "Created:    %s\n", cli_jstr(doc, "created"));
	atmo__buf_printf(b, "Size:       %s (compressed %s), %llu layers, %llu files\n",
			 SZ(s1, cli_jint(size, "bytes")), SZ(s2, cli_jint(size, "compressed")),
			 (unsigned long long)cli_jint(size, "layers"),
			 (unsigned long long)cli_jint(size, "files"));
	if (json_is_true(json_object_get(doc, "verified")))
		atmo__buf_puts(b, "Verified:   every digest and size matches\n");
	atmo__buf_printf(b, "\n%5s  %-12s %-12s %8s %6s  %s\n", "LAYER", "SIZE", "COMPRESSED",
			 "FILES", "WH/OPQ", "CREATED BY");
	/* one row per history entry (empty layers as zero-byte steps), then layers without history */
	json_array_foreach(hist, i, h) {
		json_t *li = json_object_get(h, "layer");
		const char *cb = cli_jstr(h, "created_by");
		cli_one_line(line, sizeof(line), cb, 80);
		if (json_is_integer(li)) {
			json_t *L = json_array_get(layers, (size_t)json_integer_value(li));
			char wh[32];
			snprintf(wh, sizeof(wh), "%llu/%llu",
				 (unsigned long long)cli_jint(L, "whiteouts"),
				 (unsigned long long)cli_jint(L, "opaque_dirs"));
			atmo__buf_printf(b, "%5lld  %-12s %-12s %8llu %6s  %s\n",
					 (long long)json_integer_value(li),
					 SZ(s1, cli_jint(L, "size")),
					 SZ(s2, cli_jint(L, "compressed_size")),
					 (unsigned long long)cli_jint(L, "files"), wh, line);
		} else {
			atmo__buf_printf(b, "%5s  %-12s %-12s %8s %6s  %s\n", "-", SZ(s1, 0), "-",
					 "-", "-", line);
		}
	}
	json_array_foreach(layers, i, l) {
		if (!json_is_null(json_object_get(l, "history")))
			continue;
		atmo__buf_printf(
			b, "%5zu  %-12s %-12s %8llu %6s  %s\n", i, SZ(s1, cli_jint(l, "size")),
			SZ(s2, cli_jint(l, "compressed_size")),
			(unsigned long long)cli_jint(l, "files"), "", "(no history entry)");
	}
	atmo__buf_printf(
		b,
		"\nEfficiency: %.2f %%   wasted: %s (dive), %s (corrected: each duplicate's "
		"cumulative size minus its smallest copy)\n",
		json_real_value(json_object_get(eff, "score")) * 100.0,
		SZ(s1, cli_jint(eff, "wasted_bytes")),
		SZ(s2, cli_jint(eff, "wasted_bytes_corrected")));
	if (json_array_size(json_object_get(eff, "inefficient"))) {
		json_t *e;
		atmo__buf_printf(b, "\n%-6s %-12s %-12s %s\n", "COUNT", "CUMULATIVE", "SMALLEST",
				 "DUPLICATED PATH");
		json_array_foreach(json_object_get(eff, "inefficient"), i, e) {
			if (i >= 20)
				break;
			atmo__buf_printf(b, "%-6llu %-12s %-12s /%s\n",
					 (unsigned long long)cli_jint(e, "count"),
					 SZ(s1, cli_jint(e, "cumulative")),
					 SZ(s2, cli_jint(e, "smallest")), cli_jstr(e, "path"));
		}
	}
	if (files) {
		json_array_foreach(layers, i, l) {
			json_t *f;
			if (!json_array_size(json_object_get(l, "largest")))
				continue;
			atmo__buf_printf(b, "\nLargest files of layer %zu:\n", i);
			json_array_foreach(json_object_get(l, "largest"), k, f)
				atmo__buf_printf(b, "  %-12s /%s\n", SZ(s1, cli_jint(f, "size")),
						 cli_jstr(f, "path"));
		}
	}
	if (json_is_object(pk)) {
		json_t *p;
		atmo__buf_printf(b, "\nPackages (dpkg): %llu installed, %s\n",
				 (unsigned long long)cli_jint(pk, "count"),
				 SZ(s1, cli_jint(pk, "installed_size")));
		if (json_array_size(json_object_get(pk, "installed")))
			atmo__buf_printf(b, "%-32s %-28s %-12s %s\n", "PACKAGE", "VERSION", "SIZE",
					 "LAYER");
		json_array_foreach(json_object_get(pk, "installed"), i, p)
			atmo__buf_printf(
				b, "%-32s %-28s %-12s %lld\n", cli_jstr(p, "name"),
				cli_jstr(p, "version"), SZ(s1, cli_jint(p, "installed_size")),
				(long long)json_integer_value(json_object_get(p, "layer")));
		json_array_foreach(json_object_get(pk, "removed"), i, p)
			atmo__buf_printf(
				b, "%-32s %-28s %-12s removed in layer %lld\n", cli_jstr(p, "name"),
				cli_jstr(p, "version"), "-",
				(long long)json_integer_value(json_object_get(p, "layer")));
	}
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = { { "ref", required_argument, NULL, 'r' },
						  { "platform", required_argument, NULL, 'p' },
						  { "files", required_argument, NULL, 'f' },
						  { "packages", no_argument, NULL, 'k' },
						  { "verify", no_argument, NULL, 'v' },
						  CLI_OUTPUT_LONGOPTS,
						  { "threads", required_argument, NULL, 't' },
						  CLI_REGISTRY_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;
	atmo_image *img = NULL;
	json_t *doc = NULL;
	cli_output_args out = CLI_OUTPUT_ARGS_INIT;
	cli_registry_args reg = CLI_REGISTRY_ARGS_INIT;
	const char *path;
	unsigned long files = 0, threads = 0;
	int c, rc = CLI_OK, files_set = 0;

	while ((c = getopt_long(argc, argv, ":r:p:f:o:Hh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.ref = optarg;
			break;
		case 'p':
			o.platform = optarg;
			break;
		case 'f':
			if (cli_parse_uint("inspect", "--files", optarg, &files) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			files_set = 1;
			break;
		case 'k':
			o.packages = 1;
			break;
		case 'v':
			o.verify = 1;
			break;
		case 't':
			if (cli_parse_uint("inspect", "--threads", optarg, &threads) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			o.threads = threads > 64 ? 64 : (unsigned int)threads;
			break;
		case 'h':
			cli_help_print(usage_text, stdout);
			goto done;
		default:
			if ((rc = cli_registry_option(&reg, c, optarg)) >= 0) {
				if (rc != CLI_OK)
					goto done;
				break;
			}
			rc = CLI_OK;
			if (cli_output_option(&out, c, optarg) < 0) {
				rc = cli_bad_option("inspect", c, argv, longopts);
				goto done;
			}
		}
	}
	if ((rc = cli_one_operand("inspect", argc, argv, "IMAGE", 0, &path)) != CLI_OK)
		goto done;
	cli_registry_apply(&reg, &o);
	if (!files_set && out.json)
		files = 10;
	o.files = files > 100000 ? 100000 : (unsigned int)files;
	atmo_error_clear(&err);
	if (atmo_image_open(&img, path, &o, &err) < 0 || atmo_image_to_json(&doc, img, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	out.report.files = files;
	rc = cli_write_document(out.output, doc, out.json, human_report, &out.report);
done:
	json_decref(doc);
	atmo_image_free(img);
	cli_registry_args_free(&reg);
	return rc;
}
