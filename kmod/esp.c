// SPDX-License-Identifier: GPL-2.0
/*
 * ESP (RFC 4303) through one AEAD per SA, laid out exactly as the kernel's
 * own esp4/esp6 lay it out, so that both read each other's packets:
 *
 *   [SPI][seq][IV][payload][padding 1,2,3..][pad length][next header][ICV]
 *    \ AAD  /   \---------------- encrypted ---------------------/
 *
 * With ESN the high 32 bits of the sequence number are authenticated but
 * not sent: for the duration of the crypto call the AAD becomes
 * [SPI][seq high][seq low], borrowing the 4 bytes in front of the header.
 */

#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <kipsec.h>

#include "nat.h"
#include "netns.h"
#include "packet.h"
#include "parallel.h"
#include "replay.h"

static unsigned int kipsec_esp_blksize(const struct kipsec_sa *sa)
{
	/* RFC 4303 2.4: the trailer ends on a 4-byte boundary at least. */
	return ALIGN(crypto_aead_blocksize(sa->crypto.aead), 4);
}

static unsigned int kipsec_esp_hdrlen(const struct kipsec_sa *sa)
{
	return sizeof(struct ip_esp_hdr) + sa->crypto.iv_len +
	       (sa->udp_encap ? sizeof(struct udphdr) : 0);
}

unsigned int kipsec_esp_max_len(const struct kipsec_sa *sa, unsigned int mtu,
				unsigned int iphlen)
{
	unsigned int blksize = kipsec_esp_blksize(sa);
	unsigned int fixed = kipsec_esp_hdrlen(sa) + sa->crypto.icv_len + 2;

	if (sa->mode == KIPSEC_MODE_TUNNEL)
		fixed += sa->key.family == AF_INET ? sizeof(struct iphdr) :
						     sizeof(struct ipv6hdr);
	if (mtu < fixed + iphlen + blksize)
		return 0;
	return iphlen + rounddown(mtu - iphlen - fixed + 2, blksize) - 2;
}

/*
 * Where paged output is encrypted to, one per CPU as esp4 keeps one per
 * state: no allocation per packet, and a page is shared by many.
 */
static DEFINE_PER_CPU(struct page_frag, kipsec_esp_pfrag);

void kipsec_esp_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct page_frag *pfrag = per_cpu_ptr(&kipsec_esp_pfrag, cpu);

		if (pfrag->page)
			put_page(pfrag->page);
		pfrag->page = NULL;
	}
}

/*
 * RFC 3948 2.1 lets ESP in UDP go with a zero checksum, but over IPv6 a
 * zero one is refused by a receiving stack that does not opt in (RFC 6935,
 * 6936): Linux's own UDP encapsulation socket does, and so XFRM peers such
 * as strongSwan's would drop it. Over IPv6 the checksum over the ciphertext
 * is left to the device, or to the stack's fallback when it cannot
 * (CHECKSUM_PARTIAL, which kipsec_xmit() keeps), once the transform is done.
 */
static void kipsec_esp_udp6_csum(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	/*
	 * The plaintext's checksum state says nothing of this packet; from
	 * CHECKSUM_NONE, udp6_set_csum() asks for the offload.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	udp6_set_csum(false, skb, &ip6h->saddr, &ip6h->daddr,
		      skb->len - skb_transport_offset(skb));
}

static void kipsec_esp_output_complete(struct kipsec_pkt *pkt, int err)
{
	unsigned int i;

	if (pkt->sa->flags & KIPSEC_SA_F_ESN) {
		__be32 *ad = (__be32 *)(skb_transport_header(pkt->skb) +
					(pkt->udp ? sizeof(struct udphdr) : 0));

		/* Back to [SPI][seq low], and the borrowed word restored. */
		ad[0] = pkt->sa->key.spi;
		ad[-1] = pkt->esn_saved;
	}
	/* The plaintext's pages, no longer the skb's, now read. */
	for (i = 1; i <= pkt->oop_frags; i++)
		put_page(sg_page(&pkt->sg[i]));
	if (!err && pkt->udp && pkt->sa->key.family == AF_INET6)
		kipsec_esp_udp6_csum(pkt->skb);
	kipsec_output_finish(pkt, err);
}

