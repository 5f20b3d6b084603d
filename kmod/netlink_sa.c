// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: the SA and SPI commands (KIPSEC_CMD_SA_NEW, _DEL, _GET,
 * _FLUSH and KIPSEC_CMD_SPI_ALLOC), and the SA's attributes as replies and
 * events carry them. KIPSEC_CMD_SA_SET, the NAT move, is in nat.c. The
 * attribute trees are documented in include/kipsec.h; the conventions are
 * those of netlink.c.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <kipsec.h>

#include "crypto.h"
#include "netlink.h"
#include "netns.h"
#include "sadb.h"
#include "spi.h"
#include "stats.h"

static const struct nla_policy kipsec_lifetime_policy[KIPSEC_A_LIFETIME_MAX + 1] = {
	[KIPSEC_A_LIFETIME_BYTES] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_PACKETS] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_SECONDS] = { .type = NLA_U64 },
};

const struct nla_policy kipsec_sa_new_policy[KIPSEC_A_SA_SEQ_OUT + 1] = {
	[KIPSEC_A_SA_SPI] = { .type = NLA_U32 },
	[KIPSEC_A_SA_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_SRC] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
	[KIPSEC_A_SA_MODE] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_MODE_TRANSPORT,
					      KIPSEC_MODE_MAX),
	[KIPSEC_A_SA_REQID] = { .type = NLA_U32 },
	/* Checked against the algorithm table, which names the problem. */
	[KIPSEC_A_SA_ENC_ALG] = { .type = NLA_U16 },
	[KIPSEC_A_SA_ENC_KEY] = { .type = NLA_BINARY, .len = KIPSEC_KEY_MAX },
	[KIPSEC_A_SA_AUTH_ALG] = { .type = NLA_U16 },
	[KIPSEC_A_SA_AUTH_KEY] = { .type = NLA_BINARY, .len = KIPSEC_KEY_MAX },
	[KIPSEC_A_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32,
						     KIPSEC_REPLAY_WINDOW_MAX),
	[KIPSEC_A_SA_FLAGS] = NLA_POLICY_MASK(NLA_U32, __KIPSEC_SA_F_ALL),
	[KIPSEC_A_SA_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KIPSEC_A_SA_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KIPSEC_A_SA_LIFETIME_SOFT] = NLA_POLICY_NESTED(kipsec_lifetime_policy),
	[KIPSEC_A_SA_LIFETIME_HARD] = NLA_POLICY_NESTED(kipsec_lifetime_policy),
	/* Its bound depends on KIPSEC_A_SA_FLAGS: checked when parsing. */
	[KIPSEC_A_SA_SEQ_OUT] = { .type = NLA_U64 },
};

/* SA_DEL and SA_GET: the identity, nothing else. */
const struct nla_policy kipsec_sa_id_policy[KIPSEC_A_SA_PROTO + 1] = {
	[KIPSEC_A_SA_SPI] = { .type = NLA_U32 },
	[KIPSEC_A_SA_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
};

const struct nla_policy kipsec_sa_flush_policy[KIPSEC_A_SA_PROTO + 1] = {
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
};

const struct nla_policy kipsec_spi_alloc_policy[KIPSEC_A_SPI_TIMEOUT + 1] = {
	[KIPSEC_A_SA_DST] = KIPSEC_POLICY_ADDR,
	[KIPSEC_A_SA_PROTO] = KIPSEC_POLICY_PROTO,
	[KIPSEC_A_SPI_MIN] = { .type = NLA_U32 },
	[KIPSEC_A_SPI_MAX] = { .type = NLA_U32 },
	[KIPSEC_A_SPI_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1,
						  KIPSEC_SPI_TIMEOUT_MAX),
};

int kipsec_nl_parse_id(struct genl_info *info, struct kipsec_sa_key *key)
{
	struct nlattr **attrs = info->attrs;
	union kipsec_addr daddr;
	u8 family;

	if (KIPSEC_REQUIRE(info, KIPSEC_A_SA_SPI) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_SA_DST) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_SA_PROTO))
		return -EINVAL;

	family = kipsec_nl_get_addr(attrs[KIPSEC_A_SA_DST], &daddr);
	kipsec_sa_key_init(key, cpu_to_be32(nla_get_u32(attrs[KIPSEC_A_SA_SPI])),
			   &daddr, family, nla_get_u8(attrs[KIPSEC_A_SA_PROTO]));
	return 0;
}

