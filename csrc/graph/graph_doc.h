/*
 * Internal, shared by the modules that read graph documents (render, image,
 * build): the one validated, typed view of a graph document (schema
 * ATMO_GRAPH_SCHEMA, written by atmo_graph_to_json() and
 * atmo_bake_graph_to_json()). A rejected document gives ATMO_EINVALID with
 * source "<graph>" and the JSON path of the bad field ("$.nodes[3].kind: ...").
 * Strings and json pointers are borrowed from the json_t document, which must
 * outlive the view; writers that annotate the document (sizes, build reports)
 * change it through the `json` members.
 */
#ifndef ATMO_GRAPH_DOC_H
#define ATMO_GRAPH_DOC_H

#include <stddef.h>
#include <jansson.h>
#include "atmograph/graph.h"

typedef struct {
	const char *keyword, *text;
	long line, end_line;
} atmo_gdoc_instr;

typedef struct {
	const char *id, *label, *dockerfile, *target;
	int has_size;
	long long bytes, compressed;
	json_t *json; /* the image's object in the document */
} atmo_gdoc_image;

typedef struct {
	const char *id;
	atmo_node_kind kind;
	const char *image;    /* NULL: outside every image */
	long image_idx;       /* index in images, -1 when none */
	const char *name;     /* "name", else a readable stand-in (ref, id, "scratch") */
	const char *raw_name; /* "name" as written, NULL when absent */
	const char *base, *ref, *value, *description, *anchor;
	long index;          /* -1 when absent */
	long line, end_line; /* 0 when absent */
	int target, used, in_final, build_only;
	atmo_gdoc_instr *instr;
	size_t ninstr;
	const char **onbuild;
	size_t nonbuild;
	const char **inherited; /* "onbuild_inherited": triggers run first in the stage */
	size_t ninherited;
	const char *onbuild_from; /* node id of the stage that declared them, or NULL */
	int has_size, has_own, has_packages;
	long long bytes, own_bytes, packages;
	json_t *json; /* the node's object in the document */
} atmo_gdoc_node;

typedef struct {
	const char *from, *to;
	size_t from_idx, to_idx;
	atmo_edge_kind kind;
	long line;
	const char **sources;
	size_t nsources;
	const char *dest, *context;
} atmo_gdoc_edge;

typedef struct {
	atmo_gdoc_image *images;
	size_t nimages;
	atmo_gdoc_node *nodes;
	size_t nnodes;
	atmo_gdoc_edge *edges;
	size_t nedges;
	const char *target;
	int has_kept_out;
	long long kept_out_bytes;
	const char **kept_out_packages;
	size_t nkept_out_packages;
	size_t nwarnings;
	json_t *warnings; /* borrowed, may be NULL */
} atmo_graph_doc;

/* Validate `doc` and fill `d` (free with atmo_graph__doc_free, also after an error).
 * 0, ATMO_EINVALID (the text starts with the JSON path) or ATMO_ENOMEM. */
int atmo_graph__doc_load(atmo_graph_doc *d, json_t *doc, atmo_error *err);
void atmo_graph__doc_free(atmo_graph_doc *d);
/* atmo_graph__doc_load for a document given as an argument named `source` (sizes
 * and report writers): a rejected document reads "not a graph document (schema
 * atmograph.graph/1): $.nodes: missing ..." with that source. */
int atmo_graph__doc_load_arg(atmo_graph_doc *d, json_t *doc, const char *source, atmo_error *err);
/* Index of the node with this id, or -1. */
long atmo_graph__doc_find(const atmo_graph_doc *d, const char *id);
/* Index of the image with this id, or -1. */
long atmo_graph__doc_find_image(const atmo_graph_doc *d, const char *id);

/* The document's names of node and edge kinds ("stage", "copy"), "?" when out of range. */
const char *atmo_graph__node_kind_name(int kind);
const char *atmo_graph__edge_kind_name(int kind);

#endif
