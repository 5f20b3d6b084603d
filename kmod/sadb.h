/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA database: the SA object, its identity, and the per-namespace table.
 */
#ifndef _KIPSEC_SADB_H
#define _KIPSEC_SADB_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/rhashtable-types.h>
#include <linux/socket.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "crypto.h"
#include "lifetime.h"
#include "stats.h"

struct kipsec_net;
struct netlink_ext_ack;

union kipsec_addr {
	__be32 ip4;
	struct in6_addr ip6;
};

/*
 * Hashed and compared as raw bytes: build it with kipsec_sa_key_init() so
 * that the unused address bytes and the padding are zero.
 */
struct kipsec_sa_key {
	union kipsec_addr daddr;
	__be32 spi;
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;		/* IPPROTO_ESP or IPPROTO_AH */
	u8 pad[2];
};

/* The output index: every SA towards one destination, whatever its SPI. */
struct kipsec_sa_dst_key {
	union kipsec_addr daddr;
	u8 family;
	u8 proto;
	u8 pad[2];
};

struct kipsec_lifetime {
	u64 bytes;		/* 0: no limit */
	u64 packets;
	u64 seconds;
};

/* Everything an SA is made from, as parsed from KIPSEC_CMD_SA_NEW. */
struct kipsec_sa_cfg {
	struct kipsec_sa_key key;
	union kipsec_addr saddr;
	u8 mode;
	u32 reqid;
	u32 replay_window;
	u32 flags;
	u64 seq_out;		/* the last outbound sequence number "sent" */
	u16 encap_sport;	/* host order; both 0: no UDP encapsulation */
	u16 encap_dport;
	struct kipsec_lifetime soft;
	struct kipsec_lifetime hard;
	struct kipsec_crypto_cfg crypto;
};

struct kipsec_sa;

/*
 * Where an SA is: the keys it is found by and its address pair, which NAT
 * traversal may change (kipsec_sa_move()). The lookup tables hold this,
 * not the SA. It is never written once published: a move publishes a new
 * copy and frees the old one after a grace period, so a reader on the
 * packet path always sees a whole pair, old or new.
 */
struct kipsec_sa_addrs {
	struct rhash_head node;		/* kipsec_net.sas, by key */
	struct kipsec_sa_key key;
	struct rhlist_head out_node;	/* kipsec_net.sas_by_dst, by dst_key */
	struct kipsec_sa_dst_key dst_key;
	union kipsec_addr saddr;
	struct kipsec_sa *sa;
	struct rcu_head rcu;
};

struct kipsec_sa {
	/*
	 * key.spi, key.family and key.proto never change. key.daddr is the
	 * control path's copy, read and written under kipsec_net.lock; the
	 * packet path reads the addresses with kipsec_sa_addrs_rcu().
	 */
	struct kipsec_sa_key key;
	struct kipsec_sa_addrs __rcu *addrs;
	/* Insertion order in the namespace: output prefers the newest SA. */
	u64 serial;
	/* One reference for the table, one for each user outside RCU. */
	refcount_t refcnt;
	u32 id;			/* index in kipsec_net.sa_ids */
	possible_net_t net;

	u8 mode;
	u32 reqid;
	u32 replay_window;
	u32 flags;
	/*
	 * Fixed when the SA is made: NAT traversal may move an ESP-in-UDP
	 * SA's ports, but never adds or removes the encapsulation.
	 */
	bool udp_encap;
	/* Changed in place by kipsec_sa_encap_commit(): read with READ_ONCE. */
	u16 encap_sport;
	u16 encap_dport;
	unsigned long mapping_sent;	/* jiffies of the last MAPPING event */
	struct kipsec_lifetime soft;
	struct kipsec_lifetime hard;
	u64 add_time;		/* ktime_get_boottime_seconds() */
	struct kipsec_sa_life life;	/* use of the limits; see lifetime.c */