static int kipsec_nl_parse_lifetime(const struct nlattr *nest,
				    struct nlattr **tb,
				    struct kipsec_lifetime *lt,
				    struct netlink_ext_ack *extack)
{
	int err;

	memset(lt, 0, sizeof(*lt));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, KIPSEC_A_LIFETIME_MAX, nest,
			       kipsec_lifetime_policy, extack);
	if (err)
		return err;
	if (tb[KIPSEC_A_LIFETIME_BYTES])
		lt->bytes = nla_get_u64(tb[KIPSEC_A_LIFETIME_BYTES]);
	if (tb[KIPSEC_A_LIFETIME_PACKETS])
		lt->packets = nla_get_u64(tb[KIPSEC_A_LIFETIME_PACKETS]);
	if (tb[KIPSEC_A_LIFETIME_SECONDS])
		lt->seconds = nla_get_u64(tb[KIPSEC_A_LIFETIME_SECONDS]);
	return 0;
}

static bool kipsec_soft_not_below(u64 soft, u64 hard)
{
	return soft && hard && soft >= hard;
}

static int kipsec_nl_parse_lifetimes(struct genl_info *info,
				     struct kipsec_sa_cfg *cfg)
{
	struct nlattr *soft[KIPSEC_A_LIFETIME_MAX + 1] = {};
	struct nlattr *hard[KIPSEC_A_LIFETIME_MAX + 1] = {};
	struct netlink_ext_ack *extack = info->extack;
	int err;

	err = kipsec_nl_parse_lifetime(info->attrs[KIPSEC_A_SA_LIFETIME_SOFT],
				       soft, &cfg->soft, extack);
	if (err)
		return err;
	err = kipsec_nl_parse_lifetime(info->attrs[KIPSEC_A_SA_LIFETIME_HARD],
				       hard, &cfg->hard, extack);
	if (err)
		return err;

	if (kipsec_soft_not_below(cfg->soft.bytes, cfg->hard.bytes)) {
		NL_SET_ERR_MSG_ATTR(extack, soft[KIPSEC_A_LIFETIME_BYTES],
				    "KIPSEC_A_SA_LIFETIME_SOFT: byte limit must be below the hard one");
		return -EINVAL;
	}
	if (kipsec_soft_not_below(cfg->soft.packets, cfg->hard.packets)) {
		NL_SET_ERR_MSG_ATTR(extack, soft[KIPSEC_A_LIFETIME_PACKETS],
				    "KIPSEC_A_SA_LIFETIME_SOFT: packet limit must be below the hard one");
		return -EINVAL;
	}
	if (kipsec_soft_not_below(cfg->soft.seconds, cfg->hard.seconds)) {
		NL_SET_ERR_MSG_ATTR(extack, soft[KIPSEC_A_LIFETIME_SECONDS],
				    "KIPSEC_A_SA_LIFETIME_SOFT: time limit must be below the hard one");
		return -EINVAL;
	}
	return 0;
}

static int kipsec_nl_parse_auth(struct genl_info *info,
				struct kipsec_crypto_cfg *c)
{
	struct nlattr *alg_attr = info->attrs[KIPSEC_A_SA_AUTH_ALG];
	struct nlattr *key_attr = info->attrs[KIPSEC_A_SA_AUTH_KEY];
	const struct kipsec_auth_desc *auth;

	c->auth_alg = alg_attr ? nla_get_u16(alg_attr) : KIPSEC_AUTH_NONE;
	if (c->auth_alg == KIPSEC_AUTH_NONE) {
		if (!alg_attr)
			NL_SET_ERR_ATTR_MISS(info->extack, NULL,
					     KIPSEC_A_SA_AUTH_ALG);
		NL_SET_ERR_MSG_ATTR(info->extack, alg_attr,
				    "KIPSEC_A_SA_AUTH_ALG: required for AH and for ESP with a non-AEAD cipher");
		return -EINVAL;
	}
	auth = kipsec_auth_desc(c->auth_alg);
	if (!auth) {
		NL_SET_ERR_MSG_ATTR(info->extack, alg_attr,
				    "KIPSEC_A_SA_AUTH_ALG: unknown integrity algorithm");
		return -EINVAL;
	}
	if (!key_attr || nla_len(key_attr) != auth->key_len) {
		if (!key_attr)
			NL_SET_ERR_ATTR_MISS(info->extack, NULL,
					     KIPSEC_A_SA_AUTH_KEY);
		kipsec_nl_err(info->extack, key_attr, auth->key_err);
		return -EINVAL;
	}
	c->auth_key = nla_data(key_attr);
	c->auth_key_len = nla_len(key_attr);
	return 0;
}

