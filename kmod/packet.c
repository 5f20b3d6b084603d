// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet state of a transform in progress, allocated in one piece
 * with its crypto request. Each holds a reference on its SA and device, and
 * is counted in its namespace, whose exit waits for it before the state its
 * completion writes to (counters, GRO cells) is freed. Module unload runs
 * every namespace's exit first, so that wait also keeps the code the
 * completions call from going away under them.
 */

#include <linux/completion.h>
#include <linux/netdevice.h>
#include <linux/percpu-refcount.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "netns.h"
#include "packet.h"

/*
 * Per CPU, the buffers of a few finished packets, for the next ones: a
 * packet's state otherwise costs a kmalloc() and, with init_on_alloc
 * (Debian's default), the clearing of a whole 1 KB object, once per
 * transform, twice for each packet a gateway pair carries. Larger states
 * (many frags, a large crypto request) come from kmalloc() as before.
 */
#define KIPSEC_PKT_RECYCLE_SIZE 1024
#define KIPSEC_PKT_RECYCLE_DEPTH 32

struct kipsec_pkt_recycle {
	unsigned int count;
	void *bufs[KIPSEC_PKT_RECYCLE_DEPTH];
};

static DEFINE_PER_CPU(struct kipsec_pkt_recycle, kipsec_pkt_recycle);

static void *kipsec_pkt_buf_get(unsigned int size, bool *recycled)
{
	struct kipsec_pkt_recycle *r;
	void *buf = NULL;

	*recycled = size <= KIPSEC_PKT_RECYCLE_SIZE;
	if (!*recycled)
		return kmalloc(size, GFP_ATOMIC);
	local_bh_disable();
	r = this_cpu_ptr(&kipsec_pkt_recycle);
	if (r->count)
		buf = r->bufs[--r->count];
	local_bh_enable();
	return buf ?: kmalloc(KIPSEC_PKT_RECYCLE_SIZE, GFP_ATOMIC);
}

static void kipsec_pkt_buf_put(void *buf, bool recycled)
{
	struct kipsec_pkt_recycle *r;

	if (recycled) {
		local_bh_disable();
		r = this_cpu_ptr(&kipsec_pkt_recycle);
		if (r->count < KIPSEC_PKT_RECYCLE_DEPTH) {
			r->bufs[r->count++] = buf;
			buf = NULL;
		}
		local_bh_enable();
	}
	kfree(buf);
}

/* Once no packet is in flight any more. */
static void kipsec_pkt_recycle_drain(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kipsec_pkt_recycle *r = per_cpu_ptr(&kipsec_pkt_recycle,
							   cpu);

		while (r->count)
			kfree(r->bufs[--r->count]);
	}
}

static void kipsec_pkts_net_release(struct percpu_ref *ref)
{
	struct kipsec_net *kn = container_of(ref, struct kipsec_net, pkts);

	complete(&kn->pkts_done);
}

/*
 * Per CPU, not one atomic: every packet touches it twice, and the cache
 * line would bounce between the CPUs. Exit switches it to one atomic
 * count, which calls the release callback when it reaches zero.
 */
int kipsec_pkt_net_init(struct kipsec_net *kn)
{
	init_completion(&kn->pkts_done);
	return percpu_ref_init(&kn->pkts, kipsec_pkts_net_release, 0,
			       GFP_KERNEL);
}

/*
 * Namespace exit, after its hooks are gone: none of its packets is counted
 * any more, so its count only falls. Nothing of the namespace's state may
 * be freed before this returns.
 */
void kipsec_pkt_net_exit(struct kipsec_net *kn)
{
	percpu_ref_kill(&kn->pkts);
	wait_for_completion(&kn->pkts_done);
	percpu_ref_exit(&kn->pkts);
}

struct kipsec_pkt *kipsec_pkt_alloc(struct kipsec_sa *sa, struct net *net,
				    struct sk_buff *skb, unsigned int reqsize,
				    unsigned int ivlen, int nfrags)
{
	unsigned int iv_off, sg_off;
	struct kipsec_pkt *pkt;
	bool recycled;

	iv_off = ALIGN(sizeof(*pkt) + reqsize, CRYPTO_MINALIGN);
	sg_off = ALIGN(iv_off + ivlen, __alignof__(struct scatterlist));
	pkt = kipsec_pkt_buf_get(sg_off + nfrags * sizeof(struct scatterlist),
				 &recycled);
	if (!pkt)
		return NULL;
	if (!kipsec_sa_get(sa)) {
		kipsec_pkt_buf_put(pkt, recycled);
		return NULL;
	}
	pkt->recycled = recycled;
	pkt->skb = skb;
	pkt->sa = sa;
	pkt->net = net;
	pkt->dev = skb->dev ?: skb_dst(skb)->dev;
	dev_hold(pkt->dev);
	pkt->iv = (u8 *)pkt + iv_off;
	pkt->sg = (struct scatterlist *)((u8 *)pkt + sg_off);
	pkt->udp = false;
	pkt->oop_frags = 0;
	percpu_ref_get(&kipsec_net(net)->pkts);
	return pkt;
}

void kipsec_pkt_free(struct kipsec_pkt *pkt)
{
	struct kipsec_net *kn = kipsec_net(pkt->net);

	dev_put(pkt->dev);
	kipsec_sa_put(pkt->sa);
	kipsec_pkt_buf_put(pkt, pkt->recycled);
	/* The namespace's state may be gone once this is put. */
	percpu_ref_put(&kn->pkts);
}

void kipsec_pkt_drop(struct kipsec_pkt *pkt, unsigned int stat)
{
	kipsec_drop(pkt->net, pkt->sa, pkt->skb, stat);
	kipsec_pkt_free(pkt);
}

/* Why a transform's crypto call failed, as a drop reason. */
unsigned int kipsec_crypt_err_stat(int err)
{
	if (err == -EBADMSG)
		return KIPSEC_A_STATS_DROP_INTEGRITY;
	/* Busy or out of memory: a drop, the peer's TCP will resend. */
	if (err == -ENOMEM || err == -EBUSY || err == -ENOSPC)
		return KIPSEC_A_STATS_DROP_NOMEM;
	return KIPSEC_A_STATS_DROP_MALFORMED;
}

/*
 * Module exit (or a failed load), after every namespace's exit waited for
 * its packets. The last packet's free may still be returning out of this
 * module's code; it runs in an RCU read-side section (a netfilter hook, a
 * softirq, a crypto completion with BHs off), so a grace period lets it.
 */
void kipsec_pkt_exit(void)
{
	synchronize_rcu();
	kipsec_pkt_recycle_drain();
}
