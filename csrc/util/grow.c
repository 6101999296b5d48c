/* Capacity doubling for the library's growable arrays, with the overflow check in
 * one place rather than in each caller. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "util/alloc.h"
#include "util/grow.h"

#define GROW_MIN 16

int atmo__grow(void *pp, size_t *cap, size_t need, size_t size, atmo_error *err)
{
	void *p, *q;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : GROW_MIN;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	if (size && ncap > SIZE_MAX / size) {
		/* doubling overshot the address space: the exact need may still fit */
		ncap = need;
	}
	/* the array pointer is read and written through memcpy: pp may point at a
	 * `struct x *` or a `char **`, not a `void *` */
	memcpy(&p, pp, sizeof(p));
	q = atmo__reallocarray(p, ncap, size, err);
	if (!q)
		return ATMO_ENOMEM;
	memcpy(pp, &q, sizeof(q));
	*cap = ncap;
	return 0;
}

void atmo__prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;
	/* twice a fault per page otherwise: first read as zeroes, then written */
	if (len >= (1u << 20) && e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}
