// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal support (RFC 3948) for the key manager.
 *
 * A NAT in front of the peer may give it a new mapping at any time (its
 * state expired, it rebooted, someone flushed it): ESP then arrives from a
 * new UDP source port. Like XFRM (XFRM_MSG_MAPPING), kipsec takes such
 * packets when their ICV verifies and raises KIPSEC_CMD_SA_MAPPING, at most
 * once a second per SA; the key manager, which also sees the peer's IKE
 * traffic, decides and moves the SAs with KIPSEC_CMD_SA_SET. The SA is moved
 * in place: adding it again would restart its sequence numbers, which the
 * peer's replay window would refuse.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/udp.h>

#include "nat.h"
#include "netlink.h"
#include "netns.h"
#include "packet.h"
#include "sadb.h"

const struct nla_policy kipsec_sa_set_policy[KIPSEC_A_SA_ENCAP_DPORT + 1] = {
	[KIPSEC_A_SA_SPI] = { .type = NLA_U32 },
	[KIPSEC_A_SA_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
	[KIPSEC_A_SA_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KIPSEC_A_SA_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

int kipsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct kipsec_sa_key key;
	struct kipsec_sa *sa;
	u16 sport, dport;
	int err;

	err = kipsec_nl_parse_id(info, &key);
	if (err)
		return err;
	if (KIPSEC_REQUIRE(info, KIPSEC_A_SA_ENCAP_SPORT) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_SA_ENCAP_DPORT))
		return -EINVAL;
	sport = nla_get_u16(attrs[KIPSEC_A_SA_ENCAP_SPORT]);
	dport = nla_get_u16(attrs[KIPSEC_A_SA_ENCAP_DPORT]);

	mutex_lock(&kn->lock);
	sa = kipsec_sa_find(kn, &key);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: no SA with this SPI, destination and protocol");
		err = -ENOENT;
	} else if (!sa->encap_dport) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_ENCAP_SPORT],
				    "KIPSEC_A_SA_ENCAP_SPORT: the SA has no UDP encapsulation to move");
		err = -EINVAL;
	} else {
		err = kipsec_sa_set_encap(kn, sa, sport, dport);
		if (!err)
			kipsec_sa_get(sa);
	}
	mutex_unlock(&kn->lock);
	if (err)
		return err;
	kipsec_nl_notify_sa(info, sa, KIPSEC_CMD_SA_SET);
	kipsec_sa_put(sa);
	return 0;
}

static void kipsec_nat_mapping_event(struct net *net, const struct kipsec_sa *sa,
				     const union kipsec_addr *src, u16 sport)
{
	int alen = sa->key.family == AF_INET ? sizeof(__be32) :
		   sizeof(struct in6_addr);
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&kipsec_family, net, KIPSEC_MCGRP_EVENTS_IDX))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &kipsec_family, 0, KIPSEC_CMD_SA_MAPPING);
	if (!hdr ||
	    nla_put_u32(skb, KIPSEC_A_SA_SPI, be32_to_cpu(sa->key.spi)) ||
	    nla_put(skb, KIPSEC_A_SA_DST, alen, &sa->key.daddr) ||
	    nla_put_u8(skb, KIPSEC_A_SA_PROTO, sa->key.proto) ||
	    nla_put(skb, KIPSEC_A_SA_SRC, alen, src) ||
	    nla_put_u16(skb, KIPSEC_A_SA_ENCAP_SPORT, sport)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	kipsec_nl_multicast(net, skb);
}

/*
 * The outer headers are still in front of the decrypted data: the
 * network header is the outer IP header, the UDP header @pkt->iphlen
 * bytes after it.
 */
void kipsec_nat_input(struct kipsec_pkt *pkt)
{
	struct kipsec_sa *sa = pkt->sa;
	struct sk_buff *skb = pkt->skb;
	const struct udphdr *uh;
	union kipsec_addr src;
	unsigned long now, last;
	u16 sport;

	uh = (const struct udphdr *)(skb_network_header(skb) + pkt->iphlen);
	sport = ntohs(uh->source);
	memset(&src, 0, sizeof(src));
	if (sa->key.family == AF_INET)
		src.ip4 = ip_hdr(skb)->saddr;
	else
		src.ip6 = ipv6_hdr(skb)->saddr;
	if (sport == READ_ONCE(sa->encap_sport) &&
	    !memcmp(&src, &sa->saddr, sizeof(src)))
		return;
	now = jiffies;
	last = READ_ONCE(sa->mapping_sent);
	if (last && time_before(now, last + HZ))
		return;
	WRITE_ONCE(sa->mapping_sent, now ?: 1);
	kipsec_nat_mapping_event(pkt->net, sa, &src, sport);
}
