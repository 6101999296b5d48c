/* Internal: UTF-8 decoding and encoding (Go's utf8 package rules). */
#ifndef ATMO_UTIL_UTF8_H
#define ATMO_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "util/buf.h"

#define ATMO__RUNE_ERROR 0xFFFDu

/* Decode one rune as Go's utf8.DecodeRune: invalid input gives
 * U+FFFD with width 1. n must be > 0. */
uint32_t atmo__utf8_decode(const unsigned char *s, size_t n, size_t *width);
/* Encode r (invalid runes as U+FFFD) into out[4]; returns the width. */
size_t atmo__utf8_encode(uint32_t r, char *out);
/* Width (1-4) of the valid UTF-8 sequence at s, 0 when it is not valid;
 * the rune goes to *rune when rune is not NULL. n must be > 0. */
size_t atmo__utf8_next(const unsigned char *s, size_t n, uint32_t *rune);

/* JSON strings from bytes that may not be UTF-8 (Dockerfiles are bytes):
 * each byte that starts no valid sequence becomes U+FFFD. The one place
 * that rule lives for every JSON document the library writes. */
/* a jansson string of s[0..n); NULL when out of memory */
json_t *atmo__utf8_json_string(const char *s, size_t n);
/* s[0..n) quoted and escaped into b as json_dumps() writes it without
 * JSON_ENSURE_ASCII: \\ \" \b \f \n \r \t, other controls as \u00XX; 0 or ATMO_ENOMEM */
int atmo__utf8_json_quote(atmo_buf *b, const char *s, size_t n);

#endif
