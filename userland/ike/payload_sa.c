// SPDX-License-Identifier: GPL-2.0
/*
 * SA payload with its nested Proposal and Transform payloads (RFC 2408
 * 3.4-3.6, RFC 2407 4.6.1). Nested lengths must tile their container
 * exactly, and the next-payload fields of nested payloads must agree with
 * where the bytes end: a P says "2" only if another P follows.
 */
#include "ike/ike_internal.h"

#define PROPOSAL_FIXED_LEN	8	/* generic header + 4 */
#define TRANSFORM_FIXED_LEN	8	/* generic header + 4 */

static int spi_size_ok(uint8_t protocol, uint8_t spi_size)
{
	switch (protocol) {
	case IKE_PROTO_ISAKMP:
		/* RFC 2408 says ignore it; peers send 0 or the cookies. */
		return spi_size == 0 || spi_size == 8 || spi_size == 16;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		return spi_size == 4;
	case IKE_PROTO_IPCOMP:
		return spi_size == 2 || spi_size == 4;
	}
	return 0;
}

/* Reads one nested payload header and returns its body in *body. */
static int nested_read(struct ike_reader *r, uint8_t expect_next,
		       const char *what, uint8_t *next, struct ike_bytes *body,
		       size_t fixed, struct ike_error *err)
{
	uint8_t reserved;
	uint16_t len;

	if (!ike_get_u8(r, next) || !ike_get_u8(r, &reserved) ||
	    !ike_get_u16(r, &len))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%s header truncated", what);
	if (*next != expect_next && *next != IKE_PL_NONE)
		return ike_fail(err, IKE_ERR_PAYLOAD_TYPE, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%s followed by payload type %u", what, *next);
	if (len < fixed)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%s length %u below its minimum %zu", what, len, fixed);
	if (!ike_get_bytes(r, len - IKE_GENERIC_HEADER_LEN, body))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%s length %u overruns its container", what, len);
	if (*next == IKE_PL_NONE && ike_reader_left(r))
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%zu bytes after the last %s", ike_reader_left(r), what);
	if (*next != IKE_PL_NONE && !ike_reader_left(r))
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX,
				"%s announces another one but the container ends", what);
	return 0;
}

static int transform_decode(struct ike_bytes body, struct ike_transform *t,
			    struct ike_arena *arena, struct ike_error *err)
{
	struct ike_reader r;
	uint16_t reserved;

	ike_reader_init(&r, body.ptr, body.len);
	if (!ike_get_u8(&r, &t->number) || !ike_get_u8(&r, &t->id) ||
	    !ike_get_u16(&r, &reserved))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"transform truncated");
	return ike_attrs_decode(body.ptr + r.off, ike_reader_left(&r), arena,
				&t->attrs, &t->nattrs, err);
}

static int proposal_decode(struct ike_bytes body, struct ike_proposal *p,
			   struct ike_arena *arena, struct ike_error *err)
{
	struct ike_reader r, tr;
	struct ike_bytes tbody;
	uint8_t spi_size, ntransforms, next;
	size_t i;
	int rc;

	ike_reader_init(&r, body.ptr, body.len);
	if (!ike_get_u8(&r, &p->number) || !ike_get_u8(&r, &p->protocol) ||
	    !ike_get_u8(&r, &spi_size) || !ike_get_u8(&r, &ntransforms))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"proposal truncated");
	if (!spi_size_ok(p->protocol, spi_size))
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_SPI,
				"proposal %u: SPI size %u invalid for protocol %u",
				p->number, spi_size, p->protocol);
	if (!ike_get_bytes(&r, spi_size, &p->spi))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"proposal %u: SPI overruns the proposal", p->number);
	if (!ntransforms)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX,
				"proposal %u has no transforms", p->number);

	/* Walk once to check the count matches before allocating. */
	tr = r;
	for (i = 0; ike_reader_left(&tr); i++) {
		rc = nested_read(&tr, IKE_PL_TRANSFORM, "transform", &next,
				 &tbody, TRANSFORM_FIXED_LEN, err);
		if (rc)
			return rc;
	}
	if (i != ntransforms)
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_BAD_PROPOSAL_SYNTAX,
				"proposal %u announces %u transforms but holds %zu",
				p->number, ntransforms, i);
	p->ntransforms = ntransforms;
	p->transforms = ike_arena_alloc(arena, ntransforms, sizeof(*p->transforms));
	if (!p->transforms)
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < ntransforms; i++) {
		nested_read(&r, IKE_PL_TRANSFORM, "transform", &next, &tbody,
			    TRANSFORM_FIXED_LEN, err);
		rc = transform_decode(tbody, &p->transforms[i], arena, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int sa_decode(struct ike_payload *pl, struct ike_arena *arena,
		     struct ike_error *err)
{
	struct ike_sa *sa = &pl->u.sa;
	struct ike_reader r, pr;
	struct ike_bytes pbody;
	uint8_t next;
	size_t i, n;
	int rc;

	ike_reader_init(&r, pl->body.ptr, pl->body.len);
	if (!ike_get_u32(&r, &sa->doi) || !ike_get_u32(&r, &sa->situation))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"SA payload shorter than DOI and situation");
	if (sa->doi != IKE_DOI_IPSEC)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_DOI_NOT_SUPPORTED,
				"SA DOI %u is not the IPsec DOI", sa->doi);
	/* Other situations carry labelled-domain fields we do not parse. */
	if (sa->situation != IKE_SIT_IDENTITY_ONLY)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_SITUATION_NOT_SUPPORTED,
				"SA situation %#x is not SIT_IDENTITY_ONLY",
				sa->situation);
	if (!ike_reader_left(&r))
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX,
				"SA payload has no proposals");

	pr = r;
	for (n = 0; ike_reader_left(&pr); n++) {
		rc = nested_read(&pr, IKE_PL_PROPOSAL, "proposal", &next, &pbody,
				 PROPOSAL_FIXED_LEN, err);
		if (rc)
			return rc;
	}
	sa->nproposals = n;
	sa->proposals = ike_arena_alloc(arena, n, sizeof(*sa->proposals));
	if (!sa->proposals)
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < n; i++) {
		nested_read(&r, IKE_PL_PROPOSAL, "proposal", &next, &pbody,
			    PROPOSAL_FIXED_LEN, err);
		rc = proposal_decode(pbody, &sa->proposals[i], arena, err);
		if (rc)
			return rc;
		/* Equal numbers form one AND-bundle, so they may repeat. */
		if (i && sa->proposals[i].number < sa->proposals[i - 1].number)
			return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_BAD_PROPOSAL_SYNTAX,
					"proposal numbers decrease (%u after %u)",
					sa->proposals[i].number,
					sa->proposals[i - 1].number);
	}
	return 0;
}

