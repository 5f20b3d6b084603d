// SPDX-License-Identifier: GPL-2.0
/*
 * Security policy database. Each namespace keeps its policies twice: in an
 * xarray by index, for the control path (get and delete by index), and per
 * direction in an array sorted in lookup order (priority, then insertion
 * order, so that equal priorities keep it). The packet path
 * reads the arrays under RCU alone; a writer, holding kipsec_net.lock,
 * builds a new array and swaps it in, so a reader sees either the old set
 * or the new one and never a half-made change. Policy changes are rare next
 * to lookups, which makes the O(n) copy per change the right trade.
 */

#include <linux/in.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "debug_hooks.h"
#include "netns.h"
#include "spd.h"
#include "spd_expire.h"
#include "stats.h"

static void kipsec_addr_mask(union kipsec_addr *addr, u8 family, u8 plen)
{
	struct in6_addr full;

	if (family == AF_INET) {
		addr->ip4 &= plen ? htonl(~0U << (32 - plen)) : 0;
		return;
	}
	/* ipv6_addr_prefix() clears its output first: not in place. */
	full = addr->ip6;
	ipv6_addr_prefix(&addr->ip6, &full, plen);
}

/* Clears address bits beyond the prefixes, so that equal selectors compare
 * equal byte for byte and matching can compare masked words.
 */
void kipsec_selector_mask(struct kipsec_selector *sel)
{
	kipsec_addr_mask(&sel->saddr, sel->family, sel->splen);
	kipsec_addr_mask(&sel->daddr, sel->family, sel->dplen);
}

static bool kipsec_prefix_match(const union kipsec_addr *prefix, u8 plen,
				const union kipsec_addr *addr, u8 family)
{
	if (family == AF_INET)
		return !plen ||
		       !((prefix->ip4 ^ addr->ip4) & htonl(~0U << (32 - plen)));
	return ipv6_prefix_equal(&prefix->ip6, &addr->ip6, plen);
}

static bool kipsec_port_match(const struct kipsec_port_range *r, u16 port)
{
	return port >= r->min && port <= r->max;
}

bool kipsec_selector_match(const struct kipsec_selector *sel,
			   const struct kipsec_flow *flow)
{
	return sel->family == flow->family &&
	       (!sel->proto || sel->proto == flow->proto) &&
	       kipsec_port_match(&sel->sport, flow->sport) &&
	       kipsec_port_match(&sel->dport, flow->dport) &&
	       kipsec_prefix_match(&sel->daddr, sel->dplen, &flow->daddr,
				   flow->family) &&
	       kipsec_prefix_match(&sel->saddr, sel->splen, &flow->saddr,
				   flow->family);
}

static struct kipsec_spd_table *kipsec_spd_table(struct kipsec_net *kn, u8 dir)
{
	return rcu_dereference_protected(kn->spd[dir - 1],
					 lockdep_is_held(&kn->lock));
}

/*
 * For the packet path: the first policy of @dir, in lookup order, whose
 * selector matches @flow, or NULL. Valid until rcu_read_unlock().
 */
struct kipsec_policy *kipsec_spd_lookup_rcu(struct net *net, u8 dir,
					    const struct kipsec_flow *flow)
{
	struct kipsec_spd_table *tbl;
	unsigned int i;

	if (dir < KIPSEC_DIR_OUT || dir > KIPSEC_DIR_MAX)
		return NULL;
	tbl = rcu_dereference(kipsec_net(net)->spd[dir - 1]);
	if (!tbl)
		return NULL;
	for (i = 0; i < tbl->count; i++) {
		struct kipsec_policy *pol = tbl->pols[i];

		if (kipsec_selector_match(&pol->cfg.sel, flow))
			return pol;
	}
	return NULL;
}

static void kipsec_spd_gen_bump(struct kipsec_net *kn)
{
	/* 0 would read as "no generation yet" to nl_dump_check_consistent(). */
	if (++kn->pol_gen == 0)
		kn->pol_gen = 1;
}

/*
 * (priority, seq) order: the order of lookup. Not the index, which is
 * reused once it wraps: a new policy would then go before older ones of its
 * priority.
 */
static bool kipsec_pos_lt(u32 prio_a, u64 seq_a, u32 prio_b, u64 seq_b)
{
	return prio_a < prio_b || (prio_a == prio_b && seq_a < seq_b);
}

