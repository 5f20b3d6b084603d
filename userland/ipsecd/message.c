// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP messages on the wire: encoding, encrypting and sending what an
 * exchange or info.c built, and dispatching each received datagram to its
 * ISAKMP SA and exchange, or to a new responder's ISAKMP SA within the
 * half-open limits.
 */
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/exchange.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"

/*
 * Encodes, hashes, pads and encrypts a message for exchange x, keeps its
 * bytes for retransmission and sends it. Shared with info.c through
 * message_send().
 */
int message_send_payloads(struct isakmp_sa *sa, uint8_t exch, uint32_t msgid,
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

/* ---- dispatch of received datagrams ---- */

#define REFUSED_LOG_INTERVAL_MS 10000

/*
 * Refused Main Modes are logged at most once per REFUSED_LOG_INTERVAL_MS,
 * with the number refused since the last line: a flood of datagrams must
 * not turn into a flood of log lines.
 */
struct refused_log {
	uint64_t next_ms;
	unsigned long count;
};

/* Counts one refusal. True: a line is due, for *@count refusals. */
static bool refused_log_due(struct refused_log *r, unsigned long *count)
{
	uint64_t now = timer_now_ms();

	r->count++;
	if (now < r->next_ms)
		return false;
	*count = r->count;
	r->count = 0;
	r->next_ms = now + REFUSED_LOG_INTERVAL_MS;
	return true;
}

/* A Main Mode refused for the half-open limits. */
static void halfopen_refused(const struct ip_addr *peer,
			     enum halfopen_verdict v)
{
	static struct refused_log limit;
	char a[FORMAT_BUF_LEN];
	unsigned long n;

	if (!refused_log_due(&limit, &n))
		return;
	if (v == HALFOPEN_TOTAL)
		log_warn("Main Mode from %s dropped: %u half-open ISAKMP SAs (halfopen_max); %lu dropped since the last such message (one per %u s at most)",
			 ip_addr_format(peer, a, sizeof(a)), D->cfg.halfopen_max,
			 n, REFUSED_LOG_INTERVAL_MS / 1000);
	else
		log_warn("Main Mode from %s dropped: %u half-open ISAKMP SAs with this peer (halfopen_max_peer); %lu dropped since the last such message (one per %u s at most)",
			 ip_addr_format(peer, a, sizeof(a)),
			 D->cfg.halfopen_max_peer, n,
			 REFUSED_LOG_INTERVAL_MS / 1000);
}

/* An MM1 from an address no conn names. */
static void unknown_peer_refused(const struct ip_addr *peer)
{
	static struct refused_log limit;
	char a[FORMAT_BUF_LEN];
	unsigned long n;

	if (!refused_log_due(&limit, &n))
		return;
	log_warn("Main Mode from %s: no connection for this peer; ignored (%lu such messages since the last line, one line per %u s at most)",
		 ip_addr_format(peer, a, sizeof(a)), n,
		 REFUSED_LOG_INTERVAL_MS / 1000);
}

bool message_id_reused(const struct isakmp_sa *sa, uint32_t msgid,
		       const char *what)
{
	if (!msgid_log_used(&sa->msgids, msgid))
		return false;
	log_warn("%s: %s message with a message ID already used (replayed or reflected) dropped",
		 sa->conn->cfg->name, what);
	return true;
}

/*
 * A message that may start a Quick Mode as responder. The exchange is kept
 * only once its first message proved authentic (HASH(1)): anyone who saw
 * the cookies can send garbage under new message IDs, and none of it may
 * hold memory or SPIs. An ID the SA used is refused before anything else
 * (msgid.h): the exchange it started may be over and forgotten.
 */
static void quick_respond(struct isakmp_sa *sa, const uint8_t *data,
			  size_t len, const struct ike_message *msg)
{
	uint32_t id = msg->hdr.message_id;
	struct exchange *x;

	if (message_id_reused(sa, id, "Quick Mode"))
		return;
	x = quick_new(sa, NULL, false, id);
	if (!x)
		return;
	exchange_receive(x, data, len, msg);
	if (!x->step && !x->failed)
		quick_free(x);
	else
		msgid_log_add(&sa->msgids, id);
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
		if (x)
			exchange_receive(x, data, len, &msg);
		else
			quick_respond(sa, data, len, &msg);
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
	rc = message_send_payloads(sa, IKE_EXCH_INFORMATIONAL, msgid, encrypted,
				   iv, &out, ctx, NULL);
	ike_arena_free(&out.arena);
	return rc;
}

