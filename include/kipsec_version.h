/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one version of kipsec: kipsec.ko (modinfo, sysfs, its banner),
 * ipsecd and ipsecctl all report this string.
 */
#ifndef _KIPSEC_VERSION_H
#define _KIPSEC_VERSION_H

#define KIPSEC_VERSION "0.1.0"

#endif /* _KIPSEC_VERSION_H */
