// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP codec: a message written by hand from RFC 2408's figures must
 * decode to the right fields and encode back to the same bytes; built
 * messages of every exchange round-trip; every truncation and a list of
 * inconsistent inputs are refused with the right error; the per-step
 * payload rules catch missing and duplicate payloads.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ike/ike.h"
#include "ike/proposal.h"

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

/* MM1 as a peer sends it: SA (AES-128, SHA2-256, PSK, MODP 2048, 8 h
 * as a 4-byte TLV) and the RFC 3947 vendor ID, MD5("RFC 3947"). */
static const char mm1_hex[] =
	"0102030405060708" "0000000000000000" "01" "10" "02" "00" "00000000" "0000006c"
	"0d00003c" "00000001" "00000001"
	"00000030" "01010001"
	"00000028" "01010000"
	"800e0080" "80010007" "80020004" "80030001" "8004000e" "800b0001"
	"000c000400007080"
	"00000014" "4a131c81070358455c5728f20e95452f";

static void test_handwritten(void)
{
	uint8_t in[200];
	size_t len = unhex(mm1_hex, in, sizeof(in));
	struct ike_message msg;
	struct ike_error err;
	struct ike_buf out, body;
	const struct ike_transform *t;
	uint64_t v;

	tap_ok(ike_message_decode(in, len, &msg, &err) == 0, "hand-written MM1 decodes: %s",
	       err.msg);
	tap_is_int(msg.hdr.exchange, IKE_EXCH_MAIN, "exchange is Main Mode");
	tap_is_int(msg.npayloads, 2, "two payloads");
	tap_ok(msg.payloads[0].type == IKE_PL_SA && msg.payloads[1].type == IKE_PL_VENDOR,
	       "SA then VID");
	tap_ok(msg.payloads[0].body.ptr == in + 32 && msg.payloads[0].body.len == 56,
	       "SA body (SAi_b) is the 56 bytes after its generic header");
	tap_is_int(msg.payloads[0].u.sa.nproposals, 1, "one proposal");
	t = &msg.payloads[0].u.sa.proposals[0].transforms[0];
	tap_ok(msg.payloads[0].u.sa.proposals[0].ntransforms == 1 &&
	       t->id == IKE_TRANSFORM_KEY_IKE && t->nattrs == 7, "one KEY_IKE transform, 7 attributes");
	tap_ok(ike_transform_attr(t, IKE_OAKLEY_KEY_LENGTH)->value == 128 &&
	       ike_transform_attr(t, IKE_OAKLEY_GROUP)->value == IKE_GROUP_MODP_2048,
	       "TV attributes read");
	tap_ok(!ike_transform_attr(t, IKE_OAKLEY_LIFE_DURATION)->basic &&
	       ike_attr_u64(ike_transform_attr(t, IKE_OAKLEY_LIFE_DURATION), &v) == 0 &&
	       v == 28800, "TLV lifetime read");
	tap_ok(msg.payloads[1].u.data.len == 16, "VID data");

	ike_buf_init(&out);
	tap_ok(ike_message_encode(&msg, &out, NULL, &err) == 0 && out.len == len &&
	       memcmp(out.data, in, len) == 0, "re-encodes to the same bytes");
	ike_buf_init(&body);
	tap_ok(ike_payload_encode_body(&msg.payloads[0], &body, &err) == 0 &&
	       body.len == msg.payloads[0].body.len &&
	       memcmp(body.data, msg.payloads[0].body.ptr, body.len) == 0,
	       "SA body encodes alone to SAi_b");
	tap_ok(ike_message_check_step(&msg, IKE_STEP_MM1, &err) == 0, "valid MM1");
	tap_ok(ike_message_check_step(&msg, IKE_STEP_MM3, &err) != 0 &&
	       err.code == IKE_ERR_MISSING, "not a valid MM3: %s", err.msg);
	ike_buf_free(&body);
	ike_buf_free(&out);
	ike_message_free(&msg);

	/* Every strict prefix, and one byte more, must be refused. */
	size_t cut, accepted = 0;
	for (cut = 0; cut < len; cut++) {
		uint8_t copy[200];

		memcpy(copy, in, cut);
		if (cut >= 28) {
			copy[27] = (uint8_t)cut;	/* lengths agree with the datagram */
		}
		if (ike_message_decode(copy, cut, &msg, &err) == 0)
			accepted++;
		ike_message_free(&msg);
	}
	tap_is_int(accepted, 0, "all truncations rejected");
	in[len] = 0;
	in[27] = (uint8_t)(len + 1);
	tap_ok(ike_message_decode(in, len + 1, &msg, &err) != 0 &&
	       err.code == IKE_ERR_LENGTH, "trailing byte rejected: %s", err.msg);
	ike_message_free(&msg);
}

