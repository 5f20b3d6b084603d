// SPDX-License-Identifier: GPL-2.0
/*
 * TCP MSS clamping for the connections an SA carries.
 *
 * XFRM gives a protected flow a route whose MTU leaves room for ESP, so a
 * host's own TCP sizes its segments to fit once encrypted. kipsec leaves
 * packets on their own route, and in transport mode that route is also the
 * ESP packet's: lowering its MTU would make the ESP packets themselves be
 * fragmented to it. Instead, the MSS option of every SYN that goes through
 * an SA, either way, is lowered to what fits that SA: the end that receives
 * the SYN then sends segments that need no fragmenting. Forwarded
 * connections get the same, as iptables' TCPMSS --clamp-mss-to-pmtu gives
 * them on other gateways.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "mss.h"

/* Below what every TCP must accept (RFC 9293 3.7.1): leave it alone. */
#define KIPSEC_MSS_MIN 536

/* The TCP header's offset from the IP header, or -1 if not a whole TCP. */
static int kipsec_mss_tcp_off(struct sk_buff *skb, u8 family)
{
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP ||
		    iph->frag_off & htons(IP_MF | IP_OFFSET))
			return -1;
		return iph->ihl * 4;
	}
#if IS_ENABLED(CONFIG_IPV6)
	{
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		__be16 frag_off;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(struct ipv6hdr), &nexthdr,
				       &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return -1;
		return off - skb_network_offset(skb);
	}
#else
	return -1;
#endif
}

/*
 * @skb starts at its IP header, its checksum is not left to the device,
 * and @max_len is the largest IP packet the SA carries unfragmented.
 */
void kipsec_mss_clamp(struct sk_buff *skb, u8 family, unsigned int max_len)
{
	unsigned int thoff, thlen, i, clamp;
	struct tcphdr *th;
	u8 *opt;
	int off;

	off = kipsec_mss_tcp_off(skb, family);
	if (off < 0)
		return;
	thoff = skb_network_offset(skb) + off;
	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn)
		return;
	if (max_len < off + sizeof(*th) + KIPSEC_MSS_MIN)
		return;
	clamp = max_len - off - sizeof(*th);

	thlen = th->doff * 4;
	if (thlen <= sizeof(*th) || skb_ensure_writable(skb, thoff + thlen))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)th;

	/* Every length read is checked against the header's own. */
	for (i = sizeof(*th); i < thlen;) {
		unsigned int kind = opt[i], len;
		u16 mss;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= thlen)
			return;
		len = opt[i + 1];
		if (len < 2 || i + len > thlen)
			return;
		if (kind == TCPOPT_MSS && len == TCPOLEN_MSS) {
			mss = get_unaligned_be16(&opt[i + 2]);
			if (mss <= clamp)
				return;
			put_unaligned_be16(clamp, &opt[i + 2]);
			inet_proto_csum_replace2(&th->check, skb, htons(mss),
						 htons(clamp), false);
			return;
		}
		i += len;
	}
}
