/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An SA as the kernel reports it, and ipsecctl's renderings of it. Decoding
 * and printing are kept apart from the socket code so that the output
 * formats, which scripts depend on, are unit-tested.
 */
#ifndef IPSECCTL_SA_INFO_H
#define IPSECCTL_SA_INFO_H

#include <stdint.h>
#include <stdio.h>

#include <netlink/msg.h>

#include "common/json.h"
#include "common/parse.h"
#include "common/table.h"
#include "ipsecctl/args.h"
#include "kipsec.h"

struct sa_info {
	uint32_t spi;
	struct ip_addr src;
	struct ip_addr dst;
	uint8_t proto;
	uint8_t mode;
	uint16_t enc_alg;
	uint16_t enc_key_bits;
	uint16_t auth_alg;
	uint32_t reqid;
	uint32_t replay_window;
	uint32_t flags;
	uint64_t oseq;			/* the last sequence number sent */
	uint16_t encap_sport;
	uint16_t encap_dport;
	uint64_t soft[IPSECCTL_LIFETIME_COUNT];
	uint64_t hard[IPSECCTL_LIFETIME_COUNT];
	/* What counts against the byte and packet limits so far. */
	uint64_t used_bytes;
	uint64_t used_packets;
	uint64_t age;
	uint64_t stats[KIPSEC_STAT_COUNT];
};

/*
 * Decodes one KIPSEC_CMD_SA_GET reply. Returns 0, or -EPROTO when a
 * required attribute is missing or malformed.
 */
int sa_info_decode(struct nl_msg *msg, struct sa_info *sa);

/* Orders by SPI, then destination, then protocol: stable listings. */
int sa_info_compare(const void *a, const void *b);

/* Names with a fallback for values from a newer kernel: "unknown-7". */
const char *sa_enc_name(const struct sa_info *sa, char *buf, size_t len);
const char *sa_auth_name(const struct sa_info *sa, char *buf, size_t len);

void sa_print_tsv(FILE *out, const struct sa_info *sa);
void sa_print_config(FILE *out, const struct sa_info *sa);
void sa_write_json(struct json_writer *w, const struct sa_info *sa);

extern const struct table_column sa_table_columns[];
extern const size_t sa_table_ncolumns;
void sa_table_row(struct table *t, const struct sa_info *sa);

#endif
