/* Internal: Unicode NFC normalization of string literals (HCL normalizes them). */
#ifndef ATMO_HCL_NFC_H
#define ATMO_HCL_NFC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t cp;
	unsigned char ccc;
} hcl__ccc;
typedef struct {
	uint32_t cp;
	uint32_t to[4];
} hcl__decomp;
typedef struct {
	uint32_t a, b, c;
} hcl__comp;

extern const hcl__ccc hcl__ccc_table[];
extern const unsigned long hcl__ccc_count;
extern const hcl__decomp hcl__decomp_table[];
extern const unsigned long hcl__decomp_count;
extern const hcl__comp hcl__comp_table[];
extern const unsigned long hcl__comp_count;

/*
 * The NFC form of the UTF-8 text s (len bytes) as a new atmo__malloc'd,
 * NUL-terminated string (*out_len its length), or NULL when out of memory.
 * Invalid UTF-8 bytes pass through unchanged.
 */
char *hcl__nfc(const char *s, size_t len, size_t *out_len);
/* 1 when s is certainly NFC already (ASCII, or no byte that could start a change) */
int hcl__nfc_quick(const char *s, size_t len);

#endif
