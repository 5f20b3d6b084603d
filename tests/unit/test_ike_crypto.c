// SPDX-License-Identifier: GPL-2.0
/*
 * Crypto wrappers against published vectors: RFC 2202 (HMAC-SHA-1),
 * RFC 4231 (HMAC-SHA-256/384/512), FIPS 180-2 appendix examples ("abc"),
 * NIST SP 800-38A F.2 (AES-CBC); and Diffie-Hellman agreement for every
 * supported group, plus rejection of degenerate peer values.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "tap.h"
#include "ike/crypto.h"

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[1] && n < max) {
		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2x", &byte);
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static int hex_eq(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[512];
	size_t n = unhex(want_hex, want, sizeof(want));

	return n == len && memcmp(got, want, len) == 0;
}

#define B(s) ((struct ike_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

struct hmac_vector {
	const char *name;
	uint16_t hash;
	const uint8_t *key;
	size_t key_len;
	const char *data;
	const char *mac;
};

static void test_hmac(void)
{
	static uint8_t key_0b[20], key_aa[131];
	uint8_t out[IKE_MAX_HASH_LEN];
	struct hmac_vector v[] = {
		/* RFC 2202 section 3, test cases 1 and 2 */
		{ "RFC 2202 #1 HMAC-SHA-1", IKE_HASH_SHA1, key_0b, 20, "Hi There",
		  "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ "RFC 2202 #2 HMAC-SHA-1", IKE_HASH_SHA1, (const uint8_t *)"Jefe", 4,
		  "what do ya want for nothing?",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		/* RFC 4231 section 4.2, test case 1 */
		{ "RFC 4231 #1 HMAC-SHA-256", IKE_HASH_SHA2_256, key_0b, 20, "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "RFC 4231 #1 HMAC-SHA-384", IKE_HASH_SHA2_384, key_0b, 20, "Hi There",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		  "faea9ea9076ede7f4af152e8b2fa9cb6" },
		{ "RFC 4231 #1 HMAC-SHA-512", IKE_HASH_SHA2_512, key_0b, 20, "Hi There",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
		/* RFC 4231 section 4.3, test case 2 */
		{ "RFC 4231 #2 HMAC-SHA-256", IKE_HASH_SHA2_256, (const uint8_t *)"Jefe", 4,
		  "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "RFC 4231 #2 HMAC-SHA-384", IKE_HASH_SHA2_384, (const uint8_t *)"Jefe", 4,
		  "what do ya want for nothing?",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
		  "8e2240ca5e69e2c78b3239ecfab21649" },
		{ "RFC 4231 #2 HMAC-SHA-512", IKE_HASH_SHA2_512, (const uint8_t *)"Jefe", 4,
		  "what do ya want for nothing?",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
		/* RFC 4231 section 4.7, test case 6: key longer than the block */
		{ "RFC 4231 #6 HMAC-SHA-256", IKE_HASH_SHA2_256, key_aa, 131,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ "RFC 4231 #6 HMAC-SHA-384", IKE_HASH_SHA2_384, key_aa, 131,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
		  "0c2ef6ab4030fe8296248df163f44952" },
		{ "RFC 4231 #6 HMAC-SHA-512", IKE_HASH_SHA2_512, key_aa, 131,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	};
	size_t i;

	memset(key_0b, 0x0b, sizeof(key_0b));
	memset(key_aa, 0xaa, sizeof(key_aa));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ike_bytes whole = { (const uint8_t *)v[i].data, strlen(v[i].data) };
		struct ike_bytes split[3] = {
			{ whole.ptr, 3 }, { whole.ptr + 3, 0 },
			{ whole.ptr + 3, whole.len - 3 },
		};

		memset(out, 0, sizeof(out));
		tap_ok(ike_prf(v[i].hash, v[i].key, v[i].key_len, &whole, 1, out) == 0 &&
		       hex_eq(out, ike_hash_len(v[i].hash), v[i].mac), "%s", v[i].name);
		memset(out, 0, sizeof(out));
		tap_ok(ike_prf(v[i].hash, v[i].key, v[i].key_len, split, 3, out) == 0 &&
		       hex_eq(out, ike_hash_len(v[i].hash), v[i].mac),
		       "%s over split input", v[i].name);
	}
	tap_ok(ike_prf(IKE_HASH_MD5, key_0b, 20, NULL, 0, out) != 0,
	       "prf refuses MD5");
}

static void test_hash(void)
{
	/* FIPS 180-2 appendix examples, message "abc" */
	static const struct { uint16_t hash; const char *digest; } v[] = {
		{ IKE_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ IKE_HASH_SHA2_256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ IKE_HASH_SHA2_384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
				     "8086072ba1e7cc2358baeca134c825a7" },
		{ IKE_HASH_SHA2_512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	};
	struct ike_bytes parts[2] = { B("a"), B("bc") };
	uint8_t out[IKE_MAX_HASH_LEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 0, sizeof(out));
		tap_ok(ike_hash(v[i].hash, parts, 2, out) == 0 &&
		       hex_eq(out, ike_hash_len(v[i].hash), v[i].digest),
		       "FIPS 180-2 \"abc\" with hash %u", v[i].hash);
	}
}

static void test_aes_cbc(void)
{
	/* NIST SP 800-38A F.2.1/F.2.2 (AES-128) and F.2.5/F.2.6 (AES-256) */
	static const char *pt_hex =
		"6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
		"30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
	static const struct { const char *key, *ct; } v[] = {
		{ "2b7e151628aed2a6abf7158809cf4f3c",
		  "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
		  "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7" },
		{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
		  "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b" },
	};
	uint8_t key[32], pt[64], ct[64], buf[64], iv[16], iv0[16];
	size_t i, key_len;

	unhex(pt_hex, pt, sizeof(pt));
	unhex("000102030405060708090a0b0c0d0e0f", iv0, sizeof(iv0));
	for (i = 0; i < 2; i++) {
		key_len = unhex(v[i].key, key, sizeof(key));
		unhex(v[i].ct, ct, sizeof(ct));
		memcpy(iv, iv0, 16);
		tap_ok(ike_cbc_encrypt(IKE_ENC_AES_CBC, key, key_len, iv, pt, buf, 64) == 0 &&
		       memcmp(buf, ct, 64) == 0,
		       "SP 800-38A AES-%zu-CBC encrypt", key_len * 8);
		tap_ok(memcmp(iv, ct + 48, 16) == 0,
		       "encrypt leaves the last ciphertext block as IV");
		/* Two halves chained through the IV equal one pass. */
		memcpy(iv, iv0, 16);
		memcpy(buf, ct, 64);
		tap_ok(ike_cbc_decrypt(IKE_ENC_AES_CBC, key, key_len, iv, buf, buf, 32) == 0 &&
		       ike_cbc_decrypt(IKE_ENC_AES_CBC, key, key_len, iv, buf + 32, buf + 32, 32) == 0 &&
		       memcmp(buf, pt, 64) == 0,
		       "SP 800-38A AES-%zu-CBC decrypt in place, chained", key_len * 8);
	}
	memcpy(iv, iv0, 16);
	tap_ok(ike_cbc_encrypt(IKE_ENC_AES_CBC, key, 32, iv, pt, buf, 15) != 0,
	       "CBC refuses a partial block");
	tap_ok(ike_cbc_encrypt(IKE_ENC_AES_CBC, key, 20, iv, pt, buf, 16) != 0,
	       "CBC refuses a 160-bit AES key");

	/* 3DES: no independent vector here, so check it inverts and chains. */
	uint8_t k3[24], iv8[8], iv8b[8];
	for (i = 0; i < 24; i++)
		k3[i] = (uint8_t)(i * 7 + 1);
	memset(iv8, 0x5a, 8);
	memcpy(iv8b, iv8, 8);
	tap_ok(ike_cbc_encrypt(IKE_ENC_3DES_CBC, k3, 24, iv8, pt, buf, 64) == 0 &&
	       memcmp(buf, pt, 64) != 0 &&
	       ike_cbc_decrypt(IKE_ENC_3DES_CBC, k3, 24, iv8b, buf, buf, 64) == 0 &&
	       memcmp(buf, pt, 64) == 0 && memcmp(iv8, iv8b, 8) == 0,
	       "3DES-CBC round trip, both sides end on the same IV");
}

static void test_dh_group(uint16_t group)
{
	struct ike_dh *a = NULL, *b = NULL;
	struct ike_secret *sa = NULL, *sb = NULL;
	uint8_t pa[IKE_MAX_DH_LEN], pb[IKE_MAX_DH_LEN];
	size_t plen = ike_dh_public_len(group), i;
	bool nonzero = false;

	tap_ok(ike_dh_new(group, &a) == 0 && ike_dh_new(group, &b) == 0,
	       "group %u: two key pairs", group);
	if (!a || !b)
		goto out;
	tap_ok(ike_dh_public(a, pa, plen) == 0 && ike_dh_public(b, pb, plen) == 0 &&
	       memcmp(pa, pb, plen) != 0, "group %u: public values of %zu bytes",
	       group, plen);
	tap_ok(ike_dh_public(a, pa, plen - 1) != 0,
	       "group %u: public value needs the exact size", group);
	tap_ok(ike_dh_shared(a, pb, plen, &sa) == 0 &&
	       ike_dh_shared(b, pa, plen, &sb) == 0 &&
	       sa->len == ike_dh_shared_len(group) && sb->len == sa->len &&
	       memcmp(sa->ptr, sb->ptr, sa->len) == 0,
	       "group %u: both sides agree on g^xy (%zu bytes)", group,
	       ike_dh_shared_len(group));
	for (i = 0; sa && i < sa->len; i++)
		nonzero |= sa->ptr[i] != 0;
	tap_ok(nonzero, "group %u: g^xy is not zero", group);
	ike_secret_free(sa);
	sa = NULL;
	tap_ok(ike_dh_shared(a, pb, plen - 1, &sa) != 0 && !sa,
	       "group %u: short peer value rejected", group);
	memset(pb, 0, plen);
	tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0 && !sa,
	       "group %u: all-zero peer value rejected", group);
	if (group == IKE_GROUP_MODP_1024 || group == IKE_GROUP_MODP_1536 ||
	    group == IKE_GROUP_MODP_2048) {
		BIGNUM *p = group == IKE_GROUP_MODP_1024 ?
			BN_get_rfc2409_prime_1024(NULL) :
			group == IKE_GROUP_MODP_1536 ?
			BN_get_rfc3526_prime_1536(NULL) :
			BN_get_rfc3526_prime_2048(NULL);

		pb[plen - 1] = 1;
		tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0,
		       "group %u: peer value 1 rejected", group);
		BN_sub_word(p, 1);
		BN_bn2binpad(p, pb, (int)plen);
		tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0,
		       "group %u: peer value p-1 rejected", group);
		/* The range check is all the validation (dh.c says why). */
		BN_add_word(p, 1);
		BN_bn2binpad(p, pb, (int)plen);
		tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0,
		       "group %u: peer value p rejected", group);
		memset(pb, 0xff, plen);
		tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0,
		       "group %u: peer value above p rejected", group);
		memset(pb, 0, plen);
		pb[plen - 1] = 2;
		tap_ok(ike_dh_shared(a, pb, plen, &sa) == 0 && sa,
		       "group %u: peer value 2 (the generator) taken", group);
		ike_secret_free(sa);
		sa = NULL;
		BN_free(p);
	}
	if (group == IKE_GROUP_ECP_256 || group == IKE_GROUP_ECP_384) {
		ike_dh_public(b, pb, plen);
		pb[plen - 1] ^= 1;	/* y no longer on the curve */
		tap_ok(ike_dh_shared(a, pb, plen, &sa) != 0,
		       "group %u: point off the curve rejected", group);
	}