static void kipsec_esp_output_done(struct crypto_async_request *base,
				   int err)
{
	local_bh_disable();
	kipsec_esp_output_complete(base->data, err);
	local_bh_enable();
}

/* padata's in-order release (parallel.c), BH already disabled. */
static void kipsec_esp_output_serial(struct padata_priv *padata)
{
	struct kipsec_pkt *pkt = kipsec_par_pkt(padata);

	kipsec_par_release(pkt);
	kipsec_esp_output_complete(pkt, pkt->crypt_err);
}

static void kipsec_esp_input_complete(struct kipsec_pkt *pkt, int err);
static void kipsec_esp_input_done(struct crypto_async_request *base, int err);
static void kipsec_esp_input_serial(struct padata_priv *padata);

/*
 * Runs @pkt's AEAD request, set up but for its callback, and gives the
 * packet to its direction's completion whatever happens: through padata
 * for a parallel SA, inline for its small packets that can overtake none
 * of its SA's (parallel.c) and while padata is being reconfigured (as
 * pcrypt does), or straight from the crypto API's callback.
 */
static void kipsec_esp_crypt(struct kipsec_pkt *pkt, bool encrypt)
{
	struct aead_request *req = (struct aead_request *)pkt->req;
	int err;

	if (pkt->sa->flags & KIPSEC_SA_F_PARALLEL) {
		err = encrypt ?
		      kipsec_par_submit(pkt, KIPSEC_PAR_ENCRYPT,
					kipsec_esp_output_serial) :
		      kipsec_par_submit(pkt, KIPSEC_PAR_DECRYPT,
					kipsec_esp_input_serial);
		if (!err)
			return;
		/* Else as a crypto call unable to take the packet. */
		if (err != -EBUSY) {
			err = -ENOSPC;
			goto complete;
		}
	}
	if (encrypt) {
		aead_request_set_callback(req, 0, kipsec_esp_output_done, pkt);
		err = crypto_aead_encrypt(req);
	} else {
		aead_request_set_callback(req, 0, kipsec_esp_input_done, pkt);
		err = crypto_aead_decrypt(req);
	}
	if (err == -EINPROGRESS)
		return;
complete:
	if (encrypt)
		kipsec_esp_output_complete(pkt, err);
	else
		kipsec_esp_input_complete(pkt, err);
}

/*
 * A paged skb (TCP's, GSO's segments) is not made linear, which copies all
 * of it: its frags are read in place and the ciphertext written to one new
 * frag, as esp4 does. Only ours to do when nobody else sees its frags
 * array, and the source's trailer then lives in pkt->trailer.
 */
static bool kipsec_esp_output_oop(const struct sk_buff *skb,
				  unsigned int tlen, unsigned int icv)
{
	/*
	 * The output frag comes from a page frag: a page at most. Never with
	 * zerocopy frags: the skb may hold no reference to their pages to
	 * give up (io_uring's registered buffers), and their sender is told
	 * it may reuse them as soon as the skb goes.
	 */
	return skb_is_nonlinear(skb) && !skb_cloned(skb) &&
	       !skb_has_frag_list(skb) && !skb->pp_recycle &&
	       !(skb_shinfo(skb)->flags & (SKBFL_ZEROCOPY_ENABLE |
					   SKBFL_MANAGED_FRAG_REFS)) &&
	       tlen <= KIPSEC_PKT_TRAILER_MAX &&
	       ALIGN(skb->data_len + tlen + icv, L1_CACHE_BYTES) <= PAGE_SIZE;
}

