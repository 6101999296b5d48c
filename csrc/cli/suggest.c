/* "did you mean": the closest of a list of names to a word the user mistyped.
 * UI logic only, so it lives in the CLI, not the core. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

/* the longest name compared; longer words get no suggestion */
#define SUGGEST_MAX 64

/* optimal string alignment distance (Damerau-Levenshtein where a transposed
 * pair counts once and is not edited again), the measure git's help.c uses */
size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *names, size_t n)
{
	/* one edit for short words, two from four characters: "stagse" -> "stages",
	 * but "ls" suggests nothing */
	size_t len = strlen(word), limit = len < 4 ? 1 : 2, best = (size_t)-1, i;
	const char *found = NULL;

	if (!len)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t dist = cli_edit_distance(word, names[i]);
		if (dist < best) {
			best = dist;
			found = names[i];
		}
	}
	return best <= limit ? found : NULL;
}
