/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-network-namespace state. Everything kipsec knows lives here, so that
 * namespaces never see each other's SAs and a dying namespace takes its
 * state with it.
 */
#ifndef _KIPSEC_NETNS_H
#define _KIPSEC_NETNS_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"

struct kipsec_spd_table;
struct kipsec_acquire_net;
struct kipsec_gro;

struct kipsec_net {
	possible_net_t net;		/* the namespace this is part of */

	/*
	 * Serialises every writer of the SA database, the SPI reservations
	 * and the policy database, and dumps; lookups on the packet path use
	 * RCU.
	 */
	struct mutex lock;

	/* SA database, see sadb.c. */
	struct rhashtable sas;		/* by (SPI, daddr, proto, family) */
	struct rhltable sas_by_dst;	/* by (daddr, proto, family), output */
	u64 sa_serial;
	/* UDP ports of ESP-in-UDP SAs: where inbound ESP may arrive in UDP. */
	unsigned long *encap_ports;
	struct xarray encap_refs;	/* port -> SAs using it */
	unsigned int encap_sa_count;
	struct xarray sa_ids;		/* by insertion id: dump order */
	u32 sa_next_id;
	unsigned int sa_count;
	u32 sa_gen;			/* bumped on every change; never 0 */

	/* SPI reservations, see spi.c. */
	struct rhashtable spi_resv;
	struct list_head spi_resv_list;
	unsigned int spi_resv_count;
	unsigned long spi_gc_next;	/* jiffies, valid while queued */
	struct delayed_work spi_gc;

	/* Security policy database, see spd.c. */
	struct kipsec_spd_table __rcu *spd[KIPSEC_DIR_MAX];	/* by dir - 1 */
	struct xarray pol_ids;		/* by index */
	u32 pol_next_id;
	u64 pol_next_seq;
	unsigned int pol_count;
	u32 pol_gen;			/* bumped on every change; never 0 */
	/* Policy lifetimes, see spd_expire.c. */
	unsigned int pol_life_count;	/* policies with a lifetime */
	u64 pol_expire_next;		/* boot clock, valid while queued */
	struct delayed_work pol_expire;

	/* Flows that raised an ACQUIRE, see acquire.c. */
	struct kipsec_acquire_net *acq;

	/* Receive offload for decrypted tunnel traffic, see gro.c. */
	struct kipsec_gro __rcu *gro;
	unsigned int gro_stamp;		/* NAPI ID marking its packets */

	struct kipsec_stats __percpu *stats;

	/*
	 * This namespace's packets in a transform, see packet.c. Its exit
	 * waits for them: their device reference does not hold it up when
	 * the device is moved back to init_net (a physical NIC) rather than
	 * unregistered, nor when the module is unloaded.
	 */
	struct percpu_ref pkts;
	struct completion pkts_done;
};

extern unsigned int kipsec_net_id;

static inline struct kipsec_net *kipsec_net(const struct net *net)
{
	return net_generic(net, kipsec_net_id);
}

int kipsec_netns_init(void);
void kipsec_netns_exit(void);

#endif /* _KIPSEC_NETNS_H */
