// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet state of a transform in progress, allocated in one piece
 * with its crypto request. Each holds a reference on its SA and device, and
 * is counted, so that module unload can wait for the crypto still running
 * on its behalf before the code its completions call goes away.
 */

#include <linux/delay.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "packet.h"

/*
 * Per CPU, not one atomic: every packet touched it twice, and the cache
 * line bounced between the CPUs. A packet may be freed on another CPU than
 * the one it was counted on, so only the sum means anything.
 */
static DEFINE_PER_CPU(long, kipsec_pkts_inflight);

struct kipsec_pkt *kipsec_pkt_alloc(struct kipsec_sa *sa, struct net *net,
				    struct sk_buff *skb, unsigned int reqsize,
				    unsigned int ivlen, int nfrags)
{
	unsigned int iv_off, sg_off;
	struct kipsec_pkt *pkt;

	iv_off = ALIGN(sizeof(*pkt) + reqsize, CRYPTO_MINALIGN);
	sg_off = ALIGN(iv_off + ivlen, __alignof__(struct scatterlist));
	pkt = kmalloc(sg_off + nfrags * sizeof(struct scatterlist),
		      GFP_ATOMIC);
	if (!pkt)
		return NULL;
	if (!kipsec_sa_get(sa)) {
		kfree(pkt);
		return NULL;
	}
	pkt->skb = skb;
	pkt->sa = sa;
	pkt->net = net;
	pkt->dev = skb->dev ?: skb_dst(skb)->dev;
	dev_hold(pkt->dev);
	pkt->iv = (u8 *)pkt + iv_off;
	pkt->sg = (struct scatterlist *)((u8 *)pkt + sg_off);
	pkt->udp = false;
	pkt->oop_frags = 0;
	this_cpu_inc(kipsec_pkts_inflight);
	return pkt;
}

void kipsec_pkt_free(struct kipsec_pkt *pkt)
{
	dev_put(pkt->dev);
	kipsec_sa_put(pkt->sa);
	kfree(pkt);
	this_cpu_dec(kipsec_pkts_inflight);
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
 * Module exit, after every hook is gone: no completion may still run. No
 * packet is counted any more, counts only fall, so a zero sum is final.
 */
void kipsec_pkt_wait_all(void)
{
	for (;;) {
		long n = 0;
		int cpu;

		for_each_possible_cpu(cpu)
			n += READ_ONCE(per_cpu(kipsec_pkts_inflight, cpu));
		if (!n)
			break;
		msleep(20);
	}
}
