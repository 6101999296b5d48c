/*
 * Sizes module: the former names of its functions, kept as exported symbols so
 * that programs built against an earlier libatmograph.so.0 still link.
 */
#include "atmograph/build.h"
#include "atmograph/sizes.h"

int atmo_image_kept_out(json_t **out, const atmo_layer_set *final, const atmo_layer_set *build_only,
			size_t n_build_only, atmo_error *err)
{
	return atmo_sizes_kept_out(out, final, build_only, n_build_only, err);
}

uint64_t atmo_image_own_bytes(const atmo_layer_set *img, const atmo_layer_set *parent)
{
	return atmo_sizes_own_bytes(img, parent);
}

int atmo_image_sizes_compute(json_t **out, const struct atmo_graph *graph,
			     const atmo_sizes_input *inputs, size_t n_inputs, atmo_error *err)
{
	return atmo_sizes_compute(out, graph, inputs, n_inputs, err);
}

int atmo_image_sizes_annotate(json_t *graph_doc, const json_t *sizes_doc, atmo_error *err)
{
	return atmo_sizes_annotate(graph_doc, sizes_doc, err);
}

int atmo_report_annotate(json_t *graph_doc, const json_t *report, atmo_error *err)
{
	return atmo_sizes_annotate_report(graph_doc, report, err);
}
