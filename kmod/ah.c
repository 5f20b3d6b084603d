// SPDX-License-Identifier: GPL-2.0
/*
 * AH (RFC 4302) through one keyed hash per SA, laid out exactly as the
 * kernel's own ah4/ah6 lay it out, so that both read each other's packets:
 *
 *   [IP header(s)][next hdr][len][reserved][SPI][seq][ICV][padding][payload]
 *
 * The ICV covers the whole packet with the fields that may change on the
 * way zeroed (RFC 4302 3.3.3.1): IPv4 TOS, flags and fragment offset, TTL,
 * checksum and the mutable options; IPv6 traffic class, flow label, hop
 * limit and the options marked as changing en route, with any routing
 * header (and, for Mobile IPv6, the home address) as the final destination
 * will see it. With ESN the high 32 bits of the sequence number are hashed
 * after the packet but not sent.
 *
 * As RFC 4302 3.3.3.2.1 asks, the header is padded to a multiple of 4 bytes
 * on IPv4 and of 8 on IPv6 (strongSwan installs its IPv4 AH SAs with XFRM's
 * "align4" for the same reason): 28 bytes with a 16-byte ICV on IPv4, 32 on
 * IPv6. On input IPv4 also takes the 8-byte aligned length that the
 * kernel's own ah4 sends by default.
 *
 * The hash runs over the packet in place. The headers are saved in the
 * packet's request and put back once the hash is done; the data after them
 * is only read, so shared fragments are not copied.
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kipsec.h>

#include "packet.h"
#include "replay.h"

/* IPv4 options that do not change in transit (RFC 4302 Appendix A1). */
#define KIPSEC_IPOPT_EXT_SEC	0x85	/* extended security, RFC 1108 */
#define KIPSEC_IPOPT_SDB	0x95	/* selective directed broadcast, RFC 1770 */

/* An IPv6 option whose data may change en route (RFC 8200 4.2). */
#define KIPSEC_IPV6_OPT_MUTABLE	0x20

static unsigned int kipsec_ah_hdrlen(const struct kipsec_sa *sa)
{
	return ALIGN(sizeof(struct ip_auth_hdr) + sa->crypto.icv_len,
		     sa->key.family == AF_INET ? 4 : 8);
}

static bool kipsec_ah_hdrlen_ok(const struct kipsec_sa *sa, unsigned int len)
{
	unsigned int raw = sizeof(struct ip_auth_hdr) + sa->crypto.icv_len;

	return len == ALIGN(raw, 8) ||
	       (sa->key.family == AF_INET && len == ALIGN(raw, 4));
}

static unsigned int kipsec_ah_outer_len(const struct kipsec_sa *sa)
{
	if (sa->mode != KIPSEC_MODE_TUNNEL)
		return 0;
	return sa->key.family == AF_INET ? sizeof(struct iphdr) :
					   sizeof(struct ipv6hdr);
}

unsigned int kipsec_ah_max_len(const struct kipsec_sa *sa, unsigned int mtu,
			       unsigned int iphlen)
{
	unsigned int fixed = kipsec_ah_hdrlen(sa) + kipsec_ah_outer_len(sa);

	if (mtu < fixed + iphlen)
		return 0;
	return mtu - fixed;
}

/*
 * The packet's scratch space, behind its request: the ICV the hash
 * computes, the one the packet carried (input), the ESN high bits, and the
 * headers as they were before their mutable fields were zeroed.
 */
struct kipsec_ah_scratch {
	u8 *icv;
	u8 *rcvd;
	__be32 *seqhi;
	u8 *hdrs;
};

static unsigned int kipsec_ah_scratch_len(const struct kipsec_sa *sa,
					  unsigned int hlen)
{
	return ALIGN(crypto_ahash_digestsize(sa->crypto.ahash), 4) +
	       ALIGN(sa->crypto.icv_len, 4) + sizeof(__be32) + hlen;
}

static void kipsec_ah_scratch(const struct kipsec_pkt *pkt,
			      struct kipsec_ah_scratch *s)
{
	const struct kipsec_sa *sa = pkt->sa;

	s->icv = pkt->iv;
	s->rcvd = s->icv + ALIGN(crypto_ahash_digestsize(sa->crypto.ahash), 4);
	s->seqhi = (__be32 *)(s->rcvd + ALIGN(sa->crypto.icv_len, 4));
	s->hdrs = (u8 *)(s->seqhi + 1);
}

/*
 * Scatterlist entries skb_to_sgvec() may need for @skb: its head, its page
 * fragments, and the same for each skb on its frag list.
 */
