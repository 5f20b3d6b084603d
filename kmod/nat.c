// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal support (RFC 3948) for the key manager.
 *
 * A NAT in front of the peer may give it a new mapping at any time (its
 * state expired, it rebooted, someone flushed it, it got a new public
 * address): ESP then arrives from a new UDP source port, or a new source
 * address. Like XFRM (XFRM_MSG_MAPPING), kipsec takes such
 * packets when their ICV verifies and raises KIPSEC_CMD_SA_MAPPING, at most
 * once a second per SA; the key manager, which also sees the peer's IKE
 * traffic, decides and moves the SAs with KIPSEC_CMD_SA_SET. The SA is moved
 * in place: adding it again would restart its sequence numbers, which the
 * peer's replay window would refuse. A new address changes the SA's
 * identity (for an outbound SA) and the tunnel policies that name the old
 * address pair, both under kipsec_net.lock, so that the key manager needs
 * one request per SA and no window where policies and SAs disagree.
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
#include "spd.h"

const struct nla_policy kipsec_sa_set_policy[KIPSEC_A_SA_NEW_DST + 1] = {
	[KIPSEC_A_SA_SPI] = { .type = NLA_U32 },
	[KIPSEC_A_SA_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
	[KIPSEC_A_SA_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KIPSEC_A_SA_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KIPSEC_A_SA_NEW_SRC] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_NEW_DST] = KIPSEC_POLICY_ADDR,
};

/* What a KIPSEC_CMD_SA_SET request asks for, checked against itself. */
struct kipsec_sa_set_req {
	struct kipsec_sa_key key;
	bool ports;
	u16 sport, dport;
	union kipsec_addr saddr, daddr;	/* valid with their attribute */
	struct nlattr *addr_attr;	/* NEW_DST, else NEW_SRC, else NULL */
};

static int kipsec_sa_set_parse(struct genl_info *info,
			       struct kipsec_sa_set_req *req)
{
	struct nlattr *nsrc = info->attrs[KIPSEC_A_SA_NEW_SRC];
	struct nlattr *ndst = info->attrs[KIPSEC_A_SA_NEW_DST];
	struct nlattr *sport = info->attrs[KIPSEC_A_SA_ENCAP_SPORT];
	struct nlattr *dport = info->attrs[KIPSEC_A_SA_ENCAP_DPORT];
	struct netlink_ext_ack *extack = info->extack;
	int err;

	memset(req, 0, sizeof(*req));
	err = kipsec_nl_parse_id(info, &req->key);
	if (err)
		return err;
	if (!sport && !dport && !nsrc && !ndst) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_ENCAP_SPORT);
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SA_ENCAP_SPORT: required attribute missing (nothing to change: give both ports, KIPSEC_A_SA_NEW_SRC or KIPSEC_A_SA_NEW_DST)");
		return -EINVAL;
	}
	if ((sport || dport) &&
	    (KIPSEC_REQUIRE(info, KIPSEC_A_SA_ENCAP_SPORT) ||
	     KIPSEC_REQUIRE(info, KIPSEC_A_SA_ENCAP_DPORT)))
		return -EINVAL;
	if (sport) {
		req->ports = true;
		req->sport = nla_get_u16(sport);
		req->dport = nla_get_u16(dport);
	}
	if (nsrc && kipsec_nl_get_addr(nsrc, &req->saddr) != req->key.family) {
		NL_SET_ERR_MSG_ATTR(extack, nsrc,
				    "KIPSEC_A_SA_NEW_SRC: address family differs from the SA's (KIPSEC_A_SA_DST)");
		return -EINVAL;
	}
	if (ndst && kipsec_nl_get_addr(ndst, &req->daddr) != req->key.family) {
		NL_SET_ERR_MSG_ATTR(extack, ndst,
				    "KIPSEC_A_SA_NEW_DST: address family differs from the SA's (KIPSEC_A_SA_DST)");
		return -EINVAL;
	}
	req->addr_attr = ndst ?: nsrc;
	return 0;
}

/*
 * The new address pair, and the tunnel-mode policies that follow it in
 * the same critical section. On error nothing changed.
 */
