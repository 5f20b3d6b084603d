// SPDX-License-Identifier: GPL-2.0
/*
 * Connections at run time: which ISAKMP SA serves a conn, the IPsec SAs
 * negotiated for it, and the policy of (re)initiating: "up" keeps trying
 * up to keyingtries times; "down" deletes everything, telling the peer.
 *
 * kipsec's events drive the rest:
 *
 *   soft expire  of an SA of the conn's current child: a new Quick Mode
 *                (and a Main Mode first if no ISAKMP SA is left). Whichever
 *                side gets there first rekeys; the other side's soft limit
 *                then finds its child superseded and does nothing, and a
 *                side whose peer is already rekeying (a Quick Mode of the
 *                peer for this conn under way) waits for it rather than
 *                starting its own.
 *   new child    installed: every older child of the conn is retired. Its
 *                outbound SAs are deleted at once (kipsec sends on the
 *                newest SA of the template, so they carry nothing more);
 *                its inbound SAs stay for RETIRE_MS, while the peer may
 *                still send on them (until QM3 reaches a responder, with
 *                retransmissions), then go, and the peer gets a Delete so
 *                that it drops its copies too. This is strongSwan's IKEv1
 *                charon.delete_rekeyed=yes with IKEv2's delayed inbound
 *                deletion (delete_rekeyed_delay); strongSwan's IKEv1
 *                default keeps replaced SAs until their hard limit, which
 *                piles up SAs when byte limits make rekeys frequent.
 *   hard expire  kipsec deleted that SA: the rest of its pair is deleted
 *                too and the peer is sent a Delete for our inbound SPIs
 *                (charon does the same on hard expiry).
 *   ACQUIRE      for the policy of an auto=route conn: initiate it.
 *
 * Rekey collisions: when both sides start a Quick Mode before either sees
 * the other's QM1, both new pairs get installed on both sides. A child
 * whose Quick Mode started before another current child of the same conn
 * was installed is such a twin; both sides keep the twin whose initiator
 * nonce (Ni) is the greater and retire the other, so they agree on which
 * pair stays. The soft limits carry a random part (rekeyfuzz) so that
 * collisions are rare. A conn thus holds its current pair plus the
 * inbound SAs of the pairs it replaced in the last RETIRE_MS.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "kipsec.h"

/* How long replaced inbound SAs stay: the peer's QM3 retransmissions. */
#define RETIRE_MS (5000 + 2 * (uint64_t)D->cfg.retransmit_timeout_ms)

static int conn_establish(struct conn *c, char *msg, size_t msglen);

static void retry_fired(struct timer *t)
{
	struct conn *c = (struct conn *)((char *)t - offsetof(struct conn, retry));
	char msg[128];

	if ((c->wanted || c->rekey_wanted) &&
	    conn_establish(c, msg, sizeof(msg)))
		log_error("%s: %s", c->cfg->name, msg);
}

void conn_timers_init(struct conn *c)
{
	timer_init(&c->retry, retry_fired);
	fallback_init(c);
}

void conn_peer_init(struct conn *c)
{
	c->peer = c->cfg->right;
	c->peer_port = IKE_PORT;
	c->remote_ts = c->cfg->rightsubnet;
}

bool conn_peer_moved(const struct conn *c)
{
	return !ip_addr_equal(&c->peer, &c->cfg->right);
}

int conns_create(struct daemon *d)
{
	struct conn **tail = &d->conns;
	size_t i;

	for (i = 0; i < d->cfg.nconns; i++) {
		struct conn *c = calloc(1, sizeof(*c));

		if (!c)
			return -1;
		c->cfg = &d->cfg.conns[i];
		conn_peer_init(c);
		/* The reqid links the conn's SAs to its policies in kipsec. */
		c->reqid = (uint32_t)i + 1;
		conn_timers_init(c);
		*tail = c;
		tail = &c->next;
	}
	return 0;
}

void conns_destroy(struct daemon *d)
{
	struct conn *c, *next;

	for (c = d->conns; c; c = next) {
		next = c->next;
		timer_cancel(&c->retry);
		fallback_cancel(c);
		while (c->children) {
			struct child_sa *ch = c->children;

			c->children = ch->next;
			timer_cancel(&ch->retire);
			free(ch);
		}
		free(c);
	}
	d->conns = NULL;
}

