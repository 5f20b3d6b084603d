// SPDX-License-Identifier: GPL-2.0
/*
 * Request versus require, the two security levels Windows offers:
 *
 *   require  traffic of the conn flows only inside IPsec. Its policies are
 *            kipsec "require" policies; without an SA kipsec drops what
 *            they catch (counted as drop_out_no_sa outbound, drop_policy
 *            inbound) and ipsecd retries with backoff (conn.c).
 *   request  ipsecd asks the peer for IPsec, and falls back to clear text
 *            when the peer does not answer IKE within fallback_timeout, or
 *            refuses (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED): a bypass
 *            policy for the conn's outbound selector, looked at before its
 *            protect policy, lets the flow out in the clear for
 *            fallback_lifetime; then it goes and IKE is tried again. The
 *            in/fwd policies are kipsec "request" policies, so clear
 *            traffic from the peer is always accepted, and ESP on an SA
 *            too. When an SA appears (the peer negotiates with us, or our
 *            retry succeeds) the bypass goes at once: our answers and the
 *            rest of the flow move into IPsec without restarting anything.
 *
 * The bypass's time limit is kipsec's: it is installed with a policy
 * lifetime of fallback_lifetime (KIPSEC_A_POL_LIFETIME), so that kipsec
 * deletes it even when ipsecd is gone: an ipsecd killed with SIGKILL
 * leaves its other policies behind, but never clear text for longer than
 * fallback_lifetime. kipsec announces the deletion (POLICY_DEL with
 * KIPSEC_A_POL_EXPIRES_IN 0), and ipsecd negotiates again when it hears
 * it (fallback_policy_expired). ipsecd's own timer stays, as a backstop a
 * little after the kernel's deadline, for an event lost when the event
 * socket overflowed: then ipsecd deletes the bypass itself (normally
 * already gone: ENOENT is no error) and negotiates again. A SIGTERM, an
 * SA that appears, or the conn going down still remove the bypass at
 * once; an ipsecd that starts again removes a bypass left over by one
 * that was killed (fallback_remove_leftover) rather than wait for it.
 * `ipsecctl policy list` shows the bypass (action bypass at the conn's
 * priority minus one) with its lifetime and the time left, `ipsecctl ike
 * list` the time left as ipsecd counts it.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/format.h"
#include "common/json.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "kipsec.h"

/*
 * How long after kipsec's deadline ipsecd's backstop timer fires: the
 * kernel's work and its event come first unless the event was lost.
 */
#define FALLBACK_BACKSTOP_MS 2000

static struct conn *of_timeout(struct timer *t)
{
	return (struct conn *)((char *)t - offsetof(struct conn, fallback) -
			       offsetof(struct fallback, timeout));
}

static struct conn *of_expire(struct timer *t)
{
	return (struct conn *)((char *)t - offsetof(struct conn, fallback) -
			       offsetof(struct fallback, expire));
}

static bool has_child(const struct conn *c)
{
	const struct child_sa *ch;

	for (ch = c->children; ch; ch = ch->next)
		if (!ch->superseded)
			return true;
	return false;
}

static void remove_bypass(struct conn *c)
{
	struct fallback *f = &c->fallback;

	timer_cancel(&f->expire);
	if (f->pol_out)
		kernel_policy_del(f->pol_out);
	f->pol_out = 0;
	f->active = false;
}

static void bypass_policy(const struct conn *c, struct kernel_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->dir = KIPSEC_DIR_OUT;
	p->action = KIPSEC_ACTION_BYPASS;
	/* Looked at just before the conn's protect policy. */
	p->priority = policy_conn_priority(c) - 1;
	p->src = c->cfg->leftsubnet;
	p->dst = c->remote_ts;
	/* kipsec ends it, whatever becomes of ipsecd. */
	p->lifetime = c->cfg->fallback_lifetime;
}

void fallback_remove_leftover(struct conn *c)
{
	struct kernel_policy p;

	bypass_policy(c, &p);
	if (!kernel_policy_del_leftover(&p))
		log_warn("%s: removed a clear-text fallback bypass left over by an ipsecd that did not stop cleanly",
			 c->cfg->name);
}

/* Gives up negotiating for now and lets the flow out in the clear. */
static void activate(struct conn *c, const char *why)
{
	struct fallback *f = &c->fallback;
	struct kernel_policy p;
	char s[64], d[64];

	timer_cancel(&f->timeout);
	if (f->active || has_child(c))
		return;
	bypass_policy(c, &p);
	if (kernel_policy_add(&p, &f->pol_out)) {
		log_error("%s: cannot install the clear-text fallback policy",
			  c->cfg->name);
		return;
	}
	f->active = true;
	f->count++;
	snprintf(f->why, sizeof(f->why), "%s", why);
	f->until_ms = timer_now_ms() + (uint64_t)c->cfg->fallback_lifetime * 1000;
	timer_arm(&f->expire, (uint64_t)c->cfg->fallback_lifetime * 1000 +
		  FALLBACK_BACKSTOP_MS);
	log_warn("%s: level=request: %s; %s === %s falls back to clear text for %u s (bypass policy %u)",
		 c->cfg->name, why, subnet_format(&p.src, s, sizeof(s)),
		 subnet_format(&p.dst, d, sizeof(d)), c->cfg->fallback_lifetime,
		 f->pol_out);
	/* No more trying until the bypass ends. */
	if (c->ike && c->ike->state == ISAKMP_NEGOTIATING)
		isakmp_sa_fail(c->ike, "given up for the clear-text fallback");
	c->wanted = false;
	c->rekey_wanted = false;
	c->tries = 0;
	timer_cancel(&c->retry);
}

