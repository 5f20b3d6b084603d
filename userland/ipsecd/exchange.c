// SPDX-License-Identifier: GPL-2.0
/*
 * The driver of Main Mode (main_mode.c) and Quick Mode (quick_mode.c),
 * both tables of steps (isakmpd's exchange scripts). Each step is one
 * message: who sends it, whether it is encrypted, which payloads it must
 * carry (libike's exchange_rules.c), how to build it and how to process
 * it. The driver here does everything else the same way for every
 * message:
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ipsecd/exchange.h"
#include "ipsecd/log.h"

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

static void linger_expired(struct timer *t)
{
	quick_free((struct exchange *)((char *)t -
				       offsetof(struct exchange, linger)));
}

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
		rc = message_send_payloads(x->sa, type->exchange, x->msgid,
					   s->encrypted, x->iv, &out, x,
					   &x->last_sent) ? -1 : 0;
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
			info_send_notify_plain(sa, (uint16_t)rc);
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
