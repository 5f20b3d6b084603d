// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: the security policy commands (KIPSEC_CMD_POLICY_*).
 * The attribute trees are documented in include/kipsec.h; the conventions
 * are those of netlink.c: shapes in the per-command policies, everything
 * that needs more than one attribute to judge here, and every refusal with
 * an extended-ack message that starts with the name of the attribute.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <kipsec.h>

#include "netlink.h"
#include "netns.h"
#include "spd.h"
#include "spd_expire.h"

#define KIPSEC_POL_SELECTOR_POLICY					\
	[KIPSEC_A_POL_DIR] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_DIR_OUT,	\
					      KIPSEC_DIR_MAX),		\
	[KIPSEC_A_POL_PRIORITY] = { .type = NLA_U32 },			\
	[KIPSEC_A_POL_SRC] = KIPSEC_POLICY_ADDR,			\
	[KIPSEC_A_POL_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),		\
	[KIPSEC_A_POL_DST] = KIPSEC_POLICY_ADDR,			\
	[KIPSEC_A_POL_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),		\
	[KIPSEC_A_POL_PROTO] = { .type = NLA_U8 },			\
	[KIPSEC_A_POL_SPORT_MIN] = { .type = NLA_U16 },			\
	[KIPSEC_A_POL_SPORT_MAX] = { .type = NLA_U16 },			\
	[KIPSEC_A_POL_DPORT_MIN] = { .type = NLA_U16 },			\
	[KIPSEC_A_POL_DPORT_MAX] = { .type = NLA_U16 }

const struct nla_policy kipsec_pol_new_policy[KIPSEC_A_POL_LIFETIME + 1] = {
	KIPSEC_POL_SELECTOR_POLICY,
	[KIPSEC_A_POL_ACTION] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_ACTION_BYPASS,
						 KIPSEC_ACTION_MAX),
	[KIPSEC_A_POL_TMPL_PROTO] = KIPSEC_POLICY_PROTO,
	[KIPSEC_A_POL_TMPL_MODE] = NLA_POLICY_RANGE(NLA_U8,
						    KIPSEC_MODE_TRANSPORT,
						    KIPSEC_MODE_MAX),
	[KIPSEC_A_POL_TMPL_REQID] = { .type = NLA_U32 },
	[KIPSEC_A_POL_TMPL_SRC] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_POL_TMPL_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_POL_TMPL_LEVEL] = NLA_POLICY_RANGE(NLA_U8,
						     KIPSEC_LEVEL_REQUIRE,
						     KIPSEC_LEVEL_MAX),
	/*
	 * A range, not a validation function: the core reports an integer's
	 * range in the ack, and reads a function pointer as one (a WARN).
	 */
	[KIPSEC_A_POL_LIFETIME] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* By index, or by direction and selector: never an action or template. */
