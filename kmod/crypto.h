/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The algorithms an SA may use, their key formats, and the kernel crypto
 * transforms that implement them. Keys live only inside the transforms.
 */
#ifndef _KIPSEC_CRYPTO_H
#define _KIPSEC_CRYPTO_H

#include <linux/types.h>

struct crypto_aead;
struct crypto_ahash;
struct netlink_ext_ack;

/* Longest key any algorithm takes, salt included. */
#define KIPSEC_KEY_MAX 64

struct kipsec_enc_desc {
	const char *name;
	/* An AEAD's full transform name, else the cipher inside authenc(). */
	const char *tfm;
	/* IV generator wrapped around authenc(), if the cipher needs IVs. */
	const char *geniv;
	u8 key_lens[2];		/* accepted lengths in bytes, salt included */
	u8 salt_len;
	u8 icv_len;		/* AEADs only */
	u8 iv_len;
	bool aead;
	/* Extended-ack message for a key of any other length. */
	const char *key_err;
};

struct kipsec_auth_desc {
	const char *name;
	const char *tfm;
	u8 key_len;
	u8 icv_len;		/* truncated ICV carried in the packet */
	const char *key_err;
};

/* NULL for KIPSEC_ENC_NONE / KIPSEC_AUTH_NONE and for unknown values. */
const struct kipsec_enc_desc *kipsec_enc_desc(u16 alg);
const struct kipsec_auth_desc *kipsec_auth_desc(u16 alg);
bool kipsec_enc_key_len_ok(const struct kipsec_enc_desc *desc,
			   unsigned int len);

struct kipsec_crypto_cfg {
	u8 proto;		/* IPPROTO_ESP or IPPROTO_AH */
	u16 enc_alg;
	u16 auth_alg;
	bool esn;
	/* Point into the request; never copied except into the transform. */
	const u8 *enc_key;
	unsigned int enc_key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
};

/*
 * ESP always runs through one AEAD (authenc() makes one out of a cipher
 * and an HMAC, as the kernel's own ESP does); AH through one keyed hash.
 */
struct kipsec_crypto {
	u16 enc_alg;
	u16 auth_alg;
	u16 enc_key_bits;
	u8 icv_len;
	u8 iv_len;
	struct crypto_aead *aead;
	struct crypto_ahash *ahash;
};

int kipsec_crypto_init(struct kipsec_crypto *c,
		       const struct kipsec_crypto_cfg *cfg,
		       struct netlink_ext_ack *extack);
void kipsec_crypto_free(struct kipsec_crypto *c);

#endif /* _KIPSEC_CRYPTO_H */
