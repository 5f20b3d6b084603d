// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal (RFC 3947, RFC 3948); see nat_t.h for what it covers.
 *
 * Detection: each end sends, in MM3/MM4, NAT-D = HASH(CKY-I | CKY-R | IP |
 * port) of the address and port it sends to, then of those it sends from.
 * The receiver compares them with what it sees: the first one is its own
 * end (a mismatch: a NAT in front of it), the others the sender's (none
 * matching: a NAT in front of the sender).
 *
 * With a NAT anywhere, the initiator sends MM5 and everything after it from
 * UDP 4500 to the peer's 4500, each message after a 4-byte zero non-ESP
 * marker; the responder moves when an authentic message arrives there, to
 * whatever port the NAT gave it. ESP goes in UDP on the same ports
 * (kipsec's ENCAP_SPORT/DPORT per SA). The end behind a NAT sends a
 * one-byte keepalive every nat_keepalive seconds so the mapping stays.
 */
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "common/json.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"

static const char *sa_name(const struct isakmp_sa *sa)
{
	return sa->conn ? sa->conn->cfg->name : "?";
}

/* Our port for IKE with this SA now. */
static uint16_t local_port(const struct isakmp_sa *sa)
{
	return sa->nat.floated ? IKE_NATT_PORT : IKE_PORT;
}

static void keepalive_fired(struct timer *t)
{
	struct isakmp_sa *sa = (struct isakmp_sa *)((char *)t -
				offsetof(struct isakmp_sa, nat.keepalive));
	static const uint8_t ka = IKE_NATT_KEEPALIVE;

	if (sa->state != ISAKMP_ESTABLISHED || !D->cfg.nat_keepalive)
		return;
	transport_send_natt(&sa->local, &sa->peer, sa->peer_port, &ka, 1, false);
	timer_arm(&sa->nat.keepalive, (uint64_t)D->cfg.nat_keepalive * 1000);
}

void nat_sa_init(struct isakmp_sa *sa)
{
	memset(&sa->nat, 0, sizeof(sa->nat));
	sa->nat.rx_local_port = IKE_PORT;
	sa->nat.rx_peer_port = sa->peer_port;
	timer_init(&sa->nat.keepalive, keepalive_fired);
	sa->nat.timer_ready = true;
}

void nat_sa_cleanup(struct isakmp_sa *sa)
{
	if (sa->nat.timer_ready)
		timer_cancel(&sa->nat.keepalive);
}

size_t nat_vid_payloads(const struct isakmp_sa *sa, struct ike_payload *pl,
			size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ike_natt_nvids && n < max; i++) {
		const struct ike_natt_vid *v = &ike_natt_vids[i];

		/* The responder names the one dialect it chose. */
		if (!sa->initiator && v->dialect != sa->nat.dialect)
			continue;
		memset(&pl[n], 0, sizeof(pl[n]));
		pl[n].type = IKE_PL_VENDOR;
		pl[n].u.data.ptr = v->id;
		pl[n].u.data.len = IKE_NATT_VID_LEN;
		n++;
		if (!sa->initiator)
			break;
	}
	return n;
}

void nat_vids_received(struct isakmp_sa *sa, const struct ike_message *rx)
{
	sa->nat.dialect = ike_natt_message_dialect(rx);
	if (sa->nat.dialect)
		log_debug("%s: peer supports NAT-T (%s)", sa_name(sa),
			  ike_natt_dialect_name(sa->nat.dialect));
}

static int natd_of(const struct isakmp_sa *sa, const struct ip_addr *a,
		   uint16_t port, uint8_t *out)
{
	return ike_natd_hash(sa->suite.hash, sa->cky_i, sa->cky_r, a->bytes,
			     ip_addr_len(a), port, out);
}

int nat_natd_payloads(struct isakmp_sa *sa, struct ike_arena *arena,
		      struct ike_payload *pl, size_t max)
{
	uint8_t *peer, *self;
	size_t len = ike_hash_len(sa->suite.hash);

