// SPDX-License-Identifier: GPL-2.0
/*
 * A conn's security policies in kipsec, and the bypass that keeps IKE in
 * the clear.
 *
 * Each conn protects leftsubnet <-> rightsubnet with the SAs of its reqid,
 * as strongSwan does with XFRM:
 *
 *   tunnel     out  leftsubnet -> rightsubnet, ESP/AH tunnel left -> right
 *              in   rightsubnet -> leftsubnet, tunnel right -> left (for
 *                   this gateway's own addresses inside leftsubnet)
 *              fwd  the same, for what the gateway forwards
 *   transport  out  and in, as above, transport mode
 *
 * The "in" and "fwd" policies go in with the inbound SAs, "out" with the
 * outbound ones, so that no direction is required before its SA exists.
 * A conn whose SAs are all gone loses its policies (its traffic is no
 * longer protected, and not held back either), except with auto=route:
 * those policies are installed when ipsecd starts, without SAs, and stay
 * until it stops; the first packet that needs an SA raises kipsec's
 * ACQUIRE, which starts the negotiation (conn.c).
 *
 * Level "require" everywhere: no SA, no traffic. The priority makes more
 * specific selectors win: KIPSEC_POL_PRIORITY_DEFAULT plus the number of
 * prefix bits the pair of selectors leaves open.
 *
 * IKE bypass: when a conn's selectors cover the IKE endpoints themselves
 * (transport mode between the gateways, or subnets that contain them), its
 * policies would catch ipsecd's own IKE and, inbound, drop it as clear
 * traffic where ESP is required. Bypass policies per address pair, at a
 * lower priority number than any conn's, exempt it: out from left, UDP
 * source port 500 or 4500, to right; in from right to left, UDP
 * destination port 500 or 4500. Only our own port is named: after NAT-T's
 * move to 4500 the peer's is whatever its NAT chose, and left/right are
 * the addresses each side sees (the private one here, the NAT's public one
 * for a peer behind it). ESP in UDP to 4500 never meets these: kipsec
 * takes it before any policy (and the keepalives), so only IKE's packets
 * with the non-ESP marker pass in the clear. Conns with the same pair
 * share them (reference counted).
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "common/kipsec_names.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "kipsec.h"

/* Looked at before every conn policy (those start at the default). */
#define BYPASS_PRIORITY 100

struct bypass {
	struct bypass *next;
	struct ip_addr left, right;
	unsigned int refs;
	uint32_t out[2], in[2];		/* indexed like bypass_ports */
};

static const uint16_t bypass_ports[2] = { IKE_PORT, IKE_NATT_PORT };

static uint8_t tmpl_proto(const struct conn *c)
{
	const struct ike_p2_bundle *b = &c->cfg->bundles[0];
	size_t i;

	/*
	 * A kipsec template names one protocol: of an AH+ESP bundle, ESP
	 * protects the traffic (a warning says so when ipsecd starts).
	 */
	for (i = 0; i < b->n; i++)
		if (b->suites[i].protocol == IKE_PROTO_ESP)
			return IPPROTO_ESP;
	return IPPROTO_AH;
}

uint32_t policy_conn_priority(const struct conn *c)
{
	unsigned int bits = (unsigned int)ip_addr_len(&c->cfg->left) * 8;

	return KIPSEC_POL_PRIORITY_DEFAULT + 2 * bits -
	       c->cfg->leftsubnet.prefix - c->remote_ts.prefix;
}

static void protect(const struct conn *c, uint8_t dir, struct kernel_policy *p)
{
	bool out = dir == KIPSEC_DIR_OUT;

	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->action = KIPSEC_ACTION_PROTECT;
	p->priority = policy_conn_priority(c);
	p->src = out ? c->cfg->leftsubnet : c->remote_ts;
	p->dst = out ? c->remote_ts : c->cfg->leftsubnet;
	p->tmpl_proto = tmpl_proto(c);
	p->tunnel = c->cfg->tunnel;
	p->reqid = c->reqid;
	p->tsrc = out ? c->cfg->left : c->peer;
	p->tdst = out ? c->peer : c->cfg->left;
	/* level=request accepts clear traffic from the peer (fallback.c). */
	p->level = !out && c->cfg->level == CONN_LEVEL_REQUEST ?
		   KIPSEC_LEVEL_REQUEST : KIPSEC_LEVEL_REQUIRE;
}

