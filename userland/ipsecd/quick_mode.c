// SPDX-License-Identifier: GPL-2.0
/*
 * Quick Mode (RFC 2409 5.5), under an established ISAKMP SA: three
 * encrypted messages, one step each in quick_steps[], run by the driver
 * in exchange.c. The initiator offers its bundles and traffic selectors
 * (1), the responder chooses and installs its inbound SAs (2), the
 * initiator confirms (3); both then install the outbound SAs. An ISAKMP SA
 * runs any number of them at once, told apart by message ID.
 */
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/exchange.h"
#include "ipsecd/log.h"

/* How long a finished Quick Mode still answers a repeat of its last message. */
#define LINGER_MS 30000

static struct ike_bytes after_hash(const struct ike_message *rx)
{
	const struct ike_payload *first = &rx->payloads[1];
	const struct ike_payload *last = &rx->payloads[rx->npayloads - 1];

	if (rx->npayloads < 2)
		return (struct ike_bytes){ NULL, 0 };
	return (struct ike_bytes){ first->raw.ptr,
		(size_t)(last->raw.ptr + last->raw.len - first->raw.ptr) };
}

static int fill_hash1(struct exchange *x, uint8_t *body, size_t len,
		      const size_t *off, size_t n)
{
	struct ike_bytes rest = { body + off[1], len - off[1] };

	(void)n;
	return ike_qm_hash1(x->sa->suite.hash, x->sa->skeyid_a, x->msgid, rest,
			    body + off[0] + IKE_GENERIC_HEADER_LEN);
}

static int fill_hash2(struct exchange *x, uint8_t *body, size_t len,
		      const size_t *off, size_t n)
{
	struct ike_bytes rest = { body + off[1], len - off[1] };

	(void)n;
	return ike_qm_hash2(x->sa->suite.hash, x->sa->skeyid_a, x->msgid,
			    bytes_of(&x->ni_b), rest,
			    body + off[0] + IKE_GENERIC_HEADER_LEN);
}

static uint8_t *hash_placeholder(struct exchange *x, struct out_msg *out)
{
	uint8_t *h = ike_arena_alloc(&out->arena, 1, IKE_MAX_HASH_LEN);

	if (h)
		out_add_bytes(out, IKE_PL_HASH, h, x->sa->hash_len);
	return h;
}

/* Our nonce and, with PFS, our KE. */
static int qm_nonce_ke(struct exchange *x, uint16_t group, struct ike_buf *nb,
		       struct out_msg *out)
{
	uint8_t n[NONCE_LEN];
	uint8_t *g;
	size_t len;

	ike_random(n, sizeof(n));
	if (buf_set(nb, n, sizeof(n)))
		return -1;
	out_add_bytes(out, IKE_PL_NONCE, nb->data, nb->len);
	if (group == IKE_GROUP_NONE)
		return 0;
	len = ike_dh_public_len(group);
	g = ike_arena_alloc(&out->arena, 1, len);
	if (!g || (!x->dh && ike_dh_new(group, &x->dh)) ||
	    ike_dh_public(x->dh, g, len))
		return -1;
	out_add_bytes(out, IKE_PL_KE, g, len);
	return 0;
}

