// SPDX-License-Identifier: GPL-2.0
/*
 * Main Mode (RFC 2409 5), pre-shared key authentication: six messages,
 * one step each in main_steps[], run by the driver in exchange.c. SA
 * proposal and choice (1, 2), Diffie-Hellman and nonces with NAT-D (3, 4),
 * then the encrypted identities and HASH_I / HASH_R (5, 6).
 */
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/exchange.h"
#include "ipsecd/log.h"

/* Our phase-1 suites with the configured lifetime. */
static size_t our_p1_suites(const struct conn *c, struct ike_p1_suite *out)
{
	size_t i;

	for (i = 0; i < c->cfg->nike; i++) {
		out[i] = c->cfg->ike[i];
		out[i].life.seconds = c->cfg->ikelifetime;
		out[i].life.kbytes = 0;
	}
	return c->cfg->nike;
}

static int mm1_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	struct ike_p1_suite suites[CONFIG_MAX_SUITES];
	struct isakmp_sa *sa = x->sa;
	struct ike_payload *pl = out_add(out, IKE_PL_SA);
	size_t n = our_p1_suites(sa->conn, suites);

	(void)rx;
	if (ike_p1_offer(&out->arena, suites, n, &pl->u.sa))
		return -1;
	out_add_bytes(out, IKE_PL_VENDOR, dpd_vendor_id, DPD_VENDOR_ID_LEN);
	ike_buf_reset(&sa->sai_b);
	if (ike_payload_encode_body(pl, &sa->sai_b, NULL))
		return -1;
	out->n += nat_vid_payloads(sa, &out->pl[out->n], MAX_OUT_PAYLOADS - out->n);
	return 0;
}

static struct ike_p1_choice p1_choice;	/* from MM1 processing to MM2 */

static int mm1_process(struct exchange *x, const struct ike_message *rx)
{
	struct ike_p1_suite suites[CONFIG_MAX_SUITES];
	struct isakmp_sa *sa = x->sa;
	const struct ike_payload *pl = ike_message_find(rx, IKE_PL_SA, 0);
	size_t n = our_p1_suites(sa->conn, suites);
	struct ike_error err;

	if (ike_p1_select(&pl->u.sa, suites, n, &p1_choice, &err)) {
		log_error("%s: NO_PROPOSAL_CHOSEN: %s", sa->conn->cfg->name,
			  err.msg);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	sa->suite = p1_choice.suite;
	sa->suite.life = p1_choice.decision.life;
	nat_vids_received(sa, rx);
	sa->dpd.peer_supports = dpd_vid_present(rx);
	return buf_set(&sa->sai_b, pl->body.ptr, pl->body.len) ? -1 : 0;
}

static int mm2_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	const struct ike_payload *offer = ike_message_find(rx, IKE_PL_SA, 0);
	struct ike_payload *pl = out_add(out, IKE_PL_SA);

	if (ike_p1_reply(&out->arena, &offer->u.sa, &p1_choice, &pl->u.sa))
		return -1;
	out_add_bytes(out, IKE_PL_VENDOR, dpd_vendor_id, DPD_VENDOR_ID_LEN);
	out->n += nat_vid_payloads(x->sa, &out->pl[out->n],
				   MAX_OUT_PAYLOADS - out->n);
	return 0;
}

