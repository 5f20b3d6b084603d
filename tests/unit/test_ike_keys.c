// SPDX-License-Identifier: GPL-2.0
/*
 * Key derivation. SKEYID/SKEYID_d/a/e are checked against the NIST CAVP
 * IKEv1 KDF (SP 800-135) sample vectors, as republished in NSS's
 * gtests/common/testvectors/ike-sha{1,256,384}-vectors.h ("these vectors
 * are from this NIST samples"); the Appendix B expansion against NSS's
 * ikeV1AppB vectors in the same files. The remaining formulas (IVs,
 * HASH_I/R, Quick Mode hashes, KEYMAT) have no published vectors, so they
 * are checked against a separate computation with OpenSSL's one-shot
 * HMAC() and EVP_Digest() over hand-concatenated inputs.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "ike/keys.h"

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[1] && n < max) {
		sscanf(hex, "%2x", &byte);
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static int secret_is(const struct ike_secret *s, const char *hex)
{
	uint8_t want[256];
	size_t n = unhex(hex, want, sizeof(want));

	return s && s->len == n && memcmp(s->ptr, want, n) == 0;
}

struct nist_vector {
	const char *name;
	uint16_t hash;
	/* DSA-signature group: SKEYID = prf(Ni|Nr, g^xy) */
	const char *sig_gxy, *sig_ni, *sig_nr, *sig_skeyid;
	/* SKEYID_d/a/e group */
	const char *skeyid, *gxy, *cky_i, *cky_r, *d, *a, *e;
	/* PSK group */
	const char *psk, *psk_ni, *psk_nr, *psk_skeyid;
};

static const struct nist_vector nist[] = {
	{ "SHA-1", IKE_HASH_SHA1,
	  "8ba4cbc73c0187301dc19a975823854dbd641c597f637f8d053a83b9514673eb",
	  "69a62284195f1680", "80c94ba25c8abda5",
	  "707197817fb2d90cf54d1842606bdea59b9f4823",
	  "707197817fb2d90cf54d1842606bdea59b9f4823",
	  "8ba4cbc73c0187301dc19a975823854dbd641c597f637f8d053a83b9514673eb",
	  "8c3bcd3a69831d7f", "d2d9a7ff4fbe95a7",
	  "384be709a8a5e63c3ed160cfe3921c4b37d5b32d",
	  "48b327575abe3adba0f279849e289022a13e2b47",
	  "a4a415c8e0c38c0da847c356cc61c24df8025560",
	  "c0", "03a6f25a83c8c2a3", "9d958a6618f77e7f",
	  "ab3be41bc62f2ef0c41a3076d58768be77fadd2e" },
	{ "SHA-256", IKE_HASH_SHA2_256,
	  "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
	  "3f302be1abcb28e1", "8c332ee006064c9b",
	  "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
	  "750c5c94b9c2ec20b68033e024dadf0fa87e8b48c6561b21c72478451a06583d",
	  "a1ff3dc6cf9b4c04709943cb4ca1f1789bcf360b03f1d027de3ae8ee039e9155",
	  "6c6beb72631ddc3d", "b84e24b22cffbd14",
	  "a4f7ca7de913814813e3312099e7c943bd293483f387532330237f1b20957310",
	  "1d4b705746c43b0a6fcbb8db33983c0f24ff6f8b6543e3779fed227c6067f004",
	  "03e6f16cd9ce9f64b5cdc5b34cca7163483ba5389a30afebef3d14640b0a815e",
	  "a0", "ead9ced494868f41", "f1aff4f425a94f18",
	  "558a99b299773d267cf7c8ef073bf3b7af362c206c75a538403c5ef884d4cace" },
	{ "SHA-384", IKE_HASH_SHA2_384,
	  "1724dbd893523764bfef8c6fa927856fccfb77ae254358cce29c2769a32915c1",
	  "cec89d845add83ef", "cebd43ab71d17db9",
	  "6e4514610bf82d0ab7bf0260096f6146a153c712071abb633ced813c572156c7"
	  "83e36874a65a64690ca701d40d56ea18",
	  "6e4514610bf82d0ab7bf0260096f6146a153c712071abb633ced813c572156c7"
	  "83e36874a65a64690ca701d40d56ea18",
	  "1724dbd893523764bfef8c6fa927856fccfb77ae254358cce29c2769a32915c1",
	  "1c8aba986a00af0f", "b049d9672f73c920",
	  "b083234e9ed7745911f93eb31faa66fcf88906266830eb17ef166d295cb1f86a"
	  "3543b8b8efa5df918533df537e9c809c",
	  "938295a374aceb4147a8024c9a007dd313403fd8fd7070dbd0cfbe1ccd308dbf"
	  "bb7b9e9c64049e4df44ff551016cb7b5",
	  "8595b249dc1fa8599729f87eb6b9dd13bfbfdfd4f9ebd78929bab6ecc402539a"
	  "d32cb6e7ef4ba6a0f53da14e4df07ed4",
	  "9e", "d6596b7e5b398534", "136fbdfa8d0ceb8e",
	  "b54fa27cb4251051e44a659d73591845691d11f1874bf4e4088e5df6462d28e5"
	  "7a3a2af3ab4f9b746a8f5766f8785f2b" },
};

