// SPDX-License-Identifier: GPL-2.0
/*
 * Identification payload (RFC 2407 4.6.2). Address types must have exactly
 * the size of their addresses, because Quick Mode compares client IDs
 * byte for byte and a sloppy length would make two IDs "equal" or not
 * depending on garbage.
 */
#include <string.h>

#include "ike/ike_internal.h"

size_t ike_id_addr_len(uint8_t type)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return 4;
	case IKE_ID_IPV4_ADDR_SUBNET:
	case IKE_ID_IPV4_ADDR_RANGE:
		return 8;
	case IKE_ID_IPV6_ADDR:
		return 16;
	case IKE_ID_IPV6_ADDR_SUBNET:
	case IKE_ID_IPV6_ADDR_RANGE:
		return 32;
	}
	return 0;
}

static bool id_type_known(uint8_t type)
{
	return type >= IKE_ID_IPV4_ADDR && type <= IKE_ID_KEY_ID;
}

static int id_decode(struct ike_payload *pl, struct ike_arena *arena,
		     struct ike_error *err)
{
	struct ike_id *id = &pl->u.id;
	struct ike_reader r;
	size_t addr_len;

	(void)arena;
	ike_reader_init(&r, pl->body.ptr, pl->body.len);
	if (!ike_get_u8(&r, &id->type) || !ike_get_u8(&r, &id->protocol) ||
	    !ike_get_u16(&r, &id->port))
		return ike_fail(err, IKE_ERR_TRUNCATED, IKE_N_INVALID_ID_INFORMATION,
				"ID payload shorter than its 4-byte header");
	if (!id_type_known(id->type))
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_ID_INFORMATION,
				"unknown ID type %u", id->type);
	ike_get_bytes(&r, ike_reader_left(&r), &id->data);
	addr_len = ike_id_addr_len(id->type);
	if (addr_len) {
		if (id->data.len != addr_len)
			return ike_fail(err, IKE_ERR_LENGTH,
					IKE_N_INVALID_ID_INFORMATION,
					"ID type %u needs %zu address bytes, has %zu",
					id->type, addr_len, id->data.len);
		memcpy(&id->addr, id->data.ptr, addr_len);
	} else if (!id->data.len) {
		return ike_fail(err, IKE_ERR_LENGTH, IKE_N_INVALID_ID_INFORMATION,
				"ID type %u with empty data", id->type);
	}
	return 0;
}

static int id_encode(const struct ike_payload *pl, struct ike_buf *out,
		     struct ike_error *err)
{
	const struct ike_id *id = &pl->u.id;
	size_t addr_len = ike_id_addr_len(id->type);
	int rc;

	if (!id_type_known(id->type))
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "unknown ID type %u",
				id->type);
	if (ike_buf_append_u8(out, id->type) ||
	    ike_buf_append_u8(out, id->protocol) ||
	    ike_buf_append_u16(out, id->port))
		return ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory");
	if (addr_len)
		rc = ike_buf_append(out, &id->addr, addr_len);
	else if (!id->data.len)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0,
				"ID type %u with empty data", id->type);
	else
		rc = ike_buf_append(out, id->data.ptr, id->data.len);
	return rc ? ike_fail(err, IKE_ERR_NOMEM, 0, "out of memory") : 0;
}

const struct ike_payload_ops ike_id_ops = {
	.decode = id_decode,
	.encode = id_encode,
};

static void prefix_mask(uint8_t *mask, size_t len, unsigned int prefix_len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (prefix_len >= 8) {
			mask[i] = 0xff;
			prefix_len -= 8;
		} else {
			mask[i] = (uint8_t)(0xff << (8 - prefix_len));
			prefix_len = 0;
		}
	}
}

static void id_reset(struct ike_id *id, uint8_t type)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
}

void ike_id_ipv4(struct ike_id *id, const struct in_addr *addr)
{
	id_reset(id, IKE_ID_IPV4_ADDR);
	id->addr.v4[0] = *addr;
}

void ike_id_ipv4_subnet(struct ike_id *id, const struct in_addr *addr,
			unsigned int prefix_len)
{
	uint8_t *a, *m;
	size_t i;

	id_reset(id, IKE_ID_IPV4_ADDR_SUBNET);
	if (prefix_len > 32)
		prefix_len = 32;
	id->addr.v4[0] = *addr;
	a = (uint8_t *)&id->addr.v4[0];
	m = (uint8_t *)&id->addr.v4[1];
	prefix_mask(m, 4, prefix_len);
	/* Peers compare IDs byte-wise, so host bits must be zero. */
	for (i = 0; i < 4; i++)
		a[i] &= m[i];
}

void ike_id_ipv6(struct ike_id *id, const struct in6_addr *addr)
{
	id_reset(id, IKE_ID_IPV6_ADDR);
	id->addr.v6[0] = *addr;
}

void ike_id_ipv6_subnet(struct ike_id *id, const struct in6_addr *addr,
			unsigned int prefix_len)
{
	uint8_t *a, *m;
	size_t i;

	id_reset(id, IKE_ID_IPV6_ADDR_SUBNET);
	if (prefix_len > 128)
		prefix_len = 128;
	id->addr.v6[0] = *addr;
	a = id->addr.v6[0].s6_addr;
	m = id->addr.v6[1].s6_addr;
	prefix_mask(m, 16, prefix_len);
	for (i = 0; i < 16; i++)
		a[i] &= m[i];
}
