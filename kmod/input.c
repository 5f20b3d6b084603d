// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound: find the SA an ESP, AH or ESP-in-UDP packet is for, hand it to
 * the transform, then check what came out against the SA's policy and send
 * it through the stack again as the packet the peer protected. Clear
 * packets are checked against the "in" and "fwd" policies here too.
 *
 * A decrypted packet re-enters at PRE_ROUTING (so that the firewall and
 * conntrack see it, as with the kernel's own IPsec) through our own
 * continuation rather than netif_rx(), which keeps the control block and so
 * the "transformed" mark that stops it from being checked as clear traffic.
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/dst.h>
#include <net/esp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "gro.h"
#include "lifetime.h"
#include "mss.h"
#include "netns.h"
#include "packet.h"
#include "replay.h"

/* NAT-T keepalive (RFC 3948 2.3): one byte, 0xff. */
#define KIPSEC_NATT_KEEPALIVE 0xff

/*
 * One rate-limited line naming the SPI and its sender, for an admin: whose
 * packets fail their ICV, or which peer still sends on an SA deleted here
 * (a rekey or a delete not heard of), or on one this side never had.
 */
static void kipsec_input_log_spi(const struct sk_buff *skb, u8 family,
				 const char *what, __be32 spi)
{
	if (family == AF_INET)
		net_info_ratelimited("%s SPI 0x%08x from %pI4\n", what,
				     ntohl(spi), &ip_hdr(skb)->saddr);
	else
		net_info_ratelimited("%s SPI 0x%08x from %pI6c\n", what,
				     ntohl(spi), &ipv6_hdr(skb)->saddr);
}

void kipsec_input_log_integrity(const struct kipsec_pkt *pkt)
{
	kipsec_input_log_spi(pkt->skb, pkt->sa->key.family,
			     "integrity check failed:", pkt->sa->key.spi);
}

/*
 * Before the transform: whether a packet with @seq_no may be genuine, and
 * its full sequence number (ESN). Changes nothing, so a forgery cannot move
 * the window.
 */
bool kipsec_input_replay_check(struct kipsec_sa *sa, __be32 seq_no, u64 *seq)
{
	bool fresh;

	spin_lock_bh(&sa->replay_lock);
	fresh = kipsec_replay_check(sa->replay, ntohl(seq_no), seq);
	spin_unlock_bh(&sa->replay_lock);
	return fresh;
}

/*
 * After the transform's ICV check, for ESP and AH alike: a failure is
 * dropped (an integrity failure also logged), else the sequence number is
 * recorded, which drops a replay that raced past the first check. True:
 * the packet goes on; false: it was dropped and @pkt freed.
 */
bool kipsec_input_verified(struct kipsec_pkt *pkt, int err)
{
	struct kipsec_sa *sa = pkt->sa;
	bool fresh;

	if (err) {
		if (err == -EBADMSG)
			kipsec_input_log_integrity(pkt);
		kipsec_pkt_drop(pkt, kipsec_crypt_err_stat(err));
		return false;
	}
	spin_lock_bh(&sa->replay_lock);
	fresh = kipsec_replay_advance(sa->replay, pkt->seq);
	spin_unlock_bh(&sa->replay_lock);
	if (!fresh)
		kipsec_pkt_drop(pkt, KIPSEC_A_STATS_DROP_REPLAY);
	return fresh;
}

/*
 * Finds the upper-layer header of an IPv6 packet: *@iphlen is its offset,
 * *@nhoff that of the byte naming it. Fragments never get here: the
 * namespace's IPv6 defragmentation ran at PRE_ROUTING.
 */
static int kipsec_ipv6_upper(struct sk_buff *skb, unsigned int *iphlen,
			     unsigned int *nhoff)
{
	unsigned int off = sizeof(struct ipv6hdr);
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;

	*nhoff = offsetof(struct ipv6hdr, nexthdr);
	while (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_DEST) {
		struct ipv6_opt_hdr _hp, *hp;

		hp = skb_header_pointer(skb, off, sizeof(_hp), &_hp);
		if (!hp)
			return -EINVAL;
		*nhoff = off;
		nexthdr = hp->nexthdr;
		off += ipv6_optlen(hp);
		/* A packet's state keeps both offsets in 16 bits. */
		if (off > U16_MAX)
			return -EINVAL;
	}
	*iphlen = off;
	return nexthdr;
}

/*
 * The hop-by-hop options header of an IPv6 packet of @len bytes into the
 * linear part, whole; false when it is not there or does not fit.
 */
static bool kipsec_ipv6_hop_pull(struct sk_buff *skb, unsigned int len)
{
	unsigned int hoplen;

	if (len < sizeof(struct ipv6hdr) + 8 ||
	    !pskb_may_pull(skb, sizeof(struct ipv6hdr) + 8))
		return false;
	hoplen = ipv6_optlen((struct ipv6_opt_hdr *)(ipv6_hdr(skb) + 1));
	return sizeof(struct ipv6hdr) + hoplen <= len &&
	       pskb_may_pull(skb, sizeof(struct ipv6hdr) + hoplen);
}

/* The destination address, as the SA database keys it; re-read after pulls. */
static const void *kipsec_input_daddr(struct sk_buff *skb, u8 family)
{
	return family == AF_INET ? (void *)&ip_hdr(skb)->daddr :
				   (void *)&ipv6_hdr(skb)->daddr;
}

static bool kipsec_net_in_use(const struct kipsec_net *kn)
{
	return READ_ONCE(kn->sa_count) ||
	       rcu_access_pointer(kn->spd[KIPSEC_DIR_IN - 1]);
}

/*
 * LOCAL_IN, for packets addressed to this host. NF_ACCEPT: not ours, a
 * clear packet. NF_STOLEN: taken, whatever becomes of it.
 */
unsigned int kipsec_input(struct net *net, struct sk_buff *skb, u8 family)
{
	struct kipsec_net *kn = kipsec_net(net);
	unsigned int iphlen, nhoff;
	struct kipsec_sa *sa;
	bool udp = false;
	const void *daddr;
	__be32 spi;
	int proto;

	if (family == AF_INET) {
		iphlen = ip_hdrlen(skb);
		nhoff = offsetof(struct iphdr, protocol);
		proto = ip_hdr(skb)->protocol;
	} else {
		proto = kipsec_ipv6_upper(skb, &iphlen, &nhoff);
	}

	switch (proto) {
	case IPPROTO_ESP:
	case IPPROTO_AH: {
		/* The SPI is the first word of ESP, the second of AH. */
		unsigned int spi_off = proto == IPPROTO_AH ? 4 : 0;

		if (!pskb_may_pull(skb, iphlen + spi_off + 4))
			goto malformed;
		spi = *(__be32 *)(skb->data + iphlen + spi_off);
		break;
	}
	case IPPROTO_UDP: {
		const struct udphdr *uh;
		unsigned int len;

		if (!READ_ONCE(kn->encap_sa_count) ||
		    !pskb_may_pull(skb, iphlen + sizeof(*uh)))
			return NF_ACCEPT;
		uh = (struct udphdr *)(skb->data + iphlen);
		if (!test_bit(ntohs(uh->dest), kn->encap_ports))
			return NF_ACCEPT;
		len = skb->len - iphlen - sizeof(*uh);
		if (len == 1 && pskb_may_pull(skb, iphlen + sizeof(*uh) + 1) &&
		    skb->data[iphlen + sizeof(*uh)] == KIPSEC_NATT_KEEPALIVE) {
			uh = (struct udphdr *)(skb->data + iphlen);
			if (!kipsec_sa_encap_endpoint_rcu(net,
							  kipsec_input_daddr(skb, family),
							  family, ntohs(uh->dest)))
				return NF_ACCEPT;
			consume_skb(skb);
			return NF_STOLEN;
		}
		/* Shorter than SPI + sequence, or IKE's non-ESP marker. */
		if (len < sizeof(struct ip_esp_hdr) ||
		    !pskb_may_pull(skb, iphlen + sizeof(*uh) + 4))
			return NF_ACCEPT;
		spi = *(__be32 *)(skb->data + iphlen + sizeof(*uh));
		if (!spi)
			return NF_ACCEPT;
		udp = true;
		proto = IPPROTO_ESP;
		break;
	}
	default:
		return NF_ACCEPT;
	}

	/* Read only now: pskb_may_pull() may have moved the header. */
	daddr = kipsec_input_daddr(skb, family);
	sa = kipsec_sa_lookup_rcu(net, spi, daddr, family, proto);
	if (udp) {
		const struct udphdr *uh = (void *)(skb->data + iphlen);
		u16 dport = ntohs(uh->dest);

		if (sa && READ_ONCE(sa->encap_dport) != dport)
			sa = NULL;
		/* Not an SA's port here: some local socket's datagram. */
		if (!sa && !kipsec_sa_encap_endpoint_rcu(net, daddr, family,
							 dport))
			return NF_ACCEPT;
	} else if (sa && sa->udp_encap) {
		/* An ESP-in-UDP SA takes its packets in UDP only. */
		sa = NULL;
	}
	if (!sa) {
		/*
		 * In a namespace that does not use kipsec, ESP is none of
		 * our business: the kernel's own IPsec may be in charge.
		 */
		if (!kipsec_net_in_use(kn))
			return NF_ACCEPT;
		kipsec_input_log_spi(skb, family, proto == IPPROTO_AH ?
				     "no SA for AH" : "no SA for ESP", spi);
		kipsec_drop(net, NULL, skb, KIPSEC_A_STATS_DROP_NO_SA);
		return NF_STOLEN;
	}
	if (!kipsec_sa_life_usable(&sa->life)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_EXPIRED);
		return NF_STOLEN;
	}

	if (proto == IPPROTO_ESP)
		kipsec_esp_input(net, sa, skb, iphlen, nhoff, udp);
	else
		kipsec_ah_input(net, sa, skb, iphlen, nhoff);
	return NF_STOLEN;

malformed:
	kipsec_drop(net, NULL, skb, KIPSEC_A_STATS_DROP_MALFORMED);
	return NF_STOLEN;
}

