/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "kipsec" generic netlink family: the control path's only interface.
 * netlink.c owns the family and its command table; netlink_sa.c the SA and
 * SPI commands, netlink_policy.c the policy commands. What they share, and
 * what the table needs of them, is declared here once.
 */
#ifndef _KIPSEC_NETLINK_H
#define _KIPSEC_NETLINK_H

#include <linux/in.h>
#include <net/genetlink.h>
#include <kipsec.h>

#include "sadb.h"

enum {
	KIPSEC_MCGRP_EVENTS_IDX,
};

extern struct genl_family kipsec_family;

/*
 * Required-attribute check that both marks the attribute as missing in the
 * ack (NLMSGERR_ATTR_MISS_TYPE) and says so in words.
 */
#define KIPSEC_REQUIRE(info, attr) ({					\
	struct genl_info *__kinfo = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__kinfo, attr);		\
									\
	if (__missing)							\
		NL_SET_ERR_MSG_ATTR(__kinfo->extack, NULL,		\
				    #attr ": required attribute missing"); \
	__missing;							\
})

int kipsec_nl_validate_addr(const struct nlattr *attr,
			    struct netlink_ext_ack *extack);

#define KIPSEC_POLICY_ADDR \
	NLA_POLICY_VALIDATE_FN(NLA_BINARY, kipsec_nl_validate_addr)
#define KIPSEC_POLICY_PROTO \
	NLA_POLICY_RANGE(NLA_U8, IPPROTO_ESP, IPPROTO_AH)

void kipsec_nl_err(struct netlink_ext_ack *extack,
		   const struct nlattr *attr, const char *msg);
u8 kipsec_nl_get_addr(const struct nlattr *attr, union kipsec_addr *addr);
/* -EINVAL, with @msg, if a dump request carries any attribute. */
int kipsec_nl_dump_no_attrs(struct netlink_callback *cb, const char *msg);
/* KIPSEC_A_SA_SPI, _DST and _PROTO, all required: an SA's identity. */
int kipsec_nl_parse_id(struct genl_info *info, struct kipsec_sa_key *key);
/* Announces a change @info made to @sa as event @cmd. */
void kipsec_nl_notify_sa(struct genl_info *info, const struct kipsec_sa *sa,
			 u8 cmd);
bool kipsec_nl_want_notify(struct genl_info *info);
void kipsec_nl_notify_flush(struct genl_info *info, u8 cmd, int scope_attr,
			    u8 scope);
/* The attributes of an SA_GET reply; also for expire events. */
int kipsec_nl_put_sa(struct sk_buff *skb, const struct kipsec_sa *sa);
/* Sends @skb to the event group of @net; any context. */
void kipsec_nl_multicast(struct net *net, struct sk_buff *skb);

/* netlink_sa.c */
extern const struct nla_policy kipsec_sa_new_policy[KIPSEC_A_SA_SEQ_OUT + 1];
extern const struct nla_policy kipsec_sa_id_policy[KIPSEC_A_SA_PROTO + 1];
extern const struct nla_policy kipsec_sa_flush_policy[KIPSEC_A_SA_PROTO + 1];
extern const struct nla_policy kipsec_spi_alloc_policy[KIPSEC_A_SPI_TIMEOUT + 1];

int kipsec_nl_sa_new(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_sa_del(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_sa_get(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_sa_dump_start(struct netlink_callback *cb);
int kipsec_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb);
int kipsec_nl_sa_flush(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_spi_alloc(struct sk_buff *skb, struct genl_info *info);

/* netlink_policy.c */
struct kipsec_policy;
/* The attributes of a POLICY_GET reply; also for ACQUIRE events. */
int kipsec_nl_put_policy(struct sk_buff *skb, const struct kipsec_policy *pol);
extern const struct nla_policy kipsec_pol_new_policy[KIPSEC_A_POL_LIFETIME + 1];
extern const struct nla_policy kipsec_pol_del_policy[KIPSEC_A_POL_DPORT_MAX + 1];
extern const struct nla_policy kipsec_pol_get_policy[KIPSEC_A_POL_INDEX + 1];
extern const struct nla_policy kipsec_pol_flush_policy[KIPSEC_A_POL_DIR + 1];

int kipsec_nl_policy_new(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_policy_del(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_policy_get(struct sk_buff *skb, struct genl_info *info);
int kipsec_nl_policy_dump_start(struct netlink_callback *cb);
int kipsec_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb);
int kipsec_nl_policy_flush(struct sk_buff *skb, struct genl_info *info);

int kipsec_genl_init(void);
void kipsec_genl_exit(void);

#endif /* _KIPSEC_NETLINK_H */