/*
 * @size bytes of this CPU's page, referenced for the caller: *@off is where
 * they start. Its pages are never highmem (skb_page_frag_refill() does not
 * ask for it), so page_address() reaches them.
 */
static struct page *kipsec_esp_pfrag_take(unsigned int size, unsigned int *off)
{
	unsigned int allocsize = ALIGN(size, L1_CACHE_BYTES);
	struct page_frag *pfrag;
	struct page *page;

	local_bh_disable();
	pfrag = this_cpu_ptr(&kipsec_esp_pfrag);
	if (unlikely(!skb_page_frag_refill(allocsize, pfrag, GFP_ATOMIC))) {
		local_bh_enable();
		return NULL;
	}
	page = pfrag->page;
	get_page(page);
	*off = pfrag->offset;
	pfrag->offset += allocsize;
	local_bh_enable();
	return page;
}

/*
 * A linear packet whose buffer has no room left for the trailer, as the
 * segments of a GSO packet often have not: the trailer and ICV go into a
 * page fragment of their own, as esp4 does, rather than the whole packet
 * into a new, larger buffer (a copy, and with init_on_alloc a clearing of
 * that buffer, per packet). Returns where the trailer starts, or NULL.
 */
static u8 *kipsec_esp_output_tail_frag(struct sk_buff *skb, unsigned int tailen)
{
	struct page *page;
	unsigned int off;

	if (skb_is_nonlinear(skb) || skb_cloned(skb) || skb->pp_recycle ||
	    skb_tailroom(skb) >= tailen)
		return NULL;
	page = kipsec_esp_pfrag_take(tailen, &off);
	if (!page)
		return NULL;
	__skb_fill_page_desc(skb, 0, page, off, tailen);
	skb_shinfo(skb)->nr_frags = 1;
	/* truesize stays, as in kipsec_esp_output_frags(). */
	skb->data_len += tailen;
	skb->len += tailen;
	return (u8 *)page_address(page) + off;
}

/* The source's frags into sg[1..], and the skb's replaced by the output. */
static int kipsec_esp_output_frags(struct kipsec_pkt *pkt, unsigned int tlen,
				   unsigned int icv, struct scatterlist *dsg)
{
	struct sk_buff *skb = pkt->skb;
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int dlen = skb->data_len + tlen + icv;
	unsigned int nr = sh->nr_frags, i, off;
	struct page *page;

	page = kipsec_esp_pfrag_take(dlen, &off);
	if (!page)
		return -ENOMEM;

	sg_init_table(pkt->sg, nr + 2);
	for (i = 0; i < nr; i++) {
		const skb_frag_t *frag = &sh->frags[i];

		sg_set_page(&pkt->sg[i + 1], skb_frag_page(frag),
			    skb_frag_size(frag), skb_frag_off(frag));
	}
	sg_set_buf(&pkt->sg[nr + 1], pkt->trailer, tlen);
	pkt->oop_frags = nr;

	sg_init_table(dsg, 2);
	sg_set_page(&dsg[1], page, dlen, off);

	/* The old frags' references are pkt->sg's now. */
	sh->nr_frags = 1;
	__skb_fill_page_desc(skb, 0, page, off, dlen);
	/* truesize stays: a socket's destructor gives back what it charged. */
	skb->data_len = dlen;
	skb->len += tlen + icv;
	return 0;
}

void kipsec_esp_output(struct net *net, struct kipsec_sa *sa,
		       struct sk_buff *skb, u8 family, bool local, u64 seq)
{
	struct crypto_aead *aead = sa->crypto.aead;
	unsigned int blksize = kipsec_esp_blksize(sa);
	unsigned int hdrlen = kipsec_esp_hdrlen(sa);
	unsigned int ivlen = sa->crypto.iv_len;
	unsigned int icv = sa->crypto.icv_len;
	bool esn = sa->flags & KIPSEC_SA_F_ESN;
	unsigned int plen, clen, padlen, assoclen, headroom, i;
	struct scatterlist *dsg = NULL;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	struct aead_request *req;
	struct kipsec_pkt *pkt;
	int nfrags, iphlen, nhoff = 0, err;
	u8 *hdr, *tail, nexthdr;
	bool oop;
	__be64 seqno;

