/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT traversal in ipsecd (RFC 3947, RFC 3948), in nat_t.c: the NAT-T
 * vendor IDs of MM1/MM2, NAT-D in MM3/MM4, the move to UDP 4500 when a
 * NAT is found, UDP-encapsulated Quick Mode offers (no AH across a NAT),
 * the encapsulation ports of the SAs, keepalives from the side behind the
 * NAT, and following the peer when its NAT mapping changes (rebinding).
 *
 * The hooks it has in the rest of ipsecd are one call each: the exchange
 * code asks for payloads and hands over what it received; the transport
 * sends through nat_send(); kernel.c asks for the ports of an SA.
 */
#ifndef IPSECD_NAT_T_H
#define IPSECD_NAT_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/nat_t.h"
#include "ike/proposal.h"
#include "ipsecd/timer.h"

struct isakmp_sa;
struct conn_config;
struct json_writer;

struct nat_state {
	enum ike_natt_dialect dialect;	/* both ends sent a NAT-T vendor ID */
	bool detected;			/* NAT-D found a NAT on the path */
	bool local_behind;		/* ... in front of us */
	bool peer_behind;		/* ... in front of the peer */
	bool floated;			/* IKE on port 4500, with the marker */
	/*
	 * Where the message being handled arrived (our port, the peer's
	 * port); taken over by nat_authenticated() only once that message
	 * proved authentic, so a forged datagram cannot move the SA.
	 */
	uint16_t rx_local_port, rx_peer_port;
	unsigned int rebinds;		/* peer port changes followed */
	bool timer_ready;
	struct timer keepalive;
};

void nat_sa_init(struct isakmp_sa *sa);
void nat_sa_cleanup(struct isakmp_sa *sa);

/* MM1 (initiator) and MM2 (responder, only the dialect it chose). */
size_t nat_vid_payloads(const struct isakmp_sa *sa, struct ike_payload *pl,
			size_t max);
/* The peer's vendor IDs of MM1 or MM2. */
void nat_vids_received(struct isakmp_sa *sa, const struct ike_message *rx);
/* NAT-D of MM3/MM4: the peer's end first, then ours; -1 on error. */
int nat_natd_payloads(struct isakmp_sa *sa, struct ike_arena *arena,
		      struct ike_payload *pl, size_t max);
/* The peer's NAT-D of MM3/MM4; an ISAKMP notify type or -1 on error. */
int nat_natd_received(struct isakmp_sa *sa, const struct ike_message *rx);

/* A datagram for sa arrived on our local_port from the peer's port. */
void nat_rx(struct isakmp_sa *sa, uint16_t local_port, uint16_t peer_port);
/* The message last given to nat_rx() verified: follow the peer. */
void nat_authenticated(struct isakmp_sa *sa);
/*
 * kipsec saw authentic ESP of our inbound SA spi (to dst) arrive from
 * src:sport, not where the SA expects the peer: the peer's NAT mapping
 * changed (RFC 3948 keeps the IKE and ESP ports the same), follow it.
 */
void nat_mapping(uint32_t spi, const struct ip_addr *dst,
		 const struct ip_addr *src, uint16_t sport);
/* Main Mode is done: keepalives start when we are behind a NAT. */
void nat_established(struct isakmp_sa *sa);

/* Sends an IKE message of sa from 500, or from 4500 with the marker. */
int nat_send(const struct isakmp_sa *sa, const uint8_t *data, size_t len);

/*
 * The conn's phase-2 bundles as they must be offered or accepted over sa:
 * with a NAT, UDP-encapsulated modes in sa's dialect, and none with AH
 * (RFC 3947 5: AH cannot cross a NAT; said in the log). Returns how many.
 */
size_t nat_p2_bundles(const struct isakmp_sa *sa, const struct conn_config *cfg,
		      struct ike_p2_bundle *out, size_t max, const char *name);
/* The UDP encapsulation ports of an SA of suite s, false for none. */
bool nat_sa_encap(const struct isakmp_sa *sa, const struct ike_p2_suite *s,
		  bool inbound, uint16_t *sport, uint16_t *dport);
/*
 * NAT-OA payloads (RFC 3947 5.2) for a transport-mode Quick Mode over a
 * NAT: the initiator's address and the responder's, as the sender sees
 * them. Returns how many were added, -1 on error.
 */
int nat_oa_payloads(const struct isakmp_sa *sa, bool tunnel, bool initiator,
		    struct ike_arena *arena, struct ike_payload *pl, size_t max);

/* For "ipsecctl ike list": one line of text, or a "nat" JSON object. */
const char *nat_describe(const struct isakmp_sa *sa, char *buf, size_t len);
void nat_json(struct json_writer *w, const struct isakmp_sa *sa);

#endif