/* For this host (the "in" policies) or to be forwarded ("fwd")? */
static u8 kipsec_input_dir(struct net *net, struct sk_buff *skb, u8 family)
{
	if (family == AF_INET) {
		__be32 daddr = ip_hdr(skb)->daddr;

		if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
		    inet_addr_type_dev_table(net, skb->dev, daddr) ==
		    RTN_LOCAL)
			return KIPSEC_DIR_IN;
		return KIPSEC_DIR_FWD;
	}
	if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) ||
	    ipv6_chk_addr(net, &ipv6_hdr(skb)->daddr, NULL, 0))
		return KIPSEC_DIR_IN;
	return KIPSEC_DIR_FWD;
}

/*
 * What an SA decrypted must be what its policy lets through that SA: a
 * protect policy whose template names the SA. Tunnel mode without such a
 * policy is refused, as the kernel's own IPsec refuses it: otherwise a
 * peer could send anything in, with any inner source.
 */
static bool kipsec_input_policy_ok(struct net *net, struct kipsec_sa *sa,
				   struct sk_buff *skb, u8 family)
{
	const struct kipsec_policy *pol;
	struct kipsec_flow flow;

	if (!kipsec_flow_from_skb(skb, family, &flow))
		return false;
	pol = kipsec_spd_lookup_rcu(net, kipsec_input_dir(net, skb, family),
				    &flow);
	if (!pol)
		return sa->mode != KIPSEC_MODE_TUNNEL;
	switch (pol->cfg.action) {
	case KIPSEC_ACTION_PROTECT:
		return kipsec_tmpl_matches_sa(&pol->cfg.tmpl, sa);
	case KIPSEC_ACTION_BYPASS:
		return sa->mode != KIPSEC_MODE_TUNNEL;
	default:
		return false;
	}
}

