// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound: policy lookup, SA choice, segmentation, path MTU, then the
 * transform, then out through the stack again as a new packet.
 *
 * The transform writes into the packet itself; only its crypto request is
 * allocated, once per packet, because asynchronous crypto needs it to live
 * past this call.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "acquire.h"
#include "lifetime.h"
#include "mss.h"
#include "netns.h"
#include "packet.h"

void kipsec_drop(struct net *net, struct kipsec_sa *sa, struct sk_buff *skb,
		 unsigned int stat)
{
	kipsec_stats_count(sa ? sa->stats : NULL, kipsec_net(net)->stats,
			   kipsec_stat(stat), 1);
	kfree_skb(skb);
}

void kipsec_count_packet(struct net *net, struct kipsec_sa *sa,
			 unsigned int bytes)
{
	struct kipsec_net *kn = kipsec_net(net);

	kipsec_stats_count(sa->stats, kn->stats,
			   kipsec_stat(KIPSEC_A_STATS_PACKETS), 1);
	kipsec_stats_count(sa->stats, kn->stats,
			   kipsec_stat(KIPSEC_A_STATS_BYTES), bytes);
}

/*
 * The newest usable SA the template asks for. In transport mode the peer
 * is the packet's own destination; in tunnel mode the template's.
 */
static struct kipsec_sa *kipsec_sa_select_rcu(struct net *net,
					      const struct kipsec_tmpl *t,
					      const struct kipsec_flow *flow)
{
	const union kipsec_addr *daddr = &flow->daddr;
	struct kipsec_sa *sa, *best = NULL;
	struct rhlist_head *list, *pos;
	struct kipsec_sa_addrs *a;
	u8 family = flow->family;

	if (t->mode == KIPSEC_MODE_TUNNEL) {
		daddr = &t->daddr;
		family = t->family;
	}
	list = kipsec_sa_lookup_dst_rcu(net, daddr, family, t->proto);
	rhl_for_each_entry_rcu(a, pos, list, out_node) {
		sa = a->sa;
		if (!kipsec_tmpl_matches_sa(t, sa) ||
		    !kipsec_sa_life_usable(&sa->life))
			continue;
		/* Transport mode: only an SA from the packet's own source. */
		if (t->mode != KIPSEC_MODE_TUNNEL &&
		    !kipsec_addr_equal(&kipsec_sa_addrs_rcu(sa)->saddr,
				       &flow->saddr, family))
			continue;
		if (!best || READ_ONCE(sa->serial) > READ_ONCE(best->serial))
			best = sa;
	}
	return best;
}

/* A referenced route to the SA's peer, cached per CPU in the SA; under RCU. */
static struct dst_entry *kipsec_route_outer(struct net *net,
					    struct kipsec_sa *sa, u8 proto)
{
	const struct kipsec_sa_addrs *addrs = kipsec_sa_addrs_rcu(sa);

	if (sa->key.family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = addrs->key.daddr.ip4,
			.saddr = addrs->saddr.ip4,
			.flowi4_proto = proto,
		};
		struct rtable *rt;
		__be32 saddr;

		rt = dst_cache_get_ip4(&sa->dst_cache, &saddr);
		if (rt)
			return &rt->dst;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return ERR_CAST(rt);
		dst_cache_set_ip4(&sa->dst_cache, &rt->dst, fl4.saddr);
		kipsec_sa_route_recheck(sa, addrs);
		return &rt->dst;
	}
#if IS_ENABLED(CONFIG_IPV6)
	{
		struct flowi6 fl6 = {
			.daddr = addrs->key.daddr.ip6,
			.saddr = addrs->saddr.ip6,
			.flowi6_proto = proto,
		};
		struct dst_entry *dst;
		struct in6_addr saddr;
		int err;

		dst = dst_cache_get_ip6(&sa->dst_cache, &saddr);
		if (dst)
			return dst;
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			err = dst->error;
			dst_release(dst);
			return ERR_PTR(err);
		}
		dst_cache_set_ip6(&sa->dst_cache, dst, &fl6.saddr);
		kipsec_sa_route_recheck(sa, addrs);
		return dst;
	}
