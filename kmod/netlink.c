// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "kipsec": the family, its command table and event
 * group, what every command's handler shares, and KIPSEC_CMD_STATS_GET.
 * The commands live with their objects: netlink_sa.c (SAs, SPIs),
 * netlink_policy.c (policies), nat.c (the NAT move). The attribute trees
 * are documented in include/kipsec.h.
 *
 * Shape errors (type, length, range, flag bits) are caught by the per-command
 * policies before a handler runs; everything that needs more than one
 * attribute, or the algorithm table, to judge is checked in the handler, and
 * every refusal carries an extended-ack message that starts with the name of
 * the attribute at fault.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <kipsec.h>

#include "debug_hooks.h"
#include "nat.h"
#include "netlink.h"
#include "netns.h"
#include "stats.h"

/*
 * For messages chosen at run time from the algorithm table; like those of
 * NL_SET_ERR_MSG(), they are static strings that outlive the request.
 */
void kipsec_nl_err(struct netlink_ext_ack *extack,
		   const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

/*
 * For a dump's start callback: a dump lists everything, so an attribute in
 * the request would be a filter we do not apply; refuse it rather than
 * ignore it. 6.1 does not hand the request's extack to dump start
 * callbacks (cb->extack is NULL there), so only later kernels show @msg.
 */
int kipsec_nl_dump_no_attrs(struct netlink_callback *cb, const char *msg)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	unsigned int i;

	for (i = 0; i <= di->op.maxattr; i++) {
		if (di->attrs[i]) {
			kipsec_nl_err(cb->extack, di->attrs[i], msg);
			return -EINVAL;
		}
	}
	return 0;
}

int kipsec_nl_validate_addr(const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == sizeof(__be32) ||
	    nla_len(attr) == sizeof(struct in6_addr))
		return 0;

	switch (nla_type(attr)) {
	case KIPSEC_A_SA_SRC:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_SA_SRC: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_SA_NEW_SRC:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_SA_NEW_SRC: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_SA_NEW_DST:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_SA_NEW_DST: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_POL_SRC:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_POL_SRC: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_POL_DST:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_POL_DST: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_POL_TMPL_SRC:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_POL_TMPL_SRC: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	case KIPSEC_A_POL_TMPL_DST:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_POL_TMPL_DST: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "KIPSEC_A_SA_DST: must be 4 (IPv4) or 16 (IPv6) bytes");
		break;
	}
	return -EINVAL;
}

u8 kipsec_nl_get_addr(const struct nlattr *attr, union kipsec_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, sizeof(*addr));
	return nla_len(attr) == sizeof(__be32) ? AF_INET : AF_INET6;
}

/* Set at unload, before the family goes; see kipsec_nl_multicast(). */
static bool kipsec_nl_closed;

/*
 * For events raised by timers and packets rather than by a request: their
 * work items may run while the module unloads, after the family (and its
 * group id) is gone.
 */
