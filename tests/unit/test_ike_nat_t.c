// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal in libike (ike/nat_t.c): the vendor IDs really are MD5 of
 * their names (checked with OpenSSL, not with our table), dialect choice,
 * NAT-D = HASH(CKY-I | CKY-R | IP | port) against an independent OpenSSL
 * computation, what the NAT-D payloads of a message say about who is behind
 * a NAT, the NAT-D and NAT-OA payloads through the message codec (round
 * trip, every truncation refused), the drafts' encapsulation modes.
 */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/evp.h>

#include "tap.h"
#include "ike/crypto.h"
#include "ike/ike.h"
#include "ike/nat_t.h"
#include "ike/proposal.h"

static void md5_of(const char *s, size_t len, uint8_t *out)
{
	unsigned int n = 16;

	EVP_Digest(s, len, out, &n, EVP_md5(), NULL);
}

static void test_vids(void)
{
	uint8_t md5[16];
	size_t i;

	tap_is_int(ike_natt_nvids, 4, "four NAT-T vendor IDs");
	for (i = 0; i < ike_natt_nvids; i++) {
		char name[64];
		size_t len = strlen(ike_natt_vids[i].name);

		/* The table shows the newline of draft-02's twin as "\n". */
		memcpy(name, ike_natt_vids[i].name, len + 1);
		if (len > 2 && !strcmp(name + len - 2, "\\n")) {
			name[len - 2] = '\n';
			len--;
		}
		md5_of(name, len, md5);
		tap_ok(!memcmp(md5, ike_natt_vids[i].id, 16), "VID %zu is MD5(\"%s\")",
		       i, ike_natt_vids[i].name);
		tap_ok(ike_natt_vid_dialect((struct ike_bytes){ md5, 16 }) ==
		       ike_natt_vids[i].dialect, "VID %zu is recognised", i);
	}
	md5_of("RFC 3947", 8, md5);
	tap_is_int(ike_natt_vid_dialect((struct ike_bytes){ md5, 15 }),
		   IKE_NATT_NONE, "a 15-byte prefix is not the VID");
	md5[15] ^= 1;
	tap_is_int(ike_natt_vid_dialect((struct ike_bytes){ md5, 16 }),
		   IKE_NATT_NONE, "one bit off is not the VID");
}

static void test_numbers(void)
{
	uint16_t base;
	bool udp;

	tap_ok(ike_natt_natd_type(IKE_NATT_RFC3947) == 20 &&
	       ike_natt_natoa_type(IKE_NATT_RFC3947) == 21 &&
	       ike_natt_natd_type(IKE_NATT_DRAFT_02) == 130 &&
	       ike_natt_natoa_type(IKE_NATT_DRAFT_03) == 131 &&
	       ike_natt_natd_type(IKE_NATT_NONE) == 0,
	       "NAT-D/NAT-OA payload types: 20/21 (RFC), 130/131 (drafts)");
	tap_ok(ike_natt_encap_udp_tunnel(IKE_NATT_RFC3947) == 3 &&
	       ike_natt_encap_udp_transport(IKE_NATT_RFC3947) == 4 &&
	       ike_natt_encap_udp_tunnel(IKE_NATT_DRAFT_02) == 61443 &&
	       ike_natt_encap_udp_transport(IKE_NATT_DRAFT_03) == 61444,
	       "UDP encapsulation modes: 3/4 (RFC), 61443/61444 (drafts)");
	tap_ok(!ike_natt_encap_fold(61444, &base, &udp) &&
	       base == IKE_ENCAP_TRANSPORT && udp, "61444 folds to UDP transport");
	tap_ok(!ike_natt_encap_fold(3, &base, &udp) && base == IKE_ENCAP_TUNNEL &&
	       udp, "3 folds to UDP tunnel");
	tap_ok(!ike_natt_encap_fold(1, &base, &udp) && base == IKE_ENCAP_TUNNEL &&
	       !udp, "1 is plain tunnel");
	tap_ok(ike_natt_encap_fold(5, &base, &udp) != 0 &&
	       ike_natt_encap_fold(61445, &base, &udp) != 0, "5 and 61445 refused");
}

static const uint8_t cky_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t cky_r[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };

/* NAT-D computed without libike. */
static void natd_ref(const EVP_MD *md, const uint8_t *addr, size_t alen,
		     uint16_t port, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t p[2] = { port >> 8, port & 0xff };
	unsigned int n;

	EVP_DigestInit_ex(ctx, md, NULL);
	EVP_DigestUpdate(ctx, cky_i, 8);
	EVP_DigestUpdate(ctx, cky_r, 8);
	EVP_DigestUpdate(ctx, addr, alen);
	EVP_DigestUpdate(ctx, p, 2);
	EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
}

static void test_natd_hash(void)
{
	uint8_t a4[4] = { 192, 0, 2, 1 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t got[64], want[64], other[64];

	a6[15] = 1;
	natd_ref(EVP_sha256(), a4, 4, 500, want);
	tap_ok(!ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, a4, 4, 500, got) &&
	       !memcmp(got, want, 32), "NAT-D SHA-256 of 192.0.2.1:500");
	natd_ref(EVP_sha1(), a6, 16, 4500, want);
	tap_ok(!ike_natd_hash(IKE_HASH_SHA1, cky_i, cky_r, a6, 16, 4500, got) &&
	       !memcmp(got, want, 20), "NAT-D SHA-1 of [2001:db8::1]:4500");
	ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, a4, 4, 501, other);
	ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, a4, 4, 500, got);
	tap_ok(memcmp(got, other, 32) != 0, "the port is hashed");
	tap_ok(ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, a4, 5, 500, got) != 0,
	       "a 5-byte address is refused");
}

/* MM3 as a peer sends it: KE, NONCE, NAT-D (peer end), NAT-D (own end). */
static void build_mm3(struct ike_buf *out, const uint8_t *d1, const uint8_t *d2,
		      size_t dlen, uint8_t natd_type, size_t nnatd)
{
	static uint8_t ke[256], nonce[32];
	struct ike_payload pl[4];
	struct ike_message msg;
	struct ike_error err;

	memset(&msg, 0, sizeof(msg));
	memset(pl, 0, sizeof(pl));
	memset(ke, 0x5a, sizeof(ke));
	memset(nonce, 0x6b, sizeof(nonce));
	memcpy(msg.hdr.cky_i, cky_i, 8);
	memcpy(msg.hdr.cky_r, cky_r, 8);
	msg.hdr.version = IKE_VERSION_1_0;
	msg.hdr.exchange = IKE_EXCH_MAIN;
	pl[0].type = IKE_PL_KE;
	pl[0].u.data = (struct ike_bytes){ ke, sizeof(ke) };
	pl[1].type = IKE_PL_NONCE;
	pl[1].u.data = (struct ike_bytes){ nonce, sizeof(nonce) };
	pl[2].type = pl[3].type = natd_type;
	pl[2].u.data = (struct ike_bytes){ d1, dlen };
	pl[3].u.data = (struct ike_bytes){ d2, dlen };
	msg.payloads = pl;
	msg.npayloads = 2 + nnatd;
	ike_buf_init(out);
	if (ike_message_encode(&msg, out, NULL, &err))
		tap_ok(0, "encode: %s", err.msg);
}