	iphlen = kipsec_output_iphlen(skb, family, sa->mode, &nhoff);
	if (iphlen < 0) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
		return;
	}
	plen = skb->len - iphlen;
	clen = ALIGN(plen + 2, blksize);
	padlen = clen - plen - 2;

	oop = kipsec_esp_output_oop(skb, padlen + 2, icv);
	tail = NULL;
	if (oop) {
		/* Source: head, frags, trailer; destination: head, 1 frag. */
		nfrags = skb_shinfo(skb)->nr_frags + 2 + 2;
	} else {
		tail = kipsec_esp_output_tail_frag(skb, padlen + 2 + icv);
		if (tail) {
			/* The head, then the trailer's frag. */
			nfrags = 2;
		} else {
			/* Writable and linear enough, room for any trailer. */
			nfrags = skb_cow_data(skb, padlen + 2 + icv, &trailer);
			if (nfrags < 0)
				goto drop_nomem;
		}
	}
	headroom = hdrlen + LL_RESERVED_SPACE(skb_dst(skb)->dev);
	if (sa->mode == KIPSEC_MODE_TUNNEL)
		headroom += sa->key.family == AF_INET ? sizeof(struct iphdr) :
							sizeof(struct ipv6hdr);
	if (skb_cow_head(skb, headroom))
		goto drop_nomem;

	pkt = kipsec_pkt_alloc(sa, net, skb, sizeof(*req) +
			       crypto_aead_reqsize(aead), ivlen, nfrags);
	if (!pkt)
		goto drop_nomem;
	pkt->family = family;
	pkt->local = local;
	pkt->seq = seq;
	pkt->iphlen = iphlen;
	pkt->nhoff = nhoff;
	pkt->udp = sa->udp_encap;

	if (oop) {
		dsg = pkt->sg + skb_shinfo(skb)->nr_frags + 2;
		if (kipsec_esp_output_frags(pkt, padlen + 2, icv, dsg)) {
			kipsec_pkt_drop(pkt, KIPSEC_A_STATS_DROP_NOMEM);
			return;
		}
		tail = pkt->trailer;
	} else if (!tail) {
		tail = pskb_put(skb, trailer, padlen + 2 + icv);
	}
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;

	hdr = kipsec_output_push(pkt, hdrlen, pkt->udp ? IPPROTO_UDP :
			IPPROTO_ESP, &nexthdr);
	tail[padlen + 1] = nexthdr;

	if (pkt->udp) {
		struct udphdr *uh = (struct udphdr *)hdr;

		uh->source = htons(READ_ONCE(sa->encap_sport));
		uh->dest = htons(READ_ONCE(sa->encap_dport));
		uh->len = htons(skb->len - (hdr - skb->data));
		/*
		 * RFC 3948 2.1: zero, the ESP ICV protects what matters
		 * (IPv6: kipsec_esp_udp6_csum() when the transform is done).
		 */
		uh->check = 0;
		hdr += sizeof(*uh);
	}
	esph = (struct ip_esp_hdr *)hdr;
	esph->spi = sa->key.spi;
	esph->seq_no = htonl(lower_32_bits(seq));

	/* seqiv/echainiv derive the IV they send from the sequence number. */
	seqno = cpu_to_be64(seq);
	memset(pkt->iv, 0, ivlen);
	memcpy(pkt->iv + ivlen - min(ivlen, 8U),
	       (u8 *)&seqno + 8 - min(ivlen, 8U), min(ivlen, 8U));

	assoclen = sizeof(*esph);
	if (esn) {
		__be32 *ad = (__be32 *)esph - 1;

		pkt->esn_saved = ad[0];
		ad[0] = sa->key.spi;
		ad[1] = htonl(upper_32_bits(seq));
		esph = (struct ip_esp_hdr *)ad;
		assoclen += sizeof(__be32);
	}

	if (oop) {
		/* The head, headers to the end of it, is the same in both. */
		unsigned int hlen = skb_tail_pointer(skb) - (u8 *)esph;

		sg_set_buf(&pkt->sg[0], esph, hlen);
		sg_set_buf(&dsg[0], esph, hlen);
	} else {
		sg_init_table(pkt->sg, nfrags);
		err = skb_to_sgvec(skb, pkt->sg, (u8 *)esph - skb->data,
				   assoclen + ivlen + clen + icv);
		if (unlikely(err < 0)) {
			kipsec_esp_output_complete(pkt, err);
			return;
		}
		dsg = pkt->sg;
	}

	req = (struct aead_request *)pkt->req;
	aead_request_set_tfm(req, aead);
	aead_request_set_crypt(req, pkt->sg, dsg, ivlen + clen, pkt->iv);
	aead_request_set_ad(req, assoclen);

	/*
	 * The sequence number was taken before this packet was prepared, so
	 * two CPUs sending on one SA may submit seq n + 1 before seq n, and
	 * padata keeps the submission order: the receiver's replay window
	 * takes such a swap (XFRM with pcrypt has the same window). Closing
	 * it would mean a lock per SA around everything above.
	 */
	kipsec_esp_crypt(pkt, true);
	return;

