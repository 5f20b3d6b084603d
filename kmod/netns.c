// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace set-up and tear-down. A namespace's exit frees every
 * policy, SA and reservation it holds, so nothing outlives it.
 */

#include <linux/module.h>

#include "acquire.h"
#include "debug_hooks.h"
#include "gro.h"
#include "netns.h"
#include "packet.h"
#include "sadb.h"
#include "spd.h"
#include "spi.h"

unsigned int kipsec_net_id __read_mostly;

static int __net_init kipsec_net_init(struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);
	int err;

	write_pnet(&kn->net, net);
	mutex_init(&kn->lock);

	kn->stats = kipsec_stats_alloc(GFP_KERNEL);
	if (!kn->stats)
		return -ENOMEM;
	err = kipsec_pkt_net_init(kn);
	if (err)
		goto err_stats;

	err = kipsec_sadb_net_init(kn);
	if (err)
		goto err_pkts;
	err = kipsec_spi_net_init(kn);
	if (err)
		goto err_sadb;
	err = kipsec_spd_net_init(kn);
	if (err)
		goto err_spi;
	err = kipsec_acquire_net_init(kn);
	if (err)
		goto err_spd;
	/* Last: from here on packets come in. */
	err = kipsec_hooks_net_init(net);
	if (err)
		goto err_acquire;
	return 0;

err_acquire:
	kipsec_acquire_net_exit(kn);
err_spd:
	kipsec_spd_net_exit(kn);
err_spi:
	kipsec_spi_net_exit(kn);

err_sadb:
	kipsec_sadb_net_exit(kn);
err_pkts:
	kipsec_pkt_net_exit(kn);
err_stats:
	free_percpu(kn->stats);
	return err;
}

static void __net_exit kipsec_net_exit(struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);

	/* No new packets; then none in flight either. */
	kipsec_hooks_net_exit(net);
	kipsec_pkt_net_exit(kn);
	/* Policies first: the packet path will go from them to SAs. */
	kipsec_spd_net_exit(kn);
	kipsec_acquire_net_exit(kn);
	/* SAs next: flushing them also drops their reservations. */
	kipsec_sadb_net_exit(kn);
	kipsec_spi_net_exit(kn);
	free_percpu(kn->stats);
	kipsec_debug_net_freed(kn, net);
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kipsec_net_ops = {
	.init = kipsec_net_init,
	.exit = kipsec_net_exit,
	.id = &kipsec_net_id,
	.size = sizeof(struct kipsec_net),
};

int kipsec_netns_init(void)
{
	int err;

	err = register_pernet_subsys(&kipsec_net_ops);
	if (err)
		return err;
	err = kipsec_gro_init();
	if (err)
		unregister_pernet_subsys(&kipsec_net_ops);
	return err;
}

void kipsec_netns_exit(void)
{
	kipsec_gro_exit();
	unregister_pernet_subsys(&kipsec_net_ops);
}
