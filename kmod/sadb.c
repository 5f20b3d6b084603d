// SPDX-License-Identifier: GPL-2.0
/*
 * SA database. Each namespace keeps its SAs twice: in an rhashtable keyed
 * by (SPI, destination, protocol, family) for O(1) RCU lookups on the packet
 * path, and in an xarray keyed by an insertion id that grows (until it
 * wraps, after 2^32 adds), so that a dump can resume after the last id it
 * sent however many SAs were deleted in between; an add in between sets
 * NLM_F_DUMP_INTR. Writers hold kipsec_net.lock. The rhashtables hold each SA's
 * struct kipsec_sa_addrs, which a move replaces (kipsec_sa_move()).
 */

#include <linux/ktime.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "acquire.h"
#include "lifetime.h"
#include "netns.h"
#include "replay.h"
#include "sadb.h"
#include "spi.h"

static struct workqueue_struct *kipsec_wq;

static const struct rhashtable_params kipsec_sa_params = {
	.head_offset = offsetof(struct kipsec_sa_addrs, node),
	.key_offset = offsetof(struct kipsec_sa_addrs, key),
	.key_len = sizeof(struct kipsec_sa_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kipsec_sa_dst_params = {
	.head_offset = offsetof(struct kipsec_sa_addrs, out_node),
	.key_offset = offsetof(struct kipsec_sa_addrs, dst_key),
	.key_len = sizeof(struct kipsec_sa_dst_key),
	.automatic_shrinking = true,
};

void kipsec_sa_key_init(struct kipsec_sa_key *key, __be32 spi,
			const void *daddr, u8 family, u8 proto)
{
	memset(key, 0, sizeof(*key));
	memcpy(&key->daddr, daddr, kipsec_sa_family_len(family));
	key->spi = spi;
	key->family = family;
	key->proto = proto;
}

static void kipsec_sa_free_work(struct work_struct *work)
{
	struct kipsec_sa *sa = container_of(to_rcu_work(work), struct kipsec_sa,
					    free_work);

	kipsec_crypto_free(&sa->crypto);
	dst_cache_destroy(&sa->dst_cache);
	kipsec_replay_free(sa->replay);
	free_percpu(sa->stats);
	/* The last reader is gone: no one else sees these any more. */
	kfree(rcu_dereference_protected(sa->addrs, true));
	kfree(sa);
}

void kipsec_sa_put(struct kipsec_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(kipsec_wq, &sa->free_work);
}

static struct kipsec_sa_addrs *
kipsec_sa_addrs_alloc(struct kipsec_sa *sa, const struct kipsec_sa_key *key,
		      const union kipsec_addr *saddr)
{
	struct kipsec_sa_addrs *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return NULL;
	a->key = *key;
	memcpy(&a->dst_key.daddr, &key->daddr, sizeof(a->dst_key.daddr));
	a->dst_key.family = key->family;
	a->dst_key.proto = key->proto;
	a->saddr = *saddr;
	a->sa = sa;
	return a;
}

/*
 * What an SA, a policy or an SPI reservation holds is charged to the memory
 * cgroup of the task that asked for it (GFP_KERNEL_ACCOUNT), as nf_tables
 * charges its objects: CAP_NET_ADMIN in a container's own namespace is
 * enough to add them, and nothing else bounds how many. The transforms
 * are the crypto API's allocations and stay uncharged.
 */
struct kipsec_sa *kipsec_sa_create(struct net *net,
				   const struct kipsec_sa_cfg *cfg,
				   struct netlink_ext_ack *extack)
{
	struct kipsec_sa *sa;
	int err;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return ERR_PTR(-ENOMEM);

	RCU_INIT_POINTER(sa->addrs,
			 kipsec_sa_addrs_alloc(sa, &cfg->key, &cfg->saddr));
	if (!rcu_access_pointer(sa->addrs)) {
		err = -ENOMEM;
		goto err_free;
	}

	sa->stats = kipsec_stats_alloc(GFP_KERNEL_ACCOUNT);
	if (!sa->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	sa->replay = kipsec_replay_alloc(cfg->replay_window,
					 cfg->flags & KIPSEC_SA_F_ESN,
					 GFP_KERNEL_ACCOUNT);
	if (!sa->replay) {
		err = -ENOMEM;
		goto err_free;
	}
	err = dst_cache_init(&sa->dst_cache, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free;
	err = kipsec_crypto_init(&sa->crypto, &cfg->crypto, extack);
	if (err)
		goto err_dst;

	sa->key = cfg->key;
	spin_lock_init(&sa->replay_lock);
	refcount_set(&sa->refcnt, 1);
	write_pnet(&sa->net, net);
	sa->mode = cfg->mode;
	sa->reqid = cfg->reqid;
	sa->replay_window = cfg->replay_window;
	sa->flags = cfg->flags;
	sa->encap_sport = cfg->encap_sport;
	sa->encap_dport = cfg->encap_dport;
	sa->udp_encap = cfg->encap_dport != 0;
	atomic64_set(&sa->oseq, cfg->seq_out);
	sa->soft = cfg->soft;
	sa->hard = cfg->hard;
	sa->add_time = ktime_get_boottime_seconds();
	kipsec_sa_life_init(sa);
	INIT_RCU_WORK(&sa->free_work, kipsec_sa_free_work);
	return sa;

err_dst:
	dst_cache_destroy(&sa->dst_cache);
err_free:
	kipsec_replay_free(sa->replay);
	free_percpu(sa->stats);
	kfree(rcu_dereference_protected(sa->addrs, true));
	kfree(sa);
	return ERR_PTR(err);
}

/*
 * The packet path tests a bit per UDP port; the counts behind the bits live
 * in an xarray, since several SAs usually share port 4500.
 */
static int kipsec_encap_port_get(struct kipsec_net *kn, u16 port)
{
	unsigned long n = xa_to_value(xa_load(&kn->encap_refs, port) ?:
				      xa_mk_value(0));
	int err;

	err = xa_err(xa_store(&kn->encap_refs, port, xa_mk_value(n + 1),
			      GFP_KERNEL_ACCOUNT));
	if (err)
		return err;
	if (!n)
		set_bit(port, kn->encap_ports);
	kn->encap_sa_count++;
	return 0;
}

static void kipsec_encap_port_put(struct kipsec_net *kn, u16 port)
{
	unsigned long n = xa_to_value(xa_load(&kn->encap_refs, port));

	if (n > 1) {
		xa_store(&kn->encap_refs, port, xa_mk_value(n - 1), GFP_KERNEL);
	} else {
		xa_erase(&kn->encap_refs, port);
		clear_bit(port, kn->encap_ports);
	}
	kn->encap_sa_count--;
}

static void kipsec_sa_gen_bump(struct kipsec_net *kn)
{
	/* 0 would read as "no generation yet" to nl_dump_check_consistent(). */
	if (++kn->sa_gen == 0)
		kn->sa_gen = 1;
}

const struct kipsec_sa_addrs *kipsec_sa_addrs(struct kipsec_net *kn,
					      const struct kipsec_sa *sa)
{
	return rcu_dereference_protected(sa->addrs, lockdep_is_held(&kn->lock));
}

/* Into both lookup tables, or neither. */
static int kipsec_sa_hash(struct kipsec_net *kn, struct kipsec_sa_addrs *a)
{
	int err;

	err = rhashtable_lookup_insert_fast(&kn->sas, &a->node,
					    kipsec_sa_params);
	if (err)
		return err;
	err = rhltable_insert(&kn->sas_by_dst, &a->out_node,
			      kipsec_sa_dst_params);
	if (err)
		rhashtable_remove_fast(&kn->sas, &a->node, kipsec_sa_params);
	return err;
}

/* On success the table holds its own reference; the caller keeps theirs. */
int kipsec_sa_insert(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	struct kipsec_sa_addrs *a;
	int err;

	lockdep_assert_held(&kn->lock);

	err = xa_alloc_cyclic(&kn->sa_ids, &sa->id, sa, xa_limit_32b,
			      &kn->sa_next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		return err;

	refcount_inc(&sa->refcnt);
	/* Before the packet path can see it: the newest SA is preferred. */
	WRITE_ONCE(sa->serial, ++kn->sa_serial);
	a = rcu_dereference_protected(sa->addrs, lockdep_is_held(&kn->lock));
	err = kipsec_sa_hash(kn, a);
	if (err)
		goto err_ids;
	if (sa->udp_encap) {
		err = kipsec_encap_port_get(kn, sa->encap_dport);
		if (err)
			goto err_hash;
	}

	/* An SA for a reserved SPI is what the reservation was waiting for. */
	kipsec_spi_release(kn, &sa->key);

	kn->sa_count++;
	kipsec_stats_sa_count_add(1);
	kipsec_sa_gen_bump(kn);
	kipsec_sa_life_start(sa);
	kipsec_acquire_sa_added(kn, sa);
	return 0;

err_hash:
	rhltable_remove(&kn->sas_by_dst, &a->out_node, kipsec_sa_dst_params);
	rhashtable_remove_fast(&kn->sas, &a->node, kipsec_sa_params);
err_ids:
	xa_erase(&kn->sa_ids, sa->id);
	refcount_dec(&sa->refcnt);
	return err;
}

/*
 * The end of every deletion: the SA leaves both lookup tables, the id
 * xarray, its counts and its lifetime timers. The table's reference stays
 * with the caller.
 */
static void kipsec_sa_unlink(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	struct kipsec_sa_addrs *a;

	lockdep_assert_held(&kn->lock);

	a = rcu_dereference_protected(sa->addrs, lockdep_is_held(&kn->lock));
	rhashtable_remove_fast(&kn->sas, &a->node, kipsec_sa_params);
	rhltable_remove(&kn->sas_by_dst, &a->out_node, kipsec_sa_dst_params);
	if (sa->udp_encap)
		kipsec_encap_port_put(kn, sa->encap_dport);
	xa_erase(&kn->sa_ids, sa->id);
	kn->sa_count--;
	kipsec_stats_sa_count_add(-1);
	kipsec_sa_gen_bump(kn);
	kipsec_sa_life_stop(sa);
}

/*
 * Removes the SA and any reservation of its identity. The table's reference
 * passes to the caller through @deleted, which is NULL when there was only a
 * reservation.
 */
int kipsec_sa_delete(struct kipsec_net *kn, const struct kipsec_sa_key *key,
		     struct kipsec_sa **deleted)
{
	struct kipsec_sa *sa;
	bool released;

	lockdep_assert_held(&kn->lock);

	*deleted = NULL;
	released = kipsec_spi_release(kn, key);
	sa = kipsec_sa_find(kn, key);
	if (!sa)
		return released ? 0 : -ENOENT;
	kipsec_sa_unlink(kn, sa);
	*deleted = sa;
	return 0;
}

/*
 * NAT traversal (nat.c): new UDP ports for an ESP-in-UDP SA, in steps
 * around the change of addresses that may come with them, so that undoing
 * the whole needs no allocation. Prepare takes the new destination port
 * and is the only step that can fail; commit lets go of the old port and
 * switches, abort lets go of the new one.
 */
int kipsec_sa_encap_prepare(struct kipsec_net *kn, struct kipsec_sa *sa,
			    u16 dport)
{
	lockdep_assert_held(&kn->lock);

	return dport == sa->encap_dport ? 0 : kipsec_encap_port_get(kn, dport);
}

void kipsec_sa_encap_abort(struct kipsec_net *kn, struct kipsec_sa *sa,
			   u16 dport)
{
	lockdep_assert_held(&kn->lock);

	if (dport != sa->encap_dport)
		kipsec_encap_port_put(kn, dport);
}

/*
 * The packet path reads each port once per packet without a lock; a
 * packet caught between the two writes goes to a port that was right a
 * moment ago.
 */
void kipsec_sa_encap_commit(struct kipsec_net *kn, struct kipsec_sa *sa,
			    u16 sport, u16 dport)
{
	lockdep_assert_held(&kn->lock);

	if (dport != sa->encap_dport)
		kipsec_encap_port_put(kn, sa->encap_dport);
	WRITE_ONCE(sa->encap_sport, sport);
	WRITE_ONCE(sa->encap_dport, dport);
	kipsec_sa_gen_bump(kn);
}

/*
 * Puts @new, the moved copy of @old, in @old's place in both tables. A new
 * destination makes a new key: @new goes in next to @old, which then
 * leaves, so that a lookup always finds one of the two (an SA or a
 * reservation that holds the new key makes this -EEXIST). A new source
 * alone keeps the key, and @new replaces @old in the same hash chain.
 * Either way only the inserts can fail, and they come first: on error the
 * tables are as they were.
 */
static int kipsec_sa_rehash(struct kipsec_net *kn, struct kipsec_sa_addrs *old,
			    struct kipsec_sa_addrs *new)
{
	int err;

	if (memcmp(&new->key, &old->key, sizeof(new->key))) {
		if (kipsec_spi_reserved(kn, &new->key))
			return -EEXIST;
		err = kipsec_sa_hash(kn, new);
		if (err)
			return err;
		rhashtable_remove_fast(&kn->sas, &old->node, kipsec_sa_params);
	} else {
		err = rhltable_insert(&kn->sas_by_dst, &new->out_node,
				      kipsec_sa_dst_params);
		if (err)
			return err;
		err = rhashtable_replace_fast(&kn->sas, &old->node, &new->node,
					      kipsec_sa_params);
		if (err) {
			rhltable_remove(&kn->sas_by_dst, &new->out_node,
					kipsec_sa_dst_params);
			return err;
		}
	}
	rhltable_remove(&kn->sas_by_dst, &old->out_node, kipsec_sa_dst_params);
	return 0;
}

/*
 * NAT traversal (nat.c): the peer's NAT now shows it from another address.
 * The SA keeps everything else (keys, sequence numbers, replay window,
 * counters, lifetimes).
 *
 * Readers on the packet path hash, compare and copy the addresses under
 * RCU alone, so they are never written in place: the SA gets a new struct
 * kipsec_sa_addrs, published with rcu_assign_pointer() and swapped into the
 * lookup tables for the old one, which is freed by kfree_rcu() once no
 * reader can hold it. A reader sees the old pair or the new, each whole,
 * and the lookups find the SA throughout. Nothing here waits for a grace
 * period, so kipsec_net.lock is held for microseconds, not milliseconds.
 *
 * The SA's cached route goes to the old peer: it is reset once the new
 * addresses are visible. A reader that read the old ones before may still
 * cache a route to them afterwards; kipsec_sa_route_recheck() drops that.
 *
 * Returns -EEXIST when another SA or a reservation holds the new identity.
 * On any error nothing changed.
 */
int kipsec_sa_move(struct kipsec_net *kn, struct kipsec_sa *sa,
		   const union kipsec_addr *saddr,
		   const union kipsec_addr *daddr)
{
	struct kipsec_sa_addrs *old, *new;
	struct kipsec_sa_key key;
	int err;

	lockdep_assert_held(&kn->lock);

	old = rcu_dereference_protected(sa->addrs, lockdep_is_held(&kn->lock));
	key = old->key;
	key.daddr = *daddr;
	new = kipsec_sa_addrs_alloc(sa, &key, saddr);
	if (!new)
		return -ENOMEM;
	err = kipsec_sa_rehash(kn, old, new);
	if (err) {
		kfree(new);
		return err;
	}
	rcu_assign_pointer(sa->addrs, new);
	sa->key.daddr = new->key.daddr;
	kfree_rcu(old, rcu);

	/* Pairs with the one in kipsec_sa_route_recheck(). */
	smp_mb();
	dst_cache_reset(&sa->dst_cache);
	WRITE_ONCE(sa->mapping_sent, 0);
	kipsec_sa_gen_bump(kn);
	kipsec_acquire_sa_added(kn, sa);
	return 0;
}

/*
 * For the packet path, after it cached a route it made from @addrs. If the
 * SA moved meanwhile, kipsec_sa_move() may have reset the cache before
 * this route went in: reset it again. With a full barrier on both sides,
 * either this sees the new addresses, or the move's reset (and its jiffies
 * stamp) comes after the route was cached, which invalidates it.
 */
void kipsec_sa_route_recheck(struct kipsec_sa *sa,
			     const struct kipsec_sa_addrs *addrs)
{
	/* Pairs with the one in kipsec_sa_move(). */
	smp_mb();
	if (rcu_access_pointer(sa->addrs) != addrs)
		dst_cache_reset(&sa->dst_cache);
}

/* @proto 0 flushes both protocols. Returns the number of SAs deleted. */
unsigned int kipsec_sa_flush(struct kipsec_net *kn, u8 proto)
{
	struct kipsec_sa *sa;
	unsigned int n = 0;
	unsigned long id;

	lockdep_assert_held(&kn->lock);

	xa_for_each(&kn->sa_ids, id, sa) {
		if (proto && sa->key.proto != proto)
			continue;
		kipsec_sa_unlink(kn, sa);
		kipsec_sa_put(sa);
		n++;
		cond_resched();
	}
	kipsec_spi_release_all(kn, proto);
	return n;
}

struct kipsec_sa *kipsec_sa_find(struct kipsec_net *kn,
				 const struct kipsec_sa_key *key)
{
	struct kipsec_sa_addrs *a;

	lockdep_assert_held(&kn->lock);

	/* The lock keeps the SA alive after the internal RCU section. */
	a = rhashtable_lookup_fast(&kn->sas, key, kipsec_sa_params);
	return a ? a->sa : NULL;
}

/* The first SA whose id is >= *id, in id order; *id is set to its id. */
struct kipsec_sa *kipsec_sa_next(struct kipsec_net *kn, unsigned long *id)
{
	lockdep_assert_held(&kn->lock);

	return xa_find(&kn->sa_ids, id, ULONG_MAX, XA_PRESENT);
}

/*
 * For the packet path: valid until rcu_read_unlock() unless a reference is
 * taken with kipsec_sa_get().
 */
struct kipsec_sa *kipsec_sa_lookup_rcu(struct net *net, __be32 spi,
				       const void *daddr, u8 family, u8 proto)
{
	struct kipsec_sa_addrs *a;
	struct kipsec_sa_key key;

	kipsec_sa_key_init(&key, spi, daddr, family, proto);
	a = rhashtable_lookup(&kipsec_net(net)->sas, &key, kipsec_sa_params);
	return a ? a->sa : NULL;
}

/*
 * Every SA towards @daddr: walk the struct kipsec_sa_addrs with
 * rhl_for_each_entry_rcu(). While an SA moves it may be there twice.
 */
struct rhlist_head *kipsec_sa_lookup_dst_rcu(struct net *net,
					     const void *daddr, u8 family,
					     u8 proto)
{
	struct kipsec_sa_dst_key key;

	memset(&key, 0, sizeof(key));
	memcpy(&key.daddr, daddr, kipsec_sa_family_len(family));
	key.family = family;
	key.proto = proto;
	return rhltable_lookup(&kipsec_net(net)->sas_by_dst, &key,
			       kipsec_sa_dst_params);
}

/*
 * Whether UDP port @port of local address @daddr is where an ESP-in-UDP SA
 * takes its packets. kipsec_net.encap_ports cannot say: it holds every
 * such SA's destination port, and an outbound SA's is the peer's (behind a
 * NAT, any port, a local service's too). The SAs towards a local address
 * are the inbound ones, and usually all share one port: the walk is short
 * where the answer is yes, and only a datagram that found no SA takes it.
 */
bool kipsec_sa_encap_endpoint_rcu(struct net *net, const void *daddr,
				  u8 family, u16 port)
{
	struct rhlist_head *pos, *list;
	struct kipsec_sa_addrs *a;

	list = kipsec_sa_lookup_dst_rcu(net, daddr, family, IPPROTO_ESP);
	rhl_for_each_entry_rcu(a, pos, list, out_node)
		if (a->sa->udp_encap && READ_ONCE(a->sa->encap_dport) == port)
			return true;
	return false;
}

int kipsec_sadb_net_init(struct kipsec_net *kn)
{
	int err;

	xa_init_flags(&kn->sa_ids, XA_FLAGS_ALLOC);
	xa_init(&kn->encap_refs);
	kn->sa_gen = 1;
	kn->encap_ports = bitmap_zalloc(U16_MAX + 1, GFP_KERNEL);
	if (!kn->encap_ports)
		return -ENOMEM;
	err = rhashtable_init(&kn->sas, &kipsec_sa_params);
	if (err)
		goto err_bitmap;
	err = rhltable_init(&kn->sas_by_dst, &kipsec_sa_dst_params);
	if (err)
		goto err_sas;
	return 0;

err_sas:
	rhashtable_destroy(&kn->sas);
err_bitmap:
	bitmap_free(kn->encap_ports);
	return err;
}

void kipsec_sadb_net_exit(struct kipsec_net *kn)
{
	mutex_lock(&kn->lock);
	kipsec_sa_flush(kn, 0);
	mutex_unlock(&kn->lock);
	kipsec_life_net_exit(kn);

	rhltable_destroy(&kn->sas_by_dst);
	rhashtable_destroy(&kn->sas);
	xa_destroy(&kn->sa_ids);
	xa_destroy(&kn->encap_refs);
	bitmap_free(kn->encap_ports);
}

int kipsec_sadb_init(void)
{
	int err;

	kipsec_wq = alloc_workqueue("kipsec", 0, 0);
	if (!kipsec_wq)
		return -ENOMEM;
	err = kipsec_life_init();
	if (err)
		destroy_workqueue(kipsec_wq);
	return err;
}

/* Every namespace is gone by now; wait for the frees they queued. */
void kipsec_sadb_exit(void)
{
	/* Expire work may drop the last reference, queueing a free. */
	kipsec_life_exit();
	rcu_barrier();
	destroy_workqueue(kipsec_wq);
}
