/* Internal: human-readable byte sizes in IEC units, shared by the CLI and the renderer. */
#ifndef ATMO_UTIL_SIZE_H
#define ATMO_UTIL_SIZE_H

#include <stddef.h>

/*
 * Write `bytes` into buf (at most n bytes, always NUL-terminated when n > 0):
 * "0 B" .. "1023 B", then one decimal in binary units: "1.0 KiB", "12.3 MiB",
 * "1.5 GiB", up to EiB. A value that would print as "1024.0" of a unit is
 * written in the next unit ("1.0 MiB"). Returns buf.
 */
char *atmo__format_size(char *buf, size_t n, unsigned long long bytes);

/* Room enough for any result of atmo__format_size. */
#define ATMO_SIZE_BUFLEN 16

#endif
