// SPDX-License-Identifier: GPL-2.0
/*
 * Diffie-Hellman for the IKEv1 groups we offer: MODP 1024 and 1536
 * (legacy, only when configured) and 2048 and ECP 256/384 through OpenSSL
 * EVP, and
 * Curve25519 through libsodium.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "ike/crypto.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	uint16_t group;
	enum dh_kind kind;
	size_t public_len;
	size_t shared_len;
	const char *curve;		/* ECP */
	BIGNUM *(*prime)(BIGNUM *);	/* MODP, generator 2 */
	int private_bits;		/* MODP: twice the group's strength */
};

static const struct dh_group groups[] = {
	{ IKE_GROUP_MODP_1024, DH_MODP, 128, 128, NULL,
	  BN_get_rfc2409_prime_1024, 256 },
	{ IKE_GROUP_MODP_1536, DH_MODP, 192, 192, NULL,
	  BN_get_rfc3526_prime_1536, 256 },
	{ IKE_GROUP_MODP_2048, DH_MODP, 256, 256, NULL,
	  BN_get_rfc3526_prime_2048, 256 },
	{ IKE_GROUP_ECP_256, DH_ECP, 64, 32, "P-256", NULL, 0 },
	{ IKE_GROUP_ECP_384, DH_ECP, 96, 48, "P-384", NULL, 0 },
	{ IKE_GROUP_CURVE25519, DH_X25519, 32, 32, NULL, NULL, 0 },
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *key;			/* MODP, ECP */
	struct ike_secret *x25519;	/* private scalar */
	uint8_t x25519_public[crypto_scalarmult_BYTES];
};

static const struct dh_group *find_group(uint16_t group)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].group == group)
			return &groups[i];
	return NULL;
}

bool ike_dh_supported(uint16_t group)
{
	return find_group(group) != NULL;
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->public_len : 0;
}

size_t ike_dh_shared_len(uint16_t group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->shared_len : 0;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->group;
}

/* Builds a DH EVP_PKEY from the group's p and g, plus pub if given. */
static EVP_PKEY *modp_pkey(const struct dh_group *g, const BIGNUM *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *p = g->prime(NULL), *gen = BN_new();
	int ok;

	ok = bld && p && gen && BN_set_word(gen, 2) &&
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen);
	if (ok && pub)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub);
	else if (ok)
		ok = OSSL_PARAM_BLD_push_int(bld, OSSL_PKEY_PARAM_DH_PRIV_LEN,
					     g->private_bits);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, pub ? EVP_PKEY_PUBLIC_KEY :
				  EVP_PKEY_KEY_PARAMETERS, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(gen);
	return pkey;
}

static EVP_PKEY *ecp_peer_pkey(const struct dh_group *g, const uint8_t *xy,
			       size_t len)
{
	uint8_t point[1 + 2 * 66];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	if (len != g->public_len || len + 1 > sizeof(point))
		return NULL;
	/* RFC 5903 drops the uncompressed-point byte; OpenSSL wants it. */
	point[0] = 0x04;
	memcpy(point + 1, xy, len);
	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->curve, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
		OSSL_PKEY_PARAM_PUB_KEY, point, len + 1);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

int ike_dh_new(uint16_t group, struct ike_dh **out)
{
	const struct dh_group *g = find_group(group);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *domain = NULL;
	struct ike_dh *dh;
	int ok = 0;

	*out = NULL;
	if (!g)
		return -1;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return -1;
	dh->g = g;
	switch (g->kind) {
	case DH_X25519:
		dh->x25519 = ike_secret_new(crypto_scalarmult_SCALARBYTES);
		if (dh->x25519) {
			randombytes_buf(dh->x25519->ptr, dh->x25519->len);
			ok = crypto_scalarmult_base(dh->x25519_public,
						    dh->x25519->ptr) == 0;
		}
		break;
	case DH_ECP:
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->curve);
		ok = dh->key != NULL;
		break;
	case DH_MODP:
		domain = modp_pkey(g, NULL);
		ctx = domain ? EVP_PKEY_CTX_new_from_pkey(NULL, domain, NULL) : NULL;
		ok = ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
		     EVP_PKEY_keygen(ctx, &dh->key) > 0;
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(domain);
		break;
	}
	if (!ok) {
		ike_dh_free(dh);
		return -1;
	}
	*out = dh;
	return 0;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len)
{
	uint8_t point[1 + 2 * 66];
	BIGNUM *pub = NULL;
	size_t point_len;
	int ok;

	if (len != dh->g->public_len)
		return -1;
	switch (dh->g->kind) {
	case DH_X25519:
		memcpy(out, dh->x25519_public, len);
		return 0;
	case DH_ECP:
		if (!EVP_PKEY_get_octet_string_param(dh->key,
				OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
				sizeof(point), &point_len) ||
		    point_len != len + 1 || point[0] != 0x04)
			return -1;
		memcpy(out, point + 1, len);
		return 0;
	case DH_MODP:
		ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &pub) &&
		     BN_bn2binpad(pub, out, (int)len) == (int)len;
		BN_free(pub);
		return ok ? 0 : -1;
	}
	return -1;
}

