// SPDX-License-Identifier: GPL-2.0
/*
 * Informational exchanges (RFC 2409 5.7): one message, no answer. Under an
 * established ISAKMP SA they are encrypted with their own IV (from the
 * last phase-1 block and their message ID) and authenticated by
 * HASH(1) = prf(SKEYID_a, M-ID | N/D); before that, notifications go in
 * the clear, because the peer may not share our keys (a wrong PSK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/exchange.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

/*
 * Notification names as admins grep for them (AUTHENTICATION_FAILED),
 * where libike's table follows the RFC's hyphenated spelling.
 */
const char *notify_name(uint16_t type)
{
	static char buf[4][48];
	static unsigned int next;
	char *b = buf[next++ % 4], *p;

	snprintf(b, sizeof(buf[0]), "%s", ike_notify_name(type));
	for (p = b; *p; p++)
		if (*p == '-')
			*p = '_';
	return b;
}

uint32_t new_msgid(struct isakmp_sa *sa)
{
	uint32_t id;

	do
		ike_random(&id, sizeof(id));
	while (!id || msgid_log_used(&sa->msgids, id));
	msgid_log_add(&sa->msgids, id);
	return id;
}

static int fill_info_hash(struct exchange *x, uint8_t *body, size_t len,
			  const size_t *off, size_t n)
{
	(void)n;
	return ike_info_hash(x->sa->suite.hash, x->sa->skeyid_a, x->msgid,
			     (struct ike_bytes){ body + off[1], len - off[1] },
			     body + off[0] + IKE_GENERIC_HEADER_LEN);
}

/* Sends one N or D payload, encrypted and hashed under sa. */
static void send_protected(struct isakmp_sa *sa, const struct ike_payload *p)
{
	uint8_t hash[IKE_MAX_HASH_LEN] = { 0 };
	struct ike_payload pl[2];
	struct exchange ctx;

	if (sa->state != ISAKMP_ESTABLISHED)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.sa = sa;
	ctx.msgid = new_msgid(sa);
	if (ike_phase2_iv(sa->suite.hash,
			  (struct ike_bytes){ sa->p1_last_block, sa->block_len },
			  ctx.msgid, sa->block_len, ctx.iv))
		return;
	memset(pl, 0, sizeof(pl));
	pl[0].type = IKE_PL_HASH;
	pl[0].u.data.ptr = hash;
	pl[0].u.data.len = sa->hash_len;
	pl[1] = *p;
	message_send(sa, ctx.msgid, true, ctx.iv, pl, 2, fill_info_hash, &ctx);
	ike_wipe(ctx.iv, sizeof(ctx.iv));
}

void info_send_notify_data(struct isakmp_sa *sa, uint8_t protocol,
			   const uint8_t *spi, size_t spi_len, uint16_t type,
			   const uint8_t *data, size_t data_len)
{
	struct ike_payload n;

	memset(&n, 0, sizeof(n));
	n.type = IKE_PL_NOTIFY;
	n.u.notify.doi = IKE_DOI_IPSEC;
	n.u.notify.protocol = protocol;
	n.u.notify.type = type;
	n.u.notify.spi.ptr = spi;
	n.u.notify.spi.len = spi_len;
	n.u.notify.data.ptr = data;
	n.u.notify.data.len = data_len;
	send_protected(sa, &n);
}

void info_send_notify(struct isakmp_sa *sa, uint8_t protocol,
		      const uint8_t *spi, size_t spi_len, uint16_t type)
{
	log_info("%s: sending %s to the peer", sa->conn->cfg->name,
		 notify_name(type));
	info_send_notify_data(sa, protocol, spi, spi_len, type, NULL, 0);
}

