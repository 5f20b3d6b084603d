/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT traversal for IKEv1 (RFC 3947 negotiation, RFC 3948 encapsulation):
 * which NAT-T dialect a peer speaks (from its vendor IDs), the numbers that
 * dialect uses on the wire, and the NAT-D hash.
 *
 * Dialects: RFC 3947 itself, and the drafts that predate it and that
 * strongSwan, Libreswan and Windows still send or accept. The drafts use
 * private-use payload types for NAT-D/NAT-OA and private encapsulation
 * modes; RFC 3947 uses the IANA-assigned ones. A peer that sends several
 * vendor IDs gets the newest dialect both sides know.
 */
#ifndef KIPSEC_IKE_NAT_T_H
#define KIPSEC_IKE_NAT_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define IKE_NATT_PORT		4500
/* RFC 3948 2.2: a 4-byte zero "non-ESP marker" before IKE on port 4500. */
#define IKE_NATT_MARKER_LEN	4
/* RFC 3948 2.3: a NAT-keepalive is one byte of 0xFF. */
#define IKE_NATT_KEEPALIVE	0xff

/* Ordered: a higher value is preferred. */
enum ike_natt_dialect {
	IKE_NATT_NONE = 0,
	IKE_NATT_DRAFT_02,	/* draft-ietf-ipsec-nat-t-ike-02 and its "\n" twin */
	IKE_NATT_DRAFT_03,	/* draft-ietf-ipsec-nat-t-ike-03 */
	IKE_NATT_RFC3947,
};

/* Vendor ID lengths: every NAT-T vendor ID is an MD5 digest. */
#define IKE_NATT_VID_LEN	16

/* The vendor IDs we send in MM1/MM2, in the order we send them. */
struct ike_natt_vid {
	enum ike_natt_dialect dialect;
	const char *name;			/* the MD5 input, for logs */
	uint8_t id[IKE_NATT_VID_LEN];
};
extern const struct ike_natt_vid ike_natt_vids[];
extern const size_t ike_natt_nvids;

/* The dialect a vendor ID announces, IKE_NATT_NONE for any other VID. */
enum ike_natt_dialect ike_natt_vid_dialect(struct ike_bytes vid);
/* The best dialect among a message's vendor IDs. */
enum ike_natt_dialect ike_natt_message_dialect(const struct ike_message *msg);
const char *ike_natt_dialect_name(enum ike_natt_dialect d);

/* Wire numbers of a dialect (0 for IKE_NATT_NONE). */
uint8_t ike_natt_natd_type(enum ike_natt_dialect d);
uint8_t ike_natt_natoa_type(enum ike_natt_dialect d);
uint16_t ike_natt_encap_udp_tunnel(enum ike_natt_dialect d);
uint16_t ike_natt_encap_udp_transport(enum ike_natt_dialect d);
/*
 * Folds a received encapsulation mode to IKE_ENCAP_TUNNEL/TRANSPORT and
 * says whether it was a UDP one. Returns -1 for a mode the dialect does not
 * have (a draft mode under RFC 3947 is accepted: peers mix them up).
 */
int ike_natt_encap_fold(uint16_t mode, uint16_t *base, bool *udp);

/*
 * NAT-D (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | port) with the
 * negotiated hash (the plain hash, not the prf); addr is 4 or 16 bytes in
 * network order, port in host order. out holds ike_hash_len(hash) bytes.
 */
int ike_natd_hash(uint16_t hash, const uint8_t *cky_i, const uint8_t *cky_r,
		  const uint8_t *addr, size_t addr_len, uint16_t port,
		  uint8_t *out);

/*
 * What the NAT-D payloads of a received MM3/MM4 say (RFC 3947 3.2): the
 * first carries the hash of the address and port the peer sent to (ours
 * as it saw them), the others those it may have sent from. expected_local
 * and expected_peer are the hashes of our address/port and of the peer's
 * address/port as we see them.
 */
struct ike_natd_result {
	bool present;		/* the message carried NAT-D payloads */
	bool local_behind_nat;	/* the peer saw us elsewhere */
	bool peer_behind_nat;	/* the peer is not where it says it is */
};
int ike_natd_check(const struct ike_message *msg, uint8_t natd_type,
		   const uint8_t *expected_local, const uint8_t *expected_peer,
		   size_t hash_len, struct ike_natd_result *res,
		   struct ike_error *err);

/*
 * The body of a NAT-OA payload (ID type, three reserved bytes, address),
 * for the drafts' private payload type that the codec keeps opaque.
 */
int ike_nat_oa_body(const struct ike_nat_oa *oa, struct ike_buf *out);
int ike_nat_oa_parse(struct ike_bytes body, struct ike_nat_oa *oa,
		     struct ike_error *err);

#endif
