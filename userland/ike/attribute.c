// SPDX-License-Identifier: GPL-2.0
/*
 * Data attributes (RFC 2408 3.3). The AF bit selects the 4-byte TV form or
 * the TLV form with a 16-bit length. Repeated types are legal here: life
 * type/duration pairs repeat by design (RFC 2407 4.5), so duplicates are
 * judged by proposal.c, which knows what each type means.
 */
#include "ike/ike_internal.h"

#define IKE_ATTR_AF	0x8000

static int attr_read(struct ike_reader *r, struct ike_attr *attr,
		     struct ike_error *err)
{
	uint16_t type, len_or_value;
	size_t i;

	if (!ike_get_u16(r, &type) || !ike_get_u16(r, &len_or_value))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"attribute header truncated");
	attr->type = type & ~IKE_ATTR_AF;
	attr->basic = type & IKE_ATTR_AF;
	if (attr->basic) {
		attr->value = len_or_value;
		attr->data.ptr = NULL;
		attr->data.len = 0;
		return 0;
	}
	if (!ike_get_bytes(r, len_or_value, &attr->data))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_PAYLOAD_MALFORMED,
				"attribute %u: value of %u bytes overruns its transform",
				attr->type, len_or_value);
	attr->value = 0;
	if (attr->data.len <= 8)
		for (i = 0; i < attr->data.len; i++)
			attr->value = attr->value << 8 | attr->data.ptr[i];
	return 0;
}

int ike_attrs_decode(const uint8_t *p, size_t len, struct ike_arena *arena,
		     struct ike_attr **attrs, size_t *nattrs,
		     struct ike_error *err)
{
	struct ike_reader r;
	struct ike_attr scratch, *out;
	size_t n = 0, i;
	int rc;

	/* First pass validates and counts, so the array is sized exactly. */
	ike_reader_init(&r, p, len);
	while (ike_reader_left(&r)) {
		rc = attr_read(&r, &scratch, err);
		if (rc)
			return rc;
		n++;
	}
	*nattrs = n;
	*attrs = NULL;
	if (!n)
		return 0;
	out = ike_arena_alloc(arena, n, sizeof(*out));
	if (!out)
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	ike_reader_init(&r, p, len);
	for (i = 0; i < n; i++)
		attr_read(&r, &out[i], err);
	*attrs = out;
	return 0;
}

static int attr_encode(const struct ike_attr *a, struct ike_buf *out,
		       struct ike_error *err)
{
	size_t i;

	if (a->type & IKE_ATTR_AF)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"attribute type %#x does not fit 15 bits", a->type);
	if (a->basic) {
		if (a->value > 0xffff)
			return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
					"attribute %u: value %llu does not fit the TV form",
					a->type, (unsigned long long)a->value);
		if (ike_buf_append_u16(out, a->type | IKE_ATTR_AF) ||
		    ike_buf_append_u16(out, (uint16_t)a->value))
			goto nomem;
		return 0;
	}
	if (a->data.len > 0xffff)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"attribute %u: value too long", a->type);
	if (ike_buf_append_u16(out, a->type) ||
	    ike_buf_append_u16(out, (uint16_t)a->data.len))
		goto nomem;
	if (a->data.ptr) {
		if (ike_buf_append(out, a->data.ptr, a->data.len))
			goto nomem;
		return 0;
	}
	if (a->data.len > 8)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"attribute %u: integer TLV wider than 8 bytes", a->type);
	for (i = a->data.len; i > 0; i--)
		if (ike_buf_append_u8(out, (uint8_t)(a->value >> (8 * (i - 1)))))
			goto nomem;
	return 0;
nomem:
	return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
}

int ike_attrs_encode(const struct ike_attr *attrs, size_t n,
		     struct ike_buf *out, struct ike_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = attr_encode(&attrs[i], out, err);
		if (rc)
			return rc;
	}
	return 0;
}

const struct ike_attr *ike_transform_attr(const struct ike_transform *t,
					  uint16_t type)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].type == type)
			return &t->attrs[i];
	return NULL;
}

int ike_attr_u64(const struct ike_attr *attr, uint64_t *value)
{
	size_t i, start = 0;

	if (attr->basic || !attr->data.ptr) {
		*value = attr->value;
		return 0;
	}
	/* Leading zero bytes do not change the number; peers do send them. */
	while (start < attr->data.len && attr->data.ptr[start] == 0)
		start++;
	if (attr->data.len - start > 8)
		return -1;
	*value = 0;
	for (i = start; i < attr->data.len; i++)
		*value = *value << 8 | attr->data.ptr[i];
	return 0;
}

struct ike_attr ike_attr_number(uint16_t type, uint32_t value)
{
	struct ike_attr a = { .type = type, .value = value };

	if (value <= 0xffff) {
		a.basic = true;
	} else {
		a.basic = false;
		a.data.ptr = NULL;
		a.data.len = 4;
	}
	return a;
}