const struct nla_policy kipsec_pol_del_policy[KIPSEC_A_POL_DPORT_MAX + 1] = {
	KIPSEC_POL_SELECTOR_POLICY,
	[KIPSEC_A_POL_INDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy kipsec_pol_get_policy[KIPSEC_A_POL_INDEX + 1] = {
	[KIPSEC_A_POL_INDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy kipsec_pol_flush_policy[KIPSEC_A_POL_DIR + 1] = {
	[KIPSEC_A_POL_DIR] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_DIR_OUT,
					      KIPSEC_DIR_MAX),
};

static bool kipsec_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

/*
 * One port range from its two attributes. The messages are per attribute,
 * so the caller passes them in.
 */
static int kipsec_nl_parse_ports(struct genl_info *info, int min_type,
				 struct kipsec_port_range *r,
				 const char *max_alone, const char *max_below)
{
	struct nlattr *min = info->attrs[min_type];
	struct nlattr *max = info->attrs[min_type + 1];

	r->min = 0;
	r->max = U16_MAX;
	if (!min && !max)
		return 0;
	if (!min) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, min_type);
		kipsec_nl_err(info->extack, max, max_alone);
		return -EINVAL;
	}
	r->min = nla_get_u16(min);
	r->max = max ? nla_get_u16(max) : r->min;
	if (r->max < r->min) {
		kipsec_nl_err(info->extack, max, max_below);
		return -EINVAL;
	}
	return 0;
}

static int kipsec_nl_parse_plen(struct genl_info *info, int type, u8 family,
				u8 *plen, const char *too_long)
{
	struct nlattr *attr = info->attrs[type];
	u8 max = family == AF_INET ? 32 : 128;

	*plen = attr ? nla_get_u8(attr) : max;
	if (*plen > max) {
		kipsec_nl_err(info->extack, attr, too_long);
		return -EINVAL;
	}
	return 0;
}

/* The direction and the selector, for POLICY_NEW and POLICY_DEL. */
static int kipsec_nl_parse_selector(struct genl_info *info, u8 *dir,
				    struct kipsec_selector *sel)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct nlattr *port;
	int err;

	memset(sel, 0, sizeof(*sel));
	if (KIPSEC_REQUIRE(info, KIPSEC_A_POL_DIR) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_POL_SRC) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_POL_DST))
		return -EINVAL;
	*dir = nla_get_u8(attrs[KIPSEC_A_POL_DIR]);

	sel->family = kipsec_nl_get_addr(attrs[KIPSEC_A_POL_SRC], &sel->saddr);
	if (kipsec_nl_get_addr(attrs[KIPSEC_A_POL_DST], &sel->daddr) !=
	    sel->family) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_POL_DST],
				    "KIPSEC_A_POL_DST: address family differs from KIPSEC_A_POL_SRC");
		return -EINVAL;
	}
	err = kipsec_nl_parse_plen(info, KIPSEC_A_POL_SRC_PLEN, sel->family,
				   &sel->splen,
				   "KIPSEC_A_POL_SRC_PLEN: longer than the address (32 bits for IPv4)");
	if (err)
		return err;
	err = kipsec_nl_parse_plen(info, KIPSEC_A_POL_DST_PLEN, sel->family,
				   &sel->dplen,
				   "KIPSEC_A_POL_DST_PLEN: longer than the address (32 bits for IPv4)");
	if (err)
		return err;
	kipsec_selector_mask(sel);

	if (attrs[KIPSEC_A_POL_PROTO])
		sel->proto = nla_get_u8(attrs[KIPSEC_A_POL_PROTO]);
	err = kipsec_nl_parse_ports(info, KIPSEC_A_POL_SPORT_MIN, &sel->sport,
				    "KIPSEC_A_POL_SPORT_MAX: needs KIPSEC_A_POL_SPORT_MIN",
				    "KIPSEC_A_POL_SPORT_MAX: below KIPSEC_A_POL_SPORT_MIN");
	if (err)
		return err;
	err = kipsec_nl_parse_ports(info, KIPSEC_A_POL_DPORT_MIN, &sel->dport,
				    "KIPSEC_A_POL_DPORT_MAX: needs KIPSEC_A_POL_DPORT_MIN",
				    "KIPSEC_A_POL_DPORT_MAX: below KIPSEC_A_POL_DPORT_MIN");
	if (err)
		return err;

	/* Other protocols have no ports: such a selector could never match. */
	if (kipsec_proto_has_ports(sel->proto))
		return 0;
	port = attrs[KIPSEC_A_POL_SPORT_MIN] ?: attrs[KIPSEC_A_POL_SPORT_MAX];
	if (port) {
		NL_SET_ERR_MSG_ATTR(extack, port,
				    "KIPSEC_A_POL_SPORT_MIN: ports need KIPSEC_A_POL_PROTO TCP, UDP, SCTP or UDP-Lite");
		return -EINVAL;
	}
	port = attrs[KIPSEC_A_POL_DPORT_MIN] ?: attrs[KIPSEC_A_POL_DPORT_MAX];
	if (port) {
		NL_SET_ERR_MSG_ATTR(extack, port,
				    "KIPSEC_A_POL_DPORT_MIN: ports need KIPSEC_A_POL_PROTO TCP, UDP, SCTP or UDP-Lite");
		return -EINVAL;
	}
	return 0;
}

static const struct {
	int type;
	const char *msg;
} kipsec_tmpl_attrs[] = {
	{ KIPSEC_A_POL_TMPL_PROTO,
	  "KIPSEC_A_POL_TMPL_PROTO: an SA template is for protect policies only" },
	{ KIPSEC_A_POL_TMPL_MODE,
	  "KIPSEC_A_POL_TMPL_MODE: an SA template is for protect policies only" },
	{ KIPSEC_A_POL_TMPL_REQID,
	  "KIPSEC_A_POL_TMPL_REQID: an SA template is for protect policies only" },
	{ KIPSEC_A_POL_TMPL_SRC,
	  "KIPSEC_A_POL_TMPL_SRC: an SA template is for protect policies only" },
	{ KIPSEC_A_POL_TMPL_DST,
	  "KIPSEC_A_POL_TMPL_DST: an SA template is for protect policies only" },
	{ KIPSEC_A_POL_TMPL_LEVEL,
	  "KIPSEC_A_POL_TMPL_LEVEL: an SA template is for protect policies only" },
};

