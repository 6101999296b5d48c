/* atmograph: whole-file reads and atomic writes used by every face. */
#ifndef ATMOGRAPH_FILE_H
#define ATMOGRAPH_FILE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Read a whole file ("-" means standard input) into a NUL-terminated buffer.
 * @param[out] out  the content, caller frees with atmo_free() (atmograph/alloc.h)
 * @param[out] len  its length in bytes (the NUL is not counted)
 * @param max       refuse files larger than this many bytes (0: 1 GiB)
 * @return 0, ATMO_ENOTFOUND, ATMO_EIO or ATMO_ELIMIT
 */
ATMO_EXTERN int atmo_file_read(char **out, size_t *len, const char *path, size_t max,
			       atmo_error *err);

/**
 * Write data to path atomically: a temporary file beside it, fsync, rename.
 * Nothing is left behind on failure. "-" writes to standard output.
 * @return 0 or ATMO_EIO
 */
ATMO_EXTERN int atmo_file_write_atomic(const char *path, const void *data, size_t len,
				       atmo_error *err);

/** Flags of atmo_file_write_atomic_flags. */
#define ATMO_WRITE_NO_SYNC 1u /**< no fsync: for outputs that are made again after a crash */

/** atmo_file_write_atomic with flags (ATMO_WRITE_*); 0 is atmo_file_write_atomic. */
ATMO_EXTERN int atmo_file_write_atomic_flags(const char *path, const void *data, size_t len,
					     unsigned int flags, atmo_error *err);

#ifdef __cplusplus
}
#endif
#endif