/*
 * @gfp: GFP_KERNEL_ACCOUNT for a table that grows (see kipsec_sa_create()),
 * GFP_KERNEL for one that shrinks: a cgroup at its limit can still delete.
 */
static struct kipsec_spd_table *kipsec_spd_table_alloc(unsigned int count,
						       gfp_t gfp)
{
	struct kipsec_spd_table *tbl;

	tbl = kvmalloc(struct_size(tbl, pols, count), gfp);
	if (tbl)
		tbl->count = count;
	return tbl;
}

/*
 * Publishes @new (NULL when the direction became empty) and frees the old
 * array after the readers that may hold it are gone.
 */
static void kipsec_spd_table_swap(struct kipsec_net *kn, u8 dir,
				  struct kipsec_spd_table *new)
{
	struct kipsec_spd_table *old = kipsec_spd_table(kn, dir);

	rcu_assign_pointer(kn->spd[dir - 1], new);
	if (old)
		kvfree_rcu(old, rcu);
	kipsec_spd_gen_bump(kn);
}

int kipsec_spd_insert(struct kipsec_net *kn,
		      const struct kipsec_policy_cfg *cfg, u32 *index)
{
	struct kipsec_spd_table *old, *new;
	struct kipsec_policy *pol;
	unsigned int i, n, pos;
	int err;

	lockdep_assert_held(&kn->lock);

	old = kipsec_spd_table(kn, cfg->dir);
	n = old ? old->count : 0;
	for (i = 0; i < n; i++) {
		const struct kipsec_policy *p = old->pols[i];

		if (p->cfg.priority == cfg->priority &&
		    !memcmp(&p->cfg.sel, &cfg->sel, sizeof(cfg->sel)))
			return -EEXIST;
	}

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return -ENOMEM;
	pol->cfg = *cfg;

	new = kipsec_spd_table_alloc(n + 1, GFP_KERNEL_ACCOUNT);
	if (!new) {
		err = -ENOMEM;
		goto err_free;
	}
	err = xa_alloc_cyclic(&kn->pol_ids, &pol->index, pol,
			      XA_LIMIT(1, U32_MAX), &kn->pol_next_id,
			      GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto err_free_tbl;
	pol->seq = kn->pol_next_seq++;

	/* After every policy of a lower or equal priority. */
	for (pos = 0; pos < n; pos++)
		if (kipsec_pos_lt(pol->cfg.priority, pol->seq,
				  old->pols[pos]->cfg.priority,
				  old->pols[pos]->seq))
			break;
	if (pos)
		memcpy(new->pols, old->pols, pos * sizeof(new->pols[0]));
	new->pols[pos] = pol;
	if (n > pos)
		memcpy(&new->pols[pos + 1], &old->pols[pos],
		       (n - pos) * sizeof(new->pols[0]));
	kipsec_spd_table_swap(kn, cfg->dir, new);

	kn->pol_count++;
	kipsec_stats_policy_count_add(1);
	kipsec_spd_expire_start(kn, pol);
	*index = pol->index;
	return 0;

err_free_tbl:
	kvfree(new);
err_free:
	kfree(pol);
	return err;
}

/* A copy of the policy goes to @deleted, for the event that reports it. */
static int kipsec_spd_remove(struct kipsec_net *kn, struct kipsec_policy *pol,
			     struct kipsec_policy *deleted)
{
	struct kipsec_spd_table *old, *new = NULL;
	u8 dir = pol->cfg.dir;
	unsigned int i, j;

	lockdep_assert_held(&kn->lock);

	old = kipsec_spd_table(kn, dir);
	if (old->count > 1) {
		/* The only allocation of a delete; it can fail like any. */
		new = kipsec_spd_table_alloc(old->count - 1, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		for (i = 0, j = 0; i < old->count; i++)
			if (old->pols[i] != pol)
				new->pols[j++] = old->pols[i];
	}
	kipsec_spd_table_swap(kn, dir, new);

	xa_erase(&kn->pol_ids, pol->index);
	kipsec_spd_expire_forget(kn, pol);
	kn->pol_count--;
	kipsec_stats_policy_count_add(-1);
	*deleted = *pol;
	kfree_rcu(pol, rcu);
	return 0;
}

int kipsec_spd_delete_index(struct kipsec_net *kn, u32 index,
			    struct kipsec_policy *deleted)
{
	struct kipsec_policy *pol = kipsec_spd_find(kn, index);

	return pol ? kipsec_spd_remove(kn, pol, deleted) : -ENOENT;
}

/* The first policy of @sel in lookup order, of *@priority if given. */
int kipsec_spd_delete_sel(struct kipsec_net *kn, u8 dir,
			  const struct kipsec_selector *sel,
			  const u32 *priority, struct kipsec_policy *deleted)
{
	struct kipsec_spd_table *tbl;
	unsigned int i;

	lockdep_assert_held(&kn->lock);

	tbl = kipsec_spd_table(kn, dir);
	for (i = 0; tbl && i < tbl->count; i++) {
		struct kipsec_policy *pol = tbl->pols[i];

		if (priority && pol->cfg.priority != *priority)
			continue;
		if (!memcmp(&pol->cfg.sel, sel, sizeof(*sel)))
			return kipsec_spd_remove(kn, pol, deleted);
	}
	return -ENOENT;
}

/* @dir 0 flushes every direction. Returns the number of policies deleted. */
unsigned int kipsec_spd_flush(struct kipsec_net *kn, u8 dir)
{
	struct kipsec_spd_table *tbl;
	unsigned int n = 0, i;
	u8 d;

	lockdep_assert_held(&kn->lock);

	for (d = KIPSEC_DIR_OUT; d <= KIPSEC_DIR_MAX; d++) {
		if (dir && d != dir)
			continue;
		tbl = kipsec_spd_table(kn, d);
		if (!tbl)
			continue;
		rcu_assign_pointer(kn->spd[d - 1], NULL);
		for (i = 0; i < tbl->count; i++) {
			xa_erase(&kn->pol_ids, tbl->pols[i]->index);
			kipsec_spd_expire_forget(kn, tbl->pols[i]);
			kfree_rcu(tbl->pols[i], rcu);
		}
		n += tbl->count;
		kvfree_rcu(tbl, rcu);
		cond_resched();
	}
	if (n) {
		kn->pol_count -= n;
		kipsec_stats_policy_count_add(-(int)n);
		kipsec_spd_gen_bump(kn);
	}
	return n;
}

static bool kipsec_tmpl_is_pair(const struct kipsec_tmpl *t,
				const struct kipsec_spd_move *mv)
{
	return t->mode == KIPSEC_MODE_TUNNEL && t->family == mv->family &&
	       t->proto == mv->proto && (!t->reqid || t->reqid == mv->reqid) &&
	       kipsec_addr_equal(&t->saddr, &mv->old_saddr, mv->family) &&
	       kipsec_addr_equal(&t->daddr, &mv->old_daddr, mv->family);
}

/*
 * The policies whose tunnel endpoints are an SA's old address pair follow
 * it when it moves (NAT traversal). Policies are read on the packet path
 * without a lock, so each is replaced by a copy, with the arrays that hold
 * them: every allocation is made here, before anything changes, and
 * kipsec_spd_move_commit() cannot fail.
 */
int kipsec_spd_move_prepare(struct kipsec_net *kn, struct kipsec_spd_move *mv)
{
	struct kipsec_spd_table *old, *new;
	unsigned int i;
	u8 d;

	lockdep_assert_held(&kn->lock);

	memset(mv->tbl, 0, sizeof(mv->tbl));
	for (d = KIPSEC_DIR_OUT; d <= KIPSEC_DIR_MAX; d++) {
		old = kipsec_spd_table(kn, d);
		for (i = 0; old && i < old->count; i++)
			if (old->pols[i]->cfg.action == KIPSEC_ACTION_PROTECT &&
			    kipsec_tmpl_is_pair(&old->pols[i]->cfg.tmpl, mv))
				break;
		if (!old || i == old->count)
			continue;
		new = kipsec_spd_table_alloc(old->count, GFP_KERNEL_ACCOUNT);
		if (!new)
			goto err;
		mv->tbl[d - 1] = new;
		memcpy(new->pols, old->pols, old->count * sizeof(new->pols[0]));
		for (; i < old->count; i++) {
			struct kipsec_policy *pol = old->pols[i];

			if (pol->cfg.action != KIPSEC_ACTION_PROTECT ||
			    !kipsec_tmpl_is_pair(&pol->cfg.tmpl, mv))
				continue;
			new->pols[i] = kmemdup(pol, sizeof(*pol), GFP_KERNEL_ACCOUNT);
			if (!new->pols[i]) {
				new->pols[i] = pol;
				goto err;
			}
			new->pols[i]->cfg.tmpl.saddr = mv->new_saddr;
			new->pols[i]->cfg.tmpl.daddr = mv->new_daddr;
		}
	}
	return 0;

err:
	kipsec_spd_move_abort(kn, mv);
	return -ENOMEM;
}

void kipsec_spd_move_abort(struct kipsec_net *kn, struct kipsec_spd_move *mv)
{
	struct kipsec_spd_table *old, *new;
	unsigned int i;
	u8 d;

	lockdep_assert_held(&kn->lock);

	for (d = KIPSEC_DIR_OUT; d <= KIPSEC_DIR_MAX; d++) {
		new = mv->tbl[d - 1];
		if (!new)
			continue;
		old = kipsec_spd_table(kn, d);
		for (i = 0; i < new->count; i++)
			if (new->pols[i] != old->pols[i])
				kfree(new->pols[i]);
		kvfree(new);
		mv->tbl[d - 1] = NULL;
	}
}

/* Returns the number of policies moved. */
unsigned int kipsec_spd_move_commit(struct kipsec_net *kn,
				    struct kipsec_spd_move *mv)
{
	struct kipsec_spd_table *old, *new;
	unsigned int i, n = 0;
	u8 d;

	lockdep_assert_held(&kn->lock);

	for (d = KIPSEC_DIR_OUT; d <= KIPSEC_DIR_MAX; d++) {
		new = mv->tbl[d - 1];
		if (!new)
			continue;
		old = kipsec_spd_table(kn, d);
		for (i = 0; i < new->count; i++) {
			if (new->pols[i] == old->pols[i])
				continue;
			/* Replaces an existing entry: allocates nothing. */
			xa_store(&kn->pol_ids, new->pols[i]->index,
				 new->pols[i], GFP_KERNEL_ACCOUNT);
			kfree_rcu(old->pols[i], rcu);
			n++;
		}
		kipsec_spd_table_swap(kn, d, new);
		mv->tbl[d - 1] = NULL;
	}
	return n;
}

struct kipsec_policy *kipsec_spd_find(struct kipsec_net *kn, u32 index)
{
	lockdep_assert_held(&kn->lock);

	return xa_load(&kn->pol_ids, index);
}

/*
 * For dumps, in dump order (direction, then lookup order): the first policy
 * strictly after the cursor (*@dir, *@priority, *@seq), which is then set
 * to that policy's position. Sequence number 0 is never used, so
 * (KIPSEC_DIR_OUT, 0, 0) starts from the beginning. A dump resumes after the last policy it
 * sent, so deletions in between neither repeat nor skip a policy.
 */
struct kipsec_policy *kipsec_spd_next(struct kipsec_net *kn, u8 *dir,
				      u32 *priority, u64 *seq)
{
	struct kipsec_spd_table *tbl;
	unsigned int lo, hi, mid;

	lockdep_assert_held(&kn->lock);

	for (; *dir <= KIPSEC_DIR_MAX; (*dir)++, *priority = 0, *seq = 0) {
		tbl = kipsec_spd_table(kn, *dir);
		if (!tbl)
			continue;
		/* Binary search, so that a long dump stays O(n log n). */
		lo = 0;
		hi = tbl->count;
		while (lo < hi) {
			const struct kipsec_policy *p;

			mid = lo + (hi - lo) / 2;
			p = tbl->pols[mid];
			if (kipsec_pos_lt(*priority, *seq, p->cfg.priority,
					  p->seq))
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo < tbl->count) {
			*priority = tbl->pols[lo]->cfg.priority;
			*seq = tbl->pols[lo]->seq;
			return tbl->pols[lo];
		}
	}
	return NULL;
}

int kipsec_spd_net_init(struct kipsec_net *kn)
{
	xa_init_flags(&kn->pol_ids, XA_FLAGS_ALLOC1);
	kn->pol_next_id = kipsec_debug_first_policy_index() ?: 1;
	kn->pol_next_seq = 1;
	kn->pol_gen = 1;
	kipsec_spd_expire_net_init(kn);
	return 0;
}

void kipsec_spd_net_exit(struct kipsec_net *kn)
{
	kipsec_spd_expire_net_exit(kn);
	mutex_lock(&kn->lock);
	kipsec_spd_flush(kn, 0);
	mutex_unlock(&kn->lock);
	xa_destroy(&kn->pol_ids);
}
