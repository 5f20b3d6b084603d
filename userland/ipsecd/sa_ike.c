// SPDX-License-Identifier: GPL-2.0
/*
 * The ISAKMP SA: cookies, the chosen suite and the phase-1 keys. It owns
 * its Main Mode exchange and the Quick Modes running under it. An SA that
 * fails or is deleted is only marked dead and freed from a zero-delay
 * timer, because that can happen deep inside the handling of a message
 * that still uses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

static void reap(struct timer *t)
{
	struct isakmp_sa *sa = (struct isakmp_sa *)((char *)t -
					offsetof(struct isakmp_sa, expire));

	if (sa->state != ISAKMP_DEAD) {
		/* The hard lifetime passed without a renewal (ike_renew.c:
		 * no IPsec SA was in use, or the renewal failed). */
		log_info("%s: ISAKMP SA expired", sa->conn->cfg->name);
		if (sa->conn->ike == sa)
			sa->conn->ike = NULL;
	}
	isakmp_sa_free(sa);
}

struct isakmp_sa *isakmp_sa_new(struct conn *conn, bool initiator,
				const struct ip_addr *local,
				const struct ip_addr *peer, uint16_t peer_port)
{
	struct isakmp_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->conn = conn;
	sa->initiator = initiator;
	sa->local = *local;
	sa->peer = *peer;
	sa->peer_port = peer_port;
	if (initiator)
		ike_random(sa->cky_i, IKE_COOKIE_LEN);
	else
		ike_random(sa->cky_r, IKE_COOKIE_LEN);
	ike_buf_init(&sa->sai_b);
	ike_buf_init(&sa->gxi);
	ike_buf_init(&sa->gxr);
	ike_buf_init(&sa->ni_b);
	ike_buf_init(&sa->nr_b);
	timer_init(&sa->expire, reap);
	ike_renew_init(sa);
	exchange_init(&sa->main, sa, EXCH_MAIN, initiator, 0);
	nat_sa_init(sa);
	sa->created = now_seconds();
	sa->next = D->sas;
	D->sas = sa;
	return sa;
}

/*
 * Not only sa->conn's: after a renewal collision another conn to the same
 * peer may have taken this SA as its current one (ike_renew.c).
 */
static void conns_forget(const struct isakmp_sa *sa)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (c->ike == sa)
			c->ike = NULL;
}

void isakmp_sa_free(struct isakmp_sa *sa)
{
	struct isakmp_sa **p;

	for (p = &D->sas; *p; p = &(*p)->next)
		if (*p == sa) {
			*p = sa->next;
			break;
		}
	conns_forget(sa);
	while (sa->exchanges)
		quick_free(sa->exchanges);
	exchange_cleanup(&sa->main);
	timer_cancel(&sa->expire);
	nat_sa_cleanup(sa);
	dpd_stop(sa);
	ike_renew_cleanup(sa);
	ike_buf_free(&sa->sai_b);
	ike_buf_free(&sa->gxi);
	ike_buf_free(&sa->gxr);
	ike_buf_free(&sa->ni_b);
	ike_buf_free(&sa->nr_b);
	ike_dh_free(sa->dh);
	ike_secret_free(sa->skeyid);
	ike_secret_free(sa->skeyid_d);
	ike_secret_free(sa->skeyid_a);
	ike_secret_free(sa->skeyid_e);
	ike_secret_free(sa->enc_key);
	ike_wipe(sa->p1_last_block, sizeof(sa->p1_last_block));
	msgid_log_free(&sa->msgids);
	free(sa);
}

void isakmp_sa_fail(struct isakmp_sa *sa, const char *why)
{
	struct exchange *x;

	if (sa->state == ISAKMP_DEAD)
		return;
	if (why)
		log_info("%s: ISAKMP SA with peer %s%s: %s", sa->conn->cfg->name,
			 sa->state == ISAKMP_ESTABLISHED ? "ended" : "failed",
			 "", why);
	sa->state = ISAKMP_DEAD;
	dpd_stop(sa);
	timer_cancel(&sa->main.retransmit);
	for (x = sa->exchanges; x; x = x->next)
		timer_cancel(&x->retransmit);
	ike_renew_cleanup(sa);
	conns_forget(sa);
	timer_arm(&sa->expire, 0);
}

struct isakmp_sa *isakmp_sa_find(const uint8_t *cky_i, const uint8_t *cky_r,
				 const struct ip_addr *peer)
{
	static const uint8_t zero[IKE_COOKIE_LEN];
	struct isakmp_sa *sa;

	for (sa = D->sas; sa; sa = sa->next) {
		if (sa->state == ISAKMP_DEAD ||
		    memcmp(sa->cky_i, cky_i, IKE_COOKIE_LEN))
			continue;
		if (!memcmp(sa->cky_r, cky_r, IKE_COOKIE_LEN))
			return sa;
		/*
		 * Our MM1 went out without a responder cookie; the first
		 * answer (MM2 or a notification) brings it.
		 */
		if (sa->initiator && !memcmp(sa->cky_r, zero, IKE_COOKIE_LEN) &&
		    ip_addr_equal(&sa->peer, peer))
			return sa;
		/* A retransmitted MM1 still has a zero responder cookie. */
		if (!sa->initiator && !memcmp(cky_r, zero, IKE_COOKIE_LEN) &&
		    ip_addr_equal(&sa->peer, peer))
			return sa;
	}
	return NULL;
}