static int mm2_process(struct exchange *x, const struct ike_message *rx)
{
	struct ike_p1_suite suites[CONFIG_MAX_SUITES], s;
	struct isakmp_sa *sa = x->sa;
	const struct ike_payload *pl = ike_message_find(rx, IKE_PL_SA, 0);
	const struct ike_proposal *p;
	size_t i, n = our_p1_suites(sa->conn, suites);
	struct ike_error err;

	if (pl->u.sa.nproposals != 1 || pl->u.sa.proposals[0].ntransforms != 1) {
		log_error("%s: peer answered with %zu proposals, not one",
			  sa->conn->cfg->name, pl->u.sa.nproposals);
		return IKE_N_BAD_PROPOSAL_SYNTAX;
	}
	p = &pl->u.sa.proposals[0];
	if (ike_p1_parse_transform(p, &p->transforms[0], &s, &err)) {
		log_error("%s: peer's phase-1 choice: %s", sa->conn->cfg->name,
			  err.msg);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	for (i = 0; i < n; i++)
		if (ike_p1_suite_matches(&s, &suites[i]))
			break;
	if (i == n) {
		log_error("%s: NO_PROPOSAL_CHOSEN: peer chose a suite we did not offer",
			  sa->conn->cfg->name);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	sa->suite = s;
	sa->suite.life = ike_life_decide(&s.life, &suites[i].life).life;
	memcpy(sa->cky_r, rx->hdr.cky_r, IKE_COOKIE_LEN);
	nat_vids_received(sa, rx);
	sa->dpd.peer_supports = dpd_vid_present(rx);
	return 0;
}

/*
 * Our DH private value for MM3/MM4, drawn while MM1 or MM2 is on its way:
 * the initiator's for the group of its first suite (what a peer chooses
 * nearly always), the responder's for the group it chose.
 */
static int mm_dh_ahead(struct exchange *x)
{
	struct isakmp_sa *sa = x->sa;
	uint16_t group = x->initiator ? sa->conn->cfg->ike[0].group :
					sa->suite.group;

	/* On failure sa->dh stays NULL: make_ke_nonce() tries again. */
	if (!sa->dh)
		ike_dh_new(group, &sa->dh);
	return 0;
}

/* KE and nonce of MM3/MM4: ours go out, the peer's are checked and kept. */
static int make_ke_nonce(struct isakmp_sa *sa, struct ike_buf *g,
			 struct ike_buf *nonce, struct out_msg *out)
{
	size_t len = ike_dh_public_len(sa->suite.group);
	uint8_t n[NONCE_LEN];

	if (sa->dh && ike_dh_group(sa->dh) != sa->suite.group) {
		ike_dh_free(sa->dh);
		sa->dh = NULL;
	}
	if ((!sa->dh && ike_dh_new(sa->suite.group, &sa->dh)) ||
	    ike_buf_append_zero(g, len) ||
	    ike_dh_public(sa->dh, g->data, g->len))
		return -1;
	ike_random(n, sizeof(n));
	if (buf_set(nonce, n, sizeof(n)))
		return -1;
	out_add_bytes(out, IKE_PL_KE, g->data, g->len);
	out_add_bytes(out, IKE_PL_NONCE, nonce->data, nonce->len);
	return 0;
}

static int take_ke_nonce(struct isakmp_sa *sa, const struct ike_message *rx,
			 struct ike_buf *g, struct ike_buf *nonce)
{
	const struct ike_payload *ke = ike_message_find(rx, IKE_PL_KE, 0);
	const struct ike_payload *no = ike_message_find(rx, IKE_PL_NONCE, 0);

	if (ke->u.data.len != ike_dh_public_len(sa->suite.group)) {
		log_warn("%s: KE of %zu bytes for group %u", sa->conn->cfg->name,
			 ke->u.data.len, sa->suite.group);
		return IKE_N_INVALID_KEY_INFORMATION;
	}
	if (buf_set(g, ke->u.data.ptr, ke->u.data.len) ||
	    buf_set(nonce, no->u.data.ptr, no->u.data.len))
		return -1;
	return 0;
}

/* g^xy and the PSK of the peer, then SKEYID and friends. */
static int phase1_keys(struct isakmp_sa *sa, const struct ike_buf *peer_g)
{
	const struct ike_secret *psk;
	struct ike_secret *gxy = NULL;
	int rc;

	psk = secrets_lookup_peer(&D->secrets, &sa->local,
				  &sa->conn->cfg->right, &sa->peer);
	if (!psk) {
		char a[FORMAT_BUF_LEN];

		log_error("%s: AUTHENTICATION_FAILED: no pre-shared key for peer %s",
			  sa->conn->cfg->name, ip_addr_format(&sa->peer, a, sizeof(a)));
		return IKE_N_AUTHENTICATION_FAILED;
	}
	if (ike_dh_shared(sa->dh, peer_g->data, peer_g->len, &gxy)) {
		log_warn("%s: peer's DH value rejected", sa->conn->cfg->name);
		return IKE_N_INVALID_KEY_INFORMATION;
	}
	/* g^xy is all it was for: no copy of the private value outlives it. */
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	rc = isakmp_sa_derive_keys(sa, gxy, psk);
	ike_secret_free(gxy);
	if (rc)
		log_error("%s: phase-1 key derivation failed", sa->conn->cfg->name);
	return rc ? -1 : 0;
}

/* NAT-D payloads when both ends speak NAT-T (nat_t.c). */
static int add_natd(struct isakmp_sa *sa, struct out_msg *out)
{
	int n = nat_natd_payloads(sa, &out->arena, &out->pl[out->n],
				  MAX_OUT_PAYLOADS - out->n);

	if (n < 0)
		return -1;
	out->n += (size_t)n;
	return 0;
}

static int mm3_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	(void)rx;
	return make_ke_nonce(x->sa, &x->sa->gxi, &x->sa->ni_b, out) ||
	       add_natd(x->sa, out) ? -1 : 0;
}

static int mm3_process(struct exchange *x, const struct ike_message *rx)
{
	int rc = take_ke_nonce(x->sa, rx, &x->sa->gxi, &x->sa->ni_b);

	return rc ? rc : nat_natd_received(x->sa, rx);
}

static int mm4_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	(void)rx;
	return make_ke_nonce(x->sa, &x->sa->gxr, &x->sa->nr_b, out) ||
	       add_natd(x->sa, out) ? -1 : 0;
}

/*
 * The responder's g^xy and keys once MM4 is out, while the initiator
 * computes the same from it: neither waits for the other's. MM5, the
 * first message that needs them, cannot come before MM4 has arrived.
 */
static int mm4_after_send(struct exchange *x)
{
	return phase1_keys(x->sa, &x->sa->gxi);
}

static int mm4_process(struct exchange *x, const struct ike_message *rx)
{
	int rc = take_ke_nonce(x->sa, rx, &x->sa->gxr, &x->sa->nr_b);

	if (!rc)
		rc = nat_natd_received(x->sa, rx);
	return rc ? rc : phase1_keys(x->sa, &x->sa->gxr);
}

