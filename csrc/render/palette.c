/* The palettes of the drawings and their CSS variable names (palette_int.h). */
#include <stdint.h>
#include "render/palette_int.h"

const atmo__palette atmo__palette_light = {
	"#ffffff",
	"#1f2328",
	"#57606a",
	"#ffffff",
	"#57606a",
	"#ddf4ff",
	"#0969da",
	"#fff8c5",
	"#9a6700",
	"#f6f8fa",
	"#afb8c1",
	"#636c76",
	"#ffffff",
	"#57606a",
	"#dafbe1",
	"#1a7f37",
	"#8c959f",
	"#f6f8fa",
	"#d0d7de",
	"#0969da",
	"#d0d7de",
	"#ffffff",
	{ "#57606a", "#0969da", "#6639ba", "#a14600" },
};

const atmo__palette atmo__palette_dark = {
	"#0d1117",
	"#e6edf3",
	"#9198a1",
	"#161b22",
	"#9198a1",
	"#0c2d6b",
	"#58a6ff",
	"#3b2e00",
	"#d29922",
	"#161b22",
	"#3d444d",
	"#848d97",
	"#0d1117",
	"#9198a1",
	"#0f2d1a",
	"#3fb950",
	"#656c76",
	"#151b23",
	"#3d444d",
	"#58a6ff",
	"#3d444d",
	"#161b22",
	{ "#9ea7b3", "#58a6ff", "#bc8cff", "#f0883e" },
};

/* in the order of the struct's fields */
static const char *const names[ATMO_PALETTE_SLOTS] = {
	"bg",           "fg",           "sub",        "stage-fill",  "stage-line",   "target-fill",
	"target-line",  "build-fill",   "build-line", "unused-fill", "unused-line",  "unused-fg",
	"ext-fill",     "ext-line",     "ctx-fill",   "ctx-line",    "scratch-line", "cluster-fill",
	"cluster-line", "bar",          "track",      "layer-fill",  "edge-base",    "edge-copy",
	"edge-mount",   "edge-onbuild",
};

_Static_assert(sizeof(atmo__palette) == ATMO_PALETTE_SLOTS * 8, "one slot a colour");

const char *atmo__palette_slot(const atmo__palette *p, const char *c)
{
	uintptr_t a = (uintptr_t)c, base = (uintptr_t)p;
	if (!c || a < base || a >= base + sizeof(*p) || (a - base) % 8)
		return NULL;
	return names[(a - base) / 8];
}

const char *atmo__palette_name(size_t i)
{
	return i < ATMO_PALETTE_SLOTS ? names[i] : "";
}

const char *atmo__palette_color(const atmo__palette *p, size_t i)
{
	return i < ATMO_PALETTE_SLOTS ? (const char *)p + i * 8 : "";
}
