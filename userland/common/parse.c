// SPDX-License-Identifier: GPL-2.0
#include "common/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>


static int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parses the leading number of s and reports where it stopped, so that the
 * unit parsers can share it. strtoull() is avoided: it skips blanks, accepts
 * a sign and silently wraps negative numbers.
 */
static int num_parse_prefix(const char *s, uint64_t *out, const char **end)
{
	unsigned int base = 10;
	uint64_t value = 0;
	const char *p = s;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		int d = hex_digit_value(*p);

		if (d < 0 || (unsigned int)d >= base)
			break;
		if (value > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		value = value * base + (uint64_t)d;
	}
	if (!digits)
		return -EINVAL;
	*out = value;
	*end = p;
	return 0;
}

int num_parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err;

	err = num_parse_prefix(s, &v, &end);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int num_parse_max(const char *s, uint64_t max, uint64_t *out)
{
	int err = num_parse_u64(s, out);

	if (err)
		return err;
	return *out > max ? -ERANGE : 0;
}

int num_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int err = num_parse_max(s, UINT32_MAX, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int num_parse_u16(const char *s, uint16_t *out)
{
	uint64_t v;
	int err = num_parse_max(s, UINT16_MAX, &v);

	if (!err)
		*out = (uint16_t)v;
	return err;
}

struct unit {
	const char *suffix;
	uint64_t factor;
};

static int num_parse_with_units(const char *s, const struct unit *units,
				uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err;

	err = num_parse_prefix(s, &v, &end);
	if (err)
		return err;
	if (!*end) {
		*out = v;
		return 0;
	}
	/* "0x10k" would be ambiguous with hex digits; units are decimal-only. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL;
	for (; units->suffix; units++) {
		if (strcmp(end, units->suffix))
			continue;
		if (v > UINT64_MAX / units->factor)
			return -ERANGE;
		*out = v * units->factor;
		return 0;
	}
	return -EINVAL;
}

int num_parse_bytes(const char *s, uint64_t *out)
{
	static const struct unit byte_units[] = {
		{ "k", 1000ULL },
		{ "M", 1000ULL * 1000 },
		{ "G", 1000ULL * 1000 * 1000 },
		{ "T", 1000ULL * 1000 * 1000 * 1000 },
		{ "KiB", 1ULL << 10 },
		{ "MiB", 1ULL << 20 },
		{ "GiB", 1ULL << 30 },
		{ "TiB", 1ULL << 40 },
		{ NULL, 0 },
	};

	return num_parse_with_units(s, byte_units, out);
}

int num_parse_seconds(const char *s, uint64_t *out)
{
	static const struct unit time_units[] = {
		{ "s", 1 },
		{ "m", 60 },
		{ "h", 3600 },
		{ "d", 86400 },
		{ NULL, 0 },
	};

	return num_parse_with_units(s, time_units, out);
}

enum hex_error hex_decode(const char *s, uint8_t *buf, size_t bufsize,
			  size_t *out_len, size_t *bad_pos)
{
	size_t prefix = 0, digits, i;

	*bad_pos = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		prefix = 2;
	digits = strlen(s + prefix);
	if (!digits)
		return HEX_EMPTY;
	for (i = 0; i < digits; i++) {
		if (hex_digit_value(s[prefix + i]) < 0) {
			*bad_pos = prefix + i + 1;
			return HEX_BAD_DIGIT;
		}
	}
	if (digits % 2)
		return HEX_ODD_LENGTH;
	if (digits / 2 > bufsize)
		return HEX_TOO_LONG;
	for (i = 0; i < digits / 2; i++)
		buf[i] = (uint8_t)(hex_digit_value(s[prefix + 2 * i]) << 4 |
				   hex_digit_value(s[prefix + 2 * i + 1]));
	*out_len = digits / 2;
	return HEX_OK;
}

const char *hex_error_text(enum hex_error err)
{
	switch (err) {
	case HEX_OK:
		return "no error";
	case HEX_EMPTY:
		return "empty";
	case HEX_ODD_LENGTH:
		return "odd number of hex digits";
	case HEX_BAD_DIGIT:
		return "not a hex digit";
	case HEX_TOO_LONG:
		return "too long";
	}
	return "unknown error";
}

int ip_addr_parse(const char *s, struct ip_addr *out)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

int ip_addr_from_bytes(const void *bytes, size_t len, struct ip_addr *out)
{
	if (len != 4 && len != 16)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(out->bytes, bytes, len);
	return 0;
}