void info_send_notify_plain(const struct isakmp_sa *sa, uint16_t type)
{
	struct ike_message msg;
	struct ike_payload n;
	struct ike_buf out;
	uint8_t spi[2 * IKE_COOKIE_LEN];
	char a[FORMAT_BUF_LEN];

	memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
	memset(&msg, 0, sizeof(msg));
	memset(&n, 0, sizeof(n));
	memcpy(msg.hdr.cky_i, sa->cky_i, IKE_COOKIE_LEN);
	memcpy(msg.hdr.cky_r, sa->cky_r, IKE_COOKIE_LEN);
	msg.hdr.version = IKE_VERSION_1_0;
	msg.hdr.exchange = IKE_EXCH_INFORMATIONAL;
	n.type = IKE_PL_NOTIFY;
	n.u.notify.doi = IKE_DOI_IPSEC;
	n.u.notify.protocol = IKE_PROTO_ISAKMP;
	n.u.notify.type = type;
	n.u.notify.spi.ptr = spi;
	n.u.notify.spi.len = sizeof(spi);
	msg.payloads = &n;
	msg.npayloads = 1;
	ike_buf_init(&out);
	if (!ike_message_encode(&msg, &out, NULL, NULL)) {
		log_info("sending %s to %s (unprotected)", notify_name(type),
			 ip_addr_format(&sa->peer, a, sizeof(a)));
		nat_send(sa, out.data, out.len);
	}
	ike_buf_free(&out);
}

void info_send_delete(struct isakmp_sa *sa, uint8_t protocol,
		      const uint8_t *spis, size_t spi_size, size_t nspis)
{
	struct ike_payload d;

	memset(&d, 0, sizeof(d));
	d.type = IKE_PL_DELETE;
	d.u.del.doi = IKE_DOI_IPSEC;
	d.u.del.protocol = protocol;
	d.u.del.spi_size = (uint8_t)spi_size;
	d.u.del.nspis = (uint16_t)nspis;
	d.u.del.spis.ptr = spis;
	d.u.del.spis.len = spi_size * nspis;
	send_protected(sa, &d);
}

/* What makes a level=request conn fall back to clear text at once. */
static bool refusal(uint16_t type)
{
	return type == IKE_N_NO_PROPOSAL_CHOSEN ||
	       type == IKE_N_AUTHENTICATION_FAILED;
}

static const char *refusal_text(uint16_t type)
{
	return type == IKE_N_NO_PROPOSAL_CHOSEN ?
	       "the peer refused: NO_PROPOSAL_CHOSEN" :
	       "the peer refused: AUTHENTICATION_FAILED";
}

/* Quick Modes we started that a notification from the peer ends. */
static void fail_pending_quick(struct isakmp_sa *sa, const struct ike_notify *n)
{
	struct exchange *x, *next;
	uint32_t spi = 0;
	size_t i;
	bool by_spi = n->spi.len == 4;

	if (by_spi)
		spi = (uint32_t)n->spi.ptr[0] << 24 | (uint32_t)n->spi.ptr[1] << 16 |
		      (uint32_t)n->spi.ptr[2] << 8 | n->spi.ptr[3];
	for (x = sa->exchanges; x; x = next) {
		bool match = !by_spi;

		next = x->next;
		if (!x->initiator || x->done || x->failed)
			continue;
		for (i = 0; i < x->n; i++)
			match |= x->spi_in[i] == spi;
		if (!match)
			continue;
		x->failed = true;
		timer_cancel(&x->retransmit);
		timer_arm(&x->linger, 0);
		log_error("%s: Quick Mode failed: peer sent %s", x->conn->cfg->name,
			  notify_name(n->type));
		if (refusal(n->type))
			fallback_refused(x->conn, refusal_text(n->type));
		conn_quick_failed(x->conn);
	}
}

