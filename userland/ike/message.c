// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP header and payload chain (RFC 2408 3.1-3.2), dispatching each
 * payload body to its codec through a table indexed by payload type.
 */
#include <string.h>

#include "ike/ike_internal.h"

static const struct ike_payload_ops *const payload_table[256] = {
	[IKE_PL_SA] = &ike_sa_ops,
	[IKE_PL_KE] = &ike_opaque_ops,
	[IKE_PL_ID] = &ike_id_ops,
	[IKE_PL_CERT] = &ike_opaque_ops,
	[IKE_PL_CR] = &ike_opaque_ops,
	[IKE_PL_HASH] = &ike_opaque_ops,
	[IKE_PL_SIG] = &ike_opaque_ops,
	[IKE_PL_NONCE] = &ike_nonce_ops,
	[IKE_PL_NOTIFY] = &ike_notify_ops,
	[IKE_PL_DELETE] = &ike_delete_ops,
	[IKE_PL_VENDOR] = &ike_opaque_ops,
	[IKE_PL_NAT_D] = &ike_opaque_ops,
	[IKE_PL_NAT_OA] = &ike_nat_oa_ops,
};

static const struct ike_payload_ops *payload_ops(uint8_t type)
{
	if (payload_table[type])
		return payload_table[type];
	/*
	 * Private-use types (e.g. the NAT-T drafts' 130/131) carry nothing
	 * we must act on, so they are kept opaque rather than refused.
	 */
	if (type >= IKE_PL_PRIVATE_MIN)
		return &ike_opaque_ops;
	return NULL;
}

void ike_message_init(struct ike_message *msg)
{
	memset(msg, 0, sizeof(*msg));
}

void ike_message_free(struct ike_message *msg)
{
	ike_arena_free(&msg->arena);
	memset(msg, 0, sizeof(*msg));
}

int ike_header_decode(const uint8_t *data, size_t len, struct ike_header *hdr,
		      struct ike_error *err)
{
	static const uint8_t zero_cookie[IKE_COOKIE_LEN];
	struct ike_reader r;
	struct ike_bytes b;

	ike_reader_init(&r, data, len);
	if (len < IKE_HEADER_LEN)
		return ike_fail(err, IKE_ERR_TRUNCATED, 0,
				"message of %zu bytes is shorter than the header",
				len);
	ike_get_bytes(&r, IKE_COOKIE_LEN, &b);
	memcpy(hdr->cky_i, b.ptr, IKE_COOKIE_LEN);
	ike_get_bytes(&r, IKE_COOKIE_LEN, &b);
	memcpy(hdr->cky_r, b.ptr, IKE_COOKIE_LEN);
	ike_get_u8(&r, &hdr->next_payload);
	ike_get_u8(&r, &hdr->version);
	ike_get_u8(&r, &hdr->exchange);
	ike_get_u8(&r, &hdr->flags);
	ike_get_u32(&r, &hdr->message_id);
	ike_get_u32(&r, &hdr->length);

	if (hdr->version >> 4 != 1)
		return ike_fail(err, IKE_ERR_VERSION, IKE_N_INVALID_MAJOR_VERSION,
				"major version %u", hdr->version >> 4);
	if ((hdr->version & 0x0f) != 0)
		return ike_fail(err, IKE_ERR_VERSION, IKE_N_INVALID_MINOR_VERSION,
				"minor version %u", hdr->version & 0x0f);
	if (hdr->flags & ~(IKE_FLAG_ENCRYPTED | IKE_FLAG_COMMIT |
			   IKE_FLAG_AUTH_ONLY))
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_FLAGS,
				"unknown header flags %#x", hdr->flags);
	if (!memcmp(hdr->cky_i, zero_cookie, IKE_COOKIE_LEN))
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_COOKIE,
				"initiator cookie is zero");
	if (hdr->length != len)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_UNEQUAL_PAYLOAD_LENGTHS,
				"header length %u but datagram of %zu bytes",
				hdr->length, len);
	return 0;
}

/* Walks one generic header; sets *body and the type of the next payload. */
static int chain_step(struct ike_reader *r, uint8_t type, uint8_t *next,
		      struct ike_bytes *raw, struct ike_bytes *body,
		      struct ike_error *err)
{
	const uint8_t *start = r->ptr + r->off;
	uint8_t reserved;
	uint16_t len;

	if (type == IKE_PL_PROPOSAL || type == IKE_PL_TRANSFORM ||
	    !payload_ops(type))
		return ike_fail(err, IKE_ERR_PAYLOAD_TYPE, IKE_N_INVALID_PAYLOAD_TYPE,
				"payload type %u (%s) not allowed in a message",
				type, ike_payload_name(type));
	if (!ike_get_u8(r, next) || !ike_get_u8(r, &reserved) ||
	    !ike_get_u16(r, &len))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"%s payload header truncated",
				ike_payload_name(type));
	if (len < IKE_GENERIC_HEADER_LEN)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
				"%s payload length %u", ike_payload_name(type), len);
	if (!ike_get_bytes(r, len - IKE_GENERIC_HEADER_LEN, body))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"%s payload length %u overruns the message",
				ike_payload_name(type), len);
	raw->ptr = start;
	raw->len = len;
	return 0;
}

