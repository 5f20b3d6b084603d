// SPDX-License-Identifier: GPL-2.0
/*
 * Delete payload (RFC 2408 3.15). The SPI list must fill the payload
 * exactly: a short or long list means we might delete the wrong SA.
 */
#include "ike/ike_internal.h"

static int delete_decode(struct ike_payload *pl, struct ike_arena *arena,
			 struct ike_error *err)
{
	struct ike_delete *d = &pl->u.del;
	struct ike_reader r;

	(void)arena;
	ike_reader_init(&r, pl->body.ptr, pl->body.len);
	if (!ike_get_u32(&r, &d->doi) || !ike_get_u8(&r, &d->protocol) ||
	    !ike_get_u8(&r, &d->spi_size) || !ike_get_u16(&r, &d->nspis))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"delete payload shorter than its 8-byte header");
	if (d->doi != IKE_DOI_IPSEC)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_DOI_NOT_SUPPORTED,
				"delete DOI %u", d->doi);
	if (!d->nspis || !d->spi_size)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
				"delete payload without SPIs (%u of size %u)",
				d->nspis, d->spi_size);
	if (ike_reader_left(&r) != (size_t)d->nspis * d->spi_size)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
				"delete payload: %u SPIs of %u bytes in %zu bytes",
				d->nspis, d->spi_size, ike_reader_left(&r));
	ike_get_bytes(&r, ike_reader_left(&r), &d->spis);
	return 0;
}

static int delete_encode(const struct ike_payload *pl, struct ike_buf *out,
			 struct ike_error *err)
{
	const struct ike_delete *d = &pl->u.del;

	if (!d->nspis || !d->spi_size ||
	    d->spis.len != (size_t)d->nspis * d->spi_size)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"delete payload: %u SPIs of %u bytes in %zu bytes",
				d->nspis, d->spi_size, d->spis.len);
	if (ike_buf_append_u32(out, d->doi) ||
	    ike_buf_append_u8(out, d->protocol) ||
	    ike_buf_append_u8(out, d->spi_size) ||
	    ike_buf_append_u16(out, d->nspis) ||
	    ike_buf_append(out, d->spis.ptr, d->spis.len))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	return 0;
}

const struct ike_payload_ops ike_delete_ops = {
	.decode = delete_decode,
	.encode = delete_encode,
};

const uint8_t *ike_delete_spi(const struct ike_delete *del, size_t i)
{
	if (i >= del->nspis || !del->spis.ptr ||
	    (i + 1) * del->spi_size > del->spis.len)
		return NULL;
	return del->spis.ptr + i * del->spi_size;
}
