// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time self-tests (DEBUG builds only): SPI range arithmetic, SA key
 * canonical form, the algorithm table's key-length rules, policy selector
 * matching, the anti-replay window, and which parallel SA packets skip
 * padata.
 */

#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/inet.h>
#include <linux/string.h>
#include <kipsec.h>

#include "crypto.h"
#include "packet.h"
#include "parallel.h"
#include "replay.h"
#include "sadb.h"
#include "selftest.h"
#include "spd.h"
#include "spi.h"

static bool __init kipsec_selftest_spi(void)
{
	bool ok = true;

	ok &= kipsec_spi_scan_next(256, 256, 0xffffffff) == 257;
	ok &= kipsec_spi_scan_next(0xffffffff, 256, 0xffffffff) == 256;
	ok &= kipsec_spi_scan_next(1000, 1000, 1000) == 1000;
	ok &= kipsec_spi_scan_next(5, 256, 300) == 256;
	ok &= kipsec_spi_range_size(256, 0xffffffff) == 0xffffff00ULL;
	ok &= kipsec_spi_range_size(0, 0xffffffff) == 0x100000000ULL;
	ok &= kipsec_spi_range_size(7, 7) == 1;
	return ok;
}

static bool __init kipsec_selftest_key(void)
{
	static const u8 v4[4] = { 192, 0, 2, 1 };
	struct kipsec_sa_key a, b;
	bool ok = true;

	/* Stale bytes must not leak into the hashed key. */
	memset(&a, 0xaa, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	kipsec_sa_key_init(&a, cpu_to_be32(0x1234), v4, AF_INET, IPPROTO_ESP);
	kipsec_sa_key_init(&b, cpu_to_be32(0x1234), v4, AF_INET, IPPROTO_ESP);
	ok &= !memcmp(&a, &b, sizeof(a));
	kipsec_sa_key_init(&b, cpu_to_be32(0x1234), v4, AF_INET, IPPROTO_AH);
	ok &= !!memcmp(&a, &b, sizeof(a));
	return ok;
}

static bool __init kipsec_selftest_algs(void)
{
	const struct kipsec_enc_desc *gcm = kipsec_enc_desc(KIPSEC_ENC_AES_GCM_16);
	const struct kipsec_enc_desc *cbc = kipsec_enc_desc(KIPSEC_ENC_AES_CBC);
	const struct kipsec_enc_desc *null = kipsec_enc_desc(KIPSEC_ENC_NULL);
	bool ok = true;

	ok &= gcm && cbc && null;
	if (!ok)
		return false;
	ok &= kipsec_enc_key_len_ok(gcm, 20) && kipsec_enc_key_len_ok(gcm, 36);
	ok &= !kipsec_enc_key_len_ok(gcm, 16) && !kipsec_enc_key_len_ok(gcm, 32);
	ok &= kipsec_enc_key_len_ok(cbc, 16) && !kipsec_enc_key_len_ok(cbc, 20);
	ok &= kipsec_enc_key_len_ok(null, 0) && !kipsec_enc_key_len_ok(null, 1);
	ok &= !kipsec_enc_desc(KIPSEC_ENC_NONE) && !kipsec_enc_desc(__KIPSEC_ENC_MAX);
	ok &= !kipsec_auth_desc(KIPSEC_AUTH_NONE) && !kipsec_auth_desc(0xffff);
	return ok;
}

static void __init kipsec_selftest_flow(struct kipsec_flow *f, const char *src,
					const char *dst, u8 proto, u16 sport,
					u16 dport)
{
	memset(f, 0, sizeof(*f));
	if (strchr(src, ':')) {
		f->family = AF_INET6;
		in6_pton(src, -1, f->saddr.ip6.s6_addr, -1, NULL);
		in6_pton(dst, -1, f->daddr.ip6.s6_addr, -1, NULL);
	} else {
		f->family = AF_INET;
		in4_pton(src, -1, (u8 *)&f->saddr.ip4, -1, NULL);
		in4_pton(dst, -1, (u8 *)&f->daddr.ip4, -1, NULL);
	}
	f->proto = proto;
	f->sport = sport;
	f->dport = dport;
}

/* A selector from the same text, as the netlink parser would build it. */
static void __init kipsec_selftest_sel(struct kipsec_selector *sel,
				       const char *src, u8 splen,
				       const char *dst, u8 dplen, u8 proto,
				       u16 dmin, u16 dmax)
{
	struct kipsec_flow f;

	kipsec_selftest_flow(&f, src, dst, proto, 0, 0);
	memset(sel, 0, sizeof(*sel));
	sel->family = f.family;
	sel->saddr = f.saddr;
	sel->daddr = f.daddr;
	sel->splen = splen;
	sel->dplen = dplen;
	sel->proto = proto;
	sel->sport.max = U16_MAX;
	sel->dport.min = dmin;
	sel->dport.max = dmax;
	kipsec_selector_mask(sel);
}

static bool __init kipsec_selftest_selector(void)
{
	struct kipsec_selector sel, sel2;
	struct kipsec_flow f;
	bool ok = true;

	/* 10.1.0.0/24 -> 10.2.0.0/16, any protocol; host bits are masked. */
	kipsec_selftest_sel(&sel, "10.1.0.77", 24, "10.2.3.4", 16, 0, 0,
			    U16_MAX);
	kipsec_selftest_sel(&sel2, "10.1.0.0", 24, "10.2.0.0", 16, 0, 0,
			    U16_MAX);
	ok &= !memcmp(&sel, &sel2, sizeof(sel));
	kipsec_selftest_flow(&f, "10.1.0.9", "10.2.200.1", IPPROTO_ICMP, 0, 0);
	ok &= kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "10.1.1.9", "10.2.200.1", IPPROTO_TCP, 1, 2);
	ok &= !kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "10.1.0.9", "10.3.0.1", IPPROTO_TCP, 1, 2);
	ok &= !kipsec_selector_match(&sel, &f);

	/* /0 matches everything of its family, and only of its family. */
	kipsec_selftest_sel(&sel, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, U16_MAX);
	kipsec_selftest_flow(&f, "255.1.2.3", "1.2.3.4", IPPROTO_UDP, 9, 9);
	ok &= kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "::1", "::2", IPPROTO_UDP, 9, 9);
	ok &= !kipsec_selector_match(&sel, &f);

	/* /32 host, protocol and a destination port range, ends included. */
	kipsec_selftest_sel(&sel, "192.0.2.1", 32, "192.0.2.2", 32,
			    IPPROTO_TCP, 1000, 2000);
	kipsec_selftest_flow(&f, "192.0.2.1", "192.0.2.2", IPPROTO_TCP, 5, 1000);
	ok &= kipsec_selector_match(&sel, &f);
	f.dport = 2000;
	ok &= kipsec_selector_match(&sel, &f);
	f.dport = 999;
	ok &= !kipsec_selector_match(&sel, &f);
	f.dport = 2001;
	ok &= !kipsec_selector_match(&sel, &f);
	f.dport = 1500;
	f.proto = IPPROTO_UDP;
	ok &= !kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "192.0.2.3", "192.0.2.2", IPPROTO_TCP, 5, 1500);
	ok &= !kipsec_selector_match(&sel, &f);

	/* IPv6 prefixes not on a byte boundary. */
	kipsec_selftest_sel(&sel, "2001:db8:1::", 47, "2001:db8:ff00::", 40,
			    0, 0, U16_MAX);
	kipsec_selftest_flow(&f, "2001:db8:1:1::1", "2001:db8:ff12::1",
			     IPPROTO_ICMPV6, 0, 0);
	ok &= kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "2001:db8:2::1", "2001:db8:ff12::1",
			     IPPROTO_ICMPV6, 0, 0);
	ok &= !kipsec_selector_match(&sel, &f);
	kipsec_selftest_flow(&f, "2001:db8:1::1", "2001:db8:fe00::1",
			     IPPROTO_ICMPV6, 0, 0);
	ok &= !kipsec_selector_match(&sel, &f);
	return ok;
}

