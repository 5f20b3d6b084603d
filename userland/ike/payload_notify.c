// SPDX-License-Identifier: GPL-2.0
/* Notification payload (RFC 2408 3.14): DOI, protocol, SPI, type, data. */
#include "ike/ike_internal.h"

/* The largest SPI any protocol uses: ISAKMP's two cookies. */
#define NOTIFY_MAX_SPI	16

static int notify_decode(struct ike_payload *pl, struct ike_arena *arena,
			 struct ike_error *err)
{
	struct ike_notify *n = &pl->u.notify;
	struct ike_reader r;
	uint8_t spi_size;

	(void)arena;
	ike_reader_init(&r, pl->body.ptr, pl->body.len);
	if (!ike_get_u32(&r, &n->doi) || !ike_get_u8(&r, &n->protocol) ||
	    !ike_get_u8(&r, &spi_size) || !ike_get_u16(&r, &n->type))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"notify payload shorter than its 8-byte header");
	if (n->doi != IKE_DOI_IPSEC && n->doi != IKE_DOI_ISAKMP)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_DOI_NOT_SUPPORTED,
				"notify DOI %u", n->doi);
	if (spi_size > NOTIFY_MAX_SPI)
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_SPI,
				"notify SPI size %u", spi_size);
	if (!ike_get_bytes(&r, spi_size, &n->spi))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"notify SPI of %u bytes overruns the payload",
				spi_size);
	ike_get_bytes(&r, ike_reader_left(&r), &n->data);
	return 0;
}

static int notify_encode(const struct ike_payload *pl, struct ike_buf *out,
			 struct ike_error *err)
{
	const struct ike_notify *n = &pl->u.notify;

	if (n->spi.len > NOTIFY_MAX_SPI)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "notify SPI size %zu",
				n->spi.len);
	if (ike_buf_append_u32(out, n->doi) ||
	    ike_buf_append_u8(out, n->protocol) ||
	    ike_buf_append_u8(out, (uint8_t)n->spi.len) ||
	    ike_buf_append_u16(out, n->type) ||
	    ike_buf_append(out, n->spi.ptr, n->spi.len) ||
	    ike_buf_append(out, n->data.ptr, n->data.len))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	return 0;
}

const struct ike_payload_ops ike_notify_ops = {
	.decode = notify_decode,
	.encode = notify_encode,
};
