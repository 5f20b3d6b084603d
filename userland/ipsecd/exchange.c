// SPDX-License-Identifier: GPL-2.0
/*
 * Main Mode and Quick Mode, driven by tables of steps (isakmpd's exchange
 * scripts). Each step is one message: who sends it, whether it is
 * encrypted, which payloads it must carry (libike's exchange_rules.c), how
 * to build it and how to process it. The driver below does everything
 * else the same way for every message:
 *
 *   - a byte-identical repeat of the last message received is answered
 *     with the stored bytes of our last message, never re-encrypted;
 *   - encrypted messages are decrypted with a copy of the exchange's CBC
 *     state, which is committed only after the message has been processed
 *     successfully (DESIGN.md §3: advance the IV only after a message
 *     verifies);
 *   - after sending a message that expects an answer, it is retransmitted
 *     with exponential backoff (x1.8) until the give-up limit.
 *
 * A process function returns 0 (go on), a negative value (drop the
 * message: malformed or not authentic, keep waiting) or an ISAKMP notify
 * type (the exchange fails; the type is sent to the peer and logged).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"

#define NONCE_LEN 32
#define MAX_OUT_PAYLOADS 12
#define LINGER_MS 30000

struct out_msg {
	struct ike_payload pl[MAX_OUT_PAYLOADS];
	size_t n;
	struct ike_arena arena;
	/* Quick Mode hashes cover the encoded payloads after HASH. */
	int (*hash_fill)(struct exchange *x, uint8_t *body, size_t len,
			 const size_t *offsets, size_t n);
};

typedef int (*build_fn)(struct exchange *x, const struct ike_message *rx,
			struct out_msg *out);
typedef int (*process_fn)(struct exchange *x, const struct ike_message *rx);
/*
 * Work of ours that the peer need not wait for, done once our message is
 * on the wire and while the peer works on it. Returns as process_fn does.
 */
typedef int (*after_send_fn)(struct exchange *x);

struct step {
	enum ike_exchange_step rules;
	bool from_initiator;
	bool encrypted;
	build_fn build;
	process_fn process;
	after_send_fn after_send;	/* optional */
};

struct exchange_type {
	const char *name;
	uint8_t exchange;
	const struct step *steps;
	size_t nsteps;
	void (*done)(struct exchange *x);
	void (*failed)(struct exchange *x, const char *why);
};

static const char *conn_name(const struct exchange *x)
{
	return x->conn ? x->conn->cfg->name :
	       x->sa->conn ? x->sa->conn->cfg->name : "?";
}

static struct ike_payload *add(struct out_msg *out, uint8_t type)
{
	struct ike_payload *pl = &out->pl[out->n++];

	memset(pl, 0, sizeof(*pl));
	pl->type = type;
	return pl;
}

static void add_bytes(struct out_msg *out, uint8_t type, const void *p,
		      size_t len)
{
	struct ike_payload *pl = add(out, type);

	pl->u.data.ptr = p;
	pl->u.data.len = len;
}

static int buf_set(struct ike_buf *b, const void *p, size_t len)
{
	ike_buf_reset(b);
	return ike_buf_append(b, p, len);
}

static struct ike_bytes bytes_of(const struct ike_buf *b)
{
	return (struct ike_bytes){ b->data, b->len };
}

/* ---- identities ---- */

static void id_from_subnet(struct ike_id *id, const struct subnet *net,
			   bool host_as_addr)
{
	unsigned int max = (unsigned int)ip_addr_len(&net->addr) * 8;

	if (net->addr.family == AF_INET) {
		struct in_addr a;

		memcpy(&a, net->addr.bytes, 4);
		if (host_as_addr && net->prefix == max)
			ike_id_ipv4(id, &a);
		else
			ike_id_ipv4_subnet(id, &a, net->prefix);
	} else {
		struct in6_addr a;

		memcpy(&a, net->addr.bytes, 16);
		if (host_as_addr && net->prefix == max)
			ike_id_ipv6(id, &a);
		else
			ike_id_ipv6_subnet(id, &a, net->prefix);
	}
}