#else
	return ERR_PTR(-EAFNOSUPPORT);
#endif
}

/*
 * Headers the transform keeps in front of its own: none in tunnel mode
 * (the whole packet is payload), the IP header (and on IPv6 the extension
 * headers that must stay first) in transport mode. Needs the headers
 * linear. *@nhoff is set to the offset of the next-header byte.
 */
int kipsec_output_iphlen(struct sk_buff *skb, u8 family, u8 mode, int *nhoff)
{
	u8 *prevhdr;
	int off;

	if (mode == KIPSEC_MODE_TUNNEL)
		return 0;
	if (family == AF_INET) {
		*nhoff = offsetof(struct iphdr, protocol);
		return ip_hdrlen(skb);
	}
	off = ip6_find_1stfragopt(skb, &prevhdr);
	if (off < 0)
		return off;
	*nhoff = prevhdr - skb_network_header(skb);
	return off;
}

/*
 * Room for the transform's header of @hdrlen bytes, in front of the payload
 * and behind the headers that stay (transport) or a new outer IP header
 * (tunnel), whose next header becomes @proto. Returns the transform's
 * header; *@nexthdr is what the payload is. The caller made the headroom.
 */
u8 *kipsec_output_push(struct kipsec_pkt *pkt, unsigned int hdrlen,
		       u8 proto, u8 *nexthdr)
{
	struct sk_buff *skb = pkt->skb;
	struct kipsec_sa *sa = pkt->sa;
	struct dst_entry *dst = skb_dst(skb);
	const struct kipsec_sa_addrs *addrs;
	u8 *hdr, *nh;

	if (sa->mode == KIPSEC_MODE_TUNNEL) {
		u8 dsfield = kipsec_dsfield(skb, pkt->family);

		*nexthdr = pkt->family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
		/* ECN as RFC 6040 asks, the DSCP copied (RFC 2983). */
		dsfield = INET_ECN_encapsulate(dsfield, dsfield);
		hdr = skb_push(skb, hdrlen);
		skb_set_transport_header(skb, 0);
		rcu_read_lock();
		addrs = kipsec_sa_addrs_rcu(sa);
		if (sa->key.family == AF_INET) {
			struct iphdr *iph = skb_push(skb, sizeof(*iph));

			skb_reset_network_header(skb);
			iph->version = 4;
			iph->ihl = 5;
			iph->tos = dsfield;
			/* The outer packet may be fragmented on its way. */
			iph->frag_off = 0;
			iph->ttl = ip4_dst_hoplimit(dst);
			iph->protocol = proto;
			iph->saddr = addrs->saddr.ip4;
			iph->daddr = addrs->key.daddr.ip4;
			iph->tot_len = htons(skb->len);
			ip_select_ident(pkt->net, skb, NULL);
		} else {
			struct ipv6hdr *ip6h = skb_push(skb, sizeof(*ip6h));

			skb_reset_network_header(skb);
			ip6_flow_hdr(ip6h, dsfield, 0);
			ip6h->hop_limit = ip6_dst_hoplimit(dst);
			ip6h->nexthdr = proto;
			ip6h->saddr = addrs->saddr.ip6;
			ip6h->daddr = addrs->key.daddr.ip6;
			ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		}
		rcu_read_unlock();
		return hdr;
	}

	/*
	 * Transport: the headers that stay (pkt->iphlen bytes, as the caller
	 * found them with kipsec_output_iphlen()) move forward over the new one.
	 */
	nh = skb_network_header(skb);
	*nexthdr = nh[pkt->nhoff];
	skb_push(skb, hdrlen);
	memmove(skb->data, nh, pkt->iphlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, pkt->iphlen);
	skb->data[pkt->nhoff] = proto;
	if (pkt->family == AF_INET)
		ip_hdr(skb)->tot_len = htons(skb->len);
	else
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	return skb->data + pkt->iphlen;
}