/* Check then advance, as the packet path will, for a non-ESN window. */
static bool __init kipsec_selftest_rx(struct kipsec_replay *r, u32 seq_lo)
{
	u64 seq;

	return kipsec_replay_check(r, seq_lo, &seq) &&
	       kipsec_replay_advance(r, seq);
}

static bool __init kipsec_selftest_replay_basic(void)
{
	struct kipsec_replay *r = kipsec_replay_alloc(64, false, GFP_KERNEL);
	bool ok = true;
	u64 seq;
	u32 i;

	if (!r)
		return false;
	ok &= !kipsec_selftest_rx(r, 0);		/* 0 is never sent */
	for (i = 1; i <= 100; i++)			/* in order */
		ok &= kipsec_selftest_rx(r, i);
	ok &= !kipsec_selftest_rx(r, 100);		/* duplicates */
	ok &= !kipsec_selftest_rx(r, 37);		/* in window, seen */
	ok &= !kipsec_selftest_rx(r, 36);		/* too old: 100 - 64 */
	ok &= kipsec_selftest_rx(r, 110);		/* a gap ... */
	ok &= kipsec_selftest_rx(r, 105);		/* ... filled late */
	ok &= kipsec_selftest_rx(r, 101);
	ok &= !kipsec_selftest_rx(r, 105);
	ok &= !kipsec_selftest_rx(r, 47);		/* oldest, seen */
	ok &= !kipsec_selftest_rx(r, 46);		/* too old */

	/* check alone moves nothing: a forged packet cannot shift it. */
	ok &= kipsec_replay_check(r, 1000000, &seq) && seq == 1000000;
	ok &= kipsec_selftest_rx(r, 109);

	/* Jumps past the whole ring leave no stale bits behind. */
	ok &= kipsec_selftest_rx(r, 110 + 128);
	ok &= kipsec_selftest_rx(r, 110 + 128 - 63);
	ok &= kipsec_selftest_rx(r, 1000000);
	ok &= kipsec_selftest_rx(r, 1000000 - 63);
	ok &= kipsec_selftest_rx(r, 1000000 - 1);
	ok &= !kipsec_selftest_rx(r, 1000000 - 64);
	for (i = 1; i <= 200; i++)
		ok &= kipsec_selftest_rx(r, 1000000 + 64 * i);
	ok &= kipsec_selftest_rx(r, 1000000 + 64 * 200 - 1);

	/* 32-bit numbers never wrap: after 2^32 - 1 everything is old. */
	ok &= kipsec_selftest_rx(r, U32_MAX);
	ok &= !kipsec_selftest_rx(r, 1);
	ok &= !kipsec_selftest_rx(r, U32_MAX);
	ok &= kipsec_selftest_rx(r, U32_MAX - 1);
	kipsec_replay_free(r);
	return ok;
}

