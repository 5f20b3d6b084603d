// SPDX-License-Identifier: GPL-2.0
/*
 * Dead peer detection (RFC 3706) for IKEv1.
 *
 * Both ends announce DPD with its vendor ID in MM1/MM2. Probes are
 * R-U-THERE notifications (36136) in protected informational exchanges,
 * protocol ISAKMP, the two cookies as SPI and a 32-bit sequence number as
 * data; the peer echoes the number in an R-U-THERE-ACK (36137). We answer
 * every authentic R-U-THERE, whatever our own dpdaction.
 *
 * Probing is on demand, as the RFC suggests: every ISAKMP SA whose conn
 * has a dpdaction and whose peer announced DPD polls kipsec's packet
 * counters of the IPsec SAs with that peer (a quarter of dpddelay apart).
 * Inbound packets, or any authentic IKE message, prove the peer alive. An
 * R-U-THERE goes out only when traffic left for the peer and nothing came
 * back for dpddelay, and again every dpddelay while unanswered (each with
 * the next sequence number). dpdtimeout after the first unanswered probe
 * the peer is dead: the ISAKMP SAs with it and the IPsec SAs of every
 * conn between the two addresses are deleted (in kipsec too; nothing is
 * sent to a dead peer), and each conn does what its dpdaction says:
 *
 *   clear    its policies go too (unless auto=route or level=request keep
 *            them anyway);
 *   hold     its policies stay (installed if need be), so that traffic for
 *            the peer is held back and kipsec's ACQUIRE renegotiates;
 *   restart  as hold, and it renegotiates at once, retrying with backoff
 *            until the peer answers (conn.c's retry_later).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "common/json.h"
#include "ipsecd/dpd.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

const uint8_t dpd_vendor_id[DPD_VENDOR_ID_LEN] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

/* ---- pure decisions ---- */

void dpd_state_init(struct dpd_state *d, uint32_t seed, uint64_t now_ms)
{
	bool supports = d->peer_supports;
	struct timer tick = d->tick;

	memset(d, 0, sizeof(*d));
	d->peer_supports = supports;
	d->tick = tick;
	/* Room before the wrap, which serial arithmetic handles anyway. */
	d->seq_out = seed & 0x7fffffff;
	d->last_alive_ms = now_ms;
}

void dpd_alive(struct dpd_state *d, uint64_t now_ms)
{
	d->last_alive_ms = now_ms;
	d->probing = false;
}

enum dpd_verdict dpd_decide(struct dpd_state *d, uint64_t in_packets,
			    uint64_t out_packets, uint64_t now_ms,
			    uint32_t delay_ms, uint32_t timeout_ms)
{
	if (d->counted && in_packets != d->in_packets)
		dpd_alive(d, now_ms);
	if (d->counted && out_packets != d->out_packets)
		d->last_out_ms = now_ms;
	d->in_packets = in_packets;
	d->out_packets = out_packets;
	d->counted = true;
	if (d->probing) {
		if (now_ms - d->probe_since_ms >= timeout_ms)
			return DPD_DEAD;
		return now_ms - d->probe_last_ms >= delay_ms ? DPD_PROBE : DPD_WAIT;
	}
	if (d->last_out_ms > d->last_alive_ms &&
	    now_ms - d->last_alive_ms >= delay_ms)
		return DPD_PROBE;
	return DPD_WAIT;
}

uint32_t dpd_next_seq(struct dpd_state *d, uint64_t now_ms)
{
	d->seq_out++;
	if (!d->probing) {
		d->probing = true;
		d->seq_first = d->seq_out;
		d->probe_since_ms = now_ms;
	}
	d->probe_last_ms = now_ms;
	d->sent++;
	return d->seq_out;
}

bool dpd_ack(struct dpd_state *d, uint32_t seq, uint64_t now_ms)
{
	/* One of seq_first..seq_out, in serial (wrapping) arithmetic. */
	if (!d->probing || (uint32_t)(seq - d->seq_first) >
			   (uint32_t)(d->seq_out - d->seq_first))
		return false;
	d->acked++;
	dpd_alive(d, now_ms);
	return true;
}

bool dpd_peer_probe(struct dpd_state *d, uint32_t seq, uint64_t now_ms)
{
	/* Older than the last answered one (half the number space back). */
	if (d->peer_seq_known && (int32_t)(seq - d->peer_seq) < 0)
		return false;
	d->peer_seq_known = true;
	d->peer_seq = seq;
	d->answered++;
	dpd_alive(d, now_ms);
	return true;
}

/* ---- the daemon's side ---- */

static const char *const action_names[] = { "none", "clear", "hold", "restart" };