static int kipsec_nl_parse_tmpl(struct genl_info *info,
				struct kipsec_tmpl *tmpl)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct nlattr *tsrc = attrs[KIPSEC_A_POL_TMPL_SRC];
	struct nlattr *tdst = attrs[KIPSEC_A_POL_TMPL_DST];

	if (KIPSEC_REQUIRE(info, KIPSEC_A_POL_TMPL_PROTO) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_POL_TMPL_MODE))
		return -EINVAL;
	tmpl->proto = nla_get_u8(attrs[KIPSEC_A_POL_TMPL_PROTO]);
	tmpl->mode = nla_get_u8(attrs[KIPSEC_A_POL_TMPL_MODE]);
	tmpl->level = KIPSEC_LEVEL_REQUIRE;
	if (attrs[KIPSEC_A_POL_TMPL_LEVEL])
		tmpl->level = nla_get_u8(attrs[KIPSEC_A_POL_TMPL_LEVEL]);
	if (attrs[KIPSEC_A_POL_TMPL_REQID])
		tmpl->reqid = nla_get_u32(attrs[KIPSEC_A_POL_TMPL_REQID]);

	if (tmpl->mode == KIPSEC_MODE_TRANSPORT) {
		if (tsrc || tdst) {
			NL_SET_ERR_MSG_ATTR(extack, tsrc ?: tdst,
					    "KIPSEC_A_POL_TMPL_SRC, KIPSEC_A_POL_TMPL_DST: tunnel endpoints are for tunnel mode only");
			return -EINVAL;
		}
		return 0;
	}
	if (KIPSEC_REQUIRE(info, KIPSEC_A_POL_TMPL_SRC) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_POL_TMPL_DST))
		return -EINVAL;
	tmpl->family = kipsec_nl_get_addr(tsrc, &tmpl->saddr);
	if (kipsec_nl_get_addr(tdst, &tmpl->daddr) != tmpl->family) {
		NL_SET_ERR_MSG_ATTR(extack, tdst,
				    "KIPSEC_A_POL_TMPL_DST: address family differs from KIPSEC_A_POL_TMPL_SRC");
		return -EINVAL;
	}
	return 0;
}

static int kipsec_nl_parse_policy(struct genl_info *info,
				  struct kipsec_policy_cfg *cfg)
{
	struct nlattr **attrs = info->attrs;
	unsigned int i;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	err = kipsec_nl_parse_selector(info, &cfg->dir, &cfg->sel);
	if (err)
		return err;
	if (KIPSEC_REQUIRE(info, KIPSEC_A_POL_ACTION))
		return -EINVAL;
	cfg->action = nla_get_u8(attrs[KIPSEC_A_POL_ACTION]);
	cfg->priority = KIPSEC_POL_PRIORITY_DEFAULT;
	if (attrs[KIPSEC_A_POL_PRIORITY])
		cfg->priority = nla_get_u32(attrs[KIPSEC_A_POL_PRIORITY]);
	if (attrs[KIPSEC_A_POL_LIFETIME])
		cfg->lifetime = nla_get_u32(attrs[KIPSEC_A_POL_LIFETIME]);

	if (cfg->action == KIPSEC_ACTION_PROTECT)
		return kipsec_nl_parse_tmpl(info, &cfg->tmpl);

	for (i = 0; i < ARRAY_SIZE(kipsec_tmpl_attrs); i++) {
		struct nlattr *attr = attrs[kipsec_tmpl_attrs[i].type];

		if (attr) {
			kipsec_nl_err(info->extack, attr,
				      kipsec_tmpl_attrs[i].msg);
			return -EINVAL;
		}
	}
	return 0;
}

static int kipsec_nl_put_ports(struct sk_buff *skb, int min_type,
			       const struct kipsec_port_range *r)
{
	if (!r->min && r->max == U16_MAX)
		return 0;
	if (nla_put_u16(skb, min_type, r->min) ||
	    nla_put_u16(skb, min_type + 1, r->max))
		return -EMSGSIZE;
	return 0;
}

