// SPDX-License-Identifier: GPL-2.0
/*
 * Algorithm table and transform set-up. The transform names are those the
 * kernel's own ESP and AH build, so that the packets are byte-for-byte what
 * XFRM would send with the same keys.
 */

#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <linux/crypto.h>
#include <linux/in.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>
#include <kipsec.h>

#include "crypto.h"

/* Extended-ack messages too long for the table's indentation. */
static const char kipsec_gcm_key_err[] =
	"KIPSEC_A_SA_ENC_KEY: AES-GCM-16 needs 20 or 36 bytes (key + 4-byte salt)";
static const char kipsec_chacha_key_err[] =
	"KIPSEC_A_SA_ENC_KEY: ChaCha20-Poly1305 needs 36 bytes (key + 4-byte salt)";

static const struct kipsec_enc_desc kipsec_enc_algs[] = {
	[KIPSEC_ENC_NULL] = {
		.name = "NULL",
		.tfm = "ecb(cipher_null)",
		.key_lens = { 0 },
		.key_err = "KIPSEC_A_SA_ENC_KEY: NULL encryption takes no key",
	},
	[KIPSEC_ENC_AES_CBC] = {
		.name = "AES-CBC",
		.tfm = "cbc(aes)",
		.geniv = "echainiv",
		.key_lens = { 16, 32 },
		.iv_len = 16,
		.key_err = "KIPSEC_A_SA_ENC_KEY: AES-CBC needs 16 or 32 bytes",
	},
	[KIPSEC_ENC_AES_GCM_16] = {
		.name = "AES-GCM-16",
		.tfm = "seqiv(rfc4106(gcm(aes)))",
		.key_lens = { 16 + 4, 32 + 4 },
		.salt_len = 4,
		.icv_len = 16,
		.iv_len = 8,
		.aead = true,
		.key_err = kipsec_gcm_key_err,
	},
	[KIPSEC_ENC_CHACHA20_POLY1305] = {
		.name = "ChaCha20-Poly1305",
		.tfm = "seqiv(rfc7539esp(chacha20,poly1305))",
		.key_lens = { 32 + 4, 32 + 4 },
		.salt_len = 4,
		.icv_len = 16,
		.iv_len = 8,
		.aead = true,
		.key_err = kipsec_chacha_key_err,
	},
};

static const struct kipsec_auth_desc kipsec_auth_algs[] = {
	[KIPSEC_AUTH_HMAC_SHA256_128] = {
		.name = "HMAC-SHA-256-128",
		.tfm = "hmac(sha256)",
		.key_len = 32,
		.icv_len = 16,
		.key_err = "KIPSEC_A_SA_AUTH_KEY: HMAC-SHA-256-128 needs 32 bytes",
	},
	[KIPSEC_AUTH_HMAC_SHA1_96] = {
		.name = "HMAC-SHA1-96",
		.tfm = "hmac(sha1)",
		.key_len = 20,
		.icv_len = 12,
		.key_err = "KIPSEC_A_SA_AUTH_KEY: HMAC-SHA1-96 needs 20 bytes",
	},
};

const struct kipsec_enc_desc *kipsec_enc_desc(u16 alg)
{
	if (alg >= ARRAY_SIZE(kipsec_enc_algs) || !kipsec_enc_algs[alg].name)
		return NULL;
	return &kipsec_enc_algs[alg];
}

const struct kipsec_auth_desc *kipsec_auth_desc(u16 alg)
{
	if (alg >= ARRAY_SIZE(kipsec_auth_algs) || !kipsec_auth_algs[alg].name)
		return NULL;
	return &kipsec_auth_algs[alg];
}

bool kipsec_enc_key_len_ok(const struct kipsec_enc_desc *desc,
			   unsigned int len)
{
	return len == desc->key_lens[0] || len == desc->key_lens[1];
}

static int kipsec_tfm_alloc_err(long err, struct netlink_ext_ack *extack)
{
	/*
	 * ENOENT here means a missing template module, not a missing SA;
	 * report it as such so that callers can tell the two apart.
	 */
	if (err == -ENOENT) {
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_ENC_ALG: the kernel cannot provide this algorithm (crypto module missing?)");
		return -EOPNOTSUPP;
	}
	NL_SET_ERR_MSG(extack,
		       "KIPSEC_A_SA_ENC_ALG: could not set up the crypto transform");
	return err;
}

static int kipsec_crypto_init_ah(struct kipsec_crypto *c,
				 const struct kipsec_auth_desc *auth,
				 const struct kipsec_crypto_cfg *cfg,
				 struct netlink_ext_ack *extack)
{
	struct crypto_ahash *ahash;
	int err;