struct mutation {
	const char *name;
	size_t offset;
	uint8_t value;
	enum ike_err code;
	uint16_t notify;
};

static void test_mutations(void)
{
	static const struct mutation m[] = {
		{ "header length too small", 27, 0x6b, IKE_ERR_LENGTH, IKE_N_UNEQUAL_PAYLOAD_LENGTHS },
		{ "major version 2", 17, 0x20, IKE_ERR_VERSION, IKE_N_INVALID_MAJOR_VERSION },
		{ "minor version 1", 17, 0x11, IKE_ERR_VERSION, IKE_N_INVALID_MINOR_VERSION },
		{ "unknown flag", 19, 0x08, IKE_ERR_MALFORMED, IKE_N_INVALID_FLAGS },
		{ "first payload type 14", 16, 14, IKE_ERR_PAYLOAD_TYPE, IKE_N_INVALID_PAYLOAD_TYPE },
		{ "proposal at top level", 16, IKE_PL_PROPOSAL, IKE_ERR_PAYLOAD_TYPE, IKE_N_INVALID_PAYLOAD_TYPE },
		{ "SA length past the end", 31, 0xff, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED },
		{ "SA length below header", 31, 0x03, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED },
		{ "DOI 2", 35, 2, IKE_ERR_UNSUPPORTED, IKE_N_DOI_NOT_SUPPORTED },
		{ "situation SECRECY", 39, 2, IKE_ERR_UNSUPPORTED, IKE_N_SITUATION_NOT_SUPPORTED },
		{ "proposal claims a successor", 40, IKE_PL_PROPOSAL, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "proposal shorter than its transforms", 43, 0x2f, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "proposal longer than the SA", 43, 0x31, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "two transforms announced", 47, 2, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "zero transforms announced", 47, 0, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "ISAKMP SPI size 3", 46, 3, IKE_ERR_MALFORMED, IKE_N_INVALID_SPI },
		{ "transform followed by SA", 48, IKE_PL_SA, IKE_ERR_PAYLOAD_TYPE, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "transform length 7", 51, 7, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX },
		{ "TLV attribute overruns", 83, 0x05, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED },
		{ "VID announced after VID", 88, IKE_PL_VENDOR, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED },
		{ "VID length past the end", 91, 0x15, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED },
	};
	uint8_t in[200];
	size_t len = unhex(mm1_hex, in, sizeof(in)), i;
	struct ike_message msg;
	struct ike_error err;
	int rc;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		uint8_t copy[200];

		memcpy(copy, in, len);
		copy[m[i].offset] = m[i].value;
		rc = ike_message_decode(copy, len, &msg, &err);
		tap_ok(rc != 0 && err.code == m[i].code && err.notify == m[i].notify &&
		       err.msg[0] && msg.npayloads == 0,
		       "%s: %s (%s)", m[i].name, err.msg, ike_notify_name(err.notify));
		ike_message_free(&msg);
	}
	memset(in, 0, 8);
	tap_ok(ike_message_decode(in, len, &msg, &err) != 0 &&
	       err.notify == IKE_N_INVALID_COOKIE, "zero initiator cookie: %s", err.msg);
}

/* Build a message from payloads, encode, decode, and compare. */
static int round_trip(struct ike_message *msg, const char *what,
		      struct ike_message *back, struct ike_buf *out)
{
	struct ike_error err;
	struct ike_buf again;
	int ok;

	ike_buf_init(out);
	ike_buf_init(&again);
	ok = ike_message_encode(msg, out, NULL, &err) == 0;
	tap_ok(ok, "%s encodes: %s", what, ok ? "" : err.msg);
	ok = ok && ike_message_decode(out->data, out->len, back, &err) == 0;
	tap_ok(ok, "%s decodes: %s", what, ok ? "" : err.msg);
	ok = ok && ike_message_encode(back, &again, NULL, &err) == 0 &&
	     again.len == out->len && memcmp(again.data, out->data, out->len) == 0;
	tap_ok(ok, "%s round-trips byte for byte", what);
	ike_buf_free(&again);
	return ok;
}

