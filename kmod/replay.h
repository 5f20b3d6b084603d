/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window (RFC 4303 3.4.3, with the bitmap of RFC 6479): pure
 * logic, no packets. The packet path calls kipsec_replay_check() before it
 * spends time on decryption and kipsec_replay_advance() after the ICV has
 * verified; both under the SA's replay lock, which the caller holds.
 */
#ifndef _KIPSEC_REPLAY_H
#define _KIPSEC_REPLAY_H

#include <linux/types.h>

struct kipsec_replay {
	u64 top;		/* highest sequence number accepted; 0: none */
	u32 window;		/* packets; 0: no replay check */
	u32 nbits;		/* bitmap size, a power of two >= window + 1 word */
	bool esn;		/* 64-bit sequence numbers, RFC 4303 2.2.1 */
	unsigned long bmp[];	/* bit (seq % nbits) set: seq was accepted */
};

struct kipsec_replay *kipsec_replay_alloc(u32 window, bool esn, gfp_t gfp);
void kipsec_replay_free(struct kipsec_replay *r);

bool kipsec_replay_check(const struct kipsec_replay *r, u32 seq_lo,
			 u64 *seq);
bool kipsec_replay_advance(struct kipsec_replay *r, u64 seq);

#endif /* _KIPSEC_REPLAY_H */
