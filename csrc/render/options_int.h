/* Internal: render options as every entry point reads them. */
#ifndef ATMO_RENDER_OPTIONS_INT_H
#define ATMO_RENDER_OPTIONS_INT_H

#include "atmograph/render.h"

/*
 * *o = the caller's options in the current layout: a version 1 struct (built
 * before id_prefix, svg_inline and detail were added) is copied up to its end
 * and the rest defaulted; NULL gives the defaults. Any other version is copied
 * as version 1 would be: atmo_render_options_check() rejects it.
 */
void atmo__render_options_norm(atmo_render_options *o, const atmo_render_options *opts);

#endif
