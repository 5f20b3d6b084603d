/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-tests of the pure logic, built and run only in DEBUG builds
 * (`make kmod KIPSEC_DEBUG=1`); a failure makes the module refuse to load.
 */
#ifndef _KIPSEC_SELFTEST_H
#define _KIPSEC_SELFTEST_H

#ifdef KIPSEC_DEBUG
int kipsec_selftest(void);
#else
static inline int kipsec_selftest(void)
{
	return 0;
}
#endif

#endif /* _KIPSEC_SELFTEST_H */
