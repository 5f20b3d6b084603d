/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receive offload for what tunnel-mode SAs decrypt, see gro.c.
 */
#ifndef _KIPSEC_GRO_H
#define _KIPSEC_GRO_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

int kipsec_gro_init(void);
void kipsec_gro_exit(void);
int kipsec_gro_receive(struct net *net, struct sk_buff *skb);
bool kipsec_gro_take_stamp(const struct net *net, struct sk_buff *skb);

#endif /* _KIPSEC_GRO_H */