/* A Quick Mode client ID as a prefix; -1 for what we cannot express. */
static int subnet_from_id(const struct ike_id *id, struct subnet *net)
{
	const uint8_t *mask;
	size_t len, i;
	unsigned int prefix = 0;
	bool ended = false;

	if (id->protocol || id->port)
		return -1;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV4_ADDR_SUBNET:
		ip_addr_from_bytes(&id->addr.v4[0], 4, &net->addr);
		mask = (const uint8_t *)&id->addr.v4[1];
		len = 4;
		break;
	case IKE_ID_IPV6_ADDR:
	case IKE_ID_IPV6_ADDR_SUBNET:
		ip_addr_from_bytes(&id->addr.v6[0], 16, &net->addr);
		mask = id->addr.v6[1].s6_addr;
		len = 16;
		break;
	default:
		return -1;
	}
	if (id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV6_ADDR) {
		net->prefix = (unsigned int)len * 8;
		return 0;
	}
	/* Only contiguous masks are prefixes. */
	for (i = 0; i < len * 8; i++) {
		bool bit = mask[i / 8] & (0x80 >> (i % 8));

		if (bit && ended)
			return -1;
		if (bit)
			prefix++;
		else
			ended = true;
	}
	net->prefix = prefix;
	for (i = 0; i < len; i++)
		if (net->addr.bytes[i] & ~mask[i])
			return -1;
	return 0;
}

static void phase1_id(struct ike_id *id, const struct ip_addr *a)
{
	struct subnet s;

	subnet_host(&s, a);
	id_from_subnet(id, &s, true);
}

/* ---- sending ---- */

static const struct exchange_type main_mode, quick_mode;

static const struct exchange_type *type_of(const struct exchange *x)
{
	return x->kind == EXCH_MAIN ? &main_mode : &quick_mode;
}

static void resend(struct exchange *x)
{
	struct isakmp_sa *sa = x->sa;

	if (x->last_sent.len)
		nat_send(sa, x->last_sent.data, x->last_sent.len);
}

/*
 * Encodes, hashes, pads and encrypts a message for exchange x, keeps its
 * bytes for retransmission and sends it. Shared with info.c through
 * message_send().
 */
static int send_payloads(struct isakmp_sa *sa, uint8_t exch, uint32_t msgid,
			 bool encrypted, uint8_t *iv, struct out_msg *out,
			 struct exchange *x, struct ike_buf *keep)
{
	struct ike_header hdr = { .version = IKE_VERSION_1_0 };
	size_t offsets[MAX_OUT_PAYLOADS];
	struct ike_buf body, msg;
	struct ike_error err;
	int rc = -1;

	ike_buf_init(&body);
	ike_buf_init(&msg);
	if (ike_payloads_encode(out->pl, out->n, &body, offsets, &err)) {
		log_error("%s: cannot encode message: %s", sa->conn->cfg->name,
			  err.msg);
		goto out;
	}
	if (out->hash_fill && out->hash_fill(x, body.data, body.len, offsets,
					     out->n))
		goto out;
	if (encrypted) {
		/* Zero padding to the block: the payload chain marks the end. */
		size_t pad = (sa->block_len - body.len % sa->block_len) %
			     sa->block_len;

		if (ike_buf_append_zero(&body, pad) ||
		    ike_cbc_encrypt(sa->suite.enc, sa->enc_key->ptr,
				    sa->enc_key->len, iv, body.data, body.data,
				    body.len))
			goto out;
		hdr.flags = IKE_FLAG_ENCRYPTED;
	}
	memcpy(hdr.cky_i, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(hdr.cky_r, sa->cky_r, IKE_COOKIE_LEN);
	hdr.exchange = exch;
	hdr.message_id = msgid;
	if (ike_header_encode(&hdr, out->pl[0].type, body.len, &msg) ||
	    ike_buf_append(&msg, body.data, body.len))
		goto out;
	nat_send(sa, msg.data, msg.len);
	if (keep) {
		ike_buf_free(keep);
		*keep = msg;
		ike_buf_init(&msg);
	}
	rc = 0;
out:
	ike_buf_free(&body);
	ike_buf_free(&msg);
	return rc;
}

/* ---- Main Mode ---- */

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
	struct ike_payload *pl = add(out, IKE_PL_SA);
	size_t n = our_p1_suites(sa->conn, suites);

