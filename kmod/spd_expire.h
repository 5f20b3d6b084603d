/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy lifetimes: a policy added with KIPSEC_A_POL_LIFETIME is deleted by
 * kipsec itself when that many seconds (boot clock) have passed, and the
 * deletion is announced as KIPSEC_CMD_POLICY_DEL. One delayed work per
 * namespace, armed for the nearest deadline: nothing on the packet path.
 */
#ifndef _KIPSEC_SPD_EXPIRE_H
#define _KIPSEC_SPD_EXPIRE_H

#include <linux/types.h>

struct kipsec_net;
struct kipsec_policy;

/* kipsec_net.lock held, @pol just inserted: starts its clock, if any. */
void kipsec_spd_expire_start(struct kipsec_net *kn, struct kipsec_policy *pol);
/* kipsec_net.lock held, @pol leaving the tables for any reason. */
void kipsec_spd_expire_forget(struct kipsec_net *kn,
			      const struct kipsec_policy *pol);
/* Seconds left, rounded up; 0 once the lifetime has run out. */
u32 kipsec_spd_expires_in(const struct kipsec_policy *pol);

void kipsec_spd_expire_net_init(struct kipsec_net *kn);
/* Before the namespace's policies are freed; no lock held. */
void kipsec_spd_expire_net_exit(struct kipsec_net *kn);

#endif /* _KIPSEC_SPD_EXPIRE_H */