int kipsec_nl_put_policy(struct sk_buff *skb, const struct kipsec_policy *pol)
{
	const struct kipsec_policy_cfg *cfg = &pol->cfg;
	const struct kipsec_selector *sel = &cfg->sel;
	const struct kipsec_tmpl *tmpl = &cfg->tmpl;
	u32 alen = kipsec_sa_family_len(sel->family);

	if (nla_put_u32(skb, KIPSEC_A_POL_INDEX, pol->index) ||
	    nla_put_u8(skb, KIPSEC_A_POL_DIR, cfg->dir) ||
	    nla_put_u8(skb, KIPSEC_A_POL_ACTION, cfg->action) ||
	    nla_put_u32(skb, KIPSEC_A_POL_PRIORITY, cfg->priority) ||
	    nla_put(skb, KIPSEC_A_POL_SRC, alen, &sel->saddr) ||
	    nla_put_u8(skb, KIPSEC_A_POL_SRC_PLEN, sel->splen) ||
	    nla_put(skb, KIPSEC_A_POL_DST, alen, &sel->daddr) ||
	    nla_put_u8(skb, KIPSEC_A_POL_DST_PLEN, sel->dplen))
		return -EMSGSIZE;
	if (sel->proto && nla_put_u8(skb, KIPSEC_A_POL_PROTO, sel->proto))
		return -EMSGSIZE;
	if (kipsec_nl_put_ports(skb, KIPSEC_A_POL_SPORT_MIN, &sel->sport) ||
	    kipsec_nl_put_ports(skb, KIPSEC_A_POL_DPORT_MIN, &sel->dport))
		return -EMSGSIZE;
	if (cfg->lifetime &&
	    (nla_put_u32(skb, KIPSEC_A_POL_LIFETIME, cfg->lifetime) ||
	     nla_put_u32(skb, KIPSEC_A_POL_EXPIRES_IN,
			 kipsec_spd_expires_in(pol))))
		return -EMSGSIZE;
	if (cfg->action != KIPSEC_ACTION_PROTECT)
		return 0;

	if (nla_put_u8(skb, KIPSEC_A_POL_TMPL_PROTO, tmpl->proto) ||
	    nla_put_u8(skb, KIPSEC_A_POL_TMPL_MODE, tmpl->mode) ||
	    nla_put_u32(skb, KIPSEC_A_POL_TMPL_REQID, tmpl->reqid) ||
	    nla_put_u8(skb, KIPSEC_A_POL_TMPL_LEVEL, tmpl->level))
		return -EMSGSIZE;
	if (tmpl->mode == KIPSEC_MODE_TUNNEL) {
		alen = kipsec_sa_family_len(tmpl->family);
		if (nla_put(skb, KIPSEC_A_POL_TMPL_SRC, alen, &tmpl->saddr) ||
		    nla_put(skb, KIPSEC_A_POL_TMPL_DST, alen, &tmpl->daddr))
			return -EMSGSIZE;
	}
	return 0;
}

static int kipsec_nl_policy_msg(struct sk_buff *skb,
				const struct kipsec_policy *pol, u32 portid,
				u32 seq, int flags, u8 cmd,
				struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipsec_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (kipsec_nl_put_policy(skb, pol)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Changes are announced on the "kipsec" group, as SA changes are. */
static void kipsec_nl_notify_policy(struct genl_info *info,
				    const struct kipsec_policy *pol, u8 cmd)
{
	struct sk_buff *skb;

	if (!kipsec_nl_want_notify(info))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (kipsec_nl_policy_msg(skb, pol, info->snd_portid, info->snd_seq, 0,
				 cmd, NULL)) {
		nlmsg_free(skb);
		return;
	}
	genl_notify(&kipsec_family, skb, info, KIPSEC_MCGRP_EVENTS_IDX,
		    GFP_KERNEL);
}

int kipsec_nl_policy_new(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct kipsec_policy pol;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = kipsec_nl_parse_policy(info, &pol.cfg);
	if (err)
		return err;

	/* Allocated first: once the policy is in, the reply must not fail. */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	err = kipsec_spd_insert(kn, &pol.cfg, &pol.index);
	/* The event reports the time left, from the deadline just set. */
	if (!err) {
		pol.expires_ns = kipsec_spd_find(kn, pol.index)->expires_ns;
		kipsec_nl_notify_policy(info, &pol, KIPSEC_CMD_POLICY_NEW);
	}
	mutex_unlock(&kn->lock);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[KIPSEC_A_POL_SRC],
					    "KIPSEC_A_POL_SRC: a policy with this direction, selector and priority exists");
		nlmsg_free(msg);
		return err;
	}

	hdr = genlmsg_put_reply(msg, info, &kipsec_family, 0,
				KIPSEC_CMD_POLICY_NEW);
	if (!hdr || nla_put_u32(msg, KIPSEC_A_POL_INDEX, pol.index)) {
		/* Cannot happen with NLMSG_GOODSIZE; the policy stays. */
		nlmsg_free(msg);
		return 0;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int kipsec_nl_policy_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct nlattr *index_attr = info->attrs[KIPSEC_A_POL_INDEX];
	struct nlattr **attrs = info->attrs;
	struct kipsec_policy deleted;
	struct kipsec_selector sel;
	u32 prio, *priop = NULL;
	unsigned int i;
	u8 dir;
	int err;

	if (index_attr) {
		/* One way of naming the policy, not two that could disagree. */
		for (i = KIPSEC_A_POL_DIR; i <= KIPSEC_A_POL_DPORT_MAX; i++) {
			if (attrs[i]) {
				NL_SET_ERR_MSG_ATTR(info->extack, attrs[i],
						    "KIPSEC_A_POL_INDEX: give the index or the direction and selector, not both");
				return -EINVAL;
			}
		}
	} else {
		err = kipsec_nl_parse_selector(info, &dir, &sel);
		if (err)
			return err;
		if (attrs[KIPSEC_A_POL_PRIORITY]) {
			prio = nla_get_u32(attrs[KIPSEC_A_POL_PRIORITY]);
			priop = &prio;
		}
	}

	mutex_lock(&kn->lock);
	if (index_attr)
		err = kipsec_spd_delete_index(kn, nla_get_u32(index_attr),
					      &deleted);
	else
		err = kipsec_spd_delete_sel(kn, dir, &sel, priop, &deleted);
	if (!err)
		kipsec_nl_notify_policy(info, &deleted, KIPSEC_CMD_POLICY_DEL);
	mutex_unlock(&kn->lock);

	if (err == -ENOENT && index_attr)
		NL_SET_ERR_MSG_ATTR(info->extack, index_attr,
				    "KIPSEC_A_POL_INDEX: no policy with this index");
	else if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_POL_SRC],
				    "KIPSEC_A_POL_SRC: no policy with this direction and selector");
	return err;
}

