// SPDX-License-Identifier: GPL-2.0
/*
 * Counters and their module-wide view in sysfs (/sys/kernel/kipsec/).
 */

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <net/netlink.h>

#include "stats.h"
#include <kipsec_version.h>

struct kipsec_stats __percpu *kipsec_stats_global;

/* SAs installed in every namespace; a gauge, so not a per-CPU counter. */
static atomic_t kipsec_sa_count = ATOMIC_INIT(0);
static atomic_t kipsec_policy_count = ATOMIC_INIT(0);

static const char * const kipsec_stat_names[] = KIPSEC_STAT_NAMES;

struct kipsec_stat_attr {
	struct kobj_attribute attr;
	unsigned int idx;
};

static struct kipsec_stat_attr kipsec_stat_attrs[KIPSEC_STAT_COUNT];
static struct kobject *kipsec_kobj;

struct kipsec_stats __percpu *kipsec_stats_alloc(gfp_t gfp)
{
	struct kipsec_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct kipsec_stats, gfp);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void kipsec_stats_read(struct kipsec_stats __percpu *stats,
		       struct kipsec_stats_sum *sum)
{
	unsigned int i, start;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct kipsec_stats *s = per_cpu_ptr(stats, cpu);
		u64 v[KIPSEC_STAT_COUNT];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < KIPSEC_STAT_COUNT; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < KIPSEC_STAT_COUNT; i++)
			sum->cnt[i] += v[i];
	}
}

int kipsec_stats_put(struct sk_buff *skb, int attrtype,
		     const struct kipsec_stats_sum *sum, bool per_sa)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < KIPSEC_STAT_COUNT; i++) {
		int type = KIPSEC_STAT_FIRST + i;

		/* No SA can count packets that matched no SA. */
		if (per_sa && (type == KIPSEC_A_STATS_DROP_NO_SA ||
			       type == KIPSEC_A_STATS_DROP_OUT_NO_SA))
			continue;
		if (nla_put_u64_64bit(skb, type, sum->cnt[i],
				      KIPSEC_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

void kipsec_stats_sa_count_add(int n)
{
	atomic_add(n, &kipsec_sa_count);
}

void kipsec_stats_policy_count_add(int n)
{
	atomic_add(n, &kipsec_policy_count);
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", KIPSEC_VERSION);
}

static ssize_t sa_count_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&kipsec_sa_count));
}

static ssize_t policy_count_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&kipsec_policy_count));
}

static ssize_t kipsec_stat_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct kipsec_stat_attr *sa = container_of(attr, struct kipsec_stat_attr,
						   attr);
	struct kipsec_stats_sum sum;

	kipsec_stats_read(kipsec_stats_global, &sum);
	return sysfs_emit(buf, "%llu\n", sum.cnt[sa->idx]);
}

static struct kobj_attribute kipsec_version_attr = __ATTR_RO(version);
static struct kobj_attribute kipsec_sa_count_attr = __ATTR_RO(sa_count);
static struct kobj_attribute kipsec_policy_count_attr =
	__ATTR_RO(policy_count);

/* version, sa_count, policy_count, the counters, and the terminating NULL. */
#define KIPSEC_FIXED_ATTRS 3
static struct attribute *kipsec_attrs[KIPSEC_FIXED_ATTRS + KIPSEC_STAT_COUNT + 1];

static const struct attribute_group kipsec_attr_group = {
	.attrs = kipsec_attrs,
};

int kipsec_stats_init(void)
{
	unsigned int i;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(kipsec_stat_names) != KIPSEC_STAT_COUNT);

	kipsec_stats_global = kipsec_stats_alloc(GFP_KERNEL);
	if (!kipsec_stats_global)
		return -ENOMEM;

	/*
	 * The counter files are built from the uAPI's name table, so that a
	 * counter added there shows up here without another edit.
	 */
	kipsec_attrs[0] = &kipsec_version_attr.attr;
	kipsec_attrs[1] = &kipsec_sa_count_attr.attr;
	kipsec_attrs[2] = &kipsec_policy_count_attr.attr;
	for (i = 0; i < KIPSEC_STAT_COUNT; i++) {
		struct kipsec_stat_attr *sa = &kipsec_stat_attrs[i];

		sysfs_attr_init(&sa->attr.attr);
		sa->attr.attr.name = kipsec_stat_names[i];
		sa->attr.attr.mode = 0444;
		sa->attr.show = kipsec_stat_show;
		sa->idx = i;
		kipsec_attrs[KIPSEC_FIXED_ATTRS + i] = &sa->attr.attr;
	}

	kipsec_kobj = kobject_create_and_add("kipsec", kernel_kobj);
	if (!kipsec_kobj) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = sysfs_create_group(kipsec_kobj, &kipsec_attr_group);
	if (ret)
		goto err_kobj;
	return 0;

err_kobj:
	kobject_put(kipsec_kobj);
err_free:
	free_percpu(kipsec_stats_global);
	return ret;
}

void kipsec_stats_exit(void)
{
	sysfs_remove_group(kipsec_kobj, &kipsec_attr_group);
	kobject_put(kipsec_kobj);
	free_percpu(kipsec_stats_global);
}
