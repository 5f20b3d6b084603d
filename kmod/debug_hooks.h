/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test hooks of DEBUG builds (`make kmod KIPSEC_DEBUG=1`). Each makes a
 * timing that real systems meet, but too rarely to meet on demand, happen
 * when a guest test asks for it through a module parameter. Product
 * builds get the empty stubs below and carry none of it.
 */
#ifndef _KIPSEC_DEBUG_HOOKS_H
#define _KIPSEC_DEBUG_HOOKS_H

#include <linux/types.h>

struct kipsec_net;
struct net;
struct padata_priv;

#ifdef KIPSEC_DEBUG
bool kipsec_debug_hold_crypto(struct padata_priv *padata,
			      const struct net *net);
void kipsec_debug_hold_exit(void);
void kipsec_debug_delay_event(void);
void kipsec_debug_net_freed(struct kipsec_net *kn, const struct net *net);
u32 kipsec_debug_first_policy_index(void);
#else
static inline bool kipsec_debug_hold_crypto(struct padata_priv *padata,
					    const struct net *net)
{
	return false;
}

static inline void kipsec_debug_hold_exit(void)
{
}

static inline void kipsec_debug_delay_event(void)
{
}

static inline void kipsec_debug_net_freed(struct kipsec_net *kn,
					  const struct net *net)
{
}

static inline u32 kipsec_debug_first_policy_index(void)
{
	return 0;
}
#endif

#endif /* _KIPSEC_DEBUG_HOOKS_H */
