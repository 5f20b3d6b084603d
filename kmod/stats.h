/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU u64_stats, one set per SA, one per namespace and one for
 * the whole module, indexed by (KIPSEC_A_STATS_* - KIPSEC_STAT_FIRST).
 */
#ifndef _KIPSEC_STATS_H
#define _KIPSEC_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <kipsec.h>

struct sk_buff;

struct kipsec_stats {
	u64_stats_t cnt[KIPSEC_STAT_COUNT];
	struct u64_stats_sync syncp;
};

/* Summed over all CPUs, by the same index. */
struct kipsec_stats_sum {
	u64 cnt[KIPSEC_STAT_COUNT];
};

extern struct kipsec_stats __percpu *kipsec_stats_global;

struct kipsec_stats __percpu *kipsec_stats_alloc(gfp_t gfp);
void kipsec_stats_read(struct kipsec_stats __percpu *stats,
		       struct kipsec_stats_sum *sum);
int kipsec_stats_put(struct sk_buff *skb, int attrtype,
		     const struct kipsec_stats_sum *sum, bool per_sa);

void kipsec_stats_sa_count_add(int n);
void kipsec_stats_policy_count_add(int n);

int kipsec_stats_init(void);
void kipsec_stats_exit(void);

/*
 * For the packet path, which runs in softirq context or with BH disabled:
 * the writer side of u64_stats needs no other CPU and no nested writer on
 * this one.
 */
static inline void kipsec_stats_add(struct kipsec_stats __percpu *stats,
				    unsigned int idx, u64 val)
{
	struct kipsec_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->cnt[idx], val);
	u64_stats_update_end(&s->syncp);
}

/*
 * Every event is counted three times, so that namespace and module totals
 * survive the deletion of the SA it happened on; @sa_stats is NULL for
 * events without an SA (KIPSEC_A_STATS_DROP_NO_SA).
 */
static inline void kipsec_stats_count(struct kipsec_stats __percpu *sa_stats,
				      struct kipsec_stats __percpu *net_stats,
				      unsigned int idx, u64 val)
{
	if (sa_stats)
		kipsec_stats_add(sa_stats, idx, val);
	kipsec_stats_add(net_stats, idx, val);
	kipsec_stats_add(kipsec_stats_global, idx, val);
}

#endif /* _KIPSEC_STATS_H */
