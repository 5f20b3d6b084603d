// SPDX-License-Identifier: GPL-2.0
/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3): "I have no SA with you: whatever
 * you still hold for me is stale". A peer that restarted (crashed, or was
 * killed) has lost its keys, and the SAs the other side keeps for it only
 * black-hole traffic until they expire.
 *
 *   sending     in MM5 (the Main Mode initiator's authenticated message),
 *               when we have no other established ISAKMP SA with the peer,
 *               as strongSwan and Windows do;
 *   receiving   in MM5 or MM6 once its HASH has verified (the notification
 *               is encrypted and covered by the exchange, so only the peer
 *               can send it): every other established ISAKMP SA with the
 *               peer and every IPsec SA of the conns with this pair of
 *               addresses is deleted, from kipsec too, without Deletes
 *               (the peer has nothing to delete). ISAKMP SAs still in Main
 *               Mode are left alone: ours may be one the peer answers.
 */
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

bool initial_contact_wanted(const struct isakmp_sa *sa)
{
	const struct isakmp_sa *o;

	for (o = D->sas; o; o = o->next)
		if (o != sa && o->state == ISAKMP_ESTABLISHED &&
		    ip_addr_equal(&o->local, &sa->local) &&
		    ip_addr_equal(&o->peer, &sa->peer))
			return false;
	return true;
}

int initial_contact_payload(struct ike_payload *pl, struct ike_arena *arena,
			    const struct isakmp_sa *sa)
{
	uint8_t *spi = ike_arena_alloc(arena, 1, 2 * IKE_COOKIE_LEN);

	if (!spi)
		return -1;
	memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
	pl->type = IKE_PL_NOTIFY;
	pl->u.notify.doi = IKE_DOI_IPSEC;
	pl->u.notify.protocol = IKE_PROTO_ISAKMP;
	pl->u.notify.type = IKE_N_INITIAL_CONTACT;
	pl->u.notify.spi.ptr = spi;
	pl->u.notify.spi.len = 2 * IKE_COOKIE_LEN;
	return 0;
}

static void purge_peer(struct isakmp_sa *sa)
{
	unsigned int nsa = 0, nchild = 0;
	struct isakmp_sa *o;
	struct conn *c;
	char a[FORMAT_BUF_LEN];

	for (o = D->sas; o; o = o->next) {
		if (o == sa || o->state != ISAKMP_ESTABLISHED ||
		    !ip_addr_equal(&o->local, &sa->local) ||
		    !ip_addr_equal(&o->peer, &sa->peer))
			continue;
		isakmp_sa_fail(o, NULL);
		nsa++;
	}
	for (c = D->conns; c; c = c->next) {
		if (!ip_addr_equal(&c->cfg->left, &sa->local) ||
		    !ip_addr_equal(&c->peer, &sa->peer))
			continue;
		while (c->children) {
			conn_child_delete(c, c->children, false);
			nchild++;
		}
	}
	/* The usual case, a first contact, has nothing to clear. */
	log_msg(nsa || nchild ? LOG_LVL_INFO : LOG_LVL_DEBUG,
		"%s: INITIAL-CONTACT from %s: deleted %u stale ISAKMP SA%s and %u IPsec SA pair%s of the peer",
		sa->conn->cfg->name, ip_addr_format(&sa->peer, a, sizeof(a)),
		nsa, nsa == 1 ? "" : "s", nchild, nchild == 1 ? "" : "s");
}

void initial_contact_receive(struct isakmp_sa *sa, const struct ike_message *rx)
{
	size_t i;

	for (i = 0; i < rx->npayloads; i++) {
		const struct ike_payload *p = &rx->payloads[i];

		if (p->type == IKE_PL_NOTIFY &&
		    p->u.notify.type == IKE_N_INITIAL_CONTACT) {
			purge_peer(sa);
			return;
		}
	}
}