static int nested_begin(struct ike_buf *out, bool last, uint8_t type,
			size_t *len_at)
{
	if (ike_buf_append_u8(out, last ? IKE_PL_NONE : type) ||
	    ike_buf_append_u8(out, 0))
		return -1;
	*len_at = out->len;
	return ike_buf_append_u16(out, 0);
}

static int nested_end(struct ike_buf *out, size_t len_at, const char *what,
		      struct ike_error *err)
{
	size_t len = out->len - (len_at - 2);

	if (len > 0xffff)
		return ike_fail(err, IKE_ERR_LENGTH, 0, "%s longer than 65535", what);
	ike_buf_put_u16_at(out, len_at, (uint16_t)len);
	return 0;
}

static int transform_encode(const struct ike_transform *t, bool last,
			    struct ike_buf *out, struct ike_error *err)
{
	size_t len_at;
	int rc;

	if (nested_begin(out, last, IKE_PL_TRANSFORM, &len_at) ||
	    ike_buf_append_u8(out, t->number) || ike_buf_append_u8(out, t->id) ||
	    ike_buf_append_u16(out, 0))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	rc = ike_attrs_encode(t->attrs, t->nattrs, out, err);
	return rc ? rc : nested_end(out, len_at, "transform", err);
}

static int proposal_encode(const struct ike_proposal *p, bool last,
			   struct ike_buf *out, struct ike_error *err)
{
	size_t len_at, i;
	int rc;

	if (!p->ntransforms || p->ntransforms > 255)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"proposal %u: %zu transforms", p->number,
				p->ntransforms);
	if (!spi_size_ok(p->protocol, (uint8_t)p->spi.len) || p->spi.len > 255)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"proposal %u: SPI size %zu invalid for protocol %u",
				p->number, p->spi.len, p->protocol);
	if (nested_begin(out, last, IKE_PL_PROPOSAL, &len_at) ||
	    ike_buf_append_u8(out, p->number) ||
	    ike_buf_append_u8(out, p->protocol) ||
	    ike_buf_append_u8(out, (uint8_t)p->spi.len) ||
	    ike_buf_append_u8(out, (uint8_t)p->ntransforms) ||
	    ike_buf_append(out, p->spi.ptr, p->spi.len))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < p->ntransforms; i++) {
		rc = transform_encode(&p->transforms[i], i + 1 == p->ntransforms,
				      out, err);
		if (rc)
			return rc;
	}
	return nested_end(out, len_at, "proposal", err);
}

static int sa_encode(const struct ike_payload *pl, struct ike_buf *out,
		     struct ike_error *err)
{
	const struct ike_sa *sa = &pl->u.sa;
	size_t i;
	int rc;

	if (!sa->nproposals)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "SA without proposals");
	if (ike_buf_append_u32(out, sa->doi) ||
	    ike_buf_append_u32(out, sa->situation))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < sa->nproposals; i++) {
		rc = proposal_encode(&sa->proposals[i], i + 1 == sa->nproposals,
				     out, err);
		if (rc)
			return rc;
	}
	return 0;
}

const struct ike_payload_ops ike_sa_ops = {
	.decode = sa_decode,
	.encode = sa_encode,
};
