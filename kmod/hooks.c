// SPDX-License-Identifier: GPL-2.0
/*
 * Where packets are caught: netfilter hooks registered per namespace, so
 * that kipsec never claims the host-wide ESP/AH protocol handlers and the
 * kernel's own esp4/esp6 keep working in every other namespace.
 *
 *   LOCAL_IN   ESP, AH and ESP-in-UDP for our SAs, after reassembly; clear
 *              packets checked against the "in" policies
 *   FORWARD    clear packets checked against the "fwd" policies, then the
 *              "out" policies, since a gateway protects what it forwards
 *   LOCAL_OUT  the "out" policies for what this host sends
 *
 * Each runs just after the filter table, so that an admin's firewall sees
 * the packets as the kernel's own IPsec would show them: ESP on input,
 * clear traffic on output. Packets kipsec made or decrypted carry
 * IPSKB_XFRM_TRANSFORMED (IP6SKB_ on IPv6), the flag netfilter already
 * reads as "IPsec is done with this one", and are not looked at again;
 * decrypted tunnel traffic that went through GRO lost that flag and
 * carries the namespace's NAPI ID stamp instead (gro.c).
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "gro.h"
#include "packet.h"

/*
 * IPv6 reassembles after LOCAL_IN, so a fragmented ESP packet would reach
 * the protocol handlers, never us: the namespace's netfilter reassembly at
 * PRE_ROUTING (what conntrack uses) puts it together first. Taken by name
 * rather than linked, so that a plain insmod works without the module
 * already loaded; without it, fragmented ESP over IPv6 is not taken.
 */
static int (*kipsec_defrag6_enable)(struct net *net);
static void (*kipsec_defrag6_disable)(struct net *net);

static bool kipsec_skb_transformed(const struct sk_buff *skb, u8 family)
{
	if (family == AF_INET)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

/*
 * Decrypted here: either still carrying the flag (reinjected directly) or
 * back from GRO with this namespace's NAPI ID stamp (see gro.c).
 */
static bool kipsec_skb_decrypted(struct net *net, struct sk_buff *skb,
				 u8 family)
{
	return kipsec_gro_take_stamp(net, skb) ||
	       kipsec_skb_transformed(skb, family);
}

static u8 kipsec_hook_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

static unsigned int kipsec_hook_local_in(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	u8 family = kipsec_hook_family(state);
	unsigned int verdict;

	/*
	 * Decrypted by us: already checked against its SA's policy. That
	 * includes ESP found inside ESP, which is not taken apart again, so
	 * that nesting cannot recurse.
	 */
	if (kipsec_skb_decrypted(state->net, skb, family))
		return NF_ACCEPT;

	verdict = kipsec_input(state->net, skb, family);
	if (verdict != NF_ACCEPT)
		return verdict;
	return kipsec_input_clear(state->net, skb, family, KIPSEC_DIR_IN);
}

static unsigned int kipsec_hook_forward(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	u8 family = kipsec_hook_family(state);
	unsigned int verdict;

	if (!kipsec_skb_decrypted(state->net, skb, family)) {
		verdict = kipsec_input_clear(state->net, skb, family,
					     KIPSEC_DIR_FWD);
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	return kipsec_output(state->net, skb, family, false);
}

static unsigned int kipsec_hook_local_out(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	u8 family = kipsec_hook_family(state);

	/* Our own ESP/AH on its way out. */
	if (kipsec_skb_transformed(skb, family))
		return NF_ACCEPT;
	return kipsec_output(state->net, skb, family, true);
}

static const struct nf_hook_ops kipsec_nf_ops[] = {
	{
		.hook = kipsec_hook_local_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		.hook = kipsec_hook_forward,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		.hook = kipsec_hook_local_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		.hook = kipsec_hook_local_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_FILTER + 1,
	},
	{
		.hook = kipsec_hook_forward,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER + 1,
	},
	{
		.hook = kipsec_hook_local_out,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_FILTER + 1,
	},
};

int kipsec_hooks_net_init(struct net *net)
{
	int err;

	if (kipsec_defrag6_enable) {
		err = kipsec_defrag6_enable(net);
		if (err)
			return err;
	}
	err = nf_register_net_hooks(net, kipsec_nf_ops,
				    ARRAY_SIZE(kipsec_nf_ops));
	if (err && kipsec_defrag6_disable)
		kipsec_defrag6_disable(net);
	return err;
}

void kipsec_hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, kipsec_nf_ops, ARRAY_SIZE(kipsec_nf_ops));
	if (kipsec_defrag6_disable)
		kipsec_defrag6_disable(net);
}

void kipsec_hooks_init(void)
{
	request_module("nf_defrag_ipv6");
	kipsec_defrag6_enable = symbol_get(nf_defrag_ipv6_enable);
	kipsec_defrag6_disable = symbol_get(nf_defrag_ipv6_disable);
	if (!kipsec_defrag6_enable || !kipsec_defrag6_disable) {
		pr_warn("nf_defrag_ipv6 unavailable: fragmented ESP/AH over IPv6 will not be taken\n");
		kipsec_hooks_exit();
	}
}

void kipsec_hooks_exit(void)
{
	if (kipsec_defrag6_enable)
		symbol_put(nf_defrag_ipv6_enable);
	if (kipsec_defrag6_disable)
		symbol_put(nf_defrag_ipv6_disable);
	kipsec_defrag6_enable = NULL;
	kipsec_defrag6_disable = NULL;
}
