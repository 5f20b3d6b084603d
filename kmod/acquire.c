// SPDX-License-Identifier: GPL-2.0
/*
 * ACQUIRE events. The packet path asks for an SA every time an outbound
 * packet matches a protect policy that has none; a key manager wants to
 * hear of it once. Each namespace keeps a small hash of the flows that have
 * asked: an entry holds further requests of its flow back until an SA
 * fitting the policy's template is added or KIPSEC_ACQUIRE_HOLD_SECONDS
 * pass. Requests come in softirq or process context, so the hash is under
 * a BH-safe spinlock, entries are GFP_ATOMIC and capped, and the events are
 * built and sent by a work item.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <kipsec.h>

#include "acquire.h"
#include "netlink.h"
#include "netns.h"
#include "sadb.h"
#include "spd.h"

#define KIPSEC_ACQ_HASH_BITS 8
/* Flows waiting for an SA at once; more are not announced. */
#define KIPSEC_ACQ_MAX 1024

/* Hashed and compared as raw bytes: unused bytes must be zero. */
struct kipsec_acq_key {
	union kipsec_addr saddr;
	union kipsec_addr daddr;
	u32 pol_index;
	u16 sport;
	u16 dport;
	u8 family;
	u8 proto;
	u8 pad[2];
};

struct kipsec_acq {
	struct hlist_node node;
	struct list_head pending;	/* on kipsec_acquire_net.pending */
	struct list_head age;		/* on kipsec_acquire_net.by_age */
	unsigned long expires;		/* jiffies */
	struct kipsec_acq_key key;
	/* The event: the policy, with the flow as its selector. */
	struct kipsec_policy pol;
};

struct kipsec_acquire_net {
	spinlock_t lock;		/* everything below */
	bool dead;			/* namespace exiting: no more work */
	unsigned int count;
	possible_net_t net;		/* set with the first entry */
	struct list_head pending;	/* entries whose event is still due */
	/*
	 * Every entry, oldest first: all live equally long, so those that
	 * expired are at its head, and a full table is pruned without a walk
	 * through it under the lock, for each packet of a new flow.
	 */
	struct list_head by_age;
	u32 hash_seed;			/* so that flows cannot pick a bucket */
	struct work_struct work;
	struct rcu_head rcu;
	struct hlist_head hash[1 << KIPSEC_ACQ_HASH_BITS];
};

static bool kipsec_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

static void kipsec_acq_key_init(struct kipsec_acq_key *key,
				const struct kipsec_policy *pol,
				const struct kipsec_flow *flow)
{
	u32 alen = kipsec_sa_family_len(flow->family);

	memset(key, 0, sizeof(*key));
	memcpy(&key->saddr, &flow->saddr, alen);
	memcpy(&key->daddr, &flow->daddr, alen);
	key->pol_index = pol->index;
	key->family = flow->family;
	key->proto = flow->proto;
	if (kipsec_proto_has_ports(flow->proto)) {
		key->sport = flow->sport;
		key->dport = flow->dport;
	}
}

static struct hlist_head *kipsec_acq_bucket(struct kipsec_acquire_net *an,
					    const struct kipsec_acq_key *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		       an->hash_seed);

	return &an->hash[hash_32(h, KIPSEC_ACQ_HASH_BITS)];
}

/* The flow as a selector of full-length prefixes and one-port ranges. */
static void kipsec_acq_fill(struct kipsec_acq *a,
			    const struct kipsec_policy *pol)
{
	struct kipsec_selector *sel = &a->pol.cfg.sel;
	const struct kipsec_acq_key *key = &a->key;
	u8 plen = key->family == AF_INET ? 32 : 128;

	a->pol.index = pol->index;
	a->pol.cfg.dir = pol->cfg.dir;
	a->pol.cfg.action = pol->cfg.action;
	a->pol.cfg.priority = pol->cfg.priority;
	a->pol.cfg.tmpl = pol->cfg.tmpl;

	sel->saddr = key->saddr;
	sel->daddr = key->daddr;
	sel->family = key->family;
	sel->splen = plen;
	sel->dplen = plen;
	sel->proto = key->proto;
	sel->sport.max = U16_MAX;
	sel->dport.max = U16_MAX;
	if (kipsec_proto_has_ports(key->proto)) {
		sel->sport.min = key->sport;
		sel->sport.max = key->sport;
		sel->dport.min = key->dport;
		sel->dport.max = key->dport;
	}
}

static void kipsec_acq_free(struct kipsec_acquire_net *an,
			    struct kipsec_acq *a)
{
	lockdep_assert_held(&an->lock);

	hlist_del(&a->node);
	list_del(&a->pending);
	list_del(&a->age);
	an->count--;
	kfree(a);
}

static void kipsec_acq_gc(struct kipsec_acquire_net *an)
{
	struct kipsec_acq *a, *tmp;

	list_for_each_entry_safe(a, tmp, &an->by_age, age) {
		if (!time_after_eq(jiffies, a->expires))
			break;
		kipsec_acq_free(an, a);
	}
}

