// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time self-tests (DEBUG builds only): SPI range arithmetic, SA key
 * canonical form, and the algorithm table's key-length rules.
 */

#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <kipsec.h>

#include "crypto.h"
#include "sadb.h"
#include "selftest.h"
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
	if (!ok)
		return -ENOTRECOVERABLE;
	pr_info("self-tests passed\n");
	return 0;
}
