/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KIPSEC_MSS_H
#define _KIPSEC_MSS_H

#include <linux/skbuff.h>
#include <linux/types.h>

void kipsec_mss_clamp(struct sk_buff *skb, u8 family, unsigned int max_len);

#endif /* _KIPSEC_MSS_H */
