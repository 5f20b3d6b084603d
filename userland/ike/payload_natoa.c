// SPDX-License-Identifier: GPL-2.0
/* NAT-OA payload (RFC 3947 5.2): ID type, 3 reserved bytes, one address. */
#include <string.h>

#include "ike/ike_internal.h"

static int nat_oa_decode(struct ike_payload *pl, struct ike_arena *arena,
			 struct ike_error *err)
{
	struct ike_nat_oa *oa = &pl->u.nat_oa;
	struct ike_reader r;
	struct ike_bytes addr;
	uint8_t reserved[3];
	size_t want;

	(void)arena;
	ike_reader_init(&r, pl->body.ptr, pl->body.len);
	if (!ike_get_u8(&r, &oa->id_type) || !ike_get_u8(&r, &reserved[0]) ||
	    !ike_get_u8(&r, &reserved[1]) || !ike_get_u8(&r, &reserved[2]))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"NAT-OA payload shorter than its header");
	if (oa->id_type == IKE_ID_IPV4_ADDR)
		want = 4;
	else if (oa->id_type == IKE_ID_IPV6_ADDR)
		want = 16;
	else
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_PAYLOAD_MALFORMED,
				"NAT-OA ID type %u is not an address", oa->id_type);
	if (ike_reader_left(&r) != want)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
				"NAT-OA address of %zu bytes, expected %zu",
				ike_reader_left(&r), want);
	ike_get_bytes(&r, want, &addr);
	memcpy(&oa->addr, addr.ptr, want);
	return 0;
}

static int nat_oa_encode(const struct ike_payload *pl, struct ike_buf *out,
			 struct ike_error *err)
{
	const struct ike_nat_oa *oa = &pl->u.nat_oa;
	size_t len;

	if (oa->id_type == IKE_ID_IPV4_ADDR)
		len = 4;
	else if (oa->id_type == IKE_ID_IPV6_ADDR)
		len = 16;
	else
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"NAT-OA ID type %u is not an address", oa->id_type);
	if (ike_buf_append_u8(out, oa->id_type) || ike_buf_append_zero(out, 3) ||
	    ike_buf_append(out, &oa->addr, len))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	return 0;
}

const struct ike_payload_ops ike_nat_oa_ops = {
	.decode = nat_oa_decode,
	.encode = nat_oa_encode,
};