static int kipsec_ah_nsg(struct sk_buff *skb, unsigned int depth)
{
	struct sk_buff *frag;
	int n = 1 + skb_shinfo(skb)->nr_frags;

	/* skb_to_sgvec() refuses deeper nesting too. */
	if (depth > 24)
		return -EMSGSIZE;
	skb_walk_frags(skb, frag) {
		int m = kipsec_ah_nsg(frag, depth + 1);

		if (m < 0)
			return m;
		n += m;
	}
	return n;
}

/*
 * IPv4 options: the immutable ones stay, the others are zeroed whole. On
 * output a source route's final hop becomes the destination the ICV sees,
 * since that is what the receiver will find in the header (@daddr).
 */
static int kipsec_ah_clear_ip4_opts(struct iphdr *iph, unsigned int hlen,
				    __be32 *daddr)
{
	unsigned int left = hlen - sizeof(*iph), optlen;
	u8 *opt = (u8 *)(iph + 1);

	while (left) {
		if (opt[0] == IPOPT_END)
			return 0;
		if (opt[0] == IPOPT_NOOP) {
			opt++;
			left--;
			continue;
		}
		if (left < 2)
			return -EINVAL;
		optlen = opt[1];
		if (optlen < 2 || optlen > left)
			return -EINVAL;
		switch (opt[0]) {
		case IPOPT_SEC:
		case KIPSEC_IPOPT_EXT_SEC:
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case KIPSEC_IPOPT_SDB:
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			if (optlen < 6)
				return -EINVAL;
			if (daddr)
				memcpy(daddr, opt + optlen - 4, 4);
			fallthrough;
		default:
			memset(opt, 0, optlen);
		}
		opt += optlen;
		left -= optlen;
	}
	return 0;
}

/*
 * Hop-by-hop or destination options: the data of those that may change en
 * route is zeroed. With @hao (output), a Mobile IPv6 home address option
 * trades places with the source address, as the receiver will see them.
 */
static bool kipsec_ah_clear_ip6_tlvs(struct ipv6hdr *ip6h, u8 *opt,
				     unsigned int len, bool hao)
{
	unsigned int off = 2, optlen;

	while (off < len) {
		if (opt[off] == IPV6_TLV_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return false;
		optlen = opt[off + 1] + 2;
		if (off + optlen > len)
			return false;
		if (hao && opt[off] == IPV6_TLV_HAO) {
			struct ipv6_destopt_hao *h = (void *)(opt + off);
			struct in6_addr home;

			if (h->length != sizeof(h->addr))
				return false;
			home = h->addr;
			h->addr = ip6h->saddr;
			ip6h->saddr = home;
		}
		if (opt[off] & KIPSEC_IPV6_OPT_MUTABLE)
			memset(opt + off + 2, 0, optlen - 2);
		off += optlen;
	}
	return true;
}

/*
 * A routing header as the final destination sees it (RFC 2402 A.2): no
 * segment left, the final hop as destination, the hops visited in the list.
 */
static int kipsec_ah_final_rthdr(struct ipv6hdr *ip6h, struct ipv6_rt_hdr *rt)
{
	struct in6_addr *addr = ((struct rt0_hdr *)rt)->addr;
	unsigned int n = rt->hdrlen / 2, left = rt->segments_left;
	struct in6_addr final;

	if (!left)
		return 0;
	if (left > n)
		return -EINVAL;
	final = addr[n - 1];
	memmove(&addr[n - left + 1], &addr[n - left],
		(left - 1) * sizeof(*addr));
	addr[n - left] = ip6h->daddr;
	ip6h->daddr = final;
	rt->segments_left = 0;
	return 0;
}

static int kipsec_ah_clear_ip6_exthdrs(struct ipv6hdr *ip6h,
				       unsigned int hlen, bool out)
{
	unsigned int off = sizeof(*ip6h), len;
	u8 nexthdr = ip6h->nexthdr;
	u8 *base = (u8 *)ip6h;

	while (off < hlen) {
		struct ipv6_opt_hdr *oh = (void *)(base + off);

		if (off + 8 > hlen)
			return -EINVAL;
		len = ipv6_optlen(oh);
		if (off + len > hlen)
			return -EINVAL;
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
			if (!kipsec_ah_clear_ip6_tlvs(ip6h, base + off, len,
						      out &&
						      nexthdr == NEXTHDR_DEST &&
						      IS_ENABLED(CONFIG_IPV6_MIP6)))
				return -EINVAL;
			break;
		case NEXTHDR_ROUTING:
			if (kipsec_ah_final_rthdr(ip6h, (void *)oh))
				return -EINVAL;
			break;
		default:
			/* Only these come before AH; the callers made sure. */
			return -EINVAL;
		}
		nexthdr = oh->nexthdr;
		off += len;
	}
	return 0;
}

