// SPDX-License-Identifier: GPL-2.0
/*
 * What the policy database sees of a packet: addresses, protocol and ports,
 * read with bounds checks from whatever the packet really carries. And the
 * one rule for whether an SA is the one a policy's template asks for, used
 * both to pick an outbound SA and to check what an inbound one decrypted.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kipsec.h>

#include "packet.h"

static bool kipsec_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

/*
 * Only the first fragment carries ports; the others match as port 0, as
 * with the kernel's own IPsec. Returns false for a packet too short to hold
 * what its headers announce.
 */
bool kipsec_flow_from_skb(const struct sk_buff *skb, u8 family,
			  struct kipsec_flow *flow)
{
	unsigned int off = skb_network_offset(skb);
	bool first_frag = true;
	__be16 ports[2], *p;

	memset(flow, 0, sizeof(*flow));
	flow->family = family;

	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return false;
		flow->saddr.ip4 = iph->saddr;
		flow->daddr.ip4 = iph->daddr;
		flow->proto = iph->protocol;
		first_frag = !(iph->frag_off & htons(IP_OFFSET));
		off += iph->ihl * 4;
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int hoff;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return false;
		flow->saddr.ip6 = ip6h->saddr;
		flow->daddr.ip6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		hoff = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr,
					&frag_off);
		if (hoff < 0)
			return false;
		flow->proto = nexthdr;
		first_frag = !(frag_off & htons(IP6_OFFSET));
		off = hoff;
	}

	if (!first_frag || !kipsec_proto_has_ports(flow->proto))
		return true;
	p = skb_header_pointer(skb, off, sizeof(ports), ports);
	if (!p)
		return false;
	flow->sport = ntohs(p[0]);
	flow->dport = ntohs(p[1]);
	return true;
}

/*
 * The SA a template asks for: same protocol and mode, the template's reqid
 * if it names one, and in tunnel mode the template's endpoints. The
 * destination is the caller's business: it found the SA by it. Under RCU.
 */
bool kipsec_tmpl_matches_sa(const struct kipsec_tmpl *t,
			    const struct kipsec_sa *sa)
{
	const struct kipsec_sa_addrs *addrs;

	if (t->proto != sa->key.proto || t->mode != sa->mode)
		return false;
	if (t->reqid && t->reqid != sa->reqid)
		return false;
	if (t->mode != KIPSEC_MODE_TUNNEL)
		return true;
	addrs = kipsec_sa_addrs_rcu(sa);
	return t->family == sa->key.family &&
	       kipsec_addr_equal(&t->saddr, &addrs->saddr, t->family) &&
	       kipsec_addr_equal(&t->daddr, &addrs->key.daddr, t->family);
}
