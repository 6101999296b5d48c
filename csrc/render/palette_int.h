/*
 * Internal to the render module: the two palettes (light, dark) and their CSS
 * variables. Every colour is a char array of its own (not a shared string literal),
 * so that the address a draw record keeps names the palette slot it came from: the
 * SVG writer turns it into var(--atmo-SLOT, #rrggbb), and the SVG's style block
 * defines each slot for both colour schemes, chosen by the reader's browser.
 */
#ifndef ATMO_RENDER_PALETTE_H
#define ATMO_RENDER_PALETTE_H

#include <stddef.h>

#define ATMO_PALETTE_SLOTS 26

typedef struct {
	char bg[8], fg[8], sub[8];
	char stage_fill[8], stage_line[8], target_fill[8], target_line[8];
	char build_fill[8], build_line[8], unused_fill[8], unused_line[8], unused_fg[8];
	char ext_fill[8], ext_line[8], ctx_fill[8], ctx_line[8], scratch_line[8];
	char cluster_fill[8], cluster_line[8], bar[8], track[8], layer_fill[8];
	char edge[4][8];
} atmo__palette;

extern const atmo__palette atmo__palette_light, atmo__palette_dark;

/* The CSS variable name ("stage-fill") of colour c when it points into palette p, else NULL. */
const char *atmo__palette_slot(const atmo__palette *p, const char *c);

/* The name and the colour of slot i (0 to ATMO_PALETTE_SLOTS - 1) in p. */
const char *atmo__palette_name(size_t i);
const char *atmo__palette_color(const atmo__palette *p, size_t i);

#endif