/* HASH_I or HASH_R over an encoded ID payload body. */
static int auth_hash(struct isakmp_sa *sa, bool of_initiator,
		     struct ike_bytes id_b, uint8_t *out)
{
	struct ike_auth_input in = {
		.gxi = bytes_of(&sa->gxi), .gxr = bytes_of(&sa->gxr),
		.cky_i = sa->cky_i, .cky_r = sa->cky_r,
		.sai_b = bytes_of(&sa->sai_b), .id_b = id_b,
	};

	return of_initiator ? ike_hash_i(sa->suite.hash, sa->skeyid, &in, out) :
			      ike_hash_r(sa->suite.hash, sa->skeyid, &in, out);
}

static int mm_auth_build(struct exchange *x, struct out_msg *out)
{
	struct isakmp_sa *sa = x->sa;
	struct ike_payload *id = out_add(out, IKE_PL_ID);
	struct ike_buf id_b;
	uint8_t *h = ike_arena_alloc(&out->arena, 1, IKE_MAX_HASH_LEN);
	int rc;

	if (!h)
		return -1;
	phase1_id(&id->u.id, &sa->local);
	ike_buf_init(&id_b);
	rc = ike_payload_encode_body(id, &id_b, NULL) ||
	     auth_hash(sa, x->initiator, bytes_of(&id_b), h);
	ike_buf_free(&id_b);
	if (rc)
		return -1;
	out_add_bytes(out, IKE_PL_HASH, h, sa->hash_len);
	return 0;
}

static int mm_auth_process(struct exchange *x, const struct ike_message *rx)
{
	struct isakmp_sa *sa = x->sa;
	const struct ike_payload *id = ike_message_find(rx, IKE_PL_ID, 0);
	const struct ike_payload *h = ike_message_find(rx, IKE_PL_HASH, 0);
	uint8_t want[IKE_MAX_HASH_LEN];
	char a[FORMAT_BUF_LEN];

	if (auth_hash(sa, !x->initiator, id->body, want))
		return -1;
	if (h->u.data.len != sa->hash_len ||
	    !ike_equal(h->u.data.ptr, want, sa->hash_len)) {
		log_error("%s: AUTHENTICATION_FAILED: HASH_%s from %s does not verify (pre-shared keys differ?)",
			  sa->conn->cfg->name, x->initiator ? "R" : "I",
			  ip_addr_format(&sa->peer, a, sizeof(a)));
		return IKE_N_AUTHENTICATION_FAILED;
	}
	initial_contact_receive(sa, rx);
	return 0;
}

static int mm5_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	(void)rx;
	if (mm_auth_build(x, out))
		return -1;
	if (initial_contact_wanted(x->sa))
		return initial_contact_payload(out_add(out, IKE_PL_NOTIFY),
					       &out->arena, x->sa);
	return 0;
}

static int mm6_build(struct exchange *x, const struct ike_message *rx,
		     struct out_msg *out)
{
	(void)rx;
	return mm_auth_build(x, out);
}

static void main_done(struct exchange *x)
{
	struct isakmp_sa *sa = x->sa;
	char a[FORMAT_BUF_LEN], s[64];

	memcpy(sa->p1_last_block, x->iv, sa->block_len);
	sa->state = ISAKMP_ESTABLISHED;
	sa->established = now_seconds();
	if (sa->suite.life.seconds)
		timer_arm(&sa->expire, (uint64_t)sa->suite.life.seconds * 1000);
	log_info("%s: ISAKMP SA established with %s (%s, %s, lifetime %u s)",
		 sa->conn->cfg->name, ip_addr_format(&sa->peer, a, sizeof(a)),
		 isakmp_sa_suite_name(sa, s, sizeof(s)),
		 sa->initiator ? "initiator" : "responder", sa->suite.life.seconds);
	nat_established(sa);
	dpd_start(sa);
	conn_ike_established(sa->conn, sa);
	ike_renew_established(sa);
}

static void main_failed(struct exchange *x, const char *why)
{
	struct isakmp_sa *sa = x->sa;
	struct conn *c = sa->conn;

	isakmp_sa_fail(sa, why);
	conn_ike_failed(c, sa);
}

static const struct step main_steps[] = {
	{ IKE_STEP_MM1, true, false, mm1_build, mm1_process, mm_dh_ahead },
	{ IKE_STEP_MM2, false, false, mm2_build, mm2_process, mm_dh_ahead },
	{ IKE_STEP_MM3, true, false, mm3_build, mm3_process, NULL },
	{ IKE_STEP_MM4, false, false, mm4_build, mm4_process, mm4_after_send },
	{ IKE_STEP_MM5, true, true, mm5_build, mm_auth_process, NULL },
	{ IKE_STEP_MM6, false, true, mm6_build, mm_auth_process, NULL },
};

const struct exchange_type main_mode = {
	"Main Mode", IKE_EXCH_MAIN, main_steps,
	sizeof(main_steps) / sizeof(main_steps[0]), main_done, main_failed,
};
