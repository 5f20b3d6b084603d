// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecd's NAT traversal (ipsecd/nat_t.c) without a network: two ISAKMP
 * SAs, an initiator behind a NAT and a responder in front of it, exchange
 * vendor IDs and NAT-D payloads through the real codec, and each must see
 * the NAT on the right side; then what Quick Mode may offer across it (UDP
 * modes of the agreed dialect, never AH) and the ports of the SAs.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"
#include "tap.h"

/* main.c is not in libipsecd; the code under test refers to these. */
static struct daemon daemon;
struct daemon *D = &daemon;
time_t now_seconds(void)
{
	return time(NULL);
}

static void addr(const char *s, struct ip_addr *a)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	ip_addr_from_bytes(&in, 4, a);
}

static void sa_init(struct isakmp_sa *sa, bool initiator, const char *local,
		    const char *peer, uint16_t peer_port)
{
	static const uint8_t ci[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cr[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

	memset(sa, 0, sizeof(*sa));
	sa->initiator = initiator;
	addr(local, &sa->local);
	addr(peer, &sa->peer);
	sa->peer_port = peer_port;
	memcpy(sa->cky_i, ci, 8);
	memcpy(sa->cky_r, cr, 8);
	sa->suite.hash = IKE_HASH_SHA2_256;
	nat_sa_init(sa);
}

/* Encodes payloads pl[0..n) as one message and decodes it into rx. */
static int carry(struct ike_payload *pl, size_t n, struct ike_buf *wire,
		 struct ike_message *rx)
{
	struct ike_message msg;
	struct ike_error err;

	memset(&msg, 0, sizeof(msg));
	memset(msg.hdr.cky_i, 1, 8);
	msg.hdr.version = IKE_VERSION_1_0;
	msg.hdr.exchange = IKE_EXCH_MAIN;
	msg.payloads = pl;
	msg.npayloads = n;
	ike_buf_init(wire);
	if (ike_message_encode(&msg, wire, NULL, &err) ||
	    ike_message_decode(wire->data, wire->len, rx, &err)) {
		printf("#   codec: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void test_detection(void)
{
	struct isakmp_sa ini, resp;
	struct ike_payload pl[8];
	struct ike_message rx;
	struct ike_arena arena = { 0 };
	struct ike_buf wire;
	size_t n;
	int k;

	/* gw-a 172.16.0.1 behind a NAT that shows it as 192.0.2.1:31000. */
	sa_init(&ini, true, "172.16.0.1", "192.0.2.2", 500);
	sa_init(&resp, false, "192.0.2.2", "192.0.2.1", 31000);
	nat_rx(&resp, 500, 31000);

	/* MM1: the initiator's vendor IDs; the responder picks RFC 3947. */
	n = nat_vid_payloads(&ini, pl, 8);
	tap_is_int(n, 4, "MM1 carries four NAT-T vendor IDs");
	tap_ok(!carry(pl, n, &wire, &rx), "MM1 VIDs through the codec");
	nat_vids_received(&resp, &rx);
	tap_ok(resp.nat.dialect == IKE_NATT_RFC3947, "responder: RFC 3947 chosen");
	ike_message_free(&rx);
	ike_buf_free(&wire);
	n = nat_vid_payloads(&resp, pl, 8);
	tap_ok(n == 1 && !memcmp(pl[0].u.data.ptr, ike_natt_vids[0].id, 16),
	       "MM2 answers with the RFC 3947 VID only");
	carry(pl, n, &wire, &rx);
	nat_vids_received(&ini, &rx);
	tap_ok(ini.nat.dialect == IKE_NATT_RFC3947, "initiator: RFC 3947 agreed");
	ike_message_free(&rx);
	ike_buf_free(&wire);

	/* MM3: the initiator's NAT-D; the responder finds the peer behind. */
	k = nat_natd_payloads(&ini, &arena, pl, 8);
	tap_ok(k == 2 && pl[0].type == IKE_PL_NAT_D && pl[0].u.data.len == 32,
	       "MM3 carries two NAT-D of 32 bytes");
	carry(pl, 2, &wire, &rx);
	tap_is_int(nat_natd_received(&resp, &rx), 0, "responder reads MM3's NAT-D");
	tap_ok(resp.nat.detected && resp.nat.peer_behind && !resp.nat.local_behind,
	       "responder: the peer is behind a NAT");
	tap_ok(!resp.nat.floated && resp.peer_port == 31000,
	       "responder: stays on 500 until the peer moves");
	ike_message_free(&rx);
	ike_buf_free(&wire);

	/* MM4: the responder's NAT-D; the initiator finds itself behind. */
	k = nat_natd_payloads(&resp, &arena, pl, 8);
	carry(pl, (size_t)k, &wire, &rx);
	nat_rx(&ini, 500, 500);
	tap_is_int(nat_natd_received(&ini, &rx), 0, "initiator reads MM4's NAT-D");
	tap_ok(ini.nat.detected && ini.nat.local_behind && !ini.nat.peer_behind,
	       "initiator: we are behind a NAT");
	tap_ok(ini.nat.floated && ini.peer_port == IKE_NATT_PORT,
	       "initiator: moves to 4500 for MM5");
	ike_message_free(&rx);
	ike_buf_free(&wire);

	/* MM5 arrives on 4500 from the NAT's new port: the responder follows. */
	nat_rx(&resp, IKE_NATT_PORT, 31001);
	nat_authenticated(&resp);
	tap_ok(resp.nat.floated && resp.peer_port == 31001 && !resp.nat.rebinds,
	       "responder: follows to 4500 and the peer's new port, no rebinding yet");
	/* Established: an authentic message from yet another port. */
	resp.state = ISAKMP_ESTABLISHED;
	nat_rx(&resp, IKE_NATT_PORT, 31002);
	tap_ok(resp.peer_port == 31001, "a message not yet authenticated moves nothing");
	nat_authenticated(&resp);
	tap_ok(resp.peer_port == 31002 && resp.nat.rebinds == 1,
	       "an authentic one from a new port is a rebinding, followed");
	ike_arena_free(&arena);
	nat_sa_cleanup(&ini);
	nat_sa_cleanup(&resp);

	/* The same ends without a NAT in between: nothing detected. */
	sa_init(&ini, true, "192.0.2.1", "192.0.2.2", 500);
	sa_init(&resp, false, "192.0.2.2", "192.0.2.1", 500);
	ini.nat.dialect = resp.nat.dialect = IKE_NATT_RFC3947;
	k = nat_natd_payloads(&ini, &arena, pl, 8);
	carry(pl, (size_t)k, &wire, &rx);
	nat_natd_received(&resp, &rx);
	tap_ok(!resp.nat.detected && !resp.nat.floated, "no NAT: nothing detected");
	ike_message_free(&rx);
	ike_buf_free(&wire);
	ike_arena_free(&arena);
	/* A peer without NAT-T: no NAT-D sent at all. */
	ini.nat.dialect = IKE_NATT_NONE;
	tap_is_int(nat_natd_payloads(&ini, &arena, pl, 8), 0,
		   "no NAT-D without an agreed dialect");
}

static void test_bundles(void)
{
	struct conn_config cfg;
	struct ike_p2_bundle out[4];
	struct isakmp_sa sa;
	uint16_t sport, dport;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "t");
	cfg.nbundles = 2;
	cfg.bundles[0].n = cfg.bundles[1].n = 1;
	cfg.bundles[0].suites[0] = (struct ike_p2_suite){
		IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 128, 0, IKE_ENCAP_TUNNEL, 0, { 3600, 0 } };
	cfg.bundles[1].suites[0] = (struct ike_p2_suite){
		IKE_PROTO_ESP, IKE_ESP_AES, 128, IKE_AUTH_ALG_HMAC_SHA2_256,
		IKE_ENCAP_TRANSPORT, 0, { 3600, 0 } };

	sa_init(&sa, true, "172.16.0.1", "192.0.2.2", 4500);
	tap_ok(nat_p2_bundles(&sa, &cfg, out, 4, "t") == 2 &&
	       out[0].suites[0].encap == IKE_ENCAP_TUNNEL &&
	       out[1].suites[0].encap == IKE_ENCAP_TRANSPORT,
	       "no NAT: the configured modes");
	sa.nat.detected = true;
	sa.nat.dialect = IKE_NATT_RFC3947;
	tap_ok(nat_p2_bundles(&sa, &cfg, out, 4, "t") == 2 &&
	       out[0].suites[0].encap == IKE_ENCAP_UDP_TUNNEL &&
	       out[1].suites[0].encap == IKE_ENCAP_UDP_TRANSPORT,
	       "NAT, RFC 3947: UDP-tunnel 3, UDP-transport 4");
	sa.nat.dialect = IKE_NATT_DRAFT_02;
	tap_ok(nat_p2_bundles(&sa, &cfg, out, 4, "t") == 2 &&
	       out[0].suites[0].encap == 61443 && out[1].suites[0].encap == 61444,
	       "NAT, draft: 61443 and 61444");
	tap_ok(nat_sa_encap(&sa, &out[0].suites[0], true, &sport, &dport) &&
	       sport == 4500 && dport == 4500, "inbound SA: from the peer's port to 4500");
	sa.peer_port = 31000;
	tap_ok(nat_sa_encap(&sa, &out[0].suites[0], false, &sport, &dport) &&
	       sport == 4500 && dport == 31000, "outbound SA: from 4500 to the peer's port");
	tap_ok(!nat_sa_encap(&sa, &cfg.bundles[0].suites[0], false, &sport, &dport),
	       "a plain tunnel SA has no UDP encapsulation");

	cfg.bundles[0].suites[0].protocol = IKE_PROTO_AH;
	cfg.bundles[0].suites[0].transform = IKE_AH_SHA2_256;
	cfg.nbundles = 1;
	tap_is_int(nat_p2_bundles(&sa, &cfg, out, 4, "t"), 0,
		   "NAT: AH is neither offered nor accepted");
	tap_ok(!nat_sa_encap(&sa, &cfg.bundles[0].suites[0], true, &sport, &dport),
	       "AH never gets UDP encapsulation");
	sa.nat.detected = false;
	tap_is_int(nat_p2_bundles(&sa, &cfg, out, 4, "t"), 1, "no NAT: AH is fine");
	nat_sa_cleanup(&sa);
}

static void test_nat_oa(void)
{
	struct ike_payload pl[2];
	struct ike_arena arena = { 0 };
	struct ike_message rx;
	struct ike_buf wire;
	struct isakmp_sa sa;
	struct ike_nat_oa oa;
	struct ike_error err;

	sa_init(&sa, true, "172.16.0.1", "192.0.2.2", 4500);
	tap_is_int(nat_oa_payloads(&sa, false, true, &arena, pl, 2), 0,
		   "no NAT: no NAT-OA");
	sa.nat.detected = true;
	sa.nat.dialect = IKE_NATT_RFC3947;
	tap_is_int(nat_oa_payloads(&sa, true, true, &arena, pl, 2), 0,
		   "tunnel mode: no NAT-OA");
	tap_ok(nat_oa_payloads(&sa, false, true, &arena, pl, 2) == 2 &&
	       pl[0].type == IKE_PL_NAT_OA &&
	       !memcmp(&pl[0].u.nat_oa.addr.v4, sa.local.bytes, 4) &&
	       !memcmp(&pl[1].u.nat_oa.addr.v4, sa.peer.bytes, 4),
	       "transport mode, initiator: NAT-OAi (ours), NAT-OAr (the peer's)");
	sa.nat.dialect = IKE_NATT_DRAFT_03;
	tap_ok(nat_oa_payloads(&sa, false, false, &arena, pl, 2) == 2 &&
	       pl[0].type == 131 && !carry(pl, 2, &wire, &rx) &&
	       !ike_nat_oa_parse(rx.payloads[0].u.data, &oa, &err) &&
	       !memcmp(&oa.addr.v4, sa.peer.bytes, 4),
	       "draft: type 131, responder puts the initiator's address first");
	ike_message_free(&rx);
	ike_buf_free(&wire);
	ike_arena_free(&arena);
	nat_sa_cleanup(&sa);
}

/* Which new peer addresses are followed (ipsecd/nat_move.c). */
static void test_move_judge(void)
{
	struct isakmp_sa sa;
	struct ip_addr same, moved, v6;
	struct in6_addr in6;

	sa_init(&sa, false, "192.0.2.2", "192.0.2.1", 4500);
	addr("192.0.2.1", &same);
	addr("192.0.2.3", &moved);
	inet_pton(AF_INET6, "2001:db8::3", &in6);
	ip_addr_from_bytes(&in6, 16, &v6);

	tap_is_int(nat_move_judge(&sa, &moved, false), NAT_MOVE_NO_NAT,
		   "no NAT-T (IKE not floated): a new address is not followed");
	sa.nat.floated = true;
	tap_is_int(nat_move_judge(&sa, &same, false), NAT_MOVE_SAME,
		   "the same address: nothing to do");
	tap_is_int(nat_move_judge(&sa, &moved, false), NAT_MOVE_FOLLOW,
		   "NAT-T, tunnel mode: followed");
	tap_is_int(nat_move_judge(&sa, &v6, false), NAT_MOVE_FAMILY,
		   "an IPv6 address for an IPv4 peer: refused");
	tap_is_int(nat_move_judge(&sa, &moved, true), NAT_MOVE_SELECTORS,
		   "a transport conn whose rightsubnet= is not the peer alone: refused");
	tap_ok(strstr(nat_move_verdict_name(NAT_MOVE_SELECTORS),
		      "rightsubnet=") != NULL,
	       "the selectors refusal says why");
	nat_sa_cleanup(&sa);
}

int main(void)
{
	if (ike_crypto_init())
		return 1;
	config_init(&D->cfg);
	log_set_level(LOG_LVL_ERROR);
	test_detection();
	test_bundles();
	test_nat_oa();
	test_move_judge();
	return tap_done();
}
