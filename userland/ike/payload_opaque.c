// SPDX-License-Identifier: GPL-2.0
/*
 * Payloads whose body is one opaque value: KE, HASH, SIG, NONCE, VID,
 * NAT-D, CERT, CR and private-use types. Their meaning (right size for the
 * group or hash) is judged by the exchange, which knows the suite; here
 * only emptiness and the nonce bounds of RFC 2409 are checked.
 */
#include "ike/ike_internal.h"

static int opaque_decode(struct ike_payload *pl, struct ike_arena *arena,
			 struct ike_error *err)
{
	(void)arena;
	/* A private-use payload may legitimately be empty; ours may not. */
	if (!pl->body.len && pl->type < IKE_PL_PRIVATE_MIN)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
				"empty %s payload", ike_payload_name(pl->type));
	pl->u.data = pl->body;
	return 0;
}

static int opaque_encode(const struct ike_payload *pl, struct ike_buf *out,
			 struct ike_error *err)
{
	if (!pl->u.data.len && pl->type < IKE_PL_PRIVATE_MIN)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "empty %s payload",
				ike_payload_name(pl->type));
	if (ike_buf_append(out, pl->u.data.ptr, pl->u.data.len))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	return 0;
}

const struct ike_payload_ops ike_opaque_ops = {
	.decode = opaque_decode,
	.encode = opaque_encode,
};

static bool nonce_len_ok(size_t len)
{
	return len >= IKE_NONCE_MIN_LEN && len <= IKE_NONCE_MAX_LEN;
}

static int nonce_decode(struct ike_payload *pl, struct ike_arena *arena,
			struct ike_error *err)
{
	(void)arena;
	if (!nonce_len_ok(pl->body.len))
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
				"nonce of %zu bytes, must be %d..%d", pl->body.len,
				IKE_NONCE_MIN_LEN, IKE_NONCE_MAX_LEN);
	pl->u.data = pl->body;
	return 0;
}

static int nonce_encode(const struct ike_payload *pl, struct ike_buf *out,
			struct ike_error *err)
{
	if (!nonce_len_ok(pl->u.data.len))
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "nonce of %zu bytes",
				pl->u.data.len);
	return opaque_encode(pl, out, err);
}

const struct ike_payload_ops ike_nonce_ops = {
	.decode = nonce_decode,
	.encode = nonce_encode,
};