static int kipsec_sa_set_addrs(struct kipsec_net *kn, struct kipsec_sa *sa,
			       struct genl_info *info,
			       const struct kipsec_sa_set_req *req)
{
	const struct kipsec_sa_addrs *addrs = kipsec_sa_addrs(kn, sa);
	struct kipsec_spd_move mv = {
		.old_saddr = addrs->saddr,
		.old_daddr = addrs->key.daddr,
		.new_saddr = addrs->saddr,
		.new_daddr = addrs->key.daddr,
		.family = sa->key.family,
		.proto = sa->key.proto,
		.reqid = sa->reqid,
	};
	int err;

	if (info->attrs[KIPSEC_A_SA_NEW_SRC])
		mv.new_saddr = req->saddr;
	if (info->attrs[KIPSEC_A_SA_NEW_DST])
		mv.new_daddr = req->daddr;
	if (!memcmp(&mv.new_saddr, &mv.old_saddr, sizeof(mv.new_saddr)) &&
	    !memcmp(&mv.new_daddr, &mv.old_daddr, sizeof(mv.new_daddr)))
		return 0;

	if (sa->mode == KIPSEC_MODE_TUNNEL) {
		err = kipsec_spd_move_prepare(kn, &mv);
		if (err)
			return err;
	} else {
		memset(mv.tbl, 0, sizeof(mv.tbl));
	}
	err = kipsec_sa_move(kn, sa, &mv.new_saddr, &mv.new_daddr);
	if (err) {
		kipsec_spd_move_abort(kn, &mv);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[KIPSEC_A_SA_NEW_DST],
					    "KIPSEC_A_SA_NEW_DST: an SA or SPI reservation with this SPI, new destination and protocol exists");
		return err;
	}
	kipsec_spd_move_commit(kn, &mv);
	return 0;
}

int kipsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct kipsec_sa_set_req req;
	struct kipsec_sa *sa;
	int err;

	err = kipsec_sa_set_parse(info, &req);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	sa = kipsec_sa_find(kn, &req.key);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: no SA with this SPI, destination and protocol");
		err = -ENOENT;
		goto out_unlock;
	}
	if (!sa->udp_encap) {
		if (req.ports)
			NL_SET_ERR_MSG_ATTR(extack,
					    info->attrs[KIPSEC_A_SA_ENCAP_SPORT],
					    "KIPSEC_A_SA_ENCAP_SPORT: the SA has no UDP encapsulation to move");
		else if (info->attrs[KIPSEC_A_SA_NEW_DST])
			NL_SET_ERR_MSG_ATTR(extack, req.addr_attr,
					    "KIPSEC_A_SA_NEW_DST: only an ESP-in-UDP SA follows its peer to a new address (NAT traversal)");
		else
			NL_SET_ERR_MSG_ATTR(extack, req.addr_attr,
					    "KIPSEC_A_SA_NEW_SRC: only an ESP-in-UDP SA follows its peer to a new address (NAT traversal)");
		err = -EINVAL;
		goto out_unlock;
	}
	if (req.ports) {
		err = kipsec_sa_encap_prepare(kn, sa, req.dport);
		if (err)
			goto out_unlock;
	}
	/* Refused (-EEXIST) or failed: the ports stay as they were too. */
	err = kipsec_sa_set_addrs(kn, sa, info, &req);
	if (req.ports && err)
		kipsec_sa_encap_abort(kn, sa, req.dport);
	else if (req.ports)
		kipsec_sa_encap_commit(kn, sa, req.sport, req.dport);
	if (!err)
		kipsec_nl_notify_sa(info, sa, KIPSEC_CMD_SA_SET);
out_unlock:
	mutex_unlock(&kn->lock);
	return err;
}

static void kipsec_nat_mapping_event(struct net *net, const struct kipsec_sa *sa,
				     const union kipsec_addr *daddr,
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
	    nla_put(skb, KIPSEC_A_SA_DST, alen, daddr) ||
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
	const struct kipsec_sa_addrs *addrs;
	struct kipsec_sa *sa = pkt->sa;
	struct sk_buff *skb = pkt->skb;
	union kipsec_addr src, daddr;
	const struct udphdr *uh;
	unsigned long now, last;
	u16 sport;
	bool moved;

	uh = (const struct udphdr *)(skb_network_header(skb) + pkt->iphlen);
	sport = ntohs(uh->source);
	memset(&src, 0, sizeof(src));
	if (sa->key.family == AF_INET)
		src.ip4 = ip_hdr(skb)->saddr;
	else
		src.ip6 = ipv6_hdr(skb)->saddr;
	/* May run in a crypto completion: the SA is held, not its addresses. */
	rcu_read_lock();
	addrs = kipsec_sa_addrs_rcu(sa);
	moved = memcmp(&src, &addrs->saddr, sizeof(src));
	daddr = addrs->key.daddr;
	rcu_read_unlock();
	if (sport == READ_ONCE(sa->encap_sport) && !moved)
		return;
	now = jiffies;
	last = READ_ONCE(sa->mapping_sent);
	if (last && time_before(now, last + HZ))
		return;
	/* Two CPUs may get here for one SA at once: one of them sends. */
	if (!try_cmpxchg(&sa->mapping_sent, &last, now ?: 1))
		return;
	kipsec_nat_mapping_event(pkt->net, sa, &daddr, &src, sport);
}