/* Zeroes the mutable fields of the @hlen bytes of headers at @hdr. */
static int kipsec_ah_clear_mutable(u8 *hdr, unsigned int hlen, u8 family,
				   bool out)
{
	if (family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)hdr;

		iph->tos = 0;
		iph->frag_off = 0;
		iph->ttl = 0;
		iph->check = 0;
		if (hlen > sizeof(*iph))
			return kipsec_ah_clear_ip4_opts(iph, hlen,
							out ? &iph->daddr :
							      NULL);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)hdr;

		ip6h->priority = 0;
		memset(ip6h->flow_lbl, 0, sizeof(ip6h->flow_lbl));
		ip6h->hop_limit = 0;
		if (hlen > sizeof(*ip6h))
			return kipsec_ah_clear_ip6_exthdrs(ip6h, hlen, out);
	}
	return 0;
}

/*
 * Hashes the whole of @skb, then the ESN high bits if the SA has them,
 * into the scratch ICV. Returns what crypto_ahash_digest() does.
 */
static int kipsec_ah_digest(struct kipsec_pkt *pkt, int nsg,
			    crypto_completion_t done)
{
	struct ahash_request *req = (struct ahash_request *)pkt->req;
	struct sk_buff *skb = pkt->skb;
	struct kipsec_sa *sa = pkt->sa;
	struct kipsec_ah_scratch s;
	unsigned int len = skb->len;
	int n;

	kipsec_ah_scratch(pkt, &s);
	sg_init_table(pkt->sg, nsg);
	n = skb_to_sgvec_nomark(skb, pkt->sg, 0, skb->len);
	if (unlikely(n < 0))
		return n;
	if (sa->flags & KIPSEC_SA_F_ESN) {
		*s.seqhi = htonl(upper_32_bits(pkt->seq));
		sg_set_buf(&pkt->sg[n++], s.seqhi, sizeof(*s.seqhi));
		len += sizeof(*s.seqhi);
	}
	sg_mark_end(&pkt->sg[n - 1]);

	ahash_request_set_tfm(req, sa->crypto.ahash);
	ahash_request_set_callback(req, 0, done, pkt);
	ahash_request_set_crypt(req, pkt->sg, s.icv, len);
	return crypto_ahash_digest(req);
}

static void kipsec_ah_output_complete(struct kipsec_pkt *pkt, int err)
{
	struct sk_buff *skb = pkt->skb;
	struct ip_auth_hdr *ah = (struct ip_auth_hdr *)skb_transport_header(skb);
	struct kipsec_ah_scratch s;

	kipsec_ah_scratch(pkt, &s);
	memcpy(skb_network_header(skb), s.hdrs,
	       skb_transport_header(skb) - skb_network_header(skb));
	if (!err)
		memcpy(ah->auth_data, s.icv, pkt->sa->crypto.icv_len);
	kipsec_output_finish(pkt, err);
}

static void kipsec_ah_output_done(struct crypto_async_request *base, int err)
{
	local_bh_disable();
	kipsec_ah_output_complete(base->data, err);
	local_bh_enable();
}

void kipsec_ah_output(struct net *net, struct kipsec_sa *sa,
		      struct sk_buff *skb, u8 family, bool local, u64 seq)
{
	struct crypto_ahash *ahash = sa->crypto.ahash;
	unsigned int ahlen = kipsec_ah_hdrlen(sa);
	unsigned int outer = kipsec_ah_outer_len(sa);
	unsigned int hlen, headroom;
	struct kipsec_ah_scratch s;
	struct ip_auth_hdr *ah;
	struct kipsec_pkt *pkt;
	int nsg, iphlen, nhoff = 0, err;
	u8 nexthdr;

	iphlen = kipsec_output_iphlen(skb, family, sa->mode, &nhoff);
	if (iphlen < 0) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
		return;
	}
	/* The headers the ICV covers with their mutable fields zeroed. */
	hlen = sa->mode == KIPSEC_MODE_TUNNEL ? outer : iphlen;

	/* Only the headers are written: they must be ours, the rest is read. */
	headroom = ahlen + outer + LL_RESERVED_SPACE(skb_dst(skb)->dev);
	if (skb_cow_head(skb, headroom))
		goto drop_nomem;
	nsg = kipsec_ah_nsg(skb, 0);
	if (nsg < 0) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
		return;
	}

	pkt = kipsec_pkt_alloc(sa, net, skb, sizeof(struct ahash_request) +
			       crypto_ahash_reqsize(ahash),
			       kipsec_ah_scratch_len(sa, hlen), nsg + 1);
	if (!pkt)
		goto drop_nomem;
	pkt->family = family;
	pkt->local = local;
	pkt->seq = seq;
	pkt->iphlen = iphlen;
	pkt->nhoff = nhoff;

	ah = (struct ip_auth_hdr *)kipsec_output_push(pkt, ahlen, IPPROTO_AH,
						      &nexthdr);
	ah->nexthdr = nexthdr;
	ah->hdrlen = ahlen / 4 - 2;
	ah->reserved = 0;
	ah->spi = sa->key.spi;
	ah->seq_no = htonl(lower_32_bits(seq));
	/* The ICV is hashed as zeroes, and so is the padding we send. */
	memset(ah->auth_data, 0, ahlen - sizeof(*ah));

	kipsec_ah_scratch(pkt, &s);
	memcpy(s.hdrs, skb_network_header(skb), hlen);
	err = kipsec_ah_clear_mutable(skb_network_header(skb), hlen,
				      sa->key.family, true);
	if (err) {
		kipsec_ah_output_complete(pkt, err);
		return;
	}

	err = kipsec_ah_digest(pkt, nsg + 1, kipsec_ah_output_done);
	if (err == -EINPROGRESS)
		return;
	kipsec_ah_output_complete(pkt, err);
	return;