static int kipsec_nl_parse_esp(struct genl_info *info,
			       struct kipsec_crypto_cfg *c)
{
	struct nlattr *alg_attr = info->attrs[KIPSEC_A_SA_ENC_ALG];
	struct nlattr *key_attr = info->attrs[KIPSEC_A_SA_ENC_KEY];
	struct netlink_ext_ack *extack = info->extack;
	const struct kipsec_enc_desc *enc;

	if (KIPSEC_REQUIRE(info, KIPSEC_A_SA_ENC_ALG))
		return -EINVAL;
	c->enc_alg = nla_get_u16(alg_attr);
	if (c->enc_alg == KIPSEC_ENC_NONE) {
		NL_SET_ERR_MSG_ATTR(extack, alg_attr,
				    "KIPSEC_A_SA_ENC_ALG: ESP needs a cipher (NULL for integrity only)");
		return -EINVAL;
	}
	enc = kipsec_enc_desc(c->enc_alg);
	if (!enc) {
		NL_SET_ERR_MSG_ATTR(extack, alg_attr,
				    "KIPSEC_A_SA_ENC_ALG: unknown encryption algorithm");
		return -EINVAL;
	}

	c->enc_key_len = key_attr ? nla_len(key_attr) : 0;
	if (!kipsec_enc_key_len_ok(enc, c->enc_key_len)) {
		if (!key_attr)
			NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_ENC_KEY);
		kipsec_nl_err(extack, key_attr, enc->key_err);
		return -EINVAL;
	}
	c->enc_key = key_attr ? nla_data(key_attr) : NULL;

	if (!enc->aead)
		return kipsec_nl_parse_auth(info, c);

	c->auth_alg = KIPSEC_AUTH_NONE;
	if (info->attrs[KIPSEC_A_SA_AUTH_ALG] &&
	    nla_get_u16(info->attrs[KIPSEC_A_SA_AUTH_ALG]) != KIPSEC_AUTH_NONE) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[KIPSEC_A_SA_AUTH_ALG],
				    "KIPSEC_A_SA_AUTH_ALG: not allowed with an AEAD cipher, which authenticates by itself");
		return -EINVAL;
	}
	if (info->attrs[KIPSEC_A_SA_AUTH_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[KIPSEC_A_SA_AUTH_KEY],
				    "KIPSEC_A_SA_AUTH_KEY: not allowed with an AEAD cipher, which authenticates by itself");
		return -EINVAL;
	}
	return 0;
}

static int kipsec_nl_parse_ah(struct genl_info *info,
			      struct kipsec_crypto_cfg *c)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;

	if (attrs[KIPSEC_A_SA_ENC_ALG] &&
	    nla_get_u16(attrs[KIPSEC_A_SA_ENC_ALG]) != KIPSEC_ENC_NONE) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_ENC_ALG],
				    "KIPSEC_A_SA_ENC_ALG: not allowed with AH, which does not encrypt");
		return -EINVAL;
	}
	if (attrs[KIPSEC_A_SA_ENC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_ENC_KEY],
				    "KIPSEC_A_SA_ENC_KEY: not allowed with AH, which does not encrypt");
		return -EINVAL;
	}
	if (attrs[KIPSEC_A_SA_ENCAP_SPORT] || attrs[KIPSEC_A_SA_ENCAP_DPORT]) {
		NL_SET_ERR_MSG_ATTR(extack,
				    attrs[KIPSEC_A_SA_ENCAP_SPORT] ?:
				    attrs[KIPSEC_A_SA_ENCAP_DPORT],
				    "KIPSEC_A_SA_ENCAP_SPORT: UDP encapsulation is for ESP only (AH cannot cross NAT)");
		return -EINVAL;
	}
	c->enc_alg = KIPSEC_ENC_NONE;
	return kipsec_nl_parse_auth(info, c);
}