/* Out through LOCAL_OUT and POST_ROUTING again, marked as transformed. */
static void kipsec_xmit(struct net *net, struct sk_buff *skb, u8 family)
{
	nf_reset_ct(skb);
	/*
	 * kipsec_output_one() resolved the plaintext's own CHECKSUM_PARTIAL
	 * before the transform, so one now is the transform's: the outer UDP
	 * header of ESP in UDP over IPv6, left to the device. Anything else
	 * describes the plaintext, not this packet.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_NONE;
	skb->encapsulation = 0;
	/* Path MTU was handled before the transform; what is left fragments. */
	skb->ignore_df = 1;
	skb_clear_hash(skb);

	if (family == AF_INET) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->flags = IPSKB_XFRM_TRANSFORMED;
		skb->protocol = htons(ETH_P_IP);
		ip_local_out(net, skb->sk, skb);
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->flags = IP6SKB_XFRM_TRANSFORMED;
		skb->protocol = htons(ETH_P_IPV6);
		ip6_local_out(net, skb->sk, skb);
	}
}

/* Called by the transform when it is done, possibly from a crypto thread. */
void kipsec_output_finish(struct kipsec_pkt *pkt, int err)
{
	struct sk_buff *skb = pkt->skb;

	if (err) {
		kipsec_pkt_drop(pkt, kipsec_crypt_err_stat(err));
		return;
	}
	pkt->skb = NULL;
	local_bh_disable();
	kipsec_xmit(pkt->net, skb, pkt->sa->key.family);
	local_bh_enable();
	kipsec_pkt_free(pkt);
}

/*
 * A packet that will not fit the path once transformed. Forwarded packets
 * that may not be fragmented go back to their sender as ICMP "fragmentation
 * needed" / "packet too big"; the rest are sent, and their outer packet
 * fragmented. Returns false when the packet was dropped.
 */
static bool kipsec_output_pmtu(struct net *net, struct sk_buff *skb,
			       struct kipsec_sa *sa,
			       struct dst_entry *outer, u8 family, bool local,
			       unsigned int max_len)
{
	if (skb->len <= max_len || local || skb->ignore_df)
		return true;

	/* Below the least MTU a sender must accept: fragmented instead. */
	if (family == AF_INET) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) ||
		    max_len < IPV4_MIN_MTU)
			return true;
	} else if (max_len < IPV6_MIN_MTU) {
		return true;
	}

	/*
	 * Lower the inner route's MTU too, so that the next packets are
	 * refused by the forwarding code itself. Never the route the
	 * transformed packet takes, or each packet would shrink it again.
	 */
	if (sa->mode == KIPSEC_MODE_TUNNEL && skb_dst(skb) != outer)
		skb_dst_update_pmtu_no_confirm(skb, max_len);

	/*
	 * Counted where the forwarding code counts its own refusals: for
	 * IPv6, on the device the packet came in on (@outer may be an IPv4
	 * route: 6-in-4).
	 */
	if (family == AF_INET) {
		IP_INC_STATS(net, IPSTATS_MIB_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			  htonl(max_len));
	} else {
		IP6_INC_STATS(net, __in6_dev_get(skb->dev),
			      IPSTATS_MIB_INTOOBIGERRORS);
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max_len);
	}
	kfree_skb(skb);
	return false;
}

