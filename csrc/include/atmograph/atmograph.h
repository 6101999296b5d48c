/* atmograph: the umbrella header. Include this, or one module header. */
#ifndef ATMOGRAPH_H
#define ATMOGRAPH_H

#include "common.h"
#include "file.h"
/* module headers are added here as they land (dockerfile.h, graph.h, ...) */

#endif
