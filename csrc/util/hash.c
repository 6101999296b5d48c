#include <stdlib.h>
#include <openssl/evp.h>
#include "util/hash.h"
#include "util/error.h"
#include "util/alloc.h"

struct atmo_sha256 {
	EVP_MD_CTX *ctx;
};

int atmo__sha256_new(atmo_sha256 **out, atmo_error *err)
{
	atmo_sha256 *h = atmo__calloc(1, sizeof(*h), NULL);
	*out = NULL;
	if (!h)
		return atmo__error_nomem(err);
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		atmo__sha256_free(h);
		return atmo__error_set(err, ATMO_ERROR, NULL, 0, 0, "cannot start SHA-256");
	}
	*out = h;
	return 0;
}

int atmo__sha256_update(atmo_sha256 *h, const void *data, size_t len)
{
	return EVP_DigestUpdate(h->ctx, data, len) == 1 ? 0 : ATMO_ERROR;
}

int atmo__sha256_final_hex(atmo_sha256 *h, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		return ATMO_ERROR;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

void atmo__sha256_free(atmo_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	atmo__free(h);
}

int atmo__sha256_hex(const void *data, size_t len, char hex[65], atmo_error *err)
{
	atmo_sha256 *h;
	int rc = atmo__sha256_new(&h, err);
	if (rc < 0)
		return rc;
	if (atmo__sha256_update(h, data, len) < 0 || atmo__sha256_final_hex(h, hex) < 0)
		rc = atmo__error_set(err, ATMO_ERROR, NULL, 0, 0, "SHA-256 failed");
	atmo__sha256_free(h);
	return rc;
}
