/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the decoders and printers of SAs, policies and events share: address
 * attributes, and names for values a newer kernel may send.
 */
#ifndef IPSECCTL_INFO_COMMON_H
#define IPSECCTL_INFO_COMMON_H

#include <stddef.h>

#include <netlink/attr.h>

#include "common/parse.h"

/* An optional address attribute: 0 when absent, -EPROTO when malformed. */
int info_decode_addr(struct nlattr *attr, struct ip_addr *out);

/*
 * NAME, or PREFIX and the number V in BUF when this build has no name for
 * V (NAME is NULL): output never fails on a value from a newer kernel.
 */
const char *info_name(const char *name, const char *prefix, unsigned int v,
		      char *buf, size_t len);

#endif
