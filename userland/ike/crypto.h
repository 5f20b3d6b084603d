/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crypto for IKEv1: libsodium for randomness, constant-time comparison,
 * guarded secret memory, HMAC-SHA-256/512, SHA-256/512 and X25519; OpenSSL
 * libcrypto (EVP only) for what libsodium lacks: SHA-1, SHA-384 and their
 * HMACs, AES-CBC, 3DES-CBC, MODP and ECP Diffie-Hellman.
 *
 * Algorithms are named by their IKEv1 numbers: hashes by enum
 * ike_oakley_hash, ciphers by enum ike_oakley_encryption, groups by enum
 * ike_group.
 */
#ifndef KIPSEC_IKE_CRYPTO_H
#define KIPSEC_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define IKE_MAX_HASH_LEN	64
#define IKE_MAX_BLOCK_LEN	16
#define IKE_MAX_DH_LEN		256	/* MODP 2048 */

/* Must be called once before anything else here; returns 0 on success. */
int ike_crypto_init(void);

/*
 * Key material lives in sodium_malloc() memory: guard pages, mlock()ed
 * where the limit allows, and wiped by ike_secret_free().
 */
struct ike_secret {
	uint8_t *ptr;
	size_t len;
};

struct ike_secret *ike_secret_new(size_t len);
struct ike_secret *ike_secret_dup(const void *data, size_t len);
void ike_secret_free(struct ike_secret *secret);

void ike_random(void *buf, size_t len);
/* Constant-time equality, for comparing received hashes. */
bool ike_equal(const void *a, const void *b, size_t len);
void ike_wipe(void *buf, size_t len);

/* ---- hashes and the prf (HMAC of the negotiated hash) ---- */

/* Digest length of an Oakley hash, 0 if unsupported. */
size_t ike_hash_len(uint16_t hash);
/* HMAC block size: the natural key length of the prf. */
size_t ike_hash_block_len(uint16_t hash);
/* Hash/HMAC over the concatenation of parts; out holds ike_hash_len(). */
int ike_hash(uint16_t hash, const struct ike_bytes *parts, size_t nparts,
	     uint8_t *out);
int ike_prf(uint16_t hash, const uint8_t *key, size_t key_len,
	    const struct ike_bytes *parts, size_t nparts, uint8_t *out);

/* ---- CBC ciphers for phase-1/phase-2 message encryption ---- */

size_t ike_cipher_block_len(uint16_t cipher);
bool ike_cipher_key_len_ok(uint16_t cipher, size_t key_len);
/*
 * len must be a multiple of the block size; in and out may alias. iv is
 * updated to the last ciphertext block, which is the next message's IV.
 */
int ike_cbc_encrypt(uint16_t cipher, const uint8_t *key, size_t key_len,
		    uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len);
int ike_cbc_decrypt(uint16_t cipher, const uint8_t *key, size_t key_len,
		    uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len);

/* ---- Diffie-Hellman ---- */

struct ike_dh;

bool ike_dh_supported(uint16_t group);
/*
 * Wire sizes: MODP public values and g^xy are big-endian, left-padded to
 * the modulus length; ECP public values are x || y without the point
 * format byte, and g^xy is x (RFC 5903); Curve25519 uses 32 bytes both
 * ways (RFC 8031).
 */
size_t ike_dh_public_len(uint16_t group);
size_t ike_dh_shared_len(uint16_t group);
int ike_dh_new(uint16_t group, struct ike_dh **dh);
uint16_t ike_dh_group(const struct ike_dh *dh);
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len);
/* Rejects malformed or degenerate peer values. */
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer,
		  size_t peer_len, struct ike_secret **shared);
void ike_dh_free(struct ike_dh *dh);

#endif