enum halfopen_verdict isakmp_sa_halfopen_check(const struct isakmp_sa *sas,
					       const struct ip_addr *peer,
					       unsigned int max_total,
					       unsigned int max_peer)
{
	unsigned int total = 0, same_peer = 0;
	const struct isakmp_sa *sa;

	for (sa = sas; sa; sa = sa->next) {
		if (sa->initiator || sa->state != ISAKMP_NEGOTIATING)
			continue;
		total++;
		if (ip_addr_equal(&sa->peer, peer))
			same_peer++;
	}
	if (total >= max_total)
		return HALFOPEN_TOTAL;
	if (same_peer >= max_peer)
		return HALFOPEN_PEER;
	return HALFOPEN_OK;
}

static size_t cipher_key_len(const struct ike_p1_suite *s)
{
	return s->enc == IKE_ENC_3DES_CBC ? 24 : s->key_bits / 8;
}

int isakmp_sa_derive_keys(struct isakmp_sa *sa, const struct ike_secret *gxy,
			  const struct ike_secret *psk)
{
	uint16_t hash = sa->suite.hash;
	struct ike_bytes g = { gxy->ptr, gxy->len };

	sa->hash_len = ike_hash_len(hash);
	sa->block_len = ike_cipher_block_len(sa->suite.enc);
	if (ike_skeyid_psk(hash, (struct ike_bytes){ psk->ptr, psk->len },
			   (struct ike_bytes){ sa->ni_b.data, sa->ni_b.len },
			   (struct ike_bytes){ sa->nr_b.data, sa->nr_b.len },
			   &sa->skeyid) ||
	    ike_skeyid_dae(hash, sa->skeyid, g, sa->cky_i, sa->cky_r,
			   &sa->skeyid_d, &sa->skeyid_a, &sa->skeyid_e) ||
	    ike_phase1_enc_key(hash, sa->skeyid_e, cipher_key_len(&sa->suite),
			       &sa->enc_key) ||
	    ike_phase1_iv(hash, (struct ike_bytes){ sa->gxi.data, sa->gxi.len },
			  (struct ike_bytes){ sa->gxr.data, sa->gxr.len },
			  sa->block_len, sa->main.iv))
		return -1;
	return 0;
}

static const char *hash_name(uint16_t h)
{
	switch (h) {
	case IKE_HASH_SHA1: return "sha1";
	case IKE_HASH_SHA2_256: return "sha256";
	case IKE_HASH_SHA2_384: return "sha384";
	case IKE_HASH_SHA2_512: return "sha512";
	}
	return "unknown";
}

static const char *group_name(uint16_t g)
{
	switch (g) {
	case IKE_GROUP_MODP_1024: return "modp1024";
	case IKE_GROUP_MODP_1536: return "modp1536";
	case IKE_GROUP_MODP_2048: return "modp2048";
	case IKE_GROUP_ECP_256: return "ecp256";
	case IKE_GROUP_ECP_384: return "ecp384";
	case IKE_GROUP_CURVE25519: return "curve25519";
	}
	return "unknown";
}

const char *isakmp_sa_suite_name(const struct isakmp_sa *sa, char *buf,
				 size_t len)
{
	const struct ike_p1_suite *s = &sa->suite;

	if (!s->enc)
		snprintf(buf, len, "-");
	else if (s->enc == IKE_ENC_3DES_CBC)
		snprintf(buf, len, "3des-%s-%s", hash_name(s->hash),
			 group_name(s->group));
	else
		snprintf(buf, len, "aes%u-%s-%s", s->key_bits, hash_name(s->hash),
			 group_name(s->group));
	return buf;
}

const char *p2_suite_name(const struct ike_p2_suite *s, char *buf, size_t len)
{
	const char *integ = s->auth_alg == IKE_AUTH_ALG_HMAC_SHA2_256 ? "sha256" :
			    s->auth_alg == IKE_AUTH_ALG_HMAC_SHA ? "sha1" : "";
	char grp[24] = "";

	if (s->group)
		snprintf(grp, sizeof(grp), "-%s", group_name(s->group));
	if (s->protocol == IKE_PROTO_AH)
		snprintf(buf, len, "%s%s", integ, grp);
	else if (s->transform == IKE_ESP_AES_GCM_16)
		snprintf(buf, len, "aes%ugcm16%s", s->key_bits, grp);
	else
		snprintf(buf, len, "aes%u-%s%s", s->key_bits, integ, grp);
	return buf;
}