	struct kipsec_crypto crypto;
	struct kipsec_stats __percpu *stats;
	/*
	 * A KIPSEC_SA_F_PARALLEL SA's packets between padata's submission
	 * and their release (parallel.c): a small packet skips padata when
	 * there is none it could overtake.
	 */
	atomic_t par_inflight;

	/*
	 * Output: the last sequence number sent (see kipsec_sa_seq_next()),
	 * and the route to the peer.
	 */
	atomic64_t oseq;
	struct dst_cache dst_cache;

	/* Input: the anti-replay window, checked before and after the ICV. */
	spinlock_t replay_lock;
	struct kipsec_replay *replay;

	/* crypto_free_*() may sleep: the last put frees from a workqueue. */
	struct rcu_work free_work;
};

void kipsec_sa_key_init(struct kipsec_sa_key *key, __be32 spi,
			const void *daddr, u8 family, u8 proto);

struct kipsec_sa *kipsec_sa_create(struct net *net,
				   const struct kipsec_sa_cfg *cfg,
				   struct netlink_ext_ack *extack);
int kipsec_sa_insert(struct kipsec_net *kn, struct kipsec_sa *sa);
int kipsec_sa_delete(struct kipsec_net *kn, const struct kipsec_sa_key *key,
		     struct kipsec_sa **deleted);
unsigned int kipsec_sa_flush(struct kipsec_net *kn, u8 proto);
int kipsec_sa_encap_prepare(struct kipsec_net *kn, struct kipsec_sa *sa,
			    u16 dport);
void kipsec_sa_encap_abort(struct kipsec_net *kn, struct kipsec_sa *sa,
			   u16 dport);
void kipsec_sa_encap_commit(struct kipsec_net *kn, struct kipsec_sa *sa,
			    u16 sport, u16 dport);

int kipsec_sa_move(struct kipsec_net *kn, struct kipsec_sa *sa,
		   const union kipsec_addr *saddr,
		   const union kipsec_addr *daddr);
const struct kipsec_sa_addrs *kipsec_sa_addrs(struct kipsec_net *kn,
					      const struct kipsec_sa *sa);
void kipsec_sa_route_recheck(struct kipsec_sa *sa,
			     const struct kipsec_sa_addrs *addrs);

struct kipsec_sa *kipsec_sa_find(struct kipsec_net *kn,
				 const struct kipsec_sa_key *key);
struct kipsec_sa *kipsec_sa_next(struct kipsec_net *kn, unsigned long *id);
struct kipsec_sa *kipsec_sa_lookup_rcu(struct net *net, __be32 spi,
				       const void *daddr, u8 family, u8 proto);
struct rhlist_head *kipsec_sa_lookup_dst_rcu(struct net *net,
					     const void *daddr, u8 family,
					     u8 proto);
bool kipsec_sa_encap_endpoint_rcu(struct net *net, const void *daddr,
				  u8 family, u16 port);

/* Under rcu_read_lock() or with BHs off; valid until the section ends. */
static inline const struct kipsec_sa_addrs *
kipsec_sa_addrs_rcu(const struct kipsec_sa *sa)
{
	return rcu_dereference_check(sa->addrs, rcu_read_lock_bh_held());
}

static inline bool kipsec_sa_get(struct kipsec_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

void kipsec_sa_put(struct kipsec_sa *sa);

static inline u32 kipsec_sa_family_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/*
 * Two addresses of @family equal: inline, unlike memcmp(), since the packet
 * path compares per packet.
 */
static inline bool kipsec_addr_equal(const union kipsec_addr *a,
				     const union kipsec_addr *b, u8 family)
{
	if (family == AF_INET)
		return a->ip4 == b->ip4;
	return ipv6_addr_equal(&a->ip6, &b->ip6);
}

int kipsec_sadb_net_init(struct kipsec_net *kn);
void kipsec_sadb_net_exit(struct kipsec_net *kn);
int kipsec_sadb_init(void);
void kipsec_sadb_exit(void);

#endif /* _KIPSEC_SADB_H */
