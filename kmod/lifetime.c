// SPDX-License-Identifier: GPL-2.0
/*
 * SA lifetimes. The packet path counts bytes and packets in atomics and
 * compares them with the limits as it goes; second limits have a timer,
 * re-armed for whichever limit comes next. Crossing a limit only sets bits
 * and queues expire_work: announcing it needs process context, and
 * deleting the SA needs kipsec_net.lock, a mutex.
 *
 * Tear-down: kipsec_sa_life_stop() runs under kipsec_net.lock when the SA
 * leaves the table, so it must not wait for expire_work, which takes that
 * lock. It marks the SA dead, shuts the timer down and cancels a queued
 * work (whose reference it then drops). A work already running finds the
 * SA dead or gone from the table and only drops its reference, and
 * kipsec_life_net_exit() waits for such stragglers before the namespace's
 * state goes.
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <kipsec.h>

#include "lifetime.h"
#include "netlink.h"
#include "netns.h"
#include "sadb.h"

/* Longest single timer wait; a farther limit is reached by re-arming. */
#define KIPSEC_LIFE_MAX_WAIT (24UL * 3600 * HZ)

static struct workqueue_struct *kipsec_life_wq;

/* Boot-clock time at which a limit of @seconds is reached. */
static u64 kipsec_life_deadline(const struct kipsec_sa_life *life,
				u64 seconds)
{
	/* Saturates: a limit centuries away is simply never reached. */
	if (seconds > div_u64(U64_MAX - life->start_ns, NSEC_PER_SEC))
		return U64_MAX;
	return life->start_ns + seconds * NSEC_PER_SEC;
}

/* Any context. The work holds a reference: the SA may leave the table. */
static void kipsec_life_queue(struct kipsec_sa *sa)
{
	if (test_bit(KIPSEC_LIFE_DEAD, &sa->life.state) || !kipsec_sa_get(sa))
		return;
	if (!queue_work(kipsec_life_wq, &sa->life.expire_work))
		kipsec_sa_put(sa);
}

static void kipsec_life_soft(struct kipsec_sa *sa, u8 reason)
{
	struct kipsec_sa_life *life = &sa->life;

	/* Whichever soft limit comes first is the only one announced. */
	if (test_and_set_bit(KIPSEC_LIFE_SOFT_RAISED, &life->state))
		return;
	WRITE_ONCE(life->soft_reason, reason);
	/* The work reads the reason after it sees the bit. */
	smp_mb__before_atomic();
	set_bit(KIPSEC_LIFE_SOFT_PENDING, &life->state);
	kipsec_life_queue(sa);
}

static void kipsec_life_hard(struct kipsec_sa *sa, u8 reason)
{
	struct kipsec_sa_life *life = &sa->life;

	if (test_and_set_bit(KIPSEC_LIFE_HARD_REACHED, &life->state))
		return;
	WRITE_ONCE(life->hard_reason, reason);
	/* As in kipsec_life_soft(): the reason before the bit. */
	smp_mb__before_atomic();
	set_bit(KIPSEC_LIFE_HARD_PENDING, &life->state);
	kipsec_life_queue(sa);
}

/* Arms the timer for the next second limit still to come, if any. */
static void kipsec_life_arm(struct kipsec_sa *sa, u64 now)
{
	struct kipsec_sa_life *life = &sa->life;
	u64 next = U64_MAX, wait = 1;

	if (sa->soft.seconds &&
	    !test_bit(KIPSEC_LIFE_SOFT_RAISED, &life->state))
		next = kipsec_life_deadline(life, sa->soft.seconds);
	if (sa->hard.seconds)
		next = min(next, kipsec_life_deadline(life, sa->hard.seconds));
	if (next == U64_MAX)
		return;
	/*
	 * One jiffy more, so that rounding never wakes us early; jiffies
	 * stop during suspend where the boot clock does not, which the
	 * timer function makes up for by checking the clock itself.
	 */
	if (next > now)
		wait = nsecs_to_jiffies64(next - now) + 1;
	mod_timer(&life->timer,
		  jiffies + (unsigned long)min_t(u64, wait,
						 KIPSEC_LIFE_MAX_WAIT));
}

static void kipsec_life_timer(struct timer_list *t)
{
	struct kipsec_sa_life *life = from_timer(life, t, timer);
	struct kipsec_sa *sa = container_of(life, struct kipsec_sa, life);
	u64 now = ktime_get_boottime_ns();

	if (sa->soft.seconds &&
	    now >= kipsec_life_deadline(life, sa->soft.seconds))
		kipsec_life_soft(sa, KIPSEC_EXPIRE_SECONDS);
	if (sa->hard.seconds &&
	    now >= kipsec_life_deadline(life, sa->hard.seconds)) {
		kipsec_life_hard(sa, KIPSEC_EXPIRE_SECONDS);
		return;
	}
	kipsec_life_arm(sa, now);
}

/*
 * An event with the SA as an SA_GET reply shows it, sent with kn->lock
 * held, in order with SA_NEW and SA_DEL: see kipsec_nl_want_notify().
 */
static void kipsec_life_announce(struct net *net, const struct kipsec_sa *sa,
				 u8 cmd, u8 reason)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&kipsec_family, net, KIPSEC_MCGRP_EVENTS_IDX))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &kipsec_family, 0, cmd);
	if (!hdr || kipsec_nl_put_sa(skb, sa) ||
	    nla_put_u8(skb, KIPSEC_A_SA_EXPIRE_REASON, reason)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	kipsec_nl_multicast(net, skb);
}