static void test_natd_check(void)
{
	uint8_t self[32], peer[32], nat[32];
	uint8_t us[4] = { 172, 16, 0, 1 }, them[4] = { 192, 0, 2, 2 };
	uint8_t public[4] = { 192, 0, 2, 1 };
	struct ike_natd_result res;
	struct ike_message msg;
	struct ike_error err;
	struct ike_buf b;
	size_t cut, accepted;

	/* We are 172.16.0.1:500 and see the peer at 192.0.2.2:500. */
	ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, us, 4, 500, self);
	ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, them, 4, 500, peer);
	ike_natd_hash(IKE_HASH_SHA2_256, cky_i, cky_r, public, 4, 31000, nat);

	/* The peer saw us where we are, and is where it says: no NAT. */
	build_mm3(&b, self, peer, 32, IKE_PL_NAT_D, 2);
	tap_ok(!ike_message_decode(b.data, b.len, &msg, &err), "MM3 with NAT-D decodes");
	tap_ok(!ike_message_check_step(&msg, IKE_STEP_MM3, &err), "a valid MM3");
	tap_ok(!ike_natd_check(&msg, IKE_PL_NAT_D, self, peer, 32, &res, &err) &&
	       res.present && !res.local_behind_nat && !res.peer_behind_nat,
	       "no NAT when both hashes match");
	ike_message_free(&msg);
	ike_buf_free(&b);

	/* It saw us as the NAT's 192.0.2.1:31000: we are behind a NAT. */
	build_mm3(&b, nat, peer, 32, IKE_PL_NAT_D, 2);
	ike_message_decode(b.data, b.len, &msg, &err);
	tap_ok(!ike_natd_check(&msg, IKE_PL_NAT_D, self, peer, 32, &res, &err) &&
	       res.local_behind_nat && !res.peer_behind_nat, "we are behind a NAT");
	tap_ok(!ike_natd_check(&msg, IKE_PL_NAT_D, nat, self, 32, &res, &err) &&
	       !res.local_behind_nat && res.peer_behind_nat,
	       "from the other end: the peer is behind a NAT");
	tap_ok(!ike_natd_check(&msg, 130, self, peer, 32, &res, &err) && !res.present,
	       "the drafts' type 130 is not RFC 3947's 20");
	ike_message_free(&msg);

	/* Every truncation of an MM3 with NAT-D is refused. */
	accepted = 0;
	for (cut = 0; cut < b.len; cut++) {
		uint8_t copy[512];

		memcpy(copy, b.data, cut);
		if (cut >= 28) {
			copy[24] = 0;
			copy[25] = 0;
			copy[26] = (uint8_t)(cut >> 8);
			copy[27] = (uint8_t)cut;
		}
		if (ike_message_decode(copy, cut, &msg, &err) == 0)
			accepted++;
		ike_message_free(&msg);
	}
	tap_is_int(accepted, 0, "every truncation of MM3 with NAT-D is refused");
	{
		/* An empty NAT-D payload is refused by the codec. */
		uint8_t copy[512];
		size_t natd_off = b.len - 2 * 36;

		memcpy(copy, b.data, b.len);
		copy[natd_off + 2] = 0;
		copy[natd_off + 3] = 4;
		tap_ok(ike_message_decode(copy, b.len, &msg, &err) != 0,
		       "an empty NAT-D payload is refused: %s", err.msg);
		ike_message_free(&msg);
	}
	ike_buf_free(&b);

	/* Draft dialect: private type 130, kept opaque by the codec. */
	build_mm3(&b, self, nat, 32, 130, 2);
	tap_ok(!ike_message_decode(b.data, b.len, &msg, &err) &&
	       !ike_message_check_step(&msg, IKE_STEP_MM3, &err), "MM3 with type 130 NAT-D");
	tap_ok(!ike_natd_check(&msg, 130, self, peer, 32, &res, &err) &&
	       res.present && !res.local_behind_nat && res.peer_behind_nat,
	       "draft NAT-D: the peer is behind a NAT");
	ike_message_free(&msg);
	ike_buf_free(&b);

	/* Malformed: one NAT-D only, or one of the wrong length. */
	build_mm3(&b, self, peer, 32, IKE_PL_NAT_D, 1);
	ike_message_decode(b.data, b.len, &msg, &err);
	tap_ok(ike_natd_check(&msg, IKE_PL_NAT_D, self, peer, 32, &res, &err) != 0 &&
	       err.code == IKE_ERR_MISSING, "a single NAT-D is refused: %s", err.msg);
	ike_message_free(&msg);
	ike_buf_free(&b);
	build_mm3(&b, self, peer, 20, IKE_PL_NAT_D, 2);
	ike_message_decode(b.data, b.len, &msg, &err);
	tap_ok(ike_natd_check(&msg, IKE_PL_NAT_D, self, peer, 32, &res, &err) != 0 &&
	       err.code == IKE_ERR_LENGTH, "a NAT-D of 20 bytes under SHA-256 is refused: %s",
	       err.msg);
	ike_message_free(&msg);
	ike_buf_free(&b);
	build_mm3(&b, self, peer, 32, IKE_PL_NAT_D, 0);
	ike_message_decode(b.data, b.len, &msg, &err);
	tap_ok(!ike_natd_check(&msg, IKE_PL_NAT_D, self, peer, 32, &res, &err) &&
	       !res.present, "no NAT-D: nothing to say");
	ike_message_free(&msg);
	ike_buf_free(&b);
}

