// SPDX-License-Identifier: GPL-2.0
/*
 * Connections at run time: which ISAKMP SA serves a conn, the IPsec SAs
 * negotiated for it, and the policy of (re)initiating: "up" keeps trying
 * up to keyingtries times; "down" deletes everything, telling the peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

static void retry_fired(struct timer *t)
{
	struct conn *c = (struct conn *)((char *)t - offsetof(struct conn, retry));
	char msg[128];

	if (c->wanted && conn_up(c, msg, sizeof(msg)))
		log_error("%s: %s", c->cfg->name, msg);
}

int conns_create(struct daemon *d)
{
	struct conn **tail = &d->conns;
	size_t i;

	for (i = 0; i < d->cfg.nconns; i++) {
		struct conn *c = calloc(1, sizeof(*c));

		if (!c)
			return -1;
		c->cfg = &d->cfg.conns[i];
		/* The reqid links the conn's SAs to its policies in kipsec. */
		c->reqid = (uint32_t)i + 1;
		timer_init(&c->retry, retry_fired);
		*tail = c;
		tail = &c->next;
	}
	return 0;
}

void conns_destroy(struct daemon *d)
{
	struct conn *c, *next;

	for (c = d->conns; c; c = next) {
		next = c->next;
		timer_cancel(&c->retry);
		while (c->children) {
			struct child_sa *ch = c->children;

			c->children = ch->next;
			free(ch);
		}
		free(c);
	}
	d->conns = NULL;
}

struct conn *conn_find_name(const char *name)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (!strcmp(c->cfg->name, name))
			return c;
	return NULL;
}

struct conn *conn_find_peer(const struct ip_addr *local,
			    const struct ip_addr *peer)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (ip_addr_equal(&c->cfg->left, local) &&
		    ip_addr_equal(&c->cfg->right, peer))
			return c;
	return NULL;
}

/* IKEv1 has no narrowing: the client IDs must be the subnets exactly. */
struct conn *conn_find_ids(const struct ip_addr *local,
			   const struct ip_addr *peer,
			   const struct subnet *local_ts,
			   const struct subnet *remote_ts)
{
	struct conn *c;

	for (c = D->conns; c; c = c->next)
		if (ip_addr_equal(&c->cfg->left, local) &&
		    ip_addr_equal(&c->cfg->right, peer) &&
		    subnet_equal(&c->cfg->leftsubnet, local_ts) &&
		    subnet_equal(&c->cfg->rightsubnet, remote_ts))
			return c;
	return NULL;
}

static int start_quick(struct conn *c)
{
	struct exchange *x = quick_new(c->ike, c, true, new_msgid());

	if (!x)
		return -1;
	log_info("%s: initiating Quick Mode", c->cfg->name);
	return exchange_start(x) ? -1 : 0;
}

static bool quick_pending(const struct conn *c)
{
	const struct exchange *x;

	if (!c->ike)
		return false;
	for (x = c->ike->exchanges; x; x = x->next)
		if (x->conn == c && x->initiator && !x->done && !x->failed)
			return true;
	return false;
}

int conn_up(struct conn *c, char *msg, size_t msglen)
{
	struct isakmp_sa *sa;
	char a[FORMAT_BUF_LEN];

	c->wanted = true;
	timer_cancel(&c->retry);
	if (c->ike && c->ike->state == ISAKMP_ESTABLISHED) {
		if (c->children || quick_pending(c)) {
			snprintf(msg, msglen, "already up or negotiating");
			return 0;
		}
		if (start_quick(c)) {
			snprintf(msg, msglen, "cannot start Quick Mode");
			return -1;
		}
		snprintf(msg, msglen, "initiating Quick Mode");
		return 0;
	}
	if (c->ike) {
		snprintf(msg, msglen, "Main Mode already in progress");
		return 0;
	}
	sa = isakmp_sa_new(c, true, &c->cfg->left, &c->cfg->right, IKE_PORT);
	if (!sa) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	c->ike = sa;
	log_info("%s: initiating Main Mode to %s", c->cfg->name,
		 ip_addr_format(&c->cfg->right, a, sizeof(a)));
	if (exchange_start(&sa->main)) {
		snprintf(msg, msglen, "cannot start Main Mode");
		return -1;
	}
	snprintf(msg, msglen, "initiating Main Mode");
	return 0;
}