static void kipsec_life_work(struct work_struct *work)
{
	struct kipsec_sa_life *life = container_of(work, struct kipsec_sa_life,
						   expire_work);
	struct kipsec_sa *sa = container_of(life, struct kipsec_sa, life);
	struct net *net = read_pnet(&sa->net);
	struct kipsec_sa *deleted = NULL;
	struct kipsec_net *kn;

	/* Unlinked, perhaps with its namespace on the way out: say nothing. */
	if (test_bit(KIPSEC_LIFE_DEAD, &life->state))
		goto out;
	kn = kipsec_net(net);

	mutex_lock(&kn->lock);
	/*
	 * Checked under the lock, so that an SA deleted meanwhile raises no
	 * event and a deletion is announced once: by SA_DEL or by this.
	 */
	if (kipsec_sa_find(kn, &sa->key) != sa)
		goto unlock;
	if (test_and_clear_bit(KIPSEC_LIFE_SOFT_PENDING, &life->state))
		kipsec_life_announce(net, sa, KIPSEC_CMD_SA_SOFT_EXPIRE,
				     READ_ONCE(life->soft_reason));
	if (test_and_clear_bit(KIPSEC_LIFE_HARD_PENDING, &life->state)) {
		kipsec_sa_delete(kn, &sa->key, &deleted);
		kipsec_life_announce(net, sa, KIPSEC_CMD_SA_HARD_EXPIRE,
				     READ_ONCE(life->hard_reason));
	}
unlock:
	mutex_unlock(&kn->lock);

	if (deleted)
		kipsec_sa_put(deleted);
out:
	kipsec_sa_put(sa);
}

void kipsec_sa_life_init(struct kipsec_sa *sa)
{
	struct kipsec_sa_life *life = &sa->life;

	atomic64_set(&life->bytes, 0);
	atomic64_set(&life->packets, 0);
	life->state = 0;
	/* Most SAs have only time limits: keep their packets off the checks. */
	life->counted = sa->soft.bytes || sa->soft.packets ||
			sa->hard.bytes || sa->hard.packets;
	timer_setup(&life->timer, kipsec_life_timer, 0);
	INIT_WORK(&life->expire_work, kipsec_life_work);
}

void kipsec_sa_life_start(struct kipsec_sa *sa)
{
	u64 now = ktime_get_boottime_ns();

	sa->life.start_ns = now;
	kipsec_life_arm(sa, now);
}

void kipsec_sa_life_stop(struct kipsec_sa *sa)
{
	struct kipsec_sa_life *life = &sa->life;

	set_bit(KIPSEC_LIFE_DEAD, &life->state);
	/* The timer function re-arms itself; a shut-down timer cannot be. */
	timer_shutdown_sync(&life->timer);
	if (cancel_work(&life->expire_work))
		kipsec_sa_put(sa);
}

bool kipsec_sa_life_account(struct kipsec_sa *sa, unsigned int bytes)
{
	struct kipsec_sa_life *life = &sa->life;
	u64 b, p;

	if (unlikely(!kipsec_sa_life_usable(life)))
		return false;
	b = atomic64_add_return(bytes, &life->bytes);
	p = atomic64_inc_return(&life->packets);
	if (likely(!life->counted))
		return true;

	/*
	 * The packet that reaches a hard limit is the last to pass; one that
	 * starts beyond it lost a race with that one on another CPU.
	 */
	if ((sa->hard.bytes && b - bytes >= sa->hard.bytes) ||
	    (sa->hard.packets && p > sa->hard.packets))
		return false;

	if (sa->soft.bytes && b >= sa->soft.bytes)
		kipsec_life_soft(sa, KIPSEC_EXPIRE_BYTES);
	else if (sa->soft.packets && p >= sa->soft.packets)
		kipsec_life_soft(sa, KIPSEC_EXPIRE_PACKETS);

	if (sa->hard.bytes && b >= sa->hard.bytes)
		kipsec_life_hard(sa, KIPSEC_EXPIRE_BYTES);
	else if (sa->hard.packets && p >= sa->hard.packets)
		kipsec_life_hard(sa, KIPSEC_EXPIRE_PACKETS);
	return true;
}

bool kipsec_sa_seq_next(struct kipsec_sa *sa, u64 *seq)
{
	s64 last = sa->flags & KIPSEC_SA_F_ESN ? (s64)U64_MAX : U32_MAX;
	s64 prev;

	/*
	 * Stops at the last number rather than counting past it: an ESN
	 * counter would wrap to 0 and then hand out 1, 2, ... again to
	 * whichever CPU came next.
	 */
	prev = atomic64_fetch_add_unless(&sa->oseq, 1, last);
	if (unlikely(prev == last)) {
		kipsec_life_hard(sa, KIPSEC_EXPIRE_SEQ_OVERFLOW);
		return false;
	}
	*seq = (u64)prev + 1;
	return true;
}

int kipsec_sa_life_put_cur(struct sk_buff *skb, const struct kipsec_sa *sa)
{
	struct nlattr *nest = nla_nest_start(skb, KIPSEC_A_SA_LIFETIME_CUR);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_BYTES,
			      atomic64_read(&sa->life.bytes),
			      KIPSEC_A_LIFETIME_PAD) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_PACKETS,
			      atomic64_read(&sa->life.packets),
			      KIPSEC_A_LIFETIME_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

void kipsec_life_net_exit(struct kipsec_net *kn)
{
	/* Works that were running as @kn's SAs were unlinked may use @kn. */
	flush_workqueue(kipsec_life_wq);
}

int kipsec_life_init(void)
{
	kipsec_life_wq = alloc_workqueue("kipsec_life", 0, 0);
	return kipsec_life_wq ? 0 : -ENOMEM;
}

void kipsec_life_exit(void)
{
	destroy_workqueue(kipsec_life_wq);
}