static int add_one(struct conn *c, uint8_t dir, uint32_t *slot)
{
	struct kernel_policy p;
	char s[64], d[64];

	if (*slot)
		return 0;
	protect(c, dir, &p);
	if (kernel_policy_add(&p, slot)) {
		log_error("%s: cannot install the %s policy", c->cfg->name,
			  kipsec_dir_name(dir));
		return -1;
	}
	log_debug("%s: %s policy %s === %s installed (index %u, priority %u)",
		  c->cfg->name, kipsec_dir_name(dir),
		  subnet_format(&p.src, s, sizeof(s)),
		  subnet_format(&p.dst, d, sizeof(d)), *slot, p.priority);
	return 0;
}

static bool needs_bypass(const struct conn *c)
{
	return subnet_contains_host(&c->cfg->leftsubnet, &c->cfg->left) &&
	       subnet_contains_host(&c->remote_ts, &c->peer);
}

static void bypass_policy(const struct ip_addr *left, const struct ip_addr *right,
			  bool out, uint16_t port, struct kernel_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->dir = out ? KIPSEC_DIR_OUT : KIPSEC_DIR_IN;
	p->action = KIPSEC_ACTION_BYPASS;
	p->priority = BYPASS_PRIORITY;
	subnet_host(&p->src, out ? left : right);
	subnet_host(&p->dst, out ? right : left);
	p->proto = IPPROTO_UDP;
	if (out)
		p->sport = port;
	else
		p->dport = port;
}

static void bypass_del(struct bypass *b)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		kernel_policy_del(b->out[i]);
		kernel_policy_del(b->in[i]);
		b->out[i] = b->in[i] = 0;
	}
}

/* Puts b's policies in kipsec for its address pair; all or none. */
static int bypass_install(struct bypass *b)
{
	struct kernel_policy p;
	char l[FORMAT_BUF_LEN], r[FORMAT_BUF_LEN];
	size_t i;

	for (i = 0; i < 2; i++) {
		bypass_policy(&b->left, &b->right, true, bypass_ports[i], &p);
		if (kernel_policy_add(&p, &b->out[i]))
			goto fail;
		bypass_policy(&b->left, &b->right, false, bypass_ports[i], &p);
		if (kernel_policy_add(&p, &b->in[i]))
			goto fail;
	}
	log_info("IKE bypass policies for %s <-> %s (UDP %d and %d) installed",
		 ip_addr_format(&b->left, l, sizeof(l)),
		 ip_addr_format(&b->right, r, sizeof(r)), IKE_PORT,
		 IKE_NATT_PORT);
	return 0;
fail:
	bypass_del(b);
	return -1;
}

static int bypass_get(struct conn *c)
{
	struct bypass *b;

	if (c->bypass || !needs_bypass(c))
		return 0;
	for (b = D->bypasses; b; b = b->next)
		if (ip_addr_equal(&b->left, &c->cfg->left) &&
		    ip_addr_equal(&b->right, &c->peer))
			break;
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return -1;
		b->left = c->cfg->left;
		b->right = c->peer;
		if (bypass_install(b)) {
			log_error("%s: cannot install the IKE bypass policies",
				  c->cfg->name);
			free(b);
			return -1;
		}
		b->next = D->bypasses;
		D->bypasses = b;
	}
	b->refs++;
	c->bypass = true;
	return 0;
}

static void bypass_put(struct conn *c)
{
	struct bypass **p, *b;

	if (!c->bypass)
		return;
	c->bypass = false;
	for (p = &D->bypasses; (b = *p); p = &b->next)
		if (ip_addr_equal(&b->left, &c->cfg->left) &&
		    ip_addr_equal(&b->right, &c->peer))
			break;
	if (!b || --b->refs)
		return;
	*p = b->next;
	bypass_del(b);
	free(b);
}

