/*
 * What gohcl makes of an attribute whose expression failed. HCL does not stop
 * at a failed part: an unknown variable evaluates to an unknown value (with
 * its "Unknown variable" diagnostic) and the rest of the expression is still
 * built around it, so gohcl's DecodeExpression converts a value that holds
 * unknowns into the field. buildx's capsule types (cache, output, secret,
 * ssh, attest entries: the FromCtyValue methods of util/buildflags) skip unknown entries and
 * unknown attributes, but an unknown value at the top, an unknown ssh id and
 * ssh paths that hold an unknown (gocty.FromCtyValue: "value must be known")
 * fail, and so does an entry the known parts make invalid: one more
 * "Unsuitable value type" diagnostic after the expression's own.
 */
#include <stdio.h>
#include <string.h>
#include "graph/bake_hcl_int.h"
#include "util/alloc.h"

/* the scopes of ctx, then an unknown value for a name none of them knows */
static int lenient_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	const hcl_ctx *c;
	int rc;

	for (c = payload; c; c = c->parent) {
		if (!c->lookup)
			continue;
		rc = c->lookup(c->payload, t, out, diag);
		if (rc != 1)
			return rc;
	}
	*out = hcl_unknown(NULL);
	if (*out)
		return 0;
	if (diag) {
		memset(diag, 0, sizeof(*diag));
		diag->code = ATMO_ENOMEM;
	}
	return -1;
}

static int lenient_func(void *payload, const char *name, const hcl_func **out, hcl_diag *diag)
{
	const hcl_ctx *c;
	int rc;

	for (c = payload; c; c = c->parent) {
		if (!c->func)
			continue;
		rc = c->func(c->payload, name, out, diag);
		if (rc != 1)
			return rc;
	}
	return 1;
}

/* an object entry without its unknown attributes (new reference), NULL: no memory */
static hcl_value *known_attrs(const hcl_value *v)
{
	size_t i, m = 0;
	const char **keys = atmo__calloc(v->u.obj.n, sizeof(*keys), NULL);
	hcl_value **vals = atmo__calloc(v->u.obj.n, sizeof(*vals), NULL);
	hcl_value *r = NULL;

	if (keys && vals) {
		for (i = 0; i < v->u.obj.n; i++) {
			if (v->u.obj.vals[i]->is_unknown)
				continue;
			keys[m] = v->u.obj.keys[i];
			vals[m++] = hcl_value_ref(v->u.obj.vals[i]);
		}
		r = hcl_object(keys, vals, m);
	}
	atmo__free(keys);
	atmo__free(vals);
	return r;
}

/* 1 when the capsule conversion fails on v, 0 when not, -1 no memory */
static int capsule_fails(const bake_field *f, const hcl_value *v)
{
	size_t i, m = 0;
	hcl_value **items, *known;
	json_t *j = NULL;
	char msg[600];
	int rc;

	if (v->is_unknown)
		return 1;
	if (v->is_null || (v->type->kind != HCL_T_LIST && v->type->kind != HCL_T_TUPLE &&
			   v->type->kind != HCL_T_SET))
		return hcl_value_is_wholly_known(v) ? 0 : 1;
	items = atmo__calloc(v->u.seq.n, sizeof(*items), NULL);
	if (!items)
		return -1;
	for (i = 0, rc = 0; i < v->u.seq.n && !rc; i++) {
		const hcl_value *x = v->u.seq.items[i];
		int is_obj = !x->is_null &&
			     (x->type->kind == HCL_T_OBJECT || x->type->kind == HCL_T_MAP);
		if (x->is_unknown)
			continue;
		if (is_obj && f->kind == BK_SSH) {
			const hcl_value *id = hcl_value_get(x, "id"),
					*ps = hcl_value_get(x, "paths");
			if ((id && id->is_unknown) || (ps && !hcl_value_is_wholly_known(ps))) {
				rc = 1;
				break;
			}
		}
		items[m] = is_obj ? known_attrs(x) : hcl_value_ref((hcl_value *)x);
		if (!items[m])
			rc = -1;
		else
			m++;
	}
	if (rc) {
		while (m-- > 0)
			hcl_value_unref(items[m]);
		atmo__free(items);
		return rc;
	}
	known = hcl_tuple(items, m);
	atmo__free(items);
	if (!known)
		return -1;
	rc = atmo__bake_field_decode(&j, f, known, msg, sizeof(msg));
	hcl_value_unref(known);
	json_decref(j);
	if (rc < 0)
		return strcmp(msg, "out of memory") ? 1 : -1;
	return 0;
}

int atmo__bake_partial_fails(bake_parser *p, const hcl_expr *e, const hcl_ctx *ctx,
			     const bake_field *f)
{
	hcl_ctx lenient;
	const hcl_ctx *c;
	hcl_value *v = NULL;
	hcl_diag d;
	size_t fails = p->lookup_fails;
	int rc;

	memset(&lenient, 0, sizeof(lenient));
	lenient.lookup = lenient_lookup;
	lenient.func = lenient_func;
	lenient.payload = (void *)(ctx ? ctx : &p->ctx);
	for (c = lenient.payload; c; c = c->parent) {
		if (!lenient.max_string)
			lenient.max_string = c->max_string;
		if (!lenient.budget)
			lenient.budget = c->budget;
	}
	/* the names were all resolved by the first evaluation: this one reads them again */
	if (hcl_eval(e, &lenient, &v, &d) < 0) {
		p->lookup_fails = fails;
		return d.code == ATMO_ENOMEM ? -1 : 0;
	}
	rc = capsule_fails(f, v);
	hcl_value_unref(v);
	return rc;
}