/* A clear packet matched against the "in" or "fwd" policies. */
unsigned int kipsec_input_clear(struct net *net, struct sk_buff *skb,
				u8 family, u8 dir)
{
	const struct kipsec_policy *pol;
	struct kipsec_flow flow;

	if (!rcu_access_pointer(kipsec_net(net)->spd[dir - 1]))
		return NF_ACCEPT;
	if (!kipsec_flow_from_skb(skb, family, &flow))
		return NF_ACCEPT;
	pol = kipsec_spd_lookup_rcu(net, dir, &flow);
	if (!pol || pol->cfg.action == KIPSEC_ACTION_BYPASS)
		return NF_ACCEPT;
	if (pol->cfg.action == KIPSEC_ACTION_PROTECT &&
	    pol->cfg.tmpl.level == KIPSEC_LEVEL_REQUEST)
		return NF_ACCEPT;
	kipsec_drop(net, NULL, skb, KIPSEC_A_STATS_DROP_POLICY);
	return NF_STOLEN;
}

static int kipsec_rcv_finish4(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

static int kipsec_rcv_finish6(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	ipv6_stub->ipv6_route_input(skb);
	return dst_input(skb);
}

static void kipsec_reinject(struct net *net, struct sk_buff *skb, u8 family,
			    bool csum_trusted)
{
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_clear_hash(skb);
	skb->pkt_type = PACKET_HOST;
	if (csum_trusted) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = ~0;
	} else {
		skb->ip_summed = CHECKSUM_NONE;
	}

	if (family == AF_INET) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->iif = skb->skb_iif;
		IPCB(skb)->flags = IPSKB_XFRM_TRANSFORMED;
		skb->protocol = htons(ETH_P_IP);
		skb_set_transport_header(skb, ip_hdrlen(skb));
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish4);
	} else {
		unsigned int thoff = sizeof(struct ipv6hdr);

		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->iif = skb->dev->ifindex;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
		/*
		 * Entering after ip6_rcv_core(), the packet must look as that
		 * leaves it: past its hop-by-hop options, marked as having
		 * them (IPV6_RECVHOPOPTS). In transport mode ip6_rcv_core()
		 * parsed these very options before the ESP was ours; a
		 * tunnel's inner packet comes here only where there are no
		 * GRO cells (gro.c), and its options then go unparsed. They
		 * are in the linear part: the transport close-up moved them,
		 * or kipsec_input_inner() pulled them.
		 */
		if (ipv6_hdr(skb)->nexthdr == NEXTHDR_HOP) {
			IP6CB(skb)->flags |= IP6SKB_HOPBYHOP;
			IP6CB(skb)->nhoff = sizeof(struct ipv6hdr);
			thoff += ipv6_optlen((struct ipv6_opt_hdr *)
					     (ipv6_hdr(skb) + 1));
		}
		IP6CB(skb)->flags |= IP6SKB_XFRM_TRANSFORMED;
		skb->protocol = htons(ETH_P_IPV6);
		skb_set_transport_header(skb, thoff);
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish6);
	}
}

