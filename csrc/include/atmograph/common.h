/*
 * atmograph: common definitions shared by every module.
 *
 * Conventions (see HACKING.md at the top of the source tree):
 *  - functions return 0 or a negative ATMO_E* code and fill a caller-owned
 *    atmo_error (NULL allowed); every function taking one resets it on entry
 *    (as jansson does on each load), so a reused or uninitialised struct is
 *    fine; within one call the first error recorded wins;
 *  - `**out` parameters are owned by the caller and freed with the type's
 *    own NULL-safe atmo_<type>_free(); texts, bytes and arrays handed over
 *    ("caller frees") with atmo_free() (alloc.h), never free(), as they come
 *    from the allocator set by atmo_set_allocator(); JSON values (json_t,
 *    whose jansson allocates through it too) with json_decref();
 *  - getters return borrowed pointers tied to their parent.
 */
#ifndef ATMOGRAPH_COMMON_H
#define ATMOGRAPH_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ATMO_EXTERN __attribute__((visibility("default")))
#else
#define ATMO_EXTERN
#endif

#define ATMO_VERSION "0.1.0"
#define ATMO_VERSION_MAJOR 0
#define ATMO_VERSION_MINOR 1
#define ATMO_VERSION_PATCH 0

/** Return codes. 0 is success; every error is negative. */
typedef enum {
	ATMO_OK = 0,
	ATMO_ERROR = -1,        /**< generic error, see the message */
	ATMO_ENOMEM = -2,       /**< out of memory */
	ATMO_EINVALID = -3,     /**< invalid input (syntax, semantics, bad option value) */
	ATMO_ENOTFOUND = -4,    /**< a file, stage, target, blob or image was not found */
	ATMO_EIO = -5,          /**< reading or writing failed */
	ATMO_EUNSUPPORTED = -6, /**< valid input that atmograph does not handle */
	ATMO_EVERIFY = -7,      /**< a digest or size did not match the content */
	ATMO_ECANCELLED = -8,   /**< stopped by a signal or a callback */
	ATMO_EENGINE = -9,      /**< an external build engine failed */
	ATMO_ELIMIT = -10       /**< an input exceeded a safety limit */
} atmo_error_code;

/**
 * A located error, in the manner of jansson's json_error_t.
 * `source` is a path, "<stdin>" or "<string>"; line and column are 1-based,
 * 0 when unknown; offset is a byte offset, -1 when unknown.
 */
typedef struct atmo_error {
	int code;
	int line;
	int column;
	long offset;
	char source[256];
	char text[512];
} atmo_error;

/** Reset an error struct to "no error" (code 0, empty text). NULL-safe. */
ATMO_EXTERN void atmo_error_clear(atmo_error *err);

/** A short constant description of an ATMO_E* code ("invalid input", ...). */
ATMO_EXTERN const char *atmo_strerror(int code);

/** The library version string, e.g. "0.1.0". */
ATMO_EXTERN const char *atmo_version(void);

/**
 * Format an error as "SOURCE:LINE:COL: TEXT" (parts omitted when unknown)
 * into buf of size n. Returns buf.
 */
ATMO_EXTERN char *atmo_error_format(const atmo_error *err, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