out:
	ike_secret_free(sb);
	ike_dh_free(a);
	ike_dh_free(b);
}

static void test_dh(void)
{
	static const uint16_t groups[] = {
		IKE_GROUP_MODP_1024, IKE_GROUP_MODP_1536, IKE_GROUP_MODP_2048,
		IKE_GROUP_ECP_256, IKE_GROUP_ECP_384, IKE_GROUP_CURVE25519,
	};
	static const size_t pub_len[] = { 128, 192, 256, 64, 96, 32 };
	size_t i;
	struct ike_dh *dh;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		tap_is_int(ike_dh_public_len(groups[i]), pub_len[i],
			   "public value length per RFC 2409/3526/5903/8031");
		test_dh_group(groups[i]);
	}
	tap_ok(!ike_dh_supported(IKE_GROUP_MODP_768) &&
	       ike_dh_new(IKE_GROUP_MODP_768, &dh) != 0,
	       "MODP 768 is not offered");
}

static void test_memory(void)
{
	struct ike_secret *s = ike_secret_dup("secret", 6);
	uint8_t r1[32] = { 0 }, r2[32] = { 0 }, zero[32] = { 0 };

	tap_ok(s && s->len == 6 && memcmp(s->ptr, "secret", 6) == 0,
	       "secret copies its bytes");
	ike_secret_free(s);
	ike_random(r1, sizeof(r1));
	ike_random(r2, sizeof(r2));
	tap_ok(memcmp(r1, zero, 32) != 0 && memcmp(r1, r2, 32) != 0,
	       "random bytes differ");
	tap_ok(ike_equal("abcd", "abcd", 4) && !ike_equal("abcd", "abce", 4),
	       "constant-time comparison");
}

int main(void)
{
	if (ike_crypto_init()) {
		tap_ok(0, "crypto init");
		return tap_done();
	}
	test_hmac();
	test_hash();
	test_aes_cbc();
	test_dh();
	test_memory();
	return tap_done();
}
