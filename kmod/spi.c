// SPDX-License-Identifier: GPL-2.0
/*
 * SPI reservations. A reservation blocks its (SPI, destination, protocol)
 * for KIPSEC_CMD_SPI_ALLOC only: KIPSEC_CMD_SA_NEW with the same identity
 * takes it over. Expired reservations are dropped lazily when they get in
 * the way, and by a per-namespace delayed work so that they do not pile up
 * when nobody allocates.
 */

#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "netns.h"
#include "sadb.h"
#include "spi.h"

/*
 * Random picks before falling back to a linear scan; with the range at most
 * half full, eight misses in a row happen once in 256 allocations.
 */
#define KIPSEC_SPI_RANDOM_TRIES 8

struct kipsec_spi_resv {
	struct rhash_head node;
	struct kipsec_sa_key key;
	struct list_head list;
	unsigned long expires;		/* jiffies */
	struct rcu_head rcu;
};

static const struct rhashtable_params kipsec_spi_params = {
	.head_offset = offsetof(struct kipsec_spi_resv, node),
	.key_offset = offsetof(struct kipsec_spi_resv, key),
	.key_len = sizeof(struct kipsec_sa_key),
	.automatic_shrinking = true,
};

static bool kipsec_spi_expired(const struct kipsec_spi_resv *r)
{
	return time_after_eq(jiffies, r->expires);
}

static void kipsec_spi_resv_free(struct kipsec_net *kn,
				 struct kipsec_spi_resv *r)
{
	lockdep_assert_held(&kn->lock);

	rhashtable_remove_fast(&kn->spi_resv, &r->node, kipsec_spi_params);
	list_del(&r->list);
	kn->spi_resv_count--;
	/* A table resize may still be walking the bucket. */
	kfree_rcu(r, rcu);
}

static void kipsec_spi_gc_schedule(struct kipsec_net *kn, unsigned long when)
{
	lockdep_assert_held(&kn->lock);

	if (delayed_work_pending(&kn->spi_gc) &&
	    time_before_eq(kn->spi_gc_next, when))
		return;
	kn->spi_gc_next = when;
	mod_delayed_work(system_wq, &kn->spi_gc,
			 time_after(when, jiffies) ? when - jiffies : 0);
}

static void kipsec_spi_purge(struct kipsec_net *kn)
{
	struct kipsec_spi_resv *r, *tmp;
	unsigned long next = 0;
	bool any = false;

	lockdep_assert_held(&kn->lock);

	list_for_each_entry_safe(r, tmp, &kn->spi_resv_list, list) {
		if (kipsec_spi_expired(r)) {
			kipsec_spi_resv_free(kn, r);
		} else if (!any || time_before(r->expires, next)) {
			next = r->expires;
			any = true;
		}
	}
	if (any)
		kipsec_spi_gc_schedule(kn, next);
}

static void kipsec_spi_gc_work(struct work_struct *work)
{
	struct kipsec_net *kn = container_of(to_delayed_work(work),
					     struct kipsec_net, spi_gc);

	mutex_lock(&kn->lock);
	kipsec_spi_purge(kn);
	mutex_unlock(&kn->lock);
}

/* In use by an SA or by a live reservation; drops an expired one. */
static bool kipsec_spi_taken(struct kipsec_net *kn,
			     const struct kipsec_sa_key *key)
{
	struct kipsec_spi_resv *r;

	if (kipsec_sa_find(kn, key))
		return true;
	r = rhashtable_lookup_fast(&kn->spi_resv, key, kipsec_spi_params);
	if (!r)
		return false;
	if (!kipsec_spi_expired(r))
		return true;
	kipsec_spi_resv_free(kn, r);
	return false;
}

static bool kipsec_spi_try(struct kipsec_net *kn,
			   const struct kipsec_spi_req *req, u32 spi,
			   struct kipsec_sa_key *key)
{
	kipsec_sa_key_init(key, cpu_to_be32(spi), req->daddr, req->family,
			   req->proto);
	return !kipsec_spi_taken(kn, key);
}

/*
 * A few random picks find a free SPI unless the range is nearly full; then
 * a scan from a random start does. Among any used + 1 consecutive SPIs one
 * is free, so the scan is bounded by the number of identities in use, not by
 * the size of the range.
 */