static int qm1_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	const struct conn_config *cfg = x->conn->cfg;
	struct isakmp_sa *sa = x->sa;
	struct ike_p2_bundle bundles[CONFIG_MAX_SUITES];
	size_t i, nb = nat_p2_bundles(sa, cfg, bundles, CONFIG_MAX_SUITES,
				      cfg->name);
	struct ike_payload *pl;
	int noa;

	(void)rx;
	if (!nb)
		return -1;
	x->n = cfg->bundles[0].n;
	for (i = 0; i < x->n; i++) {
		if (kernel_spi_alloc(&sa->local, cfg->bundles[0].suites[i].protocol,
				     &x->spi_in[i]))
			return -1;
		x->spi_in_wire[i][0] = (uint8_t)(x->spi_in[i] >> 24);
		x->spi_in_wire[i][1] = (uint8_t)(x->spi_in[i] >> 16);
		x->spi_in_wire[i][2] = (uint8_t)(x->spi_in[i] >> 8);
		x->spi_in_wire[i][3] = (uint8_t)x->spi_in[i];
	}
	if (!hash_placeholder(x, out))
		return -1;
	pl = out_add(out, IKE_PL_SA);
	if (ike_p2_offer(&out->arena, bundles, nb,
			 (const uint8_t (*)[4])x->spi_in_wire, &pl->u.sa))
		return -1;
	if (qm_nonce_ke(x, cfg->pfs_group, &x->ni_b, out))
		return -1;
	x->local_ts = cfg->leftsubnet;
	x->remote_ts = x->conn->remote_ts;
	id_from_subnet(&out_add(out, IKE_PL_ID)->u.id, &x->local_ts, true);
	id_from_subnet(&out_add(out, IKE_PL_ID)->u.id, &x->remote_ts, true);
	noa = nat_oa_payloads(sa, cfg->tunnel, true, &out->arena,
			      &out->pl[out->n], MAX_OUT_PAYLOADS - out->n);
	if (noa < 0)
		return -1;
	out->n += (size_t)noa;
	out->hash_fill = fill_hash1;
	return 0;
}

static bool verify_hash(struct exchange *x, const struct ike_message *rx,
			const uint8_t *want, const char *which)
{
	const struct ike_payload *h = &rx->payloads[0];

	if (h->u.data.len == x->sa->hash_len &&
	    ike_equal(h->u.data.ptr, want, x->sa->hash_len)) {
		/*
		 * Authentic: a NAT-T peer that sent it from a new address is
		 * followed now, before the conn is looked up by its peer and
		 * before the answer (QM2) leaves, so both see where it is.
		 */
		nat_authenticated(x->sa);
		return true;
	}
	log_warn("%s: %s does not verify; message dropped", conn_name(x), which);
	return false;
}