void kipsec_acquire(struct net *net, const struct kipsec_policy *pol,
		    const struct kipsec_flow *flow)
{
	struct kipsec_acquire_net *an = kipsec_net(net)->acq;
	struct kipsec_acq_key key;
	struct hlist_head *head;
	struct hlist_node *tmp;
	struct kipsec_acq *a;

	/* Nobody to negotiate an SA: nothing to hold back either. */
	if (!genl_has_listeners(&kipsec_family, net, KIPSEC_MCGRP_EVENTS_IDX))
		return;

	kipsec_acq_key_init(&key, pol, flow);
	head = kipsec_acq_bucket(an, &key);

	/* _bh: local output reaches us in process context too. */
	spin_lock_bh(&an->lock);
	if (an->dead)
		goto unlock;
	hlist_for_each_entry_safe(a, tmp, head, node) {
		if (time_after_eq(jiffies, a->expires))
			kipsec_acq_free(an, a);
		else if (!memcmp(&a->key, &key, sizeof(key)))
			goto unlock;
	}
	if (an->count >= KIPSEC_ACQ_MAX) {
		kipsec_acq_gc(an);
		if (an->count >= KIPSEC_ACQ_MAX) {
			pr_debug("ACQUIRE table full, flow not announced\n");
			goto unlock;
		}
	}

	a = kzalloc(sizeof(*a), GFP_ATOMIC);
	if (!a)
		goto unlock;
	a->key = key;
	a->expires = jiffies + KIPSEC_ACQUIRE_HOLD_SECONDS * HZ;
	kipsec_acq_fill(a, pol);
	hlist_add_head(&a->node, head);
	list_add_tail(&a->pending, &an->pending);
	list_add_tail(&a->age, &an->by_age);
	an->count++;
	write_pnet(&an->net, net);
	/* Under the lock, so that exit's cancel leaves no work behind. */
	queue_work(system_wq, &an->work);
unlock:
	spin_unlock_bh(&an->lock);
}

/* Whether @sa is one that @a's policy would use for its flow. */
static bool kipsec_acq_fits(const struct kipsec_acq *a,
			    const struct kipsec_sa *sa)
{
	const struct kipsec_tmpl *t = &a->pol.cfg.tmpl;
	const union kipsec_addr *daddr = &a->key.daddr;
	u8 family = a->key.family;

	if (t->proto != sa->key.proto || t->mode != sa->mode ||
	    (t->reqid && t->reqid != sa->reqid))
		return false;
	if (t->mode == KIPSEC_MODE_TUNNEL) {
		daddr = &t->daddr;
		family = t->family;
	}
	return family == sa->key.family &&
	       kipsec_addr_equal(daddr, &sa->key.daddr, family);
}

void kipsec_acquire_sa_added(struct kipsec_net *kn,
			     const struct kipsec_sa *sa)
{
	struct kipsec_acquire_net *an = kn->acq;
	struct hlist_node *tmp;
	struct kipsec_acq *a;
	unsigned int i;

	lockdep_assert_held(&kn->lock);

	/* Most insertions find nothing waiting; spare them the scan. */
	if (!READ_ONCE(an->count))
		return;
	spin_lock_bh(&an->lock);
	for (i = 0; i < ARRAY_SIZE(an->hash); i++)
		hlist_for_each_entry_safe(a, tmp, &an->hash[i], node)
			if (kipsec_acq_fits(a, sa))
				kipsec_acq_free(an, a);
	spin_unlock_bh(&an->lock);
}

static void kipsec_acq_send(struct net *net, const struct kipsec_policy *pol)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &kipsec_family, 0, KIPSEC_CMD_ACQUIRE);
	if (!hdr || kipsec_nl_put_policy(skb, pol)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	kipsec_nl_multicast(net, skb);
}

static void kipsec_acq_work(struct work_struct *work)
{
	struct kipsec_acquire_net *an = container_of(work,
						     struct kipsec_acquire_net,
						     work);
	struct kipsec_policy pol;
	struct kipsec_acq *a;
	struct net *net;

	for (;;) {
		/* One at a time: the entry may go as soon as the lock does. */
		spin_lock_bh(&an->lock);
		a = list_first_entry_or_null(&an->pending, struct kipsec_acq,
					     pending);
		if (a) {
			list_del_init(&a->pending);
			pol = a->pol;
			net = read_pnet(&an->net);
		}
		spin_unlock_bh(&an->lock);
		if (!a)
			break;
		kipsec_acq_send(net, &pol);
		cond_resched();
	}
}

int kipsec_acquire_net_init(struct kipsec_net *kn)
{
	struct kipsec_acquire_net *an;
	unsigned int i;

	an = kzalloc(sizeof(*an), GFP_KERNEL);
	if (!an)
		return -ENOMEM;
	spin_lock_init(&an->lock);
	INIT_LIST_HEAD(&an->pending);
	INIT_LIST_HEAD(&an->by_age);
	an->hash_seed = get_random_u32();
	INIT_WORK(&an->work, kipsec_acq_work);
	for (i = 0; i < ARRAY_SIZE(an->hash); i++)
		INIT_HLIST_HEAD(&an->hash[i]);
	kn->acq = an;
	return 0;
}

void kipsec_acquire_net_exit(struct kipsec_net *kn)
{
	struct kipsec_acquire_net *an = kn->acq;
	struct hlist_node *tmp;
	struct kipsec_acq *a;
	unsigned int i;

	spin_lock_bh(&an->lock);
	an->dead = true;
	spin_unlock_bh(&an->lock);
	cancel_work_sync(&an->work);

	spin_lock_bh(&an->lock);
	for (i = 0; i < ARRAY_SIZE(an->hash); i++)
		hlist_for_each_entry_safe(a, tmp, &an->hash[i], node)
			kipsec_acq_free(an, a);
	spin_unlock_bh(&an->lock);
	/* A packet that found a policy just before it went may still come. */
	kfree_rcu(an, rcu);
}
