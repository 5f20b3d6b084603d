/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KIPSEC_MSS_H
#define _KIPSEC_MSS_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <net/ipv6.h>

/*
 * Every packet an SA carries, both ways, would go through the clamp, and
 * only SYNs need it: this tells the rest apart from the headers at hand.
 * False only for what kipsec_mss_clamp() would leave alone anyway; true
 * also when the TCP header is behind IPv6 extension headers or outside
 * the linear data, for the clamp to look at properly.
 */
static inline bool kipsec_mss_maybe_syn(const struct sk_buff *skb, u8 family)
{
	int thoff = skb_network_offset(skb);

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP ||
		    iph->frag_off & htons(IP_MF | IP_OFFSET))
			return false;
		thoff += iph->ihl * 4;
	} else {
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;

		if (nexthdr != IPPROTO_TCP)
			return ipv6_ext_hdr(nexthdr);
		thoff += sizeof(struct ipv6hdr);
	}
	if (thoff + (int)sizeof(struct tcphdr) > (int)skb_headlen(skb))
		return true;
	return ((const struct tcphdr *)(skb->data + thoff))->syn;
}

/* Only worth calling when kipsec_mss_maybe_syn() said so. */
void kipsec_mss_clamp(struct sk_buff *skb, u8 family, unsigned int max_len);

#endif /* _KIPSEC_MSS_H */
