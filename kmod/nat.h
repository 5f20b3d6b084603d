/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT traversal beyond the encapsulation itself (esp.c does that): moving
 * an ESP-in-UDP SA to new ports, and telling the key manager when authentic
 * ESP arrives from an address or port the SA does not expect.
 */
#ifndef _KIPSEC_NAT_H
#define _KIPSEC_NAT_H

#include <net/genetlink.h>
#include <kipsec.h>

struct kipsec_pkt;

/* KIPSEC_CMD_SA_SET */
extern const struct nla_policy kipsec_sa_set_policy[KIPSEC_A_SA_NEW_DST + 1];
int kipsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info);

/* After the ICV of an ESP-in-UDP packet verified: the peer moved? */
void kipsec_nat_input(struct kipsec_pkt *pkt);

#endif /* _KIPSEC_NAT_H */
