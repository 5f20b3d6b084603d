// SPDX-License-Identifier: GPL-2.0
/*
 * Proposal selection: the initiator's order wins, unusable transforms are
 * skipped, lifetimes above the local limit are lowered with a
 * RESPONDER-LIFETIME decision, and replies echo the chosen transform.
 * Offers are built, encoded and decoded again, so selection runs on what
 * a peer would actually receive.
 */
#include <string.h>

#include "tap.h"
#include "ike/ike.h"
#include "ike/proposal.h"

static const uint8_t cookies[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* Encodes sa as the only payload and decodes it into msg. */
static const struct ike_sa *wire(const struct ike_sa *sa, struct ike_buf *out,
				 struct ike_message *msg)
{
	struct ike_payload pl = { .type = IKE_PL_SA, .u.sa = *sa };
	struct ike_message m;
	struct ike_error err;

	ike_message_init(&m);
	memcpy(m.hdr.cky_i, cookies, 8);
	m.hdr.version = IKE_VERSION_1_0;
	m.hdr.exchange = IKE_EXCH_MAIN;
	m.payloads = &pl;
	m.npayloads = 1;
	ike_buf_init(out);
	if (ike_message_encode(&m, out, NULL, &err) ||
	    ike_message_decode(out->data, out->len, msg, &err)) {
		printf("# wire: %s\n", err.msg);
		return NULL;
	}
	return &msg->payloads[0].u.sa;
}

static const struct ike_p1_suite aes128_sha1_modp1024 = {
	IKE_ENC_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP_1024,
	{ 28800, 0 } };
static const struct ike_p1_suite aes256_sha256_modp2048 = {
	IKE_ENC_AES_CBC, 256, IKE_HASH_SHA2_256, IKE_AUTH_PSK, IKE_GROUP_MODP_2048,
	{ 86400, 0 } };
static const struct ike_p1_suite des3_sha1_modp2048 = {
	IKE_ENC_3DES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP_2048,
	{ 0, 0 } };

static void test_phase1(void)
{
	struct ike_p1_suite offer_suites[3] = {
		aes128_sha1_modp1024, aes256_sha256_modp2048, des3_sha1_modp2048 };
	struct ike_p1_suite local[2] = { des3_sha1_modp2048, aes256_sha256_modp2048 };
	struct ike_arena arena = { 0 };
	struct ike_message msg, rmsg;
	struct ike_buf out, rout;
	struct ike_p1_choice choice;
	struct ike_p1_suite parsed;
	struct ike_error err;
	struct ike_sa sa, reply;
	const struct ike_sa *offer, *back;

	local[0].life.seconds = 28800;
	local[1].life.seconds = 28800;
	tap_ok(ike_p1_offer(&arena, offer_suites, 3, &sa) == 0, "phase-1 offer built");
	offer = wire(&sa, &out, &msg);
	tap_ok(offer && offer->nproposals == 1 && offer->proposals[0].ntransforms == 3,
	       "offer: one proposal, three transforms");
	if (!offer)
		return;
	tap_ok(ike_p1_select(offer, local, 2, &choice, &err) == 0 &&
	       choice.transform_index == 1 &&
	       ike_p1_suite_matches(&choice.suite, &aes256_sha256_modp2048),
	       "initiator's order wins over ours");
	tap_ok(choice.decision.responder_lifetime &&
	       choice.decision.life.seconds == 28800,
	       "offered 86400 s against local 28800 s: lowered, RESPONDER-LIFETIME");

	local[1].life.seconds = 0;
	tap_ok(ike_p1_select(offer, &local[1], 1, &choice, &err) == 0 &&
	       !choice.decision.responder_lifetime &&
	       choice.decision.life.seconds == 86400,
	       "no local limit: the offered lifetime stands");

	tap_ok(ike_p1_select(offer, &local[0], 1, &choice, &err) == 0 &&
	       choice.transform_index == 2 && choice.suite.life.seconds == 28800,
	       "transform without lifetime gets RFC 2407's 28800 s");

	tap_ok(ike_p1_select(offer, &aes128_sha1_modp1024, 0, &choice, &err) != 0 &&
	       err.code == IKE_ERR_NO_PROPOSAL && err.notify == IKE_N_NO_PROPOSAL_CHOSEN,
	       "empty local list: NO-PROPOSAL-CHOSEN");
	struct ike_p1_suite other = aes256_sha256_modp2048;
	other.group = IKE_GROUP_ECP_256;
	tap_ok(ike_p1_select(offer, &other, 1, &choice, &err) != 0 &&
	       err.notify == IKE_N_NO_PROPOSAL_CHOSEN, "group mismatch: no proposal");

	/* Reply echoes the chosen transform unchanged. */
	ike_p1_select(offer, local, 2, &choice, &err);
	tap_ok(ike_p1_reply(&arena, offer, &choice, &reply) == 0, "reply built");
	back = wire(&reply, &rout, &rmsg);
	tap_ok(back && back->nproposals == 1 && back->proposals[0].ntransforms == 1 &&
	       back->proposals[0].transforms[0].number == 2 &&
	       ike_p1_parse_transform(&back->proposals[0],
				      &back->proposals[0].transforms[0], &parsed, &err) == 0 &&
	       ike_p1_suite_matches(&parsed, &aes256_sha256_modp2048) &&
	       parsed.life.seconds == 86400,
	       "reply carries transform #2 as offered");
	ike_message_free(&rmsg);
	ike_buf_free(&rout);

	/* A transform with an attribute we do not know is skipped, not fatal. */
	struct ike_transform *t = &msg.payloads[0].u.sa.proposals[0].transforms[1];
	struct ike_attr attrs[12];
	memcpy(attrs, t->attrs, t->nattrs * sizeof(*attrs));
	attrs[t->nattrs] = ike_attr_number(IKE_OAKLEY_PRF, 1);
	t->attrs = attrs;
	t->nattrs++;
	tap_ok(ike_p1_parse_transform(&offer->proposals[0], t, &parsed, &err) != 0 &&
	       err.notify == IKE_N_ATTRIBUTES_NOT_SUPPORTED, "unknown attribute: %s", err.msg);
	tap_ok(ike_p1_select(offer, local, 2, &choice, &err) == 0 &&
	       choice.transform_index == 2, "that transform is skipped");
	attrs[t->nattrs - 1] = ike_attr_number(IKE_OAKLEY_HASH, IKE_HASH_SHA1);
	tap_ok(ike_p1_parse_transform(&offer->proposals[0], t, &parsed, &err) != 0 &&
	       err.code == IKE_ERR_DUPLICATE, "repeated hash attribute: %s", err.msg);
	attrs[t->nattrs - 1] = ike_attr_number(IKE_OAKLEY_LIFE_TYPE, IKE_LIFE_KILOBYTES);
	tap_ok(ike_p1_parse_transform(&offer->proposals[0], t, &parsed, &err) != 0 &&
	       err.code == IKE_ERR_MALFORMED, "life type without duration: %s", err.msg);
	t->nattrs--;
	attrs[0] = ike_attr_number(IKE_OAKLEY_ENCRYPTION, IKE_ENC_AES_CBC);
	attrs[1] = ike_attr_number(IKE_OAKLEY_KEY_LENGTH, 100);
	tap_ok(ike_p1_parse_transform(&offer->proposals[0], t, &parsed, &err) != 0,
	       "AES with a 100-bit key refused");
	ike_message_free(&msg);
	ike_buf_free(&out);
	ike_arena_free(&arena);
}

static const struct ike_p2_suite esp_gcm = {
	IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 128, IKE_AUTH_ALG_NONE, IKE_ENCAP_TUNNEL,
	IKE_GROUP_NONE, { 3600, 102400 } };
static const struct ike_p2_suite esp_cbc = {
	IKE_PROTO_ESP, IKE_ESP_AES, 128, IKE_AUTH_ALG_HMAC_SHA2_256, IKE_ENCAP_TUNNEL,
	IKE_GROUP_NONE, { 3600, 102400 } };
static const struct ike_p2_suite ah_sha256 = {
	IKE_PROTO_AH, IKE_AH_SHA2_256, 0, IKE_AUTH_ALG_HMAC_SHA2_256, IKE_ENCAP_TUNNEL,
	IKE_GROUP_NONE, { 3600, 102400 } };

static void test_phase2(void)
{
	static const uint8_t spis[2][4] = { { 0xc1, 0, 0, 1 }, { 0xc1, 0, 0, 2 } };
	static const uint8_t rspis[2][4] = { { 0xd1, 0, 0, 1 }, { 0xd1, 0, 0, 2 } };
	struct ike_p2_bundle offer_b[3] = {
		{ 2, { ah_sha256, esp_cbc } },
		{ 1, { esp_gcm } },
		{ 1, { esp_cbc } },
	};
	struct ike_p2_bundle local[3] = { { 1, { esp_cbc } }, { 1, { esp_gcm } },
					  { 2, { ah_sha256, esp_cbc } } };
	struct ike_arena arena = { 0 };
	struct ike_message msg, rmsg;
	struct ike_buf out, rout;
	struct ike_p2_choice choice;
	struct ike_p2_suite parsed;
	struct ike_error err;
	struct ike_sa sa, reply;
	const struct ike_sa *offer, *back;

	offer_b[1].suites[0].life.seconds = 7200;
	offer_b[1].suites[0].life.kbytes = 0;
	tap_ok(ike_p2_offer(&arena, offer_b, 3, spis, &sa) == 0, "phase-2 offer built");
	offer = wire(&sa, &out, &msg);
	if (!offer)
		return;
	tap_ok(offer->nproposals == 4 && offer->proposals[3].number == 3,
	       "four proposals numbered 1, 1, 2, 3");
	tap_ok(!offer->proposals[0].transforms[0].attrs[3].basic,
	       "102400 KB travels as a TLV");

	tap_ok(ike_p2_select(offer, local, 2, &choice, &err) == 0 &&
	       choice.proposal_number == 2 && choice.n == 1 &&
	       ike_p2_suite_matches(&choice.suites[0], &esp_gcm),
	       "bundle not accepted locally: next proposal (GCM) chosen");
	tap_ok(choice.decision.responder_lifetime &&
	       choice.decision.life.seconds == 3600 &&
	       choice.decision.life.kbytes == 102400,
	       "7200 s and no byte limit lowered to 3600 s / 102400 KB");
	tap_ok(ike_p2_select(offer, &local[2], 1, &choice, &err) == 0 &&
	       choice.proposal_number == 1 && choice.n == 2 &&
	       choice.suites[0].protocol == IKE_PROTO_AH &&
	       choice.suites[1].protocol == IKE_PROTO_ESP &&
	       !choice.decision.responder_lifetime,
	       "AH+ESP bundle chosen as a whole");
	tap_ok(ike_p2_reply(&arena, offer, &choice, rspis, &reply) == 0, "reply built");
	back = wire(&reply, &rout, &rmsg);
	tap_ok(back && back->nproposals == 2 &&
	       back->proposals[1].spi.ptr[0] == 0xd1 &&
	       back->proposals[0].number == back->proposals[1].number &&
	       ike_p2_parse_transform(&back->proposals[1],
				      &back->proposals[1].transforms[0], &parsed, &err) == 0 &&
	       ike_p2_suite_matches(&parsed, &esp_cbc),
	       "reply: both proposals, our SPIs, transforms unchanged");
	ike_message_free(&rmsg);
	ike_buf_free(&rout);

	struct ike_p2_bundle pfs = { 1, { esp_cbc } };
	pfs.suites[0].group = IKE_GROUP_MODP_2048;
	tap_ok(ike_p2_select(offer, &pfs, 1, &choice, &err) != 0 &&
	       err.notify == IKE_N_NO_PROPOSAL_CHOSEN, "PFS required, not offered: refused");
	struct ike_p2_bundle transport = { 1, { esp_gcm } };
	transport.suites[0].encap = IKE_ENCAP_TRANSPORT;
	tap_ok(ike_p2_select(offer, &transport, 1, &choice, &err) != 0,
	       "transport mode wanted, tunnel offered: refused");
	ike_message_free(&msg);
	ike_buf_free(&out);

	/* Transforms that contradict their transform id are refused. */
	struct ike_p2_bundle bad[1] = { { 1, { esp_gcm } } };
	bad[0].suites[0].auth_alg = IKE_AUTH_ALG_HMAC_SHA;
	ike_p2_offer(&arena, bad, 1, spis, &sa);
	offer = wire(&sa, &out, &msg);
	tap_ok(offer && ike_p2_parse_transform(&offer->proposals[0],
			&offer->proposals[0].transforms[0], &parsed, &err) != 0 &&
	       err.notify == IKE_N_INVALID_TRANSFORM_ID,
	       "GCM with an HMAC: %s", err.msg);
	ike_message_free(&msg);
	ike_buf_free(&out);
	bad[0].suites[0] = ah_sha256;
	bad[0].suites[0].auth_alg = IKE_AUTH_ALG_HMAC_SHA;
	ike_p2_offer(&arena, bad, 1, spis, &sa);
	offer = wire(&sa, &out, &msg);
	tap_ok(offer && ike_p2_parse_transform(&offer->proposals[0],
			&offer->proposals[0].transforms[0], &parsed, &err) != 0,
	       "AH_SHA2_256 with HMAC-SHA-1 refused");
	ike_message_free(&msg);
	ike_buf_free(&out);
	ike_arena_free(&arena);
}

static void test_life_decide(void)
{
	struct ike_lifetime offered = { 0, 0 }, local = { 3600, 0 };
	struct ike_life_decision d = ike_life_decide(&offered, &local);

	tap_ok(d.responder_lifetime && d.life.seconds == 3600 && d.life.kbytes == 0,
	       "unlimited offer against a local limit");
	offered.seconds = 600;
	d = ike_life_decide(&offered, &local);
	tap_ok(!d.responder_lifetime && d.life.seconds == 600,
	       "shorter offer accepted as is");
}

static void test_responder_lifetime(void)
{
	/* Life type seconds (TV), then a 4-byte TLV duration of 70000 s. */
	static const uint8_t want[] = { 0x80, 0x01, 0x00, 0x01,
					0x00, 0x02, 0x00, 0x04,
					0x00, 0x01, 0x11, 0x70 };
	/* Life type kB, duration 1000, behind an unrelated attribute. */
	static const uint8_t kb_only[] = { 0x80, 0x04, 0x00, 0x01,
					   0x80, 0x01, 0x00, 0x02,
					   0x80, 0x02, 0x03, 0xe8 };
	static const uint8_t no_duration[] = { 0x80, 0x01, 0x00, 0x01 };
	static const uint8_t truncated[] = { 0x00, 0x02, 0x00, 0x04, 0x00 };
	struct ike_lifetime life = { 70000, 0 }, back;
	struct ike_arena arena = { 0 };
	struct ike_error err;
	struct ike_buf out;

	ike_buf_init(&out);
	tap_ok(!ike_responder_lifetime_encode(&life, &out, &err) &&
	       out.len == sizeof(want) && !memcmp(out.data, want, sizeof(want)),
	       "RESPONDER-LIFETIME data for 70000 s: type TV, duration TLV");
	tap_ok(!ike_responder_lifetime_decode((struct ike_bytes){ out.data, out.len },
					      &arena, &back, &err) &&
	       back.seconds == 70000 && back.kbytes == 0,
	       "RESPONDER-LIFETIME data decodes back to 70000 s");
	ike_buf_reset(&out);
	life.kbytes = 100000;
	tap_ok(!ike_responder_lifetime_encode(&life, &out, &err) &&
	       !ike_responder_lifetime_decode((struct ike_bytes){ out.data, out.len },
					      &arena, &back, &err) &&
	       back.seconds == 70000 && back.kbytes == 100000,
	       "seconds and kilobytes round-trip");
	tap_ok(!ike_responder_lifetime_decode((struct ike_bytes){ kb_only, sizeof(kb_only) },
					      &arena, &back, &err) &&
	       back.seconds == 0 && back.kbytes == 1000,
	       "kilobytes only, other attributes ignored");
	tap_ok(ike_responder_lifetime_decode((struct ike_bytes){ no_duration, sizeof(no_duration) },
					     &arena, &back, &err) != 0,
	       "a life type without a duration is refused");
	tap_ok(ike_responder_lifetime_decode((struct ike_bytes){ truncated, sizeof(truncated) },
					     &arena, &back, &err) != 0,
	       "a truncated attribute list is refused");
	ike_buf_free(&out);
	ike_arena_free(&arena);
}

int main(void)
{
	test_phase1();
	test_phase2();
	test_life_decide();
	test_responder_lifetime();
	return tap_done();
}
