// SPDX-License-Identifier: GPL-2.0
/* Formulas in keys.h and DESIGN.md section 3. */
#include <string.h>

#include "ike/keys.h"

#define BYTES(p, n) ((struct ike_bytes){ .ptr = (const uint8_t *)(p), .len = (n) })

/* prf into a fresh secret of the prf's output size. */
static int prf_secret(uint16_t hash, struct ike_bytes key,
		      const struct ike_bytes *parts, size_t nparts,
		      struct ike_secret **out)
{
	size_t len = ike_hash_len(hash);
	struct ike_secret *s;

	*out = NULL;
	if (!len)
		return -1;
	s = ike_secret_new(len);
	if (!s)
		return -1;
	if (ike_prf(hash, key.ptr, key.len, parts, nparts, s->ptr)) {
		ike_secret_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

static struct ike_bytes secret_bytes(const struct ike_secret *s)
{
	return BYTES(s->ptr, s->len);
}

int ike_skeyid_psk(uint16_t hash, struct ike_bytes psk, struct ike_bytes ni_b,
		   struct ike_bytes nr_b, struct ike_secret **skeyid)
{
	struct ike_bytes parts[] = { ni_b, nr_b };

	return prf_secret(hash, psk, parts, 2, skeyid);
}

int ike_skeyid_sig(uint16_t hash, struct ike_bytes ni_b, struct ike_bytes nr_b,
		   struct ike_bytes gxy, struct ike_secret **skeyid)
{
	struct ike_secret *key;
	int rc;

	if (ni_b.len > SIZE_MAX - nr_b.len)
		return -1;
	key = ike_secret_new(ni_b.len + nr_b.len);
	if (!key)
		return -1;
	memcpy(key->ptr, ni_b.ptr, ni_b.len);
	memcpy(key->ptr + ni_b.len, nr_b.ptr, nr_b.len);
	rc = prf_secret(hash, secret_bytes(key), &gxy, 1, skeyid);
	ike_secret_free(key);
	return rc;
}

int ike_skeyid_dae(uint16_t hash, const struct ike_secret *skeyid,
		   struct ike_bytes gxy, const uint8_t cky_i[IKE_COOKIE_LEN],
		   const uint8_t cky_r[IKE_COOKIE_LEN],
		   struct ike_secret **skeyid_d, struct ike_secret **skeyid_a,
		   struct ike_secret **skeyid_e)
{
	static const uint8_t n0 = 0, n1 = 1, n2 = 2;
	struct ike_bytes key = secret_bytes(skeyid);
	struct ike_bytes parts[5];

	*skeyid_d = *skeyid_a = *skeyid_e = NULL;
	parts[0] = gxy;
	parts[1] = BYTES(cky_i, IKE_COOKIE_LEN);
	parts[2] = BYTES(cky_r, IKE_COOKIE_LEN);
	parts[3] = BYTES(&n0, 1);
	if (prf_secret(hash, key, parts, 4, skeyid_d))
		goto fail;

	parts[0] = secret_bytes(*skeyid_d);
	parts[1] = gxy;
	parts[2] = BYTES(cky_i, IKE_COOKIE_LEN);
	parts[3] = BYTES(cky_r, IKE_COOKIE_LEN);
	parts[4] = BYTES(&n1, 1);
	if (prf_secret(hash, key, parts, 5, skeyid_a))
		goto fail;

	parts[0] = secret_bytes(*skeyid_a);
	parts[4] = BYTES(&n2, 1);
	if (prf_secret(hash, key, parts, 5, skeyid_e))
		goto fail;
	return 0;
fail:
	ike_secret_free(*skeyid_d);
	ike_secret_free(*skeyid_a);
	*skeyid_d = *skeyid_a = NULL;
	return -1;
}

int ike_phase1_enc_key(uint16_t hash, const struct ike_secret *skeyid_e,
		       size_t key_len, struct ike_secret **key)
{
	static const uint8_t zero;
	size_t hlen = ike_hash_len(hash), done;
	uint8_t block[IKE_MAX_HASH_LEN];
	struct ike_bytes input;
	struct ike_secret *k;

	*key = NULL;
	if (!hlen || !key_len)
		return -1;
	k = ike_secret_new(key_len);
	if (!k)
		return -1;
	if (skeyid_e->len >= key_len) {
		memcpy(k->ptr, skeyid_e->ptr, key_len);
		*key = k;
		return 0;
	}
	input = BYTES(&zero, 1);
	for (done = 0; done < key_len; done += hlen) {
		if (ike_prf(hash, skeyid_e->ptr, skeyid_e->len, &input, 1, block)) {
			ike_wipe(block, sizeof(block));
			ike_secret_free(k);
			return -1;
		}
		memcpy(k->ptr + done, block, key_len - done < hlen ?
		       key_len - done : hlen);
		/* Kn feeds Kn+1; it stays in the secret once copied. */
		input = BYTES(k->ptr + done, hlen);
		if (key_len - done < hlen)
			break;
	}
	ike_wipe(block, sizeof(block));
	*key = k;
	return 0;
}

static int hash_truncated(uint16_t hash, const struct ike_bytes *parts,
			  size_t nparts, size_t block_len, uint8_t *iv)
{
	uint8_t digest[IKE_MAX_HASH_LEN];

	if (!block_len || block_len > ike_hash_len(hash) ||
	    ike_hash(hash, parts, nparts, digest))
		return -1;
	memcpy(iv, digest, block_len);
	return 0;
}

int ike_phase1_iv(uint16_t hash, struct ike_bytes gxi, struct ike_bytes gxr,
		  size_t block_len, uint8_t *iv)
{
	struct ike_bytes parts[] = { gxi, gxr };

	return hash_truncated(hash, parts, 2, block_len, iv);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int ike_phase2_iv(uint16_t hash, struct ike_bytes last_phase1_block,
		  uint32_t message_id, size_t block_len, uint8_t *iv)
{
	uint8_t mid[4];
	struct ike_bytes parts[] = { last_phase1_block, BYTES(mid, 4) };

	put_be32(mid, message_id);
	return hash_truncated(hash, parts, 2, block_len, iv);
}

static int auth_hash(uint16_t hash, const struct ike_secret *skeyid,
		     struct ike_bytes gx_first, struct ike_bytes gx_second,
		     const uint8_t *cky_first, const uint8_t *cky_second,
		     struct ike_bytes sai_b, struct ike_bytes id_b, uint8_t *out)
{
	struct ike_bytes parts[] = {
		gx_first, gx_second, BYTES(cky_first, IKE_COOKIE_LEN),
		BYTES(cky_second, IKE_COOKIE_LEN), sai_b, id_b,
	};

	return ike_prf(hash, skeyid->ptr, skeyid->len, parts, 6, out);
}

int ike_hash_i(uint16_t hash, const struct ike_secret *skeyid,
	       const struct ike_auth_input *in, uint8_t *out)
{
	return auth_hash(hash, skeyid, in->gxi, in->gxr, in->cky_i, in->cky_r,
			 in->sai_b, in->id_b, out);
}

int ike_hash_r(uint16_t hash, const struct ike_secret *skeyid,
	       const struct ike_auth_input *in, uint8_t *out)
{
	return auth_hash(hash, skeyid, in->gxr, in->gxi, in->cky_r, in->cky_i,
			 in->sai_b, in->id_b, out);
}

int ike_qm_hash1(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes after_hash,
		 uint8_t *out)
{
	uint8_t mid[4];
	struct ike_bytes parts[] = { BYTES(mid, 4), after_hash };

	put_be32(mid, message_id);
	return ike_prf(hash, skeyid_a->ptr, skeyid_a->len, parts, 2, out);
}

int ike_qm_hash2(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes ni_b,
		 struct ike_bytes after_hash, uint8_t *out)
{
	uint8_t mid[4];
	struct ike_bytes parts[] = { BYTES(mid, 4), ni_b, after_hash };

	put_be32(mid, message_id);
	return ike_prf(hash, skeyid_a->ptr, skeyid_a->len, parts, 3, out);
}

int ike_qm_hash3(uint16_t hash, const struct ike_secret *skeyid_a,
		 uint32_t message_id, struct ike_bytes ni_b,
		 struct ike_bytes nr_b, uint8_t *out)
{
	uint8_t head[5] = { 0 };
	struct ike_bytes parts[] = { BYTES(head, 5), ni_b, nr_b };

	put_be32(head + 1, message_id);
	return ike_prf(hash, skeyid_a->ptr, skeyid_a->len, parts, 3, out);
}

int ike_info_hash(uint16_t hash, const struct ike_secret *skeyid_a,
		  uint32_t message_id, struct ike_bytes after_hash,
		  uint8_t *out)
{
	return ike_qm_hash1(hash, skeyid_a, message_id, after_hash, out);
}

int ike_keymat(uint16_t hash, const struct ike_secret *skeyid_d,
	       struct ike_bytes gqm, uint8_t protocol, struct ike_bytes spi,
	       struct ike_bytes ni_b, struct ike_bytes nr_b, size_t len,
	       struct ike_secret **keymat)
{
	size_t hlen = ike_hash_len(hash), done, n;
	uint8_t block[IKE_MAX_HASH_LEN];
	struct ike_bytes parts[6];
	struct ike_secret *k;
	size_t first;
	int rc = 0;

	*keymat = NULL;
	if (!hlen || !len)
		return -1;
	k = ike_secret_new(len);
	if (!k)
		return -1;
	/* parts[0] is Kn-1, absent for K1. */
	parts[1] = gqm;
	parts[2] = BYTES(&protocol, 1);
	parts[3] = spi;
	parts[4] = ni_b;
	parts[5] = nr_b;
	for (done = 0; done < len && !rc; done += n) {
		first = done ? 0 : 1;
		if (done)
			parts[0] = BYTES(block, hlen);
		rc = ike_prf(hash, skeyid_d->ptr, skeyid_d->len, parts + first,
			     6 - first, block);
		n = len - done < hlen ? len - done : hlen;
		memcpy(k->ptr + done, block, n);
	}
	ike_wipe(block, sizeof(block));
	if (rc) {
		ike_secret_free(k);
		return -1;
	}
	*keymat = k;
	return 0;
}

int ike_keymat_split(const struct ike_secret *keymat, size_t enc_len,
		     size_t salt_len, size_t auth_len, struct ike_sa_keys *keys)
{
	const uint8_t *p = keymat->ptr;

	if (ike_keymat_len(enc_len, salt_len, auth_len) != keymat->len)
		return -1;
	keys->enc = BYTES(p, enc_len);
	keys->salt = BYTES(p + enc_len, salt_len);
	keys->auth = BYTES(p + enc_len + salt_len, auth_len);
	return 0;
}
