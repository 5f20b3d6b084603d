/* SPDX-License-Identifier: GPL-2.0 */
/* Value formatting for human-facing output (tables, logs). */
#ifndef KIPSEC_COMMON_FORMAT_H
#define KIPSEC_COMMON_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/parse.h"

/* Large enough for an IPv6 address and every human_* result. */
#define FORMAT_BUF_LEN 48

/* inet_ntop() of the address; "-" when the address is unset. */
const char *ip_addr_format(const struct ip_addr *a, char *buf, size_t len);

/* Bytes in IEC units, one decimal: "512B", "1.5KiB", "20.0MiB". */
const char *human_bytes(uint64_t n, char *buf, size_t len);

/* Counts in SI units, one decimal: "999", "1.2k", "3.4M". */
const char *human_count(uint64_t n, char *buf, size_t len);

/* Durations, two most significant units: "45s", "3m12s", "2h05m", "4d03h". */
const char *human_duration(uint64_t seconds, char *buf, size_t len);

#endif
