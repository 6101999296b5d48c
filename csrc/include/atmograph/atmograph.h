/* atmograph: the umbrella header. Include this, or one module header. */
#ifndef ATMOGRAPH_H
#define ATMOGRAPH_H

#include "common.h"
#include "alloc.h"
#include "file.h"
#include "dockerfile.h"
#include "graph.h"
#include "image.h"
#include "check.h"
#include "render.h"
#include "bake.h"
#include "build.h"
#include "sizes.h"

#endif
