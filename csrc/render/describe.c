/*
 * The accessible name of a drawing (the SVG's aria-label, the HTML alt text): what it
 * shows, in document order, by the names a reader uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/model_int.h"

int atmo__unnamed_stage(const atmo_rnode *n)
{
	char idx[32];
	if (!n->name || n->index < 0)
		return 0;
	snprintf(idx, sizeof(idx), "%ld", n->index);
	return !strcmp(n->name, idx);
}

/*
 * The drawing's accessible name (aria-label): the image and its stages in order, by
 * name ("stage 0" for unnamed ones); for an overview, the images.
 */
char *atmo__describe(const atmo_rmodel *m, int overview)
{
	atmo_buf d = ATMO_BUF_INIT;
	size_t i, k;

	if (overview) {
		atmo__buf_printf(&d, "Image family of %zu images: ", m->nimages);
		for (i = 0; i < m->nimages; i++)
			atmo__buf_printf(&d, "%s%s", i ? ", " : "",
					 m->images[i].label ? m->images[i].label : m->images[i].id);
	} else {
		size_t groups = m->nimages ? m->nimages : 1;
		if (m->nimages > 1)
			atmo__buf_printf(&d, "Stage graph of %zu images: ", m->nimages);
		else if (m->nimages && m->images[0].dockerfile &&
			 (!m->images[0].label || !strcmp(m->images[0].label, "dockerfile")))
			/* a Dockerfile drawn alone: its path names it better than the default id */
			atmo__buf_printf(&d, "Stage graph of %s: ", m->images[0].dockerfile);
		else
			atmo__buf_printf(&d, "Stage graph of %s: ",
					 m->nimages && m->images[0].label ? m->images[0].label
									  : "the Dockerfile");
		for (k = 0; k < groups; k++) {
			int first = 1;
			if (m->nimages > 1)
				atmo__buf_printf(&d, "%s%s: ", k ? "; " : "",
						 m->images[k].label ? m->images[k].label
								    : m->images[k].id);
			atmo__buf_puts(&d, "stages ");
			for (i = 0; i < m->nnodes; i++) {
				const atmo_rnode *n = &m->nodes[i];
				if (n->kind != ATMO_NODE_STAGE ||
				    (m->nimages > 1 && n->image_idx != (long)k))
					continue;
				atmo__buf_puts(&d, first ? "" : ", ");
				first = 0;
				if (atmo__unnamed_stage(n))
					atmo__buf_printf(&d, "stage %ld", n->index);
				else
					atmo__buf_puts(&d, n->name ? n->name : "?");
				if (n->target)
					atmo__buf_puts(&d, " (target)");
			}
		}
	}
	if (d.oom) {
		atmo__buf_free(&d);
		return NULL;
	}
	return atmo__buf_detach(&d);
}
