// SPDX-License-Identifier: GPL-2.0
/*
 * The test hooks of DEBUG builds; see debug_hooks.h. Each is armed by
 * writing to its module parameter, and disarms itself after one use.
 */

#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/padata.h>
#include <linux/poison.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "debug_hooks.h"
#include "netns.h"

/*
 * Test 16: the next parallel packet's crypto finishes this many
 * milliseconds late, as on a slow crypto engine, so that a test can unload
 * the module or delete a namespace while a packet is in flight, outside
 * any RCU read-side section.
 */
static unsigned int debug_hold_ms;
module_param(debug_hold_ms, uint, 0600);
MODULE_PARM_DESC(debug_hold_ms,
		 "DEBUG builds: the next parallel packet's crypto completes this many ms late");

static struct padata_priv *kipsec_debug_held;
static unsigned int kipsec_debug_held_ns;

static void kipsec_debug_release_held(struct work_struct *work)
{
	struct padata_priv *padata = xchg(&kipsec_debug_held, NULL);

	pr_info("debug: held packet of namespace %u released\n",
		kipsec_debug_held_ns);
	local_bh_disable();
	padata_do_serial(padata);
	local_bh_enable();
}

static DECLARE_DELAYED_WORK(kipsec_debug_hold_work, kipsec_debug_release_held);

/* True: @padata is held, and its padata_do_serial() will come later. */
bool kipsec_debug_hold_crypto(struct padata_priv *padata,
			      const struct net *net)
{
	unsigned int ms = xchg(&debug_hold_ms, 0);

	if (!ms || cmpxchg(&kipsec_debug_held, NULL, padata))
		return false;
	kipsec_debug_held_ns = net->ns.inum;
	pr_info("debug: holding a packet of namespace %u for %u ms\n",
		net->ns.inum, ms);
	schedule_delayed_work(&kipsec_debug_hold_work, msecs_to_jiffies(ms));
	return true;
}

/* Before padata goes: the work that released a packet may still run. */
void kipsec_debug_hold_exit(void)
{
	flush_delayed_work(&kipsec_debug_hold_work);
}

/*
 * Test 26: the next announcement of a change is sent this many
 * milliseconds late, as if its sender had been preempted just before, so
 * that a test can race another change past it.
 */
static unsigned int debug_event_delay_ms;
module_param(debug_event_delay_ms, uint, 0600);
MODULE_PARM_DESC(debug_event_delay_ms,
		 "DEBUG builds: the next change's event is sent this many ms late");

void kipsec_debug_delay_event(void)
{
	unsigned int ms = xchg(&debug_event_delay_ms, 0);

	if (ms) {
		pr_info("debug: delaying an event by %u ms\n", ms);
		msleep(ms);
	}
}

/*
 * Test 16: a packet that outlived its namespace faults on the poisoned
 * pointer instead of counting into freed per-CPU memory unnoticed, and the
 * log says when the state went.
 */
void kipsec_debug_net_freed(struct kipsec_net *kn, const struct net *net)
{
	kn->stats = (struct kipsec_stats __percpu *)POISON_POINTER_DELTA;
	pr_info("debug: namespace %u: state freed\n", net->ns.inum);
}

/*
 * Test 46: a namespace created next hands out policy indexes from this
 * one, so that a test can make them wrap past U32_MAX with a few policies
 * instead of 2^32.
 */
static unsigned int debug_first_policy_index;
module_param(debug_first_policy_index, uint, 0600);
MODULE_PARM_DESC(debug_first_policy_index,
		 "DEBUG builds: the next namespace's first policy index");

u32 kipsec_debug_first_policy_index(void)
{
	return xchg(&debug_first_policy_index, 0);
}