static bool same_pair(const struct conn *c, const struct isakmp_sa *sa)
{
	return ip_addr_equal(&c->cfg->left, &sa->local) &&
	       ip_addr_equal(&c->peer, &sa->peer);
}

/* kipsec's packet counts of every IPsec SA between the two addresses. */
static void count_packets(const struct isakmp_sa *sa, uint64_t *in,
			  uint64_t *out)
{
	const struct child_sa *ch;
	const struct conn *c;
	uint64_t n;
	size_t i;

	*in = *out = 0;
	for (c = D->conns; c; c = c->next) {
		if (!same_pair(c, sa))
			continue;
		for (ch = c->children; ch; ch = ch->next)
			for (i = 0; i < ch->n; i++) {
				if (!ch->gone_in[i] &&
				    !kernel_sa_packets(&c->cfg->left,
						       ch->p[i].suite.protocol,
						       ch->p[i].spi_in, &n))
					*in += n;
				if (!ch->gone_out[i] && !ch->superseded &&
				    !kernel_sa_packets(&c->peer,
						       ch->p[i].suite.protocol,
						       ch->p[i].spi_out, &n))
					*out += n;
			}
	}
}

static void send_dpd(struct isakmp_sa *sa, uint16_t type, uint32_t seq)
{
	uint8_t spi[2 * IKE_COOKIE_LEN], data[4];

	memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
	seq = htonl(seq);
	memcpy(data, &seq, sizeof(data));
	info_send_notify_data(sa, IKE_PROTO_ISAKMP, spi, sizeof(spi), type,
			      data, sizeof(data));
}

static uint32_t tick_ms(const struct conn_config *cfg)
{
	uint32_t t = cfg->dpddelay * 1000 / 4;

	return t < 250 ? 250 : t > 5000 ? 5000 : t;
}

/* Keeps the policies of a conn whose peer died, for hold and restart. */
static void hold_policies(struct conn *c)
{
	c->held = true;
	if (policy_conn_in(c) || policy_conn_out(c))
		log_error("%s: cannot keep the policies in place", c->cfg->name);
}

void dpd_peer_dead(struct isakmp_sa *dead)
{
	struct ip_addr local = dead->local, peer = dead->peer;
	struct isakmp_sa *sa;
	struct conn *c;
	char a[FORMAT_BUF_LEN], msg[128];

	log_warn("%s: peer %s is dead: no R-U-THERE-ACK for %u s; deleting its SAs",
		 dead->conn->cfg->name, ip_addr_format(&peer, a, sizeof(a)),
		 dead->conn->cfg->dpdtimeout);
	for (sa = D->sas; sa; sa = sa->next)
		if (sa->state != ISAKMP_DEAD && ip_addr_equal(&sa->local, &local) &&
		    ip_addr_equal(&sa->peer, &peer))
			isakmp_sa_fail(sa, "dead peer (DPD)");
	for (c = D->conns; c; c = c->next) {
		enum dpd_action act = c->cfg->dpdaction;

		if (!ip_addr_equal(&c->cfg->left, &local) ||
		    !ip_addr_equal(&c->peer, &peer))
			continue;
		if (act == DPD_ACTION_HOLD || act == DPD_ACTION_RESTART)
			hold_policies(c);
		timer_cancel(&c->retry);
		c->rekey_wanted = false;
		c->wanted = false;
		c->tries = 0;
		while (c->children)
			conn_child_delete(c, c->children, false);
		c->dpd_deaths++;
		log_info("%s: dpdaction=%s", c->cfg->name,
			 action_names[act == DPD_ACTION_NONE ? DPD_ACTION_CLEAR : act]);
		if (act == DPD_ACTION_RESTART && conn_up(c, msg, sizeof(msg)))
			log_error("%s: restart: %s", c->cfg->name, msg);
	}
}

static void tick_fired(struct timer *t)
{
	struct dpd_state *d = (struct dpd_state *)((char *)t -
				offsetof(struct dpd_state, tick));
	struct isakmp_sa *sa = (struct isakmp_sa *)((char *)d -
				offsetof(struct isakmp_sa, dpd));
	const struct conn_config *cfg = sa->conn->cfg;
	uint64_t in, out, now = timer_now_ms();
	uint32_t seq;

	if (sa->state != ISAKMP_ESTABLISHED)
		return;
	count_packets(sa, &in, &out);
	switch (dpd_decide(d, in, out, now, cfg->dpddelay * 1000,
			   cfg->dpdtimeout * 1000)) {
	case DPD_WAIT:
		break;
	case DPD_PROBE:
		seq = dpd_next_seq(d, now);
		log_debug("%s: DPD: sending R-U-THERE %" PRIu32, cfg->name, seq);
		send_dpd(sa, IKE_N_DPD_R_U_THERE, seq);
		break;
	case DPD_DEAD:
		dpd_peer_dead(sa);
		return;
	}
	timer_arm(t, tick_ms(cfg));
}