static void header(struct ike_message *msg, uint8_t exchange, uint32_t mid)
{
	ike_message_init(msg);
	memcpy(msg->hdr.cky_i, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	memcpy(msg->hdr.cky_r, "\x99\xaa\xbb\xcc\xdd\xee\xff\x01", 8);
	msg->hdr.version = IKE_VERSION_1_0;
	msg->hdr.exchange = exchange;
	msg->hdr.message_id = mid;
}

static void test_quick_mode(void)
{
	struct ike_p2_bundle bundles[2] = {
		{ 2, { { IKE_PROTO_AH, IKE_AH_SHA2_256, 0, IKE_AUTH_ALG_HMAC_SHA2_256,
			 IKE_ENCAP_TUNNEL, IKE_GROUP_MODP_2048, { 3600, 102400 } },
		       { IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 256, 0,
			 IKE_ENCAP_TUNNEL, IKE_GROUP_MODP_2048, { 3600, 102400 } } } },
		{ 1, { { IKE_PROTO_ESP, IKE_ESP_AES, 128, IKE_AUTH_ALG_HMAC_SHA2_256,
			 IKE_ENCAP_UDP_TUNNEL, IKE_GROUP_MODP_2048, { 3600, 0 } } } },
	};
	static const uint8_t spis[2][4] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 } };
	uint8_t hash[32] = { 0 }, nonce[32], ke[256];
	struct ike_payload pl[8];
	struct ike_message msg, back;
	struct ike_arena arena = { 0 };
	struct ike_buf out;
	struct ike_error err;
	struct in_addr a4;
	struct in6_addr a6;
	size_t offsets[8];
	struct ike_buf again;

	memset(pl, 0, sizeof(pl));
	memset(nonce, 0x4e, sizeof(nonce));
	memset(ke, 0x4b, sizeof(ke));
	pl[0].type = IKE_PL_HASH;
	pl[0].u.data = (struct ike_bytes){ hash, 32 };
	pl[1].type = IKE_PL_SA;
	tap_ok(ike_p2_offer(&arena, bundles, 2, spis, &pl[1].u.sa) == 0,
	       "phase-2 offer built");
	pl[2].type = IKE_PL_NONCE;
	pl[2].u.data = (struct ike_bytes){ nonce, 32 };
	pl[3].type = IKE_PL_KE;
	pl[3].u.data = (struct ike_bytes){ ke, 256 };
	pl[4].type = IKE_PL_ID;
	inet_pton(AF_INET, "10.1.2.99", &a4);
	ike_id_ipv4_subnet(&pl[4].u.id, &a4, 24);
	pl[5].type = IKE_PL_ID;
	inet_pton(AF_INET6, "2001:db8:1::1", &a6);
	ike_id_ipv6_subnet(&pl[5].u.id, &a6, 64);
	pl[5].u.id.protocol = 17;
	pl[5].u.id.port = 500;
	pl[6].type = IKE_PL_NAT_OA;
	pl[6].u.nat_oa.id_type = IKE_ID_IPV4_ADDR;
	pl[6].u.nat_oa.addr.v4 = a4;
	header(&msg, IKE_EXCH_QUICK, 0x12345678);
	msg.payloads = pl;
	msg.npayloads = 7;
	if (round_trip(&msg, "QM1", &back, &out)) {
		const struct ike_id *id = &ike_message_find(&back, IKE_PL_ID, 0)->u.id;
		const struct ike_id *id6 = &ike_message_find(&back, IKE_PL_ID, 1)->u.id;
		const struct ike_sa *sa = &ike_message_find(&back, IKE_PL_SA, 0)->u.sa;
		char s[64];

		inet_ntop(AF_INET, &id->addr.v4[0], s, sizeof(s));
		tap_is_str(s, "10.1.2.0", "subnet ID clears host bits");
		inet_ntop(AF_INET, &id->addr.v4[1], s, sizeof(s));
		tap_is_str(s, "255.255.255.0", "subnet ID mask");
		inet_ntop(AF_INET6, &id6->addr.v6[1], s, sizeof(s));
		tap_ok(id6->type == IKE_ID_IPV6_ADDR_SUBNET && id6->protocol == 17 &&
		       id6->port == 500 && strcmp(s, "ffff:ffff:ffff:ffff::") == 0,
		       "IPv6 subnet ID with protocol and port");
		tap_ok(sa->nproposals == 3 && sa->proposals[0].number == 1 &&
		       sa->proposals[1].number == 1 && sa->proposals[2].number == 2 &&
		       sa->proposals[1].spi.len == 4 && sa->proposals[1].spi.ptr[0] == 5,
		       "AH+ESP bundle shares proposal number 1, with SPIs");
		tap_ok(ike_message_check_step(&back, IKE_STEP_QM1, &err) == 0,
		       "valid QM1: %s", err.msg);
		tap_ok(ike_message_find(&back, IKE_PL_NAT_OA, 0)->u.nat_oa.addr.v4.s_addr ==
		       a4.s_addr, "NAT-OA address");
		/* HASH(1) covers everything after the HASH payload. */
		tap_ok(back.payloads[1].raw.ptr == out.data + 28 + 36,
		       "payload after HASH starts right after it");
		ike_message_free(&back);
	}
	ike_buf_free(&out);

	/* Offsets let the HASH be filled in after encoding. */
	ike_buf_init(&again);
	tap_ok(ike_message_encode(&msg, &again, offsets, &err) == 0 &&
	       offsets[0] == 28 && offsets[1] == 28 + 36 &&
	       again.data[offsets[1]] == IKE_PL_NONCE,
	       "payload offsets reported");
	ike_buf_free(&again);

	/* One client ID without the other is refused. */
	msg.npayloads = 5;
	tap_ok(ike_message_check_step(&msg, IKE_STEP_QM1, &err) != 0 &&
	       err.notify == IKE_N_INVALID_ID_INFORMATION, "lone IDci: %s", err.msg);
	pl[1] = pl[0];
	msg.npayloads = 4;
	tap_ok(ike_message_check_step(&msg, IKE_STEP_QM1, &err) != 0 &&
	       err.code == IKE_ERR_DUPLICATE, "two HASH payloads: %s", err.msg);
	pl[0].type = IKE_PL_NONCE;
	pl[0].u.data = (struct ike_bytes){ nonce, 32 };
	tap_ok(ike_message_check_step(&msg, IKE_STEP_QM3, &err) != 0 &&
	       err.code == IKE_ERR_MALFORMED, "QM3 must start with HASH: %s", err.msg);
	ike_arena_free(&arena);
}