static bool __init kipsec_selftest_replay_sizes(void)
{
	struct kipsec_replay *r;
	bool ok = true;
	u32 i;

	/* The largest window, with out-of-order arrivals across it. */
	r = kipsec_replay_alloc(KIPSEC_REPLAY_WINDOW_MAX, false, GFP_KERNEL);
	if (!r)
		return false;
	ok &= kipsec_selftest_rx(r, 10000);
	for (i = 10000 - 4095; i < 10000; i += 7)
		ok &= kipsec_selftest_rx(r, i);
	ok &= !kipsec_selftest_rx(r, 10000 - 4096);
	ok &= !kipsec_selftest_rx(r, 10000 - 4095);
	kipsec_replay_free(r);

	/* A window that is not a power of two keeps its exact size. */
	r = kipsec_replay_alloc(100, false, GFP_KERNEL);
	if (!r)
		return false;
	ok &= kipsec_selftest_rx(r, 1000);
	ok &= kipsec_selftest_rx(r, 901);
	ok &= !kipsec_selftest_rx(r, 900);
	kipsec_replay_free(r);

	/* Window 0: no check at all, duplicates included. */
	r = kipsec_replay_alloc(0, false, GFP_KERNEL);
	if (!r)
		return false;
	ok &= kipsec_selftest_rx(r, 5) && kipsec_selftest_rx(r, 5);
	ok &= kipsec_selftest_rx(r, 1) && kipsec_selftest_rx(r, 0);
	kipsec_replay_free(r);

	ok &= !kipsec_replay_alloc(KIPSEC_REPLAY_WINDOW_MAX + 1, false,
				   GFP_KERNEL);
	return ok;
}