int policy_conn_in(struct conn *c)
{
	if (bypass_get(c) || add_one(c, KIPSEC_DIR_IN, &c->pol_in))
		return -1;
	return c->cfg->tunnel ? add_one(c, KIPSEC_DIR_FWD, &c->pol_fwd) : 0;
}

int policy_conn_out(struct conn *c)
{
	if (bypass_get(c))
		return -1;
	return add_one(c, KIPSEC_DIR_OUT, &c->pol_out);
}

void policy_conn_remove(struct conn *c)
{
	bool had = c->pol_out || c->pol_in || c->pol_fwd;

	fallback_cancel(c);
	kernel_policy_del(c->pol_out);
	kernel_policy_del(c->pol_in);
	kernel_policy_del(c->pol_fwd);
	c->pol_out = c->pol_in = c->pol_fwd = 0;
	bypass_put(c);
	if (had)
		log_debug("%s: policies removed", c->cfg->name);
}

/*
 * Deletes one installed protect policy and adds it again from the conn as
 * it is now; 0 in *slot stays 0 (not installed, not wanted).
 */
static int reinstall(struct conn *c, uint8_t dir, uint32_t *slot)
{
	if (!*slot)
		return 0;
	kernel_policy_del(*slot);
	*slot = 0;
	return add_one(c, dir, slot);
}

int policy_conn_moved(struct conn *c)
{
	int rc = 0;

	fallback_cancel(c);
	rc |= reinstall(c, KIPSEC_DIR_IN, &c->pol_in);
	rc |= reinstall(c, KIPSEC_DIR_FWD, &c->pol_fwd);
	rc |= reinstall(c, KIPSEC_DIR_OUT, &c->pol_out);
	return rc ? -1 : 0;
}

/* A responder's inbound SAs, in before QM3: their policies must stay. */
static bool inbound_pending(const struct conn *c)
{
	const struct isakmp_sa *sa;
	const struct exchange *x;

	for (sa = D->sas; sa; sa = sa->next)
		for (x = sa->exchanges; x; x = x->next)
			if (x->conn == c && x->in_installed && !x->done &&
			    !x->failed)
				return true;
	return false;
}

void policy_conn_sync(struct conn *c)
{
	if (conn_routed(c) || c->children || inbound_pending(c))
		return;
	policy_conn_remove(c);
}

int policy_route_all(struct daemon *d)
{
	struct conn *c;
	int rc = 0;

	for (c = d->conns; c; c = c->next) {
		if (c->cfg->bundles[0].n > 1)
			log_warn("%s: AH+ESP bundle: kipsec's policies name one protocol, so only ESP protects the traffic",
				 c->cfg->name);
		if (c->cfg->level == CONN_LEVEL_REQUEST)
			fallback_remove_leftover(c);
		if (!conn_routed(c))
			continue;
		if (policy_conn_in(c) || policy_conn_out(c)) {
			rc = -1;
			continue;
		}
		log_info("%s: routed: policies installed, negotiating on traffic",
			 c->cfg->name);
	}
	return rc;
}

void policy_remove_all(struct daemon *d)
{
	struct conn *c;

	for (c = d->conns; c; c = c->next)
		policy_conn_remove(c);
}

/*
 * The conns of this pair follow their peer to another address (nat_move.c),
 * and so does their bypass: a transport conn between the two covers IKE
 * from the new address too. Its users keep it (the reference count).
 */
void policy_bypass_peer_moved(const struct ip_addr *local,
			      const struct ip_addr *old,
			      const struct ip_addr *to)
{
	struct bypass *b;

	for (b = D->bypasses; b; b = b->next) {
		if (!ip_addr_equal(&b->left, local) ||
		    !ip_addr_equal(&b->right, old))
			continue;
		bypass_del(b);
		b->right = *to;
		if (bypass_install(b))
			log_error("cannot install the IKE bypass policies for the peer's new address");
	}
}