static void handle_notify(struct isakmp_sa *sa, const struct ike_notify *n,
			  bool authentic)
{
	const char *name = sa->conn->cfg->name;

	if (n->type == IKE_N_DPD_R_U_THERE || n->type == IKE_N_DPD_R_U_THERE_ACK) {
		if (authentic && sa->state == ISAKMP_ESTABLISHED)
			dpd_receive(sa, n);
		return;
	}
	if (n->type >= IKE_N_CONNECTED) {
		log_info("%s: peer sent status %s", name, notify_name(n->type));
		return;
	}
	log_error("%s: peer reports %s%s", name, notify_name(n->type),
		  authentic ? "" : " (unauthenticated notification)");
	if (sa->state == ISAKMP_ESTABLISHED) {
		if (authentic)
			fail_pending_quick(sa, n);
		return;
	}
	/*
	 * An error during Main Mode ends it. Such notifications cannot be
	 * authenticated (no keys yet, or keys that differ), so they are only
	 * believed from the peer's address and for our cookies.
	 */
	{
		struct conn *c = sa->conn;
		char why[96];

		snprintf(why, sizeof(why), "peer sent %s", notify_name(n->type));
		isakmp_sa_fail(sa, why);
		conn_ike_failed(c, sa);
		if (refusal(n->type) && sa->initiator)
			fallback_refused(c, refusal_text(n->type));
	}
}

static uint32_t spi_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void handle_delete(struct isakmp_sa *sa, const struct ike_delete *d)
{
	struct conn *c;
	size_t i;

	if (d->protocol == IKE_PROTO_ISAKMP && d->spi_size == 2 * IKE_COOKIE_LEN) {
		for (i = 0; i < d->nspis; i++) {
			const uint8_t *s = ike_delete_spi(d, i);
			struct isakmp_sa *victim = isakmp_sa_find(s, s + IKE_COOKIE_LEN,
								  &sa->peer);

			if (victim && ip_addr_equal(&victim->peer, &sa->peer)) {
				log_info("%s: peer deleted the ISAKMP SA",
					 victim->conn->cfg->name);
				isakmp_sa_fail(victim, NULL);
			}
		}
		return;
	}
	if ((d->protocol != IKE_PROTO_ESP && d->protocol != IKE_PROTO_AH) ||
	    d->spi_size != 4) {
		log_warn("%s: Delete for protocol %u with %u-byte SPIs ignored",
			 sa->conn->cfg->name, d->protocol, d->spi_size);
		return;
	}
	for (i = 0; i < d->nspis; i++) {
		uint32_t spi = spi_at(ike_delete_spi(d, i));

		for (c = D->conns; c; c = c->next) {
			struct child_sa *child;

			if (!ip_addr_equal(&c->peer, &sa->peer))
				continue;
			child = conn_child_by_spi_out(c, d->protocol, spi);
			if (!child)
				continue;
			log_info("%s: peer deleted the IPsec SA with SPI 0x%08x",
				 c->cfg->name, spi);
			conn_child_delete(c, child, false);
			break;
		}
	}
}

/* We are the Main Mode initiator and MM5 is out: keys exist on our side. */
static bool mm5_sent(const struct isakmp_sa *sa)
{
	return sa->enc_key && sa->main.initiator && sa->main.step >= 5 &&
	       !sa->main.done && !sa->main.failed;
}

/*
 * An encrypted informational during Main Mode that does not decrypt or
 * verify under our keys: the peer derived other keys, so it could not
 * read MM5 either and is telling us so (strongSwan sends PAYLOAD_MALFORMED
 * encrypted under its own keys). With matching cookies from the peer's
 * address this ends Main Mode as a clear-text error notification would
 * (handle_notify): waiting for the retransmissions to run out would only
 * hide the cause.
 */
static void mm_unreadable(struct isakmp_sa *sa)
{
	struct conn *c = sa->conn;
	char a[FORMAT_BUF_LEN];

	log_error("%s: AUTHENTICATION_FAILED: %s answered MM5 with an encrypted message that does not decrypt under our keys (pre-shared keys differ?)",
		  c->cfg->name, ip_addr_format(&sa->peer, a, sizeof(a)));
	isakmp_sa_fail(sa, "authentication failed");
	conn_ike_failed(c, sa);
	fallback_refused(c, refusal_text(IKE_N_AUTHENTICATION_FAILED));
}