static int kipsec_nl_parse_sa(struct genl_info *info, struct kipsec_sa_cfg *cfg)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct nlattr *sport, *dport;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	err = kipsec_nl_parse_id(info, &cfg->key);
	if (err)
		return err;
	if (be32_to_cpu(cfg->key.spi) < KIPSEC_SPI_MIN_DEFAULT) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: must be at least 256 (1..255 are reserved by IANA, 0 means no SA)");
		return -EINVAL;
	}
	if (KIPSEC_REQUIRE(info, KIPSEC_A_SA_SRC) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_SA_MODE))
		return -EINVAL;
	if (kipsec_nl_get_addr(attrs[KIPSEC_A_SA_SRC], &cfg->saddr) !=
	    cfg->key.family) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_SRC],
				    "KIPSEC_A_SA_SRC: address family differs from KIPSEC_A_SA_DST");
		return -EINVAL;
	}
	cfg->mode = nla_get_u8(attrs[KIPSEC_A_SA_MODE]);
	if (attrs[KIPSEC_A_SA_REQID])
		cfg->reqid = nla_get_u32(attrs[KIPSEC_A_SA_REQID]);
	cfg->replay_window = KIPSEC_REPLAY_WINDOW_DEFAULT;
	if (attrs[KIPSEC_A_SA_REPLAY_WINDOW])
		cfg->replay_window =
			nla_get_u32(attrs[KIPSEC_A_SA_REPLAY_WINDOW]);
	if (attrs[KIPSEC_A_SA_FLAGS])
		cfg->flags = nla_get_u32(attrs[KIPSEC_A_SA_FLAGS]);
	if (cfg->key.proto == IPPROTO_AH &&
	    (cfg->flags & KIPSEC_SA_F_PARALLEL)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_FLAGS],
				    "KIPSEC_A_SA_FLAGS: KIPSEC_SA_F_PARALLEL is for ESP only (AH is always processed serially)");
		return -EINVAL;
	}
	if (attrs[KIPSEC_A_SA_SEQ_OUT])
		cfg->seq_out = nla_get_u64(attrs[KIPSEC_A_SA_SEQ_OUT]);
	if (!(cfg->flags & KIPSEC_SA_F_ESN) && cfg->seq_out > U32_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_SEQ_OUT],
				    "KIPSEC_A_SA_SEQ_OUT: above 0xffffffff needs 64-bit sequence numbers (KIPSEC_SA_F_ESN)");
		return -EINVAL;
	}

	sport = attrs[KIPSEC_A_SA_ENCAP_SPORT];
	dport = attrs[KIPSEC_A_SA_ENCAP_DPORT];
	if (!sport != !dport) {
		NL_SET_ERR_MSG_ATTR(extack, sport ?: dport,
				    "KIPSEC_A_SA_ENCAP_SPORT, KIPSEC_A_SA_ENCAP_DPORT: give both UDP encapsulation ports or neither");
		return -EINVAL;
	}
	if (sport) {
		cfg->encap_sport = nla_get_u16(sport);
		cfg->encap_dport = nla_get_u16(dport);
	}

	err = kipsec_nl_parse_lifetimes(info, cfg);
	if (err)
		return err;

	cfg->crypto.proto = cfg->key.proto;
	cfg->crypto.esn = cfg->flags & KIPSEC_SA_F_ESN;
	if (cfg->key.proto == IPPROTO_AH)
		return kipsec_nl_parse_ah(info, &cfg->crypto);
	return kipsec_nl_parse_esp(info, &cfg->crypto);
}

static int kipsec_nl_put_lifetime(struct sk_buff *skb, int type,
				  const struct kipsec_lifetime *lt)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_BYTES, lt->bytes,
			      KIPSEC_A_LIFETIME_PAD) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_PACKETS, lt->packets,
			      KIPSEC_A_LIFETIME_PAD) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_SECONDS, lt->seconds,
			      KIPSEC_A_LIFETIME_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Everything but the keys, which never leave the transforms. */
