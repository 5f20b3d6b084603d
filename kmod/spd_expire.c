// SPDX-License-Identifier: GPL-2.0
/*
 * Policy lifetimes. Deadlines are absolute boot-clock nanoseconds, so time
 * suspended counts as it does for SA lifetimes (lifetime.c); the delayed
 * work that enforces them sleeps in jiffies, which stop during suspend, so
 * the work compares with the clock itself and re-arms when it woke early.
 * Deleting needs kipsec_net.lock, a mutex, hence a work and not a timer.
 *
 * One work per namespace for its nearest deadline, rather than a timer per
 * policy as SAs have: a policy has no per-packet limit to combine with, and
 * lifetimes are few (ipsecd's clear-text fallbacks), so a scan of the
 * namespace's policies when one runs out is cheap and keeps the policy
 * object small. A policy deleted or flushed before its deadline only stops
 * being counted; the work, if it runs for nothing, finds nothing to do, and
 * is cancelled outright when no lifetime is left. The namespace's exit
 * cancels the work (synchronously, before the policies go), so it never
 * runs on freed state.
 */

#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <kipsec.h>

#include "netlink.h"
#include "netns.h"
#include "spd.h"
#include "spd_expire.h"

/* Longest single wait; a farther deadline is reached by re-arming. */
#define KIPSEC_POL_EXPIRE_MAX_WAIT (24UL * 3600 * HZ)
/* When a deletion failed for memory: try again this much later. */
#define KIPSEC_POL_EXPIRE_RETRY HZ

static void kipsec_spd_expire_schedule(struct kipsec_net *kn, u64 deadline,
				       u64 now)
{
	u64 wait = 0;

	lockdep_assert_held(&kn->lock);

	if (delayed_work_pending(&kn->pol_expire) &&
	    kn->pol_expire_next <= deadline)
		return;
	kn->pol_expire_next = deadline;
	/* One jiffy more, so that rounding never wakes the work early. */
	if (deadline > now)
		wait = nsecs_to_jiffies64(deadline - now) + 1;
	mod_delayed_work(system_wq, &kn->pol_expire,
			 (unsigned long)min_t(u64, wait,
					      KIPSEC_POL_EXPIRE_MAX_WAIT));
}

void kipsec_spd_expire_start(struct kipsec_net *kn, struct kipsec_policy *pol)
{
	u64 now = ktime_get_boottime_ns();

	lockdep_assert_held(&kn->lock);

	if (!pol->cfg.lifetime)
		return;
	/* At most 2^32 s: far from overflowing 64 bits of nanoseconds. */
	pol->expires_ns = now + (u64)pol->cfg.lifetime * NSEC_PER_SEC;
	kn->pol_life_count++;
	kipsec_spd_expire_schedule(kn, pol->expires_ns, now);
}

void kipsec_spd_expire_forget(struct kipsec_net *kn,
			      const struct kipsec_policy *pol)
{
	lockdep_assert_held(&kn->lock);

	if (!pol->expires_ns)
		return;
	/* Not _sync: a running work waits for our lock and finds nothing. */
	if (!--kn->pol_life_count)
		cancel_delayed_work(&kn->pol_expire);
}

u32 kipsec_spd_expires_in(const struct kipsec_policy *pol)
{
	u64 now = ktime_get_boottime_ns();

	if (!pol->expires_ns || now >= pol->expires_ns)
		return 0;
	return (u32)div_u64(pol->expires_ns - now + NSEC_PER_SEC - 1,
			    NSEC_PER_SEC);
}

/* The POLICY_DEL event of an expired policy; NULL when nobody listens. */
static struct sk_buff *kipsec_spd_expire_event(struct net *net,
					       const struct kipsec_policy *pol)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&kipsec_family, net, KIPSEC_MCGRP_EVENTS_IDX))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &kipsec_family, 0, KIPSEC_CMD_POLICY_DEL);
	if (!hdr || kipsec_nl_put_policy(skb, pol)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

static void kipsec_spd_expire_work(struct work_struct *work)
{
	struct kipsec_net *kn = container_of(to_delayed_work(work),
					     struct kipsec_net, pol_expire);
	struct kipsec_policy *pol, deleted;
	u64 now, next = U64_MAX;
	struct sk_buff *skb;
	unsigned long index;

	mutex_lock(&kn->lock);
	now = ktime_get_boottime_ns();
	xa_for_each(&kn->pol_ids, index, pol) {
		if (!pol->expires_ns)
			continue;
		if (pol->expires_ns > now) {
			next = min(next, pol->expires_ns);
			continue;
		}
		/* Erasing the current entry is safe in xa_for_each(). */
		if (kipsec_spd_delete_index(kn, index, &deleted)) {
			next = min(next, now + jiffies_to_nsecs(KIPSEC_POL_EXPIRE_RETRY));
			continue;
		}
		/* Under the lock, in order with the other changes. */
		skb = kipsec_spd_expire_event(read_pnet(&kn->net), &deleted);
		if (skb)
			kipsec_nl_multicast(read_pnet(&kn->net), skb);
	}
	if (next != U64_MAX)
		kipsec_spd_expire_schedule(kn, next, now);
	mutex_unlock(&kn->lock);
}

void kipsec_spd_expire_net_init(struct kipsec_net *kn)
{
	kn->pol_life_count = 0;
	INIT_DELAYED_WORK(&kn->pol_expire, kipsec_spd_expire_work);
}

void kipsec_spd_expire_net_exit(struct kipsec_net *kn)
{
	/* Waits for a running work; one re-arming itself is caught too. */
	cancel_delayed_work_sync(&kn->pol_expire);
}