int kipsec_nl_policy_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct kipsec_policy *pol;
	struct sk_buff *msg;
	int err = 0;

	if (KIPSEC_REQUIRE(info, KIPSEC_A_POL_INDEX))
		return -EINVAL;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	pol = kipsec_spd_find(kn, nla_get_u32(info->attrs[KIPSEC_A_POL_INDEX]));
	if (pol)
		err = kipsec_nl_policy_msg(msg, pol, info->snd_portid,
					   info->snd_seq, 0,
					   KIPSEC_CMD_POLICY_GET, NULL);
	mutex_unlock(&kn->lock);

	if (!pol) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[KIPSEC_A_POL_INDEX],
				    "KIPSEC_A_POL_INDEX: no policy with this index");
		err = -ENOENT;
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The dump's cursor, in cb->ctx: a position in lookup order; see spd.c. */
struct kipsec_policy_dump_pos {
	u64 seq;
	u32 priority;
	u8 dir;
};

int kipsec_nl_policy_dump_start(struct netlink_callback *cb)
{
	struct kipsec_policy_dump_pos *pos = (void *)cb->ctx;
	int err;

	BUILD_BUG_ON(sizeof(*pos) > sizeof(cb->ctx));
	err = kipsec_nl_dump_no_attrs(cb, "KIPSEC_CMD_POLICY_GET: a dump takes no attributes");
	if (err)
		return err;
	pos->dir = KIPSEC_DIR_OUT;
	pos->priority = 0;
	pos->seq = 0;
	return 0;
}

int kipsec_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipsec_net *kn = kipsec_net(sock_net(skb->sk));
	struct kipsec_policy_dump_pos *pos = (void *)cb->ctx;
	struct kipsec_policy_dump_pos next = *pos;
	struct kipsec_policy *pol;

	mutex_lock(&kn->lock);
	/* A change between two parts sets NLM_F_DUMP_INTR on the next one. */
	cb->seq = kn->pol_gen;
	while ((pol = kipsec_spd_next(kn, &next.dir, &next.priority,
				      &next.seq))) {
		if (kipsec_nl_policy_msg(skb, pol, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 KIPSEC_CMD_POLICY_GET, cb))
			break;
		*pos = next;
	}
	mutex_unlock(&kn->lock);
	return skb->len;
}

int kipsec_nl_policy_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct nlattr *dir_attr = info->attrs[KIPSEC_A_POL_DIR];
	u8 dir = dir_attr ? nla_get_u8(dir_attr) : 0;

	mutex_lock(&kn->lock);
	kipsec_spd_flush(kn, dir);
	kipsec_nl_notify_flush(info, KIPSEC_CMD_POLICY_FLUSH, KIPSEC_A_POL_DIR,
			       dir);
	mutex_unlock(&kn->lock);
	return 0;
}