int kipsec_nl_put_sa(struct sk_buff *skb, const struct kipsec_sa *sa)
{
	u32 alen = kipsec_sa_family_len(sa->key.family);
	const struct kipsec_sa_addrs *addrs;
	struct kipsec_stats_sum sum;
	int err;

	if (nla_put_u32(skb, KIPSEC_A_SA_SPI, be32_to_cpu(sa->key.spi)))
		return -EMSGSIZE;
	/* A reference or kipsec_net.lock is not enough while the SA moves. */
	rcu_read_lock();
	addrs = kipsec_sa_addrs_rcu(sa);
	err = nla_put(skb, KIPSEC_A_SA_DST, alen, &addrs->key.daddr) ||
	      nla_put(skb, KIPSEC_A_SA_SRC, alen, &addrs->saddr);
	rcu_read_unlock();
	if (err ||
	    nla_put_u8(skb, KIPSEC_A_SA_PROTO, sa->key.proto) ||
	    nla_put_u8(skb, KIPSEC_A_SA_MODE, sa->mode) ||
	    nla_put_u32(skb, KIPSEC_A_SA_REQID, sa->reqid) ||
	    nla_put_u32(skb, KIPSEC_A_SA_REPLAY_WINDOW, sa->replay_window) ||
	    nla_put_u32(skb, KIPSEC_A_SA_FLAGS, sa->flags) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_SA_SEQ_OUT,
			      atomic64_read(&sa->oseq), KIPSEC_A_PAD))
		return -EMSGSIZE;

	if (sa->key.proto == IPPROTO_ESP &&
	    (nla_put_u16(skb, KIPSEC_A_SA_ENC_ALG, sa->crypto.enc_alg) ||
	     nla_put_u16(skb, KIPSEC_A_SA_ENC_KEY_BITS,
			 sa->crypto.enc_key_bits)))
		return -EMSGSIZE;
	if (sa->crypto.auth_alg != KIPSEC_AUTH_NONE &&
	    nla_put_u16(skb, KIPSEC_A_SA_AUTH_ALG, sa->crypto.auth_alg))
		return -EMSGSIZE;
	if (sa->encap_sport &&
	    (nla_put_u16(skb, KIPSEC_A_SA_ENCAP_SPORT, sa->encap_sport) ||
	     nla_put_u16(skb, KIPSEC_A_SA_ENCAP_DPORT, sa->encap_dport)))
		return -EMSGSIZE;

	if (kipsec_nl_put_lifetime(skb, KIPSEC_A_SA_LIFETIME_SOFT, &sa->soft) ||
	    kipsec_nl_put_lifetime(skb, KIPSEC_A_SA_LIFETIME_HARD, &sa->hard) ||
	    kipsec_sa_life_put_cur(skb, sa) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_SA_AGE,
			      ktime_get_boottime_seconds() - sa->add_time,
			      KIPSEC_A_PAD))
		return -EMSGSIZE;

	kipsec_stats_read(sa->stats, &sum);
	return kipsec_stats_put(skb, KIPSEC_A_SA_STATS, &sum, true);
}

static int kipsec_nl_sa_msg(struct sk_buff *skb, const struct kipsec_sa *sa,
			    u32 portid, u32 seq, int flags, u8 cmd,
			    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipsec_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (kipsec_nl_put_sa(skb, sa)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Changes are announced on the "kipsec" group, as XFRM does on its own,
 * with the lock held: see kipsec_nl_want_notify().
 */
void kipsec_nl_notify_sa(struct genl_info *info, const struct kipsec_sa *sa,
			 u8 cmd)
{
	struct sk_buff *skb;

	if (!kipsec_nl_want_notify(info))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (kipsec_nl_sa_msg(skb, sa, info->snd_portid, info->snd_seq, 0, cmd,
			     NULL)) {
		nlmsg_free(skb);
		return;
	}
	genl_notify(&kipsec_family, skb, info, KIPSEC_MCGRP_EVENTS_IDX,
		    GFP_KERNEL);
}

int kipsec_nl_sa_new(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct kipsec_sa_cfg cfg;
	struct kipsec_sa *sa;
	int err;

	err = kipsec_nl_parse_sa(info, &cfg);
	if (err)
		return err;

	/* Transforms are set up unlocked: it may load crypto modules. */
	sa = kipsec_sa_create(genl_info_net(info), &cfg, info->extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);

	mutex_lock(&kn->lock);
	err = kipsec_sa_insert(kn, sa);
	if (!err)
		kipsec_nl_notify_sa(info, sa, KIPSEC_CMD_SA_NEW);
	mutex_unlock(&kn->lock);

	if (err == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: an SA with this SPI, destination and protocol exists");
	kipsec_sa_put(sa);
	return err;
}

int kipsec_nl_sa_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct kipsec_sa_key key;
	struct kipsec_sa *sa;
	int err;

	err = kipsec_nl_parse_id(info, &key);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	err = kipsec_sa_delete(kn, &key, &sa);
	/* Carries the counters as they were at deletion. */
	if (sa)
		kipsec_nl_notify_sa(info, sa, KIPSEC_CMD_SA_DEL);
	mutex_unlock(&kn->lock);

	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: no SA with this SPI, destination and protocol");
	if (sa)
		kipsec_sa_put(sa);
	return err;
}

int kipsec_nl_sa_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct kipsec_sa_key key;
	struct kipsec_sa *sa;
	struct sk_buff *msg;
	int err;

	err = kipsec_nl_parse_id(info, &key);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	/* The lock: an SA_SET changes addresses and ports together. */
	mutex_lock(&kn->lock);
	rcu_read_lock();
	sa = kipsec_sa_lookup_rcu(genl_info_net(info), key.spi, &key.daddr,
				  key.family, key.proto);
	if (sa)
		err = kipsec_nl_sa_msg(msg, sa, info->snd_portid,
				       info->snd_seq, 0, KIPSEC_CMD_SA_GET,
				       NULL);
	rcu_read_unlock();
	mutex_unlock(&kn->lock);

	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KIPSEC_A_SA_SPI],
				    "KIPSEC_A_SA_SPI: no SA with this SPI, destination and protocol");
		err = -ENOENT;
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int kipsec_nl_sa_dump_start(struct netlink_callback *cb)
{
	int err;

	err = kipsec_nl_dump_no_attrs(cb, "KIPSEC_CMD_SA_GET: a dump takes no attributes");
	if (err)
		return err;
	/* The id of the next SA to send; ids grow (sadb.c). */
	cb->args[0] = 0;
	return 0;
}