void info_receive(struct isakmp_sa *sa, const struct ike_message *hdr_msg,
		  const uint8_t *data, size_t len)
{
	struct ike_message dec;
	const struct ike_message *m = hdr_msg;
	uint8_t iv[IKE_MAX_BLOCK_LEN], want[IKE_MAX_HASH_LEN], *plain = NULL;
	struct ike_error err;
	bool authentic = false;
	size_t i, clen = hdr_msg->encrypted.len;

	(void)data;
	(void)len;
	ike_message_init(&dec);
	if (hdr_msg->hdr.flags & IKE_FLAG_ENCRYPTED) {
		/*
		 * During Main Mode only an initiator that has sent MM5 can
		 * get an encrypted informational: the peer's complaint about
		 * MM5. Its IV follows from the phase-1 CBC state so far,
		 * which is MM5's last ciphertext block.
		 */
		bool in_mm = sa->state != ISAKMP_ESTABLISHED;
		const uint8_t *base = in_mm ? sa->main.iv : sa->p1_last_block;

		if (in_mm && !mm5_sent(sa))
			return;
		if (clen % sa->block_len)
			return;
		if (message_id_reused(sa, hdr_msg->hdr.message_id,
				      "informational"))
			return;
		plain = malloc(clen);
		if (!plain)
			return;
		dec.hdr = hdr_msg->hdr;
		if (ike_phase2_iv(sa->suite.hash,
				  (struct ike_bytes){ base, sa->block_len },
				  hdr_msg->hdr.message_id, sa->block_len, iv) ||
		    ike_cbc_decrypt(sa->suite.enc, sa->enc_key->ptr, sa->enc_key->len,
				    iv, hdr_msg->encrypted.ptr, plain, clen) ||
		    ike_message_decode_payloads(&dec, hdr_msg->hdr.next_payload,
						plain, clen,
						IKE_DECODE_ALLOW_TRAILING, &err) ||
		    ike_message_check_step(&dec, IKE_STEP_INFO, &err)) {
			if (in_mm)
				mm_unreadable(sa);
			else
				log_warn("%s: undecodable informational message dropped",
					 sa->conn->cfg->name);
			goto out;
		}
		{
			const struct ike_payload *first = &dec.payloads[1];
			const struct ike_payload *last = &dec.payloads[dec.npayloads - 1];
			struct ike_bytes rest = { first->raw.ptr,
				(size_t)(last->raw.ptr + last->raw.len - first->raw.ptr) };

			if (dec.npayloads < 2 ||
			    ike_info_hash(sa->suite.hash, sa->skeyid_a,
					  dec.hdr.message_id, rest, want) ||
			    dec.payloads[0].u.data.len != sa->hash_len ||
			    !ike_equal(dec.payloads[0].u.data.ptr, want, sa->hash_len)) {
				if (in_mm)
					mm_unreadable(sa);
				else
					log_warn("%s: informational message with a bad HASH dropped",
						 sa->conn->cfg->name);
				goto out;
			}
		}
		m = &dec;
		authentic = true;
		msgid_log_add(&sa->msgids, dec.hdr.message_id);
		nat_authenticated(sa);	/* a NAT-T peer may have moved */
	} else if (sa->state == ISAKMP_ESTABLISHED) {
		/* Once keys exist, clear-text messages are forgeries. */
		log_warn("%s: unprotected informational message ignored",
			 sa->conn->cfg->name);
		return;
	}
	for (i = 0; i < m->npayloads && sa->state != ISAKMP_DEAD; i++) {
		const struct ike_payload *p = &m->payloads[i];

		if (p->type == IKE_PL_NOTIFY)
			handle_notify(sa, &p->u.notify, authentic);
		else if (p->type == IKE_PL_DELETE && authentic)
			handle_delete(sa, &p->u.del);
	}
	/* After the payloads: an R-U-THERE-ACK must still find its probe. */
	if (authentic && sa->state == ISAKMP_ESTABLISHED)
		dpd_alive(&sa->dpd, timer_now_ms());
out:
	ike_message_free(&dec);
	if (plain) {
		ike_wipe(plain, clen);
		free(plain);
	}
}
