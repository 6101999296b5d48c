/* Human-readable byte sizes in IEC units (see size.h). */
#include <stdio.h>
#include "util/size.h"

char *atmo__format_size(char *buf, size_t n, unsigned long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;

	if (!buf || n == 0)
		return buf;
	if (bytes < 1024) {
		snprintf(buf, n, "%llu B", bytes);
		return buf;
	}
	/* divide while the value, rounded to one decimal, would reach 1024 */
	while (u < 5 && (u < 0 || v >= 1023.95)) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, n, "%.1f %s", v, units[u]);
	return buf;
}