drop_nomem:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
}

static void kipsec_ah_input_complete(struct kipsec_pkt *pkt, int err)
{
	struct sk_buff *skb = pkt->skb;
	struct kipsec_sa *sa = pkt->sa;
	struct ip_auth_hdr *ah;
	struct kipsec_ah_scratch s;

	kipsec_ah_scratch(pkt, &s);
	memcpy(skb->data, s.hdrs, pkt->iphlen);
	if (!err && crypto_memneq(s.icv, s.rcvd, sa->crypto.icv_len))
		err = -EBADMSG;
	if (!kipsec_input_verified(pkt, err))
		return;

	ah = (struct ip_auth_hdr *)(skb->data + pkt->iphlen);
	pkt->nexthdr = ah->nexthdr;
	__skb_pull(skb, pkt->iphlen + ((ah->hdrlen + 2) << 2));
	kipsec_input_finish(pkt);
}

static void kipsec_ah_input_done(struct crypto_async_request *base, int err)
{
	local_bh_disable();
	kipsec_ah_input_complete(base->data, err);
	local_bh_enable();
}

/*
 * @skb starts at its IP header; AH starts @iphlen bytes further. Takes
 * @skb in every case.
 */
void kipsec_ah_input(struct net *net, struct kipsec_sa *sa,
		     struct sk_buff *skb, unsigned int iphlen,
		     unsigned int nhoff)
{
	struct crypto_ahash *ahash = sa->crypto.ahash;
	unsigned int icv = sa->crypto.icv_len;
	struct kipsec_ah_scratch s;
	struct ip_auth_hdr *ah;
	struct kipsec_pkt *pkt;
	unsigned int ahlen;
	int nsg, err;
	u64 seq;

	if (!pskb_may_pull(skb, iphlen + sizeof(*ah)))
		goto malformed;
	ah = (struct ip_auth_hdr *)(skb->data + iphlen);
	ahlen = (ah->hdrlen + 2) << 2;
	if (!kipsec_ah_hdrlen_ok(sa, ahlen) ||
	    !pskb_may_pull(skb, iphlen + ahlen))
		goto malformed;

	/* Cheap check first: a replay is not worth a hash. */
	ah = (struct ip_auth_hdr *)(skb->data + iphlen);
	if (!kipsec_input_replay_check(sa, ah->seq_no, &seq)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_REPLAY);
		return;
	}

	/* The headers are zeroed in place and later moved: make them ours. */
	if (skb_ensure_writable(skb, iphlen + ahlen))
		goto nomem;
	/* Its checksum no longer describes the bytes once AH is pulled. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	nsg = kipsec_ah_nsg(skb, 0);
	if (nsg < 0)
		goto malformed;
	pkt = kipsec_pkt_alloc(sa, net, skb, sizeof(struct ahash_request) +
			       crypto_ahash_reqsize(ahash),
			       kipsec_ah_scratch_len(sa, iphlen), nsg + 1);
	if (!pkt)
		goto nomem;
	pkt->seq = seq;
	pkt->iphlen = iphlen;
	pkt->nhoff = nhoff;

	kipsec_ah_scratch(pkt, &s);
	ah = (struct ip_auth_hdr *)(skb->data + iphlen);
	memcpy(s.hdrs, skb->data, iphlen);
	memcpy(s.rcvd, ah->auth_data, icv);
	/* Only the ICV: any padding after it is hashed as it came. */
	memset(ah->auth_data, 0, icv);
	err = kipsec_ah_clear_mutable(skb->data, iphlen, sa->key.family,
				      false);
	if (err) {
		kipsec_ah_input_complete(pkt, err);
		return;
	}

	err = kipsec_ah_digest(pkt, nsg + 1, kipsec_ah_input_done);
	if (err == -EINPROGRESS)
		return;
	kipsec_ah_input_complete(pkt, err);
	return;

malformed:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
	return;
nomem:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
}
