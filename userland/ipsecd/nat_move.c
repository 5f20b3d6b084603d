// SPDX-License-Identifier: GPL-2.0
/*
 * Following a NAT-T peer to a new IP address; see nat_move.h.
 *
 * Only a peer whose ISAKMP SA floated to 4500 (NAT-T in use) is followed:
 * without a NAT in the path a new source address is not a rebinding.
 *
 * A transport-mode conn's selectors are the peer's address itself (the
 * NAT's public one, as we see it): they follow too, so its kipsec policies
 * and the IKE bypass are put there anew (kipsec moves only tunnel policies
 * with their SAs). Until they are, the peer's packets from the new address
 * are dropped as unprotected traffic; the peer retransmits. A transport
 * conn whose rightsubnet= an admin set to something else is not the
 * peer's address alone: it is refused with one log line.
 *
 * The conn's current peer (conn->peer, and conn->remote_ts where the
 * selectors are the peer) takes the new address, so that everything which
 * finds the peer through its conn (DPD, deletes, renewals, the ISAKMP SA
 * lookup, policies) keeps finding it. Its configuration stays what the
 * file says: a reload keeps the conn where it is now, and its pre-shared
 * key is still the one of its configured address (main_mode.c).
 */
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"

enum nat_move_verdict nat_move_judge(const struct isakmp_sa *sa,
				     const struct ip_addr *to,
				     bool fixed_selectors)
{
	if (ip_addr_equal(&sa->peer, to))
		return NAT_MOVE_SAME;
	if (!sa->nat.floated)
		return NAT_MOVE_NO_NAT;
	if (to->family != sa->peer.family)
		return NAT_MOVE_FAMILY;
	if (fixed_selectors)
		return NAT_MOVE_SELECTORS;
	return NAT_MOVE_FOLLOW;
}

const char *nat_move_verdict_name(enum nat_move_verdict v)
{
	switch (v) {
	case NAT_MOVE_FOLLOW:
		return "follow";
	case NAT_MOVE_SAME:
		return "same address";
	case NAT_MOVE_NO_NAT:
		return "no NAT traversal on the ISAKMP SA";
	case NAT_MOVE_FAMILY:
		return "an address of another family";
	case NAT_MOVE_SELECTORS:
		return "a transport-mode conn's rightsubnet= is not its peer's address alone";
	}
	return "?";
}

/* A transport conn's selectors that are the peer alone. */
static bool selectors_are_peer(const struct conn *c)
{
	struct subnet host;

	subnet_host(&host, &c->peer);
	return !c->cfg->tunnel && subnet_equal(&host, &c->remote_ts);
}

/* Transport selectors that are not the peer alone cannot follow it. */
static bool fixed_selectors(const struct conn *c)
{
	return !c->cfg->tunnel && c->children && !selectors_are_peer(c);
}

static bool bound_to(const struct conn *c, const struct ip_addr *local,
		     const struct ip_addr *peer)
{
	return ip_addr_equal(&c->cfg->left, local) &&
	       ip_addr_equal(&c->peer, peer);
}

void nat_move_conn_follow(struct conn *c, const struct ip_addr *to,
			  uint16_t port)
{
	if (selectors_are_peer(c))
		subnet_host(&c->remote_ts, to);
	c->peer = *to;
	c->peer_port = port;
}

/* One line per refused destination, not one per mapping event. */
static bool refusal_is_new(const struct ip_addr *from, const struct ip_addr *to)
{
	static struct ip_addr last_from, last_to;

	if (ip_addr_equal(&last_from, from) && ip_addr_equal(&last_to, to))
		return false;
	last_from = *from;
	last_to = *to;
	return true;
}

void nat_peer_moved(struct isakmp_sa *sa, const struct ip_addr *to,
		    uint16_t port)
{
	struct ip_addr old = sa->peer, local = sa->local;
	struct subnet old_host;
	char a[FORMAT_BUF_LEN], b[FORMAT_BUF_LEN];
	const char *name = sa->conn ? sa->conn->cfg->name : "?";
	enum nat_move_verdict v;
	unsigned int n = 0, failed = 0;
	bool fixed = false;
	struct isakmp_sa *s;
	struct child_sa *ch;
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (bound_to(c, &local, &old) && fixed_selectors(c)) {
			fixed = true;
			name = c->cfg->name;
		}
	v = nat_move_judge(sa, to, fixed);
	if (v == NAT_MOVE_SAME)
		return;
	ip_addr_format(&old, a, sizeof(a));
	ip_addr_format(to, b, sizeof(b));
	if (v != NAT_MOVE_FOLLOW) {
		if (refusal_is_new(&old, to))
			log_warn("%s: authentic traffic of peer %s now comes from %s: not followed (%s); the SAs stay at %s",
				 name, a, b, nat_move_verdict_name(v), a);
		return;
	}

	for (s = D->sas; s; s = s->next)
		if (ip_addr_equal(&s->local, &local) &&
		    ip_addr_equal(&s->peer, &old)) {
			s->peer = *to;
			if (s->nat.floated)
				s->peer_port = port;
		}
	policy_bypass_peer_moved(&local, &old, to);
	subnet_host(&old_host, &old);
	for (c = D->conns; c; c = c->next) {
		bool follows;

		if (!bound_to(c, &local, &old))
			continue;
		follows = selectors_are_peer(c);
		nat_move_conn_follow(c, to, port);
		for (ch = c->children; ch; ch = ch->next) {
			/* What ike list shows of the pair: where it is now. */
			if (follows && subnet_equal(&ch->remote_ts, &old_host))
				subnet_host(&ch->remote_ts, to);
			if (kernel_child_move(sa, ch, &old))
				failed++;
			else
				n++;
		}
		/*
		 * kipsec moves a tunnel's policies with its SAs; those of a
		 * conn without SAs (auto=route, held) and a transport conn's,
		 * whose selectors are the peer, are put there anew. Its IKE
		 * bypass moved above, once for all its users.
		 */
		if ((!c->children || follows) && policy_conn_moved(c))
			failed++;
	}
	sa->nat.rebinds++;
	log_info("%s: peer %s now seen at %s port %u (its NAT's public address changed): the ISAKMP SA and %u IPsec SA pair%s follow it%s",
		 name, a, b, port, n, n == 1 ? "" : "s",
		 failed ? " (some could not be moved)" : "");
}

/*
 * The message being handled, when it came from another address than its
 * ISAKMP SA's peer; nat_move_authenticated() follows it only once it
 * verified. One message is handled at a time, start to end.
 */
static struct {
	const struct isakmp_sa *sa;
	struct ip_addr from;
	uint16_t port;
} pending;

struct isakmp_sa *nat_move_rx(struct isakmp_sa *sa, const struct ip_addr *from,
			      uint16_t port, uint16_t local_port)
{
	pending.sa = NULL;
	if (!sa || ip_addr_equal(&sa->peer, from))
		return sa;
	/* Only IKE on 4500 with the marker: NAT-T, as the peer floated. */
	if (sa->state != ISAKMP_ESTABLISHED || !sa->nat.floated ||
	    local_port != IKE_NATT_PORT || from->family != sa->peer.family)
		return NULL;
	pending.sa = sa;
	pending.from = *from;
	pending.port = port;
	return sa;
}

void nat_move_authenticated(struct isakmp_sa *sa)
{
	if (!pending.sa || pending.sa != sa)
		return;
	pending.sa = NULL;
	nat_peer_moved(sa, &pending.from, pending.port);
}