void kipsec_nl_multicast(struct net *net, struct sk_buff *skb)
{
	rcu_read_lock();
	if (!READ_ONCE(kipsec_nl_closed))
		genlmsg_multicast_netns(&kipsec_family, net, skb, 0,
					KIPSEC_MCGRP_EVENTS_IDX, GFP_ATOMIC);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

/*
 * Every announcement of a change to the SA or policy database asks this
 * first, and is sent before the lock that made the change is released.
 * Requests run in parallel (parallel_ops), so otherwise an add and a
 * racing delete of the same SA could reach a listener as DEL before NEW,
 * and a daemon that mirrors the databases from the events would keep an
 * SA that is gone. XFRM gets the same order from its configuration mutex.
 */
bool kipsec_nl_want_notify(struct genl_info *info)
{
	lockdep_assert_held(&kipsec_net(genl_info_net(info))->lock);
	kipsec_debug_delay_event();
	return (info->nlhdr->nlmsg_flags & NLM_F_ECHO) ||
	       genl_has_listeners(&kipsec_family, genl_info_net(info),
				  KIPSEC_MCGRP_EVENTS_IDX);
}

/*
 * Flushes are announced like other changes. @scope_attr carries what the
 * flush was restricted to (a protocol, a direction); @scope 0 means all.
 */
void kipsec_nl_notify_flush(struct genl_info *info, u8 cmd, int scope_attr,
			    u8 scope)
{
	struct sk_buff *msg;
	void *hdr;

	if (!kipsec_nl_want_notify(info))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &kipsec_family,
			  0, cmd);
	if (!hdr || (scope && nla_put_u8(msg, scope_attr, scope))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genl_notify(&kipsec_family, msg, info, KIPSEC_MCGRP_EVENTS_IDX,
		    GFP_KERNEL);
}

static int kipsec_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	unsigned int sa_count, resv_count, pol_count;
	struct kipsec_stats_sum sum;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	sa_count = kn->sa_count;
	resv_count = kn->spi_resv_count;
	pol_count = kn->pol_count;
	mutex_unlock(&kn->lock);
	kipsec_stats_read(kn->stats, &sum);

	hdr = genlmsg_put_reply(msg, info, &kipsec_family, 0,
				KIPSEC_CMD_STATS_GET);
	if (!hdr ||
	    nla_put_u32(msg, KIPSEC_A_STATS_SA_COUNT, sa_count) ||
	    nla_put_u32(msg, KIPSEC_A_STATS_SPI_RESERVED, resv_count) ||
	    nla_put_u32(msg, KIPSEC_A_STATS_POLICY_COUNT, pol_count) ||
	    kipsec_stats_put(msg, KIPSEC_A_STATS, &sum, false)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Full genl_ops for the per-command policies; a command without one (here
 * STATS_GET) gets the core's reject-everything policy, because
 * resv_start_op is 0.
 */
static const struct genl_ops kipsec_ops[] = {
	{
		.cmd = KIPSEC_CMD_SA_NEW,
		.doit = kipsec_nl_sa_new,
		.policy = kipsec_sa_new_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_new_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_DEL,
		.doit = kipsec_nl_sa_del,
		.policy = kipsec_sa_id_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_GET,
		.doit = kipsec_nl_sa_get,
		.start = kipsec_nl_sa_dump_start,
		.dumpit = kipsec_nl_sa_dump,
		.policy = kipsec_sa_id_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_FLUSH,
		.doit = kipsec_nl_sa_flush,
		.policy = kipsec_sa_flush_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_flush_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SPI_ALLOC,
		.doit = kipsec_nl_spi_alloc,
		.policy = kipsec_spi_alloc_policy,
		.maxattr = ARRAY_SIZE(kipsec_spi_alloc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_STATS_GET,
		.doit = kipsec_nl_stats_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_POLICY_NEW,
		.doit = kipsec_nl_policy_new,
		.policy = kipsec_pol_new_policy,
		.maxattr = ARRAY_SIZE(kipsec_pol_new_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_POLICY_DEL,
		.doit = kipsec_nl_policy_del,
		.policy = kipsec_pol_del_policy,
		.maxattr = ARRAY_SIZE(kipsec_pol_del_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_POLICY_GET,
		.doit = kipsec_nl_policy_get,
		.start = kipsec_nl_policy_dump_start,
		.dumpit = kipsec_nl_policy_dump,
		.policy = kipsec_pol_get_policy,
		.maxattr = ARRAY_SIZE(kipsec_pol_get_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_POLICY_FLUSH,
		.doit = kipsec_nl_policy_flush,
		.policy = kipsec_pol_flush_policy,
		.maxattr = ARRAY_SIZE(kipsec_pol_flush_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_SET,
		.doit = kipsec_nl_sa_set,
		.policy = kipsec_sa_set_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group kipsec_mcgrps[] = {
	/*
	 * Events describe SAs and policies: listening needs the same right
	 * as asking.
	 */
	[KIPSEC_MCGRP_EVENTS_IDX] = {
		.name = KIPSEC_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family kipsec_family __ro_after_init = {
	.name = KIPSEC_GENL_NAME,
	.version = KIPSEC_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	/* Handlers take kipsec_net.lock; no need for the global genl_mutex. */
	.parallel_ops = true,
	/* 0: strict validation and policies for every command, as is due. */
	.resv_start_op = 0,
	.ops = kipsec_ops,
	.n_ops = ARRAY_SIZE(kipsec_ops),
	.mcgrps = kipsec_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kipsec_mcgrps),
};

int __init kipsec_genl_init(void)
{
	return genl_register_family(&kipsec_family);
}

void kipsec_genl_exit(void)
{
	WRITE_ONCE(kipsec_nl_closed, true);
	/* No kipsec_nl_multicast() is still sending after this. */
	synchronize_rcu();
	genl_unregister_family(&kipsec_family);
}