int kipsec_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipsec_net *kn = kipsec_net(sock_net(skb->sk));
	unsigned long id = cb->args[0];
	struct kipsec_sa *sa;

	mutex_lock(&kn->lock);
	/* A change between two parts sets NLM_F_DUMP_INTR on the next one. */
	cb->seq = kn->sa_gen;
	while ((sa = kipsec_sa_next(kn, &id))) {
		if (kipsec_nl_sa_msg(skb, sa, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     KIPSEC_CMD_SA_GET, cb))
			break;
		cb->args[0] = ++id;
	}
	mutex_unlock(&kn->lock);
	return skb->len;
}

int kipsec_nl_sa_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct nlattr *proto_attr = info->attrs[KIPSEC_A_SA_PROTO];
	u8 proto = proto_attr ? nla_get_u8(proto_attr) : 0;

	mutex_lock(&kn->lock);
	kipsec_sa_flush(kn, proto);
	kipsec_nl_notify_flush(info, KIPSEC_CMD_SA_FLUSH, KIPSEC_A_SA_PROTO,
			       proto);
	mutex_unlock(&kn->lock);
	return 0;
}

int kipsec_nl_spi_alloc(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct kipsec_spi_req req = {
		.min = KIPSEC_SPI_MIN_DEFAULT,
		.max = U32_MAX,
		.timeout = KIPSEC_SPI_TIMEOUT_DEFAULT,
	};
	union kipsec_addr daddr;
	struct sk_buff *msg;
	void *hdr;
	u32 spi;
	int err;

	if (KIPSEC_REQUIRE(info, KIPSEC_A_SA_DST) ||
	    KIPSEC_REQUIRE(info, KIPSEC_A_SA_PROTO))
		return -EINVAL;
	req.family = kipsec_nl_get_addr(attrs[KIPSEC_A_SA_DST], &daddr);
	req.daddr = &daddr;
	req.proto = nla_get_u8(attrs[KIPSEC_A_SA_PROTO]);
	if (attrs[KIPSEC_A_SPI_MIN])
		req.min = nla_get_u32(attrs[KIPSEC_A_SPI_MIN]);
	if (attrs[KIPSEC_A_SPI_MAX])
		req.max = nla_get_u32(attrs[KIPSEC_A_SPI_MAX]);
	if (attrs[KIPSEC_A_SPI_TIMEOUT])
		req.timeout = nla_get_u32(attrs[KIPSEC_A_SPI_TIMEOUT]);

	if (req.min < KIPSEC_SPI_MIN_DEFAULT) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SPI_MIN],
				    "KIPSEC_A_SPI_MIN: must be at least 256 (1..255 are reserved by IANA)");
		return -EINVAL;
	}
	if (req.max < req.min) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SPI_MAX],
				    "KIPSEC_A_SPI_MAX: below KIPSEC_A_SPI_MIN");
		return -EINVAL;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	err = kipsec_spi_alloc(kn, &req, &spi, extack);
	mutex_unlock(&kn->lock);
	if (err)
		goto err_free;

	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &kipsec_family, 0,
				KIPSEC_CMD_SPI_ALLOC);
	if (!hdr ||
	    nla_put_u32(msg, KIPSEC_A_SA_SPI, spi) ||
	    nla_put(msg, KIPSEC_A_SA_DST, nla_len(attrs[KIPSEC_A_SA_DST]),
		    &daddr) ||
	    nla_put_u8(msg, KIPSEC_A_SA_PROTO, req.proto))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}
