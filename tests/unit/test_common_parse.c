// SPDX-License-Identifier: GPL-2.0
/* Unit tests of userland/common/parse.c: numbers, units, hex keys, addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/parse.h"
#include "tap.h"

static void test_u64(void)
{
	uint64_t v = 7;

	tap_is_int(num_parse_u64("0", &v), 0, "u64: 0");
	tap_is_int(v, 0, "u64: 0 value");
	tap_is_int(num_parse_u64("18446744073709551615", &v), 0, "u64: max");
	tap_ok(v == UINT64_MAX, "u64: max value");
	tap_is_int(num_parse_u64("18446744073709551616", &v), -ERANGE,
		   "u64: max+1 is out of range");
	tap_is_int(num_parse_u64("0xffffffffffffffff", &v), 0, "u64: hex max");
	tap_is_int(num_parse_u64("0x1ffffffffffffffff", &v), -ERANGE,
		   "u64: hex overflow");
	tap_is_int(num_parse_u64("0X1f", &v), 0, "u64: 0X prefix");
	tap_is_int(v, 31, "u64: 0X1f value");
	tap_is_int(num_parse_u64("010", &v), 0, "u64: leading zero is decimal");
	tap_is_int(v, 10, "u64: 010 is ten, not octal eight");
	v = 5;
	tap_is_int(num_parse_u64("", &v), -EINVAL, "u64: empty");
	tap_is_int(num_parse_u64("0x", &v), -EINVAL, "u64: bare 0x");
	tap_is_int(num_parse_u64("-1", &v), -EINVAL, "u64: negative");
	tap_is_int(num_parse_u64("+1", &v), -EINVAL, "u64: plus sign");
	tap_is_int(num_parse_u64(" 1", &v), -EINVAL, "u64: leading blank");
	tap_is_int(num_parse_u64("1 ", &v), -EINVAL, "u64: trailing blank");
	tap_is_int(num_parse_u64("12a", &v), -EINVAL, "u64: trailing junk");
	tap_is_int(num_parse_u64("0xg", &v), -EINVAL, "u64: bad hex digit");
	tap_is_int(v, 5, "u64: output untouched on failure");
}

static void test_u32_u16(void)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;

	tap_is_int(num_parse_u32("4294967295", &v32), 0, "u32: max");
	tap_ok(v32 == UINT32_MAX, "u32: max value");
	tap_is_int(num_parse_u32("4294967296", &v32), -ERANGE, "u32: max+1");
	tap_is_int(num_parse_u32("0x100", &v32), 0, "u32: hex");
	tap_is_int(v32, 256, "u32: 0x100 value");
	tap_is_int(num_parse_u32("abc", &v32), -EINVAL, "u32: not a number");
	tap_is_int(num_parse_u16("65535", &v16), 0, "u16: max");
	tap_is_int(v16, 65535, "u16: max value");
	tap_is_int(num_parse_u16("65536", &v16), -ERANGE, "u16: max+1");
}

static void test_bytes(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} good[] = {
		{ "0", 0 },
		{ "1500", 1500 },
		{ "0x10", 16 },
		{ "1k", 1000 },
		{ "100M", 100000000 },
		{ "2G", 2000000000ULL },
		{ "3T", 3000000000000ULL },
		{ "1KiB", 1024 },
		{ "100MiB", 104857600 },
		{ "4GiB", 4294967296ULL },
		{ "1TiB", 1099511627776ULL },
	};
	static const char *const bad[] = {
		"", "k", "1K", "1m", "1g", "1kb", "1 k", "1.5M", "1Mi", "0x10k",
		"-1k", "1kk",
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		tap_is_int(num_parse_bytes(good[i].in, &v), 0, good[i].in);
		tap_ok(v == good[i].want, "bytes: \"%s\" = %llu", good[i].in,
		       (unsigned long long)good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_is_int(num_parse_bytes(bad[i], &v), -EINVAL, bad[i]);
	tap_is_int(num_parse_bytes("18446744073709551615k", &v), -ERANGE,
		   "bytes: unit overflow");
	tap_is_int(num_parse_bytes("17179869184GiB", &v), -ERANGE,
		   "bytes: GiB overflow");
}

static void test_seconds(void)
{
	uint64_t v = 0;

	tap_is_int(num_parse_seconds("90", &v), 0, "seconds: plain");
	tap_is_int(v, 90, "seconds: 90");
	tap_is_int(num_parse_seconds("30s", &v), 0, "seconds: s");
	tap_is_int(v, 30, "seconds: 30s");
	tap_is_int(num_parse_seconds("5m", &v), 0, "seconds: m");
	tap_is_int(v, 300, "seconds: 5m");
	tap_is_int(num_parse_seconds("8h", &v), 0, "seconds: h");
	tap_is_int(v, 28800, "seconds: 8h");
	tap_is_int(num_parse_seconds("2d", &v), 0, "seconds: d");
	tap_is_int(v, 172800, "seconds: 2d");
	tap_is_int(num_parse_seconds("1M", &v), -EINVAL, "seconds: M refused");
	tap_is_int(num_parse_seconds("1min", &v), -EINVAL, "seconds: min refused");
	tap_is_int(num_parse_seconds("h", &v), -EINVAL, "seconds: unit alone");
	tap_is_int(num_parse_seconds("1h30m", &v), -EINVAL,
		   "seconds: compound refused");
}

static void test_hex(void)
{
	uint8_t buf[4];
	size_t len = 99, pos = 99;

	tap_is_int(hex_decode("00ff10Ab", buf, sizeof(buf), &len, &pos), HEX_OK,
		   "hex: mixed case");
	tap_is_int(len, 4, "hex: length");
	tap_ok(buf[0] == 0 && buf[1] == 0xff && buf[2] == 0x10 && buf[3] == 0xab,
	       "hex: bytes");
	tap_is_int(hex_decode("0x0102", buf, sizeof(buf), &len, &pos), HEX_OK,
		   "hex: 0x prefix");
	tap_is_int(len, 2, "hex: 0x prefix length");
	tap_is_int(hex_decode("0X0a", buf, sizeof(buf), &len, &pos), HEX_OK,
		   "hex: 0X prefix");
	tap_is_int(hex_decode("", buf, sizeof(buf), &len, &pos), HEX_EMPTY,
		   "hex: empty");
	tap_is_int(hex_decode("0x", buf, sizeof(buf), &len, &pos), HEX_EMPTY,
		   "hex: prefix only");
	tap_is_int(hex_decode("abc", buf, sizeof(buf), &len, &pos),
		   HEX_ODD_LENGTH, "hex: odd length");
	tap_is_int(hex_decode("0x12g4", buf, sizeof(buf), &len, &pos),
		   HEX_BAD_DIGIT, "hex: bad digit");
	tap_is_int(pos, 5, "hex: bad digit position counts the prefix");
	tap_is_int(hex_decode("12 4", buf, sizeof(buf), &len, &pos),
		   HEX_BAD_DIGIT, "hex: blank is a bad digit");
	tap_is_int(hex_decode("0102030405", buf, sizeof(buf), &len, &pos),
		   HEX_TOO_LONG, "hex: too long for the buffer");
	tap_is_str(hex_error_text(HEX_ODD_LENGTH), "odd number of hex digits",
		   "hex: error text");
}

static void test_addr(void)
{
	struct ip_addr a;
	const uint8_t v4[4] = { 192, 0, 2, 1 };
	uint8_t v6[16];

	tap_is_int(ip_addr_parse("192.0.2.1", &a), 0, "addr: IPv4");
	tap_is_int(a.family, AF_INET, "addr: IPv4 family");
	tap_is_int(ip_addr_len(&a), 4, "addr: IPv4 length");
	tap_ok(!memcmp(a.bytes, v4, 4), "addr: IPv4 bytes");
	tap_is_int(ip_addr_parse("2001:db8::1", &a), 0, "addr: IPv6");
	tap_is_int(a.family, AF_INET6, "addr: IPv6 family");
	tap_is_int(ip_addr_len(&a), 16, "addr: IPv6 length");
	inet_pton(AF_INET6, "2001:db8::1", v6);
	tap_ok(!memcmp(a.bytes, v6, 16), "addr: IPv6 bytes");
	tap_is_int(ip_addr_parse("192.0.2.256", &a), -EINVAL, "addr: bad IPv4");
	tap_is_int(ip_addr_parse("host.example", &a), -EINVAL,
		   "addr: names are not resolved");
	tap_is_int(ip_addr_parse("", &a), -EINVAL, "addr: empty");
	tap_is_int(ip_addr_parse("10.0.0.1/24", &a), -EINVAL, "addr: prefix");
	tap_is_int(ip_addr_from_bytes(v4, 4, &a), 0, "addr: from 4 bytes");
	tap_is_int(a.family, AF_INET, "addr: from 4 bytes is IPv4");
	tap_is_int(ip_addr_from_bytes(v6, 16, &a), 0, "addr: from 16 bytes");
	tap_is_int(a.family, AF_INET6, "addr: from 16 bytes is IPv6");
	tap_is_int(ip_addr_from_bytes(v6, 5, &a), -EINVAL,
		   "addr: from 5 bytes refused");
}

int main(void)
{
	test_u64();
	test_u32_u16();
	test_bytes();
	test_seconds();
	test_hex();
	test_addr();
	return tap_done();
}