void dpd_start(struct isakmp_sa *sa)
{
	uint32_t seed;

	ike_random(&seed, sizeof(seed));
	timer_init(&sa->dpd.tick, tick_fired);
	dpd_state_init(&sa->dpd, seed, timer_now_ms());
	if (sa->conn->cfg->dpdaction == DPD_ACTION_NONE)
		return;
	if (!sa->dpd.peer_supports) {
		log_info("%s: the peer did not announce DPD: no R-U-THERE will be sent",
			 sa->conn->cfg->name);
		return;
	}
	timer_arm(&sa->dpd.tick, tick_ms(sa->conn->cfg));
}

void dpd_stop(struct isakmp_sa *sa)
{
	timer_cancel(&sa->dpd.tick);
}

bool dpd_vid_present(const struct ike_message *m)
{
	size_t i;

	for (i = 0; i < m->npayloads; i++) {
		const struct ike_payload *p = &m->payloads[i];

		if (p->type == IKE_PL_VENDOR &&
		    p->u.data.len == DPD_VENDOR_ID_LEN &&
		    !memcmp(p->u.data.ptr, dpd_vendor_id, DPD_VENDOR_ID_LEN))
			return true;
	}
	return false;
}

void dpd_receive(struct isakmp_sa *sa, const struct ike_notify *n)
{
	const char *name = sa->conn->cfg->name;
	uint64_t now = timer_now_ms();
	uint32_t seq;

	if (n->data.len != 4 || n->spi.len != 2 * IKE_COOKIE_LEN ||
	    memcmp(n->spi.ptr, sa->cky_i, IKE_COOKIE_LEN) ||
	    memcmp(n->spi.ptr + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN)) {
		log_warn("%s: malformed %s ignored (the cookies as SPI and a 4-byte sequence number expected)",
			 name, notify_name(n->type));
		return;
	}
	memcpy(&seq, n->data.ptr, sizeof(seq));
	seq = ntohl(seq);
	if (n->type == IKE_N_DPD_R_U_THERE) {
		if (!dpd_peer_probe(&sa->dpd, seq, now)) {
			log_warn("%s: R-U-THERE %" PRIu32 " older than %" PRIu32 " (a replay?) ignored",
				 name, seq, sa->dpd.peer_seq);
			return;
		}
		log_debug("%s: DPD: R-U-THERE %" PRIu32 ", answering", name, seq);
		send_dpd(sa, IKE_N_DPD_R_U_THERE_ACK, seq);
		return;
	}
	if (dpd_ack(&sa->dpd, seq, now))
		log_debug("%s: DPD: R-U-THERE-ACK %" PRIu32, name, seq);
	else
		log_warn("%s: R-U-THERE-ACK %" PRIu32 " answers no probe of ours; ignored",
			 name, seq);
}

/* ---- ipsecctl ike list ---- */

static const char *dpd_status(const struct isakmp_sa *sa)
{
	if (sa->conn->cfg->dpdaction == DPD_ACTION_NONE)
		return "off";
	if (!sa->dpd.peer_supports)
		return "unsupported";
	return sa->dpd.probing ? "probing" : "idle";
}

void dpd_status_text(FILE *out, const struct isakmp_sa *sa)
{
	const struct conn_config *cfg = sa->conn->cfg;

	fprintf(out, "  dpd %s", dpd_status(sa));
	if (cfg->dpdaction != DPD_ACTION_NONE)
		fprintf(out, " (delay %us, timeout %us, action %s)", cfg->dpddelay,
			cfg->dpdtimeout, action_names[cfg->dpdaction]);
	fprintf(out, "  r-u-there sent %u acked %u, answered %u\n",
		sa->dpd.sent, sa->dpd.acked, sa->dpd.answered);
}

void dpd_status_json(struct json_writer *w, const struct isakmp_sa *sa)
{
	const struct conn_config *cfg = sa->conn->cfg;

	json_key(w, "dpd");
	json_object_begin(w);
	json_key(w, "state");
	json_string(w, dpd_status(sa));
	json_key(w, "peer_supports");
	json_bool(w, sa->dpd.peer_supports);
	json_key(w, "delay");
	json_u64(w, cfg->dpddelay);
	json_key(w, "timeout");
	json_u64(w, cfg->dpdtimeout);
	json_key(w, "action");
	json_string(w, action_names[cfg->dpdaction]);
	json_key(w, "sent");
	json_u64(w, sa->dpd.sent);
	json_key(w, "acked");
	json_u64(w, sa->dpd.acked);
	json_key(w, "answered");
	json_u64(w, sa->dpd.answered);
	json_object_end(w);
}