drop_nomem:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
}

/*
 * After the ICV verified: the trailer is trusted but still checked, since
 * a peer's bug must not make us read outside the packet. The padding must
 * be 1, 2, 3, ... as RFC 4303 2.4 has the sender write it.
 */
static int kipsec_esp_trailer(struct kipsec_pkt *pkt)
{
	struct sk_buff *skb = pkt->skb;
	unsigned int ivlen = pkt->sa->crypto.iv_len;
	unsigned int icv = pkt->sa->crypto.icv_len;
	unsigned int hlen = sizeof(struct ip_esp_hdr) + ivlen;
	u8 tail[2], pad[255];
	unsigned int i;

	if (skb_copy_bits(skb, skb->len - icv - 2, tail, 2))
		return -EINVAL;
	if (hlen + tail[0] + 2 + icv > skb->len)
		return -EINVAL;
	if (skb_copy_bits(skb, skb->len - icv - 2 - tail[0], pad, tail[0]))
		return -EINVAL;
	for (i = 0; i < tail[0]; i++)
		if (pad[i] != i + 1)
			return -EINVAL;
	if (pskb_trim(skb, skb->len - icv - 2 - tail[0]))
		return -ENOMEM;
	pkt->nexthdr = tail[1];
	__skb_pull(skb, hlen);
	return 0;
}

static void kipsec_esp_input_complete(struct kipsec_pkt *pkt, int err)
{
	struct sk_buff *skb = pkt->skb;
	struct kipsec_sa *sa = pkt->sa;

	if (sa->flags & KIPSEC_SA_F_ESN) {
		struct ip_esp_hdr *esph = (struct ip_esp_hdr *)skb->data;

		esph->seq_no = esph->spi;
		esph->spi = pkt->esn_saved;
		__skb_pull(skb, sizeof(__be32));
	}
	if (!kipsec_input_verified(pkt, err))
		return;
	if (pkt->udp)
		kipsec_nat_input(pkt);

	err = kipsec_esp_trailer(pkt);
	if (err) {
		kipsec_pkt_drop(pkt, err == -ENOMEM ? KIPSEC_A_STATS_DROP_NOMEM :
				KIPSEC_A_STATS_DROP_MALFORMED);
		return;
	}
	kipsec_input_finish(pkt);
}

