// SPDX-License-Identifier: GPL-2.0
/*
 * SA database. Each namespace keeps its SAs twice: in an rhashtable keyed
 * by (SPI, destination, protocol, family) for O(1) RCU lookups on the packet
 * path, and in an xarray keyed by an insertion id that only grows, so that a
 * dump can resume after the last id it sent however many SAs were deleted
 * in between. Writers hold kipsec_net.lock.
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
	.head_offset = offsetof(struct kipsec_sa, node),
	.key_offset = offsetof(struct kipsec_sa, key),
	.key_len = sizeof(struct kipsec_sa_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kipsec_sa_dst_params = {
	.head_offset = offsetof(struct kipsec_sa, out_node),
	.key_offset = offsetof(struct kipsec_sa, dst_key),
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
	kfree(sa);
}

void kipsec_sa_put(struct kipsec_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(kipsec_wq, &sa->free_work);
}

struct kipsec_sa *kipsec_sa_create(struct net *net,
				   const struct kipsec_sa_cfg *cfg,
				   struct netlink_ext_ack *extack)
{
	struct kipsec_sa *sa;
	int err;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);

	sa->stats = kipsec_stats_alloc(GFP_KERNEL);
	if (!sa->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	sa->replay = kipsec_replay_alloc(cfg->replay_window,
					 cfg->flags & KIPSEC_SA_F_ESN,
					 GFP_KERNEL);
	if (!sa->replay) {
		err = -ENOMEM;
		goto err_free;
	}
	err = dst_cache_init(&sa->dst_cache, GFP_KERNEL);
	if (err)
		goto err_free;
	err = kipsec_crypto_init(&sa->crypto, &cfg->crypto, extack);
	if (err)
		goto err_dst;

	sa->key = cfg->key;
	memcpy(&sa->dst_key.daddr, &cfg->key.daddr, sizeof(sa->dst_key.daddr));
	sa->dst_key.family = cfg->key.family;
	sa->dst_key.proto = cfg->key.proto;
	spin_lock_init(&sa->replay_lock);
	refcount_set(&sa->refcnt, 1);
	write_pnet(&sa->net, net);
	sa->saddr = cfg->saddr;
	sa->mode = cfg->mode;
	sa->reqid = cfg->reqid;
	sa->replay_window = cfg->replay_window;
	sa->flags = cfg->flags;
	sa->encap_sport = cfg->encap_sport;
	sa->encap_dport = cfg->encap_dport;
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
			      GFP_KERNEL));
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

/* On success the table holds its own reference; the caller keeps theirs. */
int kipsec_sa_insert(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	int err;

	lockdep_assert_held(&kn->lock);

	err = xa_alloc_cyclic(&kn->sa_ids, &sa->id, sa, xa_limit_32b,
			      &kn->sa_next_id, GFP_KERNEL);
	if (err < 0)
		return err;

	refcount_inc(&sa->refcnt);
	err = rhashtable_lookup_insert_fast(&kn->sas, &sa->node,
					    kipsec_sa_params);
	if (err)
		goto err_ids;
	err = rhltable_insert(&kn->sas_by_dst, &sa->out_node,
			      kipsec_sa_dst_params);
	if (err)
		goto err_sas;
	if (sa->encap_dport) {
		err = kipsec_encap_port_get(kn, sa->encap_dport);
		if (err)
			goto err_dst;
	}
	sa->serial = ++kn->sa_serial;

	/* An SA for a reserved SPI is what the reservation was waiting for. */
	kipsec_spi_release(kn, &sa->key);

	kn->sa_count++;
	kipsec_stats_sa_count_add(1);
	kipsec_sa_gen_bump(kn);
	kipsec_sa_life_start(sa);
	kipsec_acquire_sa_added(kn, sa);
	return 0;

err_dst:
	rhltable_remove(&kn->sas_by_dst, &sa->out_node, kipsec_sa_dst_params);
err_sas:
	rhashtable_remove_fast(&kn->sas, &sa->node, kipsec_sa_params);
err_ids:
	xa_erase(&kn->sa_ids, sa->id);
	refcount_dec(&sa->refcnt);
	return err;
}

/* Off both lookup tables; the SA stays in the id xarray and its counts. */
static void kipsec_sa_unhash(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	rhashtable_remove_fast(&kn->sas, &sa->node, kipsec_sa_params);
	rhltable_remove(&kn->sas_by_dst, &sa->out_node, kipsec_sa_dst_params);
}

/*
 * The end of every deletion, once the SA is out of the lookup tables: it
 * leaves the id xarray, its counts and its lifetime timers. The table's
 * reference stays with the caller.
 */
static void kipsec_sa_retire(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	lockdep_assert_held(&kn->lock);

	if (sa->encap_dport)
		kipsec_encap_port_put(kn, sa->encap_dport);
	xa_erase(&kn->sa_ids, sa->id);
	kn->sa_count--;
	kipsec_stats_sa_count_add(-1);
	kipsec_sa_gen_bump(kn);
	kipsec_sa_life_stop(sa);
}