	(void)rx;
	if (ike_p1_offer(&out->arena, suites, n, &pl->u.sa))
		return -1;
	add_bytes(out, IKE_PL_VENDOR, dpd_vendor_id, DPD_VENDOR_ID_LEN);
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
	struct ike_payload *pl = add(out, IKE_PL_SA);

	if (ike_p1_reply(&out->arena, &offer->u.sa, &p1_choice, &pl->u.sa))
		return -1;
	add_bytes(out, IKE_PL_VENDOR, dpd_vendor_id, DPD_VENDOR_ID_LEN);
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
	add_bytes(out, IKE_PL_KE, g->data, g->len);
	add_bytes(out, IKE_PL_NONCE, nonce->data, nonce->len);
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
	struct ike_payload *id = add(out, IKE_PL_ID);
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
	add_bytes(out, IKE_PL_HASH, h, sa->hash_len);
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
		return initial_contact_payload(add(out, IKE_PL_NOTIFY),
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

static const struct exchange_type main_mode = {
	"Main Mode", IKE_EXCH_MAIN, main_steps,
	sizeof(main_steps) / sizeof(main_steps[0]), main_done, main_failed,
};

/* ---- Quick Mode ---- */

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
		add_bytes(out, IKE_PL_HASH, h, x->sa->hash_len);
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
	add_bytes(out, IKE_PL_NONCE, nb->data, nb->len);
	if (group == IKE_GROUP_NONE)
		return 0;
	len = ike_dh_public_len(group);
	g = ike_arena_alloc(&out->arena, 1, len);
	if (!g || (!x->dh && ike_dh_new(group, &x->dh)) ||
	    ike_dh_public(x->dh, g, len))
		return -1;
	add_bytes(out, IKE_PL_KE, g, len);
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
	pl = add(out, IKE_PL_SA);
	if (ike_p2_offer(&out->arena, bundles, nb,
			 (const uint8_t (*)[4])x->spi_in_wire, &pl->u.sa))
		return -1;
	if (qm_nonce_ke(x, cfg->pfs_group, &x->ni_b, out))
		return -1;
	x->local_ts = cfg->leftsubnet;
	x->remote_ts = x->conn->remote_ts;
	id_from_subnet(&add(out, IKE_PL_ID)->u.id, &x->local_ts, true);
	id_from_subnet(&add(out, IKE_PL_ID)->u.id, &x->remote_ts, true);
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

static struct ike_p2_choice p2_choice;	/* from QM1 processing to QM2 */

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
	if (!nb || ike_p2_select(&sa_pl->u.sa, bundles, nb, &p2_choice, &err)) {
		if (!nb)
			return IKE_N_NO_PROPOSAL_CHOSEN;
		log_error("%s: NO_PROPOSAL_CHOSEN: %s", c->cfg->name, err.msg);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	rc = qm_take_ke(x, rx, p2_choice.suites[0].group);
	if (rc)
		return rc;
	if (buf_set(&x->ni_b, no->u.data.ptr, no->u.data.len))
		return -1;
	x->child = child_from_choice(&sa_pl->u.sa, &p2_choice);
	if (!x->child)
		return IKE_N_INVALID_SPI;
	x->child->life = p2_choice.decision.life;
	x->n = p2_choice.n;
	for (i = 0; i < x->n; i++) {
		if (kernel_spi_alloc(&sa->local, p2_choice.suites[i].protocol,
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
	pl = add(out, IKE_PL_SA);
	if (ike_p2_reply(&out->arena, &offer->u.sa, &p2_choice,
			 (const uint8_t (*)[4])x->spi_in_wire, &pl->u.sa))
		return -1;
	if (qm_nonce_ke(x, p2_choice.suites[0].group, &x->nr_b, out))
		return -1;
	if (x->send_ids) {
		add(out, IKE_PL_ID)->u.id = ike_message_find(rx, IKE_PL_ID, 0)->u.id;
		add(out, IKE_PL_ID)->u.id = ike_message_find(rx, IKE_PL_ID, 1)->u.id;
	}
	noa = nat_oa_payloads(x->sa, x->conn->cfg->tunnel, false, &out->arena,
			      &out->pl[out->n], MAX_OUT_PAYLOADS - out->n);
	if (noa < 0)
		return -1;
	out->n += (size_t)noa;
	if (p2_choice.decision.responder_lifetime &&
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
	const struct ike_lifetime *life = &p2_choice.decision.life;
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
	for (i = 0; i < p2_choice.n; i++) {
		const struct ike_proposal *p = &offer->proposals[p2_choice.proposal_index[i]];
		struct ike_payload *n = add(out, IKE_PL_NOTIFY);

		n->u.notify.doi = IKE_DOI_IPSEC;
		n->u.notify.protocol = p2_choice.suites[i].protocol;
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
	rc = qm_take_ke(x, rx, ch.suites[0].group);
	if (rc)
		return rc;
	if (buf_set(&x->nr_b, no->u.data.ptr, no->u.data.len))
		return -1;
	x->child = child_from_choice(&sa_pl->u.sa, &ch);
	if (!x->child)
		return IKE_N_INVALID_SPI;
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
	add_bytes(out, IKE_PL_HASH, h, x->sa->hash_len);
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

static void linger_expired(struct timer *t)
{
	quick_free((struct exchange *)((char *)t -
				       offsetof(struct exchange, linger)));
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

static const struct exchange_type quick_mode = {
	"Quick Mode", IKE_EXCH_QUICK, quick_steps,
	sizeof(quick_steps) / sizeof(quick_steps[0]), quick_done, quick_failed,
};

/* ---- the driver ---- */

static void retransmit_fired(struct timer *t)
{
	struct exchange *x = (struct exchange *)((char *)t -
				offsetof(struct exchange, retransmit));
	const struct exchange_type *type = type_of(x);
	char why[96];

	if (x->tries >= D->cfg.retransmit_tries) {
		snprintf(why, sizeof(why), "no answer after %u retransmissions",
			 x->tries);
		type->failed(x, why);
		return;
	}
	x->tries++;
	log_debug("%s: %s: retransmission %u", conn_name(x), type->name,
		  x->tries);
	resend(x);
	x->timeout_ms = x->timeout_ms / 10 * 18;
	timer_arm(&x->retransmit, x->timeout_ms);
}

void exchange_init(struct exchange *x, struct isakmp_sa *sa,
		   enum exchange_kind kind, bool initiator, uint32_t msgid)
{
	memset(x, 0, sizeof(*x));
	x->sa = sa;
	x->kind = kind;
	x->initiator = initiator;
	x->msgid = msgid;
	ike_buf_init(&x->last_sent);
	ike_buf_init(&x->ni_b);
	ike_buf_init(&x->nr_b);
	timer_init(&x->retransmit, retransmit_fired);
	timer_init(&x->linger, linger_expired);
}

void exchange_cleanup(struct exchange *x)
{
	size_t i;

	timer_cancel(&x->retransmit);
	timer_cancel(&x->linger);
	/* SPIs reserved for a Quick Mode that never completed. */
	for (i = 0; i < x->n; i++)
		if (x->spi_in[i] && x->kind == EXCH_QUICK)
			kernel_spi_release(&x->sa->local,
					   x->child ? x->child->p[i].suite.protocol :
					   x->conn->cfg->bundles[0].suites[i].protocol,
					   x->spi_in[i]);
	ike_buf_free(&x->last_sent);
	ike_buf_free(&x->ni_b);
	ike_buf_free(&x->nr_b);
	ike_dh_free(x->dh);
	x->dh = NULL;
	ike_secret_free(x->gqm);
	x->gqm = NULL;
	free(x->child);
	x->child = NULL;
	ike_wipe(x->iv, sizeof(x->iv));
}

/* Builds step x->step, sends it and moves on. */
static int send_step(struct exchange *x, const struct ike_message *rx)
{
	const struct exchange_type *type = type_of(x);
	const struct step *s = &type->steps[x->step];
	struct out_msg out;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = s->build(x, rx, &out);
	if (!rc)
		rc = send_payloads(x->sa, type->exchange, x->msgid, s->encrypted,
				   x->iv, &out, x, &x->last_sent) ? -1 : 0;
	ike_arena_free(&out.arena);
	if (rc)
		return rc;
	x->answered = x->has_last_rcvd;
	x->step++;
	if (x->step == type->nsteps) {
		x->done = true;
		type->done(x);
		return 0;
	}
	x->tries = 0;
	x->timeout_ms = D->cfg.retransmit_timeout_ms;
	timer_arm(&x->retransmit, x->timeout_ms);
	return s->after_send ? s->after_send(x) : 0;
}

static void fail_with(struct exchange *x, int rc, const char *why)
{
	const struct exchange_type *type = type_of(x);
	struct isakmp_sa *sa = x->sa;

	if (rc > 0) {
		if (x->kind == EXCH_MAIN || sa->state != ISAKMP_ESTABLISHED)
			/* The peer may lack our keys: say it in the clear. */
			info_send_notify_plain(&sa->local, &sa->peer, sa->peer_port,
					       sa->cky_i, sa->cky_r, (uint16_t)rc);
		else
			info_send_notify(sa, x->n && x->child ?
					 x->child->p[0].suite.protocol : IKE_PROTO_ESP,
					 x->spi_in[0] ? x->spi_in_wire[0] : NULL,
					 x->spi_in[0] ? 4 : 0, (uint16_t)rc);
	}
	type->failed(x, why);
}

int exchange_start(struct exchange *x)
{
	int rc = send_step(x, NULL);

	if (rc)
		fail_with(x, rc > 0 ? rc : 0, "cannot build the first message");
	return rc;
}

void exchange_receive(struct exchange *x, const uint8_t *data, size_t len,
		      const struct ike_message *hdr_msg)
{
	const struct exchange_type *type = type_of(x);
	const struct step *s;
	uint8_t digest[32], iv[IKE_MAX_BLOCK_LEN], *plain = NULL;
	struct ike_message dec;
	const struct ike_message *rx = hdr_msg;
	struct ike_error err;
	char why[200];
	int rc;

	crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
	if (x->has_last_rcvd && !memcmp(digest, x->last_rcvd, sizeof(digest))) {
		/*
		 * Only a message we answered gets our answer again: a repeat
		 * of the exchange's last message (QM3, MM6) must not make us
		 * resend the message before it, or two peers that each got a
		 * few repeats would bounce them at each other for good.
		 */
		log_debug("%s: %s: duplicate message%s", conn_name(x), type->name,
			  x->answered ? ", answering with the stored reply" : "");
		if (x->answered)
			resend(x);
		return;
	}
	if (x->done || x->failed || x->step >= type->nsteps)
		return;
	s = &type->steps[x->step];
	if (s->from_initiator == x->initiator) {
		log_debug("%s: %s: unexpected message while waiting to send",
			  conn_name(x), type->name);
		return;
	}
	ike_message_init(&dec);
	if (s->encrypted != !!(hdr_msg->hdr.flags & IKE_FLAG_ENCRYPTED)) {
		log_warn("%s: %s: message %u %s, dropped", conn_name(x), type->name,
			 x->step + 1, s->encrypted ? "not encrypted" : "encrypted");
		return;
	}
	if (s->encrypted) {
		size_t clen = hdr_msg->encrypted.len;

		if (!x->sa->enc_key || clen % x->sa->block_len) {
			log_warn("%s: %s: ciphertext of %zu bytes, dropped",
				 conn_name(x), type->name, clen);
			return;
		}
		plain = malloc(clen);
		if (!plain)
			return;
		memcpy(iv, x->iv, sizeof(iv));
		dec.hdr = hdr_msg->hdr;
		if (ike_cbc_decrypt(x->sa->suite.enc, x->sa->enc_key->ptr,
				    x->sa->enc_key->len, iv,
				    hdr_msg->encrypted.ptr, plain, clen) ||
		    ike_message_decode_payloads(&dec, hdr_msg->hdr.next_payload,
						plain, clen,
						IKE_DECODE_ALLOW_TRAILING, &err)) {
			/*
			 * Garbage after decryption at MM5 is what a wrong PSK
			 * looks like: the keys derived from it differ.
			 */
			if (x->kind == EXCH_MAIN) {
				log_error("%s: AUTHENTICATION_FAILED: cannot decrypt message %u from the peer (pre-shared keys differ?)",
					  conn_name(x), x->step + 1);
				fail_with(x, IKE_N_AUTHENTICATION_FAILED,
					  "authentication failed");
			} else {
				log_warn("%s: %s: undecodable message dropped: %s",
					 conn_name(x), type->name, err.msg);
			}
			goto out;
		}
		rx = &dec;
	}
	if (ike_message_check_step(rx, s->rules, &err)) {
		if (x->kind == EXCH_MAIN && s->encrypted) {
			log_error("%s: AUTHENTICATION_FAILED: message %u from the peer is garbage after decryption (pre-shared keys differ?): %s",
				  conn_name(x), x->step + 1, err.msg);
			fail_with(x, IKE_N_AUTHENTICATION_FAILED,
				  "authentication failed");
		} else {
			log_warn("%s: %s: message %u dropped: %s", conn_name(x),
				 type->name, x->step + 1, err.msg);
		}
		goto out;
	}
	rc = s->process(x, rx);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		snprintf(why, sizeof(why), "%s", notify_name((uint16_t)rc));
		fail_with(x, rc, why);
		goto out;
	}
	if (s->encrypted) {
		memcpy(x->iv, iv, sizeof(iv));
		/*
		 * Decrypted and verified: where it came from is the peer
		 * (Quick Mode followed it already, in verify_hash()).
		 */
		nat_authenticated(x->sa);
	}
	memcpy(x->last_rcvd, digest, sizeof(digest));
	x->has_last_rcvd = true;
	x->answered = false;
	timer_cancel(&x->retransmit);
	x->step++;
	if (x->step == type->nsteps) {
		x->done = true;
		type->done(x);
		goto out;
	}
	rc = send_step(x, rx);
	if (rc) {
		snprintf(why, sizeof(why), "%s",
			 rc > 0 ? notify_name((uint16_t)rc) :
			 "cannot build the answer");
		fail_with(x, rc > 0 ? rc : 0, why);
	}
out:
	ike_message_free(&dec);
	if (plain) {
		ike_wipe(plain, hdr_msg->encrypted.len);
		free(plain);
	}
}

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

/* ---- dispatch of received datagrams ---- */

#define HALFOPEN_LOG_INTERVAL_MS 10000

/*
 * Logs a Main Mode refused for the half-open limits at most once per
 * HALFOPEN_LOG_INTERVAL_MS, with the number refused since the last line:
 * a flood must not turn into a flood of log lines.
 */
static void halfopen_refused(const struct ip_addr *peer,
			     enum halfopen_verdict v)
{
	static uint64_t next_log_ms;
	static unsigned long refused;
	uint64_t now = timer_now_ms();
	char a[FORMAT_BUF_LEN];

	refused++;
	if (now < next_log_ms)
		return;
	if (v == HALFOPEN_TOTAL)
		log_warn("Main Mode from %s dropped: %u half-open ISAKMP SAs (halfopen_max); %lu dropped since the last such message (one per %u s at most)",
			 ip_addr_format(peer, a, sizeof(a)), D->cfg.halfopen_max,
			 refused, HALFOPEN_LOG_INTERVAL_MS / 1000);
	else
		log_warn("Main Mode from %s dropped: %u half-open ISAKMP SAs with this peer (halfopen_max_peer); %lu dropped since the last such message (one per %u s at most)",
			 ip_addr_format(peer, a, sizeof(a)),
			 D->cfg.halfopen_max_peer, refused,
			 HALFOPEN_LOG_INTERVAL_MS / 1000);
	refused = 0;
	next_log_ms = now + HALFOPEN_LOG_INTERVAL_MS;
}

/* The same limit for MM1s from addresses no conn names. */
static void unknown_peer_refused(const struct ip_addr *peer)
{
	static uint64_t next_log_ms;
	static unsigned long refused;
	uint64_t now = timer_now_ms();
	char a[FORMAT_BUF_LEN];

	refused++;
	if (now < next_log_ms)
		return;
	log_warn("Main Mode from %s: no connection for this peer; ignored (%lu such messages since the last line, one line per %u s at most)",
		 ip_addr_format(peer, a, sizeof(a)), refused,
		 HALFOPEN_LOG_INTERVAL_MS / 1000);
	refused = 0;
	next_log_ms = now + HALFOPEN_LOG_INTERVAL_MS;
}

void message_dispatch(const struct ip_addr *local, uint16_t local_port,
		      const struct ip_addr *peer, uint16_t port,
		      const uint8_t *data, size_t len)
{
	static const uint8_t zero[IKE_COOKIE_LEN];
	struct ike_message msg;
	struct ike_error err;
	struct isakmp_sa *sa;
	struct exchange *x;
	char a[FORMAT_BUF_LEN];

	if (ike_message_decode(data, len, &msg, &err)) {
		log_warn("malformed message of %zu bytes from %s dropped: %s",
			 len, ip_addr_format(peer, a, sizeof(a)), err.msg);
		return;
	}
	sa = nat_move_rx(isakmp_sa_find(msg.hdr.cky_i, msg.hdr.cky_r, peer),
			 peer, port, local_port);
	if (sa)
		nat_rx(sa, local_port, port);
	switch (msg.hdr.exchange) {
	case IKE_EXCH_MAIN:
		if (!sa && !memcmp(msg.hdr.cky_r, zero, IKE_COOKIE_LEN)) {
			struct conn *c = conn_find_peer(local, peer);

			if (!c) {
				unknown_peer_refused(peer);
				break;
			}
			enum halfopen_verdict v;

			v = isakmp_sa_halfopen_check(D->sas, peer,
						     D->cfg.halfopen_max,
						     D->cfg.halfopen_max_peer);
			if (v != HALFOPEN_OK) {
				halfopen_refused(peer, v);
				break;
			}
			sa = isakmp_sa_new(c, false, local, peer, port);
			if (!sa)
				break;
			memcpy(sa->cky_i, msg.hdr.cky_i, IKE_COOKIE_LEN);
			nat_rx(sa, local_port, port);
			log_info("%s: Main Mode from %s", c->cfg->name,
				 ip_addr_format(peer, a, sizeof(a)));
		}
		if (!sa) {
			log_debug("Main Mode message for unknown cookies from %s dropped",
				  ip_addr_format(peer, a, sizeof(a)));
			break;
		}
		exchange_receive(&sa->main, data, len, &msg);
		break;
	case IKE_EXCH_QUICK:
		if (!sa || sa->state != ISAKMP_ESTABLISHED || !msg.hdr.message_id) {
			log_debug("Quick Mode without an ISAKMP SA from %s dropped",
				  ip_addr_format(peer, a, sizeof(a)));
			break;
		}
		x = quick_find(sa, msg.hdr.message_id);
		if (!x)
			x = quick_new(sa, NULL, false, msg.hdr.message_id);
		if (x)
			exchange_receive(x, data, len, &msg);
		break;
	case IKE_EXCH_INFORMATIONAL:
		if (!sa) {
			log_debug("informational message for unknown cookies from %s dropped",
				  ip_addr_format(peer, a, sizeof(a)));
			break;
		}
		info_receive(sa, &msg, data, len);
		break;
	default:
		log_warn("%s exchange from %s not supported; dropped",
			 ike_exchange_name(msg.hdr.exchange),
			 ip_addr_format(peer, a, sizeof(a)));
	}
	ike_message_free(&msg);
}

/* For info.c: one message outside any exchange. */
int message_send(struct isakmp_sa *sa, uint32_t msgid, bool encrypted,
		 uint8_t *iv, struct ike_payload *pl, size_t n,
		 int (*hash_fill)(struct exchange *, uint8_t *, size_t,
				  const size_t *, size_t),
		 struct exchange *ctx);
int message_send(struct isakmp_sa *sa, uint32_t msgid, bool encrypted,
		 uint8_t *iv, struct ike_payload *pl, size_t n,
		 int (*hash_fill)(struct exchange *, uint8_t *, size_t,
				  const size_t *, size_t),
		 struct exchange *ctx)
{
	struct out_msg out;
	int rc;

	if (n > MAX_OUT_PAYLOADS)
		return -1;
	memset(&out, 0, sizeof(out));
	memcpy(out.pl, pl, n * sizeof(*pl));
	out.n = n;
	out.hash_fill = hash_fill;
	rc = send_payloads(sa, IKE_EXCH_INFORMATIONAL, msgid, encrypted, iv,
			   &out, ctx, NULL);
	ike_arena_free(&out.arena);
	return rc;
}