/*
 * Sends a decrypted packet on through the stack: a tunnel's inner packet
 * through GRO where there is GRO, anything else straight to PRE_ROUTING.
 * False: it was dropped for want of queue space, and is freed.
 */
static bool kipsec_input_deliver(struct net *net, const struct kipsec_sa *sa,
				 struct sk_buff *skb, u8 family, bool udp)
{
	int ret = -EOPNOTSUPP;
	bool csum_trusted;

	/*
	 * A tunnel's inner packet is covered by the ICV, every byte: as
	 * WireGuard does, its checksums need no check. ESP in transport mode
	 * leaves out the outer addresses, which the payload's checksum
	 * covers: there the stack checks it, as the kernel's own ESP has it
	 * checked, so that an address rewritten on the way is caught; unless
	 * a NAT rewrote them (ESP in UDP), when the checksum cannot match
	 * (RFC 3948 3.1.2). AH covers the addresses itself.
	 */
	csum_trusted = sa->mode == KIPSEC_MODE_TUNNEL || udp ||
		       sa->key.proto == IPPROTO_AH;
	local_bh_disable();
	rcu_read_lock();
	if (sa->mode == KIPSEC_MODE_TUNNEL)
		ret = kipsec_gro_receive(net, skb);
	if (ret == -EOPNOTSUPP)
		kipsec_reinject(net, skb, family, csum_trusted);
	rcu_read_unlock();
	local_bh_enable();
	return ret != NET_RX_DROP;
}

/*
 * The inner packet of a tunnel: checked, trimmed to its own length, and
 * from here on the packet (skb->protocol, for ECN and GRO).
 */
static int kipsec_input_inner(struct sk_buff *skb, u8 nexthdr, u8 *family)
{
	skb_reset_network_header(skb);
	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph;
		unsigned int len;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5 ||
		    !pskb_may_pull(skb, iph->ihl * 4))
			return -EINVAL;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (len < iph->ihl * 4 || len > skb->len ||
		    ip_fast_csum((const u8 *)iph, iph->ihl))
			return -EINVAL;
		*family = AF_INET;
		skb->protocol = htons(ETH_P_IP);
		return pskb_trim(skb, len);
	}
	if (nexthdr == IPPROTO_IPV6) {
		const struct ipv6hdr *ip6h;
		unsigned int len;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (ip6h->version != 6 || len > skb->len)
			return -EINVAL;
		/* Where there is one, kipsec_reinject() steps over it. */
		if (ip6h->nexthdr == NEXTHDR_HOP &&
		    !kipsec_ipv6_hop_pull(skb, len))
			return -EINVAL;
		*family = AF_INET6;
		skb->protocol = htons(ETH_P_IPV6);
		return pskb_trim(skb, len);
	}
	return -EINVAL;
}

