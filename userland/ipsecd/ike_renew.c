// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP SA renewal: a new Main Mode before the ISAKMP SA expires, so that
 * rekeys and Deletes of the IPsec SAs always find one. IKEv1 has no
 * rekeying of phase 1 as such: the replacement is an independent ISAKMP SA
 * with new cookies, and the old one is deleted with a Delete payload once
 * nothing runs under it any more. The IPsec SAs are not touched (they
 * belong to their conn, not to an ISAKMP SA), so traffic does not notice.
 *
 *   soft limit  ikelifetime - margin - random(margin x rekeyfuzz), margin
 *               being the conn's rekeymargin (a tenth of ikelifetime when
 *               that is shorter), for the side that initiated the SA; the
 *               responder waits until ikelifetime - margin / 2, so that
 *               normally only one side renews. Renewal happens only while
 *               a conn with this peer has IPsec SAs (or is wanted up);
 *               an idle ISAKMP SA just expires, as with strongSwan.
 *   replacement established: the replaced SA is deleted (Delete to the
 *               peer) as soon as no exchange runs under it, at the latest
 *               RETIRE_MAX_MS later.
 *   collision   both sides renewed at once: both new SAs get established
 *               on both sides. Each side, when its own renewal completes,
 *               keeps of its new SA and any other new one with the peer
 *               the one with the greater initiator cookie, so both keep
 *               the same, and deletes the other.
 */
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

#define RETIRE_POLL_MS 500
#define RETIRE_MAX_MS 30000

static bool same_peer(const struct isakmp_sa *a, const struct isakmp_sa *b)
{
	return ip_addr_equal(&a->local, &b->local) &&
	       ip_addr_equal(&a->peer, &b->peer);
}

/*
 * D->sas is newest first: a later SA with the peer was created after sa.
 * The state of the newest such one that is not dead, ISAKMP_DEAD if none.
 */
static enum isakmp_state newer_sa(const struct isakmp_sa *sa)
{
	const struct isakmp_sa *o;
	enum isakmp_state st = ISAKMP_DEAD;

	for (o = D->sas; o && o != sa; o = o->next)
		if (o->state == ISAKMP_ESTABLISHED && same_peer(o, sa))
			return ISAKMP_ESTABLISHED;
		else if (o->state == ISAKMP_NEGOTIATING && same_peer(o, sa))
			st = ISAKMP_NEGOTIATING;
	return st;
}

/* Whether a conn with this peer still needs an ISAKMP SA. */
static bool peer_in_use(const struct isakmp_sa *sa)
{
	const struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (ip_addr_equal(&c->cfg->left, &sa->local) &&
		    ip_addr_equal(&c->peer, &sa->peer) &&
		    (c->children || c->wanted))
			return true;
	return false;
}

static bool exchanges_pending(const struct isakmp_sa *sa)
{
	const struct exchange *x;

	for (x = sa->exchanges; x; x = x->next)
		if (!x->done && !x->failed)
			return true;
	return false;
}

static void delete_now(struct isakmp_sa *sa, const char *why)
{
	uint8_t spi[2 * IKE_COOKIE_LEN];

	log_info("%s: deleting the %s ISAKMP SA and telling the peer",
		 sa->conn->cfg->name, why);
	memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
	info_send_delete(sa, IKE_PROTO_ISAKMP, spi, sizeof(spi), 1);
	isakmp_sa_fail(sa, NULL);
}

static void retire_check(struct isakmp_sa *sa)
{
	if (sa->state != ISAKMP_ESTABLISHED)
		return;
	if (exchanges_pending(sa) && timer_now_ms() < sa->retire_deadline_ms) {
		timer_arm(&sa->retire, RETIRE_POLL_MS);
		return;
	}
	delete_now(sa, "replaced");
}

static void retire_fired(struct timer *t)
{
	retire_check((struct isakmp_sa *)((char *)t -
					  offsetof(struct isakmp_sa, retire)));
}

static void retire(struct isakmp_sa *sa)
{
	if (sa->retiring || sa->state != ISAKMP_ESTABLISHED)
		return;
	sa->retiring = true;
	sa->retire_deadline_ms = timer_now_ms() + RETIRE_MAX_MS;
	retire_check(sa);
}

