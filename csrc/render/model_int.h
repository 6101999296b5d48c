/*
 * Internal to the render module: the validated form of a graph document
 * (schema ATMO_GRAPH_SCHEMA, loaded by graph/graph_doc.h) and the helpers
 * shared by the writers.
 * Strings are borrowed from the json_t document, which outlives the model.
 */
#ifndef ATMO_RENDER_MODEL_INT_H
#define ATMO_RENDER_MODEL_INT_H

#include <stddef.h>
#include <jansson.h>
#include "atmograph/render.h"
#include "util/buf.h"
#include "graph/graph_doc.h"

/* The render model is the validated graph document (graph/graph_doc.h). */
typedef atmo_gdoc_instr atmo_rinstr;
typedef atmo_gdoc_image atmo_rimage;
typedef atmo_gdoc_node atmo_rnode;
typedef atmo_gdoc_edge atmo_redge;
typedef atmo_graph_doc atmo_rmodel;

/* Validate `doc` and fill `m` (free with atmo__rmodel_free). ATMO_EINVALID with the JSON path. */
static inline int atmo__rmodel_load(atmo_rmodel *m, json_t *doc, atmo_error *err)
{
	return atmo_graph__doc_load(m, doc, err);
}

static inline void atmo__rmodel_free(atmo_rmodel *m)
{
	atmo_graph__doc_free(m);
}

/* Index of the node with this id, or -1. */
static inline long atmo__rmodel_find(const atmo_rmodel *m, const char *id)
{
	return atmo_graph__doc_find(m, id);
}

static inline const char *atmo__rnode_kind_name(int kind)
{
	return atmo_graph__node_kind_name(kind);
}

static inline const char *atmo__redge_kind_name(int kind)
{
	return atmo_graph__edge_kind_name(kind);
}

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