/*
 * RFC 6040 for a tunnel's inner packet, @outer being the outer header's
 * DS field: congestion marked on the way is carried over to the inner
 * header; a mark on a packet whose sender does not do ECN cannot be, and
 * the packet is dropped instead (-EINVAL).
 */
static int kipsec_input_ecn(struct sk_buff *skb, u8 family, u8 outer)
{
	u8 inner = kipsec_dsfield(skb, family);

	return INET_ECN_decapsulate(skb, outer, inner) > 1 ? -EINVAL : 0;
}

/*
 * Transport mode: the outer headers close up over the transform's, and
 * name the payload's protocol.
 */
static void kipsec_input_transport(struct kipsec_pkt *pkt, u8 family)
{
	struct sk_buff *skb = pkt->skb;
	u8 *nh = skb_network_header(skb);

	memmove(skb->data - pkt->iphlen, nh, pkt->iphlen);
	__skb_push(skb, pkt->iphlen);
	skb_reset_network_header(skb);
	skb->data[pkt->nhoff] = pkt->nexthdr;
	if (family == AF_INET) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

/*
 * The largest packet that fits an SA like this one on the way back, over
 * the device this one came in on. A SYN from the peer's side gets its MSS
 * lowered to it, so that the replies need no fragmenting even when the
 * peer's own IPsec did not clamp it.
 */
static unsigned int kipsec_input_max_len(const struct kipsec_sa *sa,
					 const struct sk_buff *skb, u8 family)
{
	unsigned int mtu = READ_ONCE(skb->dev->mtu), iphlen = 0;

	if (sa->mode != KIPSEC_MODE_TUNNEL)
		iphlen = family == AF_INET ? ip_hdrlen(skb) :
					     sizeof(struct ipv6hdr);
	return sa->key.proto == IPPROTO_ESP ?
	       kipsec_esp_max_len(sa, mtu, iphlen) :
	       kipsec_ah_max_len(sa, mtu, iphlen);
}

/*
 * Called by the transform once the ICV verified and the replay window
 * moved, with pkt->nexthdr set and @skb starting at the payload.
 */
void kipsec_input_finish(struct kipsec_pkt *pkt)
{
	struct kipsec_sa *sa = pkt->sa;
	struct sk_buff *skb = pkt->skb;
	struct net *net = pkt->net;
	u8 family = sa->key.family;
	unsigned int stat, len;

	/* RFC 4303 2.6: TFC dummy packets are dropped, silently. */
	if (pkt->nexthdr == IPPROTO_NONE) {
		consume_skb(skb);
		goto out;
	}

	if (sa->mode == KIPSEC_MODE_TUNNEL) {
		/* Still the outer header's, until kipsec_input_inner(). */
		u8 outer_ds = kipsec_dsfield(skb, family);

		if (kipsec_input_inner(skb, pkt->nexthdr, &family) ||
		    kipsec_input_ecn(skb, family, outer_ds)) {
			stat = KIPSEC_A_STATS_DROP_MALFORMED;
			goto drop;
		}
	} else {
		kipsec_input_transport(pkt, family);
	}

	rcu_read_lock();
	if (!kipsec_input_policy_ok(net, sa, skb, family)) {
		rcu_read_unlock();
		stat = KIPSEC_A_STATS_DROP_POLICY;
		goto drop;
	}
	rcu_read_unlock();

	if (!kipsec_sa_life_account(sa, skb->len)) {
		stat = KIPSEC_A_STATS_DROP_EXPIRED;
		goto drop;
	}
	len = skb->len;
	if (kipsec_mss_maybe_syn(skb, family))
		kipsec_mss_clamp(skb, family,
				 kipsec_input_max_len(sa, skb, family));

	pkt->skb = NULL;
	if (!kipsec_input_deliver(net, sa, skb, family, pkt->udp)) {
		stat = KIPSEC_A_STATS_DROP_NOMEM;
		goto drop;
	}
	kipsec_count_packet(net, sa, len);
out:
	kipsec_pkt_free(pkt);
	return;
drop:
	kipsec_pkt_drop(pkt, stat);
}