	ahash = crypto_alloc_ahash(auth->tfm, 0, 0);
	if (IS_ERR(ahash)) {
		err = PTR_ERR(ahash);
		if (err == -ENOENT) {
			NL_SET_ERR_MSG(extack,
				       "KIPSEC_A_SA_AUTH_ALG: the kernel cannot provide this algorithm (crypto module missing?)");
			return -EOPNOTSUPP;
		}
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_AUTH_ALG: could not set up the crypto transform");
		return err;
	}
	if (crypto_ahash_digestsize(ahash) < auth->icv_len) {
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_AUTH_ALG: digest shorter than the ICV");
		err = -EINVAL;
		goto err_free;
	}
	err = crypto_ahash_setkey(ahash, cfg->auth_key, cfg->auth_key_len);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_AUTH_KEY: refused by the algorithm");
		goto err_free;
	}
	c->ahash = ahash;
	return 0;

err_free:
	crypto_free_ahash(ahash);
	return err;
}

/*
 * authenc() takes both keys in one blob: an rtattr carrying the cipher key
 * length, the HMAC key, then the cipher key. The blob holds key material, so
 * it is wiped before it is freed.
 */
static int kipsec_authenc_setkey(struct crypto_aead *aead,
				 const struct kipsec_crypto_cfg *cfg)
{
	struct crypto_authenc_key_param *param;
	unsigned int len;
	struct rtattr *rta;
	u8 *blob;
	int err;

	len = RTA_SPACE(sizeof(*param)) + cfg->auth_key_len + cfg->enc_key_len;
	blob = kmalloc(len, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;

	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(cfg->enc_key_len);
	memcpy(blob + RTA_SPACE(sizeof(*param)), cfg->auth_key,
	       cfg->auth_key_len);
	if (cfg->enc_key_len)
		memcpy(blob + RTA_SPACE(sizeof(*param)) + cfg->auth_key_len,
		       cfg->enc_key, cfg->enc_key_len);

	err = crypto_aead_setkey(aead, blob, len);
	kfree_sensitive(blob);
	return err;
}

static int kipsec_crypto_init_esp(struct kipsec_crypto *c,
				  const struct kipsec_enc_desc *enc,
				  const struct kipsec_auth_desc *auth,
				  const struct kipsec_crypto_cfg *cfg,
				  struct netlink_ext_ack *extack)
{
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *aead;
	int err;

	if (enc->aead) {
		strscpy(name, enc->tfm, sizeof(name));
	} else {
		/*
		 * With ESN the high 32 bits of the sequence number are
		 * authenticated but not sent; authencesn() knows where.
		 */
		snprintf(name, sizeof(name), "%s%s%s(%s,%s)%s",
			 enc->geniv ?: "", enc->geniv ? "(" : "",
			 cfg->esn ? "authencesn" : "authenc",
			 auth->tfm, enc->tfm, enc->geniv ? ")" : "");
	}

	aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(aead))
		return kipsec_tfm_alloc_err(PTR_ERR(aead), extack);

	if (enc->aead) {
		err = crypto_aead_setkey(aead, cfg->enc_key, cfg->enc_key_len);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "KIPSEC_A_SA_ENC_KEY: refused by the cipher");
			goto err_free;
		}
		c->icv_len = enc->icv_len;
	} else {
		err = kipsec_authenc_setkey(aead, cfg);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "KIPSEC_A_SA_ENC_KEY: refused by the cipher or HMAC");
			goto err_free;
		}
		c->icv_len = auth->icv_len;
	}

	err = crypto_aead_setauthsize(aead, c->icv_len);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_ENC_ALG: the transform refused the ICV length");
		goto err_free;
	}
	c->aead = aead;
	return 0;

err_free:
	crypto_free_aead(aead);
	return err;
}

int kipsec_crypto_init(struct kipsec_crypto *c,
		       const struct kipsec_crypto_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	const struct kipsec_auth_desc *auth = kipsec_auth_desc(cfg->auth_alg);
	const struct kipsec_enc_desc *enc = kipsec_enc_desc(cfg->enc_alg);

	memset(c, 0, sizeof(*c));
	c->enc_alg = cfg->enc_alg;
	c->auth_alg = cfg->auth_alg;

	/* The caller validated the combination; these are internal errors. */
	if (cfg->proto == IPPROTO_AH) {
		if (WARN_ON_ONCE(!auth))
			return -EINVAL;
		c->icv_len = auth->icv_len;
		return kipsec_crypto_init_ah(c, auth, cfg, extack);
	}
	if (WARN_ON_ONCE(!enc || (!enc->aead && !auth)))
		return -EINVAL;
	c->enc_key_bits = (cfg->enc_key_len - enc->salt_len) * 8;
	c->iv_len = enc->iv_len;
	return kipsec_crypto_init_esp(c, enc, auth, cfg, extack);
}

/* Freeing a transform wipes its context, keys included (kfree_sensitive). */
void kipsec_crypto_free(struct kipsec_crypto *c)
{
	if (c->aead)
		crypto_free_aead(c->aead);
	if (c->ahash)
		crypto_free_ahash(c->ahash);
	c->aead = NULL;
	c->ahash = NULL;
}
