// SPDX-License-Identifier: GPL-2.0
/*
 * Receive offload for decrypted tunnel traffic. A tunnel-mode SA's inner
 * packets are handed to GRO cells, as the kernel's own IPsec does, so that
 * a TCP stream's segments are merged before they are routed: one forward
 * and one firewall pass per merged packet, and, more importantly, far fewer
 * ACKs coming back for the peer's SA to encrypt.
 *
 * A packet that went through GRO re-enters the stack from the top (ip_rcv),
 * which wipes the control block and with it the "transformed" flag the
 * hooks rely on. So the packet carries the mark elsewhere: its NAPI ID is
 * set to one reserved for this namespace. NAPI IDs are handed out uniquely
 * by the core and a device's receive path never gives a packet ours, so no
 * packet from the wire can carry it; GRO keeps the first segment's ID on
 * the merged packet; and the hooks clear it when they see it, before a
 * socket could record it for busy polling.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/busy_poll.h>
#include <net/gro_cells.h>
#include <net/netfilter/nf_conntrack.h>

#include "gro.h"
#include "netns.h"

struct kipsec_gro {
	/* GRO cells need a device for their NAPI contexts; never registered. */
	struct net_device napi_dev;
	struct gro_cells cells;
	/*
	 * Never enabled or scheduled: it exists only so that the core hands
	 * out, and keeps reserved, a NAPI ID no device uses.
	 */
	struct napi_struct stamp;
};

#ifdef CONFIG_NET_RX_BUSY_POLL

static int kipsec_gro_stamp_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

static int __net_init kipsec_gro_net_init(struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);
	struct kipsec_gro *gro;
	int err;

	gro = kzalloc(sizeof(*gro), GFP_KERNEL);
	if (!gro)
		return -ENOMEM;
	init_dummy_netdev(&gro->napi_dev);
	err = gro_cells_init(&gro->cells, &gro->napi_dev);
	if (err) {
		kfree(gro);
		return err;
	}
	netif_napi_add(&gro->napi_dev, &gro->stamp, kipsec_gro_stamp_poll);
	WRITE_ONCE(kn->gro_stamp, gro->stamp.napi_id);
	rcu_assign_pointer(kn->gro, gro);
	return 0;
}

static void __net_exit kipsec_gro_net_exit(struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);
	struct kipsec_gro *gro = rcu_dereference_protected(kn->gro, true);

	if (!gro)
		return;
	RCU_INIT_POINTER(kn->gro, NULL);
	/*
	 * Forgotten before the ID goes back to the core, which may give it
	 * to a real device next.
	 */
	WRITE_ONCE(kn->gro_stamp, 0);
	/* Whoever still holds the pointer is done with it after this. */
	synchronize_net();
	gro_cells_destroy(&gro->cells);
	netif_napi_del(&gro->stamp);
	/* The NAPI ID hash is walked under RCU. */
	synchronize_net();
	kfree(gro);
}

/*
 * Device operations rather than a subsystem: a dying namespace runs this
 * before its devices go, so that the packets still queued in the cells
 * are freed while the devices they name exist.
 */
static struct pernet_operations kipsec_gro_net_ops = {
	.init = kipsec_gro_net_init,
	.exit = kipsec_gro_net_exit,
};

int kipsec_gro_init(void)
{
	return register_pernet_device(&kipsec_gro_net_ops);
}

void kipsec_gro_exit(void)
{
	unregister_pernet_device(&kipsec_gro_net_ops);
}

/*
 * Hands a decrypted inner packet, starting at its network header and with
 * skb->protocol set (kipsec_input_inner()), to GRO.
 * Called with BHs disabled and under RCU. Returns NET_RX_SUCCESS or
 * NET_RX_DROP (queue full: @skb is freed) or -EOPNOTSUPP (no GRO here:
 * @skb is untouched).
 */
int kipsec_gro_receive(struct net *net, struct sk_buff *skb)
{
	struct kipsec_net *kn = kipsec_net(net);
	struct kipsec_gro *gro = rcu_dereference(kn->gro);

	if (!gro)
		return -EOPNOTSUPP;

	/* GRO compares link-layer headers: give the inner packet the outer's. */
	skb_mac_header_rebuild(skb);
	if (skb->dev->type == ARPHRD_ETHER && skb->mac_len == ETH_HLEN)
		eth_hdr(skb)->h_proto = skb->protocol;
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_clear_hash(skb);
	skb->encapsulation = 0;
	skb->pkt_type = PACKET_HOST;
	/* The ICV covered every byte: as WireGuard does, trust it. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = SKB_MAX_CSUM_LEVEL;
	/* Set outright: skb_mark_napi_id() keeps an ID already there. */
	skb->napi_id = READ_ONCE(kn->gro_stamp);
	return gro_cells_receive(&gro->cells, skb);
}

/* Whether @skb was decrypted here and came through GRO; clears the mark. */
bool kipsec_gro_take_stamp(const struct net *net, struct sk_buff *skb)
{
	unsigned int stamp = READ_ONCE(kipsec_net(net)->gro_stamp);

	if (!stamp || skb->napi_id != stamp)
		return false;
	skb->napi_id = 0;
	return true;
}

#else /* !CONFIG_NET_RX_BUSY_POLL: no NAPI ID to carry the mark in */

int kipsec_gro_init(void)
{
	return 0;
}

void kipsec_gro_exit(void)
{
}

int kipsec_gro_receive(struct net *net, struct sk_buff *skb)
{
	return -EOPNOTSUPP;
}

bool kipsec_gro_take_stamp(const struct net *net, struct sk_buff *skb)
{
	return false;
}

#endif