struct conn *conn_find_name(const char *name)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (!strcmp(c->cfg->name, name))
			return c;
	return NULL;
}

struct conn *conn_find_peer(const struct ip_addr *local,
			    const struct ip_addr *peer)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (ip_addr_equal(&c->cfg->left, local) &&
		    ip_addr_equal(&c->peer, peer))
			return c;
	return NULL;
}

/* IKEv1 has no narrowing: the client IDs must be the subnets exactly. */
struct conn *conn_find_ids(const struct ip_addr *local,
			   const struct ip_addr *peer,
			   const struct subnet *local_ts,
			   const struct subnet *remote_ts)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (ip_addr_equal(&c->cfg->left, local) &&
		    ip_addr_equal(&c->peer, peer) &&
		    subnet_equal(&c->cfg->leftsubnet, local_ts) &&
		    subnet_equal(&c->remote_ts, remote_ts))
			return c;
	return NULL;
}

struct isakmp_sa *conn_isakmp(const struct conn *c)
{
	struct isakmp_sa *sa, *best = NULL;

	/*
	 * The newest established one with the peer, so that a renewed
	 * ISAKMP SA (ike_renew.c) serves at once, whoever renewed it. A
	 * responder's ISAKMP SA is bound to the first conn for the peer.
	 */
	for (sa = D->sas; sa; sa = sa->next)
		if (sa->state == ISAKMP_ESTABLISHED &&
		    ip_addr_equal(&sa->local, &c->cfg->left) &&
		    ip_addr_equal(&sa->peer, &c->peer) &&
		    (!best || (best->retiring && !sa->retiring) ||
		     (best->retiring == sa->retiring &&
		      sa->established > best->established)))
			best = sa;
	return best;
}

static int start_quick(struct conn *c, struct isakmp_sa *sa)
{
	struct exchange *x = quick_new(sa, c, true, new_msgid(sa));

	if (!x)
		return -1;
	log_info("%s: initiating Quick Mode%s", c->cfg->name,
		 c->children ? " (rekey)" : "");
	return exchange_start(x) ? -1 : 0;
}

/*
 * A Quick Mode for a child of this conn is under way: ours (initiator) or
 * the peer's with us.
 */
static bool quick_pending(const struct conn *c, bool initiator)
{
	const struct isakmp_sa *sa;
	const struct exchange *x;

	for (sa = D->sas; sa; sa = sa->next) {
		if (sa->state == ISAKMP_DEAD)
			continue;
		for (x = sa->exchanges; x; x = x->next)
			if (x->conn == c && x->initiator == initiator &&
			    !x->done && !x->failed)
				return true;
	}
	return false;
}

/* The conn's current child, not replaced (nor being retired). */
static struct child_sa *current_child(const struct conn *c)
{
	struct child_sa *ch;

	for (ch = c->children; ch; ch = ch->next)
		if (!ch->superseded)
			return ch;
	return NULL;
}

/* A child is wanted: none current, or it reached its soft limit. */
static bool child_wanted(const struct conn *c)
{
	return !current_child(c) || c->rekey_wanted;
}

/*
 * One step towards a new child: a Quick Mode under an established ISAKMP
 * SA, or the Main Mode that comes first.
 */
