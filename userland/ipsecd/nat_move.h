/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Following a NAT-T peer to a new IP address (its NAT got a new public
 * address, or moved the mapping to another one). nat_t.c follows a new
 * port alone; this is the address change, which also moves the conns'
 * peer, the IPsec SAs' identities and, in kipsec, the tunnel policies.
 */
#ifndef IPSECD_NAT_MOVE_H
#define IPSECD_NAT_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/format.h"

struct conn;
struct isakmp_sa;

enum nat_move_verdict {
	NAT_MOVE_FOLLOW,
	NAT_MOVE_SAME,		/* not a new address */
	NAT_MOVE_NO_NAT,	/* no NAT-T on this ISAKMP SA: not a NAT's doing */
	NAT_MOVE_FAMILY,	/* an address of another family */
	NAT_MOVE_SELECTORS,	/* a transport conn's rightsubnet= is not the peer alone */
};

/* Whether the peer of sa, seen at to, is followed there. Pure. */
enum nat_move_verdict nat_move_judge(const struct isakmp_sa *sa,
				     const struct ip_addr *to,
				     bool fixed_selectors);
const char *nat_move_verdict_name(enum nat_move_verdict v);

/*
 * Authentic traffic of sa (IKE or ESP) came from to:port, another address
 * than sa->peer: move every ISAKMP SA with the peer, the conns bound to it
 * and their IPsec SAs (both directions, in place: same SPIs) there, or say
 * once in the log why not.
 */
void nat_peer_moved(struct isakmp_sa *sa, const struct ip_addr *to,
		    uint16_t port);

/*
 * The conn's current peer becomes to:port, and so do its selectors where
 * they are the peer alone (a transport conn's). Pure: kipsec is not told.
 */
void nat_move_conn_follow(struct conn *c, const struct ip_addr *to,
			  uint16_t port);

/*
 * An IKE message with sa's cookies arrived from from:port on our
 * local_port. Returns sa when it may be handled (its peer, or a NAT-T
 * peer's new address, then followed by nat_move_authenticated() if the
 * message verifies), NULL when it is not sa's.
 */
struct isakmp_sa *nat_move_rx(struct isakmp_sa *sa, const struct ip_addr *from,
			      uint16_t port, uint16_t local_port);
void nat_move_authenticated(struct isakmp_sa *sa);

#endif
