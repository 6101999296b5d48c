/* parse_bench FILE [SECONDS [DOC_BYTES]]: atmo_dockerfile_parse throughput
 * on FILE, in process: read once, parse and free repeatedly for at least
 * SECONDS of CPU time and 3 rounds (CPU time, so that a busy machine does not
 * skew it). With DOC_BYTES the file is parsed as consecutive documents of
 * that size (the bench input repeats one round of files, so each document is
 * that round), as a peer that cannot take 50 MB at once parses it.
 * Prints "parse_bench: N bytes, I instructions, R rounds, T s, X MB/s". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "atmograph/dockerfile.h"
#include "atmograph/file.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *text = NULL;
	size_t len, count = 0;
	double min_s = argc > 2 ? atof(argv[2]) : 2.0, t0, t;
	int rounds = 0;
	size_t doc = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 0;
	atmo_error err;

	if (argc < 2) {
		fprintf(stderr, "usage: parse_bench FILE [SECONDS [DOC_BYTES]]\n");
		return 2;
	}
	atmo_error_clear(&err);
	if (atmo_file_read(&text, &len, argv[1], 0, &err) < 0) {
		fprintf(stderr, "parse_bench: %s: %s\n", argv[1], err.text);
		return 1;
	}
	if (doc == 0 || doc > len)
		doc = len;
	t0 = now();
	do {
		size_t off;
		count = 0;
		for (off = 0; off < len; off += doc) {
			atmo_dockerfile *df = NULL;
			size_t n = len - off < doc ? len - off : doc;
			if (atmo_dockerfile_parse(&df, text + off, n, argv[1], &err) < 0) {
				fprintf(stderr, "parse_bench: %s:%d:%d: %s\n", err.source, err.line,
					err.column, err.text);
				free(text);
				return 1;
			}
			count += atmo_dockerfile_count(df);
			atmo_dockerfile_free(df);
		}
		rounds++;
		t = now() - t0;
	} while (t < min_s || rounds < 3);
	printf("parse_bench: %zu bytes, %zu instructions, %d rounds, %.3f s, %.1f MB/s\n", len, count,
	       rounds, t, (double)len * rounds / t / 1e6);
	free(text);
	return 0;
}