int ike_message_decode_payloads(struct ike_message *msg, uint8_t first,
				const uint8_t *data, size_t len,
				unsigned int flags, struct ike_error *err)
{
	struct ike_reader r;
	struct ike_bytes raw, body;
	uint8_t type, next;
	size_t n, i;
	int rc;

	/* Pass 1: lengths and types, to size the payload array. */
	ike_reader_init(&r, data, len);
	for (n = 0, type = first; type != IKE_PL_NONE; n++, type = next) {
		rc = chain_step(&r, type, &next, &raw, &body, err);
		if (rc)
			return rc;
	}
	if (!n)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
				"message without payloads");
	if (ike_reader_left(&r) && !(flags & IKE_DECODE_ALLOW_TRAILING))
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_UNEQUAL_PAYLOAD_LENGTHS,
				"%zu bytes after the last payload",
				ike_reader_left(&r));

	msg->payloads = ike_arena_alloc(&msg->arena, n, sizeof(*msg->payloads));
	if (!msg->payloads)
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	ike_reader_init(&r, data, len);
	for (i = 0, type = first; i < n; i++, type = next) {
		struct ike_payload *pl = &msg->payloads[i];

		chain_step(&r, type, &next, &pl->raw, &pl->body, err);
		pl->type = type;
		rc = payload_ops(type)->decode(pl, &msg->arena, err);
		if (rc) {
			msg->npayloads = 0;
			return rc;
		}
	}
	msg->npayloads = n;
	return 0;
}

int ike_message_decode(const uint8_t *data, size_t len,
		       struct ike_message *msg, struct ike_error *err)
{
	int rc;

	ike_message_init(msg);
	ike_error_clear(err);
	rc = ike_header_decode(data, len, &msg->hdr, err);
	if (rc)
		return rc;
	if (msg->hdr.flags & IKE_FLAG_ENCRYPTED) {
		msg->encrypted.ptr = data + IKE_HEADER_LEN;
		msg->encrypted.len = len - IKE_HEADER_LEN;
		if (!msg->encrypted.len)
			return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
					"encrypted message without a body");
		return 0;
	}
	rc = ike_message_decode_payloads(msg, msg->hdr.next_payload,
					 data + IKE_HEADER_LEN,
					 len - IKE_HEADER_LEN, 0, err);
	if (rc)
		ike_message_free(msg);
	return rc;
}

int ike_header_encode(const struct ike_header *hdr, uint8_t next_payload,
		      size_t body_len, struct ike_buf *out)
{
	if (body_len > UINT32_MAX - IKE_HEADER_LEN)
		return -1;
	if (ike_buf_append(out, hdr->cky_i, IKE_COOKIE_LEN) ||
	    ike_buf_append(out, hdr->cky_r, IKE_COOKIE_LEN) ||
	    ike_buf_append_u8(out, next_payload) ||
	    ike_buf_append_u8(out, hdr->version) ||
	    ike_buf_append_u8(out, hdr->exchange) ||
	    ike_buf_append_u8(out, hdr->flags) ||
	    ike_buf_append_u32(out, hdr->message_id) ||
	    ike_buf_append_u32(out, (uint32_t)(IKE_HEADER_LEN + body_len)))
		return -1;
	return 0;
}

int ike_payload_encode_body(const struct ike_payload *payload,
			    struct ike_buf *out, struct ike_error *err)
{
	const struct ike_payload_ops *ops = payload_ops(payload->type);

	if (!ops || payload->type == IKE_PL_NONE)
		return ike_fail(err, IKE_ERR_PAYLOAD_TYPE, 0,
				"cannot encode payload type %u", payload->type);
	return ops->encode(payload, out, err);
}

int ike_payloads_encode(const struct ike_payload *payloads, size_t n,
			struct ike_buf *out, size_t *offsets,
			struct ike_error *err)
{
	size_t i, start, len;
	int rc;

	for (i = 0; i < n; i++) {
		start = out->len;
		if (offsets)
			offsets[i] = start;
		if (ike_buf_append_u8(out, i + 1 < n ? payloads[i + 1].type :
				      IKE_PL_NONE) ||
		    ike_buf_append_u8(out, 0) || ike_buf_append_u16(out, 0))
			return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
		rc = ike_payload_encode_body(&payloads[i], out, err);
		if (rc)
			return rc;
		len = out->len - start;
		if (len > 0xffff)
			return ike_fail(err, IKE_ERR_LENGTH, 0,
					"%s payload longer than 65535 bytes",
					ike_payload_name(payloads[i].type));
		ike_buf_put_u16_at(out, start + 2, (uint16_t)len);
	}
	return 0;
}

int ike_message_encode(const struct ike_message *msg, struct ike_buf *out,
		       size_t *offsets, struct ike_error *err)
{
	size_t start = out->len;
	uint8_t first;
	int rc;

	ike_error_clear(err);
	if (msg->npayloads) {
		first = msg->payloads[0].type;
	} else if ((msg->hdr.flags & IKE_FLAG_ENCRYPTED) && msg->encrypted.len) {
		first = msg->hdr.next_payload;
	} else {
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"message without payloads");
	}
	if (ike_header_encode(&msg->hdr, first, 0, out))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	if (msg->npayloads) {
		rc = ike_payloads_encode(msg->payloads, msg->npayloads, out,
					 offsets, err);
		if (rc)
			return rc;
	} else if (ike_buf_append(out, msg->encrypted.ptr, msg->encrypted.len)) {
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	}
	if (out->len - start > UINT32_MAX)
		return ike_fail(err, IKE_ERR_LENGTH, 0, "message too long");
	ike_buf_put_u32_at(out, start + 24, (uint32_t)(out->len - start));
	return 0;
}

const struct ike_payload *ike_message_find(const struct ike_message *msg,
					   uint8_t type, size_t nth)
{
	size_t i;

	for (i = 0; i < msg->npayloads; i++)
		if (msg->payloads[i].type == type && nth-- == 0)
			return &msg->payloads[i];
	return NULL;
}
