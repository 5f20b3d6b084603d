/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path: where packets are caught (hooks.c), what happens to
 * outbound ones (output.c) and inbound ones (input.c), and the transforms
 * (esp.c, ah.c) both call.
 *
 * A packet the transform works on carries a struct kipsec_pkt, allocated
 * with its crypto request in one piece: the request must outlive the call
 * when the crypto completes asynchronously, so it cannot live on the stack.
 */
#ifndef _KIPSEC_PACKET_H
#define _KIPSEC_PACKET_H

#include <linux/crypto.h>
#include <linux/netfilter.h>
#include <linux/padata.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/dsfield.h>

#include "sadb.h"
#include "spd.h"

/* Padding, pad length and next header: block size 16 at most. */
#define KIPSEC_PKT_TRAILER_MAX 17

struct kipsec_net;

struct kipsec_pkt {
	struct sk_buff *skb;
	struct kipsec_sa *sa;		/* holds a reference */
	struct net *net;
	struct net_device *dev;		/* held while the crypto runs */
	u64 seq;
	__be32 esn_saved;		/* the word the ESN high bits displaced */
	/*
	 * The IP header(s) that stay in front of the transform's header
	 * (input: the outer ones; transport output: the packet's own) and
	 * the offset of their next-header byte.
	 */
	u16 iphlen;
	u16 nhoff;
	u8 family;			/* of the inner packet on output */
	u8 nexthdr;			/* ESP trailer's next header */
	bool udp;			/* ESP-in-UDP */
	bool local;			/* output: generated on this host */
	bool recycled;			/* from, and back to, the CPU cache */
	/*
	 * Output encrypted out of place: the old frags, still referenced by
	 * sg[1..oop_frags], are released once the crypto is done; the
	 * trailer the source ends with lives in trailer[].
	 */
	u8 oop_frags;
	u8 trailer[KIPSEC_PKT_TRAILER_MAX];
	u8 *iv;
	struct scatterlist *sg;
	/*
	 * A KIPSEC_SA_F_PARALLEL SA's packet, between its parallel crypto
	 * and its in-order release (parallel.c): the crypto's result waits
	 * in crypt_err for the serial step.
	 */
	struct padata_priv padata;
	int crypt_err;
	/* The transform's request follows, then the IV, then sg[]. */
	u8 req[] __aligned(CRYPTO_MINALIGN);
};

/* flow.c */
bool kipsec_flow_from_skb(const struct sk_buff *skb, u8 family,
			  struct kipsec_flow *flow);
bool kipsec_tmpl_matches_sa(const struct kipsec_tmpl *t,
			    const struct kipsec_sa *sa);

/* hooks.c */
int kipsec_hooks_net_init(struct net *net);
void kipsec_hooks_net_exit(struct net *net);
void kipsec_hooks_init(void);
void kipsec_hooks_exit(void);

/* output.c */
unsigned int kipsec_output(struct net *net, struct sk_buff *skb, u8 family,
			   bool local);
int kipsec_output_iphlen(struct sk_buff *skb, u8 family, u8 mode, int *nhoff);
u8 *kipsec_output_push(struct kipsec_pkt *pkt, unsigned int hdrlen,
		       u8 proto, u8 *nexthdr);
void kipsec_output_finish(struct kipsec_pkt *pkt, int err);
void kipsec_drop(struct net *net, struct kipsec_sa *sa, struct sk_buff *skb,
		 unsigned int stat);
void kipsec_count_packet(struct net *net, struct kipsec_sa *sa,
			 unsigned int bytes);

/* input.c */
unsigned int kipsec_input(struct net *net, struct sk_buff *skb, u8 family);
unsigned int kipsec_input_clear(struct net *net, struct sk_buff *skb,
				u8 family, u8 dir);
void kipsec_input_finish(struct kipsec_pkt *pkt);
void kipsec_input_log_integrity(const struct kipsec_pkt *pkt);
bool kipsec_input_replay_check(struct kipsec_sa *sa, __be32 seq_no, u64 *seq);
bool kipsec_input_verified(struct kipsec_pkt *pkt, int err);

/*
 * esp.c and ah.c, the transforms. Each takes the skb in every case: errors
 * drop it and count the reason; success ends in kipsec_output_finish() or
 * kipsec_input_finish(), possibly later from a crypto completion. Output
 * gets the packet's sequence number from kipsec_sa_seq_next().
 */
void kipsec_esp_exit(void);
unsigned int kipsec_esp_max_len(const struct kipsec_sa *sa, unsigned int mtu,
				unsigned int iphlen);
void kipsec_esp_output(struct net *net, struct kipsec_sa *sa,
		       struct sk_buff *skb, u8 family, bool local, u64 seq);
void kipsec_esp_input(struct net *net, struct kipsec_sa *sa,
		      struct sk_buff *skb, unsigned int iphlen,
		      unsigned int nhoff, bool udp);
unsigned int kipsec_ah_max_len(const struct kipsec_sa *sa, unsigned int mtu,
			       unsigned int iphlen);
void kipsec_ah_output(struct net *net, struct kipsec_sa *sa,
		      struct sk_buff *skb, u8 family, bool local, u64 seq);
void kipsec_ah_input(struct net *net, struct kipsec_sa *sa,
		     struct sk_buff *skb, unsigned int iphlen,
		     unsigned int nhoff);

struct kipsec_pkt *kipsec_pkt_alloc(struct kipsec_sa *sa, struct net *net,
				    struct sk_buff *skb, unsigned int reqsize,
				    unsigned int ivlen, int nfrags);
void kipsec_pkt_free(struct kipsec_pkt *pkt);
void kipsec_pkt_drop(struct kipsec_pkt *pkt, unsigned int stat);
int kipsec_pkt_net_init(struct kipsec_net *kn);
void kipsec_pkt_net_exit(struct kipsec_net *kn);
void kipsec_pkt_exit(void);
unsigned int kipsec_crypt_err_stat(int err);

/* The DS field (DSCP and ECN) of the IP header at the network header. */
static inline u8 kipsec_dsfield(const struct sk_buff *skb, u8 family)
{
	return family == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
				   ipv6_get_dsfield(ipv6_hdr(skb));
}

static inline unsigned int kipsec_stat(unsigned int attr)
{
	return attr - KIPSEC_STAT_FIRST;
}

#endif /* _KIPSEC_PACKET_H */
