/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A security policy as the kernel reports it (KIPSEC_CMD_POLICY_GET), and
 * its output formats: table row, tab-separated line, "policy add" syntax
 * and JSON. Documented in README.md and "ipsecctl policy list --help".
 */
#ifndef IPSECCTL_POLICY_INFO_H
#define IPSECCTL_POLICY_INFO_H

#include <stdint.h>
#include <stdio.h>

#include <netlink/msg.h>

#include "common/json.h"
#include "common/parse.h"
#include "common/table.h"
#include "ipsecctl/args.h"

struct policy_info {
	uint32_t index;
	/* Selector, template and action, as "policy add" takes them. */
	struct ipsecctl_policy p;
	/* With p.has_lifetime: seconds left (0: it ran out). */
	uint32_t expires_in;
};

/* A POLICY_DEL event for a policy whose lifetime ran out. */
bool policy_info_expired(const struct policy_info *pol);

int policy_info_decode(struct nl_msg *msg, struct policy_info *pol);

void policy_print_tsv(FILE *out, const struct policy_info *pol);
void policy_print_config(FILE *out, const struct policy_info *pol);
void policy_write_json(struct json_writer *w, const struct policy_info *pol);

extern const struct table_column policy_table_columns[];
extern const size_t policy_table_ncolumns;
void policy_table_row(struct table *t, const struct policy_info *pol);

#endif
