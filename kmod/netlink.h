/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "kipsec" generic netlink family: the control path's only interface.
 */
#ifndef _KIPSEC_NETLINK_H
#define _KIPSEC_NETLINK_H

int kipsec_genl_init(void);
void kipsec_genl_exit(void);

#endif /* _KIPSEC_NETLINK_H */
