// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP SA renewal times (ike_renew.c) and INITIAL-CONTACT (initial
 * contact.c): when each side renews, when N(INITIAL-CONTACT) goes into
 * MM5, and what the payload carries on the wire.
 */
#include <string.h>
#include <time.h>

#include "ipsecd/ipsecd.h"
#include "tap.h"

/* main.c is not in libipsecd; sa_ike.c refers to these. */
struct daemon *D;
time_t now_seconds(void)
{
	return time(NULL);
}

static void test_renew_times(void)
{
	uint32_t lo = UINT32_MAX, hi = 0, v;
	uint64_t r;
	bool later = true;

	/* 8 h, margin 9 min, fuzz 100%: 27540..28260 s, both ends reached. */
	for (r = 0; r < 3000; r++) {
		v = ike_renew_after(28800, 540, 100, true, r * 7919);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		later &= ike_renew_after(28800, 540, 100, false, r) > v;
	}
	tap_is_int(lo, 28800 - 540 - 540, "initiator: at the earliest life - 2 x margin");
	tap_is_int(hi, 28800 - 540, "initiator: at the latest life - margin");
	tap_ok(later, "the responder always renews after the initiator would");
	tap_is_int(ike_renew_after(28800, 540, 100, false, 0), 28800 - 270,
		   "responder: life - margin / 2");
	tap_is_int(ike_renew_after(20, 540, 0, true, 0), 18,
		   "a margin not below the lifetime is a tenth of it");
	tap_is_int(ike_renew_after(12, 4, 0, true, 0), 8, "12 s, margin 4 s: 8 s");
	tap_is_int(ike_renew_after(1, 0, 0, true, 0), 0, "below 2 s: never");
}

static struct isakmp_sa sas[3];

static void test_initial_contact(void)
{
	struct daemon d;
	struct ip_addr a, b, c;
	struct ike_payload pl;
	struct ike_message msg;
	struct ike_arena arena = { 0 };
	struct ike_buf buf;
	struct ike_error err;
	size_t i;

	memset(&d, 0, sizeof(d));
	D = &d;
	ip_addr_parse("192.0.2.1", &a);
	ip_addr_parse("192.0.2.2", &b);
	ip_addr_parse("198.51.100.9", &c);
	memset(sas, 0, sizeof(sas));
	for (i = 0; i < 3; i++) {
		sas[i].local = a;
		sas[i].peer = b;
		sas[i].next = i < 2 ? &sas[i + 1] : NULL;
		memset(sas[i].cky_i, 0x10 + (int)i, IKE_COOKIE_LEN);
		memset(sas[i].cky_r, 0x20 + (int)i, IKE_COOKIE_LEN);
	}
	d.sas = &sas[0];
	sas[0].state = ISAKMP_NEGOTIATING;
	sas[1].state = ISAKMP_NEGOTIATING;
	sas[2].state = ISAKMP_DEAD;
	tap_ok(initial_contact_wanted(&sas[0]),
	       "no other established ISAKMP SA with the peer: sent");
	sas[2].state = ISAKMP_ESTABLISHED;
	tap_ok(!initial_contact_wanted(&sas[0]),
	       "another one established with the peer (a renewal): not sent");
	sas[2].peer = c;
	tap_ok(initial_contact_wanted(&sas[0]),
	       "one established with another peer does not count");
	sas[2].peer = b;
	sas[2].local = c;
	tap_ok(initial_contact_wanted(&sas[0]),
	       "nor one from another local address");

	memset(&pl, 0, sizeof(pl));
	tap_ok(initial_contact_payload(&pl, &arena, &sas[0]) == 0,
	       "payload built");
	ike_buf_init(&buf);
	ike_message_init(&msg);
	if (tap_ok(ike_payloads_encode(&pl, 1, &buf, NULL, &err) == 0 &&
		   ike_message_decode_payloads(&msg, IKE_PL_NOTIFY, buf.data,
					       buf.len, 0, &err) == 0 &&
		   msg.npayloads == 1, "it encodes and decodes")) {
		const struct ike_notify *n = &msg.payloads[0].u.notify;

		tap_ok(n->doi == IKE_DOI_IPSEC && n->protocol == IKE_PROTO_ISAKMP &&
		       n->type == IKE_N_INITIAL_CONTACT,
		       "N(INITIAL-CONTACT), DOI IPsec, protocol ISAKMP (RFC 2407 4.6.3.3)");
		tap_ok(n->spi.len == 16 && !memcmp(n->spi.ptr, sas[0].cky_i, 8) &&
		       !memcmp(n->spi.ptr + 8, sas[0].cky_r, 8),
		       "its SPI is the two cookies");
	}
	ike_message_free(&msg);
	ike_buf_free(&buf);
	ike_arena_free(&arena);
}

int main(void)
{
	if (ike_crypto_init())
		return 1;
	test_renew_times();
	test_initial_contact();
	return tap_done();
}