	if (!sa->nat.dialect)
		return 0;
	if (max < 2)
		return -1;
	peer = ike_arena_alloc(arena, 1, IKE_MAX_HASH_LEN);
	self = ike_arena_alloc(arena, 1, IKE_MAX_HASH_LEN);
	if (!peer || !self || natd_of(sa, &sa->peer, sa->peer_port, peer) ||
	    natd_of(sa, &sa->local, local_port(sa), self))
		return -1;
	memset(pl, 0, 2 * sizeof(*pl));
	pl[0].type = pl[1].type = ike_natt_natd_type(sa->nat.dialect);
	pl[0].u.data = (struct ike_bytes){ peer, len };
	pl[1].u.data = (struct ike_bytes){ self, len };
	return 2;
}

int nat_natd_received(struct isakmp_sa *sa, const struct ike_message *rx)
{
	uint8_t self[IKE_MAX_HASH_LEN], peer[IKE_MAX_HASH_LEN];
	struct ike_natd_result res;
	struct ike_error err;
	char a[FORMAT_BUF_LEN];

	if (!sa->nat.dialect)
		return 0;
	if (natd_of(sa, &sa->local, sa->nat.rx_local_port, self) ||
	    natd_of(sa, &sa->peer, sa->nat.rx_peer_port, peer))
		return -1;
	if (ike_natd_check(rx, ike_natt_natd_type(sa->nat.dialect), self, peer,
			   ike_hash_len(sa->suite.hash), &res, &err)) {
		log_warn("%s: NAT-D: %s", sa_name(sa), err.msg);
		return IKE_N_PAYLOAD_MALFORMED;
	}
	if (!res.present) {
		/* A peer that announced NAT-T but sends no NAT-D. */
		log_warn("%s: peer sent no NAT-D payloads; NAT traversal off",
			 sa_name(sa));
		sa->nat.dialect = IKE_NATT_NONE;
		return 0;
	}
	sa->nat.local_behind = res.local_behind_nat;
	sa->nat.peer_behind = res.peer_behind_nat;
	sa->nat.detected = res.local_behind_nat || res.peer_behind_nat;
	if (!sa->nat.detected) {
		log_debug("%s: NAT-D: no NAT between us and %s", sa_name(sa),
			  ip_addr_format(&sa->peer, a, sizeof(a)));
		return 0;
	}
	log_info("%s: NAT detected (%s): %s; IKE moves to UDP %d, ESP goes in UDP",
		 sa_name(sa), ike_natt_dialect_name(sa->nat.dialect),
		 res.local_behind_nat && res.peer_behind_nat ? "both ends are behind a NAT" :
		 res.local_behind_nat ? "we are behind a NAT" :
		 "the peer is behind a NAT", IKE_NATT_PORT);
	/* RFC 3947 4: the initiator moves from MM5 on, if not there yet. */
	if (sa->initiator && !sa->nat.floated) {
		sa->nat.floated = true;
		sa->peer_port = IKE_NATT_PORT;
	}
	return 0;
}

void nat_rx(struct isakmp_sa *sa, uint16_t local_port_rx, uint16_t peer_port)
{
	sa->nat.rx_local_port = local_port_rx;
	sa->nat.rx_peer_port = peer_port;
	/* A Main Mode begun on 4500 (a peer re-keying after a move) stays. */
	if (local_port_rx == IKE_NATT_PORT && sa->main.step == 0 &&
	    !sa->initiator && !sa->nat.floated) {
		sa->nat.floated = true;
		sa->peer_port = peer_port;
	}
}

static void children_follow(struct isakmp_sa *sa)
{
	struct child_sa *ch;
	unsigned int n = 0, failed = 0;

	if (!sa->conn)
		return;
	for (ch = sa->conn->children; ch; ch = ch->next) {
		if (kernel_child_set_encap(sa->conn, sa, ch))
			failed++;
		else
			n++;
	}
	if (n || failed)
		log_info("%s: %u IPsec SA pair%s now use%s the peer's port %u%s",
			 sa_name(sa), n, n == 1 ? "" : "s", n == 1 ? "s" : "",
			 sa->peer_port, failed ? " (some could not be updated)" : "");
}