static void test_informational(void)
{
	static const uint8_t spis[8] = { 0xc0, 0, 0, 1, 0xc0, 0, 0, 2 };
	static const uint8_t cookies[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					     0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };
	uint8_t hash[20] = { 0 }, life[8] = { 0x80, 0x01, 0x00, 0x01, 0x80, 0x02, 0x0e, 0x10 };
	struct ike_payload pl[5];
	struct ike_message msg, back;
	struct ike_buf out;
	struct ike_error err;

	memset(pl, 0, sizeof(pl));
	pl[0].type = IKE_PL_HASH;
	pl[0].u.data = (struct ike_bytes){ hash, 20 };
	pl[1].type = IKE_PL_NOTIFY;
	pl[1].u.notify = (struct ike_notify){ IKE_DOI_IPSEC, IKE_PROTO_ESP,
		IKE_N_RESPONDER_LIFETIME, { spis, 4 }, { life, 8 } };
	pl[2].type = IKE_PL_DELETE;
	pl[2].u.del = (struct ike_delete){ IKE_DOI_IPSEC, IKE_PROTO_ESP, 4, 2, { spis, 8 } };
	pl[3].type = IKE_PL_NOTIFY;
	pl[3].u.notify = (struct ike_notify){ IKE_DOI_IPSEC, IKE_PROTO_ISAKMP,
		IKE_N_INITIAL_CONTACT, { cookies, 16 }, { NULL, 0 } };
	pl[4].type = IKE_PL_DELETE;
	pl[4].u.del = (struct ike_delete){ IKE_DOI_IPSEC, IKE_PROTO_ISAKMP, 16, 1, { cookies, 16 } };
	header(&msg, IKE_EXCH_INFORMATIONAL, 7);
	msg.payloads = pl;
	msg.npayloads = 5;
	if (round_trip(&msg, "Informational", &back, &out)) {
		const struct ike_delete *d = &back.payloads[2].u.del;
		const struct ike_notify *n = &back.payloads[1].u.notify;

		tap_ok(d->nspis == 2 && memcmp(ike_delete_spi(d, 1), spis + 4, 4) == 0 &&
		       ike_delete_spi(d, 2) == NULL, "delete SPIs");
		tap_ok(n->type == IKE_N_RESPONDER_LIFETIME && n->spi.len == 4 &&
		       n->data.len == 8, "RESPONDER-LIFETIME with SPI and attributes");
		tap_ok(ike_message_check_step(&back, IKE_STEP_INFO, &err) == 0,
		       "valid informational");
		/* Corrupt the delete's SPI count. */
		out.data[back.payloads[2].raw.ptr - out.data + 11] = 3;
		ike_message_free(&back);
		tap_ok(ike_message_decode(out.data, out.len, &back, &err) != 0 &&
		       err.code == IKE_ERR_LENGTH, "delete count mismatch: %s", err.msg);
		ike_message_free(&back);
	}
	ike_buf_free(&out);
	msg.npayloads = 1;
	tap_ok(ike_message_check_step(&msg, IKE_STEP_INFO, &err) != 0 &&
	       err.code == IKE_ERR_MISSING, "informational without N or D: %s", err.msg);
}

