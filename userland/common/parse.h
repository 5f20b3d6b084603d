/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for command-line and configuration values. They are strict: the
 * whole string must be consumed, no sign, no surrounding blanks, no octal.
 * Each returns 0 on success and a negative errno (-EINVAL syntax, -ERANGE
 * overflow) otherwise, and leaves *out untouched on failure.
 */
#ifndef KIPSEC_COMMON_PARSE_H
#define KIPSEC_COMMON_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Decimal, or hexadecimal with a 0x/0X prefix. */
int num_parse_u64(const char *s, uint64_t *out);
int num_parse_u32(const char *s, uint32_t *out);
int num_parse_u16(const char *s, uint16_t *out);

/*
 * A number with an optional unit: k, M, G, T (powers of 1000) or KiB, MiB,
 * GiB, TiB (powers of 1024), e.g. "100M" or "4GiB". Integers only, so the
 * value is exact; a unit needs a decimal number.
 */
int num_parse_bytes(const char *s, uint64_t *out);

/* A number of seconds with an optional unit s, m, h or d. */
int num_parse_seconds(const char *s, uint64_t *out);

/* Decoding failures of hex_decode(), for messages that never quote a key. */
enum hex_error {
	HEX_OK = 0,
	HEX_EMPTY,
	HEX_ODD_LENGTH,
	HEX_BAD_DIGIT,
	HEX_TOO_LONG,
};

/*
 * Decodes hex digits, optionally prefixed with 0x, into buf. On failure
 * nothing of the input is left in buf. *bad_pos receives the 1-based
 * position of a bad digit (HEX_BAD_DIGIT), so that a message can point at it
 * without repeating secret material.
 */
enum hex_error hex_decode(const char *s, uint8_t *buf, size_t bufsize,
			  size_t *out_len, size_t *bad_pos);
const char *hex_error_text(enum hex_error err);

/* An IPv4 or IPv6 address as raw network-order bytes. */
struct ip_addr {
	sa_family_t family;	/* AF_INET or AF_INET6; 0 when unset */
	uint8_t bytes[16];
};

static inline size_t ip_addr_len(const struct ip_addr *a)
{
	return a->family == AF_INET6 ? 16 : a->family == AF_INET ? 4 : 0;
}

int ip_addr_parse(const char *s, struct ip_addr *out);

/* Builds an address from netlink bytes: 4 or 16 of them, else -EINVAL. */
int ip_addr_from_bytes(const void *bytes, size_t len, struct ip_addr *out);

#endif
