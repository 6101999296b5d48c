/*
 * Which Graphviz renders, for cache keys, without making a renderer (that
 * loads Graphviz's plugins): the version atmograph was compiled against plus
 * the identity (path, size, mtime) of the libgvc this process loaded, so that
 * a Graphviz upgrade changes every key even without a rebuild.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "atmograph/render.h"
#include "util/buf.h"
#include "util/error.h"

#if defined(__has_include)
#if __has_include(<graphviz/graphviz_version.h>)
#include <graphviz/graphviz_version.h>
#define ATMO_GV_BUILD_VERSION PACKAGE_VERSION
#elif __has_include(<graphviz_version.h>)
#include <graphviz_version.h>
#define ATMO_GV_BUILD_VERSION PACKAGE_VERSION
#endif
#endif
#ifndef ATMO_GV_BUILD_VERSION
#define ATMO_GV_BUILD_VERSION "unknown"
#endif

const char *atmo_render_graphviz_build_version(void)
{
	return ATMO_GV_BUILD_VERSION;
}

/* "PATH:SIZE:MTIME" of the loaded libgvc into b; 0 when found, -1 when not (not Linux,
   linked statically, or the file changed under the process). */
static int loaded_libgvc(atmo_buf *b)
{
	char line[4352];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1, whole = 1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		int was_whole = whole;
		char *path;
		struct stat st;

		whole = n > 0 && line[n - 1] == '\n';
		if (!was_whole)
			continue; /* the rest of a line too long for a path */
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		path = strchr(line, '/'); /* no other field of a maps line holds a slash */
		if (!path || !strstr(path, "/libgvc.so"))
			continue;
		if (stat(path, &st) == 0) {
			atmo__buf_printf(b, "%s:%lld:%lld", path, (long long)st.st_size,
					 (long long)st.st_mtime);
			found = 0;
		}
		break;
	}
	fclose(f);
	return found;
}

int atmo_render_graphviz_identity(char **out, atmo_error *err)
{
	atmo_buf b = ATMO_BUF_INIT;
	atmo_renderer *r = NULL;

	if (!out)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_render_graphviz_identity: out is NULL");
	*out = NULL;
	atmo__buf_printf(&b, "%s ", ATMO_GV_BUILD_VERSION);
	if (loaded_libgvc(&b) < 0) {
		/* ask the renderer for the version it runs with */
		if (atmo_renderer_new(&r, NULL) == 0)
			atmo__buf_puts(&b, atmo_render_graphviz_version(r));
		else
			atmo__buf_puts(&b, "unknown");
		atmo_renderer_free(r);
	}
	if (b.oom) {
		atmo__buf_free(&b);
		return atmo__error_nomem(err);
	}
	*out = atmo__buf_detach(&b);
	return 0;
}
