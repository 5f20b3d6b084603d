// SPDX-License-Identifier: GPL-2.0
#include "common/format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

const char *ip_addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

/*
 * Rounds to one decimal in integer arithmetic: doubles would print
 * 1023.96 KiB as "1024.0KiB" instead of moving to the next unit.
 */
static const char *human_scaled(uint64_t n, unsigned int base,
				const char *const *units, const char *plain_unit,
				char *buf, size_t len)
{
	uint64_t tenths;
	unsigned int u = 0;

	if (n < base) {
		snprintf(buf, len, "%" PRIu64 "%s", n, plain_unit);
		return buf;
	}
	/* Scale down until the value is below base, keeping one decimal. */
	while (units[u + 1] && n / base >= base) {
		n /= base;
		u++;
	}
	tenths = (n * 10 + base / 2) / base;
	if (tenths >= (uint64_t)base * 10 && units[u + 1]) {
		tenths = (tenths + base / 2) / base;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%s", tenths / 10,
		 tenths % 10, units[u]);
	return buf;
}

const char *human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", NULL
	};

	return human_scaled(n, 1024, units, "B", buf, len);
}

const char *human_count(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "k", "M", "G", "T", "P", "E", NULL };

	return human_scaled(n, 1000, units, "", buf, len);
}

const char *human_duration(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	return buf;
}
