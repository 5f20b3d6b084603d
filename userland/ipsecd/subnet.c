// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and prefixes: the selectors of conns, policies and Quick Mode
 * identities, compared, matched, printed and parsed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ipsecd/config.h"

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, ip_addr_len(a));
}

static void clear_host_bits(struct subnet *net)
{
	size_t i, len = ip_addr_len(&net->addr);

	for (i = 0; i < len; i++) {
		unsigned int first = (unsigned int)i * 8;

		if (net->prefix <= first)
			net->addr.bytes[i] = 0;
		else if (net->prefix < first + 8)
			net->addr.bytes[i] &= (uint8_t)(0xff << (first + 8 - net->prefix));
	}
}

void subnet_host(struct subnet *net, const struct ip_addr *a)
{
	net->addr = *a;
	net->prefix = (unsigned int)ip_addr_len(a) * 8;
}

bool subnet_equal(const struct subnet *a, const struct subnet *b)
{
	return a->prefix == b->prefix && ip_addr_equal(&a->addr, &b->addr);
}

bool subnet_contains_host(const struct subnet *net, const struct ip_addr *a)
{
	struct subnet h = { .addr = *a, .prefix = net->prefix };

	if (a->family != net->addr.family)
		return false;
	clear_host_bits(&h);
	return ip_addr_equal(&h.addr, &net->addr);
}

const char *subnet_format(const struct subnet *net, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(net->addr.family, net->addr.bytes, a, sizeof(a)))
		snprintf(a, sizeof(a), "-");
	snprintf(buf, len, "%s/%u", a, net->prefix);
	return buf;
}

int subnet_parse(const char *s, struct subnet *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max;
	uint16_t prefix;

	if (alen >= sizeof(addr))
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (ip_addr_parse(addr, &out->addr))
		return -1;
	max = (unsigned int)ip_addr_len(&out->addr) * 8;
	if (!slash) {
		out->prefix = max;
		return 0;
	}
	/* No empty prefix and no leading zeros ("/024" is a typo). */
	if (!slash[1] || (slash[1] == '0' && slash[2]))
		return -1;
	if (num_parse_u16(slash + 1, &prefix) || prefix > max)
		return -1;
	out->prefix = prefix;
	clear_host_bits(out);
	return 0;
}
