/*
 * Internal: buildx's bake model as the bake reader keeps it. A target is a
 * jansson object holding the fields buildx's Target struct has, each already
 * in its `--print` JSON form ("output": [{"type": "image"}], "args":
 * {"A": "x"}); an absent key is Go's nil. The field table (bake_fields.c)
 * says how each field is read from an HCL value, merged (inherits, several
 * files), overridden (--set) and printed (buildx's struct order).
 *
 * Keys starting with a space are the reader's own notes, never printed: " dir"
 * (the directory of the defining file, BUILDX_BAKE_FILE_RELATIVE_PATHS),
 * " linked" (a target only linked in, built cache-only), " partial NAME" (an
 * attribute read by a reference while its block was being read).
 */
#ifndef ATMO_GRAPH_BAKE_MODEL_H
#define ATMO_GRAPH_BAKE_MODEL_H

#include <stddef.h>
#include <jansson.h>
#include "hcl/hcl.h"

typedef enum {
	BK_STR,     /* *string: replaced by a later non-nil value */
	BK_DESC,    /* string: replaced when non-empty, omitted when empty */
	BK_BOOL,    /* *bool */
	BK_MAPN,    /* map[string]*string: merged key by key, nil values skipped */
	BK_MAP,     /* map[string]string: merged key by key */
	BK_LIST,    /* []string: replaced */
	BK_LISTAPP, /* []string: appended, duplicates and "" removed */
	BK_CACHE,   /* cache entries: cache-from merges, cache-to replaces */
	BK_OUTPUT,  /* export entries: replaced */
	BK_SECRET,  /* secrets: merged by id */
	BK_SSH,     /* ssh keys: merged by id */
	BK_ATTEST,  /* attestations: merged by type */
	BK_RES,     /* resources: an object of known keys */
	BK_INHERITS /* []string: appended */
} bake_kind;

typedef struct bake_field {
	const char *name; /* the HCL attribute and JSON key */
	bake_kind kind;
	int merge; /* BK_CACHE: 1 merges (cache-from) */
} bake_field;

/* the fields in buildx's print order; n set */
const bake_field *atmo__bake_fields(size_t *n);
/* a field by name, NULL when buildx has none of that name */
const bake_field *atmo__bake_field(const char *name);

/*
 * Decode an HCL value into a field's JSON form as gohcl decodes it into
 * buildx's Target. *out NULL: the value is null (Go's nil). Returns 0, or -1
 * with msg ("Unsuitable value: string required").
 */
int atmo__bake_field_decode(json_t **out, const bake_field *f, const hcl_value *v, char *msg,
			    size_t n);
/* Target.Merge: fields of src over dst; 0 or -1 (no memory) */
int atmo__bake_target_merge(json_t *dst, const json_t *src);
/* Target.normalize(): 0, or -1 (no memory) */
int atmo__bake_target_normalize(json_t *t);

/* one --set for one target: value, or arr (for list keys), append for "+=" */
typedef struct bake_override {
	char *key;   /* "args.FOO", "platform", ... */
	char *value; /* NULL: no "=" given */
	json_t *arr; /* list keys: the values given, in order */
	int append;
} bake_override;
/* Target.AddOverrides for one key: 0, or -1 with msg */
int atmo__bake_override_apply(json_t *t, const bake_override *o, char *msg, size_t n);
/* 1 when the --set key takes several values (output, tags, platform, ...) */
int atmo__bake_override_is_list(const char *key);

/* A target in buildx's print form: fields in struct order, ${ escaped as $${. New reference. */
json_t *atmo__bake_target_print(const json_t *t);
/* json_dumps as Go's json.MarshalIndent(v, "", "  ") writes (HTML-safe escapes). atmo__free() it. */
char *atmo__bake_dump(const json_t *doc);

/* Go's csvvalue.Fields: split a CSV record. fields: a new array of strings; -1 with msg */
int atmo__bake_csv(json_t **fields, const char *s, char *msg, size_t n);

/* Go's path.Clean ("./a/../b" -> "b", "" -> "."); atmo__free() it */
char *atmo__bake_path_clean(const char *path);

#endif
