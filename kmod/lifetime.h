/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA lifetimes: byte and packet limits counted inline on the packet path,
 * second limits on the boot clock with a timer. Crossing a soft limit raises
 * one KIPSEC_CMD_SA_SOFT_EXPIRE event; crossing a hard limit makes the SA
 * unusable at once, deletes it from process context and raises
 * KIPSEC_CMD_SA_HARD_EXPIRE with its final counters. Running out of
 * outbound sequence numbers ends an SA the same way.
 */
#ifndef _KIPSEC_LIFETIME_H
#define _KIPSEC_LIFETIME_H

#include <linux/atomic.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct kipsec_sa;
struct kipsec_net;
struct sk_buff;

enum {
	KIPSEC_LIFE_SOFT_RAISED,	/* the soft event was sent or is due */
	KIPSEC_LIFE_HARD_REACHED,	/* no more packets; deletion queued */
	KIPSEC_LIFE_SOFT_PENDING,	/* for expire_work: send the soft event */
	KIPSEC_LIFE_HARD_PENDING,	/* for expire_work: delete, announce */
	KIPSEC_LIFE_DEAD,		/* unlinked: no timer, no work any more */
};

struct kipsec_sa_life {
	/* Only for the limits; the reported counters are the per-CPU stats. */
	atomic64_t bytes;
	atomic64_t packets;
	unsigned long state;		/* KIPSEC_LIFE_* bits */
	struct timer_list timer;	/* next second limit */
	struct work_struct expire_work;	/* events and deletion, may sleep */
	u64 start_ns;			/* boot clock, when the SA went in */
	bool counted;			/* has a byte or packet limit */
	u8 soft_reason;			/* enum kipsec_expire_reason */
	u8 hard_reason;
};

void kipsec_sa_life_init(struct kipsec_sa *sa);
/* After the SA is in the table (kipsec_net.lock held): arms the timer. */
void kipsec_sa_life_start(struct kipsec_sa *sa);
/* Before the SA's last reference goes: no timer or work left behind. */
void kipsec_sa_life_stop(struct kipsec_sa *sa);

/*
 * Packet path, BH context: counts one packet of @bytes on @sa. Returns false
 * when the SA has reached a hard limit and the packet must be dropped.
 */
bool kipsec_sa_life_account(struct kipsec_sa *sa, unsigned int bytes);

/*
 * Packet path: the next outbound sequence number of @sa in @seq. Returns
 * false, and ends the SA as a hard limit does, when none is left: the
 * numbers are never reused.
 */
bool kipsec_sa_seq_next(struct kipsec_sa *sa, u64 *seq);

/* KIPSEC_A_SA_LIFETIME_CUR of SA_GET replies and events. */
int kipsec_sa_life_put_cur(struct sk_buff *skb, const struct kipsec_sa *sa);

/* After a namespace's SAs are unlinked: waits for their expire work. */
void kipsec_life_net_exit(struct kipsec_net *kn);
int kipsec_life_init(void);
void kipsec_life_exit(void);

/* Packet path: false once a hard limit is reached. */
static inline bool kipsec_sa_life_usable(const struct kipsec_sa_life *life)
{
	return !test_bit(KIPSEC_LIFE_HARD_REACHED, &life->state);
}

#endif /* _KIPSEC_LIFETIME_H */