static void timeout_fired(struct timer *t)
{
	struct conn *c = of_timeout(t);
	char why[64];

	snprintf(why, sizeof(why), "no IPsec SA after %u s",
		 c->cfg->fallback_timeout);
	activate(c, why);
}

/* The bypass is over (@by_kipsec: kipsec deleted it): try IPsec again. */
static void bypass_over(struct conn *c, bool by_kipsec)
{
	struct fallback *f = &c->fallback;
	char msg[128];

	log_info("%s: clear-text fallback over after %u s (bypass policy %u %s): negotiating again",
		 c->cfg->name, c->cfg->fallback_lifetime, f->pol_out,
		 by_kipsec ? "expired in kipsec" : "removed by ipsecd");
	if (by_kipsec)
		f->pol_out = 0;
	remove_bypass(c);
	if (conn_up(c, msg, sizeof(msg)))
		log_error("%s: %s", c->cfg->name, msg);
}

static void expire_fired(struct timer *t)
{
	struct conn *c = of_expire(t);

	log_warn("%s: no word from kipsec of the bypass's expiry (events lost?)",
		 c->cfg->name);
	bypass_over(c, false);
}

void fallback_policy_expired(uint32_t index)
{
	struct conn *c;

	if (!index)
		return;
	for (c = D->conns; c; c = c->next) {
		if (c->fallback.active && c->fallback.pol_out == index) {
			bypass_over(c, true);
			return;
		}
	}
}

void fallback_init(struct conn *c)
{
	timer_init(&c->fallback.timeout, timeout_fired);
	timer_init(&c->fallback.expire, expire_fired);
}

void fallback_negotiating(struct conn *c)
{
	struct fallback *f = &c->fallback;

	if (c->cfg->level != CONN_LEVEL_REQUEST || f->active ||
	    f->timeout.armed || has_child(c))
		return;
	timer_arm(&f->timeout, (uint64_t)c->cfg->fallback_timeout * 1000);
}

void fallback_refused(struct conn *c, const char *why)
{
	if (c->cfg->level == CONN_LEVEL_REQUEST)
		activate(c, why);
}

void fallback_end(struct conn *c)
{
	struct fallback *f = &c->fallback;

	timer_cancel(&f->timeout);
	if (!f->active)
		return;
	log_info("%s: IPsec SAs are up: the clear-text fallback ends", c->cfg->name);
	remove_bypass(c);
}

void fallback_cancel(struct conn *c)
{
	timer_cancel(&c->fallback.timeout);
	remove_bypass(c);
}

static uint64_t remaining_s(const struct fallback *f)
{
	uint64_t now = timer_now_ms();

	return f->until_ms > now ? (f->until_ms - now + 999) / 1000 : 0;
}

void fallback_status_text(FILE *out, const struct conn *c)
{
	const struct fallback *f = &c->fallback;

	fprintf(out, "  level %s",
		c->cfg->level == CONN_LEVEL_REQUEST ? "request" : "require");
	if (f->active)
		fprintf(out, "  fallback clear text (%s), %" PRIu64 "s left, bypass policy %u",
			f->why, remaining_s(f), f->pol_out);
	else if (f->timeout.armed)
		fprintf(out, "  negotiating (fallback after %us)",
			c->cfg->fallback_timeout);
	if (f->count)
		fprintf(out, "  fallbacks %u", f->count);
	if (c->dpd_deaths)
		fprintf(out, "  peer found dead %u time%s", c->dpd_deaths,
			c->dpd_deaths == 1 ? "" : "s");
	fputc('\n', out);
}

void fallback_status_json(struct json_writer *w, const struct conn *c)
{
	const struct fallback *f = &c->fallback;

	json_key(w, "level");
	json_string(w, c->cfg->level == CONN_LEVEL_REQUEST ? "request" : "require");
	json_key(w, "fallback");
	json_object_begin(w);
	json_key(w, "active");
	json_bool(w, f->active);
	json_key(w, "remaining");
	json_u64(w, f->active ? remaining_s(f) : 0);
	json_key(w, "policy");
	json_u64(w, f->pol_out);
	json_key(w, "reason");
	json_string(w, f->active ? f->why : "");
	json_key(w, "count");
	json_u64(w, f->count);
	json_object_end(w);
	json_key(w, "dpd_deaths");
	json_u64(w, c->dpd_deaths);
}
