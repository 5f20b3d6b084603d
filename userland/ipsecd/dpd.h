/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dead peer detection (RFC 3706): the state an ISAKMP SA keeps, and the
 * pure decisions (when to probe, when the peer is dead, which sequence
 * numbers to believe) that tests/unit/test_ipsecd_dpd.c exercises without
 * a daemon. dpd.c wires them to timers, kipsec's SA counters and the
 * informational exchanges.
 */
#ifndef IPSECD_DPD_H
#define IPSECD_DPD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ipsecd/timer.h"

#define DPD_VENDOR_ID_LEN 16
extern const uint8_t dpd_vendor_id[DPD_VENDOR_ID_LEN];

struct dpd_state {
	bool peer_supports;	/* the peer's DPD vendor ID came in MM1/MM2 */
	/* Our probes: sequence numbers seq_first..seq_out are unanswered. */
	bool probing;
	uint32_t seq_out, seq_first;
	uint64_t probe_since_ms;	/* first unanswered R-U-THERE */
	uint64_t probe_last_ms;		/* latest R-U-THERE */
	/* Liveness: inbound IPsec traffic or an authentic IKE message. */
	uint64_t last_alive_ms;
	uint64_t last_out_ms;		/* outbound traffic last seen moving */
	uint64_t in_packets, out_packets;	/* kipsec's counts at the last tick */
	bool counted;			/* in/out_packets hold a first reading */
	/* The peer's probes: the highest sequence number answered. */
	bool peer_seq_known;
	uint32_t peer_seq;
	unsigned int sent, acked, answered;	/* for ipsecctl ike list */
	struct timer tick;
};

enum dpd_verdict {
	DPD_WAIT,	/* nothing to do */
	DPD_PROBE,	/* send an R-U-THERE (dpd_next_seq) */
	DPD_DEAD,	/* dpdtimeout passed without an answer */
};

/* A fresh state; seed is random: RFC 3706 starts the sequence anywhere. */
void dpd_state_init(struct dpd_state *d, uint32_t seed, uint64_t now_ms);

/*
 * One look at the counters (sums over the peer's current IPsec SAs): the
 * peer is alive if inbound moved; a probe is due if outbound moved since
 * the peer was last heard from and that was delay_ms ago, or, while a
 * probe is unanswered, every delay_ms; dead once timeout_ms pass after
 * the first unanswered probe.
 */
enum dpd_verdict dpd_decide(struct dpd_state *d, uint64_t in_packets,
			    uint64_t out_packets, uint64_t now_ms,
			    uint32_t delay_ms, uint32_t timeout_ms);
/* The sequence number of the R-U-THERE to send now. */
uint32_t dpd_next_seq(struct dpd_state *d, uint64_t now_ms);
/* An R-U-THERE-ACK: true (and the peer is alive) if it answers a probe. */
bool dpd_ack(struct dpd_state *d, uint32_t seq, uint64_t now_ms);
/*
 * An R-U-THERE from the peer: true if it is to be answered, i.e. not
 * older than one already answered (a replay); the same number again is a
 * retransmission whose ACK was lost and is answered again.
 */
bool dpd_peer_probe(struct dpd_state *d, uint32_t seq, uint64_t now_ms);
/* Any authentic message from the peer proves it alive. */
void dpd_alive(struct dpd_state *d, uint64_t now_ms);

/* The daemon's side (dpd.c). */
struct isakmp_sa;
struct ike_message;
struct ike_notify;
struct json_writer;
/* The ISAKMP SA is established: probe if our conn and the peer want DPD. */
void dpd_start(struct isakmp_sa *sa);
void dpd_stop(struct isakmp_sa *sa);
/* Whether MM1/MM2 carries the DPD vendor ID. */
bool dpd_vid_present(const struct ike_message *m);
/* An authentic R-U-THERE or R-U-THERE-ACK under sa. */
void dpd_receive(struct isakmp_sa *sa, const struct ike_notify *n);
/* dpdtimeout passed: delete the SAs with the peer, apply dpdaction. */
void dpd_peer_dead(struct isakmp_sa *sa);
void dpd_status_text(FILE *out, const struct isakmp_sa *sa);
void dpd_status_json(struct json_writer *w, const struct isakmp_sa *sa);

#endif
