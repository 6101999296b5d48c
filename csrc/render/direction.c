/*
 * The automatic direction (rankdir LR or TB): which of the two drawings reads larger in
 * a column of the docs, estimated from the graph before Graphviz lays it out, so that
 * a render lays out once. dot puts nodes on ranks (longest path from the sources; with
 * edge labels every rank is doubled and the labels sit on the odd ranks); LR stacks a
 * rank's nodes vertically, TB side by side. The width of each drawing is estimated from
 * the labels' sizes in DejaVu Sans (font_metrics_int.h) and the graph's separations, and the
 * direction whose drawing needs less shrinking to fit the column wins (LR on a tie).
 */
#include <stdlib.h>
#include <string.h>
#include "render/font_metrics_int.h"
#include "render/graphviz_int.h"
#include "util/alloc.h"

#define NODE_FONT 11.0
#define EDGE_FONT 11.0
#define MARGIN_X 14.4 /* node margin 0.1 inch a side */
#define MARGIN_Y 5.76 /* 0.04 inch a side */
#define MIN_W 54.0    /* width 0.75 inch */
#define MIN_H 21.6    /* height 0.3 inch */

/* The size of a Graphviz label (lines ended by \l \n \r, \\ for a backslash). */
static void label_size(const char *s, double fs, double *w, double *h)
{
	double best = 0;
	size_t lines = 0, n = 0;
	char line[1024];

	for (;; s++) {
		int end = !*s || (s[0] == '\\' && (s[1] == 'l' || s[1] == 'n' || s[1] == 'r'));
		if (end) {
			double lw = atmo__text_width(line, n, fs);
			if (n || *s)
				lines++;
			if (lw > best)
				best = lw;
			n = 0;
			if (!*s || !s[1])
				break;
			s++;
			continue;
		}
		if (s[0] == '\\' && s[1] == '\\')
			s++;
		if (n < sizeof(line))
			line[n++] = *s;
	}
	*w = best;
	*h = (double)(lines ? lines : 1) * fs * 1.2;
}

typedef struct {
	double w, h; /* size of the node (h: kept for a height-aware estimate) */
	long rank;
	size_t indeg;
} est_node;

int atmo__prefer_tb(Agraph_t *g, Agsym_t *nlabel, Agsym_t *elabel, double nodesep, double ranksep,
		    double column)
{
	size_t nn = 0, i, head = 0, tail = 0, nranks = 0;
	size_t cap = 1;
	est_node *v;
	size_t *queue;
	Agnode_t **byseq;
	double *lr_w = NULL, *tb_w = NULL, lrW = 0, tbW = 0, s_lr, s_tb;
	int labels = 0, tb = 0;
	Agnode_t *n;
	Agedge_t *e;

	for (n = agfstnode(g); n; n = agnxtnode(g, n))
		if ((size_t)AGSEQ(n) + 1 > cap)
			cap = (size_t)AGSEQ(n) + 1;
	v = atmo__calloc(cap, sizeof(*v), NULL);
	queue = atmo__calloc(cap, sizeof(*queue), NULL);
	byseq = atmo__calloc(cap, sizeof(*byseq), NULL);

	if (!v || !queue || !byseq) {
		tb = ATMO_ENOMEM;
		goto done;
	}
	for (n = agfstnode(g); n; n = agnxtnode(g, n)) {
		const char *lab = nlabel ? agxget(n, nlabel) : NULL;
		double w = 0, h = 0;
		if (lab && strcmp(lab, "\\N"))
			label_size(lab, NODE_FONT, &w, &h);
		else
			label_size(agnameof(n), NODE_FONT, &w, &h);
		w += MARGIN_X;
		h += MARGIN_Y;
		i = (size_t)AGSEQ(n);
		if (i >= nn)
			nn = i + 1;
		v[i].w = w < MIN_W ? MIN_W : w;
		v[i].h = h < MIN_H ? MIN_H : h;
		byseq[i] = n;
		for (e = agfstout(g, n); e && !labels; e = agnxtout(g, e))
			if (elabel && *agxget(e, elabel))
				labels = 1;
	}
	for (i = 0; i < nn; i++)
		for (e = byseq[i] ? agfstout(g, byseq[i]) : NULL; e; e = agnxtout(g, e))
			v[AGSEQ(aghead(e))].indeg++;
	for (i = 0; i < nn; i++)
		if (byseq[i] && !v[i].indeg)
			queue[tail++] = i;
	while (head < tail) {
		size_t k = queue[head++];
		for (e = agfstout(g, byseq[k]); e; e = agnxtout(g, e)) {
			size_t t = (size_t)AGSEQ(aghead(e));
			long r = v[k].rank + (labels ? 2 : 1);
			if (r > v[t].rank)
				v[t].rank = r;
			if (--v[t].indeg == 0)
				queue[tail++] = t;
		}
	}
	for (i = 0; i < nn; i++)
		if ((size_t)v[i].rank + 1 > nranks)
			nranks = (size_t)v[i].rank + 1;
	lr_w = atmo__calloc(nranks + 1, sizeof(double), NULL);
	tb_w = atmo__calloc(nranks + 1, sizeof(double), NULL);
	if (!lr_w || !tb_w) {
		tb = ATMO_ENOMEM;
		goto done;
	}
	for (i = 0; i < nn; i++) {
		size_t r = (size_t)v[i].rank;
		if (!byseq[i])
			continue;
		if (v[i].w > lr_w[r])
			lr_w[r] = v[i].w;    /* LR: a rank is as wide as its widest node */
		tb_w[r] += v[i].w + nodesep; /* TB: a rank is as wide as its nodes side by side */
	}
	if (labels) {
		/* each labelled edge: its label on the rank after its tail */
		for (i = 0; i < nn; i++)
			for (e = byseq[i] ? agfstout(g, byseq[i]) : NULL; e; e = agnxtout(g, e)) {
				const char *lab = agxget(e, elabel);
				double w, h;
				size_t r = (size_t)v[i].rank + 1;
				if (!*lab || r >= nranks)
					continue;
				label_size(lab, EDGE_FONT, &w, &h);
				if (w > lr_w[r])
					lr_w[r] = w;
				tb_w[r] += w + nodesep;
			}
	}
	for (i = 0; i < nranks; i++) {
		lrW += lr_w[i] + (i ? ranksep : 0);
		if (tb_w[i] > tbW)
			tbW = tb_w[i];
	}
	s_lr = lrW > column ? column / lrW : 1.0;
	s_tb = tbW > column ? column / tbW : 1.0;
	tb = s_tb > s_lr * 1.05;
done:
	atmo__free(v);
	atmo__free(queue);
	atmo__free(byseq);
	atmo__free(lr_w);
	atmo__free(tb_w);
	return tb;
}