static void kipsec_output_one(struct net *net, struct kipsec_sa *sa,
			      struct sk_buff *skb, u8 family, bool local)
{
	u8 outer_proto = sa->udp_encap ? IPPROTO_UDP : sa->key.proto;
	struct dst_entry *dst;
	unsigned int max_len;
	int iphlen;
	u64 seq;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
		return;
	}

	if (sa->mode == KIPSEC_MODE_TUNNEL) {
		dst = kipsec_route_outer(net, sa, outer_proto);
		if (IS_ERR(dst)) {
			kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NO_ROUTE);
			return;
		}
		iphlen = 0;
	} else {
		/*
		 * A forwarded packet's route is not referenced, and may lose
		 * its last reference meanwhile: the crypto may finish after
		 * this RCU section ends.
		 */
		if (!skb_dst_force(skb)) {
			kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NO_ROUTE);
			return;
		}
		dst = dst_clone(skb_dst(skb));
		iphlen = family == AF_INET ? ip_hdrlen(skb) :
					     sizeof(struct ipv6hdr);
	}

	max_len = sa->key.proto == IPPROTO_ESP ?
		  kipsec_esp_max_len(sa, dst_mtu(dst), iphlen) :
		  kipsec_ah_max_len(sa, dst_mtu(dst), iphlen);
	if (!kipsec_output_pmtu(net, skb, sa, dst, family, local, max_len)) {
		dst_release(dst);
		return;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	/*
	 * What ip_forward_finish() would have done: a receive timestamp
	 * left on a forwarded packet reads as a departure time to fq.
	 */
	if (!local)
		skb_clear_tstamp(skb);
	if (kipsec_mss_maybe_syn(skb, family))
		kipsec_mss_clamp(skb, family, max_len);

	if (!kipsec_sa_life_account(sa, skb->len)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_EXPIRED);
		return;
	}
	if (!kipsec_sa_seq_next(sa, &seq)) {
		/* RFC 4303 3.3.3, RFC 4302 2.5: a new SA is needed; never wrap. */
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_SEQ_OVERFLOW);
		return;
	}
	kipsec_count_packet(net, sa, skb->len);

	if (sa->key.proto == IPPROTO_ESP)
		kipsec_esp_output(net, sa, skb, family, local, seq);
	else
		kipsec_ah_output(net, sa, skb, family, local, seq);
}

/*
 * The policy decides: bypass and no policy leave the packet alone, discard
 * drops it, protect sends it through the newest SA its template names. With
 * no such SA a key manager is asked for one (ACQUIRE), and the packet waits
 * for nothing: it is dropped ("require") or goes out in clear ("request").
 */
static unsigned int kipsec_output_rcu(struct net *net, struct sk_buff *skb,
				      u8 family, bool local)
{
	struct sk_buff *segs, *seg, *next;
	const struct kipsec_policy *pol;
	struct kipsec_flow flow;
	struct kipsec_sa *sa;

	if (!rcu_access_pointer(kipsec_net(net)->spd[KIPSEC_DIR_OUT - 1]))
		return NF_ACCEPT;
	if (!kipsec_flow_from_skb(skb, family, &flow))
		return NF_ACCEPT;
	pol = kipsec_spd_lookup_rcu(net, KIPSEC_DIR_OUT, &flow);
	if (!pol || pol->cfg.action == KIPSEC_ACTION_BYPASS)
		return NF_ACCEPT;
	if (pol->cfg.action == KIPSEC_ACTION_DISCARD) {
		kipsec_drop(net, NULL, skb, KIPSEC_A_STATS_DROP_POLICY);
		return NF_STOLEN;
	}

	sa = kipsec_sa_select_rcu(net, &pol->cfg.tmpl, &flow);
	if (!sa) {
		kipsec_acquire(net, pol, &flow);
		if (pol->cfg.tmpl.level == KIPSEC_LEVEL_REQUEST)
			return NF_ACCEPT;
		kipsec_drop(net, NULL, skb, KIPSEC_A_STATS_DROP_OUT_NO_SA);
		return NF_STOLEN;
	}

	if (!skb_is_gso(skb)) {
		kipsec_output_one(net, sa, skb, family, local);
		return NF_STOLEN;
	}

	/* Each segment becomes its own ESP packet with its own number. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
		return NF_STOLEN;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		kipsec_output_one(net, sa, seg, family, local);
	}
	return NF_STOLEN;
}

unsigned int kipsec_output(struct net *net, struct sk_buff *skb, u8 family,
			   bool local)
{
	unsigned int verdict;

	/* LOCAL_OUT may run with BH on; per-CPU state below wants it off. */
	local_bh_disable();
	rcu_read_lock();
	verdict = kipsec_output_rcu(net, skb, family, local);
	rcu_read_unlock();
	local_bh_enable();
	return verdict;
}