struct hexbuf {
	uint8_t b[256];
	size_t len;
};

static struct ike_bytes hb(struct hexbuf *h, const char *hex)
{
	h->len = unhex(hex, h->b, sizeof(h->b));
	return (struct ike_bytes){ h->b, h->len };
}

static void test_nist(void)
{
	size_t i;

	for (i = 0; i < sizeof(nist) / sizeof(nist[0]); i++) {
		const struct nist_vector *v = &nist[i];
		struct hexbuf h1, h2, h3, h4, h5;
		struct ike_secret *skeyid = NULL, *d, *a, *e;

		tap_ok(ike_skeyid_psk(v->hash, hb(&h1, v->psk), hb(&h2, v->psk_ni),
				      hb(&h3, v->psk_nr), &skeyid) == 0 &&
		       secret_is(skeyid, v->psk_skeyid),
		       "NIST %s: SKEYID for pre-shared keys", v->name);
		ike_secret_free(skeyid);
		skeyid = NULL;

		tap_ok(ike_skeyid_sig(v->hash, hb(&h1, v->sig_ni), hb(&h2, v->sig_nr),
				      hb(&h3, v->sig_gxy), &skeyid) == 0 &&
		       secret_is(skeyid, v->sig_skeyid),
		       "NIST %s: SKEYID for signatures", v->name);
		ike_secret_free(skeyid);

		hb(&h1, v->skeyid);
		skeyid = ike_secret_dup(h1.b, h1.len);
		hb(&h4, v->cky_i);
		hb(&h5, v->cky_r);
		tap_ok(skeyid && ike_skeyid_dae(v->hash, skeyid, hb(&h2, v->gxy),
						h4.b, h5.b, &d, &a, &e) == 0,
		       "NIST %s: SKEYID_d/a/e derived", v->name);
		tap_ok(secret_is(d, v->d), "NIST %s: SKEYID_d", v->name);
		tap_ok(secret_is(a, v->a), "NIST %s: SKEYID_a", v->name);
		tap_ok(secret_is(e, v->e), "NIST %s: SKEYID_e", v->name);
		ike_secret_free(skeyid);
		ike_secret_free(d);
		ike_secret_free(a);
		ike_secret_free(e);
	}
}

static void test_appendix_b(void)
{
	/* NSS ike-sha1-vectors.h ikeV1AppB #11/#12, ike-sha256 #12/#13 */
	struct hexbuf h;
	struct ike_secret *skeyid_e, *key;

	hb(&h, "63e81194946ebd05df7df5ebf5d8750056bf1f1d");
	skeyid_e = ike_secret_dup(h.b, h.len);
	tap_ok(ike_phase1_enc_key(IKE_HASH_SHA1, skeyid_e, 40, &key) == 0 &&
	       secret_is(key, "933347a07de5782247dd36d1562ffe0eecade1eb"
			 "4134165257e3af1000af8ae3f165063828cbb60d"),
	       "Appendix B: SHA-1 SKEYID_e expanded to 40 bytes");
	ike_secret_free(key);
	tap_ok(ike_phase1_enc_key(IKE_HASH_SHA1, skeyid_e, 24, &key) == 0 &&
	       secret_is(key, "933347a07de5782247dd36d1562ffe0eecade1eb41341652"),
	       "Appendix B: SHA-1 SKEYID_e expanded to a 3DES key");
	ike_secret_free(key);
	tap_ok(ike_phase1_enc_key(IKE_HASH_SHA1, skeyid_e, 15, &key) == 0 &&
	       secret_is(key, "63e81194946ebd05df7df5ebf5d875"),
	       "Appendix B: long enough SKEYID_e is used as is");
	ike_secret_free(key);
	ike_secret_free(skeyid_e);

	hb(&h, "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe");
	skeyid_e = ike_secret_dup(h.b, h.len);
	tap_ok(ike_phase1_enc_key(IKE_HASH_SHA2_256, skeyid_e, 32, &key) == 0 &&
	       secret_is(key, "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe"),
	       "Appendix B: SHA-256 SKEYID_e is an AES-256 key as is");
	ike_secret_free(key);
	ike_secret_free(skeyid_e);
}