static int conn_establish(struct conn *c, char *msg, size_t msglen)
{
	struct isakmp_sa *sa = conn_isakmp(c);
	char a[FORMAT_BUF_LEN];

	timer_cancel(&c->retry);
	if (!current_child(c))
		fallback_negotiating(c);
	if (sa && current_child(c) && child_wanted(c) && quick_pending(c, false)) {
		/* The peer rekeys first: its new child will do; check later. */
		log_info("%s: the peer is rekeying: waiting for its new SA pair",
			 c->cfg->name);
		timer_arm(&c->retry, D->cfg.retransmit_timeout_ms);
		snprintf(msg, msglen, "the peer is rekeying");
		return 0;
	}
	if (sa) {
		if (!child_wanted(c) || quick_pending(c, true)) {
			snprintf(msg, msglen, "already up or negotiating");
			return 0;
		}
		if (start_quick(c, sa)) {
			snprintf(msg, msglen, "cannot start Quick Mode");
			return -1;
		}
		snprintf(msg, msglen, "initiating Quick Mode");
		return 0;
	}
	if (!child_wanted(c)) {
		/* IPsec SAs outlive their ISAKMP SA; a rekey will need one. */
		snprintf(msg, msglen, "already up");
		return 0;
	}
	if (c->ike) {
		snprintf(msg, msglen, "Main Mode already in progress");
		return 0;
	}
	/* A new Main Mode starts on 500 (RFC 3947), wherever the peer is. */
	sa = isakmp_sa_new(c, true, &c->cfg->left, &c->peer, IKE_PORT);
	if (!sa) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	c->ike = sa;
	log_info("%s: initiating Main Mode to %s", c->cfg->name,
		 ip_addr_format(&c->peer, a, sizeof(a)));
	if (exchange_start(&sa->main)) {
		snprintf(msg, msglen, "cannot start Main Mode");
		return -1;
	}
	snprintf(msg, msglen, "initiating Main Mode");
	return 0;
}

int conn_up(struct conn *c, char *msg, size_t msglen)
{
	c->wanted = true;
	return conn_establish(c, msg, msglen);
}

int conn_rekey(struct conn *c, char *msg, size_t msglen)
{
	struct child_sa *cur = current_child(c);

	if (!cur) {
		snprintf(msg, msglen, "no IPsec SA to rekey");
		return -1;
	}
	/* As if its soft limit had been reached. */
	cur->rekeying = true;
	c->rekey_wanted = true;
	return conn_establish(c, msg, msglen);
}

/* Tells the peer that our inbound SAs of child are gone. */
static void send_child_delete(struct conn *c, const struct child_sa *child)
{
	struct isakmp_sa *sa = conn_isakmp(c);
	size_t i;

	if (!sa)
		return;
	for (i = 0; i < child->n; i++) {
		uint8_t spi[4] = { child->p[i].spi_in >> 24,
				   child->p[i].spi_in >> 16,
				   child->p[i].spi_in >> 8,
				   child->p[i].spi_in };

		info_send_delete(sa, child->p[i].suite.protocol, spi, 4, 1);
	}
}

void conn_child_delete(struct conn *c, struct child_sa *child, bool notify)
{
	struct child_sa **p;

	timer_cancel(&child->retire);
	if (notify)
		send_child_delete(c, child);
	kernel_child_delete(c, child);
	for (p = &c->children; *p; p = &(*p)->next)
		if (*p == child) {
			*p = child->next;
			break;
		}
	free(child);
	policy_conn_sync(c);
}

int conn_down(struct conn *c, char *msg, size_t msglen)
{
	unsigned int n = 0;

	c->wanted = false;
	c->rekey_wanted = false;
	timer_cancel(&c->retry);
	fallback_cancel(c);
	c->held = false;
	while (c->children) {
		conn_child_delete(c, c->children, true);
		n++;
	}
	policy_conn_sync(c);
	if (c->ike) {
		struct isakmp_sa *sa = c->ike;

		if (sa->state == ISAKMP_ESTABLISHED) {
			uint8_t spi[2 * IKE_COOKIE_LEN];

			memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
			memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
			info_send_delete(sa, IKE_PROTO_ISAKMP, spi, sizeof(spi), 1);
		}
		isakmp_sa_fail(sa, NULL);
	}
	log_info("%s: down (%u IPsec SA pair%s deleted)", c->cfg->name, n,
		 n == 1 ? "" : "s");
	snprintf(msg, msglen, "deleted %u IPsec SA pair%s and the ISAKMP SA", n,
		 n == 1 ? "" : "s");
	return 0;
}

void conn_ike_established(struct conn *c, struct isakmp_sa *sa)
{
	/*
	 * A responder's SA is bound to the first conn for the peer, while
	 * its Quick Modes may serve others; an older SA is not killed here,
	 * it lives on until it expires or the peer deletes it.
	 */
	c->ike = sa;
	if ((c->wanted || c->rekey_wanted) && child_wanted(c) &&
	    !quick_pending(c, true) && start_quick(c, sa))
		log_error("%s: cannot start Quick Mode", c->cfg->name);
}

