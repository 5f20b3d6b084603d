// SPDX-License-Identifier: GPL-2.0
/*
 * NAT-T dialects, their wire numbers, and NAT-D (RFC 3947; the drafts'
 * numbers from draft-ietf-ipsec-nat-t-ike-02/03 and
 * draft-ietf-ipsec-udp-encaps, as strongSwan and Libreswan use them).
 */
#include <string.h>

#include "ike/crypto.h"
#include "ike/ike_internal.h"
#include "ike/nat_t.h"

/* Payload types and encapsulation modes of the drafts (private use). */
#define NATT_DRAFT_PL_NAT_D		130
#define NATT_DRAFT_PL_NAT_OA		131
#define NATT_DRAFT_ENCAP_UDP_TUNNEL	61443
#define NATT_DRAFT_ENCAP_UDP_TRANSPORT	61444

/* Each ID is MD5 of its name (checked by tests/unit/test_ike_nat_t.c). */
const struct ike_natt_vid ike_natt_vids[] = {
	{ IKE_NATT_RFC3947, "RFC 3947",
	  { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	    0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f } },
	{ IKE_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03",
	  { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	    0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 } },
	{ IKE_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02\\n",
	  { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	    0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f } },
	{ IKE_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02",
	  { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
	    0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 } },
};
const size_t ike_natt_nvids = sizeof(ike_natt_vids) / sizeof(ike_natt_vids[0]);

enum ike_natt_dialect ike_natt_vid_dialect(struct ike_bytes vid)
{
	size_t i;

	if (vid.len != IKE_NATT_VID_LEN)
		return IKE_NATT_NONE;
	for (i = 0; i < ike_natt_nvids; i++)
		if (!memcmp(vid.ptr, ike_natt_vids[i].id, IKE_NATT_VID_LEN))
			return ike_natt_vids[i].dialect;
	return IKE_NATT_NONE;
}

enum ike_natt_dialect ike_natt_message_dialect(const struct ike_message *msg)
{
	enum ike_natt_dialect best = IKE_NATT_NONE, d;
	size_t i;

	for (i = 0; i < msg->npayloads; i++) {
		if (msg->payloads[i].type != IKE_PL_VENDOR)
			continue;
		d = ike_natt_vid_dialect(msg->payloads[i].u.data);
		if (d > best)
			best = d;
	}
	return best;
}

const char *ike_natt_dialect_name(enum ike_natt_dialect d)
{
	switch (d) {
	case IKE_NATT_RFC3947: return "RFC 3947";
	case IKE_NATT_DRAFT_03: return "draft-03";
	case IKE_NATT_DRAFT_02: return "draft-02";
	case IKE_NATT_NONE: break;
	}
	return "none";
}

uint8_t ike_natt_natd_type(enum ike_natt_dialect d)
{
	return d == IKE_NATT_RFC3947 ? IKE_PL_NAT_D :
	       d == IKE_NATT_NONE ? 0 : NATT_DRAFT_PL_NAT_D;
}

uint8_t ike_natt_natoa_type(enum ike_natt_dialect d)
{
	return d == IKE_NATT_RFC3947 ? IKE_PL_NAT_OA :
	       d == IKE_NATT_NONE ? 0 : NATT_DRAFT_PL_NAT_OA;
}

uint16_t ike_natt_encap_udp_tunnel(enum ike_natt_dialect d)
{
	return d == IKE_NATT_RFC3947 ? IKE_ENCAP_UDP_TUNNEL :
	       d == IKE_NATT_NONE ? 0 : NATT_DRAFT_ENCAP_UDP_TUNNEL;
}

uint16_t ike_natt_encap_udp_transport(enum ike_natt_dialect d)
{
	return d == IKE_NATT_RFC3947 ? IKE_ENCAP_UDP_TRANSPORT :
	       d == IKE_NATT_NONE ? 0 : NATT_DRAFT_ENCAP_UDP_TRANSPORT;
}

int ike_natt_encap_fold(uint16_t mode, uint16_t *base, bool *udp)
{
	switch (mode) {
	case IKE_ENCAP_TUNNEL:
	case IKE_ENCAP_TRANSPORT:
		*base = mode;
		*udp = false;
		return 0;
	case IKE_ENCAP_UDP_TUNNEL:
	case NATT_DRAFT_ENCAP_UDP_TUNNEL:
		*base = IKE_ENCAP_TUNNEL;
		*udp = true;
		return 0;
	case IKE_ENCAP_UDP_TRANSPORT:
	case NATT_DRAFT_ENCAP_UDP_TRANSPORT:
		*base = IKE_ENCAP_TRANSPORT;
		*udp = true;
		return 0;
	}
	return -1;
}

int ike_natd_hash(uint16_t hash, const uint8_t *cky_i, const uint8_t *cky_r,
		  const uint8_t *addr, size_t addr_len, uint16_t port,
		  uint8_t *out)
{
	uint8_t port_be[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	struct ike_bytes parts[4] = {
		{ cky_i, IKE_COOKIE_LEN }, { cky_r, IKE_COOKIE_LEN },
		{ addr, addr_len }, { port_be, sizeof(port_be) },
	};

	if ((addr_len != 4 && addr_len != 16) || !ike_hash_len(hash))
		return -1;
	return ike_hash(hash, parts, 4, out);
}

int ike_natd_check(const struct ike_message *msg, uint8_t natd_type,
		   const uint8_t *expected_local, const uint8_t *expected_peer,
		   size_t hash_len, struct ike_natd_result *res,
		   struct ike_error *err)
{
	const struct ike_payload *pl;
	size_t i, n = 0;
	bool peer_seen = false;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < msg->npayloads; i++) {
		pl = &msg->payloads[i];
		if (pl->type != natd_type)
			continue;
		if (pl->u.data.len != hash_len)
			return ike_fail(err, IKE_ERR_LENGTH, IKE_N_PAYLOAD_MALFORMED,
					"NAT-D of %zu bytes, the hash has %zu",
					pl->u.data.len, hash_len);
		if (n++ == 0)
			res->local_behind_nat =
				!ike_equal(pl->u.data.ptr, expected_local, hash_len);
		else if (ike_equal(pl->u.data.ptr, expected_peer, hash_len))
			peer_seen = true;
	}
	if (!n)
		return 0;
	/* RFC 3947 3.2: at least one for the peer's end and one for ours. */
	if (n < 2)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
				"one NAT-D payload, at least two needed");
	res->present = true;
	res->peer_behind_nat = !peer_seen;
	return 0;
}

int ike_nat_oa_body(const struct ike_nat_oa *oa, struct ike_buf *out)
{
	struct ike_payload pl = { .type = IKE_PL_NAT_OA };

	pl.u.nat_oa = *oa;
	return ike_nat_oa_ops.encode(&pl, out, NULL);
}

int ike_nat_oa_parse(struct ike_bytes body, struct ike_nat_oa *oa,
		     struct ike_error *err)
{
	struct ike_payload pl = { .type = IKE_PL_NAT_OA, .body = body };
	int rc = ike_nat_oa_ops.decode(&pl, NULL, err);

	if (!rc)
		*oa = pl.u.nat_oa;
	return rc;
}