/* ---- the reference computations ---- */

struct cat {
	uint8_t b[4096];
	size_t len;
};

static void cat_add(struct cat *c, const void *p, size_t n)
{
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

static void cat_be32(struct cat *c, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	cat_add(c, b, 4);
}

static const EVP_MD *md(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1: return EVP_sha1();
	case IKE_HASH_SHA2_256: return EVP_sha256();
	case IKE_HASH_SHA2_384: return EVP_sha384();
	}
	return EVP_sha512();
}

static void ref_prf(uint16_t hash, const void *key, size_t key_len,
		    const struct cat *c, uint8_t *out)
{
	unsigned int len;

	HMAC(md(hash), key, (int)key_len, c->b, c->len, out, &len);
}

static void ref_hash(uint16_t hash, const struct cat *c, uint8_t *out)
{
	unsigned int len;

	EVP_Digest(c->b, c->len, out, &len, md(hash), NULL);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

static void test_formulas(uint16_t hash)
{
	size_t hlen = ike_hash_len(hash);
	uint8_t gxi[256], gxr[256], cky_i[8], cky_r[8], sai[60], idii[12],
		idir[12], ni[32], nr[24], gqm[256], after[70], spi[4] = { 0xc0, 1, 2, 3 };
	uint8_t got[IKE_MAX_HASH_LEN], want[IKE_MAX_HASH_LEN], iv[16], last[16];
	uint8_t k_want[200];
	struct ike_secret *skeyid, *keymat;
	struct ike_auth_input in;
	struct ike_sa_keys parts;
	struct cat c;
	size_t off, n;

	fill(gxi, 256, 1); fill(gxr, 256, 2); fill(cky_i, 8, 3); fill(cky_r, 8, 4);
	fill(sai, 60, 5); fill(idii, 12, 6); fill(idir, 12, 7); fill(ni, 32, 8);
	fill(nr, 24, 9); fill(gqm, 256, 10); fill(after, 70, 11); fill(last, 16, 12);
	skeyid = ike_secret_dup(gxi + 7, hlen);

	/* phase-1 IV = HASH(g^xi | g^xr) */
	c.len = 0; cat_add(&c, gxi, 256); cat_add(&c, gxr, 256);
	ref_hash(hash, &c, want);
	tap_ok(ike_phase1_iv(hash, (struct ike_bytes){ gxi, 256 },
			     (struct ike_bytes){ gxr, 256 }, 16, iv) == 0 &&
	       memcmp(iv, want, 16) == 0, "hash %u: phase-1 IV", hash);

	/* phase-2 IV = HASH(last block | M-ID) */
	c.len = 0; cat_add(&c, last, 16); cat_be32(&c, 0x01020304);
	ref_hash(hash, &c, want);
	tap_ok(ike_phase2_iv(hash, (struct ike_bytes){ last, 16 }, 0x01020304,
			     16, iv) == 0 && memcmp(iv, want, 16) == 0,
	       "hash %u: phase-2 IV", hash);

	in = (struct ike_auth_input){ { gxi, 256 }, { gxr, 256 }, cky_i, cky_r,
				      { sai, 60 }, { idii, 12 } };
	c.len = 0; cat_add(&c, gxi, 256); cat_add(&c, gxr, 256); cat_add(&c, cky_i, 8);
	cat_add(&c, cky_r, 8); cat_add(&c, sai, 60); cat_add(&c, idii, 12);
	ref_prf(hash, skeyid->ptr, hlen, &c, want);
	tap_ok(ike_hash_i(hash, skeyid, &in, got) == 0 && !memcmp(got, want, hlen),
	       "hash %u: HASH_I", hash);
	in.id_b = (struct ike_bytes){ idir, 12 };
	c.len = 0; cat_add(&c, gxr, 256); cat_add(&c, gxi, 256); cat_add(&c, cky_r, 8);
	cat_add(&c, cky_i, 8); cat_add(&c, sai, 60); cat_add(&c, idir, 12);
	ref_prf(hash, skeyid->ptr, hlen, &c, want);
	tap_ok(ike_hash_r(hash, skeyid, &in, got) == 0 && !memcmp(got, want, hlen),
	       "hash %u: HASH_R", hash);

	c.len = 0; cat_be32(&c, 0xdeadbeef); cat_add(&c, after, 70);
	ref_prf(hash, skeyid->ptr, hlen, &c, want);
	tap_ok(ike_qm_hash1(hash, skeyid, 0xdeadbeef, (struct ike_bytes){ after, 70 },
			    got) == 0 && !memcmp(got, want, hlen),
	       "hash %u: Quick Mode HASH(1)", hash);
	tap_ok(ike_info_hash(hash, skeyid, 0xdeadbeef, (struct ike_bytes){ after, 70 },
			     got) == 0 && !memcmp(got, want, hlen),
	       "hash %u: informational HASH(1)", hash);
	c.len = 0; cat_be32(&c, 0xdeadbeef); cat_add(&c, ni, 32); cat_add(&c, after, 70);
	ref_prf(hash, skeyid->ptr, hlen, &c, want);
	tap_ok(ike_qm_hash2(hash, skeyid, 0xdeadbeef, (struct ike_bytes){ ni, 32 },
			    (struct ike_bytes){ after, 70 }, got) == 0 &&
	       !memcmp(got, want, hlen), "hash %u: Quick Mode HASH(2)", hash);
	c.len = 0; cat_add(&c, "", 1); cat_be32(&c, 0xdeadbeef); cat_add(&c, ni, 32);
	cat_add(&c, nr, 24);
	ref_prf(hash, skeyid->ptr, hlen, &c, want);
	tap_ok(ike_qm_hash3(hash, skeyid, 0xdeadbeef, (struct ike_bytes){ ni, 32 },
			    (struct ike_bytes){ nr, 24 }, got) == 0 &&
	       !memcmp(got, want, hlen), "hash %u: Quick Mode HASH(3)", hash);

	/* KEYMAT for 2.5 prf outputs, with and without PFS */
	for (int pfs = 0; pfs < 2; pfs++) {
		size_t need = hlen * 2 + hlen / 2;

		for (off = 0; off < need; off += hlen) {
			c.len = 0;
			if (off)
				cat_add(&c, k_want + off - hlen, hlen);
			if (pfs)
				cat_add(&c, gqm, 256);
			cat_add(&c, "\x03", 1);
			cat_add(&c, spi, 4);
			cat_add(&c, ni, 32);
			cat_add(&c, nr, 24);
			ref_prf(hash, skeyid->ptr, hlen, &c, k_want + off);
		}
		tap_ok(ike_keymat(hash, skeyid, (struct ike_bytes){ gqm, pfs ? 256 : 0 },
				  IKE_PROTO_ESP, (struct ike_bytes){ spi, 4 },
				  (struct ike_bytes){ ni, 32 },
				  (struct ike_bytes){ nr, 24 }, need, &keymat) == 0 &&
		       keymat->len == need && !memcmp(keymat->ptr, k_want, need),
		       "hash %u: KEYMAT %s PFS, %zu bytes", hash,
		       pfs ? "with" : "without", need);
		n = need;
		if (keymat) {
			tap_ok(ike_keymat_split(keymat, 16, 4, n - 20, &parts) == 0 &&
			       parts.enc.ptr == keymat->ptr && parts.enc.len == 16 &&
			       parts.salt.ptr == keymat->ptr + 16 &&
			       parts.auth.ptr == keymat->ptr + 20 &&
			       parts.auth.len == n - 20,
			       "hash %u: KEYMAT split into key, salt, auth key", hash);
			tap_ok(ike_keymat_split(keymat, 16, 4, n, &parts) != 0,
			       "hash %u: split refuses a length mismatch", hash);
		}
		ike_secret_free(keymat);
	}
	/* SPI and protocol select different keys, as each SA needs its own. */
	struct ike_secret *k_esp, *k_ah;
	ike_keymat(hash, skeyid, (struct ike_bytes){ NULL, 0 }, IKE_PROTO_ESP,
		   (struct ike_bytes){ spi, 4 }, (struct ike_bytes){ ni, 32 },
		   (struct ike_bytes){ nr, 24 }, 32, &k_esp);
	ike_keymat(hash, skeyid, (struct ike_bytes){ NULL, 0 }, IKE_PROTO_AH,
		   (struct ike_bytes){ spi, 4 }, (struct ike_bytes){ ni, 32 },
		   (struct ike_bytes){ nr, 24 }, 32, &k_ah);
	tap_ok(k_esp && k_ah && memcmp(k_esp->ptr, k_ah->ptr, 32) != 0,
	       "hash %u: KEYMAT depends on the protocol", hash);
	ike_secret_free(k_esp);
	ike_secret_free(k_ah);
	ike_secret_free(skeyid);
}

int main(void)
{
	if (ike_crypto_init()) {
		tap_ok(0, "crypto init");
		return tap_done();
	}
	test_nist();
	test_appendix_b();
	test_formulas(IKE_HASH_SHA1);
	test_formulas(IKE_HASH_SHA2_256);
	test_formulas(IKE_HASH_SHA2_384);
	test_formulas(IKE_HASH_SHA2_512);
	return tap_done();
}