static void kipsec_esp_input_done(struct crypto_async_request *base, int err)
{
	local_bh_disable();
	kipsec_esp_input_complete(base->data, err);
	local_bh_enable();
}

static void kipsec_esp_input_serial(struct padata_priv *padata)
{
	struct kipsec_pkt *pkt = kipsec_par_pkt(padata);

	kipsec_par_release(pkt);
	kipsec_esp_input_complete(pkt, pkt->crypt_err);
}

/*
 * @skb starts at its IP header; ESP (or the UDP header in front of it)
 * starts @iphlen bytes further. Takes @skb in every case.
 */
void kipsec_esp_input(struct net *net, struct kipsec_sa *sa,
		      struct sk_buff *skb, unsigned int iphlen,
		      unsigned int nhoff, bool udp)
{
	struct crypto_aead *aead = sa->crypto.aead;
	unsigned int ivlen = sa->crypto.iv_len;
	unsigned int icv = sa->crypto.icv_len;
	unsigned int esp_off = iphlen + (udp ? sizeof(struct udphdr) : 0);
	unsigned int assoclen = sizeof(struct ip_esp_hdr);
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	struct aead_request *req;
	struct kipsec_pkt *pkt;
	int nfrags, elen, err;
	u64 seq;

	if (!pskb_may_pull(skb, esp_off + sizeof(*esph) + ivlen))
		goto malformed;
	elen = skb->len - esp_off - sizeof(*esph) - ivlen - icv;
	if (elen < 2 || elen & (kipsec_esp_blksize(sa) - 1))
		goto malformed;

	/* Cheap check first: a replay is not worth a decryption. */
	esph = (struct ip_esp_hdr *)(skb->data + esp_off);
	if (!kipsec_input_replay_check(sa, esph->seq_no, &seq)) {
		kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_REPLAY);
		return;
	}

	/*
	 * Decrypted in place: the data must be ours to write. Not cloned,
	 * the head and frags are, and a scatterlist covers the frags: no
	 * copy into a linear skb. Unless a frag may be someone else's page
	 * (a local sender's splice() of a file's page cache, zerocopy): that
	 * is never written, skb_cow_data() copies it.
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	if (!skb_cloned(skb) && !skb_has_frag_list(skb) &&
	    !skb_has_shared_frag(skb) && !skb_zcopy(skb))
		nfrags = skb_shinfo(skb)->nr_frags + 1;
	else
		nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		goto nomem;
	pkt = kipsec_pkt_alloc(sa, net, skb, sizeof(*req) +
			       crypto_aead_reqsize(aead), ivlen, nfrags);
	if (!pkt)
		goto nomem;
	pkt->seq = seq;
	pkt->iphlen = iphlen;
	pkt->nhoff = nhoff;
	pkt->udp = udp;

	__skb_pull(skb, esp_off);
	if (sa->flags & KIPSEC_SA_F_ESN) {
		esph = skb_push(skb, sizeof(__be32));
		pkt->esn_saved = esph->spi;
		esph->spi = esph->seq_no;
		esph->seq_no = htonl(upper_32_bits(seq));
		assoclen += sizeof(__be32);
	}

	sg_init_table(pkt->sg, nfrags);
	err = skb_to_sgvec(skb, pkt->sg, 0, skb->len);
	if (unlikely(err < 0)) {
		kipsec_esp_input_complete(pkt, err);
		return;
	}

	req = (struct aead_request *)pkt->req;
	aead_request_set_tfm(req, aead);
	aead_request_set_crypt(req, pkt->sg, pkt->sg, skb->len - assoclen,
			       pkt->iv);
	aead_request_set_ad(req, assoclen);

	/* The replay window is advanced only once released, in order. */
	kipsec_esp_crypt(pkt, false);
	return;

malformed:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_MALFORMED);
	return;
nomem:
	kipsec_drop(net, sa, skb, KIPSEC_A_STATS_DROP_NOMEM);
}
