/* Internal: SHA-256 over OpenSSL's EVP interface. */
#ifndef ATMO_UTIL_HASH_H
#define ATMO_UTIL_HASH_H

#include <stddef.h>
#include "atmograph/common.h"

typedef struct atmo_sha256 atmo_sha256;

int atmo__sha256_new(atmo_sha256 **out, atmo_error *err);
int atmo__sha256_update(atmo_sha256 *h, const void *data, size_t len);
/* writes 64 lowercase hex digits and a NUL into hex[65] */
int atmo__sha256_final_hex(atmo_sha256 *h, char hex[65]);
void atmo__sha256_free(atmo_sha256 *h);
/* one-shot */
int atmo__sha256_hex(const void *data, size_t len, char hex[65], atmo_error *err);

#endif
