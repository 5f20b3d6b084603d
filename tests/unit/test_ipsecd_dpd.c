// SPDX-License-Identifier: GPL-2.0
/*
 * Dead peer detection's pure decisions (ipsecd/dpd.c): when to probe,
 * when the peer is dead, and which sequence numbers (RFC 3706) to believe,
 * including across the 32-bit wrap.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "ipsecd/ipsecd.h"
#include "tap.h"

/* main.c is not in libipsecd; dpd.c's daemon side refers to these. */
struct daemon *D;
time_t now_seconds(void)
{
	return time(NULL);
}

#define DELAY 2000
#define TIMEOUT 6000

static void fresh(struct dpd_state *d, uint32_t seed)
{
	memset(d, 0, sizeof(*d));
	dpd_state_init(d, seed, 0);
}

static void test_vendor_id(void)
{
	static const uint8_t want[16] = {
		0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
		0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };

	tap_ok(!memcmp(dpd_vendor_id, want, 16),
	       "DPD vendor ID afcad71368a1f1c96b8696fc77570100");
}

static void test_on_demand(void)
{
	struct dpd_state d;

	fresh(&d, 1);
	tap_is_int(dpd_decide(&d, 0, 0, 0, DELAY, TIMEOUT), DPD_WAIT,
		   "first reading: nothing to compare with");
	tap_is_int(dpd_decide(&d, 0, 0, 5000, DELAY, TIMEOUT), DPD_WAIT,
		   "no traffic at all: no probe (on demand)");
	tap_is_int(dpd_decide(&d, 5, 5, 6000, DELAY, TIMEOUT), DPD_WAIT,
		   "traffic both ways: no probe");
	tap_is_int(dpd_decide(&d, 5, 9, 7000, DELAY, TIMEOUT), DPD_WAIT,
		   "outbound only, but the peer was heard 1 s ago");
	tap_is_int(dpd_decide(&d, 5, 12, 8500, DELAY, TIMEOUT), DPD_PROBE,
		   "outbound only and silence for dpddelay: probe");
	fresh(&d, 1);
	dpd_decide(&d, 0, 0, 0, DELAY, TIMEOUT);
	dpd_decide(&d, 3, 0, 1000, DELAY, TIMEOUT);
	tap_is_int(dpd_decide(&d, 7, 0, 9000, DELAY, TIMEOUT), DPD_WAIT,
		   "inbound only: the peer is alive, no probe");
	fresh(&d, 1);
	dpd_decide(&d, 0, 0, 0, DELAY, TIMEOUT);
	dpd_decide(&d, 0, 4, 500, DELAY, TIMEOUT);
	dpd_alive(&d, 1500);
	tap_is_int(dpd_decide(&d, 0, 4, 4000, DELAY, TIMEOUT), DPD_WAIT,
		   "an IKE message after the last outbound traffic counts as an answer");
}

static void test_timeout(void)
{
	struct dpd_state d;
	uint32_t s1, s2;

	fresh(&d, 100);
	dpd_decide(&d, 0, 0, 0, DELAY, TIMEOUT);
	dpd_decide(&d, 0, 1, 1000, DELAY, TIMEOUT);
	tap_is_int(dpd_decide(&d, 0, 2, 2000, DELAY, TIMEOUT), DPD_PROBE, "probe due");
	s1 = dpd_next_seq(&d, 2000);
	tap_is_int(s1, 101, "sequence numbers count up from the seed");
	tap_is_int(dpd_decide(&d, 0, 3, 3000, DELAY, TIMEOUT), DPD_WAIT,
		   "unanswered, but dpddelay has not passed again");
	tap_is_int(dpd_decide(&d, 0, 4, 4000, DELAY, TIMEOUT), DPD_PROBE,
		   "unanswered for dpddelay: another probe");
	s2 = dpd_next_seq(&d, 4000);
	tap_is_int(s2, 102, "with the next number");
	dpd_next_seq(&d, 6000);
	tap_is_int(dpd_decide(&d, 0, 9, 7999, DELAY, TIMEOUT), DPD_WAIT,
		   "just before dpdtimeout after the first probe");
	tap_is_int(dpd_decide(&d, 0, 9, 8000, DELAY, TIMEOUT), DPD_DEAD,
		   "dpdtimeout after the first unanswered probe: dead");
	tap_is_int(d.sent, 3, "three probes counted");

	fresh(&d, 100);
	dpd_next_seq(&d, 1000);
	dpd_next_seq(&d, 3000);
	tap_ok(dpd_ack(&d, 101, 3500), "an ACK of an earlier probe still counts");
	tap_ok(!d.probing, "and ends the probing");
	tap_is_int(dpd_decide(&d, 0, 0, 8000, DELAY, TIMEOUT), DPD_WAIT,
		   "no death after an answer");
	tap_is_int(d.acked, 1, "one ACK counted");
}

static void test_ack_check(void)
{
	struct dpd_state d;

	fresh(&d, 7);
	tap_ok(!dpd_ack(&d, 7, 0), "an ACK without a probe is refused");
	dpd_next_seq(&d, 0);		/* 8 */
	tap_ok(!dpd_ack(&d, 9, 0), "an ACK of a number not sent yet is refused");
	tap_ok(!dpd_ack(&d, 7, 0), "an ACK of an older number is refused");
	tap_ok(d.probing, "still probing after bad ACKs");
	tap_ok(dpd_ack(&d, 8, 0), "the matching ACK is taken");

	fresh(&d, 0x7fffffff);
	d.seq_out = UINT32_MAX - 1;
	dpd_next_seq(&d, 0);		/* 0xffffffff */
	dpd_next_seq(&d, 0);		/* 0 */
	tap_is_int(d.seq_out, 0, "the sequence number wraps");
	tap_ok(dpd_ack(&d, UINT32_MAX, 0), "an ACK across the wrap is taken");
	fresh(&d, 0xfffffff0);
	tap_ok(d.seq_out < 0x80000000u, "the seed leaves room before the wrap");
}

static void test_peer_probes(void)
{
	struct dpd_state d;

	fresh(&d, 0);
	tap_ok(dpd_peer_probe(&d, 500, 0), "the peer's first R-U-THERE is answered");
	tap_ok(dpd_peer_probe(&d, 501, 0), "the next number is answered");
	tap_ok(dpd_peer_probe(&d, 501, 0), "a retransmission (same number) is answered");
	tap_ok(!dpd_peer_probe(&d, 499, 0), "an older number (a replay) is not");
	tap_ok(dpd_peer_probe(&d, 600, 0), "a jump forward is answered");
	tap_is_int(d.answered, 4, "four answers counted");
	fresh(&d, 0);
	dpd_peer_probe(&d, UINT32_MAX, 0);
	tap_ok(dpd_peer_probe(&d, 0, 0), "the peer's numbers may wrap");
	fresh(&d, 0);
	d.probing = true;
	dpd_peer_probe(&d, 1, 1234);
	tap_ok(!d.probing && d.last_alive_ms == 1234,
	       "the peer's R-U-THERE proves it alive");
}

int main(void)
{
	test_vendor_id();
	test_on_demand();
	test_timeout();
	test_ack_check();
	test_peer_probes();
	return tap_done();
}
