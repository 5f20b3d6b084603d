/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACQUIRE events: outbound traffic matched a protect policy that has no SA.
 * Raised once per flow until an SA for it arrives or the entry ages out
 * (KIPSEC_ACQUIRE_HOLD_SECONDS), never once per packet.
 */
#ifndef _KIPSEC_ACQUIRE_H
#define _KIPSEC_ACQUIRE_H

#include <net/net_namespace.h>
#include <kipsec.h>

struct kipsec_net;
struct kipsec_policy;
struct kipsec_flow;
struct kipsec_sa;

/* Packet path, RCU read side, BH context. */
void kipsec_acquire(struct net *net, const struct kipsec_policy *pol,
		    const struct kipsec_flow *flow);

/* An SA was added (kipsec_net.lock held): its flows may ask again. */
void kipsec_acquire_sa_added(struct kipsec_net *kn,
			     const struct kipsec_sa *sa);

int kipsec_acquire_net_init(struct kipsec_net *kn);
void kipsec_acquire_net_exit(struct kipsec_net *kn);

#endif /* _KIPSEC_ACQUIRE_H */