static bool __init kipsec_selftest_replay_esn(void)
{
	struct kipsec_replay *r = kipsec_replay_alloc(64, true, GFP_KERNEL);
	bool ok = true;
	u64 seq;

	if (!r)
		return false;
	/* Epoch 0, window inside it (RFC 4303 A2.1 case A). */
	ok &= kipsec_replay_check(r, 1, &seq) && seq == 1;
	ok &= kipsec_replay_advance(r, seq);
	/* Before the first epoch: never sent. */
	ok &= !kipsec_replay_check(r, U32_MAX, &seq);

	ok &= kipsec_replay_check(r, 0x80000000, &seq) && seq == 0x80000000;
	ok &= kipsec_replay_advance(r, seq);
	ok &= kipsec_replay_check(r, U32_MAX - 10, &seq) &&
	      seq == U32_MAX - 10;
	ok &= kipsec_replay_advance(r, seq);
	/* Below the window of epoch 0: the next epoch. */
	ok &= kipsec_replay_check(r, 5, &seq) && seq == (1ULL << 32) + 5;
	ok &= kipsec_replay_advance(r, seq);
	/* Window now spans epochs 0 and 1 (case B). */
	ok &= kipsec_replay_check(r, U32_MAX - 3, &seq) &&
	      seq == U32_MAX - 3;
	ok &= kipsec_replay_advance(r, seq);
	ok &= !kipsec_replay_check(r, U32_MAX - 3, &seq);	/* duplicate */
	ok &= !kipsec_replay_check(r, 5, &seq);			/* duplicate */
	ok &= kipsec_replay_check(r, 3, &seq) && seq == (1ULL << 32) + 3;
	ok &= kipsec_replay_advance(r, seq);
	/*
	 * Below a window that spans the boundary is the epoch after: far
	 * ahead, for the ICV to refuse if it was an old packet after all.
	 */
	ok &= kipsec_replay_check(r, U32_MAX - 70, &seq) &&
	      seq == (1ULL << 32) + U32_MAX - 70;
	/* Advance is a re-check: the same number twice fails the second. */
	ok &= kipsec_replay_check(r, 6, &seq) && kipsec_replay_advance(r, seq);
	ok &= !kipsec_replay_advance(r, seq);
	kipsec_replay_free(r);

	/* Window 0 with ESN: no check, but the epoch is still inferred. */
	r = kipsec_replay_alloc(0, true, GFP_KERNEL);
	if (!r)
		return false;
	ok &= kipsec_replay_check(r, 0x70000000, &seq) && seq == 0x70000000;
	ok &= kipsec_replay_advance(r, seq);
	ok &= kipsec_replay_check(r, 0xf0000000, &seq) && seq == 0xf0000000;
	ok &= kipsec_replay_advance(r, seq);
	ok &= kipsec_replay_check(r, 7, &seq) && seq == (1ULL << 32) + 7;
	ok &= kipsec_replay_advance(r, seq);
	ok &= kipsec_replay_check(r, 0xf0000001, &seq) && seq == 0xf0000001;
	ok &= kipsec_replay_check(r, 7, &seq) && seq == (1ULL << 32) + 7;
	kipsec_replay_free(r);
	return ok;
}

static bool __init kipsec_selftest_par_inline(void)
{
	bool ok = true;

	/* Small, nothing of the SA's in padata, on its release CPU: inline. */
	ok &= kipsec_par_inline_ok(60, 0, 1, 1);
	ok &= kipsec_par_inline_ok(KIPSEC_PAR_INLINE_MAX, 0, 0, 0);
	/* Full-sized packets always go to padata... */
	ok &= !kipsec_par_inline_ok(KIPSEC_PAR_INLINE_MAX + 1, 0, 0, 0);
	ok &= !kipsec_par_inline_ok(1500, 0, 1, 1);
	/* ...and small ones that could overtake: behind others, elsewhere. */
	ok &= !kipsec_par_inline_ok(60, 1, 0, 0);
	ok &= !kipsec_par_inline_ok(60, 0, 0, 1);
	ok &= !kipsec_par_inline_ok(60, 0, 1, 0);
	return ok;
}

int __init kipsec_selftest(void)
{
	bool ok = true;

	if (!kipsec_selftest_spi()) {
		pr_err("self-test failed: SPI range arithmetic\n");
		ok = false;
	}
	if (!kipsec_selftest_key()) {
		pr_err("self-test failed: SA key canonical form\n");
		ok = false;
	}
	if (!kipsec_selftest_algs()) {
		pr_err("self-test failed: algorithm table\n");
		ok = false;
	}
	if (!kipsec_selftest_selector()) {
		pr_err("self-test failed: policy selector matching\n");
		ok = false;
	}
	if (!kipsec_selftest_replay_basic() || !kipsec_selftest_replay_sizes() ||
	    !kipsec_selftest_replay_esn()) {
		pr_err("self-test failed: anti-replay window\n");
		ok = false;
	}
	if (!kipsec_selftest_par_inline()) {
		pr_err("self-test failed: parallel SA inline choice\n");
		ok = false;
	}
	if (!ok)
		return -ENOTRECOVERABLE;
	pr_info("self-tests passed\n");
	return 0;
}