/* RFC 2631 style range check: 1 < y < p - 1 rules out trivial subgroups. */
static BIGNUM *modp_peer_value(const struct dh_group *g, const uint8_t *peer,
			       size_t len)
{
	BIGNUM *y, *p, *pm1;
	int ok;

	if (len != g->public_len)
		return NULL;
	y = BN_bin2bn(peer, (int)len, NULL);
	p = g->prime(NULL);
	pm1 = p ? BN_dup(p) : NULL;
	ok = y && pm1 && BN_sub_word(pm1, 1) && !BN_is_zero(y) &&
	     !BN_is_one(y) && BN_cmp(y, pm1) < 0;
	BN_free(p);
	BN_free(pm1);
	if (!ok) {
		BN_free(y);
		return NULL;
	}
	return y;
}

/*
 * @modp: the shared value padded to the prime's length (RFC 2409 wants all
 * of g^xy), and the peer's value taken as modp_peer_value() checked it.
 * For these safe primes p = 2q + 1 the range check is the validation that
 * matters: the only small subgroups are {1} and {1, p - 1}. OpenSSL's own
 * check adds y^q mod p == 1, an exponentiation by the whole 2047-bit q
 * that cost four times the rest of the exchange; the elements it would
 * also refuse (order 2q) could reveal no more than the parity of a private
 * value that ike_dh_new() draws for one exchange only. TLS 1.3 asks the
 * same range check and no more of its safe-prime groups (RFC 8446
 * 4.2.8.1). ECP points keep OpenSSL's check.
 */
static int evp_derive(EVP_PKEY *key, EVP_PKEY *peer, bool modp,
		      struct ike_secret *shared)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t len = shared->len;
	int ok;

	ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	     (!modp || EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0) &&
	     EVP_PKEY_derive_set_peer_ex(ctx, peer, !modp) > 0 &&
	     EVP_PKEY_derive(ctx, shared->ptr, &len) > 0 && len == shared->len;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer,
		  size_t peer_len, struct ike_secret **shared)
{
	const struct dh_group *g = dh->g;
	struct ike_secret *s;
	EVP_PKEY *peer_key = NULL;
	BIGNUM *y;
	int rc = -1;

	*shared = NULL;
	if (peer_len != g->public_len)
		return -1;
	s = ike_secret_new(g->shared_len);
	if (!s)
		return -1;
	switch (g->kind) {
	case DH_X25519:
		/* Fails on low-order points, whose result is all zeros. */
		rc = crypto_scalarmult(s->ptr, dh->x25519->ptr, peer);
		break;
	case DH_ECP:
		peer_key = ecp_peer_pkey(g, peer, peer_len);
		rc = peer_key ? evp_derive(dh->key, peer_key, false, s) : -1;
		break;
	case DH_MODP:
		y = modp_peer_value(g, peer, peer_len);
		peer_key = y ? modp_pkey(g, y) : NULL;
		BN_free(y);
		rc = peer_key ? evp_derive(dh->key, peer_key, true, s) : -1;
		break;
	}
	EVP_PKEY_free(peer_key);
	if (rc) {
		ike_secret_free(s);
		return -1;
	}
	*shared = s;
	return 0;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	ike_secret_free(dh->x25519);
	free(dh);
}