static int kipsec_spi_pick(struct kipsec_net *kn,
			   const struct kipsec_spi_req *req,
			   struct kipsec_sa_key *key, u32 *spi)
{
	u64 steps, n;
	u32 cand;
	int i;

	for (i = 0; i < KIPSEC_SPI_RANDOM_TRIES; i++) {
		cand = get_random_u32_inclusive(req->min, req->max);
		if (kipsec_spi_try(kn, req, cand, key))
			goto found;
	}

	steps = min_t(u64, kipsec_spi_range_size(req->min, req->max),
		      (u64)kn->sa_count + kn->spi_resv_count + 1);
	cand = get_random_u32_inclusive(req->min, req->max);
	for (n = 0; n < steps; n++) {
		if (kipsec_spi_try(kn, req, cand, key))
			goto found;
		cand = kipsec_spi_scan_next(cand, req->min, req->max);
		if ((n & 1023) == 1023)
			cond_resched();
	}
	return -ENOSPC;

found:
	*spi = cand;
	return 0;
}

int kipsec_spi_alloc(struct kipsec_net *kn, const struct kipsec_spi_req *req,
		     u32 *spi, struct netlink_ext_ack *extack)
{
	struct kipsec_spi_resv *r;
	int err;

	lockdep_assert_held(&kn->lock);

	if (kn->spi_resv_count >= KIPSEC_SPI_RESV_MAX) {
		kipsec_spi_purge(kn);
		if (kn->spi_resv_count >= KIPSEC_SPI_RESV_MAX) {
			NL_SET_ERR_MSG(extack,
				       "KIPSEC_CMD_SPI_ALLOC: too many pending SPI reservations in this namespace (65536)");
			return -ENOSPC;
		}
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;

	err = kipsec_spi_pick(kn, req, &r->key, spi);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "KIPSEC_A_SPI_MIN: no unused SPI left between KIPSEC_A_SPI_MIN and KIPSEC_A_SPI_MAX");
		goto err_free;
	}

	r->expires = jiffies + req->timeout * HZ;
	err = rhashtable_insert_fast(&kn->spi_resv, &r->node,
				     kipsec_spi_params);
	if (err)
		goto err_free;
	list_add_tail(&r->list, &kn->spi_resv_list);
	kn->spi_resv_count++;
	kipsec_spi_gc_schedule(kn, r->expires);
	return 0;

err_free:
	kfree(r);
	return err;
}

/* True if a live reservation of @key was dropped. */
bool kipsec_spi_release(struct kipsec_net *kn, const struct kipsec_sa_key *key)
{
	struct kipsec_spi_resv *r;
	bool live;

	lockdep_assert_held(&kn->lock);

	r = rhashtable_lookup_fast(&kn->spi_resv, key, kipsec_spi_params);
	if (!r)
		return false;
	live = !kipsec_spi_expired(r);
	kipsec_spi_resv_free(kn, r);
	return live;
}

/* True if @key is reserved, expired or not: its owner may still add it. */
bool kipsec_spi_reserved(struct kipsec_net *kn, const struct kipsec_sa_key *key)
{
	lockdep_assert_held(&kn->lock);

	return rhashtable_lookup_fast(&kn->spi_resv, key, kipsec_spi_params);
}

/* @proto 0 releases reservations of both protocols. */
void kipsec_spi_release_all(struct kipsec_net *kn, u8 proto)
{
	struct kipsec_spi_resv *r, *tmp;

	lockdep_assert_held(&kn->lock);

	list_for_each_entry_safe(r, tmp, &kn->spi_resv_list, list) {
		if (!proto || r->key.proto == proto)
			kipsec_spi_resv_free(kn, r);
	}
}

int kipsec_spi_net_init(struct kipsec_net *kn)
{
	INIT_LIST_HEAD(&kn->spi_resv_list);
	INIT_DELAYED_WORK(&kn->spi_gc, kipsec_spi_gc_work);
	return rhashtable_init(&kn->spi_resv, &kipsec_spi_params);
}

void kipsec_spi_net_exit(struct kipsec_net *kn)
{
	cancel_delayed_work_sync(&kn->spi_gc);

	mutex_lock(&kn->lock);
	kipsec_spi_release_all(kn, 0);
	mutex_unlock(&kn->lock);

	rhashtable_destroy(&kn->spi_resv);
}
