/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 key derivation and authentication hashes (RFC 2409 5, 5.5, 5.7,
 * Appendix B). "hash" is the negotiated Oakley hash; the prf is its HMAC.
 * Byte strings are the exact wire bodies (Ni_b, SAi_b, IDii_b: payload
 * bodies without their generic headers). Every derived key is returned in
 * a struct ike_secret the caller frees with ike_secret_free().
 */
#ifndef KIPSEC_IKE_KEYS_H
#define KIPSEC_IKE_KEYS_H

#include "ike/crypto.h"

/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
int ike_skeyid_psk(uint16_t hash, struct ike_bytes psk, struct ike_bytes ni_b,
		   struct ike_bytes nr_b, struct ike_secret **skeyid);
/* SKEYID = prf(Ni_b | Nr_b, g^xy), for signature authentication */
int ike_skeyid_sig(uint16_t hash, struct ike_bytes ni_b, struct ike_bytes nr_b,
		   struct ike_bytes gxy, struct ike_secret **skeyid);
/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
int ike_skeyid_dae(uint16_t hash, const struct ike_secret *skeyid,
		   struct ike_bytes gxy, const uint8_t cky_i[IKE_COOKIE_LEN],
		   const uint8_t cky_r[IKE_COOKIE_LEN],
		   struct ike_secret **skeyid_d, struct ike_secret **skeyid_a,
		   struct ike_secret **skeyid_e);
/*
 * The phase-1 cipher key: the first key_len bytes of SKEYID_e, or when
 * SKEYID_e is shorter, of K1 | K2 | ... with K1 = prf(SKEYID_e, 0x00) and
 * Kn = prf(SKEYID_e, Kn-1) (RFC 2409 Appendix B).
 */
int ike_phase1_enc_key(uint16_t hash, const struct ike_secret *skeyid_e,
		       size_t key_len, struct ike_secret **key);
/* IV = HASH(g^xi | g^xr) truncated to the block (plain hash, not prf). */
int ike_phase1_iv(uint16_t hash, struct ike_bytes gxi, struct ike_bytes gxr,
		  size_t block_len, uint8_t *iv);
/*
 * Phase-2 and informational IV = HASH(last phase-1 CBC block | M-ID),
 * truncated to the block.
 */
int ike_phase2_iv(uint16_t hash, struct ike_bytes last_phase1_block,
		  uint32_t message_id, size_t block_len, uint8_t *iv);

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * Both take the initiator's and the responder's values as such; the
 * swapping is done here. out holds ike_hash_len(hash) bytes.
 */
struct ike_auth_input {
	struct ike_bytes gxi, gxr;
	const uint8_t *cky_i, *cky_r;
	struct ike_bytes sai_b;
	struct ike_bytes id_b;	/* IDii_b for HASH_I, IDir_b for HASH_R */
};

int ike_hash_i(uint16_t hash, const struct ike_secret *skeyid,
	       const struct ike_auth_input *in, uint8_t *out);
int ike_hash_r(uint16_t hash, const struct ike_secret *skeyid,
	       const struct ike_auth_input *in, uint8_t *out);

/* HASH(1) = prf(SKEYID_a, M-ID | everything after the HASH payload) */
int ike_qm_hash1(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes after_hash,
		 uint8_t *out);
/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | everything after HASH) */
int ike_qm_hash2(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes ni_b,
		 struct ike_bytes after_hash, uint8_t *out);
/* HASH(3) = prf(SKEYID_a, 0x00 | M-ID | Ni_b | Nr_b) */
int ike_qm_hash3(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes ni_b,
		 struct ike_bytes nr_b, uint8_t *out);
/* Informational HASH(1) = prf(SKEYID_a, M-ID | N/D payload(s)) */
int ike_info_hash(uint16_t hash, const struct ike_secret *skeyid_a,
		  uint32_t message_id, struct ike_bytes after_hash,
		  uint8_t *out);

/*
 * KEYMAT = K1 | K2 | ... truncated to len, with
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 * gqm.len == 0 means no PFS. spi is the receiving side's SPI as on the
 * wire; protocol is IKE_PROTO_AH or IKE_PROTO_ESP.
 */
int ike_keymat(uint16_t hash, const struct ike_secret *skeyid_d,
	       struct ike_bytes gqm, uint8_t protocol, struct ike_bytes spi,
	       struct ike_bytes ni_b, struct ike_bytes nr_b, size_t len,
	       struct ike_secret **keymat);

/*
 * The parts of one SA's KEYMAT, pointing into it. The cipher's key comes
 * first and its salt directly after it, as the salt is part of the cipher
 * keying material (RFC 4106 8.1, RFC 3686 5.1); the integrity key follows
 * (RFC 2409 5.5 puts encryption before authentication keys).
 */
struct ike_sa_keys {
	struct ike_bytes enc;
	struct ike_bytes salt;
	struct ike_bytes auth;
};

static inline size_t ike_keymat_len(size_t enc_len, size_t salt_len,
				    size_t auth_len)
{
	return enc_len + salt_len + auth_len;
}

int ike_keymat_split(const struct ike_secret *keymat, size_t enc_len,
		     size_t salt_len, size_t auth_len, struct ike_sa_keys *keys);

#endif