static void kipsec_sa_unlink(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	lockdep_assert_held(&kn->lock);

	kipsec_sa_unhash(kn, sa);
	kipsec_sa_retire(kn, sa);
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
 * NAT traversal (nat.c): new UDP ports for an ESP-in-UDP SA. The packet
 * path reads each port once per packet without a lock; a packet caught
 * between the two writes goes to a port that was right a moment ago.
 */
int kipsec_sa_set_encap(struct kipsec_net *kn, struct kipsec_sa *sa,
			u16 sport, u16 dport)
{
	int err;

	lockdep_assert_held(&kn->lock);

	if (dport != sa->encap_dport) {
		err = kipsec_encap_port_get(kn, dport);
		if (err)
			return err;
		kipsec_encap_port_put(kn, sa->encap_dport);
	}
	WRITE_ONCE(sa->encap_sport, sport);
	WRITE_ONCE(sa->encap_dport, dport);
	kipsec_sa_gen_bump(kn);
	return 0;
}

/* Into both lookup tables, or neither. */
static int kipsec_sa_rehash(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	int err;

	err = rhashtable_lookup_insert_fast(&kn->sas, &sa->node,
					    kipsec_sa_params);
	if (err)
		return err;
	err = rhltable_insert(&kn->sas_by_dst, &sa->out_node,
			      kipsec_sa_dst_params);
	if (err)
		rhashtable_remove_fast(&kn->sas, &sa->node, kipsec_sa_params);
	return err;
}

static void kipsec_sa_set_addrs(struct kipsec_sa *sa,
				const union kipsec_addr *saddr,
				const union kipsec_addr *daddr)
{
	sa->saddr = *saddr;
	sa->key.daddr = *daddr;
	sa->dst_key.daddr = *daddr;
}

/*
 * NAT traversal (nat.c): the peer's NAT now shows it from another address.
 * The SA keeps everything else (keys, sequence numbers, replay window,
 * counters, lifetimes). Its addresses are part of what readers on the
 * packet path hash, compare and copy without a lock, so it leaves both
 * tables and a grace period passes before they change: no reader sees a
 * half-written address or follows a hash chain into the wrong bucket. The
 * packets that find no SA meanwhile (a few milliseconds) are dropped and
 * counted, as they would be by a peer that had moved anyway.
 *
 * Returns -EEXIST when another SA or a reservation holds the new identity.
 * On any other error the SA is back where it was, or, if even that failed,
 * no longer in the tables: *@gone is then set, and the caller must finish
 * the deletion with kipsec_sa_delete_moved().
 */
int kipsec_sa_move(struct kipsec_net *kn, struct kipsec_sa *sa,
		   const union kipsec_addr *saddr,
		   const union kipsec_addr *daddr, bool *gone)
{
	union kipsec_addr old_saddr = sa->saddr, old_daddr = sa->key.daddr;
	struct kipsec_sa_key key = sa->key;
	int err;

	lockdep_assert_held(&kn->lock);

	*gone = false;
	key.daddr = *daddr;
	if (memcmp(&key, &sa->key, sizeof(key)) &&
	    (rhashtable_lookup_fast(&kn->sas, &key, kipsec_sa_params) ||
	     kipsec_spi_reserved(kn, &key)))
		return -EEXIST;

	kipsec_sa_unhash(kn, sa);
	synchronize_rcu();
	kipsec_sa_set_addrs(sa, saddr, daddr);
	err = kipsec_sa_rehash(kn, sa);
	if (err) {
		kipsec_sa_set_addrs(sa, &old_saddr, &old_daddr);
		if (kipsec_sa_rehash(kn, sa)) {
			*gone = true;
			return err;
		}
	}
	/* The cached route goes to the old peer. */
	dst_cache_reset(&sa->dst_cache);
	WRITE_ONCE(sa->mapping_sent, 0);
	kipsec_sa_gen_bump(kn);
	if (!err)
		kipsec_acquire_sa_added(kn, sa);
	return err;
}

/* Ends an SA that kipsec_sa_move() left out of the tables. */
void kipsec_sa_delete_moved(struct kipsec_net *kn, struct kipsec_sa *sa)
{
	kipsec_sa_retire(kn, sa);
	kipsec_sa_put(sa);
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
	lockdep_assert_held(&kn->lock);

	/* The lock keeps the SA alive after the internal RCU section. */
	return rhashtable_lookup_fast(&kn->sas, key, kipsec_sa_params);
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
	struct kipsec_sa_key key;

	kipsec_sa_key_init(&key, spi, daddr, family, proto);
	return rhashtable_lookup(&kipsec_net(net)->sas, &key,
				 kipsec_sa_params);
}

/* Every SA towards @daddr; walk with rhl_for_each_entry_rcu(). */
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
