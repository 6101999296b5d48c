/*
 * Internal to the render module: the validated form of a graph document
 * (schema "atmograph.graph/1") and the helpers shared by the writers.
 * Strings are borrowed from the json_t document, which outlives the model.
 */
#ifndef ATMO_RENDER_INT_H
#define ATMO_RENDER_INT_H

#include <stddef.h>
#include <jansson.h>
#include "atmograph/render.h"
#include "util/buf.h"

#define ATMO_GRAPH_SCHEMA "atmograph.graph/1"

enum { RK_STAGE = 0, RK_IMAGE, RK_CONTEXT, RK_SCRATCH };           /* node kinds */
enum { RE_BASE = 0, RE_COPY, RE_MOUNT, RE_ONBUILD };              /* edge kinds */

typedef struct {
	const char *keyword, *text;
	long line, end_line;
} atmo_rinstr;

typedef struct {
	const char *id, *label, *dockerfile, *target;
	int has_size;
	long long bytes, compressed;
} atmo_rimage;

typedef struct {
	const char *id;
	int kind;
	const char *image;        /* NULL: outside every image */
	long image_idx;           /* index in images, -1 when none */
	const char *name, *base, *ref, *value, *description, *anchor;
	long index;               /* -1 when absent */
	long line, end_line;      /* 0 when absent */
	int target, used, in_final, build_only;
	atmo_rinstr *instr;
	size_t ninstr;
	const char **onbuild;
	size_t nonbuild;
	const char **inherited;   /* "onbuild_inherited": triggers run first in the stage */
	size_t ninherited;
	const char *onbuild_from; /* node id of the stage that declared them, or NULL */
	int has_size, has_own, has_packages;
	long long bytes, own_bytes, packages;
} atmo_rnode;

typedef struct {
	const char *from, *to;
	size_t from_idx, to_idx;
	int kind;
	long line;
	const char **sources;
	size_t nsources;
	const char *dest, *context;
} atmo_redge;

typedef struct {
	atmo_rimage *images;
	size_t nimages;
	atmo_rnode *nodes;
	size_t nnodes;
	atmo_redge *edges;
	size_t nedges;
	const char *target;
	int has_kept_out;
	long long kept_out_bytes;
	const char **kept_out_packages;
	size_t nkept_out_packages;
	size_t nwarnings;
	json_t *warnings;          /* borrowed, may be NULL */
} atmo_rmodel;

/* Validate `doc` and fill `m` (free with atmo__rmodel_free). ATMO_EINVALID with the JSON path. */
int atmo__rmodel_load(atmo_rmodel *m, json_t *doc, atmo_error *err);
void atmo__rmodel_free(atmo_rmodel *m);
/* Index of the node with this id, or -1. */
long atmo__rmodel_find(const atmo_rmodel *m, const char *id);

const char *atmo__rnode_kind_name(int kind);
const char *atmo__redge_kind_name(int kind);

/* "12.3 MiB" (IEC units, one decimal: atmo__format_size, as the CLI prints them) into buf. */
void atmo__human_bytes(char *buf, size_t n, long long bytes);

/*
 * Append s to b, shortened to at most max code points (0: no limit) by cutting
 * the middle ("abc…xyz") when middle is set, else the end ("abcdef…").
 * Control characters become spaces and invalid UTF-8 bytes become U+FFFD.
 * With xml 1, & < > " ' are written as entities; with xml 2 (text for a
 * Graphviz label) a backslash is doubled so that Graphviz's escapes (\N, \G,
 * \n, \l...) cannot be injected.
 */
int atmo__put_text(atmo_buf *b, const char *s, size_t max, int middle, int xml);

/*
 * Append s as label lines (Graphviz text, as atmo__put_text mode 2) of at most width
 * code points, each ended by "\l" (left-justified): broken at spaces, and with seps
 * also after - / : _ . , = @ (names); a word longer than a line is broken where the
 * line ends. At most maxlines lines: the last one is cut with "…" when text remains.
 */
int atmo__put_wrapped(atmo_buf *b, const char *s, size_t width, size_t maxlines, int seps);

/* Whether stage n is unnamed (its name is its index): readers call it "stage N". */
int atmo__unnamed_stage(const atmo_rnode *n);

/*
 * The accessible name of the drawing of m (malloc'd plain text, NULL when out of
 * memory): "Stage graph of IMAGE: stages base, build (target)", with several images
 * "Stage graph of 3 images: a: stages ...; b: ...", for an overview "Image family of
 * N images: a, b, ...". Unnamed stages read "stage 0".
 */
char *atmo__describe(const atmo_rmodel *m, int overview);

/* The text form of a graph document. */
int atmo__render_text(atmo_buf *out, const atmo_rmodel *m, const atmo_render_options *o);

#endif