static void test_payload_rejects(void)
{
	struct ike_payload pl[2];
	struct ike_message msg, back;
	struct ike_buf out;
	struct ike_error err;
	uint8_t nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, key[4] = { 1, 2, 3, 4 };
	struct in_addr a4 = { htonl(0x0a000001) };

	memset(pl, 0, sizeof(pl));
	pl[0].type = IKE_PL_NONCE;
	pl[0].u.data = (struct ike_bytes){ nonce, 8 };
	pl[1].type = IKE_PL_ID;
	ike_id_ipv4(&pl[1].u.id, &a4);
	header(&msg, IKE_EXCH_MAIN, 0);
	msg.payloads = pl;
	msg.npayloads = 2;
	tap_ok(round_trip(&msg, "NONCE+ID", &back, &out), "8-byte nonce accepted");
	ike_message_free(&back);
	/* nonce length 8 -> 7: shrink payload and message by one byte */
	out.data[28 + 3] = 11;
	memmove(out.data + 28 + 11, out.data + 28 + 12, out.len - 28 - 12);
	out.len--;
	out.data[27]--;
	tap_ok(ike_message_decode(out.data, out.len, &back, &err) != 0 &&
	       err.code == IKE_ERR_LENGTH, "7-byte nonce rejected: %s", err.msg);
	ike_message_free(&back);
	ike_buf_free(&out);
	ike_buf_init(&out);
	ike_message_encode(&msg, &out, NULL, &err);
	/* IPv4 address ID with 3 address bytes */
	out.data[28 + 12 + 3] = 11;
	out.len--;
	out.data[27]--;
	tap_ok(ike_message_decode(out.data, out.len, &back, &err) != 0 &&
	       err.notify == IKE_N_INVALID_ID_INFORMATION, "short IPv4 ID rejected: %s",
	       err.msg);
	ike_message_free(&back);
	ike_buf_free(&out);

	/* A private-use payload (the NAT-T draft's 130) is kept, not refused. */
	pl[1].type = 130;
	pl[1].u.data = (struct ike_bytes){ key, 4 };
	tap_ok(round_trip(&msg, "private payload 130", &back, &out),
	       "private payload type skipped as opaque");
	tap_ok(ike_message_check_step(&back, IKE_STEP_MM3, &err) != 0 &&
	       err.code == IKE_ERR_MISSING, "MM3 without KE: %s", err.msg);
	ike_message_free(&back);
	ike_buf_free(&out);
}

static void test_encrypted(void)
{
	uint8_t in[28 + 32], plain[32];
	struct ike_message msg;
	struct ike_error err;
	struct ike_buf out;

	memset(in, 0xab, sizeof(in));
	memcpy(in + 16, "\x05\x10\x02\x01\x00\x00\x00\x00\x00\x00\x00\x3c", 12);
	tap_ok(ike_message_decode(in, sizeof(in), &msg, &err) == 0 &&
	       msg.npayloads == 0 && msg.encrypted.ptr == in + 28 &&
	       msg.encrypted.len == 32, "encrypted message: header and ciphertext");
	ike_buf_init(&out);
	tap_ok(ike_message_encode(&msg, &out, NULL, &err) == 0 && out.len == sizeof(in) &&
	       memcmp(out.data, in, sizeof(in)) == 0, "encrypted message re-encodes");
	ike_buf_free(&out);
	/* "Decrypted": ID payload of 12 bytes, then 20 bytes of padding. */
	memset(plain, 0, sizeof(plain));
	memcpy(plain, "\x00\x00\x00\x0c\x01\x11\x01\xf4\x0a\x00\x00\x01", 12);
	tap_ok(ike_message_decode_payloads(&msg, IKE_PL_ID, plain, 32, 0, &err) != 0,
	       "padding refused without IKE_DECODE_ALLOW_TRAILING");
	tap_ok(ike_message_decode_payloads(&msg, IKE_PL_ID, plain, 32,
					   IKE_DECODE_ALLOW_TRAILING, &err) == 0 &&
	       msg.npayloads == 1 && msg.payloads[0].u.id.port == 500,
	       "decrypted body with padding decodes");
	ike_message_free(&msg);
}

int main(void)
{
	test_handwritten();
	test_mutations();
	test_quick_mode();
	test_informational();
	test_payload_rejects();
	test_encrypted();
	return tap_done();
}
