/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security policy database: the policy object, the flow the packet path
 * looks up, and the per-namespace tables.
 */
#ifndef _KIPSEC_SPD_H
#define _KIPSEC_SPD_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <kipsec.h>

#include "sadb.h"

struct kipsec_net;

/* A port range in host order; 0..65535 matches every port. */
struct kipsec_port_range {
	u16 min;
	u16 max;
};

struct kipsec_selector {
	union kipsec_addr saddr;	/* bits beyond the prefix are zero */
	union kipsec_addr daddr;
	u8 family;			/* AF_INET or AF_INET6 */
	u8 splen;
	u8 dplen;
	u8 proto;			/* 0: any */
	struct kipsec_port_range sport;
	struct kipsec_port_range dport;
};

struct kipsec_tmpl {
	union kipsec_addr saddr;	/* tunnel endpoints, tunnel mode only */
	union kipsec_addr daddr;
	u8 family;			/* of the endpoints; 0 in transport mode */
	u8 proto;			/* IPPROTO_ESP or IPPROTO_AH */
	u8 mode;			/* enum kipsec_mode */
	u8 level;			/* enum kipsec_pol_level */
	u32 reqid;			/* 0: any */
};

/* Everything a policy is made from, as parsed from KIPSEC_CMD_POLICY_NEW. */
struct kipsec_policy_cfg {
	struct kipsec_selector sel;
	u8 dir;				/* enum kipsec_pol_dir */
	u8 action;			/* enum kipsec_pol_action */
	u32 priority;
	struct kipsec_tmpl tmpl;	/* KIPSEC_ACTION_PROTECT only */
	u32 lifetime;			/* seconds; 0: none */
};

struct kipsec_policy {
	struct kipsec_policy_cfg cfg;
	u32 index;			/* in kipsec_net.pol_ids; never 0 */
	u64 seq;			/* insertion order; never wraps */
	u64 expires_ns;			/* boot clock; 0: no lifetime */
	struct rcu_head rcu;
};

/*
 * One direction's policies in lookup order (priority, then seq), as an
 * array that writers replace as a whole: a reader on the packet path walks
 * it without a lock or a retry.
 */
struct kipsec_spd_table {
	struct rcu_head rcu;
	unsigned int count;
	struct kipsec_policy *pols[];
};

/* What the packet path knows of a packet; ports in host order, 0 if none. */
struct kipsec_flow {
	union kipsec_addr saddr;
	union kipsec_addr daddr;
	u8 family;
	u8 proto;
	u16 sport;
	u16 dport;
};

bool kipsec_selector_match(const struct kipsec_selector *sel,
			   const struct kipsec_flow *flow);
void kipsec_selector_mask(struct kipsec_selector *sel);

struct kipsec_policy *kipsec_spd_lookup_rcu(struct net *net, u8 dir,
					    const struct kipsec_flow *flow);

int kipsec_spd_insert(struct kipsec_net *kn,
		      const struct kipsec_policy_cfg *cfg, u32 *index);
int kipsec_spd_delete_index(struct kipsec_net *kn, u32 index,
			    struct kipsec_policy *deleted);
int kipsec_spd_delete_sel(struct kipsec_net *kn, u8 dir,
			  const struct kipsec_selector *sel,
			  const u32 *priority, struct kipsec_policy *deleted);
unsigned int kipsec_spd_flush(struct kipsec_net *kn, u8 dir);

/* A move of tunnel endpoints, kipsec_spd_move_prepare() and after. */
struct kipsec_spd_move {
	union kipsec_addr old_saddr, old_daddr;
	union kipsec_addr new_saddr, new_daddr;
	u8 family;
	u8 proto;
	u32 reqid;
	struct kipsec_spd_table *tbl[KIPSEC_DIR_MAX];	/* NULL: unchanged */
};

int kipsec_spd_move_prepare(struct kipsec_net *kn, struct kipsec_spd_move *mv);
void kipsec_spd_move_abort(struct kipsec_net *kn, struct kipsec_spd_move *mv);
unsigned int kipsec_spd_move_commit(struct kipsec_net *kn,
				    struct kipsec_spd_move *mv);

struct kipsec_policy *kipsec_spd_find(struct kipsec_net *kn, u32 index);
struct kipsec_policy *kipsec_spd_next(struct kipsec_net *kn, u8 *dir,
				      u32 *priority, u64 *seq);

int kipsec_spd_net_init(struct kipsec_net *kn);
void kipsec_spd_net_exit(struct kipsec_net *kn);

#endif /* _KIPSEC_SPD_H */
