// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload. Set-up runs bottom-up: counters, the SA free
 * queue, padata, namespaces (each counting its packets in flight), and last
 * the netlink family that makes it all reachable; tear-down runs the other
 * way.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <kipsec.h>

#include "netlink.h"
#include "netns.h"
#include "packet.h"
#include "parallel.h"
#include "sadb.h"
#include "selftest.h"
#include "stats.h"
#include <kipsec_version.h>

/*
 * Everything below the namespaces, for kipsec_exit() and for a failed
 * kipsec_init() once the hooks are in.
 */
static void kipsec_teardown(void)
{
	/* The last packets' frees may still be returning into this module. */
	kipsec_pkt_exit();
	/* And padata's workqueues drained, whose steps are our code too. */
	kipsec_par_exit();
	kipsec_hooks_exit();
	kipsec_esp_exit();
	kipsec_sadb_exit();
	kipsec_stats_exit();
}

static int __init kipsec_init(void)
{
	int ret;

	ret = kipsec_selftest();
	if (ret)
		return ret;

	ret = kipsec_stats_init();
	if (ret)
		return ret;
	ret = kipsec_sadb_init();
	if (ret)
		goto err_stats;
	ret = kipsec_par_init();
	if (ret)
		goto err_sadb;
	kipsec_hooks_init();
	ret = kipsec_netns_init();
	if (ret)
		goto err_hooks;
	ret = kipsec_genl_init();
	if (ret)
		goto err_netns;

	pr_info("version " KIPSEC_VERSION " loaded\n");
	return 0;

err_netns:
	kipsec_netns_exit();
err_hooks:
	kipsec_teardown();
	return ret;
err_sadb:
	kipsec_sadb_exit();
err_stats:
	kipsec_stats_exit();
	return ret;
}

static void __exit kipsec_exit(void)
{
	kipsec_genl_exit();
	kipsec_netns_exit();
	kipsec_teardown();
	pr_info("version " KIPSEC_VERSION " unloaded\n");
}

module_init(kipsec_init);
module_exit(kipsec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec (ESP, AH) for Linux gateways");
MODULE_AUTHOR("The kipsec authors");
MODULE_VERSION(KIPSEC_VERSION);
MODULE_ALIAS_GENL_FAMILY(KIPSEC_GENL_NAME);
