/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ipsecctl's commands share: the context of one run, talking to
 * kipsec over generic netlink (request.c), and getting and listing SAs
 * and policies alike (objects.c). Each command family has its file:
 * cmd_sa.c, cmd_policy.c, cmd_stats.c, cmd_monitor.c, and cmd_ipsecd.c
 * for what goes to ipsecd; ipsecctl.c holds main() and the command table.
 */
#ifndef IPSECCTL_IPSECCTL_H
#define IPSECCTL_IPSECCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <netlink/msg.h>

#include "common/format.h"
#include "common/json.h"
#include "common/netlink_client.h"
#include "common/table.h"
#include "ipsecctl/args.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILURE_STATUS = 1,
	EXIT_USAGE = 2,
};

enum output_format {
	OUTPUT_TABLE,		/* a terminal */
	OUTPUT_TSV,		/* a pipe or file: stable, for scripts */
	OUTPUT_JSON,
};

struct context {
	const struct ipsecctl_request *req;
	enum output_format format;
	struct netlink_client nl;
};

/* request.c */
void report_error(const struct context *ctx, struct nl_msg *request,
		  const struct netlink_error *e, int err);
int transact(struct context *ctx, struct nl_msg *msg,
	     netlink_reply_fn on_reply, void *arg);
struct nl_msg *new_request(struct context *ctx, uint8_t cmd, int flags);
int fail_building(struct context *ctx, struct nl_msg *msg);
int put_addr(struct nl_msg *msg, int type, const struct ip_addr *a);

/* objects.c */
/*
 * SAs and policies: what "get" and "list" need to know of each kind, so
 * that both are collected, checked and printed by the same code.
 */
struct object_kind {
	const char *plural;		/* for messages: "SAs" */
	size_t size;
	int (*decode)(struct nl_msg *reply, void *item);
	/* NULL: shown in the order the kernel dumps them. */
	int (*compare)(const void *a, const void *b);
	void (*write_json)(struct json_writer *w, const void *item);
	void (*print_tsv)(FILE *out, const void *item);
	void (*print_config)(FILE *out, const void *item);
	void (*table_row)(struct table *t, const void *item);
	const struct table_column *columns;
	const size_t *ncolumns;
};

int get_object(struct context *ctx, struct nl_msg *msg,
	       const struct object_kind *kind);
int list_objects(struct context *ctx, uint8_t cmd,
		 const struct object_kind *kind);

/* The commands, one per ipsecctl_cmd that reaches kipsec or ipsecd. */
int cmd_sa_add(struct context *ctx);
int cmd_sa_del(struct context *ctx);
int cmd_sa_set(struct context *ctx);
int cmd_sa_flush(struct context *ctx);
int cmd_sa_get(struct context *ctx);
int cmd_sa_list(struct context *ctx);
int cmd_spi_alloc(struct context *ctx);
int cmd_stats(struct context *ctx);
int cmd_policy_add(struct context *ctx);
int cmd_policy_del(struct context *ctx);
int cmd_policy_flush(struct context *ctx);
int cmd_policy_get(struct context *ctx);
int cmd_policy_list(struct context *ctx);
int cmd_monitor(struct context *ctx);
int cmd_ipsecd(struct context *ctx);

#endif /* IPSECCTL_IPSECCTL_H */
