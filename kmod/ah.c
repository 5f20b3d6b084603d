// SPDX-License-Identifier: GPL-2.0
/* TEMPORARY placeholder until AH lands: drops AH packets. */
#include "packet.h"

unsigned int kipsec_ah_max_len(const struct kipsec_sa *sa, unsigned int mtu,
			       unsigned int iphlen)
{
	return mtu - 64;
}

void kipsec_ah_output(struct net *net, struct kipsec_sa *sa,
		      struct sk_buff *skb, u8 family, bool local)
{
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
}

void kipsec_ah_input(struct net *net, struct kipsec_sa *sa,
		     struct sk_buff *skb, unsigned int iphlen,
		     unsigned int nhoff)
{
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
}
