// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window. The bitmap is a ring of whole words (RFC 6479): when
 * the window moves forward, the words it moves into are cleared in one
 * store each instead of shifting the whole bitmap bit by bit, so a packet
 * costs O(1) however large the window. The ring holds at least one word
 * more than the window, so that the word being cleared never still holds a
 * sequence number inside the window.
 *
 * With ESN only the low 32 bits travel in the packet; the high 32 bits are
 * inferred from the window as in RFC 4303 Appendix A2.1, and must be right
 * before the ICV can be checked, since they are part of what it covers.
 */

#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <kipsec.h>

#include "replay.h"

/*
 * With the replay check off, ESN still needs an epoch guess: take the one
 * closest to the highest number seen, i.e. a window of half the space.
 */
#define KIPSEC_REPLAY_ESN_NOCHECK_WINDOW BIT(31)

struct kipsec_replay *kipsec_replay_alloc(u32 window, bool esn, gfp_t gfp)
{
	struct kipsec_replay *r;
	u32 nbits = 0;

	if (window > KIPSEC_REPLAY_WINDOW_MAX)
		return NULL;
	if (window)
		nbits = roundup_pow_of_two(window + BITS_PER_LONG);
	r = kzalloc(struct_size(r, bmp, BITS_TO_LONGS(nbits)), gfp);
	if (!r)
		return NULL;
	r->window = window;
	r->nbits = nbits;
	r->esn = esn;
	return r;
}

void kipsec_replay_free(struct kipsec_replay *r)
{
	kfree(r);
}

/* RFC 4303 A2.1: the epoch of @seq_lo, or false if it is before the first. */
static bool kipsec_replay_infer(const struct kipsec_replay *r, u32 seq_lo,
				u64 *seq)
{
	u32 w = r->window ?: KIPSEC_REPLAY_ESN_NOCHECK_WINDOW;
	u32 tl = lower_32_bits(r->top);
	u32 th = upper_32_bits(r->top);
	u32 bottom = tl - w + 1;	/* wraps when the window spans epochs */
	u32 hi = th;

	if (tl >= w - 1) {
		/* Window inside epoch th: below it means the next epoch. */
		if (seq_lo < bottom) {
			if (th == U32_MAX)
				return false;
			hi = th + 1;
		}
	} else if (seq_lo >= bottom) {
		/* Window spans th - 1 and th: the top part is in th - 1. */
		if (!th)
			return false;
		hi = th - 1;
	}
	*seq = (u64)hi << 32 | seq_lo;
	return true;
}

/* Within the window (or ahead of it) and not yet seen. */
static bool kipsec_replay_fresh(const struct kipsec_replay *r, u64 seq)
{
	if (!seq)
		return false;	/* never sent: the first number is 1 */
	if (seq > r->top)
		return true;
	if (r->top - seq >= r->window)
		return false;
	return !test_bit(seq & (r->nbits - 1), r->bmp);
}

/*
 * Before decryption: whether a packet carrying @seq_lo may be genuine, and
 * its full sequence number in *@seq (for the ICV of an ESN SA). It changes
 * nothing: a forged packet must not move the window.
 */
bool kipsec_replay_check(const struct kipsec_replay *r, u32 seq_lo, u64 *seq)
{
	if (r->esn) {
		if (!kipsec_replay_infer(r, seq_lo, seq))
			return false;
	} else {
		*seq = seq_lo;
	}
	if (!r->window)
		return true;
	return kipsec_replay_fresh(r, *seq);
}

/*
 * After the ICV has verified: checks again, since another CPU may have
 * accepted the same number meanwhile, then records @seq. False means the
 * packet is a replay after all and must be dropped.
 */
bool kipsec_replay_advance(struct kipsec_replay *r, u64 seq)
{
	u32 words = r->nbits / BITS_PER_LONG;
	u64 cur, diff, i;

	if (!r->window) {
		/* Still tracked: ESN inference works from the top. */
		if (seq > r->top)
			r->top = seq;
		return true;
	}
	if (!kipsec_replay_fresh(r, seq))
		return false;

	if (seq > r->top) {
		cur = r->top / BITS_PER_LONG;
		diff = seq / BITS_PER_LONG - cur;
		/* A jump past the whole ring clears each word once. */
		if (diff > words)
			diff = words;
		for (i = 1; i <= diff; i++)
			r->bmp[(cur + i) & (words - 1)] = 0;
		r->top = seq;
	}
	__set_bit(seq & (r->nbits - 1), r->bmp);
	return true;
}
