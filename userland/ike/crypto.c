// SPDX-License-Identifier: GPL-2.0
/* Hashes, prf, CBC ciphers and secret memory; DH is in dh.c. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "ike/crypto.h"

int ike_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

struct ike_secret *ike_secret_new(size_t len)
{
	struct ike_secret *s;

	s = sodium_malloc(sizeof(*s));
	if (!s)
		return NULL;
	/* sodium_malloc(0) would return a guard page we cannot write to. */
	s->ptr = sodium_malloc(len ? len : 1);
	if (!s->ptr) {
		sodium_free(s);
		return NULL;
	}
	s->len = len;
	sodium_memzero(s->ptr, len ? len : 1);
	return s;
}

struct ike_secret *ike_secret_dup(const void *data, size_t len)
{
	struct ike_secret *s = ike_secret_new(len);

	if (s && len)
		memcpy(s->ptr, data, len);
	return s;
}

void ike_secret_free(struct ike_secret *secret)
{
	if (!secret)
		return;
	sodium_free(secret->ptr);	/* wipes before unmapping */
	sodium_free(secret);
}

void ike_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

bool ike_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void ike_wipe(void *buf, size_t len)
{
	sodium_memzero(buf, len);
}

size_t ike_hash_len(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1: return 20;
	case IKE_HASH_SHA2_256: return 32;
	case IKE_HASH_SHA2_384: return 48;
	case IKE_HASH_SHA2_512: return 64;
	}
	return 0;
}

size_t ike_hash_block_len(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1:
	case IKE_HASH_SHA2_256:
		return 64;
	case IKE_HASH_SHA2_384:
	case IKE_HASH_SHA2_512:
		return 128;
	}
	return 0;
}

/* The two hashes libsodium lacks go through EVP. */
static const char *evp_digest_name(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1: return "SHA1";
	case IKE_HASH_SHA2_384: return "SHA384";
	}
	return NULL;
}

static int evp_hash(const char *name, const struct ike_bytes *parts,
		    size_t nparts, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	unsigned int out_len;
	size_t i;
	int ok;

	ok = ctx && md && EVP_DigestInit_ex2(ctx, md, NULL);
	for (i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &out_len);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

int ike_hash(uint16_t hash, const struct ike_bytes *parts, size_t nparts,
	     uint8_t *out)
{
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
	size_t i;

	switch (hash) {
	case IKE_HASH_SHA2_256:
		crypto_hash_sha256_init(&s256);
		for (i = 0; i < nparts; i++)
			crypto_hash_sha256_update(&s256, parts[i].ptr, parts[i].len);
		crypto_hash_sha256_final(&s256, out);
		sodium_memzero(&s256, sizeof(s256));
		return 0;
	case IKE_HASH_SHA2_512:
		crypto_hash_sha512_init(&s512);
		for (i = 0; i < nparts; i++)
			crypto_hash_sha512_update(&s512, parts[i].ptr, parts[i].len);
		crypto_hash_sha512_final(&s512, out);
		sodium_memzero(&s512, sizeof(s512));
		return 0;
	}
	if (!evp_digest_name(hash))
		return -1;
	return evp_hash(evp_digest_name(hash), parts, nparts, out);
}

static int evp_hmac(const char *digest, const uint8_t *key, size_t key_len,
		    const struct ike_bytes *parts, size_t nparts, uint8_t *out,
		    size_t out_len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	size_t i, written;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_MAC_init(ctx, key, key_len, params);
	for (i = 0; ok && i < nparts; i++)
		ok = EVP_MAC_update(ctx, parts[i].ptr, parts[i].len);
	ok = ok && EVP_MAC_final(ctx, out, &written, out_len) &&
	     written == out_len;
	EVP_MAC_CTX_free(ctx);	/* clears the keyed state */
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

int ike_prf(uint16_t hash, const uint8_t *key, size_t key_len,
	    const struct ike_bytes *parts, size_t nparts, uint8_t *out)
{
	crypto_auth_hmacsha256_state s256;
	crypto_auth_hmacsha512_state s512;
	size_t i;

	switch (hash) {
	case IKE_HASH_SHA2_256:
		crypto_auth_hmacsha256_init(&s256, key, key_len);
		for (i = 0; i < nparts; i++)
			crypto_auth_hmacsha256_update(&s256, parts[i].ptr,
						      parts[i].len);
		crypto_auth_hmacsha256_final(&s256, out);
		sodium_memzero(&s256, sizeof(s256));
		return 0;
	case IKE_HASH_SHA2_512:
		crypto_auth_hmacsha512_init(&s512, key, key_len);
		for (i = 0; i < nparts; i++)
			crypto_auth_hmacsha512_update(&s512, parts[i].ptr,
						      parts[i].len);
		crypto_auth_hmacsha512_final(&s512, out);
		sodium_memzero(&s512, sizeof(s512));
		return 0;
	}
	if (!evp_digest_name(hash))
		return -1;
	return evp_hmac(evp_digest_name(hash), key, key_len, parts, nparts, out,
			ike_hash_len(hash));
}

size_t ike_cipher_block_len(uint16_t cipher)
{
	switch (cipher) {
	case IKE_ENC_AES_CBC: return 16;
	case IKE_ENC_3DES_CBC: return 8;
	}
	return 0;
}

static const EVP_CIPHER *cbc_cipher(uint16_t cipher, size_t key_len)
{
	if (cipher == IKE_ENC_AES_CBC) {
		switch (key_len) {
		case 16: return EVP_aes_128_cbc();
		case 24: return EVP_aes_192_cbc();
		case 32: return EVP_aes_256_cbc();
		}
	} else if (cipher == IKE_ENC_3DES_CBC && key_len == 24) {
		return EVP_des_ede3_cbc();
	}
	return NULL;
}

bool ike_cipher_key_len_ok(uint16_t cipher, size_t key_len)
{
	return cbc_cipher(cipher, key_len) != NULL;
}

static int cbc(uint16_t cipher, const uint8_t *key, size_t key_len,
	       uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len,
	       int encrypt)
{
	const EVP_CIPHER *c = cbc_cipher(cipher, key_len);
	size_t block = ike_cipher_block_len(cipher);
	uint8_t next_iv[IKE_MAX_BLOCK_LEN];
	EVP_CIPHER_CTX *ctx;
	int out_len, ok;

	if (!c || !len || len % block || len > INT32_MAX)
		return -1;
	/* Decrypting in place would overwrite the block the next IV is. */
	if (!encrypt)
		memcpy(next_iv, in + len - block, block);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_CipherInit_ex2(ctx, c, key, iv, encrypt, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_CipherUpdate(ctx, out, &out_len, in, (int)len) &&
	     (size_t)out_len == len;
	EVP_CIPHER_CTX_free(ctx);	/* clears the key schedule */
	if (!ok)
		return -1;
	memcpy(iv, encrypt ? out + len - block : next_iv, block);
	return 0;
}

int ike_cbc_encrypt(uint16_t cipher, const uint8_t *key, size_t key_len,
		    uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
	return cbc(cipher, key, key_len, iv, in, out, len, 1);
}

int ike_cbc_decrypt(uint16_t cipher, const uint8_t *key, size_t key_len,
		    uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
	return cbc(cipher, key, key_len, iv, in, out, len, 0);
}
