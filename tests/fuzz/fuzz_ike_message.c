// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ISAKMP decoder. Whatever decodes must encode,
 * the encoding must decode again to the same encoding (a fixed point), and
 * the step rules, proposal interpretation and NAT-D reading (NAT-T) must
 * cope with it. An encrypted message's body is also fed through the
 * decrypted-body path.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/nat_t.h"
#include "ike/proposal.h"

static void exercise(const struct ike_message *msg)
{
	static const struct ike_p1_suite p1 = {
		IKE_ENC_AES_CBC, 128, IKE_HASH_SHA2_256, IKE_AUTH_PSK,
		IKE_GROUP_MODP_2048, { 28800, 0 } };
	static const struct ike_p2_bundle p2 = { 1, { {
		IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 128, 0, IKE_ENCAP_TUNNEL,
		IKE_GROUP_NONE, { 3600, 102400 } } } };
	struct ike_p1_choice c1;
	struct ike_p2_choice c2;
	struct ike_error err;
	size_t i;
	int step;

	static const uint8_t natd[32];
	struct ike_natd_result nat;

	for (step = 0; step < IKE_STEP_COUNT; step++)
		ike_message_check_step(msg, step, &err);
	ike_natt_message_dialect(msg);
	ike_natd_check(msg, IKE_PL_NAT_D, natd, natd, sizeof(natd), &nat, &err);
	ike_natd_check(msg, 130, natd, natd, 20, &nat, &err);
	for (i = 0; i < msg->npayloads; i++) {
		if (msg->payloads[i].type != IKE_PL_SA)
			continue;
		ike_p1_select(&msg->payloads[i].u.sa, &p1, 1, &c1, &err);
		ike_p2_select(&msg->payloads[i].u.sa, &p2, 1, &c2, &err);
	}
}

static void round_trip(const struct ike_message *msg)
{
	struct ike_buf first, second;
	struct ike_message again;
	struct ike_error err;

	ike_buf_init(&first);
	ike_buf_init(&second);
	if (ike_message_encode(msg, &first, NULL, &err))
		abort();
	if (ike_message_decode(first.data, first.len, &again, &err))
		abort();
	if (ike_message_encode(&again, &second, NULL, &err) ||
	    first.len != second.len || memcmp(first.data, second.data, first.len))
		abort();
	ike_message_free(&again);
	ike_buf_free(&first);
	ike_buf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ike_message msg;
	struct ike_error err;

	if (ike_message_decode(data, len, &msg, &err) == 0) {
		if (msg.hdr.flags & IKE_FLAG_ENCRYPTED) {
			round_trip(&msg);
			if (ike_message_decode_payloads(&msg, msg.hdr.next_payload,
							msg.encrypted.ptr,
							msg.encrypted.len,
							IKE_DECODE_ALLOW_TRAILING,
							&err) == 0)
				exercise(&msg);
		} else {
			exercise(&msg);
			round_trip(&msg);
		}
	} else if (!err.msg[0] || err.code == IKE_OK) {
		abort();	/* every refusal must say why */
	}
	ike_message_free(&msg);
	return 0;
}