void nat_authenticated(struct isakmp_sa *sa)
{
	char a[FORMAT_BUF_LEN];
	uint16_t old = sa->peer_port;

	/* A new address first: it takes the port with it. */
	nat_move_authenticated(sa);
	old = sa->peer_port;
	if (sa->nat.rx_local_port == IKE_NATT_PORT && !sa->nat.floated) {
		sa->nat.floated = true;
		log_info("%s: peer moved to UDP %d (from port %u)", sa_name(sa),
			 IKE_NATT_PORT, sa->nat.rx_peer_port);
	}
	if (!sa->nat.floated || sa->nat.rx_peer_port == old)
		return;
	sa->peer_port = sa->nat.rx_peer_port;
	if (sa->state != ISAKMP_ESTABLISHED)
		return;
	/* The NAT in front of the peer gave it a new mapping (rebinding). */
	sa->nat.rebinds++;
	log_info("%s: peer %s now seen from port %u (was %u): following it",
		 sa_name(sa), ip_addr_format(&sa->peer, a, sizeof(a)),
		 sa->peer_port, old);
	children_follow(sa);
}

void nat_mapping(uint32_t spi, const struct ip_addr *dst,
		 const struct ip_addr *src, uint16_t sport)
{
	struct isakmp_sa *sa = NULL;
	struct child_sa *ch = NULL;
	struct conn *c;
	char a[FORMAT_BUF_LEN];
	size_t i;

	for (c = D->conns; c && !ch; c = c->next)
		for (ch = c->children; ch; ch = ch->next) {
			for (i = 0; i < ch->n; i++)
				if (ch->p[i].spi_in == spi)
					break;
			if (i < ch->n)
				break;
		}
	if (!ch)
		return;
	c = ch->conn;
	sa = conn_isakmp(c);
	if (!sa || !sa->nat.floated || !ip_addr_equal(&sa->local, dst)) {
		log_debug("%s: ESP of SA 0x%08x from port %u ignored: no NAT-T ISAKMP SA to follow it with",
			  c->cfg->name, spi, sport);
		return;
	}
	if (!ip_addr_equal(&sa->peer, src)) {
		nat_peer_moved(sa, src, sport);
		return;
	}
	if (sport == sa->peer_port) {
		/* The ISAKMP SA already moved; the IPsec SAs lag behind. */
		children_follow(sa);
		return;
	}
	log_info("%s: ESP from %s now arrives from port %u (was %u): the peer's NAT mapping changed, following it",
		 c->cfg->name, ip_addr_format(src, a, sizeof(a)), sport,
		 sa->peer_port);
	sa->peer_port = sport;
	sa->nat.rebinds++;
	children_follow(sa);
}

void nat_established(struct isakmp_sa *sa)
{
	if (sa->nat.local_behind && D->cfg.nat_keepalive)
		timer_arm(&sa->nat.keepalive,
			  (uint64_t)D->cfg.nat_keepalive * 1000);
}

int nat_send(const struct isakmp_sa *sa, const uint8_t *data, size_t len)
{
	if (sa->nat.floated)
		return transport_send_natt(&sa->local, &sa->peer, sa->peer_port,
					   data, len, true);
	return transport_send(&sa->local, &sa->peer, sa->peer_port, data, len);
}

size_t nat_p2_bundles(const struct isakmp_sa *sa, const struct conn_config *cfg,
		      struct ike_p2_bundle *out, size_t max, const char *name)
{
	size_t i, k, n = 0;

	for (i = 0; i < cfg->nbundles && n < max; i++) {
		const struct ike_p2_bundle *b = &cfg->bundles[i];
		bool ah = false;

		for (k = 0; k < b->n; k++)
			ah |= b->suites[k].protocol == IKE_PROTO_AH;
		if (sa->nat.detected && ah)
			continue;
		out[n] = *b;
		for (k = 0; sa->nat.detected && k < b->n; k++)
			out[n].suites[k].encap =
				b->suites[k].encap == IKE_ENCAP_TRANSPORT ?
				ike_natt_encap_udp_transport(sa->nat.dialect) :
				ike_natt_encap_udp_tunnel(sa->nat.dialect);
		n++;
	}
	if (!n && sa->nat.detected)
		log_error("%s: AH cannot cross a NAT (it authenticates the IP addresses the NAT rewrites; only ESP has NAT-T): there is a NAT between us and the peer, so no AH SA is proposed or accepted",
			  name);
	return n;
}