static void test_nat_oa(void)
{
	struct ike_nat_oa oa = { .id_type = IKE_ID_IPV4_ADDR }, back;
	struct ike_payload pl[2];
	struct ike_message msg, dec;
	struct ike_error err;
	struct ike_buf b, body;
	size_t cut, accepted = 0;

	inet_pton(AF_INET, "172.16.0.1", &oa.addr.v4);
	ike_buf_init(&body);
	tap_ok(!ike_nat_oa_body(&oa, &body) && body.len == 8 && body.data[0] == 1 &&
	       !memcmp(body.data + 4, &oa.addr.v4, 4), "NAT-OA body: type, 3 zero bytes, address");
	tap_ok(!ike_nat_oa_parse((struct ike_bytes){ body.data, body.len }, &back, &err) &&
	       back.id_type == IKE_ID_IPV4_ADDR &&
	       !memcmp(&back.addr.v4, &oa.addr.v4, 4), "NAT-OA body round trip");
	for (cut = 0; cut < body.len; cut++)
		accepted += !ike_nat_oa_parse((struct ike_bytes){ body.data, cut },
					      &back, &err);
	tap_is_int(accepted, 0, "every truncated NAT-OA body is refused");
	body.data[0] = IKE_ID_FQDN;
	tap_ok(ike_nat_oa_parse((struct ike_bytes){ body.data, body.len }, &back, &err) != 0,
	       "a NAT-OA that is not an address is refused");
	ike_buf_free(&body);

	/* In a message (RFC type 21): IPv4 then IPv6. */
	memset(&msg, 0, sizeof(msg));
	memset(pl, 0, sizeof(pl));
	memcpy(msg.hdr.cky_i, cky_i, 8);
	msg.hdr.version = IKE_VERSION_1_0;
	msg.hdr.exchange = IKE_EXCH_QUICK;
	pl[0].type = pl[1].type = IKE_PL_NAT_OA;
	pl[0].u.nat_oa = oa;
	pl[1].u.nat_oa.id_type = IKE_ID_IPV6_ADDR;
	inet_pton(AF_INET6, "2001:db8::7", &pl[1].u.nat_oa.addr.v6);
	msg.payloads = pl;
	msg.npayloads = 2;
	ike_buf_init(&b);
	tap_ok(!ike_message_encode(&msg, &b, NULL, &err), "NAT-OA payloads encode");
	tap_ok(!ike_message_decode(b.data, b.len, &dec, &err) && dec.npayloads == 2 &&
	       dec.payloads[1].u.nat_oa.id_type == IKE_ID_IPV6_ADDR &&
	       !memcmp(&dec.payloads[1].u.nat_oa.addr.v6, &pl[1].u.nat_oa.addr.v6, 16) &&
	       !memcmp(&dec.payloads[0].u.nat_oa.addr.v4, &oa.addr.v4, 4),
	       "NAT-OA payloads round trip");
	ike_message_free(&dec);
	accepted = 0;
	for (cut = 28; cut < b.len; cut++) {
		uint8_t copy[128];

		memcpy(copy, b.data, cut);
		copy[27] = (uint8_t)cut;
		accepted += !ike_message_decode(copy, cut, &dec, &err);
		ike_message_free(&dec);
	}
	tap_is_int(accepted, 0, "every truncation of a message with NAT-OA is refused");
	ike_buf_free(&b);
}

/* A phase-2 transform with the drafts' UDP tunnel mode parses. */
static void test_p2_draft_mode(void)
{
	struct ike_attr attrs[2] = {
		ike_attr_number(IKE_IPSEC_ENCAP_MODE, 61443),
		ike_attr_number(IKE_IPSEC_KEY_LENGTH, 128),
	};
	struct ike_transform tr = { .number = 1, .id = IKE_ESP_AES_GCM_16,
				    .nattrs = 2, .attrs = attrs };
	uint8_t spi[4] = { 1, 2, 3, 4 };
	struct ike_proposal p = { .number = 1, .protocol = IKE_PROTO_ESP,
				  .spi = { spi, 4 }, .ntransforms = 1,
				  .transforms = &tr };
	struct ike_p2_suite s;
	struct ike_error err;

	tap_ok(!ike_p2_parse_transform(&p, &tr, &s, &err) && s.encap == 61443,
	       "ESP with encapsulation mode 61443 (draft UDP tunnel) parses");
	attrs[0] = ike_attr_number(IKE_IPSEC_ENCAP_MODE, 61445);
	tap_ok(ike_p2_parse_transform(&p, &tr, &s, &err) != 0,
	       "encapsulation mode 61445 is refused");
}

int main(void)
{
	if (ike_crypto_init())
		return 1;
	test_vids();
	test_numbers();
	test_natd_hash();
	test_natd_check();
	test_nat_oa();
	test_p2_draft_mode();
	return tap_done();
}