/* Longest pause between attempts: backoff doubles up to this. */
#define RETRY_MAX_MS 60000

/*
 * The pause before attempt tries + 1: retransmit_timeout, doubled with
 * each failure, at most RETRY_MAX_MS, so that a peer that is down (and
 * traffic held back by require policies) does not get a storm of Main
 * Modes.
 */
static uint64_t retry_delay_ms(unsigned int tries)
{
	uint64_t ms = D->cfg.retransmit_timeout_ms;
	unsigned int i;

	for (i = 1; i < tries && ms < RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

/*
 * Another attempt after a pause, while keyingtries allows (0: forever);
 * a conn restarted after its peer died (dpdaction=restart) tries until
 * the peer is back.
 */
static void retry_later(struct conn *c, const char *what)
{
	uint64_t delay;

	if (!c->wanted && !c->rekey_wanted)
		return;
	c->tries++;
	if (c->cfg->keyingtries && c->tries >= c->cfg->keyingtries &&
	    !(c->held && c->cfg->dpdaction == DPD_ACTION_RESTART)) {
		log_error("%s: %s failed %u time%s; giving up (keyingtries=%u)",
			  c->cfg->name, what, c->tries, c->tries == 1 ? "" : "s",
			  c->cfg->keyingtries);
		c->wanted = false;
		c->rekey_wanted = false;
		c->tries = 0;
		return;
	}
	delay = retry_delay_ms(c->tries);
	log_info("%s: %s failed; attempt %u in %llu ms", c->cfg->name, what,
		 c->tries + 1, (unsigned long long)delay);
	timer_arm(&c->retry, delay);
}

void conn_ike_failed(struct conn *c, struct isakmp_sa *sa)
{
	if (c->ike == sa)
		c->ike = NULL;
	if (sa->initiator)
		retry_later(c, "Main Mode");
}

void conn_quick_failed(struct conn *c)
{
	retry_later(c, "Quick Mode");
}

/* Which of two collision twins both sides drop: the lower Ni. */
static bool child_loses(const struct child_sa *a, const struct child_sa *b)
{
	size_t n = a->ni_len < b->ni_len ? a->ni_len : b->ni_len;
	int d = memcmp(a->ni, b->ni, n);

	return d ? d < 0 : a->ni_len < b->ni_len;
}

static void spis_text(const struct child_sa *ch, char *buf, size_t len)
{
	snprintf(buf, len, "0x%08x/0x%08x", ch->p[0].spi_in, ch->p[0].spi_out);
}

static void retire_fired(struct timer *t)
{
	struct child_sa *child = (struct child_sa *)((char *)t -
					offsetof(struct child_sa, retire));

	log_info("%s: deleting the replaced IPsec SA 0x%08x (inbound) and telling the peer",
		 child->conn->cfg->name, child->p[0].spi_in);
	conn_child_delete(child->conn, child, true);
}

/* Replaced: no more sending on it now, no more receiving a while later. */
static void retire(struct conn *c, struct child_sa *child)
{
	if (child->superseded)
		return;
	child->superseded = true;
	kernel_child_delete_out(c, child);
	timer_arm(&child->retire, RETIRE_MS);
}

void conn_child_add(struct conn *c, struct child_sa *child)
{
	struct child_sa *m, *twin = NULL, *loser, *keep = child;
	char a[32], b[32];

	child->conn = c;
	timer_init(&child->retire, retire_fired);
	/* A twin: a current child installed after this one's exchange began. */
	for (m = c->children; m; m = m->next)
		if (!m->superseded && m->installed_ms >= child->started_ms) {
			twin = m;
			break;
		}
	if (twin) {
		loser = child_loses(child, twin) ? child : twin;
		keep = loser == child ? twin : child;
		loser->redundant = true;
		spis_text(keep, a, sizeof(a));
		spis_text(loser, b, sizeof(b));
		log_info("%s: rekey collision: keeping SPIs %s, retiring the twin %s",
			 c->cfg->name, a, b);
	}
	child->next = c->children;
	c->children = child;
	for (m = c->children; m; m = m->next)
		if (m != keep)
			retire(c, m);
	c->tries = 0;
	c->rekey_wanted = false;
	fallback_end(c);
}

struct child_sa *conn_child_by_spi_out(struct conn *c, uint8_t protocol,
				       uint32_t spi)
{
	struct child_sa *ch;
	size_t i;

	for (ch = c->children; ch; ch = ch->next)
		for (i = 0; i < ch->n; i++)
			if (ch->p[i].suite.protocol == protocol &&
			    ch->p[i].spi_out == spi)
				return ch;
	return NULL;
}

static const char *reason_name(uint8_t reason)
{
	switch (reason) {
	case KIPSEC_EXPIRE_BYTES: return "byte";
	case KIPSEC_EXPIRE_PACKETS: return "packet";
	case KIPSEC_EXPIRE_SECONDS: return "time";
	case KIPSEC_EXPIRE_SEQ_OVERFLOW: return "sequence-number";
	}
	return "unknown";
}

/* The child one of whose SAs kipsec names, and which one it is. */
static struct child_sa *child_by_sa(uint8_t ipproto, uint32_t spi,
				    const struct ip_addr *dst, struct conn **cp,
				    size_t *index, bool *inbound)
{
	uint8_t proto = ipproto == IPPROTO_AH ? IKE_PROTO_AH : IKE_PROTO_ESP;
	struct child_sa *ch;
	struct conn *c;
	size_t i;

	for (c = D->conns; c; c = c->next) {
		bool in = ip_addr_equal(dst, &c->cfg->left);

		if (!in && !ip_addr_equal(dst, &c->peer))
			continue;
		for (ch = c->children; ch; ch = ch->next)
			for (i = 0; i < ch->n; i++)
				if (ch->p[i].suite.protocol == proto &&
				    (in ? ch->p[i].spi_in : ch->p[i].spi_out) == spi) {
					*cp = c;
					*index = i;
					*inbound = in;
					return ch;
				}
	}
	return NULL;
}

void conn_sa_expired(uint8_t ipproto, uint32_t spi, const struct ip_addr *dst,
		     bool hard, uint8_t reason)
{
	struct child_sa *child;
	struct conn *c;
	size_t i;
	bool in;
	char msg[128];

	child = child_by_sa(ipproto, spi, dst, &c, &i, &in);
	if (!child) {
		log_debug("kipsec: %s expire of SA 0x%08x, not one of ours (any more)",
			  hard ? "hard" : "soft", spi);
		return;
	}
	if (hard) {
		if (in)
			child->gone_in[i] = true;
		else
			child->gone_out[i] = true;
		log_info("%s: %s SA 0x%08x reached its hard %s limit; deleting its pair%s",
			 c->cfg->name, in ? "inbound" : "outbound", spi,
			 reason_name(reason),
			 child->superseded ? "" : " (it was not replaced)");
		conn_child_delete(c, child, true);
		return;
	}
	if (child->superseded || child->rekeying) {
		log_debug("%s: soft expire of SA 0x%08x: %s", c->cfg->name, spi,
			  child->superseded ? "already replaced" : "rekey under way");
		return;
	}
	child->rekeying = true;
	c->rekey_wanted = true;
	log_info("%s: %s SA 0x%08x reached its soft %s limit: rekeying",
		 c->cfg->name, in ? "inbound" : "outbound", spi,
		 reason_name(reason));
	if (conn_establish(c, msg, sizeof(msg)))
		log_error("%s: rekey: %s", c->cfg->name, msg);
}

void conn_acquire(uint32_t reqid, uint32_t policy_index)
{
	struct conn *c;
	char msg[128];

	for (c = D->conns; c; c = c->next)
		if (c->reqid == reqid)
			break;
	if (!c || !conn_routed(c)) {
		log_debug("kipsec: ACQUIRE for policy %u (reqid %u) ignored: no routed conn",
			  policy_index, reqid);
		return;
	}
	if (!child_wanted(c))
		return;
	log_info("%s: traffic for the conn (ACQUIRE, policy %u): initiating",
		 c->cfg->name, policy_index);
	if (conn_up(c, msg, sizeof(msg)))
		log_error("%s: %s", c->cfg->name, msg);
}

bool conn_routed(const struct conn *c)
{
	return c->cfg->autostart == CONN_AUTO_ROUTE ||
	       c->cfg->level == CONN_LEVEL_REQUEST || c->held;
}