/* PFS: the peer's KE must be there exactly when the suite has a group. */
static int qm_take_ke(struct exchange *x, const struct ike_message *rx,
		      uint16_t group)
{
	const struct ike_payload *ke = ike_message_find(rx, IKE_PL_KE, 0);

	if (!group && !ke)
		return 0;
	if (!group || !ke) {
		log_error("%s: NO_PROPOSAL_CHOSEN: PFS %s by us but %s by the peer",
			  conn_name(x), group ? "wanted" : "not wanted",
			  ke ? "sent" : "not sent");
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	if (ke->u.data.len != ike_dh_public_len(group))
		return IKE_N_INVALID_KEY_INFORMATION;
	if ((!x->dh && ike_dh_new(group, &x->dh)) ||
	    ike_dh_shared(x->dh, ke->u.data.ptr, ke->u.data.len, &x->gqm))
		return IKE_N_INVALID_KEY_INFORMATION;
	return 0;
}

static struct child_sa *child_from_choice(const struct ike_sa *sa_pl,
					  const struct ike_p2_choice *ch)
{
	struct child_sa *child = calloc(1, sizeof(*child));
	size_t i;

	if (!child)
		return NULL;
	child->n = ch->n;
	for (i = 0; i < ch->n; i++) {
		const struct ike_proposal *p = &sa_pl->proposals[ch->proposal_index[i]];

		child->p[i].suite = ch->suites[i];
		if (p->spi.len != 4) {
			free(child);
			return NULL;
		}
		child->p[i].spi_out = (uint32_t)p->spi.ptr[0] << 24 |
				      (uint32_t)p->spi.ptr[1] << 16 |
				      (uint32_t)p->spi.ptr[2] << 8 | p->spi.ptr[3];
	}
	return child;
}

/*
 * What both ends take from the bundle chosen: the peer's KE (with PFS),
 * its nonce into @nonce, and the child SA the choice describes.
 */
static int qm_take_choice(struct exchange *x, const struct ike_message *rx,
			  const struct ike_sa *offer,
			  const struct ike_p2_choice *choice,
			  const struct ike_payload *nonce_pl, struct ike_buf *nonce)
{
	int rc = qm_take_ke(x, rx, choice->suites[0].group);

	if (rc)
		return rc;
	if (buf_set(nonce, nonce_pl->u.data.ptr, nonce_pl->u.data.len))
		return -1;
	x->child = child_from_choice(offer, choice);
	return x->child ? 0 : IKE_N_INVALID_SPI;
}

/*
 * Transport mode across a NAT (RFC 3947 5.2): the peer names its own end by
 * the address it has, which a NAT in front of it hides from us, and ours by
 * the one it sends to, which a NAT in front of us rewrites. Its client IDs
 * then match no conn. As strongSwan does, two host IDs stand for the
 * addresses IKE runs between; only a transport conn between exactly those
 * takes them (its SAs and policies use these addresses; the inner TCP/UDP
 * checksums, computed over the others, are not checked by kipsec after the
 * ICV verified, as RFC 3948 3.1.2 allows).
 */
static struct conn *qm_nat_transport_conn(const struct isakmp_sa *sa,
					  struct subnet *local_ts,
					  struct subnet *remote_ts)
{
	char l[64], r[64], l2[64], r2[64];
	struct subnet lh, rh;
	struct conn *c;

	if (!sa->nat.detected ||
	    local_ts->prefix != ip_addr_len(&local_ts->addr) * 8 ||
	    remote_ts->prefix != ip_addr_len(&remote_ts->addr) * 8)
		return NULL;
	subnet_host(&lh, &sa->local);
	subnet_host(&rh, &sa->peer);
	c = conn_find_ids(&sa->local, &sa->peer, &lh, &rh);
	if (!c || c->cfg->tunnel)
		return NULL;
	log_info("%s: transport mode across the NAT: the peer's client IDs %s === %s stand for %s === %s",
		 c->cfg->name, subnet_format(local_ts, l, sizeof(l)),
		 subnet_format(remote_ts, r, sizeof(r)),
		 subnet_format(&lh, l2, sizeof(l2)),
		 subnet_format(&rh, r2, sizeof(r2)));
	*local_ts = lh;
	*remote_ts = rh;
	return c;
}

static int qm1_process(struct exchange *x, const struct ike_message *rx)
{
	struct isakmp_sa *sa = x->sa;
	const struct ike_payload *sa_pl = ike_message_find(rx, IKE_PL_SA, 0);
	const struct ike_payload *no = ike_message_find(rx, IKE_PL_NONCE, 0);
	const struct ike_payload *idci = ike_message_find(rx, IKE_PL_ID, 0);
	const struct ike_payload *idcr = ike_message_find(rx, IKE_PL_ID, 1);
	char l[64], r[64], a[FORMAT_BUF_LEN];
	uint8_t want[IKE_MAX_HASH_LEN];
	struct ike_p2_bundle bundles[CONFIG_MAX_SUITES];
	struct ike_error err;
	struct conn *c;
	size_t i, nb;
	int rc;

	if (ike_qm_hash1(sa->suite.hash, sa->skeyid_a, x->msgid, after_hash(rx),
			 want) || !verify_hash(x, rx, want, "HASH(1)"))
		return -1;
	if (idci) {
		x->send_ids = true;
		if (subnet_from_id(&idci->u.id, &x->remote_ts) ||
		    subnet_from_id(&idcr->u.id, &x->local_ts)) {
			log_error("%s: INVALID_ID_INFORMATION: unsupported client ID type %u/%u",
				  sa->conn->cfg->name, idci->u.id.type, idcr->u.id.type);
			return IKE_N_INVALID_ID_INFORMATION;
		}
	} else {
		subnet_host(&x->remote_ts, &sa->peer);
		subnet_host(&x->local_ts, &sa->local);
	}
	c = conn_find_ids(&sa->local, &sa->peer, &x->local_ts, &x->remote_ts);
	if (!c)
		c = qm_nat_transport_conn(sa, &x->local_ts, &x->remote_ts);
	if (!c) {
		log_error("%s: INVALID_ID_INFORMATION: no connection for %s === %s from %s",
			  sa->conn->cfg->name,
			  subnet_format(&x->local_ts, l, sizeof(l)),
			  subnet_format(&x->remote_ts, r, sizeof(r)),
			  ip_addr_format(&sa->peer, a, sizeof(a)));
		return IKE_N_INVALID_ID_INFORMATION;
	}
	x->conn = c;
	nb = nat_p2_bundles(sa, c->cfg, bundles, CONFIG_MAX_SUITES, c->cfg->name);
	if (!nb || ike_p2_select(&sa_pl->u.sa, bundles, nb, &x->p2_choice, &err)) {
		if (!nb)
			return IKE_N_NO_PROPOSAL_CHOSEN;
		log_error("%s: NO_PROPOSAL_CHOSEN: %s", c->cfg->name, err.msg);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	rc = qm_take_choice(x, rx, &sa_pl->u.sa, &x->p2_choice, no, &x->ni_b);
	if (rc)
		return rc;
	x->child->life = x->p2_choice.decision.life;
	x->n = x->p2_choice.n;
	for (i = 0; i < x->n; i++) {
		if (kernel_spi_alloc(&sa->local, x->p2_choice.suites[i].protocol,
				     &x->spi_in[i]))
			return -1;
		x->child->p[i].spi_in = x->spi_in[i];
		x->spi_in_wire[i][0] = (uint8_t)(x->spi_in[i] >> 24);
		x->spi_in_wire[i][1] = (uint8_t)(x->spi_in[i] >> 16);
		x->spi_in_wire[i][2] = (uint8_t)(x->spi_in[i] >> 8);
		x->spi_in_wire[i][3] = (uint8_t)x->spi_in[i];
	}
	return 0;
}

static int add_responder_lifetime(struct exchange *x, const struct ike_sa *offer,
				  struct out_msg *out);

/*
 * Our inbound SAs (and their policies) go in before our last message
 * leaves, QM2 for the responder and QM3 for the initiator: the peer sends
 * on its new outbound SA as soon as it has that message, and a rekey must
 * not lose those packets. The outbound ones follow, at quick_done().
 */
static int quick_install_inbound(struct exchange *x)
{
	if (kernel_child_install(x->conn, x->sa, x, x->child, true, false)) {
		log_error("%s: installing the inbound IPsec SAs in kipsec failed",
			  x->conn->cfg->name);
		return -1;
	}
	x->in_installed = true;
	return policy_conn_in(x->conn) ? -1 : 0;
}

static int qm2_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	const struct ike_payload *offer = ike_message_find(rx, IKE_PL_SA, 0);
	struct ike_payload *pl;
	int noa;

	if (!hash_placeholder(x, out))
		return -1;
	pl = out_add(out, IKE_PL_SA);
	if (ike_p2_reply(&out->arena, &offer->u.sa, &x->p2_choice,
			 (const uint8_t (*)[4])x->spi_in_wire, &pl->u.sa))
		return -1;
	if (qm_nonce_ke(x, x->p2_choice.suites[0].group, &x->nr_b, out))
		return -1;
	if (x->send_ids) {
		out_add(out, IKE_PL_ID)->u.id = ike_message_find(rx, IKE_PL_ID, 0)->u.id;
		out_add(out, IKE_PL_ID)->u.id = ike_message_find(rx, IKE_PL_ID, 1)->u.id;
	}
	noa = nat_oa_payloads(x->sa, x->conn->cfg->tunnel, false, &out->arena,
			      &out->pl[out->n], MAX_OUT_PAYLOADS - out->n);
	if (noa < 0)
		return -1;
	out->n += (size_t)noa;
	if (x->p2_choice.decision.responder_lifetime &&
	    add_responder_lifetime(x, &offer->u.sa, out))
		return -1;
	out->hash_fill = fill_hash2;
	return quick_install_inbound(x);
}

/*
 * The SA payload of QM2 echoes the chosen transform unchanged, lifetimes
 * included (RFC 2408 4.2). When ours are shorter, RFC 2407 4.6.3.1 says
 * so with one RESPONDER-LIFETIME per SA of the bundle, naming the SA by
 * the initiator's SPI for it. Peers that ignore it (strongSwan does) keep
 * their longer lifetime, and this side, reaching its limit first, rekeys.
 */
static int add_responder_lifetime(struct exchange *x, const struct ike_sa *offer,
				  struct out_msg *out)
{
	const struct ike_lifetime *life = &x->p2_choice.decision.life;
	struct ike_error err;
	struct ike_buf attrs;
	uint8_t *data;
	size_t i, len;

	ike_buf_init(&attrs);
	if (ike_responder_lifetime_encode(life, &attrs, &err)) {
		log_error("%s: RESPONDER-LIFETIME: %s", conn_name(x), err.msg);
		ike_buf_free(&attrs);
		return -1;
	}
	len = attrs.len;
	data = ike_arena_alloc(&out->arena, 1, len);
	if (data)
		memcpy(data, attrs.data, len);
	ike_buf_free(&attrs);
	if (!data)
		return -1;
	for (i = 0; i < x->p2_choice.n; i++) {
		const struct ike_proposal *p = &offer->proposals[x->p2_choice.proposal_index[i]];
		struct ike_payload *n = out_add(out, IKE_PL_NOTIFY);

		n->u.notify.doi = IKE_DOI_IPSEC;
		n->u.notify.protocol = x->p2_choice.suites[i].protocol;
		n->u.notify.type = IKE_N_RESPONDER_LIFETIME;
		n->u.notify.spi = p->spi;
		n->u.notify.data.ptr = data;
		n->u.notify.data.len = len;
	}
	log_info("%s: lowering the peer's offer to %u s / %llu kB (RESPONDER-LIFETIME)",
		 conn_name(x), life->seconds, (unsigned long long)life->kbytes);
	return 0;
}

/*
 * The initiator's side of the above: a RESPONDER-LIFETIME for one of our
 * SAs (by our inbound SPI, or the responder's if a peer names it so, or no
 * SPI at all) can only lower the lifetime, never raise it.
 */
static void take_responder_lifetime(struct exchange *x,
				    const struct ike_message *rx)
{
	struct child_sa *child = x->child;
	struct ike_arena arena = { 0 };
	struct ike_lifetime said;
	struct ike_error err;
	size_t k, i;

	for (k = 0; k < rx->npayloads; k++) {
		const struct ike_payload *pl = &rx->payloads[k];
		const struct ike_notify *n = &pl->u.notify;
		bool ours = false;
		uint32_t spi = 0;

		if (pl->type != IKE_PL_NOTIFY ||
		    n->type != IKE_N_RESPONDER_LIFETIME)
			continue;
		if (n->spi.len == 4)
			spi = (uint32_t)n->spi.ptr[0] << 24 |
			      (uint32_t)n->spi.ptr[1] << 16 |
			      (uint32_t)n->spi.ptr[2] << 8 | n->spi.ptr[3];
		for (i = 0; i < child->n; i++)
			ours |= n->spi.len == 0 ||
				(n->spi.len == 4 && (spi == child->p[i].spi_in ||
						     spi == child->p[i].spi_out));
		if (!ours) {
			log_warn("%s: RESPONDER-LIFETIME for an SA not ours ignored",
				 conn_name(x));
			continue;
		}
		if (ike_responder_lifetime_decode(n->data, &arena, &said, &err)) {
			log_warn("%s: RESPONDER-LIFETIME ignored: %s",
				 conn_name(x), err.msg);
			continue;
		}
		child->life = ike_life_decide(&child->life, &said).life;
		log_info("%s: peer lowered the lifetime to %u s / %llu kB (RESPONDER-LIFETIME)",
			 conn_name(x), child->life.seconds,
			 (unsigned long long)child->life.kbytes);
	}
	ike_arena_free(&arena);
}

static int qm2_process(struct exchange *x, const struct ike_message *rx)
{
	const struct conn_config *cfg = x->conn->cfg;
	struct isakmp_sa *sa = x->sa;
	const struct ike_payload *sa_pl = ike_message_find(rx, IKE_PL_SA, 0);
	const struct ike_payload *no = ike_message_find(rx, IKE_PL_NONCE, 0);
	const struct ike_payload *idci = ike_message_find(rx, IKE_PL_ID, 0);
	const struct ike_payload *idcr = ike_message_find(rx, IKE_PL_ID, 1);
	uint8_t want[IKE_MAX_HASH_LEN];
	struct ike_p2_choice ch;
	struct ike_p2_bundle bundles[CONFIG_MAX_SUITES];
	struct ike_error err;
	struct subnet ci, cr;
	struct ike_lifetime ours;
	size_t i, nb;
	int rc;

	if (ike_qm_hash2(sa->suite.hash, sa->skeyid_a, x->msgid,
			 bytes_of(&x->ni_b), after_hash(rx), want) ||
	    !verify_hash(x, rx, want, "HASH(2)"))
		return -1;
	if (idci && (subnet_from_id(&idci->u.id, &ci) ||
		     subnet_from_id(&idcr->u.id, &cr) ||
		     !subnet_equal(&ci, &x->local_ts) ||
		     !subnet_equal(&cr, &x->remote_ts))) {
		log_error("%s: INVALID_ID_INFORMATION: peer answered with other client IDs",
			  cfg->name);
		return IKE_N_INVALID_ID_INFORMATION;
	}
	for (i = 0; i < sa_pl->u.sa.nproposals; i++)
		if (sa_pl->u.sa.proposals[i].ntransforms != 1)
			return IKE_N_BAD_PROPOSAL_SYNTAX;
	nb = nat_p2_bundles(sa, cfg, bundles, CONFIG_MAX_SUITES, cfg->name);
	if (sa_pl->u.sa.nproposals != x->n || !nb ||
	    ike_p2_select(&sa_pl->u.sa, bundles, nb, &ch, &err)) {
		log_error("%s: NO_PROPOSAL_CHOSEN: the peer's answer matches no offered proposal",
			  cfg->name);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	rc = qm_take_choice(x, rx, &sa_pl->u.sa, &ch, no, &x->nr_b);
	if (rc)
		return rc;
	/* The responder may have lowered our lifetimes; never raise them. */
	ours.seconds = cfg->lifetime;
	ours.kbytes = cfg->lifebytes / 1000;
	x->child->life = ike_life_decide(&ch.suites[0].life, &ours).life;
	for (i = 0; i < x->n; i++) {
		if (ch.suites[i].protocol != cfg->bundles[0].suites[i].protocol)
			return IKE_N_NO_PROPOSAL_CHOSEN;
		x->child->p[i].spi_in = x->spi_in[i];
	}
	take_responder_lifetime(x, rx);
	return 0;
}

static int qm3_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	uint8_t *h = ike_arena_alloc(&out->arena, 1, IKE_MAX_HASH_LEN);

	(void)rx;
	if (!h || ike_qm_hash3(x->sa->suite.hash, x->sa->skeyid_a, x->msgid,
			       bytes_of(&x->ni_b), bytes_of(&x->nr_b), h))
		return -1;
	out_add_bytes(out, IKE_PL_HASH, h, x->sa->hash_len);
	return quick_install_inbound(x);
}

static int qm3_process(struct exchange *x, const struct ike_message *rx)
{
	uint8_t want[IKE_MAX_HASH_LEN];

	if (ike_qm_hash3(x->sa->suite.hash, x->sa->skeyid_a, x->msgid,
			 bytes_of(&x->ni_b), bytes_of(&x->nr_b), want) ||
	    !verify_hash(x, rx, want, "HASH(3)"))
		return -1;
	return 0;
}

static void quick_done(struct exchange *x)
{
	struct child_sa *child = x->child;
	char name[64], l[64], r[64];
	size_t i;

	x->child = NULL;
	timer_arm(&x->linger, LINGER_MS);
	child->local_ts = x->local_ts;
	child->remote_ts = x->remote_ts;
	child->pfs = x->gqm != NULL;
	child->created = now_seconds();
	child->initiator = x->initiator;
	child->started_ms = x->started_ms;
	child->ni_len = x->ni_b.len < sizeof(child->ni) ? x->ni_b.len :
			sizeof(child->ni);
	memcpy(child->ni, x->ni_b.data, child->ni_len);
	if (kernel_child_install(x->conn, x->sa, x, child, false, true)) {
		log_error("%s: installing the outbound IPsec SAs in kipsec failed",
			  x->conn->cfg->name);
		free(child);
		/* The inbound SAs go with the exchange. */
		x->in_installed = false;
		policy_conn_sync(x->conn);
		conn_quick_failed(x->conn);
		return;
	}
	/* The reservations became SAs: nothing to release any more. */
	for (i = 0; i < x->n; i++)
		x->spi_in[i] = 0;
	child->installed_ms = timer_now_ms();
	if (policy_conn_out(x->conn))
		log_error("%s: the IPsec SAs are in, but not all of their policies",
			  x->conn->cfg->name);
	for (i = 0; i < child->n; i++)
		log_info("%s: IPsec SA established: %s %s, SPIs in 0x%08x out 0x%08x, %s === %s, %s%s, lifetime %u s / %llu kB",
			 x->conn->cfg->name,
			 child->p[i].suite.protocol == IKE_PROTO_AH ? "AH" : "ESP",
			 p2_suite_name(&child->p[i].suite, name, sizeof(name)),
			 child->p[i].spi_in, child->p[i].spi_out,
			 subnet_format(&child->local_ts, l, sizeof(l)),
			 subnet_format(&child->remote_ts, r, sizeof(r)),
			 x->conn->cfg->tunnel ? "tunnel" : "transport",
			 child->pfs ? ", PFS" : "", child->life.seconds,
			 (unsigned long long)child->life.kbytes);
	conn_child_add(x->conn, child);
}

static void quick_failed(struct exchange *x, const char *why)
{
	log_error("%s: Quick Mode failed: %s", conn_name(x), why);
	x->failed = true;
	timer_cancel(&x->retransmit);
	timer_arm(&x->linger, 0);
	/* Inbound SAs of a responder leave with the exchange, policies now. */
	if (x->in_installed && x->conn)
		policy_conn_sync(x->conn);
	if (x->initiator && x->conn)
		conn_quick_failed(x->conn);
}

static const struct step quick_steps[] = {
	{ IKE_STEP_QM1, true, true, qm1_build, qm1_process, NULL },
	{ IKE_STEP_QM2, false, true, qm2_build, qm2_process, NULL },
	{ IKE_STEP_QM3, true, true, qm3_build, qm3_process, NULL },
};

const struct exchange_type quick_mode = {
	"Quick Mode", IKE_EXCH_QUICK, quick_steps,
	sizeof(quick_steps) / sizeof(quick_steps[0]), quick_done, quick_failed,
};

/* ---- Quick Mode exchanges of an ISAKMP SA ---- */

struct exchange *quick_find(struct isakmp_sa *sa, uint32_t msgid)
{
	struct exchange *x;

	for (x = sa->exchanges; x; x = x->next)
		if (x->msgid == msgid)
			return x;
	return NULL;
}

struct exchange *quick_new(struct isakmp_sa *sa, struct conn *conn,
			   bool initiator, uint32_t msgid)
{
	struct exchange *x = malloc(sizeof(*x));

	if (!x)
		return NULL;
	exchange_init(x, sa, EXCH_QUICK, initiator, msgid);
	x->conn = conn;
	x->started_ms = timer_now_ms();
	if (ike_phase2_iv(sa->suite.hash,
			  (struct ike_bytes){ sa->p1_last_block, sa->block_len },
			  msgid, sa->block_len, x->iv)) {
		free(x);
		return NULL;
	}
	x->next = sa->exchanges;
	sa->exchanges = x;
	return x;
}

void quick_free(struct exchange *x)
{
	struct exchange **p;

	for (p = &x->sa->exchanges; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	exchange_cleanup(x);
	free(x);
}