static void renew_fired(struct timer *t)
{
	struct isakmp_sa *sa = (struct isakmp_sa *)((char *)t -
				offsetof(struct isakmp_sa, renew));
	struct conn *c = sa->conn;
	struct isakmp_sa *n;
	char a[FORMAT_BUF_LEN];

	if (sa->state != ISAKMP_ESTABLISHED || sa->retiring)
		return;
	switch (newer_sa(sa)) {
	case ISAKMP_ESTABLISHED:
		log_debug("%s: ISAKMP SA soft limit: a newer one exists already",
			  c->cfg->name);
		return;
	case ISAKMP_NEGOTIATING:
		/* The peer's renewal (or ours) is under way; if it fails,
		 * try ourselves. */
		timer_arm(&sa->renew, D->cfg.retransmit_timeout_ms);
		return;
	case ISAKMP_DEAD:
		break;
	}
	if (!peer_in_use(sa)) {
		log_info("%s: ISAKMP SA soft limit: no IPsec SA in use, letting it expire",
			 c->cfg->name);
		return;
	}
	n = isakmp_sa_new(c, true, &sa->local, &sa->peer, sa->peer_port);
	if (!n) {
		log_error("%s: cannot renew the ISAKMP SA: out of memory",
			  c->cfg->name);
		return;
	}
	/*
	 * Where IKE went to 4500 (a NAT), the renewal starts there, with the
	 * marker, towards the port the peer is at now: its NAT may keep no
	 * mapping for 500 any more, and its 4500 takes unmarked datagrams
	 * for ESP (RFC 3947 4 lets a Main Mode begin on 4500).
	 */
	n->nat.floated = sa->nat.floated;
	n->renewal = true;
	memcpy(n->replaces, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(n->replaces + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
	if (!c->ike || c->ike->state != ISAKMP_NEGOTIATING)
		c->ike = n;
	log_info("%s: renewing the ISAKMP SA with %s before it expires (Main Mode)",
		 c->cfg->name, ip_addr_format(&sa->peer, a, sizeof(a)));
	exchange_start(&n->main);
}

uint32_t ike_renew_after(uint32_t life, uint32_t margin, uint32_t fuzz,
			 bool initiator, uint64_t rnd)
{
	if (margin >= life)
		margin = life / 10;
	if (!initiator)
		return (uint32_t)rekey_soft_limit(life, margin / 2, 0, 0);
	return (uint32_t)rekey_soft_limit(life, margin, fuzz, rnd);
}

static uint32_t renew_after(const struct isakmp_sa *sa)
{
	uint64_t rnd;

	ike_random(&rnd, sizeof(rnd));
	return ike_renew_after(sa->suite.life.seconds, sa->conn->cfg->rekeymargin,
			       sa->conn->cfg->rekeyfuzz, sa->initiator, rnd);
}

void ike_renew_init(struct isakmp_sa *sa)
{
	timer_init(&sa->renew, renew_fired);
	timer_init(&sa->retire, retire_fired);
}

void ike_renew_cleanup(struct isakmp_sa *sa)
{
	timer_cancel(&sa->renew);
	timer_cancel(&sa->retire);
}

/* Keeps one of two new SAs both sides agree on: the greater cookie. */
static bool twin_wins(const struct isakmp_sa *ours, const struct isakmp_sa *twin)
{
	return memcmp(twin->cky_i, ours->cky_i, IKE_COOKIE_LEN) > 0;
}

void ike_renew_established(struct isakmp_sa *sa)
{
	struct isakmp_sa *old, *o;
	uint32_t after;

	after = sa->suite.life.seconds ? renew_after(sa) : 0;
	if (after)
		timer_arm(&sa->renew, (uint64_t)after * 1000);
	if (!sa->renewal)
		return;
	old = isakmp_sa_find(sa->replaces, sa->replaces + IKE_COOKIE_LEN,
			     &sa->peer);
	/* Another SA with the peer established since ours began: a twin. */
	for (o = D->sas; o; o = o->next) {
		if (o == sa || o == old || o->state != ISAKMP_ESTABLISHED ||
		    o->retiring || !same_peer(o, sa) ||
		    o->established < sa->created)
			continue;
		log_info("%s: ISAKMP SA renewal collided with the peer's; keeping the one with the greater initiator cookie",
			 sa->conn->cfg->name);
		if (twin_wins(sa, o)) {
			if (sa->conn->ike == sa)
				sa->conn->ike = o;
			retire(sa);
		} else {
			retire(o);
		}
		break;
	}
	if (old && old != sa && old->state == ISAKMP_ESTABLISHED &&
	    same_peer(old, sa))
		retire(old);
}