bool nat_sa_encap(const struct isakmp_sa *sa, const struct ike_p2_suite *s,
		  bool inbound, uint16_t *sport, uint16_t *dport)
{
	uint16_t base;
	bool udp;

	if (s->protocol != IKE_PROTO_ESP ||
	    ike_natt_encap_fold(s->encap, &base, &udp) || !udp)
		return false;
	*sport = inbound ? sa->peer_port : IKE_NATT_PORT;
	*dport = inbound ? IKE_NATT_PORT : sa->peer_port;
	return true;
}

int nat_oa_payloads(const struct isakmp_sa *sa, bool tunnel, bool initiator,
		    struct ike_arena *arena, struct ike_payload *pl, size_t max)
{
	const struct ip_addr *ends[2];
	size_t i;

	if (tunnel || !sa->nat.detected)
		return 0;
	if (max < 2)
		return -1;
	/* NAT-OAi then NAT-OAr: the initiator's end first. */
	ends[0] = initiator ? &sa->local : &sa->peer;
	ends[1] = initiator ? &sa->peer : &sa->local;
	for (i = 0; i < 2; i++) {
		struct ike_nat_oa oa = { 0 };
		struct ike_buf body;
		uint8_t *copy;

		oa.id_type = ends[i]->family == AF_INET ? IKE_ID_IPV4_ADDR :
			     IKE_ID_IPV6_ADDR;
		memcpy(&oa.addr, ends[i]->bytes, ip_addr_len(ends[i]));
		memset(&pl[i], 0, sizeof(pl[i]));
		pl[i].type = ike_natt_natoa_type(sa->nat.dialect);
		if (pl[i].type == IKE_PL_NAT_OA) {
			pl[i].u.nat_oa = oa;
			continue;
		}
		/* The drafts' private type is opaque to the codec. */
		ike_buf_init(&body);
		copy = NULL;
		if (!ike_nat_oa_body(&oa, &body))
			copy = ike_arena_alloc(arena, 1, body.len);
		if (copy)
			memcpy(copy, body.data, body.len);
		pl[i].u.data = (struct ike_bytes){ copy, copy ? body.len : 0 };
		ike_buf_free(&body);
		if (!copy)
			return -1;
	}
	return 2;
}

static const char *nat_where(const struct isakmp_sa *sa)
{
	return sa->nat.local_behind && sa->nat.peer_behind ? "both" :
	       sa->nat.local_behind ? "local" : sa->nat.peer_behind ? "peer" :
	       "none";
}

const char *nat_describe(const struct isakmp_sa *sa, char *buf, size_t len)
{
	if (!sa->nat.dialect) {
		snprintf(buf, len, "nat-t off");
		return buf;
	}
	snprintf(buf, len, "nat-t %s, behind NAT: %s, ports %u -> %u%s",
		 ike_natt_dialect_name(sa->nat.dialect), nat_where(sa),
		 local_port(sa), sa->peer_port,
		 sa->nat.local_behind && D->cfg.nat_keepalive ?
		 ", keepalives" : "");
	if (sa->nat.rebinds) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, ", %u rebinding%s",
			 sa->nat.rebinds, sa->nat.rebinds == 1 ? "" : "s");
	}
	return buf;
}

void nat_json(struct json_writer *w, const struct isakmp_sa *sa)
{
	json_key(w, "nat");
	json_object_begin(w);
	json_key(w, "dialect");
	json_string(w, ike_natt_dialect_name(sa->nat.dialect));
	json_key(w, "behind_nat");
	json_string(w, nat_where(sa));
	json_key(w, "local_behind_nat");
	json_bool(w, sa->nat.local_behind);
	json_key(w, "peer_behind_nat");
	json_bool(w, sa->nat.peer_behind);
	json_key(w, "local_port");
	json_u64(w, local_port(sa));
	json_key(w, "peer_port");
	json_u64(w, sa->peer_port);
	json_key(w, "keepalive");
	json_u64(w, sa->nat.local_behind ? D->cfg.nat_keepalive : 0);
	json_key(w, "rebinds");
	json_u64(w, sa->nat.rebinds);
	json_object_end(w);
}