void conn_child_delete(struct conn *c, struct child_sa *child, bool notify)
{
	struct child_sa **p;
	size_t i;

	if (notify && c->ike && c->ike->state == ISAKMP_ESTABLISHED)
		for (i = 0; i < child->n; i++) {
			uint8_t spi[4] = { child->p[i].spi_in >> 24,
					   child->p[i].spi_in >> 16,
					   child->p[i].spi_in >> 8,
					   child->p[i].spi_in };

			info_send_delete(c->ike, child->p[i].suite.protocol, spi, 4, 1);
		}
	kernel_child_delete(c, child);
	for (p = &c->children; *p; p = &(*p)->next)
		if (*p == child) {
			*p = child->next;
			break;
		}
	free(child);
}

int conn_down(struct conn *c, char *msg, size_t msglen)
{
	unsigned int n = 0;

	c->wanted = false;
	timer_cancel(&c->retry);
	while (c->children) {
		conn_child_delete(c, c->children, true);
		n++;
	}
	if (c->ike) {
		struct isakmp_sa *sa = c->ike;

		if (sa->state == ISAKMP_ESTABLISHED) {
			uint8_t spi[2 * IKE_COOKIE_LEN];

			memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
			memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
			info_send_delete(sa, IKE_PROTO_ISAKMP, spi, sizeof(spi), 1);
		}
		isakmp_sa_fail(sa, NULL);
	}
	log_info("%s: down (%u IPsec SA pair%s deleted)", c->cfg->name, n,
		 n == 1 ? "" : "s");
	snprintf(msg, msglen, "deleted %u IPsec SA pair%s and the ISAKMP SA", n,
		 n == 1 ? "" : "s");
	return 0;
}

void conn_ike_established(struct conn *c, struct isakmp_sa *sa)
{
	/*
	 * A responder's SA is bound to the first conn for the peer, while
	 * its Quick Modes may serve others; an older SA is not killed here,
	 * it lives on until it expires or the peer deletes it.
	 */
	c->ike = sa;
	if (c->wanted && !c->children && !quick_pending(c) && start_quick(c))
		log_error("%s: cannot start Quick Mode", c->cfg->name);
}

/* Another attempt after a pause, while keyingtries allows (0: forever). */
static void retry_later(struct conn *c, const char *what)
{
	if (!c->wanted)
		return;
	c->tries++;
	if (c->cfg->keyingtries && c->tries >= c->cfg->keyingtries) {
		log_error("%s: %s failed %u time%s; giving up (keyingtries=%u)",
			  c->cfg->name, what, c->tries, c->tries == 1 ? "" : "s",
			  c->cfg->keyingtries);
		c->wanted = false;
		c->tries = 0;
		return;
	}
	log_info("%s: %s failed; attempt %u in %u ms", c->cfg->name, what,
		 c->tries + 1, D->cfg.retransmit_timeout_ms);
	timer_arm(&c->retry, D->cfg.retransmit_timeout_ms);
}

void conn_ike_failed(struct conn *c, struct isakmp_sa *sa)
{
	if (c->ike == sa)
		c->ike = NULL;
	if (sa->initiator)
		retry_later(c, "Main Mode");
}

void conn_quick_failed(struct conn *c)
{
	retry_later(c, "Quick Mode");
}

void conn_child_add(struct conn *c, struct child_sa *child)
{
	child->next = c->children;
	c->children = child;
	c->tries = 0;
}

struct child_sa *conn_child_by_spi_out(struct conn *c, uint8_t protocol,
				       uint32_t spi)
{
	struct child_sa *ch;
	size_t i;

	for (ch = c->children; ch; ch = ch->next)
		for (i = 0; i < ch->n; i++)
			if (ch->p[i].suite.protocol == protocol &&
			    ch->p[i].spi_out == spi)
				return ch;
	return NULL;
}
