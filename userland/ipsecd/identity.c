// SPDX-License-Identifier: GPL-2.0
/*
 * The identities of both phases: Main Mode's ID is our address, Quick
 * Mode's client IDs are the traffic selectors, as address or prefix.
 */
#include <string.h>

#include "ipsecd/exchange.h"

/* A host selector as an address when @host_as_addr, else as a prefix. */
void id_from_subnet(struct ike_id *id, const struct subnet *net,
		    bool host_as_addr)
{
	unsigned int max = (unsigned int)ip_addr_len(&net->addr) * 8;

	if (net->addr.family == AF_INET) {
		struct in_addr a;

		memcpy(&a, net->addr.bytes, 4);
		if (host_as_addr && net->prefix == max)
			ike_id_ipv4(id, &a);
		else
			ike_id_ipv4_subnet(id, &a, net->prefix);
	} else {
		struct in6_addr a;

		memcpy(&a, net->addr.bytes, 16);
		if (host_as_addr && net->prefix == max)
			ike_id_ipv6(id, &a);
		else
			ike_id_ipv6_subnet(id, &a, net->prefix);
	}
}

/* A Quick Mode client ID as a prefix; -1 for what we cannot express. */
int subnet_from_id(const struct ike_id *id, struct subnet *net)
{
	const uint8_t *mask;
	size_t len, i;
	unsigned int prefix = 0;
	bool ended = false;

	if (id->protocol || id->port)
		return -1;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV4_ADDR_SUBNET:
		ip_addr_from_bytes(&id->addr.v4[0], 4, &net->addr);
		mask = (const uint8_t *)&id->addr.v4[1];
		len = 4;
		break;
	case IKE_ID_IPV6_ADDR:
	case IKE_ID_IPV6_ADDR_SUBNET:
		ip_addr_from_bytes(&id->addr.v6[0], 16, &net->addr);
		mask = id->addr.v6[1].s6_addr;
		len = 16;
		break;
	default:
		return -1;
	}
	if (id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV6_ADDR) {
		net->prefix = (unsigned int)len * 8;
		return 0;
	}
	/* Only contiguous masks are prefixes. */
	for (i = 0; i < len * 8; i++) {
		bool bit = mask[i / 8] & (0x80 >> (i % 8));

		if (bit && ended)
			return -1;
		if (bit)
			prefix++;
		else
			ended = true;
	}
	net->prefix = prefix;
	for (i = 0; i < len; i++)
		if (net->addr.bytes[i] & ~mask[i])
			return -1;
	return 0;
}

void phase1_id(struct ike_id *id, const struct ip_addr *a)
{
	struct subnet s;

	subnet_host(&s, a);
	id_from_subnet(id, &s, true);
}
