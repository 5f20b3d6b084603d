// SPDX-License-Identifier: GPL-2.0
#include "ipsecctl/info_common.h"

#include <errno.h>
#include <stdio.h>

int info_decode_addr(struct nlattr *attr, struct ip_addr *out)
{
	if (!attr)
		return 0;
	return ip_addr_from_bytes(nla_data(attr), (size_t)nla_len(attr), out) ?
	       -EPROTO : 0;
}

const char *info_name(const char *name, const char *prefix, unsigned int v,
		      char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%s%u", prefix, v);
	return buf;
}
